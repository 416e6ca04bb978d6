"""The training-need report: by topic, department (rolled up the management hierarchy), competency and
obstacle category, the trend against the previous cycle, needs addressed, and the suggested programme.

It reads aggregate items only (kept up to date in each review's transaction): the organisation item,
one Query of the department items, and the previous cycle's organisation item; a manager's report
reads the one item of their subtree. Every group of fewer than 5 people is suppressed before anything
leaves this module, with the next-smallest groups where a published total would let a reader subtract.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle
from service.domain.directory import spreadsheet_safe
from service.domain.errors import NotFound, ValidationFailed
from service.domain.training import (
    OBSTACLE_AREAS,
    SUPPRESS_BELOW,
    Catalogue,
    NeedFormat,
    ObstacleCategory,
    greedy_programme,
    suppressed,
)
from service.services import policy
from service.services.auth import Principal

MAX_PROGRAMME = 10
RULE = (
    "Programme: start with no topic; at each step add the topic that reaches the most people with a "
    "high-priority need who are not yet reached (a tie goes to the cheaper topic). Greedy set cover is not "
    "always the best possible choice, but it is never far off and anyone can check it by hand."
)
SCORE_RULE = "score = Σ over people of the highest priority they named for the topic (high 3, medium 2, low 1)"


def _figures(item: dict[str, Any], catalogue: Catalogue) -> dict[str, Any]:
    """An aggregate item → topics, competencies, obstacles and combos (merged topics folded together)."""
    topics: dict[str, Counter] = {}
    comps: dict[str, Counter] = {}
    obstacles: dict[str, Counter] = {}
    combos: Counter = Counter()
    for name, value in item.items():
        if "|" not in name or not isinstance(value, int | float):
            continue
        kind, _, rest = name.partition("|")
        value = int(value)
        if kind in ("p", "s", "h", "n", "c", "a"):
            topics.setdefault(catalogue.resolve(rest), Counter())[kind] += value
        elif kind == "f":
            topic, _, fmt = rest.partition("|")
            topics.setdefault(catalogue.resolve(topic), Counter())[f"f:{fmt}"] += value
        elif kind in ("cp", "cs"):
            comps.setdefault(rest, Counter())[kind] += value
        elif kind in ("op", "on"):
            obstacles.setdefault(rest, Counter())[kind] += value
        elif kind == "hc" and value > 0:
            combos[tuple(sorted({catalogue.resolve(t) for t in rest.split("+")}))] += value
    return {
        "people": int(item.get("people", 0)),
        "obstacle_people": int(item.get("obstacle_people", 0)),
        "topics": topics,
        "competencies": comps,
        "obstacles": obstacles,
        "combos": combos,
    }


def _previous(uow: UnitOfWork, cycle: Cycle) -> Cycle | None:
    earlier = [c for c in uow.cycles.list() if c.period_start < cycle.period_start and c.template_snapshot]
    return max(earlier, key=lambda c: c.period_start, default=None)


def _topic_rows(fig: dict[str, Any], prev: dict[str, Any] | None, catalogue: Catalogue) -> list[dict[str, Any]]:
    rows = []
    prev_topics = (prev or {}).get("topics", {})
    for t, c in fig["topics"].items():
        if c["p"] <= 0:
            continue
        shown = c["p"] >= SUPPRESS_BELOW
        before = prev_topics.get(t, Counter())["p"] if prev is not None else None
        row: dict[str, Any] = {"topic_id": t, "topic": catalogue.label(t), "suppressed": not shown}
        if shown:
            row.update(
                people=c["p"],
                score=c["s"],
                high_priority_people=c["h"],
                needs=c["n"],
                estimated_cost=round(c["c"] / 100, 2),
                formats={f.value: c[f"f:{f.value}"] for f in NeedFormat if c[f"f:{f.value}"]},
                addressed=c["a"],
                previous_people=before if before is not None and before >= SUPPRESS_BELOW else None,
            )
            row["change"] = row["people"] - row["previous_people"] if row["previous_people"] is not None else None
        rows.append(row)
    rows.sort(key=lambda r: (r["suppressed"], -r.get("score", 0), r["topic"].casefold()))
    return rows


def _department_rows(items: list[dict[str, Any]], catalogue: Catalogue) -> list[dict[str, Any]]:
    figs = {i["group"].removeprefix("DEPT|"): _figures(i, catalogue) for i in items}
    hidden = suppressed({d: f["people"] for d, f in figs.items()})
    hidden_obstacles = suppressed({d: f["obstacle_people"] for d, f in figs.items()})
    # Per topic, departments add up to the organisation's published figure: suppress per column too.
    per_topic: dict[str, set[str]] = {}
    for t in {t for f in figs.values() for t in f["topics"]}:
        per_topic[t] = suppressed({d: f["topics"].get(t, Counter())["p"] for d, f in figs.items()}) | hidden
    rows = []
    for d, f in sorted(figs.items(), key=lambda kv: kv[0].casefold()):
        if f["people"] <= 0 and f["obstacle_people"] <= 0:
            continue
        row: dict[str, Any] = {"department": d, "suppressed": d in hidden}
        if d not in hidden:
            top = [
                {"topic": catalogue.label(t), "people": c["p"], "score": c["s"]}
                for t, c in f["topics"].items()
                if c["p"] > 0 and d not in per_topic.get(t, set())
            ]
            row.update(
                people=f["people"],
                score=sum(c["s"] for c in f["topics"].values()),
                estimated_cost=round(sum(c["c"] for c in f["topics"].values()) / 100, 2),
                topics=sorted(top, key=lambda r: (-r["score"], r["topic"].casefold()))[:5],
            )
        # A zero beside a hidden department still says something about its few people ("none of them"): hidden too.
        zero_of_hidden = d in hidden and f["obstacle_people"] == 0
        row["obstacle_people"] = None if d in hidden_obstacles or zero_of_hidden else f["obstacle_people"]
        rows.append(row)
    return rows


def _obstacles(fig: dict[str, Any]) -> dict[str, Any]:
    rows = []
    for cat in ObstacleCategory:
        c = fig["obstacles"].get(cat.value, Counter())
        if c["op"] <= 0:
            continue
        shown = c["op"] >= SUPPRESS_BELOW
        rows.append(
            {
                "category": cat.value,
                "suppressed": not shown,
                "people": c["op"] if shown else None,
                "obstacles": c["on"] if shown else None,
            }
        )
    areas = []
    for area, cats in OBSTACLE_AREAS.items():
        n = sum(r["obstacles"] or 0 for r in rows if r["category"] in cats and not r["suppressed"])
        areas.append({"area": area, "obstacles": n})
    return {"by_category": rows, "by_area": areas}


def _competencies(fig: dict[str, Any], names: dict[str, str]) -> list[dict[str, Any]]:
    rows = []
    for cid, c in sorted(fig["competencies"].items()):
        if c["cp"] <= 0:
            continue
        shown = c["cp"] >= SUPPRESS_BELOW
        rows.append(
            {
                "competency_id": cid,
                "competency": names.get(cid, cid),
                "suppressed": not shown,
                "people": c["cp"] if shown else None,
                "score": c["cs"] if shown else None,
            }
        )
    return rows


def programme(fig: dict[str, Any], catalogue: Catalogue, n: int) -> dict[str, Any]:
    """The N topics covering the most people with high-priority needs (only topics shown in the report)."""
    shown = {t for t, c in fig["topics"].items() if c["p"] >= SUPPRESS_BELOW}
    combos: Counter = Counter()
    for k, v in fig["combos"].items():
        combos[tuple(t for t in k if t in shown)] += v
    total = sum(combos.values())
    eligible = {k: v for k, v in combos.items() if k}
    cost = {t: round(fig["topics"][t]["c"] / 100, 2) for t in shown}
    steps = greedy_programme(eligible, n, cost, total)
    covered = steps[-1].covered if steps else 0
    return {
        "n": n,
        "people_with_high_priority_needs": total if total >= SUPPRESS_BELOW else None,
        "covered": covered if total >= SUPPRESS_BELOW else None,
        "coverage_percent": round(100 * covered / total, 1) if total >= SUPPRESS_BELOW else None,
        "estimated_cost": round(sum(s.cost for s in steps), 2),
        "topics": [
            {
                "topic_id": s.topic_id,
                "topic": catalogue.label(s.topic_id),
                "adds": s.new_people if s.new_people >= SUPPRESS_BELOW else None,  # None: fewer than 5
                "coverage_percent": s.coverage if total >= SUPPRESS_BELOW else None,
                "estimated_cost": s.cost,
            }
            for s in steps
        ],
        "rule": RULE,
    }


def training_report(uow: UnitOfWork, principal: Principal, cycle_id: str, n: int = 3) -> dict[str, Any]:
    """The report for leadership and HR (the organisation) or for a manager (their whole subtree)."""
    scope = policy.training_report_scope(principal)
    if not 1 <= n <= MAX_PROGRAMME:
        raise ValidationFailed("Choose how many topics.", {"n": [f"1 to {MAX_PROGRAMME}"]})
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(f"no cycle {cycle_id!r}")
    catalogue = uow.training.catalogue()
    group = "ORG" if scope == "organisation" else f"MGR|{principal.employee_id}"
    fig = _figures(uow.training.aggregate(cycle_id, group), catalogue)
    prev_cycle = _previous(uow, cycle)
    prev = _figures(uow.training.aggregate(prev_cycle.cycle_id, group), catalogue) if prev_cycle else None
    names = {c["id"]: c.get("name", c["id"]) for c in (cycle.template_snapshot or {}).get("competencies", [])}
    too_small = fig["people"] < SUPPRESS_BELOW
    report: dict[str, Any] = {
        "cycle_id": cycle_id,
        "cycle_name": cycle.name,
        "cycle_state": cycle.state.value,
        "scope": scope,
        "threshold": SUPPRESS_BELOW,
        "generated_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "people_with_needs": None if too_small else fig["people"],
        "suppressed": too_small,
        "previous_cycle": (
            {
                "cycle_id": prev_cycle.cycle_id,
                "name": prev_cycle.name,
                "people_with_needs": prev["people"] if prev and prev["people"] >= SUPPRESS_BELOW else None,
            }
            if prev_cycle
            else None
        ),
        "score_rule": SCORE_RULE,
        "topics": [],
        "departments": [],
        "competencies": [],
        "obstacles": {"by_category": [], "by_area": []},
        "programme": None,
    }
    if too_small:
        return report
    report["topics"] = _topic_rows(fig, prev, catalogue)
    report["competencies"] = _competencies(fig, names)
    report["obstacles"] = _obstacles(fig)
    if scope == "organisation":
        report["departments"] = _department_rows(uow.training.aggregates(cycle_id, "DEPT|"), catalogue)
        report["programme"] = programme(fig, catalogue, n)
    return report


def report_context(
    uow: UnitOfWork, principal: Principal, cycle_id: str, n: int = 3, base_url: str = ""
) -> dict[str, Any]:
    """Everything the report's template needs (page, PDF, email): the figures, the charts as SVG, links.

    The PDF function renders `templates/pages/_training_report_body.html` with this context.
    """
    from service.adapters import charts

    report = training_report(uow, principal, cycle_id, n)
    return {
        "report": report,
        "charts": charts.training_charts(report),
        "links": {
            "page": f"{base_url}/reports/training?cycle={cycle_id}",
            "csv": f"{base_url}/reports/training.csv?cycle={cycle_id}",
            "pdf": f"{base_url}/reports/training.pdf?cycle={cycle_id}",
        },
    }


CSV_COLUMNS = (
    "section",
    "group",
    "people",
    "priority_weighted_score",
    "high_priority_people",
    "needs",
    "estimated_cost",
    "formats",
    "addressed",
    "previous_cycle_people",
)


def report_csv(report: dict[str, Any]) -> str:
    """The report as CSV: suppressed groups say so and carry no figures; no cell can run as a formula."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)

    def row(*cells: Any) -> None:
        w.writerow([spreadsheet_safe(c) if c is not None else "" for c in cells])

    hidden = f"fewer than {report['threshold']} people"
    for t in report["topics"]:
        if t["suppressed"]:
            row("topic", t["topic"], hidden)
            continue
        fmts = "; ".join(f"{k} {v}" for k, v in t["formats"].items())
        row(
            "topic",
            t["topic"],
            t["people"],
            t["score"],
            t["high_priority_people"],
            t["needs"],
            t["estimated_cost"],
            fmts,
            t["addressed"],
            t["previous_people"],
        )
    for d in report["departments"]:
        if d["suppressed"]:
            row("department", d["department"], hidden)
        else:
            row("department", d["department"], d["people"], d["score"], None, None, d["estimated_cost"])
    for c in report["competencies"]:
        row("competency", c["competency"], hidden if c["suppressed"] else c["people"], c["score"])
    for o in report["obstacles"]["by_category"]:
        row("obstacle", o["category"], hidden if o["suppressed"] else o["people"], None, None, o["obstacles"])
    return out.getvalue()
