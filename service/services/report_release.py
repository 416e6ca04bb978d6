"""When a cycle's review-derived figures reach a reader: the one rule of anonymity over time in the reports.

Suppression (domain/suppression.py) looks at one reading. A reader who cannot read each review one by one
(leadership, a manager reading their subtree, the scheduled email, which goes out as leadership reads) could still
read a report about a running cycle before and after one manager submits one review and learn that review's
contribution by the difference. So for such readers a cycle's review-derived figures (training needs, obstacles,
competency gaps, the programme, the diagnosis's findings and trend) are shown only once the cycle is closed: while it
runs they read "This cycle's figures are shown when it closes" with progress counts that carry no content (how many
reviews are finalised), and the closed cycles before it. HR, who may read every review, keeps the live figures,
labelled as live.

A reopened cycle is running again: its figures are held from these readers until it closes again. A reopen/close
pair in which exactly one review changes can still show that change; reopening is HR's alone, with a reason, and
audited (docs/SECURITY.md).

The report services call `released` (training_reports.training_report, diagnosis.diagnosis and its trend,
report_cycles.default_cycle); no page, API, PDF or email decides it again. Leadership's decision counts are tied to
no cycle: they move per ended calendar quarter (domain/decisions.py), with `live_reader` deciding who reads live.
"""

from __future__ import annotations

from dataclasses import dataclass

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Role
from service.domain.reviews import ReviewState
from service.services.auth import Principal

HELD = "This cycle's figures are shown when it closes."


def live_reader(principal: Principal) -> bool:
    """Whether the reader may read every underlying review, so sees a running cycle's figures (HR)."""
    return principal.has(Role.HR)


def released(cycle: Cycle, principal: Principal) -> bool:
    """Whether the cycle's review-derived figures reach this reader now: closed, or read by HR."""
    return cycle.state is CycleState.CLOSED or live_reader(principal)


def live(cycle: Cycle, principal: Principal) -> bool:
    """The figures shown move as reviews move (HR reading a running cycle): the page labels them as live."""
    return cycle.state is not CycleState.CLOSED and live_reader(principal)


@dataclass(frozen=True)
class HeldCounts:
    """How far a held cycle is, in counts that carry no content: reviews in the cycle, and those finalised."""

    reviews: int
    finalised: int
    note: str = HELD  # what the reader is told instead of the figures


def progress(uow: UnitOfWork, cycle_id: str) -> HeldCounts:
    """The cycle's review counts from its counters (one Get)."""
    per_state = uow.cycles.counts(cycle_id)[0]
    return HeldCounts(sum(per_state.values()), per_state.get(ReviewState.FINALISED.value, 0))
