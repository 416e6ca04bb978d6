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
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle
from service.domain.directory import spreadsheet_safe
from service.domain.errors import NO_CYCLE, NotFound, ValidationFailed
from service.domain.reviews import NeedFormat, ObstacleCategory
from service.domain.suppression import NOTE, SUPPRESS_BELOW, Line, nested, withheld
from service.domain.training import (
    OBSTACLE_AREAS,
    Catalogue,
    ProgrammeStep,
    greedy_programme,
)
from service.services import policy, report_release
from service.services.auth import Principal
from service.services.report_release import HeldCounts

MAX_PROGRAMME = 10
RULE = (
    "The first topic is the one the most people named as a high priority. Each next topic is the one that reaches "
    "the most people with a high-priority need who are not reached yet; when two reach as many, the cheaper one "
    "comes first. This step-by-step choice is not always the best combination possible, but it comes close, and "
    "anyone can check it by hand."
)
FREE_TEXT_WITHHELD = "Free-text topics named by too few people to show"
SCORE_RULE = (
    "Each person who named a topic adds points for the highest priority they gave it: 3 for high, 2 for medium, "
    "1 for low. A topic many people call urgent scores highest; a person who names a topic twice counts once."
)


# --- what the report holds (a withheld row has no figures at all: not even null ones) ----------------------


@dataclass(frozen=True)
class WithheldTopic:
    """A topic named by a group too small to show (a free-text one not even by name)."""

    topic_id: str | None
    topic: str
    suppressed: bool = True


@dataclass(frozen=True)
class TopicRow:
    """A topic's figures; None: withheld, or no previous cycle to compare with."""

    topic_id: str
    topic: str
    suppressed: bool
    people: int
    score: int
    high_priority_people: int | None
    needs: int
    estimated_cost: float
    formats: dict[str, int | None]
    addressed: int | None
    previous_people: int | None
    change: int | None


@dataclass(frozen=True)
class WithheldDepartment:
    """A department too small to show; its obstacle count only where that gives nobody away."""

    department: str
    obstacle_people: int | None
    suppressed: bool = True


@dataclass(frozen=True)
class DepartmentRow:
    """A department's people with needs, its score and cost (None: a topic of it is withheld), top topics."""

    department: str
    suppressed: bool
    people: int
    score: int | None
    estimated_cost: float | None
    topics: list[dict[str, Any]]
    obstacle_people: int | None


@dataclass(frozen=True)
class CompetencyRow:
    """People whose needs develop a competency, and their score (None: withheld)."""

    competency_id: str
    competency: str
    suppressed: bool
    people: int | None
    score: int | None


@dataclass(frozen=True)
class ObstacleRow:
    """Obstacles of one category and the people they concern (None: withheld)."""

    category: str
    suppressed: bool
    people: int | None
    obstacles: int | None


@dataclass(frozen=True)
class ObstacleArea:
    """Obstacles in one area (workforce, tools and processes, leadership); None: a category of it is withheld."""

    area: str
    obstacles: int | None


@dataclass(frozen=True)
class Obstacles:
    """People with obstacles, by category and by area."""

    people: int | None
    by_category: list[ObstacleRow]
    by_area: list[ObstacleArea]


@dataclass(frozen=True)
class ProgrammeTopic:
    """One step of the programme: the people it adds, those covered so far and the cost (None: withheld)."""

    topic_id: str
    topic: str
    adds: int | None
    covered: int | None
    coverage_percent: float | None
    estimated_cost: float | None


@dataclass(frozen=True)
class Programme:
    """The suggested programme of N topics and what it reaches."""

    n: int
    people_with_high_priority_needs: int | None
    covered: int | None
    coverage_percent: float | None
    estimated_cost: float | None
    topics: list[ProgrammeTopic]
    rule: str


@dataclass(frozen=True)
class PreviousCycle:
    """The cycle before, with its people with needs as its own report shows them."""

    cycle_id: str
    name: str
    people_with_needs: int | None


@dataclass(frozen=True)
class TrainingReport:
    """The training-need report of a cycle for one reader, every small group already withheld."""

    cycle_id: str
    cycle_name: str
    cycle_state: str
    scope: str
    threshold: int
    note: str
    generated_at: str
    people_with_needs: int | None
    suppressed: bool
    previous_cycle: PreviousCycle | None
    score_rule: str
    topics: list[TopicRow | WithheldTopic] = field(default_factory=list)
    departments: list[DepartmentRow | WithheldDepartment] = field(default_factory=list)
    competencies: list[CompetencyRow] = field(default_factory=list)
    obstacles: Obstacles = field(default_factory=lambda: Obstacles(None, [], []))
    programme: Programme | None = None
    held: bool = False  # a running cycle read by someone who cannot read each review: no figure until it closes
    live: bool = False  # a running cycle read by HR: the figures move as reviews move
    progress: HeldCounts | None = None  # a held cycle's review counts (no content)


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
        if kind in ("p", "s", "h", "n", "c", "a", "ap", "up"):
            topics.setdefault(catalogue.resolve(rest), Counter())[kind] += value
        elif kind in ("f", "fp"):
            topic, _, fmt = rest.partition("|")
            topics.setdefault(catalogue.resolve(topic), Counter())[f"{kind}:{fmt}"] += value
        elif kind in ("cp", "cs"):
            comps.setdefault(rest, Counter())[kind] += value
        elif kind in ("op", "on"):
            obstacles.setdefault(rest, Counter())[kind] += value
        elif kind == "hc" and value > 0:
            combos[tuple(sorted({catalogue.resolve(t) for t in rest.split("+")}))] += value
    if int(item.get("counted|people", 0)) != int(item.get("people", 0)):
        # Someone counted before the people behind formats, needs addressed and open needs were: those
        # counts are incomplete for good, so they are taken as unknown (their figures are withheld).
        for c in topics.values():
            for k in [k for k in c if k.startswith("fp:") or k in ("ap", "up")]:
                del c[k]
    return {
        "people": int(item.get("people", 0)),
        "obstacle_people": int(item.get("obstacle_people", 0)),
        "topics": topics,
        "competencies": comps,
        "obstacles": obstacles,
        "combos": combos,
    }


def _previous(uow: UnitOfWork, cycle: Cycle, cycles: list[Cycle] | None = None) -> Cycle | None:
    """The launched cycle before this one (`cycles`: the organisation's cycles, when read already)."""
    listed = uow.cycles.list() if cycles is None else cycles
    earlier = [c for c in listed if c.period_start < cycle.period_start and c.template_snapshot]
    return max(earlier, key=lambda c: c.period_start, default=None)


def _formats(c: Counter) -> list[str]:
    """The formats named for a topic (in the order of the choices), each with needs in it."""
    found = {k.partition(":")[2] for k, v in c.items() if k.startswith("f:") and v > 0}
    return [f.value for f in NeedFormat if f.value in found] + sorted(found - {f.value for f in NeedFormat})


# --- the figures as cells and lines (see domain/suppression.py) ----------------------------------------

ORG = ("people",)
OBSTACLE_PEOPLE = ("obstacle_people",)
HIGH_PRIORITY = ("high_priority_people",)


def _programme_steps(fig: dict[str, Any], n: int) -> tuple[list[ProgrammeStep], int]:
    """The greedy programme over topics named by at least 5 people, and the people with a high-priority need."""
    eligible = {t for t, c in fig["topics"].items() if c["p"] >= SUPPRESS_BELOW}
    combos: Counter = Counter()
    for k, v in fig["combos"].items():
        combos[tuple(t for t in k if t in eligible)] += v
    total = sum(combos.values())
    cost = {t: round(fig["topics"][t]["c"] / 100, 2) for t in eligible}
    return greedy_programme({k: v for k, v in combos.items() if k}, n, cost, total), total


def _step_cells(steps: list[ProgrammeStep]) -> list[tuple[Any, Any]]:
    """Each step's (adds, covered) cells: the first step adds, and covers, the people with that topic at high."""
    cells = []
    for i, s in enumerate(steps):
        first = ("high", s.topic_id)
        cells.append((first, first) if i == 0 else (("adds", i), ("covered", i)))
    return cells


def _cells(
    fig: dict[str, Any],
    departments: dict[str, dict[str, Any]] | None,
    steps: list[ProgrammeStep] | None,
    high_total: int,
) -> tuple[dict[Any, int], list[Line], set[Any]]:
    """Every figure the report can publish as a cell (the people behind it) and the lines a reader can add up."""
    sizes: dict[Any, int] = {ORG: fig["people"], OBSTACLE_PEOPLE: fig["obstacle_people"]}
    lines: list[Line] = []
    unpublished: set[Any] = set()
    for t, c in fig["topics"].items():
        if c["p"] <= 0:
            continue
        topic = ("topic", t)
        sizes[topic] = c["p"]
        lines.append(nested(ORG, topic))
        sizes[("high", t)] = c["h"]
        lines.append(nested(topic, ("high", t)))
        fmts = []
        for fmt in _formats(c):
            cell = ("format", t, fmt)
            # Formats count needs; the people behind them are counted since the suppression rework. An older
            # aggregate without that count cannot say how many people its needs are: taken as few, not published.
            sizes[cell] = c[f"fp:{fmt}"] if f"fp:{fmt}" in c else 1
            if f"fp:{fmt}" not in c:
                unpublished.add(cell)
            fmts.append(cell)
        lines.append(Line(topic, tuple(fmts), disjoint=False))  # needs = Σ needs per format
        addressed, still_open = ("addressed", t), ("open", t)  # needs = addressed + open (never published)
        sizes[addressed] = c["ap"] if "ap" in c or c["a"] <= 0 else 1
        sizes[still_open] = c["up"] if "up" in c or c["n"] <= c["a"] else 1
        unpublished |= {still_open} | ({addressed} if "ap" not in c and c["a"] > 0 else set())
        lines.append(Line(topic, (addressed, still_open), disjoint=False))
        lines.append(nested(topic, addressed))
    for cid, c in fig["competencies"].items():
        if c["cp"] > 0:
            sizes[("competency", cid)] = c["cp"]
            lines.append(nested(ORG, ("competency", cid)))
    for cat, c in fig["obstacles"].items():
        if c["op"] > 0:
            sizes[("obstacle", cat)] = c["op"]
            lines.append(nested(OBSTACLE_PEOPLE, ("obstacle", cat)))
    if departments is not None:
        per_topic: dict[str, list[Any]] = {}
        for d, f in departments.items():
            dept, dobs = ("department", d), ("department_obstacles", d)
            sizes[dept], sizes[dobs] = f["people"], f["obstacle_people"]
            for t, c in f["topics"].items():
                if c["p"] > 0:
                    sizes[("department_topic", d, t)] = c["p"]
                    lines.append(nested(dept, ("department_topic", d, t)))
                    per_topic.setdefault(t, []).append(("department_topic", d, t))
        lines.append(Line(ORG, tuple(("department", d) for d in departments)))
        lines.append(Line(OBSTACLE_PEOPLE, tuple(("department_obstacles", d) for d in departments)))
        lines.extend(Line(("topic", t), tuple(cells)) for t, cells in per_topic.items())
    if steps is not None:
        sizes[HIGH_PRIORITY] = high_total
        lines.append(nested(ORG, HIGH_PRIORITY))
        lines.extend(nested(HIGH_PRIORITY, ("high", t)) for t, c in fig["topics"].items() if c["h"] > 0)
        before = None
        for s, (adds, covered) in zip(steps, _step_cells(steps), strict=True):
            sizes[adds], sizes[covered] = s.new_people, s.covered
            lines.append(nested(HIGH_PRIORITY, covered))
            if before is not None:
                lines.append(Line(covered, (before, adds)))  # cumulative: covered_i = covered_i−1 + adds_i
                lines.append(nested(("high", s.topic_id), adds))  # the rest already reached by earlier topics
            before = covered
    return sizes, lines, unpublished


def _hidden(
    fig: dict[str, Any], departments: dict[str, dict[str, Any]] | None, steps: list[ProgrammeStep] | None, total: int
) -> frozenset[Any]:
    sizes, lines, unpublished = _cells(fig, departments, steps, total)
    return withheld(sizes, lines, unpublished)


# --- the sections -----------------------------------------------------------------------------------


def _topic_rows(
    fig: dict[str, Any],
    hidden: frozenset[Any],
    prev: dict[str, Any] | None,
    prev_hidden: frozenset[Any],
    catalogue: Catalogue,
) -> list[TopicRow | WithheldTopic]:
    rows: list[TopicRow | WithheldTopic] = []
    prev_topics = (prev or {}).get("topics", {})
    for t, c in fig["topics"].items():
        if c["p"] <= 0:
            continue
        if ("topic", t) in hidden:
            rows.append(WithheldTopic(t, catalogue.label(t)))
            continue
        # None: no previous cycle, or its figure is withheld there (as its own report withholds it).
        before = prev_topics.get(t, Counter())["p"] if prev is not None else None
        previous = None if before is None or ("topic", t) in prev_hidden else before
        rows.append(
            TopicRow(
                topic_id=t,
                topic=catalogue.label(t),
                suppressed=False,
                people=c["p"],
                score=c["s"],
                high_priority_people=None if ("high", t) in hidden else c["h"],
                needs=c["n"],
                estimated_cost=round(c["c"] / 100, 2),
                # None: withheld (the needs of fewer than 5 people, or of a group they would reveal)
                formats={f: None if ("format", t, f) in hidden else c[f"f:{f}"] for f in _formats(c)},
                addressed=c["a"] if c["a"] <= 0 or ("addressed", t) not in hidden else None,
                previous_people=previous,
                change=c["p"] - previous if previous is not None else None,
            )
        )
    rows.sort(key=lambda r: (r.suppressed, -getattr(r, "score", 0), r.topic.casefold()))
    # A withheld topic typed as free text is not named: its words are someone's, and would say what a group too
    # small to show needs. Catalogue topics are HR's list, named with their figures withheld.
    typed = [r for r in rows if r.suppressed and catalogue.resolve(r.topic_id or "") not in catalogue.topics]
    if typed:
        rows = [r for r in rows if r not in typed]
        rows.append(WithheldTopic(None, FREE_TEXT_WITHHELD))
    return rows


def _department_rows(
    figs: dict[str, dict[str, Any]], hidden: frozenset[Any], catalogue: Catalogue
) -> list[DepartmentRow | WithheldDepartment]:
    rows: list[DepartmentRow | WithheldDepartment] = []
    for d, f in sorted(figs.items(), key=lambda kv: kv[0].casefold()):
        if f["people"] <= 0 and f["obstacle_people"] <= 0:
            continue
        gone = ("department", d) in hidden
        # A zero beside a hidden department still says something about its few people ("none of them"): hidden too.
        zero_of_hidden = gone and f["obstacle_people"] == 0
        dobs = ("department_obstacles", d) in hidden or zero_of_hidden
        obstacle_people = None if dobs else f["obstacle_people"]
        if gone:
            rows.append(WithheldDepartment(d, obstacle_people))
            continue
        named = {t: c for t, c in f["topics"].items() if c["p"] > 0}
        shown = {t: c for t, c in named.items() if ("department_topic", d, t) not in hidden}
        top = [{"topic": catalogue.label(t), "people": c["p"], "score": c["s"]} for t, c in shown.items()]
        # The department's score and cost add up its topics: given only when no topic of it is withheld,
        # or the sum minus the topics shown would give the withheld ones away.
        whole = len(shown) == len(named)
        rows.append(
            DepartmentRow(
                department=d,
                suppressed=False,
                people=f["people"],
                score=sum(c["s"] for c in named.values()) if whole else None,
                estimated_cost=round(sum(c["c"] for c in named.values()) / 100, 2) if whole else None,
                topics=sorted(top, key=lambda r: (-r["score"], r["topic"].casefold()))[:5],
                obstacle_people=obstacle_people,
            )
        )
    return rows


def _no_zero_by_subtraction(
    rows: list[DepartmentRow | WithheldDepartment], total: int | None
) -> list[DepartmentRow | WithheldDepartment]:
    """The departments' people with obstacles, so that the organisation's total minus those shown never reads 0
    for the withheld ones (that "none of them" is about a group too small to show, and is why it is withheld):
    then the smallest count shown is withheld too, and the difference counts at least that many people."""
    shown = [r for r in rows if r.obstacle_people is not None]
    if total is None or len(shown) == len(rows) or sum(r.obstacle_people or 0 for r in shown) != total:
        return rows
    smallest = min((r for r in shown if r.obstacle_people), key=lambda r: r.obstacle_people or 0, default=None)
    return [replace(r, obstacle_people=None) if r is smallest else r for r in rows]


def _obstacles(fig: dict[str, Any], hidden: frozenset[Any]) -> Obstacles:
    rows = []
    for cat in ObstacleCategory:
        c = fig["obstacles"].get(cat.value, Counter())
        if c["op"] <= 0:
            continue
        shown = ("obstacle", cat.value) not in hidden
        rows.append(ObstacleRow(cat.value, not shown, c["op"] if shown else None, c["on"] if shown else None))
    areas = []
    for area, cats in OBSTACLE_AREAS.items():
        mine = [r for r in rows if r.category in cats]
        # An area's sum is given only when every category in it is shown: a partial sum would read as the whole.
        n = None if any(r.suppressed for r in mine) else sum(r.obstacles or 0 for r in mine)
        areas.append(ObstacleArea(area, n))
    people = fig["obstacle_people"]
    return Obstacles(
        people if people > 0 and OBSTACLE_PEOPLE not in hidden else (0 if people <= 0 else None), rows, areas
    )


def _competencies(fig: dict[str, Any], hidden: frozenset[Any], names: dict[str, str]) -> list[CompetencyRow]:
    rows = []
    for cid, c in sorted(fig["competencies"].items()):
        if c["cp"] <= 0:
            continue
        shown = ("competency", cid) not in hidden
        rows.append(
            CompetencyRow(cid, names.get(cid, cid), not shown, c["cp"] if shown else None, c["cs"] if shown else None)
        )
    return rows


def programme(fig: dict[str, Any], catalogue: Catalogue, n: int, hidden: frozenset[Any] | None = None) -> Programme:
    """The N topics covering the most people with high-priority needs (among topics named by 5 or more); each
    figure is withheld where it, or its difference with another, would give a group of fewer than 5 away.

    What is withheld is decided over the longest programme (MAX_PROGRAMME steps), whatever N: the first N
    steps are the same greedy steps, so asking for another N shows a part of the same figures, never a
    figure that this N withholds."""
    steps, total = _programme_steps(fig, MAX_PROGRAMME)
    if hidden is None:
        hidden = _hidden(fig, None, steps, total)
    steps = steps[:n]
    total_shown = total > 0 and HIGH_PRIORITY not in hidden
    topics = []
    for s, (adds, covered) in zip(steps, _step_cells(steps), strict=True):
        shown = covered not in hidden
        cost_shown = ("topic", s.topic_id) not in hidden
        topics.append(
            ProgrammeTopic(
                topic_id=s.topic_id,
                topic=catalogue.label(s.topic_id),
                adds=None if adds in hidden else s.new_people,  # None: withheld
                covered=s.covered if shown else None,
                coverage_percent=s.coverage if shown and total_shown else None,
                estimated_cost=s.cost if cost_shown else None,
            )
        )
    last = topics[-1] if topics else None
    costs = [t.estimated_cost for t in topics]
    return Programme(
        n=n,
        people_with_high_priority_needs=total if total_shown else None,
        covered=last.covered if last else (0 if total_shown else None),
        coverage_percent=last.coverage_percent if last else (0.0 if total_shown else None),
        estimated_cost=None if None in costs else round(sum(c or 0 for c in costs), 2),
        topics=topics,
        rule=RULE,
    )


def training_report(
    uow: UnitOfWork, principal: Principal, cycle_id: str, n: int = 3, cycles: list[Cycle] | None = None
) -> TrainingReport:
    """The report for leadership and HR (the organisation) or for a manager (their whole subtree); `cycles`: the
    organisation's cycles, when the caller read them already (the diagnosis reads them once for its trend)."""
    scope = policy.training_report_scope(principal)
    if not 1 <= n <= MAX_PROGRAMME:
        raise ValidationFailed("Choose how many topics.", {"n": [f"1 to {MAX_PROGRAMME}"]})
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(NO_CYCLE)
    prev_cycle = _previous(uow, cycle, cycles)
    if prev_cycle is not None and not report_release.released(prev_cycle, principal):
        prev_cycle = None  # a running cycle before this one gives no figure to this reader either
    if not report_release.released(cycle, principal):
        return _held(uow, cycle, scope, prev_cycle)
    catalogue = uow.training.catalogue()
    org = scope == "organisation"
    group = "ORG" if org else f"MGR|{principal.employee_id}"
    fig = _figures(uow.training.aggregate(cycle_id, group), catalogue)
    prev = _figures(uow.training.aggregate(prev_cycle.cycle_id, group), catalogue) if prev_cycle else None
    names = {c["id"]: c.get("name", c["id"]) for c in (cycle.template_snapshot or {}).get("competencies", [])}
    too_small = fig["people"] < SUPPRESS_BELOW
    depts = _departments(uow, cycle_id, catalogue) if org and not too_small else None
    steps, total = _programme_steps(fig, MAX_PROGRAMME) if org else (None, 0)  # see programme()
    hidden = _hidden(fig, depts, steps, total)
    # The previous cycle's figures as its own report would show them: nothing it withholds is given here.
    prev_hidden: frozenset[Any] = frozenset()
    if prev is not None and prev_cycle is not None:
        prev_depts = _departments(uow, prev_cycle.cycle_id, catalogue) if org and not too_small else None
        prev_steps, prev_total = _programme_steps(prev, MAX_PROGRAMME) if org else (None, 0)
        prev_hidden = _hidden(prev, prev_depts, prev_steps, prev_total)
    prev_people = prev["people"] if prev and prev["people"] >= SUPPRESS_BELOW and ORG not in prev_hidden else None
    report = _head(
        cycle,
        scope,
        PreviousCycle(prev_cycle.cycle_id, prev_cycle.name, prev_people) if prev_cycle else None,
        people_with_needs=None if too_small or ORG in hidden else fig["people"],
        suppressed=too_small,
        live=report_release.live(cycle, principal),
    )
    if too_small:
        return report
    obstacles = _obstacles(fig, hidden)
    return replace(
        report,
        topics=_topic_rows(fig, hidden, prev, prev_hidden, catalogue),
        competencies=_competencies(fig, hidden, names),
        obstacles=obstacles,
        departments=_no_zero_by_subtraction(_department_rows(depts, hidden, catalogue), obstacles.people)
        if depts is not None
        else [],
        programme=programme(fig, catalogue, n, hidden) if depts is not None else None,
    )


def _held(uow: UnitOfWork, cycle: Cycle, scope: str, prev_cycle: Cycle | None) -> TrainingReport:
    """A running cycle's report for a reader who cannot read each review: no figure, its progress, and the
    cycle before it named (its own report shows its figures once it is closed)."""
    return _head(
        cycle,
        scope,
        PreviousCycle(prev_cycle.cycle_id, prev_cycle.name, None) if prev_cycle else None,
        people_with_needs=None,
        suppressed=True,
        held=True,
        progress=report_release.progress(uow, cycle.cycle_id),
    )


def _head(cycle: Cycle, scope: str, previous: PreviousCycle | None, **rest: Any) -> TrainingReport:
    """The report's heading part for `cycle` (`rest`: its figures, or that they are held)."""
    return TrainingReport(
        cycle_id=cycle.cycle_id,
        cycle_name=cycle.name,
        cycle_state=cycle.state.value,
        scope=scope,
        threshold=SUPPRESS_BELOW,
        note=NOTE,
        generated_at=datetime.now(UTC).isoformat(timespec="seconds"),
        previous_cycle=previous,
        score_rule=SCORE_RULE,
        **rest,
    )


def _departments(uow: UnitOfWork, cycle_id: str, catalogue: Catalogue) -> dict[str, dict[str, Any]]:
    return {
        i["group"].removeprefix("DEPT|"): _figures(i, catalogue) for i in uow.training.aggregates(cycle_id, "DEPT|")
    }


@dataclass(frozen=True)
class FreeTopic:
    """A topic named in free text that matches no topic of the catalogue (HR may merge it into one)."""

    topic_id: str
    topic: str


def free_text_topics(uow: UnitOfWork, principal: Principal, cycle_id: str) -> list[FreeTopic]:
    """HR: the free-text topics a cycle's needs name, to merge them into the catalogue (names only, no figures;
    HR may read individual needs, so the names a report withholds are given here)."""
    policy.require(policy.may_manage_topics(principal), "HR manages the topic catalogue")
    catalogue = uow.training.catalogue()
    fig = _figures(uow.training.aggregate(cycle_id, "ORG"), catalogue)
    free = [t for t, c in fig["topics"].items() if c["p"] > 0 and t not in catalogue.topics]
    return sorted((FreeTopic(t, catalogue.label(t)) for t in free), key=lambda r: r.topic.casefold())


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
            "previous": f"{base_url}/reports/training?cycle={report.previous_cycle.cycle_id}"
            if report.previous_cycle
            else "",
        },
    }


CSV_COLUMNS = (
    "Section",
    "Group",
    "People",
    "Priority-weighted score",
    "High-priority people",
    "Needs",
    "Estimated cost",
    "Formats",
    "Needs addressed",
    "People in the previous cycle",
)


HIDDEN = "suppressed"  # in the CSV, a withheld figure (never a blank, which would read as zero)


def _csv_number(value: Any) -> Any:
    """A figure as a spreadsheet reads it: 4800.0 → 4800, 1250.5 → 1250.50 (no thousands separator)."""
    if isinstance(value, float):
        return f"{value:.0f}" if value.is_integer() else f"{value:.2f}"
    return value


def report_csv(report: TrainingReport, word: Callable[[str], str] = str, currency: str = "") -> str:
    """The report as CSV, every row as wide as the header: codes through `word` (the pages' words), amounts in
    `currency` (named in the header), a withheld figure reads "suppressed" (the last row says why); an empty cell
    is a column that does not apply to the row; no cell can run as a formula in a spreadsheet."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow([f"{c} ({currency})" if c == "Estimated cost" and currency else c for c in CSV_COLUMNS])

    def row(*cells: Any) -> None:
        padded = [*cells, *[""] * (len(CSV_COLUMNS) - len(cells))]
        w.writerow([spreadsheet_safe(_csv_number(c)) for c in padded])

    def fig(value: Any) -> Any:
        return HIDDEN if value is None else value

    if report.held and report.progress is not None:
        done = f"{report.progress.finalised} of {report.progress.reviews} reviews finalised"
        row("note", f"{report_release.HELD} {done}.")
    elif report.people_with_needs is not None or report.suppressed:
        row("total", "people with needs", fig(report.people_with_needs))
    for t in report.topics:
        if isinstance(t, WithheldTopic):
            row("topic", t.topic, *[HIDDEN] * (len(CSV_COLUMNS) - 3), HIDDEN if report.previous_cycle else "")
            continue
        fmts = "; ".join(f"{word(k)} {fig(v)}" for k, v in t.formats.items())
        row(
            "topic",
            t.topic,
            t.people,
            t.score,
            fig(t.high_priority_people),
            t.needs,
            t.estimated_cost,
            fmts,
            fig(t.addressed),
            fig(t.previous_people) if report.previous_cycle else "",
        )
    for d in report.departments:
        if isinstance(d, WithheldDepartment):
            row("department", d.department, HIDDEN, HIDDEN, "", "", HIDDEN)
        else:
            row("department", d.department, d.people, fig(d.score), "", "", fig(d.estimated_cost))
    for c in report.competencies:
        row("competency", c.competency, fig(c.people), fig(c.score))
    for o in report.obstacles.by_category:
        row("obstacle", word(o.category), fig(o.people), "", "", fig(o.obstacles))
    p = report.programme
    if p:
        row("programme", "people with a high-priority need", fig(p.people_with_high_priority_needs))
        for n, s in enumerate(p.topics, 1):
            coverage = "suppressed" if s.coverage_percent is None else f"{s.coverage_percent:g}%"
            row(
                "programme",
                f"step {n}: {s.topic}",
                fig(s.adds),
                "",
                "",
                "",
                fig(s.estimated_cost),
                f"covered {fig(s.covered)}; coverage {coverage}",
            )
    row("note", report.note.replace("“—”", "“suppressed” (“—” on the page)"))
    return out.getvalue()
