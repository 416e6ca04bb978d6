"""Use cases of goals: create, edit, align, assign to a team, carry over, read, and the alignment report.

Each takes a unit of work: goals come from `uow.goals`, their roll-ups from `uow.rollups`, and a
write stages the goal, its audit record, the roll-ups up its chain and the counters, then commits
them in one transaction. Who may do what is in `policy`; the reports are in `goal_reports`.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, tzinfo
from typing import Any, TypeVar

from service.adapters.clock import Clock, iso
from service.adapters.goal_store import behind_slot
from service.adapters.unit_of_work import UnitOfWork
from service.domain.archiving import ShelfAction, require_in_use, shelved
from service.domain.cycles import CycleState
from service.domain.directory import Employee
from service.domain.errors import NO_GOAL, NO_PERSON, Clash, Conflict, NotFound, StaleWrite, ValidationFailed
from service.domain.formats import day_of
from service.domain.goals import (
    AT_RISK,
    NEEDS_ATTENTION,
    UNFINISHED,
    AlignmentFacts,
    Goal,
    GoalLevel,
    GoalStatus,
    KeyResult,
    PaceCheck,
    check_alignment,
    check_archivable,
    check_goal,
    contribution,
    effective_progress,
    falls_behind_on,
    goal_period,
    pace,
    weight_warnings,
)
from service.services import goal_reports, policy
from service.services.auth import Principal
from service.services.delegation import acting_for
from service.services.goal_views import GoalView, SavedGoal, goal_view, saved_goal

RETRIES = 4
ASSIGN_CHUNK = 25
# Items that concurrent writes to different goals share: a clash on them is settled by reading again.
SHARED = ("goal_rollup", "goal_person")
# Carried copies get an id derived from the goal and the target cycle: a repeated launch batch makes none.
CARRIED = uuid.UUID("6f1c1a52-3c57-4d2a-9a43-5b0f3c7e2d10")
# Assigned copies get an id derived from the goal, the person and the cycle: a retried assignment makes none.
ASSIGNED = uuid.UUID("0b7f3e2a-9d41-4c6e-8f25-3a1d6c9e4b72")

T = TypeVar("T")


@dataclass(frozen=True)
class Assigned:
    """What giving a goal to people did: the copies made, and the people who already had one."""

    source_goal_id: str
    created: list[str]
    skipped: list[str]


@dataclass(frozen=True)
class ProgressPart:
    """One part of a goal's progress: a key result, or a goal aligned to it (with its owner's name)."""

    title: str
    progress: float
    weight: int
    goal_id: str | None = None
    owner_name: str = ""


@dataclass(frozen=True)
class ProgressExplained:
    """Where a goal's progress comes from: `key_results`, `aligned` goals, or its `status` alone."""

    basis: str
    parts: list[ProgressPart]


@dataclass(frozen=True)
class ReportGoals:
    """A direct report's individual goals in a cycle, and how many need attention (at risk, off track, behind)."""

    person: Employee
    goals: list[GoalView]
    at_risk: int


def carried_goal_id(goal_id: str, cycle_id: str) -> str:
    """The id of the copy of a goal carried into a cycle (the same on every delivery)."""
    return uuid.uuid5(CARRIED, f"{goal_id}/{cycle_id}").hex


def assigned_goal_id(goal_id: str, employee_id: str, cycle_id: str) -> str:
    """The id of the personal copy of a goal given to one person in a cycle (the same on every retry)."""
    return uuid.uuid5(ASSIGNED, f"{goal_id}/{employee_id}/{cycle_id}").hex


def _moved_meanwhile(exc: Conflict) -> bool:
    """A concurrent write moved what a fresh read settles: a shared roll-up or marker, or the cycle."""
    if exc.entity in SHARED:
        return exc.clash in (Clash.EXISTS, Clash.STALE)
    # The guard on the cycle fails on any change to it; read again to see whether it closed.
    return exc.entity == "cycle" and exc.clash is Clash.STALE


def _retrying(uow: UnitOfWork, work: Callable[[], T], again: Callable[[Conflict], bool] = _moved_meanwhile) -> T:
    """Run a goal write in the unit of work, reading afresh and running it again while `again(exc)` holds."""
    for attempt in range(RETRIES):
        _fresh(uow)
        try:
            with uow:
                result = work()
                uow.rollups.stage()
                uow.commit()
            return result
        except Conflict as exc:
            if not again(exc) or attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _twin_or_moved(exc: Conflict) -> bool:
    """A twin request committed the same derived copies first, or shared items moved: read again (they are skipped)."""
    return _moved_meanwhile(exc) or (exc.entity == "goal" and exc.clash is Clash.EXISTS)


def _fresh(uow: UnitOfWork) -> None:
    """Forget goals and roll-ups read by an earlier use case (or attempt) on this unit of work."""
    uow.goals.forget()
    uow.rollups.forget()


# --- reading ----------------------------------------------------------------------------------


def _pacer(
    uow: UnitOfWork, on: date | None, cycle_id: str | None, zone: tzinfo | None = None
) -> Callable[[Goal, float], PaceCheck | None]:
    """The pace of goals read on day `on` (none without a day): each goal's period from its creation (the
    organisation's day, in `zone`) to its due date or its cycle's end (an organisation goal across cycles: the end
    of the cycle `cycle_id` it is read in)."""

    def paced(goal: Goal, progress: float) -> PaceCheck | None:
        if on is None:
            return None
        return pace(progress, goal.status, _period(uow, goal, cycle_id, on, zone), on)

    return paced


def _period(
    uow: UnitOfWork, goal: Goal, cycle_id: str | None, created: date, zone: tzinfo | None
) -> tuple[date, date] | None:
    """A goal's own period (its cycle's dates read once per unit of work; `created` if the goal does not say)."""
    key = goal.cycle_id or cycle_id
    cycle = uow.cycles.get(key) if key else None
    made = day_of(goal.created_at, zone) or created
    return goal_period(made, cycle.period_start if cycle else None, goal.due, cycle.period_end if cycle else None)


def _mark_pace(uow: UnitOfWork, goal: Goal, progress: float, zone: tzinfo | None) -> None:
    """Keep, on a cycle goal's roll-up, the day it falls behind at this progress (staged with the write that
    changed progress, status or period), so the organisation's report counts goals behind by the day."""
    if goal.cycle_id is None or goal.level is GoalLevel.ORGANISATION:
        return  # organisation goals: the report reads each of them and paces it on the day anyway
    day = falls_behind_on(progress, goal.status, _period(uow, goal, None, date.min, zone))
    cycle = uow.cycles.get(goal.cycle_id)
    r = uow.rollups.get(goal.goal_id, goal.cycle_id)
    if cycle is not None and r.behind_on != (day.isoformat() if day else ""):
        r.behind_on = day.isoformat() if day else ""
        r.behind_slot = behind_slot(day, cycle.period_start)
        uow.rollups.changed(goal.goal_id, goal.cycle_id)


def get_goal(
    uow: UnitOfWork,
    principal: Principal | None,
    goal_id: str,
    cycle_id: str | None = None,
    visibility: str = "chain",
    on: date | None = None,
    zone: tzinfo | None = None,
) -> GoalView:
    """One goal with its progress, its pace on day `on` (the organisation's, in `zone`), and its chain of alignment
    up to the organisation goal.

    An organisation goal standing across cycles has a progress per cycle: `cycle_id` chooses it. A goal
    the principal may not see (`policy.may_read_goal`) answers exactly like a missing one.
    """
    _fresh(uow)
    goal = uow.goals.existing(goal_id)
    if principal is not None and not policy.may_read_goal(
        principal, goal.level, uow.directory.get(goal.owner_id), visibility
    ):
        raise NotFound(NO_GOAL)
    progress = uow.rollups.progress(goal, cycle_id)
    paced = _pacer(uow, on, cycle_id, zone)
    return goal_view(goal, progress, uow.goals.chain_above(goal_id), paced(goal, progress), zone)


def person_goals(
    uow: UnitOfWork,
    owner_id: str,
    cycle_id: str,
    principal: Principal | None = None,
    visibility: str = "chain",
    on: date | None = None,
    archived: bool | None = False,
    zone: tzinfo | None = None,
) -> list[GoalView]:
    """Someone's goals in a cycle with progress, pace on day `on`, and alignment chain (for reviews and pages).

    With a `principal`, only the goals they may see (their individual goals may be hidden from them). `archived`:
    False (the default lists and pickers) leaves archived goals out, True lists only those, None all (a review).
    """
    _fresh(uow)
    goals = [g for g in uow.goals.of_owner(owner_id, cycle_id) if archived is None or g.archived is archived]
    if principal is not None:
        owner = uow.directory.get(owner_id)
        goals = [g for g in goals if policy.may_read_goal(principal, g.level, owner, visibility)]
    uow.goals.read_above_along(goals)  # the chain rides in the roll-ups' batch read
    uow.rollups.preload(goals, cycle_id)
    uow.goals.preload_ancestors(goals)
    paced = _pacer(uow, on, cycle_id, zone)
    views = []
    for g in goals:
        progress = uow.rollups.progress(g, cycle_id)
        views.append(goal_view(g, progress, uow.goals.chain_above(g.goal_id), paced(g, progress), zone))
    return views


def organisation_goals(
    uow: UnitOfWork, cycle_id: str | None, on: date | None = None, zone: tzinfo | None = None
) -> list[GoalView]:
    """Organisation goals standing across cycles, plus those of one cycle, with progress (and pace on day `on`)
    in that cycle."""
    _fresh(uow)
    paced = _pacer(uow, on, cycle_id, zone)
    views = []
    for g in uow.goals.organisation(cycle_id):
        if g.archived:
            continue
        progress = uow.rollups.progress(g, cycle_id)
        views.append(goal_view(g, progress, [], paced(g, progress), zone))
    return views


def goal_progress_for_score(uow: UnitOfWork, owner_id: str, cycle_id: str) -> list[tuple[float, float]]:
    """[(weight, progress)] of someone's individual goals in a cycle (dropped ones left out)."""
    _fresh(uow)
    goals = [
        g
        for g in uow.goals.of_owner(owner_id, cycle_id)
        if g.level is GoalLevel.INDIVIDUAL and g.status is not GoalStatus.DROPPED and g.weight > 0
    ]
    uow.rollups.preload(goals, cycle_id)
    return [(float(g.weight), uow.rollups.progress(g, cycle_id)) for g in goals]


def goal_progress_by_id(uow: UnitOfWork, goals: list[Goal], cycle_id: str) -> list[tuple[str, float]]:
    """[(goal id, progress)] of these goals in a cycle (their roll-ups read in one batch)."""
    uow.rollups.preload(goals, cycle_id)
    return [(g.goal_id, uow.rollups.progress(g, cycle_id)) for g in goals]


def weight_total(uow: UnitOfWork, owner_id: str, cycle_id: str) -> int | None:
    """The sum of someone's individual goal weights in a cycle, or None without goals (as their goals' saves kept
    it, when the request's first batch read it; else from their goals)."""
    known, total = uow.goals.kept_weight_total(owner_id, cycle_id)
    if known:
        return total
    goals = [
        g
        for g in uow.goals.of_owner(owner_id, cycle_id)
        if g.level is GoalLevel.INDIVIDUAL and g.status is not GoalStatus.DROPPED
    ]
    return sum(g.weight for g in goals) if goals else None


def children(uow: UnitOfWork, goal_id: str) -> list[Goal]:
    """Goals aligned directly to a goal."""
    return uow.goals.children(goal_id)


def owner(uow: UnitOfWork, employee_id: str) -> Employee | None:
    """The person who owns (or would own) a goal, for the alignment picker."""
    return uow.directory.get(employee_id)


def may_edit(uow: UnitOfWork, principal: Principal, goal: GoalView) -> bool:
    """Whether the page offers this person to edit a goal (as returned by `get_goal`)."""
    who = uow.directory.get(goal.owner_id)
    if who is None:
        return False
    return policy.may_edit_goal(principal, GoalLevel(goal.level), who, acting_for(uow, principal, who.manager_id))


def _require_edit(uow: UnitOfWork, principal: Principal, level: GoalLevel, owner: Employee) -> None:
    """Refuse a goal this person may not touch; one they may touch only as an acting manager is written on the
    manager's behalf (issue 28: its audit record says so)."""
    policy.require_edit_goal(principal, level, owner, acting_for(uow, principal, owner.manager_id))
    if policy.goal_edit_refusal(principal, level, owner) is not None:
        uow.on_behalf_of = owner.manager_id


def _subtree(uow: UnitOfWork, goal: Goal) -> list[Goal]:
    found, queue = [goal], [goal.goal_id]
    while queue:
        for child in uow.goals.children(queue.pop()):
            found.append(child)
            queue.append(child.goal_id)
    return found


# --- writing ----------------------------------------------------------------------------------


def _cycle_state(uow: UnitOfWork, cycle_id: str | None) -> CycleState | None:
    if cycle_id is None:
        return None
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise ValidationFailed("Unknown cycle.", {"cycle_id": ["no such cycle"]})
    return cycle.state


def _writable_cycle(uow: UnitOfWork, cycle_id: str | None, message: str) -> None:
    """Refuse a write into a closed cycle, and stage a guard so that a close before the commit refuses it too."""
    if cycle_id is None:
        return
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise ValidationFailed("Unknown cycle.", {"cycle_id": ["no such cycle"]})
    if cycle.state is CycleState.CLOSED:
        raise Conflict(message, entity="cycle")
    uow.cycles.expect_unchanged(cycle)


def _facts(uow: UnitOfWork, owner: Employee, target: Goal) -> AlignmentFacts:
    closed = _cycle_state(uow, target.cycle_id) is CycleState.CLOSED
    return AlignmentFacts(owner.manager_id, owner.chain, closed, tuple(uow.goals.ancestors(target.goal_id)))


def _carry_up(
    uow: UnitOfWork,
    parent_id: str | None,
    cycle_id: str | None,
    dw: float,
    dws: float,
    dcount: int,
    people: dict,
    zone: tzinfo | None,
) -> None:
    """Add a child's change to its parent's roll-up and carry the effect up the chain."""
    current = parent_id
    while current and (dw or dws or dcount or people):
        parent = uow.goals.existing(current)
        r = uow.rollups.get(current, cycle_id)
        old_p = effective_progress(parent, r.weight_sum, r.weighted_sum)
        r.weight_sum = round(r.weight_sum + dw, 6)
        r.weighted_sum = round(r.weighted_sum + dws, 6)
        r.goals += dcount
        uow.rollups.changed(current, cycle_id)
        new_p = effective_progress(parent, r.weight_sum, r.weighted_sum)
        if parent.parent_id is None and parent.level is GoalLevel.ORGANISATION:
            r.people += uow.rollups.add_people(current, cycle_id, people)
        _mark_pace(uow, parent, new_p, zone)
        old_c, new_c = contribution(parent, old_p), contribution(parent, new_p)
        dw, dws = new_c[0] - old_c[0], new_c[1] - old_c[1]
        current = parent.parent_id


def _track_new(uow: UnitOfWork, goal: Goal, zone: tzinfo | None, progress: float | None = None) -> None:
    """Roll-ups and counters for a goal that starts to exist (its days the organisation's, in `zone`)."""
    uow.rollups.start(goal.goal_id, goal.cycle_id)
    p = uow.rollups.progress(goal, goal.cycle_id) if progress is None else progress
    _mark_pace(uow, goal, p, zone)
    w, ws = contribution(goal, p)
    if goal.parent_id:
        _carry_up(uow, goal.parent_id, goal.cycle_id, w, ws, 1, {goal.owner_id: 1}, zone)
    elif goal.level is not GoalLevel.ORGANISATION:
        uow.rollups.count_total(goal.cycle_id, "orphans", 1)
    if goal.status in AT_RISK:
        uow.rollups.count_total(goal.cycle_id, "at_risk", 1)
    if goal.level is GoalLevel.INDIVIDUAL:
        root = uow.goals.root_of(goal.parent_id)
        uow.rollups.count_department(goal.cycle_id, goal.department, "individual", 1)
        if root is not None and root.level is GoalLevel.ORGANISATION:
            uow.rollups.count_department(goal.cycle_id, goal.department, "aligned", 1)


def _goal_from_data(data: dict[str, Any], goal_id: str, owner: Employee, principal: Principal, at: str) -> Goal:
    return Goal(
        goal_id=goal_id,
        level=GoalLevel(data["level"]),
        owner_id=owner.employee_id,
        title=data["title"],
        description=data.get("description", ""),
        key_results=[KeyResult(**kr) for kr in data.get("key_results", [])],
        weight=int(data.get("weight", 0)),
        due=data.get("due"),
        status=GoalStatus(data.get("status", "on_track")),
        cycle_id=data.get("cycle_id"),
        parent_id=data.get("parent_id"),
        department=owner.department,
        checkin_rhythm=data.get("checkin_rhythm"),
        created_at=at,
        created_by=principal.employee_id,
    )


def create_goal(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> SavedGoal:
    """Create a goal (aligned or not); returns it with drafting warnings about weights."""
    owner = uow.directory.get(data.get("owner_id") or principal.employee_id)
    if owner is None or not owner.active:
        raise ValidationFailed("Unknown owner.", {"owner_id": ["not an active employee"]})
    at = iso(clock.now())
    goal = _goal_from_data(data, clock.new_id(), owner, principal, at)
    _require_edit(uow, principal, goal.level, owner)
    check_goal(goal)

    def work() -> Goal:
        _writable_cycle(uow, goal.cycle_id, "the cycle is closed; its goals are read-only")
        if goal.parent_id:
            target = uow.goals.existing(goal.parent_id)
            check_alignment(goal, target, _facts(uow, owner, target))
        _track_new(uow, goal, clock.now().tzinfo)
        return uow.goals.save(
            goal, new=True, actor=principal.employee_id, action="create_goal", at=at, zone=clock.now().tzinfo
        )

    return _with_warnings(uow, _retrying(uow, work), clock)


def _with_warnings(uow: UnitOfWork, goal: Goal, clock: Clock) -> SavedGoal:
    _fresh(uow)  # read what was committed, not what was staged
    uow.goals.note(goal)
    progress, chain = uow.rollups.progress(goal, goal.cycle_id), uow.goals.chain_above(goal.goal_id)
    siblings = uow.goals.of_owner(goal.owner_id, goal.cycle_id) if goal.level is not GoalLevel.ORGANISATION else []
    now = clock.now()
    paced = _pacer(uow, now.date(), goal.cycle_id, now.tzinfo)(goal, progress)
    return saved_goal(goal, progress, chain, weight_warnings(siblings), paced, now.tzinfo)


def _editable(uow: UnitOfWork, principal: Principal, goal_id: str, expected_version: int) -> tuple[Goal, Employee]:
    """The goal at the version the editor read, and its owner, when the principal may change it now."""
    old = uow.goals.existing(goal_id)
    if old.version != expected_version:
        raise StaleWrite(f"the goal was changed by someone else (now version {old.version}); reload it", entity="goal")
    owner = uow.directory.get(old.owner_id)
    if owner is None:
        raise NotFound(NO_PERSON)
    _require_edit(uow, principal, old.level, owner)
    _writable_cycle(uow, old.cycle_id, "the cycle is closed; its goals are read-only")
    return old, owner


EDITABLE = ("title", "description", "key_results", "weight", "due", "status", "parent_id", "checkin_rhythm")


def update_goal(
    uow: UnitOfWork,
    principal: Principal,
    goal_id: str,
    data: dict[str, Any],
    expected_version: int,
    clock: Clock,
    note: dict[str, Any] | None = None,
) -> SavedGoal:
    """Edit a goal: progress, weight, status, or its alignment; roll-ups follow in the same transaction. With a
    `note` (a check-in's), the history always gets an entry carrying it and the audit says `check_in_goal`."""

    def work() -> Goal:
        old, owner = _editable(uow, principal, goal_id, expected_version)
        require_in_use("goal", old.archived)
        changes = {k: data[k] for k in EDITABLE if k in data}
        if "key_results" in changes:
            changes["key_results"] = [KeyResult(**kr) for kr in changes["key_results"]]
        if "status" in changes:
            changes["status"] = GoalStatus(changes["status"])
        new = replace(old, **changes)
        check_goal(new)
        p_old = uow.rollups.progress(old, old.cycle_id)
        own = uow.rollups.get(goal_id, new.cycle_id)
        p_new = effective_progress(new, own.weight_sum, own.weighted_sum)
        if note is not None or (p_new, new.status) != (p_old, old.status):
            entry = {"at": iso(clock.now()), "progress": p_new, "status": new.status.value, **(note or {})}
            new.history = [*old.history, entry][-50:]
        zone = clock.now().tzinfo
        _mark_pace(uow, new, p_new, zone)
        c_old, c_new = contribution(old, p_old), contribution(new, p_new)
        if new.parent_id == old.parent_id:
            _carry_up(uow, old.parent_id, old.cycle_id, c_new[0] - c_old[0], c_new[1] - c_old[1], 0, {}, zone)
        else:
            _realign(uow, owner, old, new, (c_old, c_new), zone)
        if (old.status in AT_RISK) != (new.status in AT_RISK):
            uow.rollups.count_total(old.cycle_id, "at_risk", 1 if new.status in AT_RISK else -1)
        action = "check_in_goal" if note is not None else "update_goal"
        return uow.goals.save(
            new, new=False, actor=principal.employee_id, action=action, at=iso(clock.now()), zone=zone
        )

    return _with_warnings(uow, _retrying(uow, work), clock)


def shelve_goal(
    uow: UnitOfWork, principal: Principal, goal_id: str, action: ShelfAction, expected_version: int, clock: Clock
) -> SavedGoal:
    """Archive a finished goal (out of the lists and pickers, still readable, its roll-up unchanged) or restore it;
    whoever may edit the goal may do it, audited and versioned."""

    def work() -> Goal:
        old, _owner = _editable(uow, principal, goal_id, expected_version)
        check_archivable(old)
        new = shelved(old, action)
        at, zone = iso(clock.now()), clock.now().tzinfo
        return uow.goals.save(new, new=False, actor=principal.employee_id, action=f"{action}_goal", at=at, zone=zone)

    return _with_warnings(uow, _retrying(uow, work), clock)


def _realign(
    uow: UnitOfWork,
    owner: Employee,
    old: Goal,
    new: Goal,
    contributions: tuple[tuple[float, float], tuple[float, float]],
    zone: tzinfo | None,
) -> None:
    """Move a goal (and everything aligned below it) from one parent to another."""
    c_old, c_new = contributions
    if new.parent_id:
        target = uow.goals.existing(new.parent_id)
        check_alignment(new, target, _facts(uow, owner, target))
    subtree = _subtree(uow, old)
    owners = Counter(g.owner_id for g in subtree)
    individual_by_dept = Counter(g.department for g in subtree if g.level is GoalLevel.INDIVIDUAL)
    root_old, root_new = uow.goals.root_of(old.parent_id), uow.goals.root_of(new.parent_id)
    if old.parent_id:
        people = {o: -n for o, n in owners.items()}
        _carry_up(uow, old.parent_id, old.cycle_id, -c_old[0], -c_old[1], -len(subtree), people, zone)
    else:
        uow.rollups.count_total(old.cycle_id, "orphans", -1)
    if new.parent_id:
        _carry_up(uow, new.parent_id, new.cycle_id, c_new[0], c_new[1], len(subtree), dict(owners), zone)
    else:
        uow.rollups.count_total(old.cycle_id, "orphans", 1)
    was = root_old is not None and root_old.level is GoalLevel.ORGANISATION
    now = root_new is not None and root_new.level is GoalLevel.ORGANISATION
    if was != now:
        for department, n in individual_by_dept.items():
            uow.rollups.count_department(old.cycle_id, department, "aligned", n if now else -n)


def _assignable(uow: UnitOfWork, source_goal_id: str, data: dict[str, Any]) -> tuple[Goal, str]:
    """The goal to give and the open cycle the copies go into (an organisation goal's: the one chosen)."""
    _fresh(uow)
    source = uow.goals.existing(source_goal_id)
    require_in_use("goal", source.archived)
    cycle_id = source.cycle_id or data.get("cycle_id")
    if cycle_id is None:
        raise ValidationFailed("Choose the cycle.", {"cycle_id": ["required for an organisation goal"]})
    if _cycle_state(uow, cycle_id) is CycleState.CLOSED:
        raise Conflict("the cycle is closed", entity="cycle")
    return source, cycle_id


def assign_to_team(
    uow: UnitOfWork, principal: Principal, source_goal_id: str, data: dict[str, Any], clock: Clock
) -> Assigned:
    """Give one goal to all direct reports (or a department): a personal copy each, aligned to the source."""
    source, cycle_id = _assignable(uow, source_goal_id, data)
    to_department = bool(data.get("department"))
    manager_id = source.owner_id if source.level is GoalLevel.TEAM else principal.employee_id
    policy.require_assign_goal(principal, to_department, manager_id)
    people = uow.directory.department(data["department"]) if to_department else uow.directory.reports(manager_id)
    if not people:
        raise ValidationFailed("Nobody to give the goal to.", {"people": ["no active people in scope"]})
    return _give_copies(uow, principal, source, cycle_id, people, data, clock)


def _give_copies(
    uow: UnitOfWork,
    principal: Principal,
    source: Goal,
    cycle_id: str,
    people: list[Employee],
    data: dict[str, Any],
    clock: Clock,
) -> Assigned:
    """A personal copy of `source` for each person who has none, aligned to it, in chunks of transactions.

    Idempotent: each person is taken once, and a copy's id derives from the goal, the person and the cycle, so a
    retried or doubled assignment finds the copy (a strongly consistent read, not the owner's index) and skips it.
    """
    at = iso(clock.now())
    created: list[str] = []
    skipped: list[str] = []
    people = list({p.employee_id: p for p in people}.values())
    for start in range(0, len(people), ASSIGN_CHUNK):
        chunk = people[start : start + ASSIGN_CHUNK]

        # An attempt reports only what it did: a retried chunk must not list anyone twice.
        def work(chunk: list[Employee] = chunk) -> tuple[list[str], list[str]]:
            _writable_cycle(uow, cycle_id, "the cycle is closed")
            made, had = [], []
            for person in chunk:
                copy_id = assigned_goal_id(source.goal_id, person.employee_id, cycle_id)
                if uow.goals.exists(copy_id) or any(
                    g.source_goal_id == source.goal_id for g in uow.goals.of_owner(person.employee_id, cycle_id)
                ):
                    had.append(person.employee_id)
                    continue
                copy = Goal(
                    goal_id=copy_id,
                    level=GoalLevel.INDIVIDUAL,
                    owner_id=person.employee_id,
                    title=source.title,
                    description=source.description,
                    key_results=[replace(kr, current=kr.start) for kr in source.key_results],
                    weight=int(data.get("weight", 0)),
                    due=data.get("due") or source.due,
                    cycle_id=cycle_id,
                    parent_id=source.goal_id,
                    department=person.department,
                    source_goal_id=source.goal_id,
                    created_at=at,
                    created_by=principal.employee_id,
                )
                check_goal(copy)
                check_alignment(copy, source, _facts(uow, person, source))
                _track_new(uow, copy, clock.now().tzinfo)
                uow.goals.save(
                    copy, new=True, actor=principal.employee_id, action="assign_goal", at=at, zone=clock.now().tzinfo
                )
                made.append(copy.goal_id)
            return made, had

        made, had = _retrying(uow, work, _twin_or_moved)
        created.extend(made)
        skipped.extend(had)
    return Assigned(source.goal_id, created, skipped)


def carry_over(uow: UnitOfWork, employee_id: str, cycle_id: str, clock: Clock, actor: str = "launch") -> list[str]:
    """Carry a person's unfinished goals of earlier cycles into a new cycle, with their history.

    A copy keeps its alignment to an organisation goal that stands across cycles; other alignments
    pointed into the old cycle, so the copy starts unaligned (it shows in the orphan list to realign).
    A copy's id derives from its goal and the cycle, so a launch batch delivered twice copies nothing
    the second time (even when the owner's index does not show the first copies yet).
    """
    _fresh(uow)
    mine = uow.goals.every_of_owner(employee_id)
    # A goal already continued in any cycle is carried on by its copy, never again itself.
    already = {g.carried_from for g in mine if g.carried_from}
    candidates = [
        g
        for g in mine
        if g.cycle_id not in (None, cycle_id)
        and g.status in UNFINISHED
        and g.goal_id not in already
        and g.level is not GoalLevel.ORGANISATION
    ]
    if not candidates:
        return []
    at = iso(clock.now())

    def work() -> list[str]:
        _writable_cycle(uow, cycle_id, "the cycle is closed")
        made = []
        for old in candidates:
            copy_id = carried_goal_id(old.goal_id, cycle_id)
            if uow.goals.exists(copy_id):
                continue
            parent = uow.goals.get(old.parent_id) if old.parent_id else None
            keep = parent is not None and parent.level is GoalLevel.ORGANISATION and parent.cycle_id is None
            progress = uow.rollups.progress(old, old.cycle_id)
            copy = replace(
                old,
                goal_id=copy_id,
                cycle_id=cycle_id,
                parent_id=old.parent_id if keep else None,
                carried_from=old.goal_id,
                created_at=at,
                created_by=actor,
                version=0,
                audit_head="",
                history=[
                    *old.history,
                    {"at": at, "progress": progress, "status": old.status.value, "carried_from_cycle": old.cycle_id},
                ][-50:],
            )
            _track_new(uow, copy, clock.now().tzinfo, progress if copy.key_results else None)
            uow.goals.save(copy, new=True, actor=actor, action="carry_over_goal", at=at, zone=clock.now().tzinfo)
            made.append(copy_id)
        return made

    return _retrying(uow, work, _twin_or_moved)


# --- the alignment report ---------------------------------------------------------------------


def alignment_report(
    uow: UnitOfWork, principal: Principal, cycle_id: str, on: date | None = None, zone: tzinfo | None = None
) -> goal_reports.AlignmentReport:
    """Per organisation goal: aligned goals, people, weighted progress, its standing on day `on` (as the goal
    pages show it); by department: share aligned; orphan goals and goals at risk. Leadership and HR see
    everything, managers their subtree."""
    _fresh(uow)
    _cycle_state(uow, cycle_id)
    paced = _pacer(uow, on, cycle_id, zone)
    if policy.alignment_report_scope(principal) == "organisation":
        return goal_reports.organisation_report(uow, cycle_id, paced, on)
    return goal_reports.subtree_report(uow, principal.employee_id, cycle_id, paced)


# --- read models for the goal pages -------------------------------------------------------------------


def progress_explained(uow: UnitOfWork, goal: GoalView) -> ProgressExplained:
    """Where a goal's progress comes from (as `get_goal` returned it): its key results' average, the
    weighted progress of the goals aligned to it, or done/not done; with each part's share."""
    if goal.key_results:
        parts = [ProgressPart(kr.title, kr.progress, 1) for kr in goal.key_results]
        return ProgressExplained("key_results", parts)
    kids = [g for g in uow.goals.children(goal.goal_id) if g.status is not GoalStatus.DROPPED]
    cycle_id = goal.cycle_id
    if kids:
        uow.rollups.preload(kids, cycle_id)
        names = uow.directory.names(sorted({g.owner_id for g in kids}))
        parts = [
            ProgressPart(g.title, uow.rollups.progress(g, g.cycle_id), g.weight, g.goal_id, names.get(g.owner_id, ""))
            for g in kids
        ]
        if sum(p.weight for p in parts) > 0:
            return ProgressExplained("aligned", sorted(parts, key=lambda p: -p.weight))
    return ProgressExplained("status", [])


def reports_goals(
    uow: UnitOfWork, principal: Principal, cycle_id: str, on: date | None = None, zone: tzinfo | None = None
) -> list[ReportGoals]:
    """A manager's direct reports with their goals in a cycle, those with goals needing attention (at risk, off
    track, or behind their time on day `on`) first."""
    _fresh(uow)
    rows = []
    for person in uow.directory.reports(principal.employee_id):
        goals = [
            g for g in person_goals(uow, person.employee_id, cycle_id, on=on, zone=zone) if g.level == "individual"
        ]
        at_risk = [g for g in goals if g.standing in NEEDS_ATTENTION]
        rows.append(ReportGoals(person, goals, len(at_risk)))
    return sorted(rows, key=lambda r: (-r.at_risk, r.person.name.casefold()))


def assign_to_chosen(
    uow: UnitOfWork, principal: Principal, source_goal_id: str, data: dict[str, Any], chosen: list[str], clock: Clock
) -> Assigned:
    """Give a team goal to the direct reports the manager chose: a personal copy each, aligned to it.

    The same rules as `assign_to_team`; anyone chosen who is not a direct report is refused.
    """
    source, cycle_id = _assignable(uow, source_goal_id, data)
    manager_id = source.owner_id if source.level is GoalLevel.TEAM else principal.employee_id
    policy.require_assign_goal(principal, False, manager_id)
    reports = {p.employee_id: p for p in uow.directory.reports(manager_id)}
    if not chosen:
        raise ValidationFailed("Choose who gets the goal.", {"people": ["choose at least one person"]})
    strangers = [c for c in chosen if c not in reports]
    if strangers:
        raise ValidationFailed("Only direct reports get a team goal.", {"people": ["not a direct report"]})
    people = [reports[c] for c in chosen]
    return _give_copies(uow, principal, source, cycle_id, people, data, clock)


def visible_children(
    uow: UnitOfWork,
    principal: Principal,
    goal_id: str,
    visibility: str = "chain",
    on: date | None = None,
    zone: tzinfo | None = None,
) -> list[GoalView]:
    """The goals aligned to one, as far as the principal may see them (a goal they may not see: NotFound), with
    their pace on day `on`."""
    get_goal(uow, principal, goal_id, visibility=visibility)
    aligned = children(uow, goal_id)
    owners = uow.directory.get_many(sorted({g.owner_id for g in aligned if g.owner_id}))
    shown = [g for g in aligned if policy.may_read_goal(principal, g.level, owners.get(g.owner_id or ""), visibility)]
    return [get_goal(uow, None, g.goal_id, on=on, zone=zone) for g in shown]
