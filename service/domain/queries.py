"""Questions a use case asks another feature's data, as frozen dataclasses.

A use case asks `messagebus.ask(uow, question)`; the answer comes from the handler the message bus
registers for the question's type, so the asking feature imports no other feature (the review's score
needs the goals part and the feedback ratings, its page the person's goals).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from service.domain.cycles import Cycle
from service.domain.templates import Scale


class Query:
    """A read of data another feature owns (the base of the questions below)."""

    __slots__ = ()


@dataclass(frozen=True)
class GoalPart(Query):
    """[(weight, 0–100 value)] of a person's goals for the score, and the rule in words."""

    employee_id: str
    cycle_id: str
    manager: dict[str, Any] | None  # the manager assessment (its goal ratings)
    scale: Scale


@dataclass(frozen=True)
class FeedbackRatings(Query):
    """The ratings the score's feedback part comes from (with `releasing`: as the submission releases them)."""

    cycle: Cycle
    subject_id: str
    now: datetime
    releasing: bool = False


@dataclass(frozen=True)
class PersonGoals(Query):
    """Someone's goals in a cycle, with progress and alignment chain, and their pace on day `on` (None: no pace,
    so each goal's standing is its status)."""

    owner_id: str
    cycle_id: str
    on: date | None = None
    zone: tzinfo | None = None  # the organisation's: a goal's days are the organisation's days of its instants


@dataclass(frozen=True)
class GoalWeightTotal(Query):
    """The sum of someone's individual goal weights in a cycle, or None without goals."""

    owner_id: str
    cycle_id: str
