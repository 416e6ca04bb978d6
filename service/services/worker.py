"""The background worker: one dispatcher for every kind of queued message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.adapters.clock import Clock
from service.adapters.metrics import REVIEWS_CREATED, Metrics, current
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles

HANDLERS: dict[str, Callable[[UnitOfWork, dict[str, Any], Clock], Any]] = {
    "create_reviews": cycles.create_review_batch,
}
# Kinds whose handler returns how many of something it made, and the metric that counts them.
COUNTED: dict[str, str] = {"create_reviews": REVIEWS_CREATED}


def dispatch(table: Table, message: dict[str, Any], clock: Clock, metrics: Metrics | None = None) -> Any:
    """Run one message through the handler for its kind; what it made is counted once it is stored."""
    try:
        handler = HANDLERS[message["kind"]]
    except KeyError:
        raise ValueError(f"unknown message kind {message.get('kind')!r}") from None
    result = handler(UnitOfWork(table), message, clock)
    if message["kind"] in COUNTED:
        (metrics if metrics is not None else current()).add(COUNTED[message["kind"]], int(result))
    return result
