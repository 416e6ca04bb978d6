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


def scheduled_mailing(
    module: str,
    send: MailRun,
    run_name: str,
    incomplete: type[Exception],
    unsent: str,
    first: tuple[MailRun, str] | None = None,
) -> Handler:
    """The Lambda handler of a scheduled run of `send`, logging as `module`; `unsent` says what failed (`{failed}`:
    how many). `first`: a run made before `send` in the same invocation and the name its counts are logged and
    returned under: its messages wait for the digest `send` delivers (the scheduled reviews'); what it could not
    keep does not fail the invocation (a retry would not make it again: it is logged)."""
    log = logging.getLogger(module)

    def run(event: dict[str, Any], context: Any) -> dict[str, Any]:
        settings = load_settings()
        # the emails' dates and amounts (and issue 28: the time zone)
        use_organisation_formats(settings.locale, settings.currency, settings.time_zone)
        table = build_table(settings)
        mailer = build_mailer(settings, table)
        before: dict[str, Any] = {}
        clock = Clock(settings.time_zone)  # the organisation's day: what is due and overdue today
        if first is not None:
            before = {first[1]: asdict(first[0](UnitOfWork(table), mailer, clock, settings.base_url))}
            log.info(f"{first[1]} run", extra=before[first[1]])
        result = asdict(send(UnitOfWork(table), mailer, clock, settings.base_url))
        log.info(run_name, extra=result)
        if result["failed"]:
            raise incomplete(unsent.format(failed=result["failed"]))
        return {**result, **before}

    return observed(run, invocation_id)
