"""The reminders function, run daily by EventBridge Scheduler: the scheduled reviews due (issue 28), then today's
reminders and escalations (with the new reviews' emails in the digest)."""

from __future__ import annotations

from service.handlers.scheduled import scheduled_mailing
from service.services.reminders import send_reminders
from service.services.schedules import run_schedules


class RemindersIncomplete(RuntimeError):
    """Some messages were not sent; failing the invocation makes Lambda run it again, which sends just those."""


lambda_handler = scheduled_mailing(
    __name__,
    send_reminders,
    "reminders run",
    RemindersIncomplete,
    "{failed} message(s) not sent; they are sent again on the retry",
    first=(run_schedules, "schedules"),
)
