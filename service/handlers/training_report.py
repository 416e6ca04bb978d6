"""The training-report function, run hourly by EventBridge Scheduler: emails due reports to leadership."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from service.adapters.clock import Clock
from service.adapters.factory import build_mailer, build_table
from service.adapters.unit_of_work import UnitOfWork
from service.config import load_settings
from service.handlers.observability import invocation_id, observed
from service.services.training_delivery import deliver_training_reports

log = logging.getLogger(__name__)


class DeliveryIncomplete(RuntimeError):
    """Some reports were not sent; failing the invocation makes Scheduler retry, which sends just those."""


def _run(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Send the training-need reports that are due."""
    settings = load_settings()
    table = build_table(settings)
    result = asdict(
        deliver_training_reports(UnitOfWork(table), build_mailer(settings, table), Clock(), settings.base_url)
    )
    log.info("training report run", extra=result)
    if result["failed"]:
        raise DeliveryIncomplete(f"{result['failed']} report(s) not sent; the retry sends them")
    return result


lambda_handler = observed(_run, invocation_id)
