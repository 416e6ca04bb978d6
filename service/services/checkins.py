"""Use cases of goal check-ins (issue 28, point 2): whoever may edit a goal checks in on it."""

from __future__ import annotations

from datetime import date, tzinfo
from typing import Any

from service.adapters.clock import Clock
from service.adapters.unit_of_work import UnitOfWork
from service.domain.checkins import CheckIn, check_in_changes, history_note, next_check_in
from service.domain.cycles import CycleState
from service.domain.reminders import DueItem, DueKind
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


def due_check_ins(uow: UnitOfWork, today: date, zone: tzinfo | None = None) -> dict[str, list[DueItem]]:
    """Owner → their goals with a rhythm whose next check-in is due by `today`, in active cycles, the owner a
    participant (a background job). Issue 24: a cycle keeps a mark per goal due a check-in, by day, so this reads the
    marks due (a paged Query per cycle) and its participants, not each participant's goals; a cycle created before
    the marks is read as before, one Query per participant."""
    found: dict[str, list[DueItem]] = {}
    cycles = [c for c in uow.cycles.list() if c.state is CycleState.ACTIVE]
    marked = uow.goals.check_in_marks_kept([c.cycle_id for c in cycles])
    for cycle in cycles:
        if cycle.cycle_id in marked:
            due: dict[str, list[DueItem]] = {}
            for m in uow.goals.check_ins_due(cycle.cycle_id, today):
                due.setdefault(str(m["owner_id"]), []).append(
                    DueItem(DueKind.CHECK_IN, str(m["goal_id"]), str(m["title"]), date.fromisoformat(str(m["due"])))
                )
            owners = [o for o in uow.cycles.participants(cycle) if o in due] if due else []
            for owner_id in owners:
                found.setdefault(owner_id, []).extend(sorted(due[owner_id], key=lambda d: d.ref))
            continue
        for owner_id in uow.cycles.participants(cycle):
            for goal in uow.goals.of_owner(owner_id, cycle.cycle_id):
                day = None if goal.archived else next_check_in(goal, zone)
                if day is not None and day <= today:
                    found.setdefault(owner_id, []).append(DueItem(DueKind.CHECK_IN, goal.goal_id, goal.title, day))
    return found
