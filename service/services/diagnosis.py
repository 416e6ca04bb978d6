"""The organisation's diagnosis of a cycle (issue 27, point 2): where problems sit, for leadership and HR.

Obstacles by area and training needed against training delivered come from the training-need report of the cycle
(`training_reports.training_report`: its aggregates, already suppressed), so the diagnosis never shows a figure that
report withholds. Competency gaps by department come from one paginated Query of the cycle's reviews; upward
feedback by management level from the cycle's upward summaries (one paginated Query: each manager's answers and
ratings, moved by every upward answer, with the manager's level when the first came), counted as the groups show
(at least the cycle's threshold of answers), and only once the cycle's upward feedback is final
(`domain/diagnosis.upward_final`: released for everyone at once, or the cycle closed), so a figure once read never
changes. Every group under 5 people is withheld through `domain/suppression.py`. The trend puts the cycle beside
the ones before it (at most `TREND_CYCLES`), and the improvement plan's items made before this cycle are reviewed on it.

Requests at 200 people (tests/integration/test_diagnosis_request_counts.py): see `docs/ARCHITECTURE.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.decisions import expectation_point
from service.domain.diagnosis import (
    AreaFigure,
    CycleFigures,
    Finding,
    GapRow,
    LevelFigure,
    TrainingFigure,
    TrainingTotals,
    areas_from,
    gap_rows,
    reading,
    training_totals,
    upward_final,
    upward_final_at,
    upward_groups,
    upward_levels,
)
from service.domain.errors import NO_CYCLE, NotFound
from service.domain.feedback import FeedbackKind
from service.domain.improvement_plan import PlanItem, PlanProgress, progress_of
from service.domain.reviews import ReviewState, at_least
from service.domain.suppression import NOTE, SUPPRESS_BELOW
from service.services import policy, report_release
from service.services.auth import Principal
from service.services.feedback_settings import feedback_deadline, settings_for
from service.services.report_release import HeldCounts
from service.services.training_reports import ObstacleRow, TopicRow, TrainingReport, training_report

TREND_CYCLES = 3  # the cycle shown and the two before it
HOW = (
    "Obstacles: every obstacle a manager recorded in a submitted assessment, by the area its category belongs to; "
    "an area's count is withheld when one of its categories is.",
    "Upward feedback: the average rating reports gave their manager, by the manager's level in the organisation "
    "(level 1 reports to nobody) when the first answer came; only groups with enough answers to be shown count. "
    "A cycle's figures appear once every group is final and released at once (the day after the feedback deadline, "
    "or the cycle's close when groups are released by each manager's submission), so they never change later.",
    "Competency gaps: people whose manager rated a competency below the scale's point that meets expectations, "
    "in reviews the manager has submitted (after calibration where there was one).",
    "Training: needs named in the cycle's reviews, and those addressed by training or a learning activity, for "
    "the topics the training-need report shows.",
    "The reading in words is made from these figures only; a withheld figure is never read.",
)


@dataclass(frozen=True)
class TrendRow:
    """One cycle of the trend: obstacles by area, training needed and addressed, people with a competency gap."""

    cycle_id: str
    cycle_name: str
    areas: list[AreaFigure]
    needs: int
    addressed: int | None
    rated: int | None
    with_gap: int | None
    upward: list[LevelFigure] = field(default_factory=list)
    upward_final: bool = False
    held: bool = False  # a running cycle read by leadership: only its upward feedback (released at once) shows


@dataclass(frozen=True)
class PlanReview:
    """The improvement plan as this cycle reviews it: the items made from earlier cycles and how they stand."""

    items: list[PlanItem]
    progress: PlanProgress


@dataclass(frozen=True)
class Diagnosis:
    """Where problems sit in one cycle, for leadership and HR; every figure under 5 people already withheld."""

    cycle_id: str
    cycle_name: str
    cycle_state: str
    threshold: int
    note: str
    scale: list[str]
    meets: int
    obstacle_people: int | None
    areas: list[AreaFigure]
    categories: list[ObstacleRow]
    levels: list[LevelFigure]
    gaps: GapRow | None
    departments: list[GapRow]
    training: list[TrainingFigure]
    training_totals: TrainingTotals
    findings: list[Finding]
    trend: list[TrendRow]
    previous_cycle: str | None
    plan: PlanReview
    how: tuple[str, ...] = HOW
    this_cycle_plan: list[PlanItem] = field(default_factory=list)
    upward_final: bool = False  # the cycle's upward groups are final: `levels` shows them
    upward_from: date | None = None  # the day they become final (None: when the cycle closes)
    held: bool = False  # a running cycle read by leadership: no figure of it until it closes (report_release)
    live: bool = False  # a running cycle read by HR: the figures move as reviews move
    progress: HeldCounts | None = None  # a held cycle's review counts (no content)


def _cycle(uow: UnitOfWork, cycle_id: str) -> Cycle:
    cycle = uow.cycles.get(cycle_id)
    if cycle is None or cycle.template_snapshot is None:
        raise NotFound(NO_CYCLE)
    return cycle


def _gaps(uow: UnitOfWork, cycle: Cycle) -> tuple[GapRow, list[GapRow]]:
    """Competency gaps by department (one paginated Query of the cycle's reviews)."""
    snapshot = cycle.template_snapshot or {}
    scale = list(snapshot.get("scale", []))
    names = {c["id"]: c.get("name", c["id"]) for c in snapshot.get("competencies", [])}
    point = expectation_point(scale) if len(scale) >= 2 else 0
    rated: dict[str, set[str]] = {}
    below: dict[tuple[str, str], set[str]] = {}
    for r in uow.reviews.of_cycle(cycle.cycle_id):
        if not at_least(r.state, ReviewState.MANAGER_SUBMITTED):
            continue
        ratings = (r.manager_assessment or {}).get("competency_ratings") or {}
        given = {cid: v["rating"] for cid, v in ratings.items() if cid in names and (v or {}).get("rating")}
        if not given:
            continue
        department = r.department or "—"
        rated.setdefault(department, set()).add(r.employee_id)
        for cid, value in given.items():
            if int(value) < point:
                below.setdefault((department, cid), set()).add(r.employee_id)
    return gap_rows(rated, below, names)


@dataclass(frozen=True)
class Upward:
    """A cycle's upward feedback by level, once final (else no level), and when it is or becomes final."""

    levels: list[LevelFigure]
    final: bool
    final_on: date | None


def _upward(uow: UnitOfWork, cycle: Cycle, now: datetime) -> Upward:
    """Upward feedback by the managers' level, from the cycle's upward summaries (one paginated Query), once final."""
    settings = settings_for(uow, cycle)
    deadline = feedback_deadline(cycle)
    final = upward_final(settings.release, deadline, cycle.state is CycleState.CLOSED, now)
    at = upward_final_at(settings.release, deadline, now.tzinfo)
    if not final:
        return Upward([], False, at.date() if at else None)
    competencies = [c["id"] for c in (cycle.template_snapshot or {}).get("competencies", [])]
    found = upward_groups(uow.feedback.upward_summaries(cycle.cycle_id), competencies, settings.shown_from)
    return Upward(upward_levels(found), True, at.date() if at else None)


def _training(report: TrainingReport) -> list[TrainingFigure]:
    return [
        TrainingFigure(t.topic_id, t.topic, t.people, t.needs, t.addressed)
        for t in report.topics
        if isinstance(t, TopicRow)
    ]


def _categories(report: TrainingReport) -> dict[str, int | None]:
    return {o.category: o.obstacles for o in report.obstacles.by_category}


def _earlier(uow: UnitOfWork, cycle: Cycle, cycles: list[Cycle] | None = None) -> list[Cycle]:
    """The launched cycles before this one, newest first (`cycles`: the organisation's, when read already)."""
    listed = uow.cycles.list() if cycles is None else cycles
    before = [c for c in listed if c.template_snapshot and c.period_start < cycle.period_start]
    return sorted(before, key=lambda c: c.period_start, reverse=True)


def _trend_row(
    uow: UnitOfWork, principal: Principal, cycle: Cycle, now: datetime, cycles: list[Cycle]
) -> tuple[TrendRow, CycleFigures]:
    report = training_report(uow, principal, cycle.cycle_id, cycles=cycles)
    org, departments = _gaps(uow, cycle)
    topics = _training(report)
    totals = training_totals(topics)
    areas = areas_from(_categories(report))
    up = _upward(uow, cycle, now)
    row = TrendRow(
        cycle.cycle_id, cycle.name, areas, totals.needs, totals.addressed, org.rated, org.any_below, up.levels, up.final
    )
    return row, CycleFigures(cycle.cycle_id, cycle.name, areas, totals, org, up.levels, departments, topics)


def plan_review(
    uow: UnitOfWork, cycle: Cycle, today: date, before: list[Cycle] | None = None
) -> tuple[PlanReview, list[PlanItem]]:
    """The plan's items made from earlier cycles (reviewed at this one) and those made from this cycle (`before`:
    the cycles before it, when read already)."""
    earlier = {c.cycle_id for c in (_earlier(uow, cycle) if before is None else before)}
    items = uow.plan.all()
    carried = [i for i in items if i.cycle_id in earlier]
    return PlanReview(carried, progress_of(carried, today)), [i for i in items if i.cycle_id == cycle.cycle_id]


def diagnosis(uow: UnitOfWork, principal: Principal, cycle_id: str, now: datetime) -> Diagnosis:
    """Where problems sit in a cycle, and the trend over the cycles before it (leadership and HR)."""
    policy.require(policy.may_see_diagnosis(principal), "The diagnosis is for leadership and HR.")
    cycle = _cycle(uow, cycle_id)
    scale = list((cycle.template_snapshot or {}).get("scale", []))
    cycles = uow.cycles.list()  # once, for the training reports and the trend
    earlier = _earlier(uow, cycle, cycles)
    review, this_cycle = plan_review(uow, cycle, now.date(), earlier)
    shown = [c for c in earlier if report_release.released(c, principal)]
    if not report_release.released(cycle, principal):
        return _held(uow, principal, cycle, now, cycles, shown, review, this_cycle)
    report = training_report(uow, principal, cycle_id, cycles=cycles)
    org, departments = _gaps(uow, cycle)
    up = _upward(uow, cycle, now)
    levels = up.levels
    topics = _training(report)
    totals = training_totals(topics)
    areas = areas_from(_categories(report))
    figures = CycleFigures(cycle_id, cycle.name, areas, totals, org, levels, departments, topics)
    trend = [
        TrendRow(
            cycle_id, cycle.name, areas, totals.needs, totals.addressed, org.rated, org.any_below, levels, up.final
        )
    ]
    before: CycleFigures | None = None
    for n, c in enumerate(shown[: TREND_CYCLES - 1]):
        row, figs = _trend_row(uow, principal, c, now, cycles)
        trend.insert(0, row)
        before = figs if n == 0 else before
    meets = expectation_point(scale) if len(scale) >= 2 else 0
    return _of(
        cycle,
        review,
        this_cycle,
        earlier[0].name if earlier else None,
        up,
        obstacle_people=report.obstacles.people,
        areas=areas,
        categories=list(report.obstacles.by_category),
        gaps=org,
        departments=departments,
        training=topics,
        training_totals=totals,
        findings=reading(figures, before, len(scale), meets),
        trend=trend,
        live=report_release.live(cycle, principal),
    )


def _of(
    cycle: Cycle, plan: PlanReview, this_cycle: list[PlanItem], previous: str | None, up: Upward, **figures: Any
) -> Diagnosis:
    """The diagnosis of `cycle` with its `figures` (held or not): the parts every reading has."""
    scale = list((cycle.template_snapshot or {}).get("scale", []))
    return Diagnosis(
        cycle_id=cycle.cycle_id,
        cycle_name=cycle.name,
        cycle_state=cycle.state.value,
        scale=scale,
        meets=expectation_point(scale) if len(scale) >= 2 else 0,
        threshold=SUPPRESS_BELOW,
        note=NOTE,
        levels=up.levels,
        previous_cycle=previous,
        plan=plan,
        this_cycle_plan=this_cycle,
        upward_final=up.final,
        upward_from=up.final_on,
        **figures,
    )


def _held(
    uow: UnitOfWork,
    principal: Principal,
    cycle: Cycle,
    now: datetime,
    cycles: list[Cycle],
    shown: list[Cycle],
    review: PlanReview,
    this_cycle: list[PlanItem],
) -> Diagnosis:
    """A running cycle's diagnosis for leadership: none of its figures, its progress, and the trend of the closed
    cycles before it (report_release)."""
    up = _upward(uow, cycle, now)  # released for everyone at one moment: shown once final, as before
    trend = [_trend_row(uow, principal, c, now, cycles)[0] for c in reversed(shown[: TREND_CYCLES - 1])]
    areas = [AreaFigure(a.area, None, a.categories) for a in areas_from({})]  # none published: not even a zero
    trend.append(TrendRow(cycle.cycle_id, cycle.name, areas, 0, None, None, None, up.levels, up.final, True))
    previous = shown[0].name if shown else None
    empty = {"categories": [], "gaps": None, "departments": [], "training": [], "findings": []}
    return _of(
        cycle,
        review,
        this_cycle,
        previous,
        up,
        obstacle_people=None,
        areas=areas,
        training_totals=training_totals([]),
        trend=trend,
        held=True,
        progress=report_release.progress(uow, cycle.cycle_id),
        **empty,
    )


def finding(uow: UnitOfWork, principal: Principal, cycle_id: str, key: str, now: datetime) -> Finding:
    """One finding of a cycle's diagnosis by its key (an improvement-plan item is made from it), or NotFound."""
    for f in diagnosis(uow, principal, cycle_id, now).findings:
        if f.key == key:
            return f
    raise NotFound("That finding is not in the cycle's diagnosis (the figures may have changed): open it again.")


def reindex_upward(uow: UnitOfWork) -> dict[str, int]:
    """After an upgrade: count the upward answers stored before summaries existed into each manager's summary, per
    cycle (the managers asked for upward feedback, by the cycle's requests); how many summaries each cycle got. Safe to
    repeat; a summary an answer moved meanwhile is left for the next run."""
    done = {}
    for cycle in uow.cycles.list():
        subjects = sorted(
            {r.subject_id for r in uow.feedback.of_cycle(cycle.cycle_id) if r.kind is FeedbackKind.UPWARD}
        )
        people = uow.directory.get_many(subjects)
        done[cycle.cycle_id] = sum(
            uow.feedback.rebuild_upward_summary(cycle.cycle_id, s, tuple(people[s].chain) if s in people else None)
            for s in subjects
        )
    return done
