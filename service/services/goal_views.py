"""Goals as the API and the pages show them: their progress and alignment chain, read through the use cases."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo
from typing import Any

from service.domain.checkins import next_check_in
from service.domain.goals import Goal, KeyResult, PaceCheck, standing


@dataclass(frozen=True)
class KeyResultView:
    """A key result with its direction, its progress (0–100, two decimals) and where it stands in words."""

    id: str
    title: str
    start: float
    target: float
    current: float
    unit: str
    direction: str
    progress: float
    words: str


@dataclass(frozen=True)
class ChainLink:
    """One goal above in the alignment chain."""

    goal_id: str
    title: str
    level: str
    owner_id: str


@dataclass
class GoalView:
    """A goal with its progress, its key results' progress and its alignment chain upward."""

    goal_id: str
    level: str
    owner_id: str
    title: str
    description: str
    key_results: list[KeyResultView]
    weight: int
    due: str | None
    status: str
    cycle_id: str | None
    parent_id: str | None
    department: str
    source_goal_id: str | None
    carried_from: str | None
    history: list[dict[str, Any]]
    created_at: str
    created_by: str
    version: int
    progress: float
    alignment_chain: list[ChainLink]
    pace: PaceCheck | None  # progress against the time elapsed in the goal's period (None: done, dropped, or no end)
    standing: str  # the badge: the status, or "behind" for an "on track" goal whose progress trails its time
    archived: bool  # put away: left out of the default lists and pickers
    checkin_rhythm: str | None  # weekly, fortnightly or monthly
    next_check_in: date | None  # when the rhythm asks for the next check-in


@dataclass
class SavedGoal(GoalView):
    """A goal just created or changed, with drafting warnings about its owner's weights."""

    warnings: list[str]


def goal_view(
    goal: Goal, progress: float, chain: list[Goal], pace: PaceCheck | None = None, zone: tzinfo | None = None
) -> GoalView:
    """A goal with its progress, key results' progress, its pace and its alignment chain upward (its next check-in
    a day of the organisation's wall, `zone`)."""
    return GoalView(**_view_fields(goal, progress, chain, pace, zone))


def saved_goal(
    goal: Goal,
    progress: float,
    chain: list[Goal],
    warnings: list[str],
    pace: PaceCheck | None = None,
    zone: tzinfo | None = None,
) -> SavedGoal:
    """`goal_view` of a goal just saved, with its warnings."""
    return SavedGoal(**_view_fields(goal, progress, chain, pace, zone), warnings=warnings)


def _view_fields(
    goal: Goal, progress: float, chain: list[Goal], pace: PaceCheck | None, zone: tzinfo | None
) -> dict[str, Any]:
    return {
        "goal_id": goal.goal_id,
        "level": goal.level.value,
        "owner_id": goal.owner_id,
        "title": goal.title,
        "description": goal.description,
        "key_results": [_key_result(k) for k in goal.key_results],
        "weight": goal.weight,
        "due": goal.due.isoformat() if goal.due else None,
        "status": goal.status.value,
        "cycle_id": goal.cycle_id,
        "parent_id": goal.parent_id,
        "department": goal.department,
        "source_goal_id": goal.source_goal_id,
        "carried_from": goal.carried_from,
        "history": goal.history,
        "created_at": goal.created_at,
        "created_by": goal.created_by,
        "version": goal.version,
        "progress": progress,
        "alignment_chain": [ChainLink(g.goal_id, g.title, g.level.value, g.owner_id) for g in chain],
        "pace": pace,
        "standing": standing(goal.status, pace),
        "archived": goal.archived,
        "checkin_rhythm": goal.checkin_rhythm,
        "next_check_in": next_check_in(goal, zone),
    }


def _key_result(k: KeyResult) -> KeyResultView:
    return KeyResultView(
        k.id, k.title, k.start, k.target, k.current, k.unit, k.direction.value, round(k.percent, 2), k.words()
    )
