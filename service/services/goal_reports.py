"""The two alignment reports: the organisation's, read from roll-ups kept up to date on write, and a
manager's subtree, computed from the subtree's goals (its cost grows with the subtree)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from service.adapters.goal_store import behind_slot
from service.adapters.unit_of_work import UnitOfWork
from service.domain.checkins import last_check_in
from service.domain.directory import Employee
from service.domain.goals import (
    Goal,
    GoalLevel,
    GoalStatus,
    Pace,
    PaceCheck,
    contribution,
    effective_progress,
    needs_attention,
    standing,
)

LIST_LIMIT = 50
# A goal's pace given its progress (services/goals.py `_pacer`: on the day the report is read; None: no pace).
Pacer = Callable[[Goal, float], PaceCheck | None]


def _no_pace(_goal: Goal, _progress: float) -> PaceCheck | None:
    return None


@dataclass(frozen=True)
class GoalBrief:
    """A goal in a list of the alignment report."""

    goal_id: str
    title: str
    level: GoalLevel
    owner_id: str
    department: str
    status: GoalStatus  # after a check-in: its confidence
    standing: str  # the badge, as on the goal pages: the status, or "behind" when progress trails the time gone
    checked_in: str | None = None  # when the latest check-in was (issue 28)

    @classmethod
    def of(cls, goal: Goal, badge: str | None = None) -> GoalBrief:
        """The brief of a stored goal (its badge: its status unless a pace says otherwise)."""
        return cls(
            goal.goal_id,
            goal.title,
            goal.level,
            goal.owner_id,
            goal.department,
            goal.status,
            badge or goal.status,
            last_check_in(goal),
        )


@dataclass(frozen=True)
class GoalsListed:
    """How many goals are in a list, and the first `LIST_LIMIT` of them."""

    count: int
    goals: list[GoalBrief]


@dataclass(frozen=True)
class OrganisationGoalRow:
    """One organisation goal: the goals aligned under it, their people and its weighted progress."""

    goal_id: str
    title: str
    owner_id: str
    status: GoalStatus
    standing: str  # the badge, as on the goal pages: the status, or "behind" when progress trails the time gone
    aligned_goals: int
    people: int
    progress: float
    key_results: list[str] = field(default_factory=list)  # each "title: where it stands", by its direction
    checked_in: str | None = None  # when the latest check-in was: `status` is its confidence (issue 28)


def key_result_lines(goal: Goal) -> list[str]:
    """A goal's key results in words that fit their direction ("p95 latency: 300 ms now, target 200 ms or less…")."""
    return [f"{kr.title}: {kr.words()}" for kr in goal.key_results]


@dataclass(frozen=True)
class DepartmentRow:
    """A department's individual goals and the share of them aligned to an organisation goal."""

    department: str
    individual_goals: int
    aligned: int
    share_aligned: float | None


@dataclass(frozen=True)
class AlignmentReport:
    """The alignment report of a cycle, over the organisation or a manager's subtree."""

    cycle_id: str
    scope: str
    organisation_goals: list[OrganisationGoalRow]
    departments: list[DepartmentRow]
    orphans: GoalsListed
    at_risk: GoalsListed


@dataclass
class _Tally:
    root: Goal
    aligned_goals: int = 0
    people: set[str] = field(default_factory=set)
    w: float = 0.0
    ws: float = 0.0


def _share(aligned: int, individual: int) -> float | None:
    return round(aligned / individual, 4) if individual else None


def organisation_report(
    uow: UnitOfWork, cycle_id: str, paced: Pacer = _no_pace, on: date | None = None
) -> AlignmentReport:
    """Per organisation goal (its standing by `paced`), per department, orphans and at risk: a fixed number of
    reads. At risk: the goals whose owners said so (at risk, off track: counted as they are written), the
    organisation goals behind their time on `on`, and the cycle's other goals whose stored day of falling behind
    (kept by every write that changes their progress, status or period) has come by `on`."""
    org = uow.goals.organisation(cycle_id)
    rollups = uow.rollups.get_many([g.goal_id for g in org], cycle_id)
    rows, behind = [], []
    for g in org:
        r = rollups[g.goal_id]
        progress = effective_progress(g, r.weight_sum, r.weighted_sum)
        badge = standing(g.status, paced(g, progress))
        if badge == Pace.BEHIND:  # the owner's "at risk" and "off track" are in the flagged list already
            behind.append(GoalBrief.of(g, badge))
        rows.append(
            OrganisationGoalRow(
                g.goal_id,
                g.title,
                g.owner_id,
                g.status,
                badge,
                r.goals,
                r.people,
                progress,
                key_result_lines(g),
                last_check_in(g),
            )
        )
    departments = [
        DepartmentRow(d["department"], d["individual"], d["aligned"], _share(d["aligned"], d["individual"]))
        for d in uow.rollups.departments(cycle_id)
    ]
    totals = uow.rollups.totals(cycle_id)
    flagged = [GoalBrief.of(g) for g in uow.goals.at_risk(cycle_id, LIST_LIMIT)]
    behind_count = len(behind)
    cycle = uow.cycles.get(cycle_id)
    if on is not None and cycle is not None:
        behind_count += uow.rollups.behind_count(cycle_id, behind_slot(on, cycle.period_start))
        behind += [GoalBrief.of(g, Pace.BEHIND.value) for g in uow.goals.behind(cycle_id, on, LIST_LIMIT)]
    return AlignmentReport(
        cycle_id=cycle_id,
        scope="organisation",
        organisation_goals=sorted(rows, key=lambda r: r.title.casefold()),
        departments=sorted(departments, key=lambda d: d.department.casefold()),
        orphans=GoalsListed(totals["orphans"], [GoalBrief.of(g) for g in uow.goals.orphans(cycle_id, LIST_LIMIT)]),
        at_risk=GoalsListed(totals["at_risk"] + behind_count, (behind + flagged)[:LIST_LIMIT]),
    )


def _everyone_below(uow: UnitOfWork, manager_id: str) -> list[Employee]:
    people, queue = [], [manager_id]
    while queue:
        for p in uow.directory.reports(queue.pop()):
            people.append(p)
            queue.append(p.employee_id)
    return people


def subtree_report(uow: UnitOfWork, manager_id: str, cycle_id: str, paced: Pacer = _no_pace) -> AlignmentReport:
    """The same figures over a manager's subtree, computed from its goals (a row's standing: its goal's pace at the
    progress the row shows)."""
    goals = [g for p in _everyone_below(uow, manager_id) for g in uow.goals.of_owner(p.employee_id, cycle_id)]
    uow.rollups.preload(goals, cycle_id)
    per_org: dict[str, _Tally] = {}
    per_dept: dict[str, list[int]] = {}
    orphans: list[GoalBrief] = []
    at_risk: list[GoalBrief] = []
    for g in goals:
        root = uow.goals.root_of(g.goal_id)
        aligned = root is not None and root.level is GoalLevel.ORGANISATION and root.goal_id != g.goal_id
        if g.level is GoalLevel.INDIVIDUAL:
            row = per_dept.setdefault(g.department, [0, 0])
            row[0] += 1
            row[1] += aligned
        if g.parent_id is None:
            orphans.append(GoalBrief.of(g))
        check = paced(g, uow.rollups.progress(g, cycle_id))
        if needs_attention(g.status, check):
            at_risk.append(GoalBrief.of(g, standing(g.status, check)))
        if aligned and root is not None:
            entry = per_org.setdefault(root.goal_id, _Tally(root))
            entry.aligned_goals += 1
            entry.people.add(g.owner_id)
            if g.level is GoalLevel.INDIVIDUAL:
                w, ws = contribution(g, uow.rollups.progress(g, cycle_id))
                entry.w += w
                entry.ws += ws
    rows = []
    for e in per_org.values():
        progress = round(e.ws / e.w, 2) if e.w else 0.0
        rows.append(
            OrganisationGoalRow(
                e.root.goal_id,
                e.root.title,
                e.root.owner_id,
                e.root.status,
                standing(e.root.status, paced(e.root, progress)),
                e.aligned_goals,
                len(e.people),
                progress,
                key_result_lines(e.root),
                last_check_in(e.root),
            )
        )
    return AlignmentReport(
        cycle_id=cycle_id,
        scope=f"subtree of {manager_id}",
        organisation_goals=sorted(rows, key=lambda r: r.title.casefold()),
        departments=[DepartmentRow(d, t, a, _share(a, t)) for d, (t, a) in sorted(per_dept.items())],
        orphans=GoalsListed(len(orphans), orphans[:LIST_LIMIT]),
        at_risk=GoalsListed(len(at_risk), at_risk[:LIST_LIMIT]),
    )
