"""Use cases of goal check-ins (issue 28, point 2): whoever may edit a goal checks in on it."""

from __future__ import annotations

from typing import Any

from service.adapters.clock import Clock
from service.adapters.unit_of_work import UnitOfWork
from service.domain.checkins import CheckIn, check_in_changes, history_note
from service.services import goals as goal_svc
from service.services.auth import Principal
from service.services.goal_views import SavedGoal


def check_in(
    uow: UnitOfWork, principal: Principal, goal_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> SavedGoal:
    """Record a check-in: the key results' new values and the confidence become the goal's, audited as
    `check_in_goal` in one transaction with the roll-ups; the comment and values go into its timeline."""
    checkin = CheckIn(dict(data.get("values") or {}), data["confidence"], data.get("comment", ""))
    # Read as the edit will be checked: at `expected_version`, or the edit refuses it as stale.
    changes = check_in_changes(uow.goals.existing(goal_id), checkin)
    note = history_note(checkin, principal.employee_id)
    return goal_svc.update_goal(uow, principal, goal_id, changes, expected_version, clock, note)
