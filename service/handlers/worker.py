"""The worker function: SQS messages (launch batches, scheduled reviews' chunks) through the one dispatcher."""

from __future__ import annotations

import logging
from functools import cache
from typing import Any

from service.adapters.clock import Clock
from service.adapters.factory import build_mailer, build_table
from service.adapters.mailer import Mailer
from service.adapters.store import Table
from service.config import load_settings
from service.handlers.observability import observed, sqs_batch
from service.services.worker import dispatch

log = logging.getLogger(__name__)


@cache
def _table() -> Table:
    return build_table(load_settings())  # once per container: a warm start reuses it


@cache
def _mailer() -> Mailer:
    """Built on the first message that emails (a scheduled review's chunk, issue 24), once per container."""
    from service.adapters.documents import use_organisation_formats

    settings = load_settings()
    use_organisation_formats(settings.locale, settings.currency, settings.time_zone)  # the emails' dates and amounts
    return build_mailer(settings, _table())


def _process(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process a batch; failed messages are logged and reported back so only they are retried."""
    table, clock = _table(), Clock(load_settings().time_zone)  # the organisation's day (deadlines, reviews' starts)
    return sqs_batch(
        event.get("Records", []),
        lambda record, message: dispatch(table, message, clock, mailer=_mailer),
        "message",
        log,
    )


lambda_handler = observed(_process, lambda event, context: None)
