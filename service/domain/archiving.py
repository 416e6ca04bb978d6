"""Putting things away: archive and restore (templates, goals, draft cycles), as a workflow of its own.

An archived thing leaves the default lists and pickers, stays readable and keeps its audit trail; it is not
changed or used again until it is restored.
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum
from typing import TypeVar

from service.domain.errors import Conflict
from service.domain.workflow import Workflow

T = TypeVar("T")


class Shelf(StrEnum):
    """Whether a thing is in use or put away."""

    IN_USE = "in_use"
    ARCHIVED = "archived"


class ShelfAction(StrEnum):
    """What can be done to put a thing away or take it back."""

    ARCHIVE = "archive"
    RESTORE = "restore"


SHELF_TRANSITIONS: dict[tuple[Shelf, ShelfAction], Shelf] = {
    (Shelf.IN_USE, ShelfAction.ARCHIVE): Shelf.ARCHIVED,
    (Shelf.ARCHIVED, ShelfAction.RESTORE): Shelf.IN_USE,
}

_REFUSALS = {ShelfAction.ARCHIVE: "it is archived already", ShelfAction.RESTORE: "it is not archived"}
SHELF_WORKFLOW = Workflow(SHELF_TRANSITIONS, lambda _state, action: f"cannot {action}: {_REFUSALS[action]}")


def shelved(thing: T, action: ShelfAction) -> T:
    """The thing (a dataclass with `archived`) as `action` leaves it; Conflict with a sentence when the action does
    not apply."""
    now = SHELF_WORKFLOW.next(Shelf.ARCHIVED if thing.archived else Shelf.IN_USE, action)  # type: ignore[attr-defined]
    return replace(thing, archived=now is Shelf.ARCHIVED)  # type: ignore[type-var]


def require_in_use(what: str, archived: bool) -> None:
    """Refuse to change or use an archived thing (409), saying how to get it back."""
    if archived:
        raise Conflict(f"the {what} is archived: restore it first", entity=what.replace(" ", "_"))
