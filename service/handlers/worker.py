"""The worker function: SQS messages (launch batches) through the one dispatcher."""

from __future__ import annotations

import json
from typing import Any

from service.adapters.clock import Clock
from service.adapters.factory import build_table
from service.config import load_settings
from service.services.worker import dispatch

_table = None


def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Process a batch; failed messages are reported back so only they are retried."""
    global _table
    if _table is None:
        _table = build_table(load_settings())
    failures = []
    for record in event.get("Records", []):
        try:
            dispatch(_table, json.loads(record["body"]), Clock())
        except Exception:
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
