"""A learning plan people own (issue 27, point 4): planned learning with target dates, linked to training needs
and to the interview planner; a done item moves into the learning log. The workflow as data, the item's rules,
what the daily reminder lists, and what a personal learning record may hold. No I/O.

Who sees what: the plan is its owner's. Each item carries `shared_with_manager` (off by default); the owner's
current manager reads the shared items (kind, title, target date, status, the need it addresses), never the
notes; nobody else (HR included) reads a plan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from service.domain.errors import ValidationFailed
from service.domain.learning import NEED_ID_RE, ActivityType
from service.domain.workflow import OPEN_PROGRESS, Progress, Workflow, steps


class PlanKind(StrEnum):
    """What kind of learning is planned."""

    COURSE = "course"
    READING = "reading"
    MEET_SOMEONE = "meet_someone"
    INFORMATIONAL_INTERVIEW = "informational_interview"


class PlanAction(StrEnum):
    """What can be done to a plan item."""

    START = "start"
    COMPLETE = "complete"
    DROP = "drop"
    RESUME = "resume"


# The actions an item takes by itself, in one request (the API's and the page's choices): every action but done, which
# has a request of its own (what was learnt, written to the log). Derived from PlanAction, never typed again.
PlanStep = StrEnum("PlanStep", [(a.name, a.value) for a in PlanAction if a is not PlanAction.COMPLETE])

# (status, action) → next status; anything else is refused (409).
PLAN_WORKFLOW = Workflow(
    steps(
        (Progress.PLANNED, PlanAction.START, Progress.IN_PROGRESS),
        (OPEN_PROGRESS, PlanAction.COMPLETE, Progress.DONE),
        (OPEN_PROGRESS, PlanAction.DROP, Progress.DROPPED),
        (Progress.DROPPED, PlanAction.RESUME, Progress.PLANNED),
    ),
    lambda status, action: f"cannot {action.value} a plan item that is {status.value.replace('_', ' ')}",
)

# The log's kind of activity a done item becomes.
ACTIVITY_OF: dict[PlanKind, ActivityType] = {
    PlanKind.COURSE: ActivityType.COURSE,
    PlanKind.READING: ActivityType.READING,
    PlanKind.MEET_SOMEONE: ActivityType.NETWORKING,
    PlanKind.INFORMATIONAL_INTERVIEW: ActivityType.INFORMATIONAL_INTERVIEW,
}
REMIND_BEFORE = (7, 1, 0)  # days before the target date on which the daily digest lists an open item
OVERDUE_WEEKDAY = 0  # an open item past its date is listed again each Monday
MAX_RECORD_PICKS = 200  # activities and plan items one learning record may hold


@dataclass
class PlanItem:
    """One item of someone's learning plan."""

    item_id: str
    owner_id: str
    kind: PlanKind
    title: str
    target_date: str  # ISO date
    status: Progress = Progress.PLANNED
    notes: str = ""
    need_id: str | None = None
    contact_id: str | None = None  # the interview planner's contact this item is about
    shared_with_manager: bool = False
    activity_id: str | None = None  # the log entry it became once done
    done_on: str | None = None
    created_at: str = ""
    version: int = 0


class _Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def check_item(data: dict[str, Any], today: date, *, new: bool) -> None:
    """An item needs a title and a target date (a new one not in the past); a need id must be well formed."""
    e = _Errors()
    if not str(data.get("title") or "").strip():
        e.add("title", "required")
    target = data.get("target_date")
    if not target:
        e.add("target_date", "required")
    elif new and date.fromisoformat(str(target)) < today:
        e.add("target_date", "plan for today or later")
    need = data.get("need_id")
    if need and not NEED_ID_RE.fullmatch(str(need)):
        e.add("need_id", "not a training need id")
    if e:
        raise ValidationFailed("The plan item is not valid.", dict(e))


def check_done_on(done_on: str, today: date) -> None:
    """An item is done once it has happened: its date is not in the future."""
    if date.fromisoformat(done_on) > today:
        raise ValidationFailed("The item is not done yet.", {"done_on": ["mark it done once it has happened"]})


def remind_on(target_date: str, today: date) -> bool:
    """Whether the daily digest lists an open item due on `target_date` today: 7 days and 1 day before, on the
    day, and on Mondays once it is past."""
    days = (date.fromisoformat(target_date[:10]) - today).days
    return days in REMIND_BEFORE or (days < 0 and today.weekday() == OVERDUE_WEEKDAY)


def overdue(item: PlanItem, today: date) -> bool:
    """An open item past its target date."""
    return item.status in OPEN_PROGRESS and item.target_date[:10] < today.isoformat()


def check_record_picks(activity_ids: list[str], item_ids: list[str]) -> None:
    """A learning record holds at least one chosen entry, and no more than MAX_RECORD_PICKS."""
    count = len(set(activity_ids)) + len(set(item_ids))
    if not count:
        raise ValidationFailed("Choose what your record holds.", {"activity_ids": ["pick at least one entry"]})
    if count > MAX_RECORD_PICKS:
        raise ValidationFailed("Too many entries.", {"activity_ids": [f"at most {MAX_RECORD_PICKS} entries"]})
