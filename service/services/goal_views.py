"""Goals as the API and the pages show them (plain dicts, no storage keys)."""

from __future__ import annotations

from typing import Any

from service.domain.goals import Goal, KeyResult


def goal_json(goal: Goal, progress: float, chain: list[Goal] | None = None) -> dict[str, Any]:
    """A goal with its progress, key results' progress and (given) its alignment chain upward."""
    data: dict[str, Any] = {
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
    }
    if chain is not None:
        data["alignment_chain"] = [
            {"goal_id": g.goal_id, "title": g.title, "level": g.level.value, "owner_id": g.owner_id} for g in chain
        ]
    return data


def _key_result(k: KeyResult) -> dict[str, Any]:
    fields = {"id": k.id, "title": k.title, "start": k.start, "target": k.target, "current": k.current, "unit": k.unit}
    return {**fields, "progress": round(k.percent, 2)}
