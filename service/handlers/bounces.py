"""The bounce function: SES bounces and complaints arrive through SNS; each address is recorded, not mailed again."""

from __future__ import annotations

import json
import logging
from functools import cache
from typing import Any

from service.adapters.clock import Clock
from service.adapters.factory import build_table
from service.adapters.store import Table
from service.config import load_settings
from service.handlers.observability import invocation_id, observed
from service.services.mail_feedback import record_notification

log = logging.getLogger(__name__)


@cache
def _table() -> Table:
    return build_table(load_settings())  # once per container: a warm start reuses it


def _record(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Record every address the SNS records report; a failure fails the invocation (SNS retries it)."""
    recorded = 0
    for record in event.get("Records", []):
        message = json.loads(record["Sns"]["Message"])
        addresses = record_notification(_table(), message, Clock(load_settings().time_zone))
        recorded += len(addresses)
        if addresses:
            log.info("addresses no longer mailed", extra={"count": len(addresses), "kind": message.get("eventType")})
    return {"recorded": recorded}


lambda_handler = observed(_record, invocation_id)
