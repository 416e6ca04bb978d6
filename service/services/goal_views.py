"""Goals as the API and the pages show them: their progress and alignment chain, no storage keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.domain.goals import Goal, KeyResult


@dataclass(frozen=True)
class KeyResultView:
    """A key result with its progress (0–100, two decimals)."""

    id: str
    title: str
    start: float
    target: float
    current: float
    unit: str
    progress: float


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


@dataclass
class SavedGoal(GoalView):
    """A goal just created or changed, with drafting warnings about its owner's weights."""

    warnings: list[str]


def goal_view(goal: Goal, progress: float, chain: list[Goal]) -> GoalView:
    """A goal with its progress, key results' progress and its alignment chain upward."""
    return GoalView(**_view_fields(goal, progress, chain))


def saved_goal(goal: Goal, progress: float, chain: list[Goal], warnings: list[str]) -> SavedGoal:
    """`goal_view` of a goal just saved, with its warnings."""
    return SavedGoal(**_view_fields(goal, progress, chain), warnings=warnings)


def _view_fields(goal: Goal, progress: float, chain: list[Goal]) -> dict[str, Any]:
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
    }


def _key_result(k: KeyResult) -> KeyResultView:
    return KeyResultView(k.id, k.title, k.start, k.target, k.current, k.unit, round(k.percent, 2))
