"""The reminders function, run daily by EventBridge Scheduler."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from service.adapters.clock import Clock
from service.adapters.factory import build_mailer, build_table
from service.adapters.unit_of_work import UnitOfWork
from service.config import load_settings
from service.handlers.observability import invocation_id, observed
from service.services.reminders import send_reminders

log = logging.getLogger(__name__)


class RemindersIncomplete(RuntimeError):
    """Some messages were not sent; failing the invocation makes Lambda run it again, which sends just those."""


def _run(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Send today's reminders and escalations."""
    settings = load_settings()
    table = build_table(settings)
    result = asdict(send_reminders(UnitOfWork(table), build_mailer(settings, table), Clock(), settings.base_url))
    log.info("reminders run", extra=result)
    if result["failed"]:
        raise RemindersIncomplete(f"{result['failed']} message(s) not sent; they are sent again on the retry")
    return result


lambda_handler = observed(_run, invocation_id)
