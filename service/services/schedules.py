"""Scheduled reviews (issue 28, point 4): HR's rules, their preview, and the daily run that creates the reviews.

The daily run reads every rule and cursor (one Query), the directory once (one paginated Query of its partition,
never person by person), and for each rule the days since its cursor: a day an outage missed is caught up by the
next run. Each occurrence is a cycle whose id is made from the rule and the day; its reviews are created by the
launch's own `create_reviews`, a conditional put on (that cycle, the person): a retry or a concurrent run finds the
cycle and the reviews and creates nothing twice. Each review created is one email to the person and their manager,
kept for their daily digest.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, timedelta
from itertools import groupby
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import Email, Mailer, SendFailed
from service.adapters.queue import Message, Queue
from service.adapters.schedule_store import ScheduleRepository
from service.adapters.unit_of_work import UnitOfWork
from service.domain.audit import edit_of
from service.domain.cycles import Cycle, CycleState, ParticipantMode, Phase
from service.domain.directory import Employee, Role
from service.domain.errors import Conflict, NotFound, ValidationFailed, found_at
from service.domain.formats import day_of
from service.domain.schedules import (
    DEFAULT_OFFSETS,
    PREVIEW_DAYS,
    RuleAction,
    RuleKind,
    RuleState,
    ScheduleRule,
    check_rule,
    due_reviews,
    next_rule_state,
    occurrence_cycle_id,
    period_start,
    phase_dates,
    window_start,
)
from service.services.auth import Principal
from service.services.cycles import (
    LAUNCH_BATCH,
    create_reviews,
    get_cycle,
    launched_cycle,
    review_rows,
    stage_launch,
)
from service.services.delegation import acting_managers_on
from service.services.policy import require_role
from service.services.templates import usable_template

log = logging.getLogger(__name__)
NO_RULE = "There is no such schedule rule."
ATTEMPTS = 3  # a write that lost a race to a concurrent run is read again and made once more


@dataclass(frozen=True)
class Upcoming:
    """One review a rule will create: whose, when, from which rule (a joiner: into which running cycle)."""

    rule_id: str
    rule_name: str
    kind: RuleKind
    employee_id: str
    name: str
    department: str
    on: date
    cycle_id: str


@dataclass(frozen=True)
class ScheduleRun:
    """What one daily run did: rules evaluated, reviews created, emails kept for digests; `failed`: emails not."""

    rules: int
    reviews: int  # created (not `created`: a log record's own attribute)
    notified: int
    skipped: int  # rules that could not run (their template or cycle archived, gone or closed): logged
    failed: int
    queued: int = 0  # chunks of reviews sent to the worker (issue 24), counted there once made


def _rules(uow: UnitOfWork) -> ScheduleRepository:
    return ScheduleRepository(uow)


def list_rules(uow: UnitOfWork, principal: Principal, archived: bool = False) -> list[ScheduleRule]:
    """HR: the rules in use (active or paused), or the archived ones."""
    require_role(principal, Role.HR)
    rules, _through = _rules(uow).everything()
    return [r for r in rules if (r.state is RuleState.ARCHIVED) is archived]


def get_rule(uow: UnitOfWork, principal: Principal, rule_id: str) -> ScheduleRule:
    """HR: one rule."""
    require_role(principal, Role.HR)
    rule = _rules(uow).get(rule_id)
    if rule is None:
        raise NotFound(NO_RULE)
    return rule


def _rule_from_data(data: dict[str, Any], rule_id: str) -> ScheduleRule:
    kind = RuleKind(data["kind"])
    given = data.get("offsets") or {}
    # A phase left out keeps its default day (calibration: none, halfway when the template calibrates).
    offsets = {**DEFAULT_OFFSETS, **{p: given[p.value] for p in Phase if given.get(p.value) is not None}}
    return ScheduleRule(
        rule_id=rule_id,
        name=str(data.get("name", "")).strip(),
        kind=kind,
        template_id="" if kind is RuleKind.JOINERS else (data.get("template_id") or ""),
        days=(data.get("days") or 0) if kind is RuleKind.PROBATION else 0,
        every_months=(data.get("every_months") or 0) if kind is RuleKind.CALENDAR else 0,
        first_date=data.get("first_date") if kind is RuleKind.CALENDAR else None,
        cycle_id=(data.get("cycle_id") or "") if kind is RuleKind.JOINERS else "",
        departments=sorted({d.strip() for d in data.get("departments") or [] if d.strip()}, key=str.casefold),
        offsets={} if kind is RuleKind.JOINERS else offsets,
    )


def _check_meaning(uow: UnitOfWork, rule: ScheduleRule) -> None:
    """What only the stored state can say: the template is usable, the cycle runs, the departments exist."""
    check_rule(rule)
    errors: dict[str, list[str]] = {}
    if rule.kind is RuleKind.JOINERS:
        cycle = uow.cycles.get(rule.cycle_id)
        if cycle is None or cycle.state is not CycleState.ACTIVE:
            errors["cycle_id"] = ["choose a cycle that is running (launched, not closed)"]
    else:
        try:
            usable_template(uow, rule.template_id)
        except (NotFound, Conflict) as exc:
            errors["template_id"] = [exc.message]
    if rule.departments:
        known = {p.department.casefold() for p in uow.directory.all() if p.active}
        unknown = [d for d in rule.departments if d.casefold() not in known]
        if unknown:
            errors["departments"] = [f"no department {d!r}" for d in unknown]
    if errors:
        raise ValidationFailed("The rule is not valid.", errors)


def create_rule(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> ScheduleRule:
    """HR: a new rule, active from today (it creates nothing for days before it existed); audited."""
    require_role(principal, Role.HR)
    at = iso(clock.now())
    rule = replace(_rule_from_data(data, clock.new_id()), created_at=at, created_by=principal.employee_id)
    _check_meaning(uow, rule)
    return _save(uow, principal, rule, "create_schedule_rule", clock, new=True)


def _save(
    uow: UnitOfWork, principal: Principal, rule: ScheduleRule, action: str, clock: Clock, new: bool = False
) -> ScheduleRule:
    """Store the rule as `principal` changed it, audited as `action`, in one transaction."""
    with uow:
        stored = _rules(uow).save(rule, new=new, actor=principal.employee_id, action=action, at=iso(clock.now()))
        uow.commit()
    return stored


def update_rule(
    uow: UnitOfWork, principal: Principal, rule_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> ScheduleRule:
    """HR: edit a rule in use (reviews it created stay as they are); audited, versioned."""
    require_role(principal, Role.HR)
    current = found_at(_rules(uow).get(rule_id), NO_RULE, expected_version, "the rule")
    next_rule_state(current.state, RuleAction.EDIT)
    edited = edit_of(current, _rule_from_data(data, rule_id), state=current.state)
    _check_meaning(uow, edited)
    return _save(uow, principal, edited, "edit_schedule_rule", clock)


def change_rule(
    uow: UnitOfWork, principal: Principal, rule_id: str, action: RuleAction, expected_version: int, clock: Clock
) -> ScheduleRule:
    """HR: pause, resume, archive or restore a rule; audited, versioned. A paused rule's days pass without reviews:
    resuming it creates none for them."""
    require_role(principal, Role.HR)
    current = found_at(_rules(uow).get(rule_id), NO_RULE, expected_version, "the rule")
    changed = replace(current, state=next_rule_state(current.state, action))
    return _save(uow, principal, changed, f"{action}_schedule_rule", clock)


def preview(
    uow: UnitOfWork, principal: Principal, today: date, days: int = PREVIEW_DAYS, rule_id: str | None = None
) -> list[Upcoming]:
    """HR: who the active rules (or one rule) will give a review from today to `days` ahead, by day then name."""
    require_role(principal, Role.HR)
    rules, _through = _rules(uow).everything()
    chosen = [r for r in rules if r.rule_id == rule_id] if rule_id else rules
    if rule_id and not chosen:
        raise NotFound(NO_RULE)
    live = [r for r in chosen if r.state is RuleState.ACTIVE or (rule_id and r.state is RuleState.PAUSED)]
    people = {p.employee_id: p for p in uow.directory.all()} if live else {}
    found = []
    for rule in live:
        joined = uow.cycles.get(rule.cycle_id) if rule.kind is RuleKind.JOINERS else None
        taken = set(uow.cycles.participants(joined)) if joined is not None else set()
        for due in due_reviews(rule, list(people.values()), today - timedelta(days=1), today + timedelta(days=days)):
            if due.employee_id in taken:
                continue
            p = people[due.employee_id]
            target = rule.cycle_id if rule.kind is RuleKind.JOINERS else occurrence_cycle_id(rule.rule_id, due.on)
            found.append(
                Upcoming(rule.rule_id, rule.name, rule.kind, p.employee_id, p.name, p.department, due.on, target)
            )
    return sorted(found, key=lambda u: (u.on, u.name.casefold(), u.rule_id))


# --- the daily run ---------------------------------------------------------------------------------------


def run_schedules(
    uow: UnitOfWork, mailer: Mailer, clock: Clock, base_url: str = "", queue: Queue | None = None
) -> ScheduleRun:
    """The scheduled function, daily: create the reviews every active rule makes from the day after its cursor
    through today, email each person and manager once per review created, and move the cursors to today.

    Issue 24: each day of a rule makes its cycle here, and its reviews in chunks of LAUNCH_BATCH people, one
    `scheduled_reviews` message each (`create_scheduled_batch`): on `queue` (the worker function, deployed: a day
    due for the whole organisation is not made inside this function), else at once, here.

    Safe to run twice or at once: every write is conditional (a new cycle, a review where none is), and what a
    concurrent run wrote first is read and left alone; a chunk delivered twice creates and emails nothing twice.
    A paused rule's cursor moves too, creating nothing.
    """
    now = clock.now()
    today = now.date()
    rules, through = _rules(uow).everything()
    live = [r for r in rules if r.state is not RuleState.ARCHIVED]
    people = uow.directory.all() if any(r.state is RuleState.ACTIVE for r in live) else []
    by_id = {p.employee_id: p for p in people}
    made: list[ScheduleRun] = []
    skipped = queued = 0
    for rule in live:
        if rule.state is RuleState.ACTIVE:
            after = window_start(through.get(rule.rule_id), day_of(rule.created_at, now.tzinfo), today)
            try:
                chunks = [
                    chunk
                    for on, group in groupby(due_reviews(rule, people, after, today), key=lambda d: d.on)
                    for chunk in _occurrence_chunks(uow, rule, on, [by_id[d.employee_id] for d in group], clock)
                ]
                if queue is not None:  # queued before the cursor moves: a failed send leaves the days to the retry
                    queue.send_many([c | {"base_url": base_url} for c in chunks])
                    queued += len(chunks)
                else:
                    made += [create_scheduled_batch(uow, c | {"base_url": base_url}, clock, mailer) for c in chunks]
            except (NotFound, Conflict) as exc:
                # Its template or cycle is archived, gone or closed: the rule waits (cursor kept) until HR fixes it.
                log.warning("schedule rule %s not run: %s", rule.rule_id, exc.message)
                skipped += 1
                continue
        if through.get(rule.rule_id) != today:
            with uow:
                _rules(uow).stage_through(rule.rule_id, today)
                uow.commit()
    reviews, notified, failed = (sum(getattr(m, f) for m in made) for f in ("reviews", "notified", "failed"))
    return ScheduleRun(len(live), reviews, notified, skipped, failed, queued)


def _occurrence_chunks(
    uow: UnitOfWork, rule: ScheduleRule, on: date, due: list[Employee], clock: Clock
) -> list[Message]:
    """The reviews of one day of a rule to make: its cycle (created once) or, for joiners, the running cycle, with
    the people due among its participants; then one message per LAUNCH_BATCH of them."""
    actor = f"schedule:{rule.rule_id}"
    if rule.kind is RuleKind.JOINERS:
        cycle = get_cycle(uow, rule.cycle_id)
        if cycle.state is not CycleState.ACTIVE:
            raise Conflict(f"the cycle {cycle.name} is not running")
    else:
        cycle = _occurrence_cycle(uow, rule, on, due, actor, clock)
    cycle, taking_part = _take_in(uow, cycle, due, actor, clock)
    wanted = [p.employee_id for p in due if p.employee_id in taking_part]
    return [
        {
            "kind": "scheduled_reviews",
            "cycle_id": cycle.cycle_id,
            "actor": actor,
            "employee_ids": wanted[start : start + LAUNCH_BATCH],
        }
        for start in range(0, len(wanted), LAUNCH_BATCH)
    ]


def create_scheduled_batch(uow: UnitOfWork, message: Message, clock: Clock, mailer: Mailer) -> ScheduleRun:
    """Worker: one chunk of a rule's day: the missing reviews of its people (one conditional transaction, as the
    launch's batches), and one email per review this call created to the person and their manager, kept for their
    daily digest. Delivered twice, it finds the reviews and creates and emails nothing."""
    cycle = get_cycle(uow, message["cycle_id"])
    ids = list(message["employee_ids"])
    found = uow.directory.get_many(ids)
    people = [found[i] for i in ids if i in found]
    managers = uow.directory.get_many(sorted({p.manager_id for p in people if p.manager_id} - set(found)))
    made = _create_batch(uow, cycle, people, message["actor"], clock)
    acting = acting_managers_on(uow, clock.now().date()) if made else {}  # issue 28: the acting manager hears
    known = found | managers
    known |= uow.directory.get_many(sorted(set(acting.values()) - set(known))) if acting else {}
    notified, failed = _notify(uow, mailer, [(cycle, e) for e in made], known, message.get("base_url", ""), acting)
    return ScheduleRun(0, len(made), notified, 0, failed)


def _occurrence_cycle(
    uow: UnitOfWork, rule: ScheduleRule, on: date, due: list[Employee], actor: str, clock: Clock
) -> Cycle:
    """The cycle of a rule's day, launched with the people due that day: made here, or as a concurrent run or an
    earlier attempt made it."""
    cycle_id = occurrence_cycle_id(rule.rule_id, on)
    found = uow.cycles.get(cycle_id)
    if found is not None:
        return found
    template = usable_template(uow, rule.template_id)
    at = iso(clock.now())
    draft = Cycle(
        cycle_id=cycle_id,
        name=f"{rule.name}, {on.isoformat()}",
        period_start=period_start(rule, on),
        period_end=on,
        template_id=rule.template_id,
        phases=phase_dates(rule, on),
        participant_mode=ParticipantMode.LIST,
        employee_ids=[p.employee_id for p in due],
        created_at=at,
        created_by=actor,
    )
    try:
        with uow:
            stored = stage_launch(uow, launched_cycle(draft, template, due, at), due, True, actor, at)
            uow.goals.start_owner_totals(cycle_id)  # as create_cycle: goals of it are counted from here
            uow.commit()
        return stored
    except Conflict:
        return get_cycle(uow, cycle_id)  # a concurrent run made it first


def _take_in(uow: UnitOfWork, cycle: Cycle, due: list[Employee], actor: str, clock: Clock) -> tuple[Cycle, set[str]]:
    """The cycle with every due person among its participants (a joiner, or someone a later directory import made
    due on a day already made), and its participants' ids: added with its counters in one audited write, read again
    after a lost race."""
    for _attempt in range(ATTEMPTS):
        taking_part = set(uow.cycles.participants(cycle))
        missing = [p for p in due if p.employee_id not in taking_part]
        if not missing:
            return cycle, taking_part
        try:
            with uow:
                added = replace(
                    uow.cycles.stage_added_participants(cycle, [p.employee_id for p in missing]),
                    participant_departments=sorted(
                        {*(cycle.participant_departments or []), *(p.department for p in missing)}
                    ),
                )
                stored = uow.cycles.save(added, new=False, actor=actor, action="add_participants", at=iso(clock.now()))
                uow.cycles.count(cycle.cycle_id, {"expected": len(missing)})
                uow.commit()
            return stored, taking_part | {p.employee_id for p in missing}
        except Conflict:
            uow.forget()
            cycle = get_cycle(uow, cycle.cycle_id)
    raise Conflict("the cycle kept changing while people were added to it")


def _create_batch(uow: UnitOfWork, cycle: Cycle, people: list[Employee], actor: str, clock: Clock) -> list[str]:
    """The launch's `create_reviews` for one batch; a review a concurrent run created first fails the batch as a
    whole, which is then read again and made without it."""
    for _attempt in range(ATTEMPTS):
        try:
            return create_reviews(uow, cycle, review_rows(people), actor, clock)
        except Conflict:
            uow.forget()
    raise Conflict("reviews kept being created concurrently")


def _notify(
    uow: UnitOfWork,
    mailer: Mailer,
    created: list[tuple[Cycle, str]],
    people: dict[str, Employee],
    base_url: str,
    acting: dict[str, str],
) -> tuple[int, int]:
    """One email per review created, to the person and their manager (or acting manager), kept for their digest."""
    notified = failed = 0
    for cycle, employee_id in created:
        person = people[employee_id]
        manager = people.get(acting.get(person.manager_id or "", person.manager_id or ""))
        to = tuple(a for a in (person.email, manager.email if manager and manager.active else "") if a)
        path = f"/cycles/{cycle.cycle_id}/reviews/{employee_id}"
        text = render("email/scheduled_review.txt", person=person, cycle=cycle, url=f"{base_url}{path}")
        try:
            mailer.send(
                Email(to, f"A review has started: {person.name}", text, cycle_id=cycle.cycle_id, digest_key=path)
            )
            notified += 1
        except SendFailed as exc:
            log.warning("a scheduled review's email could not be kept: %s", exc)
            failed += 1
    return notified, failed
