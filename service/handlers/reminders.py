"""The reminders function, run daily by EventBridge Scheduler: the scheduled reviews due (issue 28), then today's
reminders and escalations (with the new reviews' emails in the digest)."""

from __future__ import annotations

from service.adapters.clock import Clock
from service.adapters.mailer import Mailer
from service.adapters.queue import Message, Queue, SqsQueue
from service.adapters.unit_of_work import UnitOfWork
from service.handlers.scheduled import scheduled_mailing
from service.services.reminders import send_reminders
from service.services.schedules import ScheduleRun, run_schedules


class RemindersIncomplete(RuntimeError):
    """Some messages were not sent; failing the invocation makes Lambda run it again, which sends just those."""


class WorkQueue(Queue):
    """The work queue of template.yaml (QUEUE_URL), reached on the first message: a run with no rule due needs none."""

    def send_many(self, messages: list[Message]) -> None:
        if not messages:
            return
        from service.adapters.aws import client
        from service.config import ConfigError, load_settings

        settings = load_settings()
        if not settings.queue_url:
            raise ConfigError("the reminders function has no QUEUE_URL for the scheduled reviews (template.yaml)")
        SqsQueue(client("sqs", settings), settings.queue_url).send_many(messages)


def _schedules(uow: UnitOfWork, mailer: Mailer, clock: Clock, base_url: str) -> ScheduleRun:
    """The schedule rules' days due; their reviews made in chunks by the worker function from the work queue
    (issue 24: a day due for the whole organisation is not made inside this function)."""
    return run_schedules(uow, mailer, clock, base_url, WorkQueue())


lambda_handler = scheduled_mailing(
    __name__,
    send_reminders,
    "reminders run",
    RemindersIncomplete,
    "{failed} message(s) not sent; they are sent again on the retry",
    first=(_schedules, "schedules"),
)
