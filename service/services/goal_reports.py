"""The two alignment reports: the organisation's, read from roll-ups kept up to date on write, and a
manager's subtree, computed from the subtree's goals (its cost grows with the subtree)."""

from __future__ import annotations

from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Employee
from service.domain.goals import AT_RISK, GoalLevel, contribution, effective_progress
from service.services.goal_views import brief

LIST_LIMIT = 50


def organisation_report(uow: UnitOfWork, cycle_id: str) -> dict[str, Any]:
    """Per organisation goal, per department, orphans and at risk: a fixed number of reads."""
    org = uow.goals.organisation(cycle_id)
    rollups = uow.rollups.get_many([g.goal_id for g in org], cycle_id)
    rows = []
    for g in org:
        r = rollups[g.goal_id]
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
    departments = [
        {
            "department": d["department"],
            "individual_goals": d["individual"],
            "aligned": d["aligned"],
            "share_aligned": round(d["aligned"] / d["individual"], 4) if d["individual"] else None,
        }
        for d in uow.rollups.departments(cycle_id)
    ]
    totals = uow.rollups.totals(cycle_id)
    return {
        "cycle_id": cycle_id,
        "scope": "organisation",
        "organisation_goals": sorted(rows, key=lambda r: r["title"].casefold()),
        "departments": sorted(departments, key=lambda d: d["department"].casefold()),
        "orphans": {"count": totals["orphans"], "goals": [brief(g) for g in uow.goals.orphans(cycle_id, LIST_LIMIT)]},
        "at_risk": {"count": totals["at_risk"], "goals": [brief(g) for g in uow.goals.at_risk(cycle_id, LIST_LIMIT)]},
    }


def _everyone_below(uow: UnitOfWork, manager_id: str) -> list[Employee]:
    people, queue = [], [manager_id]
    while queue:
        for p in uow.directory.reports(queue.pop()):
            people.append(p)
            queue.append(p.employee_id)
    return people


def subtree_report(uow: UnitOfWork, manager_id: str, cycle_id: str) -> dict[str, Any]:
    """The same figures over a manager's subtree, computed from its goals."""
    goals = [g for p in _everyone_below(uow, manager_id) for g in uow.goals.of_owner(p.employee_id, cycle_id)]
    per_org: dict[str, dict[str, Any]] = {}
    per_dept: dict[str, list[int]] = {}
    orphans, at_risk = [], []
    for g in goals:
        root = uow.goals.root_of(g.goal_id)
        aligned = root is not None and root.level is GoalLevel.ORGANISATION and root.goal_id != g.goal_id
        if g.level is GoalLevel.INDIVIDUAL:
            row = per_dept.setdefault(g.department, [0, 0])
            row[0] += 1
            row[1] += aligned
        if g.parent_id is None:
            orphans.append(brief(g))
        if g.status in AT_RISK:
            at_risk.append(brief(g))
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
                w, ws = contribution(g, uow.rollups.progress(g, cycle_id))
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
