"""Workflows as data: a table of allowed `(state, action) → next state`, and one class that refuses the rest; and
choices that carry their own words (`Labelled`), so a state, an action or a kind is declared once with its label."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Generic, TypeVar

from service.domain.errors import Conflict

S = TypeVar("S")
A = TypeVar("A")


class _Same(Enum):
    STAYS = "stays"


STAYS = _Same.STAYS  # a row's target: the state the step starts from (an edit, a save)


def steps(*rows: tuple[S | tuple[S, ...], A | tuple[A, ...], S | _Same]) -> dict[tuple[S, A], S]:
    """A transition table from rows `(from, action, to)`, read as a sentence: `from` may be several states and
    `action` several actions, when each leads to the same state ("an open item is done or dropped"), and `to` may be
    STAYS ("a draft is edited and stays a draft")."""
    table: dict[tuple[S, A], S] = {}
    for sources, actions, target in rows:
        for state in sources if isinstance(sources, tuple) else (sources,):
            for action in actions if isinstance(actions, tuple) else (actions,):
                table[(state, action)] = state if target is STAYS else target
    return table


@dataclass(frozen=True)
class Workflow(Generic[S, A]):
    """A declared workflow: its transition table, and how a refusal reads for a state and an action."""

    transitions: Mapping[tuple[S, A], S]
    refusal: Callable[[S, A], str]

    def next(self, state: S, action: A) -> S:
        """The state `action` leads to from `state`; Conflict(refusal) when the table has no such row."""
        try:
            return self.transitions[(state, action)]
        except KeyError:
            raise Conflict(self.refusal(state, action)) from None

    def allows(self, state: S, action: A) -> bool:
        """Whether the table has a row for `action` from `state`."""
        return (state, action) in self.transitions

    def actions_from(self, state: S, actions: Iterable[A]) -> list[A]:
        """Of `actions`, those the table allows from `state`, in their order (a page's buttons)."""
        return [action for action in actions if self.allows(state, action)]


class Labelled(StrEnum):
    """A choice declared with the words people read: `PROMOTION = "promotion", "Promotion"` (the value is stored,
    the label shown on pages, in PDFs and in sentences)."""

    label: str

    def __new__(cls, value: str, label: str) -> Labelled:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member


L = TypeVar("L", bound=Labelled)


def refused_in_words(thing: str) -> Callable[[Labelled, Labelled], str]:
    """The refusal of a workflow whose states and actions carry their words: "an item done cannot be started"."""
    return lambda state, action: f"{thing} {state.label.lower()} cannot be {action.label.lower()}"


def labels(choices: type[L]) -> dict[L, str]:
    """Each choice's label, in declaration order (what forms offer and templates look up)."""
    return {choice: choice.label for choice in choices}


class Progress(Labelled):
    """Where an item of a plan stands: the learning plan people own and the organisation's improvement plan."""

    PLANNED = "planned", "Planned"
    IN_PROGRESS = "in_progress", "In progress"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


OPEN_PROGRESS = (Progress.PLANNED, Progress.IN_PROGRESS)  # an item still to be done
