"""The training-need report by email to leadership: when a cycle closes and on HR's schedule.

The scheduled job runs hourly. Each thing worth a message is a tick (a cycle's close, a week, a month);
each (tick, recipient) is claimed in the table before the message goes, so a retried or overlapping run
sends no second copy, and a claim left "sending" by a run that died is taken over after a lease.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import AddressBouncing, Email, Mailer, SendFailed
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Role
from service.services.auth import Principal
from service.services.training_reports import report_context

LEASE = timedelta(minutes=10)
RECENT_CLOSE = timedelta(days=7)  # a new deployment does not mail the reports of old cycles
# The report goes out as leadership would read it: the whole organisation, suppression applied.
READER = Principal("training-report", "Training report", frozenset({Role.LEADERSHIP}))
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Delivery:
    """What a run sent: emails sent, skipped (already sent for that tick and recipient), and refused."""

    sent: int
    skipped: int
    failed: int


def due_ticks(uow: UnitOfWork, now: datetime) -> list[tuple[str, str, Cycle]]:
    """(tick, reason, cycle) of every report due now: recent closes, and this week's or month's on schedule."""
    cycles = uow.cycles.list()
    ticks: list[tuple[str, str, Cycle]] = []
    for c in cycles:
        if c.state is CycleState.CLOSED and c.closed_at and now - datetime.fromisoformat(c.closed_at) <= RECENT_CLOSE:
            ticks.append((f"close-{c.cycle_id}-{c.closed_at[:19]}", "close", c))
    frequency = uow.training.schedule().frequency
    launched = [c for c in cycles if c.template_snapshot]
    # On schedule, leadership hears about a live cycle whenever there is one (a rehearsal's report goes to HR).
    launched = [c for c in launched if not c.rehearsal] or launched
    current = next((c for c in launched if c.state is CycleState.ACTIVE), launched[0] if launched else None)
    if current is not None and frequency == "weekly":
        year, week, _ = now.isocalendar()
        ticks.append((f"weekly-{year}-W{week:02d}", "schedule", current))
    elif current is not None and frequency == "monthly":
        ticks.append((f"monthly-{now:%Y-%m}", "schedule", current))
    return ticks


def deliver_training_reports(uow: UnitOfWork, mailer: Mailer, clock: Clock, base_url: str = "") -> Delivery:
    """Email each due report to every active member of leadership, once per tick and recipient."""
    now = clock.now()
    at = iso(now)
    ticks = due_ticks(uow, now)
    if not ticks:
        return Delivery(0, 0, 0)
    leaders = sorted(
        (p for p in uow.directory.all() if p.active and Role.LEADERSHIP in p.roles and p.email),
        key=lambda p: p.employee_id,
    )
    sent = skipped = failed = 0
    for tick, reason, cycle in ticks:
        context: dict[str, Any] | None = None
        for person in leaders:
            claim = uow.training.claim_delivery(tick, person.email, at, now, LEASE)
            if claim is None:
                skipped += 1
                continue
            context = context or report_context(uow, READER, cycle.cycle_id, 3, base_url)
            text = render(
                "email/training_report.txt", person=person, r=context["report"], links=context["links"], reason=reason
            )
            subject = f"Training-need report: {cycle.name}" + (" (cycle closed)" if reason == "close" else "")
            try:
                mailer.send(Email((person.email,), subject, text, cycle_id=cycle.cycle_id))
            except AddressBouncing:  # issue 21: HR sees the address; a retry would skip it again
                uow.training.settle_delivery(claim, at)
                skipped += 1
                continue
            except SendFailed as exc:
                log.warning("the training report to %s failed; the retry sends it: %s", person.email, exc)
                uow.training.settle_delivery(claim, at, error=str(exc) or type(exc).__name__)
                failed += 1
                continue
            uow.training.settle_delivery(claim, at)
            sent += 1
    return Delivery(sent, skipped, failed)
