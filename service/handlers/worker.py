"""The worker function: SQS messages (launch batches) through the one dispatcher."""

from __future__ import annotations

import json
import logging
from typing import Any

from service.adapters.clock import Clock
from service.adapters.factory import build_table
from service.adapters.store import Table
from service.config import load_settings
from service.handlers.observability import observed, set_correlation_id
from service.services.worker import dispatch

log = logging.getLogger(__name__)
_table: Table | None = None


def _process(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process a batch; failed messages are logged and reported back so only they are retried."""
    global _table
    if _table is None:
        _table = build_table(load_settings())
    failures = []
    for record in event.get("Records", []):
        message_id = record["messageId"]
        set_correlation_id(message_id)
        try:
            result = dispatch(_table, json.loads(record["body"]), Clock())
        except Exception as exc:  # whatever it was, SQS delivers the message again (then to the dead-letter queue)
            log.exception("message failed: %s", exc, extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
        else:
            log.info("message done", extra={"message_id": message_id, "result": result})
    set_correlation_id(None)
    return {"batchItemFailures": failures}


lambda_handler = observed(_process, lambda event, context: None)
