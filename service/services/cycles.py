"""Use cases of review cycles (HR): create, edit, launch in batches, progress, close, reopen."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.clock import Clock, iso
from service.adapters.queue import Message, Queue
from service.adapters.repositories import (
    Directory,
    cycle_from_item,
    cycle_to_item,
    review_to_item,
    state_deltas,
    stats_counts,
)
from service.adapters.store import Increment, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import (
    Cycle,
    CycleAction,
    CycleState,
    ParticipantMode,
    Phase,
    check_cycle,
    next_cycle_state,
    progress,
    select_participants,
)
from service.domain.directory import Role
from service.domain.errors import NotFound, StaleWrite, ValidationFailed
from service.domain.reviews import Review, ReviewState
from service.domain.templates import template_to_dict
from service.services.auth import Principal, require_role
from service.services.templates import get_template

LAUNCH_BATCH = 40  # 40 reviews + 40 audit records + 1 counter update fit one transaction (limit 100)


def _cycle_from_data(data: dict[str, Any], cycle_id: str) -> Cycle:
    return Cycle(
        cycle_id=cycle_id,
        name=data["name"],
        period_start=data["period_start"],
        period_end=data["period_end"],
        template_id=data["template_id"],
        phases={Phase(k): v for k, v in data["phases"].items()},
        participant_mode=ParticipantMode(data.get("participant_mode", "everyone")),
        departments=list(data.get("departments", [])),
        employee_ids=list(data.get("employee_ids", [])),
        carry_over_goals=bool(data.get("carry_over_goals", False)),
    )


def get_cycle(table: Table, cycle_id: str) -> Cycle:
    """One cycle."""
    item = table.get(keys.cycle(cycle_id))
    if item is None:
        raise NotFound(f"no cycle {cycle_id!r}")
    return cycle_from_item(item)


def list_cycles(table: Table) -> list[Cycle]:
    """Every cycle, newest first."""
    return [cycle_from_item(i) for i in table.query("CYCLES", index="gsi1", descending=True)]


def create_cycle(table: Table, principal: Principal, data: dict[str, Any], clock: Clock) -> Cycle:
    """Create a draft cycle."""
    require_role(principal, Role.HR)
    cycle = _cycle_from_data(data, clock.new_id())
    check_cycle(cycle)
    get_template(table, cycle.template_id)
    if cycle.participant_mode is not ParticipantMode.EVERYONE:
        select_participants(cycle, Directory(table).all())  # checked again at launch: people may leave
    at = iso(clock.now())
    cycle = replace(cycle, created_at=at, created_by=principal.employee_id)
    uow = UnitOfWork(table)
    stored = stage_audited(
        uow,
        entity=keys.entity_cycle(cycle.cycle_id),
        before=None,
        after=cycle_to_item(cycle),
        actor=principal.employee_id,
        action="create_cycle",
        at=at,
        cycle_id=cycle.cycle_id,
    )
    uow.commit()
    return cycle_from_item(stored)


def _load_for_change(table: Table, cycle_id: str, expected_version: int) -> tuple[dict[str, Any], Cycle]:
    before = table.get(keys.cycle(cycle_id))
    if before is None:
        raise NotFound(f"no cycle {cycle_id!r}")
    if int(before["version"]) != expected_version:
        raise StaleWrite(f"cycle {cycle_id} was changed by someone else (now version {before['version']})")
    return before, cycle_from_item(before)


def update_cycle(
    table: Table, principal: Principal, cycle_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> Cycle:
    """Edit a draft cycle."""
    require_role(principal, Role.HR)
    before, current = _load_for_change(table, cycle_id, expected_version)
    next_cycle_state(current.state, CycleAction.EDIT)
    edited = replace(
        _cycle_from_data(data, cycle_id),
        created_at=current.created_at,
        created_by=current.created_by,
        version=current.version,
        audit_head=current.audit_head,
    )
    check_cycle(edited)
    if edited.participant_mode is not ParticipantMode.EVERYONE:
        select_participants(edited, Directory(table).all())
    get_template(table, edited.template_id)
    uow = UnitOfWork(table)
    stored = stage_audited(
        uow,
        entity=keys.entity_cycle(cycle_id),
        before=before,
        after=cycle_to_item(edited),
        actor=principal.employee_id,
        action="edit_cycle",
        at=iso(clock.now()),
        cycle_id=cycle_id,
    )
    uow.commit()
    return cycle_from_item(stored)


def launch_cycle(
    table: Table, principal: Principal, cycle_id: str, expected_version: int, clock: Clock, queue: Queue
) -> dict[str, Any]:
    """Snapshot template and participants, go active, and create the reviews in background batches.

    Launching again while reviews are still missing re-sends the batches (creation is idempotent).
    """
    require_role(principal, Role.HR)
    before, cycle = _load_for_change(table, cycle_id, expected_version)
    directory = Directory(table)
    if cycle.state is CycleState.ACTIVE:
        _, _, launched, expected = stats_counts(table.get(keys.cycle_stats(cycle_id)))
        if launched < expected:
            _send_batches(queue, cycle, directory)
            return launch_progress(table, cycle_id)
    next_cycle_state(cycle.state, CycleAction.LAUNCH)
    template = get_template(table, cycle.template_id)
    people = select_participants(cycle, directory.all())
    at = iso(clock.now())
    launched = replace(
        cycle,
        state=CycleState.ACTIVE,
        template_snapshot=template_to_dict(template),
        participants=[p.employee_id for p in people],
        launched_at=at,
    )
    uow = UnitOfWork(table)
    stored = stage_audited(
        uow,
        entity=keys.entity_cycle(cycle_id),
        before=before,
        after=cycle_to_item(launched),
        actor=principal.employee_id,
        action="launch_cycle",
        at=at,
        cycle_id=cycle_id,
    )
    uow.add(Increment(keys.cycle_stats(cycle_id), {"expected": len(people), "launched": 0}, {"type": "cycle_stats"}))
    uow.commit()
    _send_batches(queue, cycle_from_item(stored), directory, people)
    return launch_progress(table, cycle_id)


def _send_batches(queue: Queue, cycle: Cycle, directory: Directory, people: list | None = None) -> None:
    if people is None:
        found = directory.get_many(cycle.participants)
        people = [found[i] for i in cycle.participants if i in found]
    messages: list[Message] = []
    for start in range(0, len(people), LAUNCH_BATCH):
        chunk = people[start : start + LAUNCH_BATCH]
        messages.append(
            {
                "kind": "create_reviews",
                "cycle_id": cycle.cycle_id,
                "actor": "launch",
                # The manager each person has at launch travels with the batch.
                "people": [[p.employee_id, p.name, p.department, p.manager_id] for p in chunk],
            }
        )
    queue.send_many(messages)


def create_review_batch(table: Table, message: Message, clock: Clock) -> int:
    """Worker: create the missing reviews of one launch batch; returns how many it created."""
    cycle = get_cycle(table, message["cycle_id"])
    rows = message["people"]
    existing = {i["employee_id"] for i in table.get_many([keys.review(cycle.cycle_id, r[0]) for r in rows])}
    at = iso(clock.now())
    uow = UnitOfWork(table)
    deltas: dict[str, int] = {}
    created = 0
    for employee_id, name, department, manager_id in rows:
        if employee_id in existing:
            continue
        review = Review(
            cycle.cycle_id,
            employee_id,
            name,
            department,
            manager_id,
            cycle.name,
            cycle.period_start.isoformat(),
            submitted={},
        )
        stage_audited(
            uow,
            entity=keys.entity_review(cycle.cycle_id, employee_id),
            before=None,
            after=review_to_item(review),
            actor=message.get("actor", "launch"),
            action="create_review",
            at=at,
            cycle_id=cycle.cycle_id,
        )
        for k, v in state_deltas(department, None, ReviewState.NOT_STARTED).items():
            deltas[k] = deltas.get(k, 0) + v
        created += 1
    if created:
        uow.add(Increment(keys.cycle_stats(cycle.cycle_id), {**deltas, "launched": created}))
        uow.commit()
    if cycle.carry_over_goals:
        from service.services.goals import carry_over

        for employee_id, *_ in rows:
            carry_over(UnitOfWork(table), employee_id, cycle.cycle_id, clock)
    return created


def launch_progress(table: Table, cycle_id: str) -> dict[str, Any]:
    """How far the creation of a cycle's reviews has come."""
    _, _, launched, expected = stats_counts(table.get(keys.cycle_stats(cycle_id)))
    return {"cycle_id": cycle_id, "expected": expected, "created": launched, "done": launched >= expected}


def cycle_progress(table: Table, principal: Principal, cycle_id: str, today: date) -> dict[str, Any]:
    """Reviews per state, per department and overdue, from the cycle's counters (two reads)."""
    require_role(principal, Role.HR, Role.LEADERSHIP)
    cycle = get_cycle(table, cycle_id)
    per_state, per_dept, launched, expected = stats_counts(table.get(keys.cycle_stats(cycle_id)))
    return {
        "cycle_id": cycle_id,
        "state": cycle.state.value,
        "launch": {"expected": expected, "created": launched, "done": launched >= expected},
        "deadlines": {p.value: d.isoformat() for p, d in cycle.phases.items()},
        **progress(cycle, per_state, per_dept, today),
    }


def close_cycle(table: Table, principal: Principal, cycle_id: str, expected_version: int, clock: Clock) -> Cycle:
    """Close an active cycle: from now on it is read-only."""
    return _change_state(table, principal, cycle_id, expected_version, clock, CycleAction.CLOSE, "")


def reopen_cycle(
    table: Table, principal: Principal, cycle_id: str, expected_version: int, reason: str, clock: Clock
) -> Cycle:
    """Reopen a closed cycle (HR only, with a reason that goes into the audit trail)."""
    if not reason.strip():
        raise ValidationFailed("Say why the cycle is reopened.", {"reason": ["required"]})
    return _change_state(table, principal, cycle_id, expected_version, clock, CycleAction.REOPEN, reason.strip())


def _change_state(table, principal, cycle_id, expected_version, clock, action: CycleAction, reason: str) -> Cycle:
    require_role(principal, Role.HR)
    before, cycle = _load_for_change(table, cycle_id, expected_version)
    at = iso(clock.now())
    changed = replace(
        cycle,
        state=next_cycle_state(cycle.state, action),
        closed_at=at if action is CycleAction.CLOSE else None,
    )
    uow = UnitOfWork(table)
    stored = stage_audited(
        uow,
        entity=keys.entity_cycle(cycle_id),
        before=before,
        after=cycle_to_item(changed),
        actor=principal.employee_id,
        action=f"{action.value}_cycle",
        at=at,
        reason=reason,
        cycle_id=cycle_id,
    )
    uow.commit()
    return cycle_from_item(stored)
