"""What the scheduled mail functions share: the table and mailer built from settings, one use case run, its figures
logged, and mail not sent failing the invocation, so the retry sends just that."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from service.adapters.clock import Clock
from service.adapters.documents import use_organisation_formats
from service.adapters.factory import build_mailer, build_table
from service.adapters.mailer import Mailer
from service.adapters.unit_of_work import UnitOfWork
from service.config import load_settings
from service.handlers.observability import Handler, invocation_id, observed

MailRun = Callable[[UnitOfWork, Mailer, Clock, str], Any]  # a dataclass of counts, `failed` among them


def scheduled_mailing(module: str, send: MailRun, run_name: str, incomplete: type[Exception], unsent: str) -> Handler:
    """The Lambda handler of a scheduled run of `send`, logging as `module`; `unsent` says what failed (`{failed}`:
    how many)."""
    log = logging.getLogger(module)

    def run(event: dict[str, Any], context: Any) -> dict[str, int]:
        settings = load_settings()
        use_organisation_formats(settings.locale, settings.currency)  # the emails' dates and amounts
        table = build_table(settings)
        result = asdict(send(UnitOfWork(table), build_mailer(settings, table), Clock(), settings.base_url))
        log.info(run_name, extra=result)
        if result["failed"]:
            raise incomplete(unsent.format(failed=result["failed"]))
        return result

    return observed(run, invocation_id)
