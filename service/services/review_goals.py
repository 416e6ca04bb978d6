"""Goals in the review (issue 9): the person's goals on the self and manager forms, and the goals part of the score.

The declared rule of the goals part: each of the person's individual goals in the cycle (dropped ones and those
weighted 0 left out) counts by its weight; its value is the manager's rating of it on the template's scale,
(r − 1) / (n − 1) × 100, or, where the manager has not rated it, its key-result progress (0–100).
"""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain.goals import GoalLevel, GoalStatus
from service.domain.templates import Scale
from service.services import goals as goal_svc
from service.services.goal_views import GoalView

GOAL_RULE = (
    "each goal by its weight: the manager's rating of it on the scale, or its key-result progress where not rated"
)


def review_goals(
    uow: UnitOfWork, employee_id: str, cycle_id: str, on: date | None = None, zone: tzinfo | None = None
) -> list[GoalView]:
    """The person's goals in the cycle with key results, progress (and pace on day `on`, of the organisation's zone)
    and the chain they align to; archived ones too, as they count in the review."""
    return goal_svc.person_goals(uow, employee_id, cycle_id, on=on, archived=None, zone=zone)


def goal_rows(goals: list[GoalView], stored: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    """One form row per goal (what was saved for it kept), then rows saved for no goal of the cycle."""
    stored = list(stored or [])
    by_goal = {r.get("goal_id"): r for r in stored if r.get("goal_id")}
    rows = [{**by_goal.get(g.goal_id, {}), "goal_id": g.goal_id, "title": g.title} for g in goals]
    ids = {g.goal_id for g in goals}
    return rows + [r for r in stored if r.get("goal_id") not in ids]


def goal_part(
    uow: UnitOfWork, employee_id: str, cycle_id: str, manager: dict[str, Any] | None, scale: Scale
) -> tuple[list[tuple[float, float]], str]:
    """[(weight, 0–100 value)] of the person's goals by the declared rule, and the rule in words for the score."""
    # Kept by the goals' saves and read in the submission's first batch; else from the goals (their Query).
    kept = uow.goals.kept_goals(employee_id, cycle_id)
    if kept is None:
        uow.goals.forget()  # as goal_progress_for_score: an earlier attempt on this unit of work may have read them
        uow.rollups.forget()
        goals = [
            g
            for g in uow.goals.of_owner(employee_id, cycle_id)
            if g.level is GoalLevel.INDIVIDUAL and g.status is not GoalStatus.DROPPED and g.weight > 0
        ]
        progress = dict(goal_svc.goal_progress_by_id(uow, goals, cycle_id))
        kept = [(g.goal_id, g.weight, progress[g.goal_id]) for g in goals]
    if not kept:
        return [], ""
    ratings = {
        r["goal_id"]: r["rating"]
        for r in (manager or {}).get("goal_ratings") or []
        if r.get("goal_id") and r.get("rating")
    }
    values = [(float(w), scale.normalise(ratings[g]) if g in ratings else p) for g, w, p in kept]
    rated = sum(1 for g, _, _ in kept if g in ratings)
    words = f"{len(kept)} goal(s) by weight: {rated} rated by the manager, {len(kept) - rated} by key-result progress"
    return values, words
