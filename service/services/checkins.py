"""Use cases of goal check-ins (issue 28, point 2): whoever may edit a goal checks in on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service.adapters.clock import Clock
from service.adapters.unit_of_work import UnitOfWork
from service.domain.checkins import CheckIn, check_in_changes, history_note, next_check_in
from service.domain.cycles import CycleState
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


@dataclass(frozen=True)
class DueCheckIn:
    """A goal whose rhythm asks its owner for a check-in (the daily reminder lists it)."""

    goal_id: str
    title: str
    due: date


def due_check_ins(uow: UnitOfWork, today: date) -> dict[str, list[DueCheckIn]]:
    """Owner → their goals with a rhythm whose next check-in is due by `today`, in active cycles (a background job:
    one query of each participant's goals)."""
    found: dict[str, list[DueCheckIn]] = {}
    for cycle in uow.cycles.list():
        if cycle.state is not CycleState.ACTIVE:
            continue
        for owner_id in uow.cycles.participants(cycle):
            for goal in uow.goals.of_owner(owner_id, cycle.cycle_id):
                due = None if goal.archived else next_check_in(goal)
                if due is not None and due <= today:
                    found.setdefault(owner_id, []).append(DueCheckIn(goal.goal_id, goal.title, due))
    return found
