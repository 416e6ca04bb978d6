"""Use cases of goals: create, edit, align, assign to a team, carry over, and the alignment report.

Roll-up figures live in separate items (`GOAL#id / ROLLUP#cycle`): Σweight, Σweight×progress, the
number of goals aligned below, and (for organisation goals) the people contributing. They are kept
up to date on every write, in the same transaction, so the organisation-wide report reads a number
of items that does not grow with the number of individual goals.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.clock import Clock, iso
from service.adapters.repositories import Directory, goal_from_item, goal_to_item
from service.adapters.store import Increment, Item, Put, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import CycleState
from service.domain.directory import Employee, Role
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.goals import (
    AT_RISK,
    UNFINISHED,
    AlignmentFacts,
    Goal,
    GoalLevel,
    GoalStatus,
    KeyResult,
    check_alignment,
    check_goal,
    contribution,
    effective_progress,
    weight_warnings,
)
from service.services.auth import Principal

RETRIES = 4
ASSIGN_CHUNK = 25
LIST_LIMIT = 50


@dataclass
class Rollup:
    """The rolled-up figures of one goal in one cycle."""

    weight_sum: float = 0.0
    weighted_sum: float = 0.0
    goals: int = 0
    people: int = 0
    version: int = 0


@dataclass
class RollupBook:
    """Goals and roll-ups read once, changed in memory, staged once (two chains may share ancestors)."""

    table: Table
    goals: dict[str, Goal] = field(default_factory=dict)
    rollups: dict[tuple[str, str | None], Rollup] = field(default_factory=dict)
    markers: dict[tuple[str, str | None, str], list[int]] = field(default_factory=dict)  # [count, version]
    dirty: set[tuple[str, str | None]] = field(default_factory=set)
    dirty_markers: set[tuple[str, str | None, str]] = field(default_factory=set)
    dept: Counter = field(default_factory=Counter)
    totals: Counter = field(default_factory=Counter)

    def goal(self, goal_id: str) -> Goal:
        """A goal (cached)."""
        if goal_id not in self.goals:
            item = self.table.get(keys.goal(goal_id))
            if item is None:
                raise NotFound(f"no goal {goal_id!r}")
            self.goals[goal_id] = goal_from_item(item)
        return self.goals[goal_id]

    def rollup(self, goal_id: str, cycle_id: str | None) -> Rollup:
        """A goal's roll-up for a cycle (cached)."""
        key = (goal_id, cycle_id)
        if key not in self.rollups:
            item = self.table.get(keys.goal_rollup(goal_id, cycle_id))
            self.rollups[key] = _rollup_from(item)
        return self.rollups[key]

    def progress(self, goal: Goal, cycle_id: str | None) -> float:
        """A goal's effective progress."""
        r = self.rollup(goal.goal_id, goal.cycle_id or cycle_id)
        return effective_progress(goal, r.weight_sum, r.weighted_sum)

    def root_of(self, goal_id: str | None) -> Goal | None:
        """The top of a goal's alignment chain."""
        top = None
        while goal_id:
            top = self.goal(goal_id)
            goal_id = top.parent_id
        return top

    def ancestors(self, goal_id: str) -> list[str]:
        """A goal and every goal above it."""
        chain = []
        current: str | None = goal_id
        while current and current not in chain:
            chain.append(current)
            current = self.goal(current).parent_id
        return chain

    def apply(
        self, parent_id: str | None, cycle_id: str | None, dw: float, dws: float, dcount: int, people: dict[str, int]
    ) -> None:
        """Add a child's change to its parent's roll-up and carry the effect up the chain."""
        current = parent_id
        while current and (dw or dws or dcount or people):
            parent = self.goal(current)
            r = self.rollup(current, cycle_id)
            old_p = effective_progress(parent, r.weight_sum, r.weighted_sum)
            r.weight_sum = round(r.weight_sum + dw, 6)
            r.weighted_sum = round(r.weighted_sum + dws, 6)
            r.goals += dcount
            self.dirty.add((current, cycle_id))
            new_p = effective_progress(parent, r.weight_sum, r.weighted_sum)
            if parent.parent_id is None and parent.level is GoalLevel.ORGANISATION:
                for owner, delta in people.items():
                    marker = self._marker(current, cycle_id, owner)
                    before = marker[0]
                    marker[0] += delta
                    r.people += (before <= 0 < marker[0]) - (marker[0] <= 0 < before)
            old_c, new_c = contribution(parent, old_p), contribution(parent, new_p)
            dw, dws = new_c[0] - old_c[0], new_c[1] - old_c[1]
            current = parent.parent_id

    def _marker(self, root_id: str, cycle_id: str | None, owner: str) -> list[int]:
        key = (root_id, cycle_id, owner)
        if key not in self.markers:
            item = self.table.get(keys.goal_person(root_id, cycle_id, owner))
            self.markers[key] = [int(item["count"]), int(item["version"])] if item else [0, 0]
        self.dirty_markers.add(key)
        return self.markers[key]

    def stage(self, uow: UnitOfWork) -> None:
        """Stage every changed roll-up, marker and counter."""
        for goal_id, cycle_id in sorted(self.dirty, key=str):
            r = self.rollups[(goal_id, cycle_id)]
            item = {
                **keys.goal_rollup(goal_id, cycle_id),
                "type": "goal_rollup",
                "weight_sum": r.weight_sum,
                "weighted_sum": r.weighted_sum,
                "goals": r.goals,
                "people": r.people,
                "version": r.version + 1,
            }
            uow.add(Put(item, expect_version=r.version) if r.version else Put(item, must_not_exist=True))
        for root_id, cycle_id, owner in sorted(self.dirty_markers, key=str):
            count, version = self.markers[(root_id, cycle_id, owner)]
            item = {
                **keys.goal_person(root_id, cycle_id, owner),
                "type": "goal_person",
                "count": count,
                "version": version + 1,
            }
            uow.add(Put(item, expect_version=version) if version else Put(item, must_not_exist=True))
        for (cycle_id, department), counts in _group(self.dept).items():
            uow.add(
                Increment(
                    keys.goal_stats(cycle_id, department), counts, {"type": "goal_stats", "department": department}
                )
            )
        totals = _group(self.totals)
        for (cycle_id, _), counts in totals.items():
            uow.add(Increment(keys.goal_totals(cycle_id), counts, {"type": "goal_totals"}))


def _group(counter: Counter) -> dict[tuple[Any, Any], dict[str, int]]:
    out: dict[tuple[Any, Any], dict[str, int]] = {}
    for (cycle_id, group, name), value in counter.items():
        if value:
            out.setdefault((cycle_id, group), {})[name] = value
    return out


def _rollup_from(item: Item | None) -> Rollup:
    if not item:
        return Rollup()
    return Rollup(
        float(item["weight_sum"]),
        float(item["weighted_sum"]),
        int(item["goals"]),
        int(item.get("people", 0)),
        int(item["version"]),
    )


def _retrying(work):
    """Run a goal write again when a concurrent write moved a shared roll-up (never the goal itself)."""
    for attempt in range(RETRIES):
        try:
            return work()
        except Conflict as exc:
            # A roll-up or people marker created or moved by a concurrent write: read again and retry.
            shared = isinstance(exc, StaleWrite) or exc.entity in ("goal_rollup", "goal_person")
            if getattr(exc, "own", False) or not shared or attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


def _own_stale(message: str) -> StaleWrite:
    exc = StaleWrite(message)
    exc.own = True  # type: ignore[attr-defined]
    return exc


# --- reading ----------------------------------------------------------------------------------


def goal_json(goal: Goal, progress: float, chain: list[Goal] | None = None) -> dict[str, Any]:
    """A goal as the API shows it."""
    item = goal_to_item(goal)
    data = {k: v for k, v in item.items() if not k.startswith(("pk", "sk", "gsi")) and k not in ("type", "audit_head")}
    data["progress"] = progress
    data["key_results"] = [{**k, "progress": round(KeyResult(**k).percent, 2)} for k in data["key_results"]]
    if chain is not None:
        data["alignment_chain"] = [
            {"goal_id": g.goal_id, "title": g.title, "level": g.level.value, "owner_id": g.owner_id} for g in chain
        ]
    return data


def get_goal(table: Table, principal: Principal | None, goal_id: str, cycle_id: str | None = None) -> dict[str, Any]:
    """One goal with its progress and its chain of alignment up to the organisation goal.

    An organisation goal standing across cycles has a progress per cycle: `cycle_id` chooses it.
    """
    book = RollupBook(table)
    goal = book.goal(goal_id)
    chain = [book.goal(g) for g in book.ancestors(goal_id)[1:]]
    return goal_json(goal, book.progress(goal, goal.cycle_id or cycle_id), chain)


def goals_of(table: Table, owner_id: str, cycle_id: str | None) -> list[Goal]:
    """Someone's goals in a cycle (None: organisation goals standing across cycles)."""
    index, pk, prefix = keys.owner_goals(owner_id, cycle_id)
    return [goal_from_item(i) for i in table.query(pk, prefix, index=index)]


def person_goals(table: Table, owner_id: str, cycle_id: str) -> list[dict[str, Any]]:
    """Someone's goals in a cycle with progress and alignment chain (for reviews and pages)."""
    book = RollupBook(table)
    out = []
    for goal in goals_of(table, owner_id, cycle_id):
        book.goals[goal.goal_id] = goal
        chain = [book.goal(g) for g in book.ancestors(goal.goal_id)[1:]]
        out.append(goal_json(goal, book.progress(goal, cycle_id), chain))
    return out


def organisation_goals(table: Table, cycle_id: str | None) -> list[dict[str, Any]]:
    """Organisation goals standing across cycles, plus those of one cycle, with progress in that cycle."""
    book = RollupBook(table)
    found = []
    for cyc in dict.fromkeys((None, cycle_id)):
        index, pk, prefix = keys.org_goals(cyc)
        found.extend(goal_from_item(i) for i in table.query(pk, prefix, index=index))
    return [goal_json(g, book.progress(g, g.cycle_id or cycle_id), []) for g in found]


def goal_progress_for_score(table: Table, owner_id: str, cycle_id: str) -> list[tuple[float, float]]:
    """[(weight, progress)] of someone's individual goals in a cycle (dropped ones left out)."""
    book = RollupBook(table)
    return [
        (float(g.weight), book.progress(g, cycle_id))
        for g in goals_of(table, owner_id, cycle_id)
        if g.level is GoalLevel.INDIVIDUAL and g.status is not GoalStatus.DROPPED and g.weight > 0
    ]


def weight_total(table: Table, owner_id: str, cycle_id: str) -> int | None:
    """The sum of someone's individual goal weights in a cycle, or None without goals."""
    goals = [
        g
        for g in goals_of(table, owner_id, cycle_id)
        if g.level is GoalLevel.INDIVIDUAL and g.status is not GoalStatus.DROPPED
    ]
    return sum(g.weight for g in goals) if goals else None


def children(table: Table, goal_id: str) -> list[Goal]:
    """Goals aligned directly to a goal."""
    index, pk = keys.goal_children(goal_id)
    return [goal_from_item(i) for i in table.query(pk, index=index)]


def _subtree(table: Table, goal: Goal) -> list[Goal]:
    found, queue = [goal], [goal.goal_id]
    while queue:
        for child in children(table, queue.pop()):
            found.append(child)
            queue.append(child.goal_id)
    return found


# --- writing ----------------------------------------------------------------------------------


def _cycle_state(table: Table, cycle_id: str | None) -> CycleState | None:
    if cycle_id is None:
        return None
    item = table.get(keys.cycle(cycle_id))
    if item is None:
        raise ValidationFailed("Unknown cycle.", {"cycle_id": [f"no cycle {cycle_id!r}"]})
    return CycleState(item["state"])


def _may_edit(principal: Principal, goal_level: GoalLevel, owner: Employee) -> None:
    if principal.has(Role.HR):
        return
    if goal_level is GoalLevel.ORGANISATION:
        if not principal.has(Role.LEADERSHIP):
            raise PermissionDenied("organisation goals are set by leadership or HR")
        return
    if principal.employee_id == owner.employee_id:
        if goal_level is GoalLevel.TEAM and not owner.is_manager:
            raise PermissionDenied("team goals belong to managers")
        return
    if goal_level is GoalLevel.INDIVIDUAL and owner.manager_id == principal.employee_id:
        return
    if goal_level is GoalLevel.TEAM and principal.employee_id in owner.chain:
        return
    raise PermissionDenied("only the owner, their manager or HR may change this goal")


def _facts(book: RollupBook, directory: Directory, owner: Employee, target: Goal) -> AlignmentFacts:
    state = _cycle_state(book.table, target.cycle_id)
    return AlignmentFacts(
        owner.manager_id, owner.chain, state is CycleState.CLOSED, tuple(book.ancestors(target.goal_id))
    )


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
        created_at=at,
        created_by=principal.employee_id,
    )


def create_goal(table: Table, principal: Principal, data: dict[str, Any], clock: Clock) -> dict[str, Any]:
    """Create a goal (aligned or not); returns it with drafting warnings about weights."""
    directory = Directory(table)
    owner = directory.get(data.get("owner_id") or principal.employee_id)
    if owner is None or not owner.active:
        raise ValidationFailed("Unknown owner.", {"owner_id": ["not an active employee"]})
    at = iso(clock.now())
    goal = _goal_from_data(data, clock.new_id(), owner, principal, at)
    _may_edit(principal, goal.level, owner)
    check_goal(goal)
    if _cycle_state(table, goal.cycle_id) is CycleState.CLOSED:
        raise Conflict("the cycle is closed; its goals are read-only")

    def work() -> Goal:
        book = RollupBook(table)
        if goal.parent_id:
            check_alignment(goal, book.goal(goal.parent_id), _facts(book, directory, owner, book.goal(goal.parent_id)))
        book.goals[goal.goal_id] = goal
        uow = UnitOfWork(table)
        _track_new(book, goal, uow)
        stored = stage_audited(
            uow,
            entity=keys.entity_goal(goal.goal_id),
            before=None,
            after=goal_to_item(goal),
            actor=principal.employee_id,
            action="create_goal",
            at=at,
            cycle_id=goal.cycle_id,
        )
        book.stage(uow)
        uow.commit()
        return goal_from_item(stored)

    saved = _retrying(work)
    return _with_warnings(table, saved)


def _track_new(book: RollupBook, goal: Goal, uow: UnitOfWork, progress: float | None = None) -> None:
    """Roll-ups and counters for a goal that starts to exist."""
    p = book.progress(goal, goal.cycle_id) if progress is None else progress
    w, ws = contribution(goal, p)
    if goal.parent_id:
        book.apply(goal.parent_id, goal.cycle_id, w, ws, 1, {goal.owner_id: 1})
    elif goal.level is not GoalLevel.ORGANISATION:
        book.totals[(goal.cycle_id, "", "orphans")] += 1
    if goal.status in AT_RISK:
        book.totals[(goal.cycle_id, "", "at_risk")] += 1
    if goal.level is GoalLevel.INDIVIDUAL:
        root = book.root_of(goal.parent_id)
        book.dept[(goal.cycle_id, goal.department, "individual")] += 1
        if root is not None and root.level is GoalLevel.ORGANISATION:
            book.dept[(goal.cycle_id, goal.department, "aligned")] += 1


def _with_warnings(table: Table, goal: Goal) -> dict[str, Any]:
    book = RollupBook(table)
    book.goals[goal.goal_id] = goal
    chain = [book.goal(g) for g in book.ancestors(goal.goal_id)[1:]]
    data = goal_json(goal, book.progress(goal, goal.cycle_id), chain)
    siblings = goals_of(table, goal.owner_id, goal.cycle_id) if goal.level is not GoalLevel.ORGANISATION else []
    data["warnings"] = weight_warnings(siblings)
    return data


EDITABLE = ("title", "description", "key_results", "weight", "due", "status", "parent_id")


def update_goal(
    table: Table, principal: Principal, goal_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> dict[str, Any]:
    """Edit a goal: progress, weight, status, or its alignment; roll-ups follow in the same transaction."""
    directory = Directory(table)

    def work() -> Goal:
        book = RollupBook(table)
        before_item = table.get(keys.goal(goal_id))
        if before_item is None:
            raise NotFound(f"no goal {goal_id!r}")
        old = goal_from_item(before_item)
        if old.version != expected_version:
            raise _own_stale(f"the goal was changed by someone else (now version {old.version}); reload it")
        owner = directory.get(old.owner_id)
        if owner is None:
            raise NotFound(f"no employee {old.owner_id!r}")
        _may_edit(principal, old.level, owner)
        if _cycle_state(table, old.cycle_id) is CycleState.CLOSED:
            raise Conflict("the cycle is closed; its goals are read-only")
        changes = {k: data[k] for k in EDITABLE if k in data}
        if "key_results" in changes:
            changes["key_results"] = [KeyResult(**kr) for kr in changes["key_results"]]
        if "status" in changes:
            changes["status"] = GoalStatus(changes["status"])
        new = replace(old, **changes)
        check_goal(new)
        book.goals[goal_id] = old
        p_old = book.progress(old, old.cycle_id)
        p_new = effective_progress(new, *_sums(book.rollup(goal_id, new.cycle_id)))
        if (p_new, new.status) != (p_old, old.status):
            new.history = [*old.history, {"at": iso(clock.now()), "progress": p_new, "status": new.status.value}][-50:]
        uow = UnitOfWork(table)
        c_old, c_new = contribution(old, p_old), contribution(new, p_new)
        if new.parent_id == old.parent_id:
            book.apply(old.parent_id, old.cycle_id, c_new[0] - c_old[0], c_new[1] - c_old[1], 0, {})
        else:
            _realign(book, directory, owner, old, new, c_old, c_new)
        book.goals[goal_id] = new
        if (old.status in AT_RISK) != (new.status in AT_RISK):
            book.totals[(old.cycle_id, "", "at_risk")] += 1 if new.status in AT_RISK else -1
        stored = stage_audited(
            uow,
            entity=keys.entity_goal(goal_id),
            before=before_item,
            after=goal_to_item(new),
            actor=principal.employee_id,
            action="update_goal",
            at=iso(clock.now()),
            cycle_id=old.cycle_id,
        )
        book.stage(uow)
        uow.commit()
        return goal_from_item(stored)

    return _with_warnings(table, _retrying(work))


def _sums(r: Rollup) -> tuple[float, float]:
    return r.weight_sum, r.weighted_sum


def _realign(
    book: RollupBook,
    directory: Directory,
    owner: Employee,
    old: Goal,
    new: Goal,
    c_old: tuple[float, float],
    c_new: tuple[float, float],
) -> None:
    """Move a goal (and everything aligned below it) from one parent to another."""
    if new.parent_id:
        target = book.goal(new.parent_id)
        check_alignment(new, target, _facts(book, directory, owner, target))
    subtree = _subtree(book.table, old)
    owners = Counter(g.owner_id for g in subtree)
    individual_by_dept = Counter(g.department for g in subtree if g.level is GoalLevel.INDIVIDUAL)
    root_old, root_new = book.root_of(old.parent_id), book.root_of(new.parent_id)
    if old.parent_id:
        book.apply(old.parent_id, old.cycle_id, -c_old[0], -c_old[1], -len(subtree), {o: -n for o, n in owners.items()})
    else:
        book.totals[(old.cycle_id, "", "orphans")] -= 1
    if new.parent_id:
        book.apply(new.parent_id, new.cycle_id, c_new[0], c_new[1], len(subtree), dict(owners))
    else:
        book.totals[(old.cycle_id, "", "orphans")] += 1
    was = root_old is not None and root_old.level is GoalLevel.ORGANISATION
    now = root_new is not None and root_new.level is GoalLevel.ORGANISATION
    if was != now:
        for department, n in individual_by_dept.items():
            book.dept[(old.cycle_id, department, "aligned")] += n if now else -n


def assign_to_team(
    table: Table, principal: Principal, source_goal_id: str, data: dict[str, Any], clock: Clock
) -> dict[str, Any]:
    """Give one goal to all direct reports (or a department): a personal copy each, aligned to the source."""
    directory = Directory(table)
    source = RollupBook(table).goal(source_goal_id)
    cycle_id = source.cycle_id or data.get("cycle_id")
    if cycle_id is None:
        raise ValidationFailed("Choose the cycle.", {"cycle_id": ["required for an organisation goal"]})
    if _cycle_state(table, cycle_id) is CycleState.CLOSED:
        raise Conflict("the cycle is closed")
    if data.get("department"):
        if not (principal.has(Role.HR) or principal.has(Role.LEADERSHIP)):
            raise PermissionDenied("HR or leadership give a goal to a whole department")
        people = directory.department(data["department"])
    else:
        manager_id = source.owner_id if source.level is GoalLevel.TEAM else principal.employee_id
        if principal.employee_id != manager_id and not principal.has(Role.HR):
            raise PermissionDenied("a manager gives their own team goal to their reports")
        people = directory.reports(manager_id)
    if not people:
        raise ValidationFailed("Nobody to give the goal to.", {"people": ["no active people in scope"]})
    at = iso(clock.now())
    created, skipped = [], []
    for start in range(0, len(people), ASSIGN_CHUNK):
        chunk = people[start : start + ASSIGN_CHUNK]

        def work(chunk: list[Employee] = chunk) -> list[str]:
            book = RollupBook(table)
            uow = UnitOfWork(table)
            made = []
            for person in chunk:
                if any(g.source_goal_id == source.goal_id for g in goals_of(table, person.employee_id, cycle_id)):
                    skipped.append(person.employee_id)
                    continue
                copy = Goal(
                    goal_id=clock.new_id(),
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
                check_alignment(copy, source, _facts(book, directory, person, source))
                book.goals[copy.goal_id] = copy
                _track_new(book, copy, uow)
                stage_audited(
                    uow,
                    entity=keys.entity_goal(copy.goal_id),
                    before=None,
                    after=goal_to_item(copy),
                    actor=principal.employee_id,
                    action="assign_goal",
                    at=at,
                    cycle_id=cycle_id,
                )
                made.append(copy.goal_id)
            book.stage(uow)
            uow.commit()
            return made

        created.extend(_retrying(work))
    return {"source_goal_id": source.goal_id, "created": created, "skipped": skipped}


def carry_over(table: Table, employee_id: str, cycle_id: str, clock: Clock, actor: str = "launch") -> list[str]:
    """Carry a person's unfinished goals of earlier cycles into a new cycle, with their history.

    A copy keeps its alignment to an organisation goal that stands across cycles; other alignments
    pointed into the old cycle, so the copy starts unaligned (it shows in the orphan list to realign).
    """
    mine = [goal_from_item(i) for i in table.query(f"GOALS#{employee_id}", index="gsi2")]
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
        book = RollupBook(table)
        uow = UnitOfWork(table)
        made = []
        for old in candidates:
            parent = book.goal(old.parent_id) if old.parent_id else None
            keep = parent is not None and parent.level is GoalLevel.ORGANISATION and parent.cycle_id is None
            progress = book.progress(old, old.cycle_id)
            copy = replace(
                old,
                goal_id=clock.new_id(),
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
            book.goals[copy.goal_id] = copy
            _track_new(book, copy, uow, progress if copy.key_results else None)
            stage_audited(
                uow,
                entity=keys.entity_goal(copy.goal_id),
                before=None,
                after=goal_to_item(copy),
                actor=actor,
                action="carry_over_goal",
                at=at,
                cycle_id=cycle_id,
            )
            made.append(copy.goal_id)
        book.stage(uow)
        uow.commit()
        return made

    return _retrying(work)


# --- the alignment report ---------------------------------------------------------------------


def alignment_report(table: Table, principal: Principal, cycle_id: str) -> dict[str, Any]:
    """Per organisation goal: aligned goals, people, weighted progress; by department: share aligned;
    orphan goals and goals at risk. Leadership and HR see everything, managers their subtree."""
    _cycle_state(table, cycle_id)
    if principal.has(Role.LEADERSHIP) or principal.has(Role.HR):
        return _org_report(table, cycle_id)
    if principal.has(Role.MANAGER):
        return _subtree_report(table, principal.employee_id, cycle_id)
    raise PermissionDenied("the alignment report is for leadership, HR and managers")


def _org_report(table: Table, cycle_id: str) -> dict[str, Any]:
    org = []
    for cyc in (None, cycle_id):
        index, pk, prefix = keys.org_goals(cyc)
        org.extend(goal_from_item(i) for i in table.query(pk, prefix, index=index))
    rollups = {(i["pk"]): i for i in table.get_many([keys.goal_rollup(g.goal_id, cycle_id) for g in org])}
    rows = []
    for g in org:
        r = _rollup_from(rollups.get(keys.goal_rollup(g.goal_id, cycle_id)["pk"]))
        rows.append(
            {
                "goal_id": g.goal_id,
                "title": g.title,
                "owner_id": g.owner_id,
                "status": g.status.value,
                "aligned_goals": r.goals,
                "people": r.people,
                "progress": effective_progress(g, r.weight_sum, r.weighted_sum),
            }
        )
    departments = []
    for item in table.query(keys.goal_stats(cycle_id, "x")["pk"], "DEPT#"):
        total, aligned = int(item.get("individual", 0)), int(item.get("aligned", 0))
        departments.append(
            {
                "department": item["department"],
                "individual_goals": total,
                "aligned": aligned,
                "share_aligned": round(aligned / total, 4) if total else None,
            }
        )
    totals = table.get(keys.goal_totals(cycle_id)) or {}
    o_index, o_pk = keys.orphan_goals(cycle_id)
    r_index, r_pk = keys.at_risk_goals(cycle_id)
    orphans = table.query_page(o_pk, index=o_index, limit=LIST_LIMIT).items
    at_risk = table.query_page(r_pk, index=r_index, limit=LIST_LIMIT).items
    return {
        "cycle_id": cycle_id,
        "scope": "organisation",
        "organisation_goals": sorted(rows, key=lambda r: r["title"].casefold()),
        "departments": sorted(departments, key=lambda d: d["department"].casefold()),
        "orphans": {"count": int(totals.get("orphans", 0)), "goals": [_brief(i) for i in orphans]},
        "at_risk": {"count": int(totals.get("at_risk", 0)), "goals": [_brief(i) for i in at_risk]},
    }


def _brief(item: Item) -> dict[str, Any]:
    return {k: item.get(k) for k in ("goal_id", "title", "level", "owner_id", "department", "status")}


def _subtree_report(table: Table, manager_id: str, cycle_id: str) -> dict[str, Any]:
    """The same figures over a manager's subtree, computed from its goals (grows with the subtree)."""
    directory = Directory(table)
    people, queue = [], [manager_id]
    while queue:
        for p in directory.reports(queue.pop()):
            people.append(p)
            queue.append(p.employee_id)
    book = RollupBook(table)
    goals = [g for p in people for g in goals_of(table, p.employee_id, cycle_id)]
    for g in goals:
        book.goals[g.goal_id] = g
    per_org: dict[str, dict[str, Any]] = {}
    per_dept: dict[str, list[int]] = {}
    orphans, at_risk = [], []
    for g in goals:
        root = book.root_of(g.goal_id)
        aligned = root is not None and root.level is GoalLevel.ORGANISATION and root.goal_id != g.goal_id
        if g.level is GoalLevel.INDIVIDUAL:
            row = per_dept.setdefault(g.department, [0, 0])
            row[0] += 1
            row[1] += aligned
        if g.parent_id is None:
            orphans.append(_brief(goal_to_item(g)))
        if g.status in AT_RISK:
            at_risk.append(_brief(goal_to_item(g)))
        if aligned and root is not None:
            entry = per_org.setdefault(
                root.goal_id,
                {
                    "goal_id": root.goal_id,
                    "title": root.title,
                    "owner_id": root.owner_id,
                    "status": root.status.value,
                    "aligned_goals": 0,
                    "people": set(),
                    "ws": 0.0,
                    "w": 0.0,
                },
            )
            entry["aligned_goals"] += 1
            entry["people"].add(g.owner_id)
            if g.level is GoalLevel.INDIVIDUAL:
                w, ws = contribution(g, book.progress(g, cycle_id))
                entry["w"] += w
                entry["ws"] += ws
    rows = [
        {
            "goal_id": e["goal_id"],
            "title": e["title"],
            "owner_id": e["owner_id"],
            "status": e["status"],
            "aligned_goals": e["aligned_goals"],
            "people": len(e["people"]),
            "progress": round(e["ws"] / e["w"], 2) if e["w"] else 0.0,
        }
        for e in per_org.values()
    ]
    return {
        "cycle_id": cycle_id,
        "scope": f"subtree of {manager_id}",
        "organisation_goals": sorted(rows, key=lambda r: r["title"].casefold()),
        "departments": [
            {"department": d, "individual_goals": t, "aligned": a, "share_aligned": round(a / t, 4) if t else None}
            for d, (t, a) in sorted(per_dept.items())
        ],
        "orphans": {"count": len(orphans), "goals": orphans[:LIST_LIMIT]},
        "at_risk": {"count": len(at_risk), "goals": at_risk[:LIST_LIMIT]},
    }
