"""The background worker: one dispatcher for every kind of queued message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles

HANDLERS: dict[str, Callable[[UnitOfWork, dict[str, Any], Clock], Any]] = {
    "create_reviews": cycles.create_review_batch,
}


def dispatch(table: Table, message: dict[str, Any], clock: Clock) -> Any:
    """Run one message through the handler for its kind."""
    try:
        handler = HANDLERS[message["kind"]]
    except KeyError:
        raise ValueError(f"unknown message kind {message.get('kind')!r}") from None
    return handler(UnitOfWork(table), message, clock)
