"""Goals and their roll-ups in the table: `uow.goals` and `uow.rollups`.

A goal is one item (`GOAL#id / GOAL`) indexed by level, parent, owner and risk. Its roll-up figures
live in separate items (`GOAL#id / ROLLUP#cycle`: Σweight, Σweight×progress, goals aligned below,
people contributing), with one marker per person under an organisation goal and counters per
department and cycle, so the organisation-wide report reads a number of items that does not grow
with the number of individual goals.

Both repositories keep what they read for the rest of the unit of work (two chains may share
ancestors, and a roll-up changed twice is written once); `forget()` drops it so a retry reads afresh.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, tzinfo
from typing import TYPE_CHECKING, Any

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Delete, Increment, Item, Put
from service.domain.checkins import next_check_in
from service.domain.errors import NO_GOAL, NotFound
from service.domain.goals import AT_RISK, Goal, GoalLevel, GoalStatus, effective_progress

if TYPE_CHECKING:
    from service.adapters.ports import UnitOfWorkPort


GOAL: Codec[Goal] = Codec(
    Goal,
    "goal",
    lambda g: {
        **keys.goal(g.goal_id),
        **keys.goal_gsi(g.goal_id, g.level.value, g.owner_id, g.cycle_id, g.parent_id, g.status in AT_RISK),
    },
)
goal_to_item, goal_from_item = GOAL.to_item, GOAL.from_item


class GoalRepository(Repository):
    """Goals: reads cached for the unit of work, audited saves, and the queries of the indexes."""

    def __init__(self, uow: UnitOfWorkPort) -> None:
        super().__init__(uow)
        self._cache: dict[str, Goal] = {}
        self._above: dict[str, list[str]] = {}  # goal id → the ids above it, as its item's hint says
        self._total_ops: dict[tuple[str, str], Increment] = {}  # (cycle, owner) → its weight total's staged write

    def forget(self) -> None:
        """Drop the goals read so far (a retry reads them again)."""
        self._cache = {}
        self._above = {}

    def start_owner_totals(self, cycle_id: str) -> None:
        """Stage the mark that every goal of this cycle is counted in its owner's weight total (at its creation)."""
        mark = {**keys.goal_owner_total(cycle_id), "type": "goal_owner_totals", "version": 1, "check_ins": True}
        self._uow.add(Put(mark))  # `check_ins`: every goal of it keeps its check-in mark (`_mark_check_in`)

    def drop_owner_totals(self, cycle_id: str) -> None:
        """Stage the removal of the cycle's mark (a draft cycle deleted: no goal of it is counted any more)."""
        self._uow.add(Delete(keys.goal_owner_total(cycle_id)))

    def read_owner_total_along(self, owner_id: str, cycle_id: str) -> None:
        """An owner's weight total in a cycle and the cycle's mark ride in the next batch read."""
        self._uow.read_along([keys.goal_owner_total(cycle_id), keys.goal_owner_total(cycle_id, owner_id)])

    def kept_weight_total(self, owner_id: str, cycle_id: str) -> tuple[bool, int | None]:
        """(known, total): the sum of an owner's individual goal weights in a cycle as kept by the goals' saves (None:
        no such goal), known when this unit of work read it and the cycle's mark already (else query the goals)."""
        mark, kept = keys.goal_owner_total(cycle_id), keys.goal_owner_total(cycle_id, owner_id)
        if not all(self._uow.cached(k) is not None or self._uow.known_absent(k) for k in (mark, kept)):
            return False, None
        if self._uow.cached(mark) is None:
            return False, None  # a cycle created before the totals were kept
        item = self._uow.cached(kept) or {}
        return True, (int(item.get("weight", 0)) if int(item.get("goals", 0)) > 0 else None)

    def kept_goals(self, owner_id: str, cycle_id: str) -> list[tuple[str, int, float]] | None:
        """(goal id, weight, progress) of an owner's individual goals in a cycle (dropped ones aside), by goal id, as
        their saves kept them (an individual goal's progress is its own: no goal aligns below one); None when this
        unit of work has not read the kept total and the cycle's mark (query the goals)."""
        known, _ = self.kept_weight_total(owner_id, cycle_id)
        if not known:
            return None
        item = self._uow.cached(keys.goal_owner_total(cycle_id, owner_id)) or {}
        ids = sorted(k[len(WEIGHT) :] for k in item if k.startswith(WEIGHT))
        kept = [(g, int(item[WEIGHT + g]), int(item.get(PROGRESS + g, 0)) / 100) for g in ids]
        return [k for k in kept if k[1] > 0]

    def _count_weight(self, before: Goal | None, after: Goal) -> None:
        """Move the owners' weight totals (and each goal's weight and progress there) by this save: one write per
        owner and cycle per transaction, adding the change, so concurrent saves of other goals add up."""
        moves: dict[tuple[str, str], dict[str, int]] = {}
        for goal, sign in ((before, -1), (after, 1)):
            if goal is None or goal.cycle_id is None or not _weighed(goal):
                continue
            move = moves.setdefault((goal.cycle_id, goal.owner_id), {})
            progress = round(effective_progress(goal, 0.0, 0.0) * 100)  # hundredths: exact sums
            for name, value in (("weight", goal.weight), ("goals", 1)):
                move[name] = move.get(name, 0) + sign * value
            for name, value in ((WEIGHT + goal.goal_id, goal.weight), (PROGRESS + goal.goal_id, progress)):
                move[name] = move.get(name, 0) + sign * value
        for (cycle_id, owner_id), deltas in moves.items():
            deltas = {k: v for k, v in deltas.items() if v}
            if not deltas:
                continue
            key = keys.goal_owner_total(cycle_id, owner_id)
            self._uow.seen.pop((key["pk"], key["sk"]), None)  # moved by this write: read it again after
            op = self._total_ops.get((cycle_id, owner_id))
            if op is None or not any(o is op for o in self._uow.ops):
                op = Increment(key, {}, {"type": "goal_owner_total"})
                self._uow.add(op)
                self._total_ops[(cycle_id, owner_id)] = op
            for name, delta in deltas.items():
                op.deltas[name] = op.deltas.get(name, 0) + delta

    def note(self, goal: Goal) -> Goal:
        """Keep a goal as this unit of work sees it (read by a query, or about to be saved)."""
        self._cache[goal.goal_id] = goal
        return goal

    def get(self, goal_id: str) -> Goal | None:
        """One goal, or None (read once per unit of work)."""
        if goal_id not in self._cache:
            item = self._get(keys.goal(goal_id))
            if item is None:
                return None
            self._cache[goal_id] = goal_from_item(item)
        return self._cache[goal_id]

    def existing(self, goal_id: str) -> Goal:
        """One goal; NotFound if there is none."""
        goal = self.get(goal_id)
        if goal is None:
            raise NotFound(NO_GOAL)
        return goal

    def exists(self, goal_id: str) -> bool:
        """Whether a goal is stored now (a strongly consistent read, past any cache or index lag)."""
        return self._table.get(keys.goal(goal_id), consistent=True) is not None

    def get_many(self, goal_ids: list[str]) -> dict[str, Goal]:
        """Goals by id (missing ones are left out)."""
        missing = [g for g in dict.fromkeys(goal_ids) if g not in self._cache]
        if missing:
            for item in self._get_many([keys.goal(g) for g in missing]):
                self.note(goal_from_item(item))
        return {g: self._cache[g] for g in goal_ids if g in self._cache}

    def read_above_along(self, goals: list[Goal]) -> None:
        """The goals these goals' items say are above them ride in the next batch read (their roll-ups'), so the
        chain costs no read of its own. The hint is only a guess: `preload_ancestors` follows each `parent_id` as
        stored and reads what the hint missed."""
        wanted = {a for g in goals for a in self._above.get(g.goal_id, []) if a not in self._cache}
        self._uow.read_along([keys.goal(a) for a in sorted(wanted)])

    def preload_ancestors(self, goals: list[Goal]) -> None:
        """Read the goals above these, one batch per level of alignment (not one read per goal)."""
        frontier = {g.parent_id for g in goals if g.parent_id}
        seen: set[str] = set()
        while frontier - seen:
            wanted = sorted(frontier - seen)
            seen |= set(wanted)
            found = self.get_many(wanted)
            frontier = {g.parent_id for g in found.values() if g.parent_id}

    def ancestors(self, goal_id: str) -> list[str]:
        """A goal and every goal above it, bottom up."""
        chain: list[str] = []
        current: str | None = goal_id
        while current and current not in chain:
            chain.append(current)
            current = self.existing(current).parent_id
        return chain

    def chain_above(self, goal_id: str) -> list[Goal]:
        """The goals above a goal, up to the top of its alignment."""
        return [self.existing(g) for g in self.ancestors(goal_id)[1:]]

    def root_of(self, goal_id: str | None) -> Goal | None:
        """The top of a goal's alignment chain (None: no goal)."""
        top = None
        while goal_id:
            top = self.existing(goal_id)
            goal_id = top.parent_id
        return top

    def of_owner(self, owner_id: str, cycle_id: str | None) -> list[Goal]:
        """Someone's goals in a cycle (None: organisation goals standing across cycles)."""
        index, pk, prefix = keys.owner_goals(owner_id, cycle_id)
        return self._query(pk, prefix, index)

    def every_of_owner(self, owner_id: str) -> list[Goal]:
        """Someone's goals in every cycle."""
        index, pk, _ = keys.owner_goals(owner_id, None)
        return self._query(pk, None, index)

    def children(self, goal_id: str) -> list[Goal]:
        """Goals aligned directly to a goal."""
        index, pk = keys.goal_children(goal_id)
        return self._query(pk, None, index)

    def organisation(self, cycle_id: str | None) -> list[Goal]:
        """Organisation goals standing across cycles, then those of one cycle."""
        found = []
        for cyc in dict.fromkeys((None, cycle_id)):
            index, pk, prefix = keys.org_goals(cyc)
            found.extend(self._query(pk, prefix, index))
        return found

    def orphans(self, cycle_id: str, limit: int) -> list[Goal]:
        """The first goals of a cycle aligned to nothing (organisation goals aside)."""
        index, pk = keys.orphan_goals(cycle_id)
        return [goal_from_item(i) for i in self._table.query_page(pk, index=index, limit=limit).items]

    def at_risk(self, cycle_id: str, limit: int) -> list[Goal]:
        """The first goals of a cycle at risk or off track."""
        index, pk = keys.at_risk_goals(cycle_id)
        return [goal_from_item(i) for i in self._table.query_page(pk, index=index, limit=limit).items]

    def behind(self, cycle_id: str, on: date, limit: int) -> list[Goal]:
        """The first goals of a cycle whose day of falling behind has come by `on`, earliest first (one query
        page of their roll-ups, one batch of goals)."""
        index, pk = keys.behind_goals(cycle_id)
        page = self._table.query_page(pk, index=index, limit=limit).items
        ids = [i["goal_id"] for i in page if i["behind_on"] <= on.isoformat()]
        found = self.get_many(ids) if ids else {}
        return [found[i] for i in ids if i in found]

    def save(self, goal: Goal, *, new: bool, actor: str, action: str, at: str, zone: tzinfo | None = None) -> Goal:
        """Stage the audited goal (an update must follow its read here); returns it as stored. Its check-in mark is
        due on a day of the organisation's wall (`zone`)."""
        audit = {"actor": actor, "action": action, "at": at, "cycle_id": goal.cycle_id}
        item = goal_to_item(goal) | {"above": self._chain_hint(goal)}
        before = None if new else self._before(keys.goal(goal.goal_id))
        self._count_weight(goal_from_item(before) if before else None, goal)
        self._mark_check_in(goal_from_item(before) if before else None, goal, zone)
        stored = goal_from_item(self._audited(keys.entity_goal(goal.goal_id), item, new, **audit))
        return self.note(stored)

    def _mark_check_in(self, before: Goal | None, after: Goal, zone: tzinfo | None) -> None:
        """Keep the goal's place among its cycle's check-ins due by day (issue 24: the daily reminders read the
        days due, not every participant's goals): moved when its next check-in, title or owner changes."""
        now = _check_in_mark(after, zone)
        # A mark stored while its day was the UTC date may sit on another day than the organisation's: it goes too.
        marks = {m["sk"]: m for m in (_check_in_mark(before, UTC), _check_in_mark(before, zone)) if m is not None}
        if now is not None and marks.get(now["sk"]) == now and len(marks) == 1:
            return
        for was in marks.values():
            if now is None or was["sk"] != now["sk"]:
                self._uow.add(Delete({"pk": was["pk"], "sk": was["sk"]}))
        if now is not None and marks.get(now["sk"]) != now:
            self._uow.add(Put(now))

    def check_in_marks_kept(self, cycle_ids: list[str]) -> set[str]:
        """Which of these cycles keep a check-in mark for every goal (created since issue 24): one batch read."""
        items = self._get_many([keys.goal_owner_total(c) for c in cycle_ids]) if cycle_ids else []
        by_pk = {i["pk"]: i for i in items if i.get("check_ins")}
        return {c for c in cycle_ids if keys.goal_owner_total(c)["pk"] in by_pk}

    def check_ins_due(self, cycle_id: str, today: date) -> list[Item]:
        """The check-in marks of a cycle's goals due by `today` (ISO `due`, `goal_id`, `owner_id`, `title`), read in
        pages by day up to the first one after today."""
        found: list[Item] = []
        cursor = None
        last = today.isoformat()
        while True:
            page = self._table.query_page(keys.check_ins_due(cycle_id), cursor=cursor)
            for item in page.items:
                if str(item["due"]) > last:
                    return found
                found.append(item)
            if page.cursor is None:
                return found
            cursor = page.cursor

    def _chain_hint(self, goal: Goal) -> list[str]:
        """The ids above a goal as this unit of work knows them (its alignment checks read them), kept on its item
        for the batch reads of `read_above_along`; where the chain was not read, the stored hint when the parent
        is unchanged. A stale hint costs a read, never a wrong chain."""
        chain: list[str] = []
        current = goal.parent_id
        while current and current not in chain and current in self._cache:
            chain.append(current)
            current = self._cache[current].parent_id
        if current and current not in chain:  # not read here: keep the hint stored beside the same parent
            before = self._before(keys.goal(goal.goal_id)) or {}
            if before.get("parent_id") == goal.parent_id:
                return [str(a) for a in before.get("above") or []]
        return chain

    def _query(self, pk: str, prefix: str | None, index: str) -> list[Goal]:
        found = []
        for item in self._table.query(pk, prefix, index=index):
            goal = self.note(goal_from_item(item))
            self._above[goal.goal_id] = [str(a) for a in item.get("above") or []]
            found.append(goal)
        return found


def _check_in_mark(goal: Goal | None, zone: tzinfo | None) -> Item | None:
    """The check-in mark a goal keeps (None: no check-in due: no rhythm, finished, archived or in no cycle)."""
    due = None if goal is None or goal.archived or not goal.cycle_id else next_check_in(goal, zone)
    if goal is None or due is None or not goal.cycle_id:
        return None
    return {
        **keys.check_in_due(goal.cycle_id, due.isoformat(), goal.goal_id),
        "type": "check_in_due",
        "due": due.isoformat(),
        "goal_id": goal.goal_id,
        "owner_id": goal.owner_id,
        "title": goal.title,
    }


WEIGHT, PROGRESS = "w#", "p#"  # an owner's weight total item: a goal's weight, its progress in hundredths


def _weighed(goal: Goal) -> bool:
    """Does a goal count in its owner's weight total (individual, not dropped: as the self assessment checks)?"""
    return goal.level is GoalLevel.INDIVIDUAL and goal.status is not GoalStatus.DROPPED


@dataclass
class Rollup:
    """The rolled-up figures of one goal in one cycle."""

    weight_sum: float = 0.0
    weighted_sum: float = 0.0
    goals: int = 0
    people: int = 0
    version: int = 0
    behind_on: str = ""  # the day this goal falls behind at its progress (ISO; "": never); see `stage`
    behind_slot: int = 0  # that day's slot in the cycle's counters (`behind_slot`; 0: none)
    slot_was: int = field(default=0, repr=False)  # as read, to move the counters when it changes


class RollupStore(Repository):
    """Roll-ups, people markers and counters: read once, changed in memory, staged once by `stage()`."""

    def __init__(self, uow: UnitOfWorkPort) -> None:
        super().__init__(uow)
        self.forget()

    def forget(self) -> None:
        """Drop what was read and changed (a retry starts again from the table)."""
        self._rollups: dict[tuple[str, str | None], Rollup] = {}
        self._markers: dict[tuple[str, str | None, str], list[int]] = {}  # [count, version]
        self._dirty: set[tuple[str, str | None]] = set()
        self._dirty_markers: set[tuple[str, str | None, str]] = set()
        self._dept: Counter = Counter()
        self._totals: Counter = Counter()
        self._behind: Counter = Counter()

    def start(self, goal_id: str, cycle_id: str | None) -> Rollup:
        """The (zero) roll-up of a goal that starts to exist in this unit of work: nothing to read."""
        return self._rollups.setdefault((goal_id, cycle_id), Rollup())

    def get(self, goal_id: str, cycle_id: str | None) -> Rollup:
        """A goal's roll-up for a cycle (zero if none yet); change it, then call `changed`."""
        key = (goal_id, cycle_id)
        if key not in self._rollups:
            self._rollups[key] = rollup_from_item(self._table.get(keys.goal_rollup(goal_id, cycle_id)))
        return self._rollups[key]

    def get_many(self, goal_ids: list[str], cycle_id: str) -> dict[str, Rollup]:
        """The roll-ups of several goals in one cycle (one batch read)."""
        found = {i["pk"]: i for i in self._table.get_many([keys.goal_rollup(g, cycle_id) for g in goal_ids])}
        return {g: rollup_from_item(found.get(keys.goal_rollup(g, cycle_id)["pk"])) for g in goal_ids}

    def preload(self, goals: list[Goal], cycle_id: str | None) -> None:
        """Read the roll-ups `progress` will need for these goals in one batch (a goal with key results takes its
        progress from them: its roll-up is not read)."""
        wanted = [(g.goal_id, g.cycle_id or cycle_id) for g in goals if g.kr_progress is None]
        missing = [w for w in dict.fromkeys(wanted) if w not in self._rollups]
        if not missing:
            return
        items = self._get_many([keys.goal_rollup(g, c) for g, c in missing], cached=False)
        by_key = {(i["pk"], i["sk"]): i for i in items}
        for g, c in missing:
            k = keys.goal_rollup(g, c)
            self._rollups[(g, c)] = rollup_from_item(by_key.get((k["pk"], k["sk"])))

    def progress(self, goal: Goal, cycle_id: str | None) -> float:
        """A goal's effective progress (its own cycle's roll-up; `cycle_id` for one across cycles)."""
        if goal.kr_progress is not None:  # key results first (effective_progress): no roll-up to read
            return effective_progress(goal, 0.0, 0.0)
        r = self.get(goal.goal_id, goal.cycle_id or cycle_id)
        return effective_progress(goal, r.weight_sum, r.weighted_sum)

    def changed(self, goal_id: str, cycle_id: str | None) -> None:
        """Mark a roll-up got from `get` as changed (staged by `stage`)."""
        self._dirty.add((goal_id, cycle_id))

    def add_people(self, root_id: str, cycle_id: str | None, people: dict[str, int]) -> int:
        """Count goals per person under an organisation goal; returns the change in people contributing."""
        delta = 0
        for owner, n in people.items():
            marker = self._marker(root_id, cycle_id, owner)
            before = marker[0]
            marker[0] += n
            delta += (before <= 0 < marker[0]) - (marker[0] <= 0 < before)
        return delta

    def count_department(self, cycle_id: str | None, department: str, name: str, delta: int) -> None:
        """Add to a department's goal counter in a cycle ("individual", "aligned")."""
        self._dept[(cycle_id, department, name)] += delta

    def count_total(self, cycle_id: str | None, name: str, delta: int) -> None:
        """Add to a cycle's goal counter ("orphans", "at_risk")."""
        self._totals[(cycle_id, name)] += delta

    def departments(self, cycle_id: str) -> list[Item]:
        """Per department of a cycle: {department, individual, aligned}."""
        pk = keys.goal_stats(cycle_id, "x")["pk"]
        return [
            {"department": i["department"], **{n: int(i.get(n, 0)) for n in ("individual", "aligned")}}
            for i in self._table.query(pk, "DEPT#")
        ]

    def behind_count(self, cycle_id: str, slot: int) -> int:
        """How many goals of a cycle have fallen behind by the day of `slot` (`behind_slot`): at most
        log2(SLOTS) counters in one batch read, however many goals and days."""
        nodes = _prefix_nodes(slot)
        found = self._table.get_many([keys.goal_behind_count(cycle_id, n) for n in nodes]) if nodes else []
        return sum(int(i.get("goals", 0)) for i in found)

    def totals(self, cycle_id: str) -> dict[str, int]:
        """A cycle's counts of orphan and at-risk goals."""
        item = self._table.get(keys.goal_totals(cycle_id)) or {}
        return {name: int(item.get(name, 0)) for name in ("orphans", "at_risk")}

    def stage(self) -> None:
        """Stage every changed roll-up (versioned), marker (versioned) and counter (added) once."""
        uow = self._uow
        for goal_id, cycle_id in sorted(self._dirty, key=str):
            r = self._rollups[(goal_id, cycle_id)]
            item = {
                **keys.goal_rollup(goal_id, cycle_id),
                "type": "goal_rollup",
                "weight_sum": r.weight_sum,
                "weighted_sum": r.weighted_sum,
                "goals": r.goals,
                "people": r.people,
                "version": r.version + 1,
            }
            if r.behind_on and cycle_id:
                item.update(
                    goal_id=goal_id,
                    behind_on=r.behind_on,
                    behind_slot=r.behind_slot,
                    **keys.goal_behind_gsi(cycle_id, r.behind_on, goal_id),
                )
            if r.behind_slot != r.slot_was and cycle_id:
                for node in _update_nodes(r.slot_was):
                    self._behind[(cycle_id, node)] -= 1
                for node in _update_nodes(r.behind_slot):
                    self._behind[(cycle_id, node)] += 1
            uow.add(Put(item, expect_version=r.version) if r.version else Put(item, must_not_exist=True))
        for root_id, cycle_id, owner in sorted(self._dirty_markers, key=str):
            count, version = self._markers[(root_id, cycle_id, owner)]
            item = {**keys.goal_person(root_id, cycle_id, owner), "type": "goal_person", "count": count}
            item["version"] = version + 1
            uow.add(Put(item, expect_version=version) if version else Put(item, must_not_exist=True))
        for (cycle_id, department), counts in _grouped(self._dept).items():
            defaults = {"type": "goal_stats", "department": department}
            uow.add(Increment(keys.goal_stats(cycle_id, department), counts, defaults))
        for (cycle_id,), counts in _grouped(self._totals).items():
            uow.add(Increment(keys.goal_totals(cycle_id), counts, {"type": "goal_totals"}))
        for (cycle_id, node), delta in sorted(self._behind.items()):
            if delta:
                uow.add(Increment(keys.goal_behind_count(cycle_id, node), {"goals": delta}, {"type": "goal_behind"}))
        # Staged means written by the commit that follows: later changes build on these versions.
        for key in self._dirty:
            self._rollups[key].version += 1
            self._rollups[key].slot_was = self._rollups[key].behind_slot
        for key in self._dirty_markers:
            self._markers[key][1] += 1
        self._dirty, self._dirty_markers = set(), set()
        self._dept, self._totals, self._behind = Counter(), Counter(), Counter()

    def _marker(self, root_id: str, cycle_id: str | None, owner: str) -> list[int]:
        key = (root_id, cycle_id, owner)
        if key not in self._markers:
            item = self._table.get(keys.goal_person(root_id, cycle_id, owner))
            self._markers[key] = [int(item["count"]), int(item["version"])] if item else [0, 0]
        self._dirty_markers.add(key)
        return self._markers[key]


def rollup_from_item(item: Item | None) -> Rollup:
    """Item → Rollup (zero when there is none yet)."""
    if not item:
        return Rollup()
    return Rollup(
        float(item["weight_sum"]),
        float(item["weighted_sum"]),
        int(item["goals"]),
        int(item.get("people", 0)),
        int(item["version"]),
        item.get("behind_on", ""),
        int(item.get("behind_slot", 0)),
        int(item.get("behind_slot", 0)),
    )


# The goals behind by a day are counted in a Fenwick tree over the days of a cycle (slot 1: its first day): a
# write moves at most log2(SLOTS) counters, the report sums at most as many, whatever the size of the organisation.
SLOTS = 1024  # about 2.8 years from the cycle's start; a later day counts in the last slot


def behind_slot(day: date | None, epoch: date) -> int:
    """A day's slot in a cycle's counters of goals behind (`epoch`: the cycle's start; 0: no day)."""
    if day is None:
        return 0
    return min(max((day - epoch).days + 1, 1), SLOTS)


def _update_nodes(slot: int) -> list[int]:
    nodes = []
    while 0 < slot <= SLOTS:
        nodes.append(slot)
        slot += slot & -slot
    return nodes


def _prefix_nodes(slot: int) -> list[int]:
    nodes = []
    slot = min(slot, SLOTS)
    while slot > 0:
        nodes.append(slot)
        slot -= slot & -slot
    return nodes


def _grouped(counter: Counter) -> dict[tuple[Any, ...], dict[str, int]]:
    """Counter changes by item (one op per item: a transaction may touch an item once)."""
    out: dict[tuple[Any, ...], dict[str, int]] = {}
    for (*item, name), value in counter.items():
        if value:
            out.setdefault(tuple(item), {})[name] = value
    return out
