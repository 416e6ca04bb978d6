"""Property: no report gives a group of fewer than 5 people away, by a figure or by arithmetic on figures.

Hypothesis generates an organisation (people in departments, a random management hierarchy), their
training needs this cycle and last, the obstacles their managers recorded and their learning log. The
needs and obstacles go in through the training store's own path (the person's contribution and the
aggregates it moves, as a submitted review does); learning activities through `create_activity`. Then the
real use cases build the reports: the organisation's training report of both cycles (the page/PDF/email
context and the CSV), a manager's subtree report, and the learning report. `suppression_audit` works out,
from the raw data, the people behind every figure and checks what a reader can compute from all of them
together (see its docstring).

CI runs SUPPRESSION_EXAMPLES examples (40 by default, a few seconds); `make fuzz` runs 500.
"""

from __future__ import annotations

import csv
import io
import os
import re
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.diagnosis import ProblemArea, categories_of
from service.domain.directory import Role
from service.domain.learning import ActivityType
from service.domain.reviews import NeedFormat, ObstacleCategory, Priority
from service.domain.training import (
    OBSTACLE_AREAS,
    Catalogue,
    NeedSource,
    NeedStatus,
    TrainingNeed,
    contribution,
    need_id,
)
from service.services import cycles as cycle_svc
from service.services import diagnosis as diagnosis_svc
from service.services import feedback_answers, feedback_nominations
from service.services import learning as learning_svc
from service.services.auth import Principal
from service.services.directory import import_organisation
from service.services.training_reports import report_context, report_csv, training_report
from tests import factories as f
from tests.unit.suppression_audit import Audit, Cell

EXAMPLES = int(os.environ.get("SUPPRESSION_EXAMPLES", "40"))
BEFORE_2025 = datetime(2025, 3, 15, 9, 0, tzinfo=UTC)  # before the previous cycle's feedback deadline
RELEASED = datetime(2026, 3, 21, 0, 15, tzinfo=UTC)  # after the current one's released every upward group

DEPARTMENTS = ("Eng", "Sales", "Ops", "Fin")
TOPICS = ("Kubernetes", "Negotiation", "SQL", "Public speaking")
COMPETENCIES = {"delivery": "Delivery", "collaboration": "Collaboration"}
KINDS = (ActivityType.COURSE, ActivityType.MENTORING, ActivityType.READING)
# How the report names a free-text topic ("SQL" reads "Sql"): the audit maps labels back to topics.
TOPIC_OF = {Catalogue([]).label(Catalogue([]).match(t)[0]): t for t in TOPICS}

need = st.tuples(
    st.sampled_from(TOPICS),
    st.sampled_from([p.value for p in Priority]),
    st.sampled_from([x.value for x in NeedFormat][:3]),
    st.booleans(),  # addressed
    st.sampled_from([None, *COMPETENCIES]),
)
person = st.fixed_dictionaries(
    {
        "dept": st.sampled_from(DEPARTMENTS),
        "boss": st.integers(0, 99),  # an earlier person, or the chief executive
        "needs": st.lists(need, min_size=0, max_size=3),
        "obstacles": st.lists(st.sampled_from([c.value for c in ObstacleCategory][:4]), max_size=2),
        # Issue 27: the rating the person gives their manager in upward feedback this cycle and last (None: none)
        "upward": st.one_of(st.none(), st.integers(1, 4)),
        "upward_prev": st.one_of(st.none(), st.integers(1, 4)),
        "previous": st.lists(need, max_size=2),
        # (kind, hours, which of the person's needs this cycle it addresses, if any)
        "learning": st.lists(
            st.tuples(st.sampled_from(KINDS), st.integers(0, 30), st.sampled_from([None, None, 0, 1])), max_size=2
        ),
    }
)

# The issue's programme: 10 people name a high-priority need, 8 of them Kubernetes (4 of those Negotiation
# too, so Negotiation has 6 people) and 2 only Negotiation. Today's code printed covered 10 after step 2
# and 8 after step 1: 10 − 8 = 2.
ISSUE = [
    *[{"dept": "Eng", "boss": 0, "needs": [("Kubernetes", "high", "course", False, None)]} for _ in range(4)],
    *[
        {
            "dept": "Eng",
            "boss": 0,
            "needs": [("Kubernetes", "high", "course", False, None), ("Negotiation", "high", "course", False, None)],
        }
        for _ in range(4)
    ],
    *[{"dept": "Sales", "boss": 0, "needs": [("Negotiation", "high", "course", False, None)]} for _ in range(2)],
]
ISSUE = [{"obstacles": [], "previous": [], "learning": [], **p} for p in ISSUE]
# Needs addressed next to needs: 8 people each have a SQL need addressed, 3 of them a second one still open:
# needs 11 − addressed 8 would give the 3 people with an open need.
ADDRESSED = [
    {
        "dept": "Eng",
        "boss": 0,
        "obstacles": [],
        "previous": [],
        "learning": [],
        "needs": [("SQL", "low", "course", True, None)] + [("SQL", "low", "course", False, None)] * (i < 3),
    }
    for i in range(8)
]

# Issue 27: P00 leads P02 and P03, P01 leads P04 (all under the chief executive); 3, 3 and 4 reports answer about
# them. Level 3 has 10 answers, but P00 reads P02's and P03's groups alone: 10 − 6 would give P04's 4 away.
UPWARD = [
    {"dept": "Eng", "boss": boss, "needs": [], "obstacles": [], "previous": [], "learning": [], "upward": rating}
    for boss, rating in [
        *[(0, None), (1, None), (0, None), (0, None), (1, None)],
        *[(2, 3), (2, 4), (2, 2), (3, 1), (3, 2), (3, 2), (4, 4), (4, 3), (4, 4), (4, 2)],
    ]
]


def _id(i: int) -> str:
    return f"P{i:02d}"


def build(people: list[dict[str, Any]], close: bool = True) -> dict[str, Any]:
    """The organisation, two launched cycles, needs, obstacles and learning; returns what the audit needs."""
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = MemoryTable()
    rows = [
        "employee_id,name,email,title,department,manager_id,roles",
        "E1,Chief Executive,e1@example.com,CEO,Board,,leadership",
        "E2,Head of People,e2@example.com,HR,Board,E1,hr",
    ]
    bosses = {}
    for i, p in enumerate(people):
        pick = p["boss"] % (i + 1)
        bosses[_id(i)] = "E1" if pick == i else _id(pick)
        rows.append(f"{_id(i)},Person {i},p{i}@example.com,Staff,{p['dept']},{bosses[_id(i)]},")
    import_organisation(UnitOfWork(table), None, "\n".join(rows) + "\n", clock)
    previous = f.launched_cycle(
        table,
        clock,
        name="2025",
        period_start=date(2025, 1, 1),
        period_end=date(2025, 12, 31),
        phases={
            "goal_setting": date(2025, 3, 1),
            "self_assessment": date(2025, 3, 10),
            "feedback": date(2025, 3, 20),
            "manager_assessment": date(2025, 3, 31),
            "discussion": date(2025, 4, 15),
        },
    ).cycle_id
    current = f.launched_cycle(table, clock).cycle_id
    catalogue = Catalogue([])
    chains = {}
    for i, p in enumerate(people):
        emp, chain, up = _id(i), [], bosses[_id(i)]
        while True:
            chain.insert(0, up)
            if up == "E1":
                break
            up = bosses[up]
        chains[emp] = tuple(chain)
        for cycle_id, needs, obstacles in ((current, p["needs"], p["obstacles"]), (previous, p["previous"], [])):
            typed = [
                TrainingNeed(
                    need_id=need_id(cycle_id, emp, "self", n),
                    cycle_id=cycle_id,
                    employee_id=emp,
                    department=p["dept"],
                    source=NeedSource.SELF,
                    topic_id=catalogue.match(topic)[0],
                    topic_label=topic,
                    priority=Priority(priority),
                    format=NeedFormat(fmt),
                    competency_id=comp,
                    status=NeedStatus.ADDRESSED if addressed else NeedStatus.OPEN,
                    chain=chains[emp],
                )
                for n, (topic, priority, fmt, addressed, comp) in enumerate(needs)
            ]
            if not typed and not obstacles:
                continue
            uow = UnitOfWork(table)
            with uow:
                made = contribution(p["dept"], chains[emp], typed, [{"category": c} for c in obstacles])
                uow.training.replace_person(cycle_id, emp, typed, made)
                uow.commit()
        for kind, hours, need in p["learning"]:
            data = {"type": kind.value, "title": "Learning", "date": "2026-02-01", "hours": hours}
            if need is not None and need < len(p["needs"]):  # it addresses that need (the training figures move)
                data["need_id"] = need_id(current, emp, "self", need)
            learning_svc.create_activity(UnitOfWork(table), f.principal(table, emp), data, clock)
    # Issue 27: upward feedback in both cycles, answered before each one's feedback deadline.
    for cycle_id, field, at in ((previous, "upward_prev", BEFORE_2025), (current, "upward", clock.now())):
        moment = FixedClock(at)
        feedback_nominations.request_upward(UnitOfWork(table), f.principal(table, "E2"), cycle_id, moment)
        for i, p in enumerate(people):
            if p.get(field) is not None:
                answer = {"ratings": {"delivery": p[field]}, "answers": {}}
                who = f.principal(table, _id(i))
                feedback_answers.submit_answer(UnitOfWork(table), who, cycle_id, bosses[_id(i)], answer, moment)
    # Leadership and managers read a cycle's figures once it is closed (services/report_release.py): the audit reads
    # the final figures (tests/api/test_reports_over_time.py: a running cycle's publish nothing to them).
    for cycle_id in (previous, current) if close else ():
        cycle = cycle_svc.get_cycle(UnitOfWork(table), cycle_id)
        cycle_svc.close_cycle(UnitOfWork(table), f.principal(table, "E2"), cycle_id, cycle.version, clock)
    return {"table": table, "current": current, "previous": previous, "chains": chains, "bosses": bosses}


# --- the audit: cells from the raw data, figures from the reports -------------------------------------------


def needs_of(p: dict[str, Any], cycle: str) -> list[tuple]:
    return p["needs"] if cycle == "current" else p["previous"]


def training_cells(a: Audit, tag: tuple, people: dict[str, dict[str, Any]], cycle: str, org: bool) -> None:
    """Every figure a training report of this scope can publish, with the people behind it."""
    rows = {e: needs_of(p, cycle) for e, p in people.items()}
    obstacles = {e: (p["obstacles"] if cycle == "current" else []) for e, p in people.items()}
    named = {e for e, r in rows.items() if r}
    W = a.cell((*tag, "people"), named)
    for t in TOPICS:
        on = {e: [n for n in r if n[0] == t] for e, r in rows.items()}
        P = a.cell((*tag, "topic", t), {e for e, r in on.items() if r})
        H = a.cell((*tag, "high", t), {e for e, r in on.items() if any(n[1] == "high" for n in r)})
        a.nested(W, P)
        a.nested(P, H)
        N = a.cell((*tag, "needs", t), a.cells[P].members, sum(len(r) for r in on.values()))
        fmts = []
        for fmt in NeedFormat:
            count = sum(1 for r in on.values() for n in r if n[2] == fmt.value)
            fmts.append(
                a.cell(
                    (*tag, "format", t, fmt.value),
                    {e for e, r in on.items() if any(n[2] == fmt.value for n in r)},
                    count,
                )
            )
        a.equal(N, *fmts)
        done = sum(1 for r in on.values() for n in r if n[3])
        A = a.cell((*tag, "addressed", t), {e for e, r in on.items() if any(n[3] for n in r)}, done)
        U = a.cell((*tag, "open", t), {e for e, r in on.items() if any(not n[3] for n in r)}, a.cells[N].value - done)
        a.equal(N, A, U)
    if org:
        for cid in COMPETENCIES:
            a.nested(W, a.cell((*tag, "competency", cid), {e for e, r in rows.items() if any(n[4] == cid for n in r)}))
    obs = a.cell((*tag, "obstacle_people"), {e for e, o in obstacles.items() if o})
    counts = {}
    for cat in ObstacleCategory:
        C = a.cell((*tag, "obstacle", cat.value), {e for e, o in obstacles.items() if cat.value in o})
        a.nested(obs, C)
        counts[cat.value] = a.cell(
            (*tag, "obstacles", cat.value), a.cells[C].members, sum(o.count(cat.value) for o in obstacles.values())
        )
    for area, cats in OBSTACLE_AREAS.items():
        parts = [counts[c.value] for c in cats]
        members = frozenset().union(*(a.cells[k].members for k in parts))
        a.equal(a.cell((*tag, "area", area), members, sum(a.cells[k].value for k in parts)), *parts)
    if not org:
        return
    depts = {}
    for d in DEPARTMENTS:
        mine = {e for e, p in people.items() if p["dept"] == d}
        depts[d] = a.cell((*tag, "department", d), named & mine)
        a.cell((*tag, "department_obstacles", d), a.cells[obs].members & mine)
        for t in TOPICS:
            a.nested(depts[d], a.cell((*tag, "department_topic", d, t), a.cells[(*tag, "topic", t)].members & mine))
    a.equal(W, *depts.values())
    a.equal(obs, *((*tag, "department_obstacles", d) for d in DEPARTMENTS))
    for t in TOPICS:
        a.equal((*tag, "topic", t), *((*tag, "department_topic", d, t) for d in DEPARTMENTS))
    T = a.cell((*tag, "high_priority_people"), {e for e, r in rows.items() if any(n[1] == "high" for n in r)})
    a.nested(W, T)
    for t in TOPICS:
        a.nested(T, (*tag, "high", t))


def programme_cells(a: Audit, tag: tuple, programme: dict[str, Any]) -> None:
    """The programme's steps in the published order: what each adds, and the people covered so far."""
    T = (*tag, "high_priority_people")
    covered: frozenset[str] = frozenset()
    before = None
    for i, step in enumerate(programme["topics"], 1):
        high = (*tag, "high", TOPIC_OF[step["topic"]])
        if (*tag, "covered", i) in a.cells:  # declared by a report with another N: the same greedy step
            assert a.cells[(*tag, "step", i)].value == TOPICS.index(TOPIC_OF[step["topic"]])
            covered, before = a.cells[(*tag, "covered", i)].members, (*tag, "covered", i)
            continue
        a.cells[(*tag, "step", i)] = Cell(frozenset(), TOPICS.index(TOPIC_OF[step["topic"]]), published=True)
        adds = a.cell((*tag, "adds", i), a.cells[high].members - covered)
        covered = covered | a.cells[high].members
        now = a.cell((*tag, "covered", i), covered)
        if before is None:
            a.equal(adds, high)
            a.equal(now, adds)
        else:
            a.equal(now, before, adds)
            a.nested(high, adds)
        a.nested(T, now)
        before = now


def publish_training(a: Audit, tag: tuple, prev_tag: tuple, report: dict[str, Any]) -> None:
    """Every figure of the report's result (the page/PDF/email context)."""
    a.publish((*tag, "people"), report["people_with_needs"])
    if report["previous_cycle"]:
        a.publish((*prev_tag, "people"), report["previous_cycle"]["people_with_needs"])
    for t in report["topics"]:
        if t["suppressed"]:
            assert all(t.get(k) is None for k in ("people", "needs", "high_priority_people", "addressed", "formats"))
            continue
        name = TOPIC_OF[t["topic"]]
        a.publish((*tag, "topic", name), t["people"])
        a.publish((*tag, "high", name), t["high_priority_people"])
        a.publish((*tag, "needs", name), t["needs"])
        a.publish((*tag, "addressed", name), t["addressed"])
        for fmt, v in t["formats"].items():
            a.publish((*tag, "format", name, fmt), v)
        a.publish((*prev_tag, "topic", name), t["previous_people"])
        if t["change"] is not None:
            a.publish((*prev_tag, "topic", name), t["people"] - t["change"])
    for c in report["competencies"]:
        key = next(k for k, v in COMPETENCIES.items() if v == c["competency"] or k == c["competency"])
        a.publish((*tag, "competency", key), c["people"])
    obstacles = report["obstacles"]
    a.publish((*tag, "obstacle_people"), obstacles.get("people"))
    for o in obstacles["by_category"]:
        a.publish((*tag, "obstacle", o["category"]), o["people"])
        a.publish((*tag, "obstacles", o["category"]), o["obstacles"])
    for ar in obstacles["by_area"]:
        a.publish((*tag, "area", ar["area"]), ar["obstacles"])
    for d in report["departments"]:
        a.publish((*tag, "department", d["department"]), d.get("people"))
        a.publish((*tag, "department_obstacles", d["department"]), d["obstacle_people"])
        for t in d.get("topics") or []:
            a.publish((*tag, "department_topic", d["department"], TOPIC_OF[t["topic"]]), t["people"])
    p = report["programme"]
    if p:
        programme_cells(a, tag, p)
        T = (*tag, "high_priority_people")
        a.publish(T, p["people_with_high_priority_needs"])
        total = p["people_with_high_priority_needs"]
        for i, s in enumerate(p["topics"], 1):
            a.publish((*tag, "adds", i), s["adds"])
            a.publish((*tag, "covered", i), s.get("covered"))
            pct = s["coverage_percent"]
            if pct is not None and total is not None:  # covered = percent × total
                a.publish((*tag, "covered", i), round(pct * total / 100))
            if pct and s.get("covered") is not None and total is None:  # total = covered / percent
                a.publish(T, round(s["covered"] * 100 / pct))
        if p["topics"]:
            last = len(p["topics"])
            a.publish((*tag, "covered", last), p["covered"])
            if p["coverage_percent"] and total is not None:
                a.publish((*tag, "covered", last), round(p["coverage_percent"] * total / 100))


def publish_csv(a: Audit, tag: tuple, prev_tag: tuple, text: str) -> None:
    """Every figure of the CSV (a figure the result withholds but the CSV prints is caught here)."""

    def num(cell: str) -> int | None:
        cell = cell.strip()
        return int(float(cell)) if re.fullmatch(r"-?\d+(\.\d+)?", cell) else None

    step = 0
    for row in list(csv.reader(io.StringIO(text)))[1:]:
        section, group, people, _score, high, needs, _cost, fmts, addressed, previous = (row + [""] * 10)[:10]
        if section == "total":
            a.publish((*tag, "people"), num(people))
        elif section == "topic" and people == "suppressed":
            continue
        elif section == "topic":
            group = TOPIC_OF[group]
            a.publish((*tag, "topic", group), num(people))
            a.publish((*tag, "high", group), num(high))
            a.publish((*tag, "needs", group), num(needs))
            a.publish((*tag, "addressed", group), num(addressed))
            a.publish((*prev_tag, "topic", group), num(previous))
            for part in filter(None, fmts.split("; ")):
                fmt, _, v = part.rpartition(" ")
                a.publish((*tag, "format", group, fmt), num(v))
        elif section == "department":
            a.publish((*tag, "department", group), num(people))
        elif section == "competency":
            key = next(k for k, v in COMPETENCIES.items() if v == group or k == group)
            a.publish((*tag, "competency", key), num(people))
        elif section == "obstacle":
            a.publish((*tag, "obstacle", group), num(people))
            a.publish((*tag, "obstacles", group), num(needs))  # the obstacles column is the needs one
        elif section == "programme" and group.startswith("step "):
            step += 1
            a.publish((*tag, "adds", step), num(people))
            m = re.search(r"covered (\S+);", fmts)
            a.publish((*tag, "covered", step), num(m.group(1)) if m else None)
        elif section == "programme":
            a.publish((*tag, "high_priority_people"), num(people))


def diagnosis_cells(a: Audit, tag: tuple) -> None:
    """The diagnosis's own figures over the training cells: obstacles per problem area (a sum of categories)."""
    for area in ProblemArea:
        parts = [(*tag, "obstacles", c.value) for c in categories_of(area)]
        members = frozenset().union(*(a.cells[k].members for k in parts))
        a.equal(a.cell((*tag, "darea", area.value), members, sum(a.cells[k].value for k in parts)), *parts)


def publish_diagnosis(a: Audit, tag: tuple, prev_tag: tuple, d: dict[str, Any]) -> None:
    """Every count of the diagnosis that concerns the training figures (its areas, topics, totals, trend)."""
    a.publish((*tag, "obstacle_people"), d["obstacle_people"])
    for ar in d["areas"]:
        a.publish((*tag, "darea", str(ar["area"])), ar["obstacles"])
    for o in d["categories"]:
        a.publish((*tag, "obstacle", o["category"]), o["people"])
        a.publish((*tag, "obstacles", o["category"]), o["obstacles"])
    for t in d["training"]:
        name = TOPIC_OF[t["topic"]]
        a.publish((*tag, "topic", name), t["people"])
        a.publish((*tag, "needs", name), t["needs"])
        a.publish((*tag, "addressed", name), t["addressed"])
    if len(d["trend"]) > 1:  # the cycle before, as its own diagnosis shows it
        for ar in d["trend"][0]["areas"]:
            a.publish((*prev_tag, "darea", str(ar["area"])), ar["obstacles"])


def upward_groups_of(people: dict[str, dict[str, Any]], built: dict[str, Any], field: str) -> dict[str, set[str]]:
    """Each manager's upward group with at least the threshold's 3 answers: manager → who answered."""
    groups: dict[str, set[str]] = {}
    for e, p in people.items():
        if p.get(field) is not None:
            groups.setdefault(built["bosses"][e], set()).add(e)
    return {m: who for m, who in groups.items() if len(who) >= 3}


def upward_cells(a: Audit, tag: tuple, groups: dict[str, set[str]], chains: dict[str, tuple[str, ...]]) -> None:
    """Upward answers by the manager's level (1: the chief executive), disjoint, adding up to the cycle's total."""
    levels: dict[int, set[str]] = {}
    for m, who in groups.items():
        levels.setdefault(len(chains.get(m, ())) + 1, set()).update(who)
    everyone = set().union(*levels.values()) if levels else set()
    a.cell((*tag, "upward"), everyone)
    for n in range(1, 8):
        a.cell((*tag, "ulevel", n), levels.get(n, set()))
    a.equal((*tag, "upward"), *((*tag, "ulevel", n) for n in range(1, 8)))


def upward_subtractions(
    groups: dict[str, set[str]], chains: dict[str, tuple[str, ...]], levels: list[dict]
) -> list[str]:
    """What a manager (or one above them) reading their own groups alone learns from a level shown: the level minus
    those groups must be none or at least 5 answers."""
    found = []
    for lv in levels:
        if lv["respondents"] is None:
            continue
        mine = {m: who for m, who in groups.items() if len(chains.get(m, ())) + 1 == lv["level"]}
        for reader in {r for m in mine for r in (m, *chains.get(m, ()))}:
            rest = sum(len(w) for m, w in mine.items() if reader != m and reader not in chains.get(m, ()))
            if 0 < rest < 5:
                found.append(f"level {lv['level']} minus what {reader} reads alone leaves {rest} answers")
    return found


def known_zeros(a: Audit) -> None:
    """A figure of nobody that a report leaves out is known to be zero (an empty row, an absent topic)."""
    for k, c in a.cells.items():
        if not c.members and not c.value and k[0] != "rest":
            c.published = True


def learning_audit(people: dict[str, dict[str, Any]], report: dict[str, Any]) -> Audit:
    """The learning report's cells (department × kind, with totals) in people, activities and hours."""
    a = Audit()
    units = ("people", "activities", "hours10")

    def cell(where: tuple, kinds: tuple) -> None:
        who = {e for e, p in people.items() if (where[0] == "all" or p["dept"] == where[1])}
        acts = [(e, k, h, n) for e in who for k, h, n in people[e]["learning"] if k in kinds]
        members = {e for e, _, _, _ in acts}
        label = "*" if len(kinds) > 1 else kinds[0].value
        a.cell((*where, label, "people"), members)
        a.cell((*where, label, "activities"), members, len(acts))
        a.cell((*where, label, "hours10"), members, sum(h * 10 for _, _, h, _ in acts))
        addressed = {(e, n) for e, _, _, n in acts if n is not None and n < len(people[e]["needs"])}
        a.cell((*where, label, "needs"), {e for e, _ in addressed}, len(addressed))

    lines = [("dept", d) for d in DEPARTMENTS] + [("all",)]
    for where in lines:
        cell(where, KINDS)
        for k in KINDS:
            cell(where, (k,))
    for where in lines:
        for u in ("activities", "hours10"):
            a.equal((*where, "*", u), *((*where, k.value, u) for k in KINDS))
        for k in [*KINDS, "*"]:
            label = getattr(k, "value", k)
            if k != "*":
                a.nested((*where, "*", "people"), (*where, label, "people"))
            # the people who addressed needs, inside those learning (in people: the needs stand for them)
            a.nested(
                (*where, label, "people"), a.cell(("who", *where, label), a.cells[(*where, label, "needs")].members)
            )
    for label in ["*", *(k.value for k in KINDS)]:
        for u in (*units, "needs"):
            a.equal(("all", label, u), *(("dept", d, label, u) for d in DEPARTMENTS))

    def pub(where: tuple, label: str, c: dict[str, Any] | None) -> None:
        if c is not None:
            a.publish((*where, label, "people"), c["people"])
            a.publish((*where, label, "activities"), c["activities"])
            a.publish((*where, label, "hours10"), round(c["hours"] * 10))
            a.publish((*where, label, "needs"), c["needs"])
            if c["needs"] is not None and c["needs"] == len(a.cells[(*where, label, "needs")].members):
                a.publish(("who", *where, label), c["needs"])  # one need each: the count is the people

    for d, cells in report["rows"].items():
        for label, c in cells.items():
            pub(("dept", d), label, c)
    for label, c in report["totals"].items():
        pub(("all",), label, c)
    known_zeros(a)
    return a


def effective(p: dict[str, Any]) -> dict[str, Any]:
    """A person's data as stored at the end: a need a learning activity addresses is addressed."""
    by_learning = {need for _, _, need in p["learning"] if need is not None}
    needs = [(*n[:3], n[3] or i in by_learning, n[4]) for i, n in enumerate(p["needs"])]
    return {**p, "needs": needs}


def audit_all(people_list: list[dict[str, Any]]) -> list[str]:
    built = build(people_list)
    table, current, previous = built["table"], built["current"], built["previous"]
    people = {_id(i): effective(p) for i, p in enumerate(people_list)}
    lead = f.principal(table, "E1")
    found = []
    # The organisation's report of this cycle and of the previous one (leadership reads both).
    a = Audit()
    cur, prev = ("current", "org"), ("previous", "org")
    training_cells(a, cur, people, "current", org=True)
    training_cells(a, prev, people, "previous", org=True)
    for tag, prev_tag, cycle_id in ((cur, prev, current), (prev, ("older", "org"), previous)):
        # A reader may ask for programmes of several lengths: everything each one shows is known together.
        for n in (2, 3, 10):
            ctx = report_context(UnitOfWork(table), lead, cycle_id, n)
            if tag == prev:
                assert asdict(ctx["report"])["previous_cycle"] is None
            publish_training(a, tag, prev_tag, asdict(ctx["report"]))
            publish_csv(a, tag, prev_tag, report_csv(ctx["report"]))
    # Issue 27: the diagnosis of both cycles, read by leadership with everything above (its obstacle areas and
    # training figures come from the same aggregates; its trend shows the previous cycle's beside this one's).
    diagnosis_cells(a, cur)
    diagnosis_cells(a, prev)
    # Issue 27: upward feedback by level in both cycles, read after this cycle's deadline released every group: the
    # current cycle's levels, and the previous cycle's in its own diagnosis and in the current one's trend.
    chains = {**built["chains"], "E1": (), "E2": ("E1",)}
    groups = {tag: upward_groups_of(people, built, field) for tag, field in ((cur, "upward"), (prev, "upward_prev"))}
    for tag in (cur, prev):
        upward_cells(a, tag, groups[tag], chains)
    seen_levels: dict[tuple, list] = {}
    for tag, cycle_id in ((cur, current), (prev, previous)):
        found_now = asdict(diagnosis_svc.diagnosis(UnitOfWork(table), lead, cycle_id, RELEASED))
        publish_diagnosis(a, tag, prev, found_now)
        seen_levels.setdefault(tag, []).append(found_now["levels"])
        if len(found_now["trend"]) > 1:
            seen_levels.setdefault(prev, []).append(found_now["trend"][0]["upward"])
        found += upward_subtractions(groups[tag], chains, found_now["levels"])
    for tag, readings in seen_levels.items():
        for levels in readings:
            for lv in levels:
                a.publish((*tag, "ulevel", lv["level"]), lv["respondents"])
        if any(r != readings[0] for r in readings):  # the trend shows an earlier cycle as its own diagnosis does
            found.append(f"{tag}: the upward levels read differ: {readings}")
    known_zeros(a)
    found += a.leaks()
    # A manager's subtree (the one with the most people below, whose report is not the organisation's).
    below = {m: {e for e, ch in built["chains"].items() if m in ch} for m in people}
    manager = max(people, key=lambda m: (len(below[m]), m))
    if below[manager]:
        a = Audit()
        mine = {e: people[e] for e in below[manager]}
        cur, prev = ("current", manager), ("previous", manager)
        training_cells(a, cur, mine, "current", org=False)
        training_cells(a, prev, mine, "previous", org=False)
        boss = Principal(manager, "Manager", frozenset({Role.EMPLOYEE, Role.MANAGER}))
        report = training_report(UnitOfWork(table), boss, current, 3)
        publish_training(a, cur, prev, asdict(report))
        publish_csv(a, cur, prev, report_csv(report))
        known_zeros(a)
        found += [f"subtree of {manager}: {x}" for x in a.leaks()]
    learning = asdict(learning_svc.leadership_report(UnitOfWork(table), lead, "2026"))
    found += [f"learning: {x}" for x in learning_audit(people, learning).leaks()]
    return found


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("SUPPRESSION_EXAMPLES") is None,
)
@example(ISSUE)
@example(ADDRESSED)
@example(UPWARD)
@given(st.lists(person, min_size=12, max_size=40))
def test_no_report_gives_a_group_under_5_away_by_any_figure_or_arithmetic(people_list):
    leaks = audit_all(people_list)
    assert not leaks, "\n".join(leaks)


@example(ISSUE)
@settings(max_examples=min(EXAMPLES, 5), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person, min_size=12, max_size=20))
def test_while_the_cycles_run_no_report_publishes_a_figure_to_leadership_or_a_manager(people_list):
    """Over time: a running cycle's readings carry no figure (services/report_release.py), so no two readings, before
    and after one review, can differ; the audit above reads the figures they get at close."""
    built = build(people_list, close=False)
    table = built["table"]
    readers = [f.principal(table, "E1"), Principal(_id(0), "Manager", frozenset({Role.EMPLOYEE, Role.MANAGER}))]
    for reader in readers:
        for cycle_id in (built["current"], built["previous"]):
            report = asdict(training_report(UnitOfWork(table), reader, cycle_id, 10))
            assert report["held"] and report["people_with_needs"] is None
            assert report["topics"] == report["departments"] == report["competencies"] == []
            assert report["programme"] is None and report["obstacles"]["by_category"] == []
    lead = readers[0]
    for cycle_id in (built["current"], built["previous"]):
        d = asdict(diagnosis_svc.diagnosis(UnitOfWork(table), lead, cycle_id, RELEASED))
        assert d["held"] and d["findings"] == d["departments"] == d["training"] == [] and d["gaps"] is None
        assert all(a["obstacles"] is None for row in d["trend"] for a in row["areas"])
        assert [row["needs"] for row in d["trend"]] == [0] * len(d["trend"])
