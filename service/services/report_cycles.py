"""Which cycle leadership's views show (issue 25, point 2): the one chosen, else the newest cycle with data.

The rule, the same for every leadership view (the home's reports, organisation goals, the alignment report, the
training-need report and its CSV):

1. A cycle asked for (`?cycle=`) is shown when the view lists it; one asked for that the view does not list is
   refused (`CycleChoice.unknown`: the page says so, answers 404 and shows the default instead).
2. Else the cycle the person chose earlier with a page's cycle choice (kept by the web edge in the signed
   session cookie), when the view lists it. A link naming a cycle shows it without keeping it, so following
   the home's links never pins a default that a newer cycle will replace.
3. Else the default: the newest launched cycle (active or closed; "newest" as every cycle list orders them,
   the most recently created first) that has data for the view:

   - `ReportView.GOALS` (organisation goals, alignment report): someone has an individual goal in the cycle;
   - `ReportView.TRAINING` (training-need report): at least `SUPPRESS_BELOW` people named a training need, so
     the report can show figures, and the cycle's figures reach the reader (report_release: a running cycle's
     reach only HR, so leadership and managers open on the newest closed cycle);
   - `ReportView.HOME` (leadership's overview): either of those, or a review is past "not started".

   A newer cycle without data (one HR has just launched, a small one) is passed over and named on the page, so
   leadership sees figures, not zeros, until the new cycle has some. When no launched cycle has data the newest
   active cycle is shown, else the newest listed.

Each test reads counters kept on write (a Get or one Query per cycle looked at), never the cycle's items; at
most `LOOK_BACK` cycles are looked at.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, tzinfo

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.report_views import ReportView
from service.domain.reviews import ReviewState
from service.domain.suppression import SUPPRESS_BELOW
from service.services import cycles as cycle_svc
from service.services import goals as goal_svc
from service.services import policy, report_release, training_reports
from service.services.auth import Principal
from service.services.goal_reports import AlignmentReport
from service.services.training_reports import TrainingReport

LOOK_BACK = 20  # cycles looked at for data, newest first


def has_goals(uow: UnitOfWork, cycle_id: str) -> bool:
    """Someone has an individual goal in the cycle (the alignment report's department counters)."""
    return any(d["individual"] for d in uow.rollups.departments(cycle_id))


def has_training_figures(uow: UnitOfWork, cycle_id: str) -> bool:
    """Enough people named a training need in the cycle for its report to show figures."""
    return int(uow.training.aggregate(cycle_id, "ORG").get("people", 0)) >= SUPPRESS_BELOW


def has_submitted_reviews(uow: UnitOfWork, cycle_id: str) -> bool:
    """A review of the cycle is past "not started" (the cycle's counters)."""
    per_state = uow.cycles.counts(cycle_id)[0]
    return any(n > 0 for state, n in per_state.items() if state != ReviewState.NOT_STARTED.value)


HAS_DATA: dict[ReportView, Callable[[UnitOfWork, str], bool]] = {
    ReportView.GOALS: has_goals,
    ReportView.TRAINING: has_training_figures,
    ReportView.HOME: lambda uow, cycle_id: (
        has_goals(uow, cycle_id) or has_submitted_reviews(uow, cycle_id) or has_training_figures(uow, cycle_id)
    ),
}


@dataclass(frozen=True)
class CycleChoice:
    """The cycles a view offers (newest first), the one it shows, and why."""

    cycles: list[Cycle]
    cycle: Cycle | None
    chosen: bool = False  # asked for or remembered, rather than the default
    unknown: str | None = None  # a cycle asked for that the view does not list (refused)
    passed_over: list[Cycle] = field(default_factory=list)  # newer launched cycles without data yet
    kept: bool = False  # the cycle shown is the one the person chose to keep (set by the web edge)
    held_over: list[Cycle] = field(default_factory=list)  # passed over as running: figures shown when it closes


def default_cycle(
    uow: UnitOfWork, view: ReportView, cycles: list[Cycle], principal: Principal | None = None
) -> tuple[Cycle | None, list[Cycle]]:
    """The rule's cycle among `cycles` (newest first) and the newer launched cycles it passed over. For the
    training-need report, a running cycle has no figures for a `principal` who cannot read each review
    (report_release), so the newest closed cycle with figures is shown and the running one named."""
    launched = [c for c in cycles if c.state is not CycleState.DRAFT][:LOOK_BACK]
    for i, cycle in enumerate(launched):
        held = view is ReportView.TRAINING and principal is not None and not report_release.released(cycle, principal)
        if not held and HAS_DATA[view](uow, cycle.cycle_id):
            return cycle, launched[:i]
    fallback = next((c for c in cycles if c.state is CycleState.ACTIVE), cycles[0] if cycles else None)
    return fallback, []


def choose_cycle(
    uow: UnitOfWork,
    view: ReportView,
    asked: str | None,
    remembered: str | None = None,
    principal: Principal | None = None,
) -> CycleChoice:
    """The cycle a leadership view shows: asked for, else remembered, else the newest with data for `principal`
    (see above)."""
    cycles = cycle_svc.list_cycles(uow)
    by_id = {c.cycle_id: c for c in cycles}
    if asked and asked in by_id:
        return CycleChoice(cycles, by_id[asked], chosen=True)
    if not asked and remembered in by_id:
        return CycleChoice(cycles, by_id[remembered], chosen=True)
    cycle, passed_over = default_cycle(uow, view, cycles, principal)
    held = [c for c in passed_over if view is ReportView.TRAINING and principal is not None]
    held = [c for c in held if not report_release.released(c, principal)]
    return CycleChoice(cycles, cycle, unknown=asked or None, passed_over=passed_over, held_over=held)


def default_report_cycle(uow: UnitOfWork, principal: Principal, view: ReportView) -> CycleChoice:
    """The cycle a view opens on when none is named, for readers of reports (the JSON API's question)."""
    policy.require(policy.may_see_reports(principal), "Only leadership, HR and managers read reports.")
    return choose_cycle(uow, view, None, principal=principal)


@dataclass(frozen=True)
class Leading:
    """Leadership's overview on the home page, for the chosen cycle (no cycle: `cycle` is None)."""

    choice: CycleChoice
    alignment: AlignmentReport | None = None
    progress: cycle_svc.CycleProgress | None = None
    training: TrainingReport | None = None

    @property
    def cycle(self) -> Cycle | None:
        """The cycle shown."""
        return self.choice.cycle


def leadership_overview(
    uow: UnitOfWork, principal: Principal, choice: CycleChoice, today: date, zone: tzinfo | None = None
) -> Leading:
    """The home's reports for the chosen cycle: goal alignment (goals paced on the organisation's days, `zone`),
    review progress, how many named training needs."""
    cycle = choice.cycle
    if cycle is None:
        return Leading(choice)
    return Leading(
        choice,
        goal_svc.alignment_report(uow, principal, cycle.cycle_id, today, zone),
        cycle_svc.cycle_progress(uow, principal, cycle.cycle_id, today),
        training_reports.training_report(uow, principal, cycle.cycle_id),
    )
