"""The background worker: one dispatcher for every kind of queued message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.adapters.clock import Clock
from service.adapters.mailer import Mailer
from service.adapters.metrics import REVIEWS_CREATED, Metrics, current
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles, schedules

HANDLERS: dict[str, Callable[[UnitOfWork, dict[str, Any], Clock], Any]] = {
    "create_reviews": cycles.create_review_batch,
}
# Kinds whose handler also emails (issue 24: a chunk of a schedule rule's day, fanned out by the reminders function).
MAILING: dict[str, Callable[[UnitOfWork, dict[str, Any], Clock, Mailer], Any]] = {
    "scheduled_reviews": schedules.create_scheduled_batch,
}
# Kinds whose handler returns how many of something it made (an int, or a run's `reviews`), and the metric.
COUNTED: dict[str, str] = {"create_reviews": REVIEWS_CREATED, "scheduled_reviews": REVIEWS_CREATED}


def dispatch(
    table: Table,
    message: dict[str, Any],
    clock: Clock,
    metrics: Metrics | None = None,
    mailer: Callable[[], Mailer] | None = None,
) -> Any:
    """Run one message through the handler for its kind; what it made is counted once it is stored. `mailer`
    builds the mailer a mailing kind needs (built only for those)."""
    kind = message.get("kind")
    if kind in MAILING:
        if mailer is None:
            raise ValueError(f"a {kind!r} message needs a mailer")
        result = MAILING[kind](UnitOfWork(table), message, clock, mailer())
    elif kind in HANDLERS:
        result = HANDLERS[kind](UnitOfWork(table), message, clock)
    else:
        raise ValueError(f"unknown message kind {kind!r}")
    if kind in COUNTED:
        (metrics if metrics is not None else current()).add(COUNTED[kind], int(getattr(result, "reviews", result)))
    return result
