"""Feedback on the review process itself (issue 27, point 5): each participant may, once their review is
acknowledged (or the cycle closed), rate how fair and how useful the process was, say how long it took and what to
change, anonymously. HR reads a cycle's answers only as a group of at least `SUPPRESS_BELOW` people.

Pure Python. An answer carries no person and no time: who answered is kept apart (a mark per person, so nobody
answers twice), and the comments are read sorted by their text, so no order ties a text to its author. Answers are
shown in groups of `SUPPRESS_BELOW` (`batch`): one more answer changes nothing HR reads until its group is full, so
reading before and after it never isolates it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from enum import StrEnum

from service.domain.errors import ValidationFailed
from service.domain.suppression import SUPPRESS_BELOW

MAX_CHANGE = 2000
POINTS = (1, 2, 3, 4, 5)
AGREEMENT_LABELS = {1: "Not at all", 2: "A little", 3: "Somewhat", 4: "Mostly", 5: "Completely"}


class TimeTaken(StrEnum):
    """How long the review took the person, all parts together."""

    UNDER_1H = "under_1h"
    H1_2 = "1_2h"
    H2_4 = "2_4h"
    H4_8 = "4_8h"
    OVER_8H = "over_8h"


TIME_LABELS = {
    TimeTaken.UNDER_1H: "Under an hour",
    TimeTaken.H1_2: "1 to 2 hours",
    TimeTaken.H2_4: "2 to 4 hours",
    TimeTaken.H4_8: "4 to 8 hours",
    TimeTaken.OVER_8H: "More than 8 hours",
}


@dataclass(frozen=True)
class ProcessAnswer:
    """One anonymous answer: no person, no time."""

    answer_id: str
    cycle_id: str
    fair: int
    useful: int
    time_taken: TimeTaken
    change: str = ""
    batch: int = 0  # the group it is shown with: answers are released SUPPRESS_BELOW at a time


def open_batch(answers: list[ProcessAnswer]) -> int:
    """The group a new answer joins: the first one not yet full."""
    sizes = Counter(a.batch for a in answers)
    return next(b for b in range(len(answers) + 1) if sizes.get(b, 0) < SUPPRESS_BELOW)


def check_answer(fair: int, useful: int, change: str) -> None:
    """Ratings on the 1–5 scale; the suggestion within its length."""
    errors: dict[str, list[str]] = {}
    for name, value in (("fair", fair), ("useful", useful)):
        if value not in POINTS:
            errors[name] = ["choose 1 to 5"]
    if len(change) > MAX_CHANGE:
        errors["change"] = [f"at most {MAX_CHANGE} characters"]
    if errors:
        raise ValidationFailed("The feedback is not complete.", errors)


@dataclass(frozen=True)
class ProcessSummary:
    """A cycle's answers as a group; every figure None (`withheld`) under the threshold."""

    cycle_id: str
    cycle_name: str
    answers: int
    withheld: bool
    fair: float | None
    useful: float | None
    time_taken: dict[str, int] | None
    changes: list[str] | None


def summarise(cycle_id: str, cycle_name: str, answers: list[ProcessAnswer]) -> ProcessSummary:
    """The group's averages, the time distribution and the suggestions sorted by text, over the full groups of
    answers only (an answer waits for its group); nothing under 5 answers."""
    sizes = Counter(a.batch for a in answers)
    shown = [a for a in answers if sizes[a.batch] >= SUPPRESS_BELOW]
    if len(shown) < SUPPRESS_BELOW:
        return ProcessSummary(cycle_id, cycle_name, len(answers), True, None, None, None, None)
    answers, n = shown, len(shown)
    times = Counter(a.time_taken for a in answers)
    return ProcessSummary(
        cycle_id=cycle_id,
        cycle_name=cycle_name,
        answers=n,
        withheld=False,
        fair=round(sum(a.fair for a in answers) / n, 1),
        useful=round(sum(a.useful for a in answers) / n, 1),
        time_taken={t.value: times.get(t, 0) for t in TimeTaken},
        changes=sorted(a.change.strip() for a in answers if a.change.strip()),
    )
