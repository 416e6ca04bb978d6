"""What the daily reminder lists as due for a person on a date: one type for every kind, the kind as data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class DueKind(StrEnum):
    """What is due, and so where the person acts on it."""

    CHECK_IN = "check_in"  # a goal whose check-in rhythm asks for one (issue 28)
    PLAN_ITEM = "plan_item"  # an open learning-plan item coming due (issue 27)


# Where the person acts on each kind: the page of the goal, or of the plan item (`ref`), below the service's address.
DUE_PATHS = {DueKind.CHECK_IN: "/goals/{ref}", DueKind.PLAN_ITEM: "/learning/plan/{ref}"}


@dataclass(frozen=True)
class DueItem:
    """Something due for a person on a date: a goal's check-in or a learning-plan item (`ref`: its id)."""

    kind: DueKind
    ref: str
    title: str
    due: date

    @property
    def path(self) -> str:
        """The page where the person acts on it."""
        return DUE_PATHS[self.kind].format(ref=self.ref)
