"""The training-report function, run hourly by EventBridge Scheduler: emails due reports to leadership."""

from __future__ import annotations

from service.handlers.scheduled import scheduled_mailing
from service.services.training_delivery import deliver_training_reports


class DeliveryIncomplete(RuntimeError):
    """Some reports were not sent; failing the invocation makes Scheduler retry, which sends just those."""


lambda_handler = scheduled_mailing(
    __name__,
    deliver_training_reports,
    "training report run",
    DeliveryIncomplete,
    "{failed} report(s) not sent; the retry sends them",
)
