"""Use cases of review cycles (HR): create, edit, archive, restore or delete a draft, launch in batches, progress,
close, reopen."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.cycle_store import state_deltas
from service.adapters.queue import Message, Queue
from service.adapters.unit_of_work import UnitOfWork
from service.domain.archiving import ShelfAction, require_in_use, shelved
from service.domain.audit import edit_of
from service.domain.cycles import (
    PHASE_TASKS,
    Cycle,
    CycleAction,
    CycleState,
    ParticipantMode,
    Phase,
    check_cycle,
    next_cycle_state,
    overdue_phases,
    progress,
    select_participants,
    with_calibration_deadline,
)
from service.domain.directory import Employee, Role
from service.domain.errors import NO_CYCLE, NotFound, Unavailable, ValidationFailed, found_at
from service.domain.reviews import Review, ReviewState
from service.domain.templates import Template, template_to_dict
from service.services.auth import Principal
from service.services.directory import Found, search_people
from service.services.policy import require_role
from service.services.templates import usable_template

SHELF_ACTIONS = {ShelfAction.ARCHIVE: CycleAction.ARCHIVE, ShelfAction.RESTORE: CycleAction.RESTORE}
LAUNCH_BATCH = 40  # 40 reviews + 40 audit records + 1 counter update fit one transaction (limit 100)


@dataclass(frozen=True)
class LaunchProgress:
    """How far the creation of a launched cycle's reviews has come."""

    cycle_id: str
    expected: int
    created: int
    done: bool


@dataclass(frozen=True)
class CycleProgress:
    """Reviews of a cycle per state, per department and overdue per phase, with its launch and deadlines."""

    cycle_id: str
    state: str
    launch: dict[str, Any]  # expected, created (numbers), done: the launch's progress
    deadlines: dict[str, str]  # phase → ISO date
    total: int
    by_state: dict[str, int]
    by_department: dict[str, dict[str, int]]
    overdue: dict[str, int]  # phase → reviews past its deadline


@dataclass(frozen=True)
class WorklistRow:
    """One review in HR's worklist: whose, where it stands, and what the employee said on acknowledging."""

    employee_id: str
    employee_name: str
    department: str
    manager_id: str | None
    state: ReviewState
    agreement: str | None
    response: str
    acknowledged_at: str | None


@dataclass(frozen=True)
class Disagreements:
    """The first reviews of a cycle whose employee did not agree, by name, and whether more did."""

    rows: list[WorklistRow]
    more: bool


@dataclass(frozen=True)
class WorkPage:
    """A page of HR's work in a cycle, by name: its rows, and where the next page starts (None: the last)."""

    rows: list[WorklistRow]
    after: tuple[str, str] | None  # (the state to read next, the index key of the last review read in it or "")


WORK_PAGE = 50  # rows per page of HR's to-finalise and overdue lists
DISAGREEMENTS_SHOWN = 50  # on the dashboard; more: "and more", each with its review a search away


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
        skip_level_read=bool(data.get("skip_level_read", True)),
        rehearsal=bool(data.get("rehearsal", False)),
    )


def get_cycle(uow: UnitOfWork, cycle_id: str) -> Cycle:
    """One cycle."""
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(NO_CYCLE)
    return cycle


def prefetch(uow: UnitOfWork, acting_id: str | None, cycle_id: str) -> None:
    """Read what a request about one cycle will need (the cycle, its counters, whoever acts) in one batch."""
    if acting_id:  # issue 28: whom the reader acts for (their team lists), in the same batch
        uow.delegations.read_along(acting_id)
    uow.cycles.prefetch(cycle_id, [acting_id] if acting_id else [])


def template_name(uow: UnitOfWork, cycle: Cycle) -> str:
    """The name of the template a cycle uses: its launch snapshot's, else the current one's, else its id."""
    if cycle.template_snapshot and cycle.template_snapshot.get("name"):
        return str(cycle.template_snapshot["name"])
    template = uow.templates.get(cycle.template_id)
    return template.name if template else cycle.template_id


def list_cycles(uow: UnitOfWork, archived: bool = False) -> list[Cycle]:
    """Every cycle not put away, newest first (the default list and the pickers), or the archived drafts."""
    return [c for c in uow.cycles.list() if c.archived is archived]


def create_cycle(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> Cycle:
    """Create a draft cycle."""
    require_role(principal, Role.HR)
    cycle = _cycle_from_data(data, clock.new_id())
    check_cycle(cycle)
    cycle = with_calibration_deadline(cycle, usable_template(uow, cycle.template_id).calibration)
    if cycle.participant_mode is not ParticipantMode.EVERYONE:
        select_participants(cycle, uow.directory.all())  # checked again at launch: people may leave
    at = iso(clock.now())
    cycle = replace(cycle, created_at=at, created_by=principal.employee_id)
    with uow:
        stored = uow.cycles.save(cycle, new=True, actor=principal.employee_id, action="create_cycle", at=at)
        uow.goals.start_owner_totals(cycle.cycle_id)  # no goal of it exists yet: each is counted from here
        uow.commit()
    return stored


def _load_for_change(uow: UnitOfWork, cycle_id: str, expected_version: int) -> Cycle:
    return found_at(uow.cycles.get(cycle_id), NO_CYCLE, expected_version, "the cycle")


def update_cycle(
    uow: UnitOfWork, principal: Principal, cycle_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> Cycle:
    """Edit a draft cycle."""
    require_role(principal, Role.HR)
    current = _load_for_change(uow, cycle_id, expected_version)
    next_cycle_state(current.state, CycleAction.EDIT)
    require_in_use("cycle", current.archived)
    edited = edit_of(current, _cycle_from_data(data, cycle_id))
    check_cycle(edited)
    if edited.participant_mode is not ParticipantMode.EVERYONE:
        select_participants(edited, uow.directory.all())
    edited = with_calibration_deadline(edited, usable_template(uow, edited.template_id).calibration)
    with uow:
        stored = uow.cycles.save(
            edited, new=False, actor=principal.employee_id, action="edit_cycle", at=iso(clock.now())
        )
        uow.commit()
    return stored


def shelve_cycle(
    uow: UnitOfWork, principal: Principal, cycle_id: str, action: ShelfAction, expected_version: int, clock: Clock
) -> Cycle:
    """Archive a draft cycle (out of the lists, not edited or launched) or restore it; audited, versioned."""
    require_role(principal, Role.HR)
    current = _load_for_change(uow, cycle_id, expected_version)
    next_cycle_state(current.state, SHELF_ACTIONS[action])
    changed = shelved(current, action)
    with uow:
        stored = uow.cycles.save(
            changed, new=False, actor=principal.employee_id, action=f"{action}_cycle", at=iso(clock.now())
        )
        uow.commit()
    return stored


def delete_cycle(uow: UnitOfWork, principal: Principal, cycle_id: str, expected_version: int, clock: Clock) -> None:
    """Delete a draft cycle (archived or not); a launched one is refused. Its audit trail stays, ending in the
    deletion."""
    require_role(principal, Role.HR)
    current = _load_for_change(uow, cycle_id, expected_version)
    next_cycle_state(current.state, CycleAction.DELETE)
    with uow:
        uow.cycles.delete(current, actor=principal.employee_id, at=iso(clock.now()))
        uow.goals.drop_owner_totals(cycle_id)  # the mark create_cycle started
        uow.commit()


def launch_audience(uow: UnitOfWork, principal: Principal, cycle_id: str) -> list[Employee]:
    """HR, before launching a draft: the people the launch would take in (and so email), selected as it would now."""
    require_role(principal, Role.HR)
    cycle = get_cycle(uow, cycle_id)
    return sorted(select_participants(cycle, uow.directory.all()), key=lambda p: (p.department, p.name.casefold()))


def launch_cycle(
    uow: UnitOfWork, principal: Principal, cycle_id: str, expected_version: int, clock: Clock, queue: Queue
) -> LaunchProgress:
    """Snapshot template and participants, go active, and create the reviews in background batches.

    Launching again while reviews are still missing re-sends the batches (creation is idempotent).
    """
    require_role(principal, Role.HR)
    cycle = _load_for_change(uow, cycle_id, expected_version)
    if cycle.state is CycleState.ACTIVE:
        _, _, launched, expected = uow.cycles.counts(cycle_id)
        if launched < expected:
            _send_batches(uow, queue, cycle)
            return launch_progress(uow, cycle_id)
    next_cycle_state(cycle.state, CycleAction.LAUNCH)
    require_in_use("cycle", cycle.archived)
    template = usable_template(uow, cycle.template_id)
    people = select_participants(cycle, uow.directory.all())
    at = iso(clock.now())
    with uow:
        launched = launched_cycle(cycle, template, people, at)
        stored = stage_launch(uow, launched, people, False, principal.employee_id, at)
        uow.commit()
    try:
        _send_batches(uow, queue, stored, people)
    except Unavailable as exc:
        # The launch is stored; its review batches are not queued. Launching again re-sends them (idempotent).
        raise Unavailable(
            "The cycle is launched, but creating its reviews could not be queued just now: "
            "launch it again in a moment to create them.",
            retry_after=exc.retry_after,
        ) from exc
    return launch_progress(uow, cycle_id)


def launched_cycle(cycle: Cycle, template: Template, people: list[Employee], at: str) -> Cycle:
    """The cycle as launching it leaves it: active, with its template and its participants as they are now."""
    return replace(
        with_calibration_deadline(cycle, template.calibration),  # the template may have changed since the edit
        state=CycleState.ACTIVE,
        template_snapshot=template_to_dict(template),
        participants=[],  # kept beside the cycle in chunk items (issue 24: 400 KB per item)
        participant_count=len(people),
        launched_at=at,
        participant_departments=sorted({p.department for p in people}),
    )


def stage_launch(uow: UnitOfWork, launched: Cycle, people: list[Employee], new: bool, actor: str, at: str) -> Cycle:
    """Stage a launched cycle (a new one only from a schedule, issue 28), its participants, its counters and its
    feedback count."""
    stored = uow.cycles.save(launched, new=new, actor=actor, action="launch_cycle", at=at)
    uow.cycles.stage_participants(launched.cycle_id, [p.employee_id for p in people])
    uow.cycles.count(launched.cycle_id, {"expected": len(people), "launched": 0})
    uow.feedback.start_counting(launched.cycle_id)  # no request exists yet: every one is counted from here
    return stored


def _send_batches(uow: UnitOfWork, queue: Queue, cycle: Cycle, people: list[Employee] | None = None) -> None:
    if people is None:
        ids = uow.cycles.participants(cycle)
        found = uow.directory.get_many(ids)
        people = [found[i] for i in ids if i in found]
    messages: list[Message] = []
    for start in range(0, len(people), LAUNCH_BATCH):
        chunk = people[start : start + LAUNCH_BATCH]
        messages.append(
            {
                "kind": "create_reviews",
                "cycle_id": cycle.cycle_id,
                "actor": "launch",
                # The manager each person has at launch travels with the batch.
                "people": review_rows(chunk),
            }
        )
    queue.send_many(messages)


def create_review_batch(uow: UnitOfWork, message: Message, clock: Clock) -> int:
    """Worker: create the missing reviews of one launch batch; returns how many it created.

    A batch delivered twice creates nothing the second time: existing reviews are skipped. A review
    created concurrently makes the whole batch fail its create condition (nothing written), and the
    queue's redelivery then skips it.
    """
    return len(
        create_reviews(
            uow, get_cycle(uow, message["cycle_id"]), message["people"], message.get("actor", "launch"), clock
        )
    )


def review_rows(people: list[Employee]) -> list[list[Any]]:
    """The rows `create_reviews` takes: each person with the manager they have now."""
    return [[p.employee_id, p.name, p.department, p.manager_id] for p in people]


def create_reviews(uow: UnitOfWork, cycle: Cycle, rows: list[list[Any]], actor: str, clock: Clock) -> list[str]:
    """Create the missing reviews of up to LAUNCH_BATCH people of a launched cycle in one transaction; returns whose
    reviews it created (none already there: a review is put only where none exists)."""
    existing = {r.employee_id for r in uow.reviews.get_many(cycle.cycle_id, [r[0] for r in rows])}
    at = iso(clock.now())
    deltas: dict[str, int] = {}
    created: list[str] = []
    with uow:
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
            uow.reviews.save(review, new=True, actor=actor, action="create_review", at=at)
            for k, v in state_deltas(department, None, ReviewState.NOT_STARTED).items():
                deltas[k] = deltas.get(k, 0) + v
            created.append(employee_id)
        if created:
            uow.cycles.count(cycle.cycle_id, {**deltas, "launched": len(created)})
            uow.commit()
    uow.actions.index_people([r[0] for r in rows])  # the review reads the actions about a person by key
    if cycle.carry_over_goals:
        from service.services.goals import carry_over

        for employee_id, *_ in rows:
            carry_over(uow, employee_id, cycle.cycle_id, clock)
    return created


def launch_progress(uow: UnitOfWork, cycle_id: str) -> LaunchProgress:
    """How far the creation of a cycle's reviews has come."""
    _, _, launched, expected = uow.cycles.counts(cycle_id)
    return LaunchProgress(cycle_id, expected, launched, launched >= expected)


def cycle_progress(uow: UnitOfWork, principal: Principal, cycle_id: str, today: date) -> CycleProgress:
    """Reviews per state, per department and overdue, from the cycle's counters (two reads)."""
    require_role(principal, Role.HR, Role.LEADERSHIP)
    cycle = get_cycle(uow, cycle_id)
    per_state, per_dept, launched, expected = uow.cycles.counts(cycle_id)
    return CycleProgress(
        cycle_id,
        cycle.state.value,
        {"expected": expected, "created": launched, "done": launched >= expected},
        {p.value: d.isoformat() for p, d in cycle.phases.items()},
        **progress(cycle, per_state, per_dept, today),
    )


def close_cycle(uow: UnitOfWork, principal: Principal, cycle_id: str, expected_version: int, clock: Clock) -> Cycle:
    """Close an active cycle: from now on it is read-only."""
    return _change_state(uow, principal, cycle_id, expected_version, clock, CycleAction.CLOSE, "")


def reopen_cycle(
    uow: UnitOfWork, principal: Principal, cycle_id: str, expected_version: int, reason: str, clock: Clock
) -> Cycle:
    """Reopen a closed cycle (HR only, with a reason that goes into the audit trail)."""
    if not reason.strip():
        raise ValidationFailed("Say why the cycle is reopened.", {"reason": ["required"]})
    return _change_state(uow, principal, cycle_id, expected_version, clock, CycleAction.REOPEN, reason.strip())


def _change_state(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    expected_version: int,
    clock: Clock,
    action: CycleAction,
    reason: str,
) -> Cycle:
    require_role(principal, Role.HR)
    cycle = _load_for_change(uow, cycle_id, expected_version)
    at = iso(clock.now())
    changed = replace(
        cycle,
        state=next_cycle_state(cycle.state, action),
        closed_at=at if action is CycleAction.CLOSE else None,
    )
    with uow:
        stored = uow.cycles.save(
            changed, new=False, actor=principal.employee_id, action=f"{action.value}_cycle", at=at, reason=reason
        )
        uow.commit()
    return stored


def _row(r: Review) -> WorklistRow:
    ack = r.acknowledgement or {}
    return WorklistRow(
        r.employee_id,
        r.employee_name,
        r.department,
        r.manager_id,
        r.state,
        ack.get("agreement"),
        ack.get("response", ""),
        ack.get("at"),
    )


def disagreements(
    uow: UnitOfWork, principal: Principal, cycle_id: str, limit: int = DISAGREEMENTS_SHOWN
) -> Disagreements:
    """The dashboard's disagreements: reviews acknowledged without agreeing, by name, from a sparse index the
    review's own item keeps (one Query, whatever the size of the cycle)."""
    require_role(principal, Role.HR)
    reviews, more = uow.reviews.disagreed(cycle_id, limit)
    return Disagreements([_row(r) for r in reviews], more)


def find_reviews(uow: UnitOfWork, principal: Principal, cycle_id: str, query: str) -> Found[WorklistRow]:
    """The dashboard's picker: the reviews in this cycle of the people a directory search finds (the first
    matches, best first; people without a review here are left out), instead of a list of every participant."""
    require_role(principal, Role.HR)
    found = search_people(uow, principal, query)
    reviews = {r.employee_id: r for r in uow.reviews.get_many(cycle_id, [p.employee_id for p in found.matches])}
    rows = [_row(reviews[p.employee_id]) for p in found.matches if p.employee_id in reviews]
    return Found(found.query, rows, found.more)


def _work_page(
    uow: UnitOfWork, cycle_id: str, states: list[ReviewState], after: tuple[str, str] | None, limit: int
) -> WorkPage:
    """Reviews in these states, state by state and by name within each, from `after`: one Query per state read
    (a page fills from the next state when one runs out), whatever the size of the cycle."""
    names = [s.value for s in states]
    start, key = (names.index(after[0]), after[1] or None) if after and after[0] in names else (0, None)
    if after and after[0] not in names:
        raise ValidationFailed("Bad page.", {"after": ["use the link to the next page"]})
    rows: list[WorklistRow] = []
    for i in range(start, len(names)):
        found, last = uow.reviews.in_state(cycle_id, names[i], key, limit - len(rows))
        rows += [_row(r) for r in found]
        if last is not None:
            return WorkPage(rows, (names[i], last))
        key = None
        if len(rows) >= limit:
            return WorkPage(rows, (names[i + 1], "") if i + 1 < len(names) else None)
    return WorkPage(rows, None)


def to_finalise_page(
    uow: UnitOfWork, principal: Principal, cycle: Cycle, after: tuple[str, str] | None = None, limit: int = WORK_PAGE
) -> WorkPage:
    """A page of the acknowledged reviews waiting for HR to finalise, by name (issue 24: never the whole cycle)."""
    require_role(principal, Role.HR)
    return _work_page(uow, cycle.cycle_id, [ReviewState.ACKNOWLEDGED], after, limit)


def overdue_page(
    uow: UnitOfWork,
    principal: Principal,
    cycle: Cycle,
    phase: Phase,
    today: date,
    after: tuple[str, str] | None = None,
    limit: int = WORK_PAGE,
) -> WorkPage:
    """A page of one phase's overdue reviews (the same rule as the counters), state by state, by name."""
    require_role(principal, Role.HR)
    if phase not in overdue_phases(cycle, today):
        return WorkPage([], None)
    states = [s for s in PHASE_TASKS[phase][0] if s in cycle.states()]
    return _work_page(uow, cycle.cycle_id, states, after, limit)


def reindex_reviews(uow: UnitOfWork) -> dict[str, int]:
    """Operator, once after an upgrade (issue 24): give every cycle's reviews the index keys their codec makes now
    (HR's disagreements list), each at the version read; per cycle, how many reviews were written."""
    return {c.cycle_id: uow.reviews.reindex(c.cycle_id) for c in uow.cycles.list()}
