"""Goal check-ins (issue 28, point 2): the new value of each key result, a confidence and a comment.

A check-in's confidence is the goal's unfinished status (on track, at risk, off track: `goals.UNFINISHED`, the one
definition of those choices); it sets the goal's status and key results and is kept in the goal's history, which
the goal page shows as a timeline.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from service.domain.errors import Conflict, ValidationFailed
from service.domain.formats import day_of
from service.domain.goals import UNFINISHED, Goal

CONFIDENCE = tuple(s.value for s in UNFINISHED)


class Rhythm(StrEnum):
    """How often the owner checks in on a goal."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


RHYTHM_DAYS = {Rhythm.WEEKLY: 7, Rhythm.FORTNIGHTLY: 14, Rhythm.MONTHLY: 30}


@dataclass(frozen=True)
class CheckIn:
    """What the owner says at a check-in: key result id → its new value, a confidence and a comment."""

    values: dict[str, float]
    confidence: str
    comment: str = ""


def check_in_changes(goal: Goal, checkin: CheckIn) -> dict[str, Any]:
    """The goal's new key results and status from a check-in (as a goal edit's data); refuses a finished goal
    (409) and values for key results it does not have or a confidence that is not one (field errors)."""
    if goal.status.value not in CONFIDENCE:
        raise Conflict(f"the goal is {goal.status.value}: a finished goal takes no check-ins", entity="goal")
    errors: dict[str, list[str]] = {}
    known = {kr.id for kr in goal.key_results}
    unknown = sorted(set(checkin.values) - known)
    if unknown:
        errors["values"] = [f"the goal has no key result {k!r}" for k in unknown]
    if checkin.confidence not in CONFIDENCE:
        errors["confidence"] = [f"choose one of {', '.join(CONFIDENCE)}"]
    if not checkin.values and not checkin.comment.strip():
        errors.setdefault("comment", []).append("say how it goes, or give a key result's new value")
    if errors:
        raise ValidationFailed("The check-in is not complete.", errors)
    key_results = [
        {**asdict(kr), "direction": kr.direction.value, "current": checkin.values.get(kr.id, kr.current)}
        for kr in goal.key_results
    ]
    return {"key_results": key_results, "status": checkin.confidence}


def history_note(checkin: CheckIn, by: str) -> dict[str, Any]:
    """What a check-in adds to the goal's history entry (beside when, progress and status)."""
    return {"checkin": True, "by": by, "comment": checkin.comment.strip(), "values": dict(checkin.values)}


def last_check_in(goal: Goal) -> str | None:
    """When the goal's owner last checked in (ISO), or None: with its status, the latest confidence."""
    return next((h["at"] for h in reversed(goal.history) if h.get("checkin")), None)


def next_check_in(goal: Goal, zone: tzinfo | None = None) -> date | None:
    """When the next check-in is due by the goal's rhythm (from the organisation's day, in `zone`, of the last
    check-in, else of its creation); None without a rhythm or once the goal is finished."""
    if not goal.checkin_rhythm or goal.status.value not in CONFIDENCE:
        return None
    since = day_of(last_check_in(goal) or goal.created_at, zone)
    if since is None:
        return None
    days = next(n for r, n in RHYTHM_DAYS.items() if r.value == goal.checkin_rhythm)
    return since + timedelta(days=days)
