"""What every Lambda entrypoint shares: JSON logs with a correlation id, and metrics flushed after each invocation.

The logging is set up on the first invocation (`service.adapters.logs.LambdaLog`, the standard library's logging
writing JSON lines), not when a handler module is imported.

The first invocation also freezes what the import made (`gc.freeze`): modules, classes and functions live as long
as the sandbox, so the garbage collector's full passes need not walk them again. Without it the web function's
first answer ran one full pass over them (about 108,000 objects, a third of them the import's), and every full
pass of a warm sandbox did the same.
"""

from __future__ import annotations

import functools
import gc
import json
import logging
from collections.abc import Callable
from typing import Any

from service.adapters import metrics

Handler = Callable[[dict[str, Any], Any], Any]
CorrelationId = Callable[[dict[str, Any], Any], "str | None"]

_logger: Any = None


def observed(handler: Handler, correlation_id: CorrelationId) -> Handler:
    """Wrap a handler: each invocation logs JSON tagged with `correlation_id(event, context)`, then flushes metrics."""
    wrapped: Handler | None = None

    def entry(event: dict[str, Any], context: Any) -> Any:
        nonlocal wrapped
        if wrapped is None:
            _settle()
            wrapped = _instrument(handler, correlation_id)
        return wrapped(event, context)

    return entry


@functools.cache
def _settle() -> None:
    """Freeze what the init phase made (it lives as long as the sandbox), once per process."""
    gc.freeze()


def _instrument(handler: Handler, correlation_id: CorrelationId) -> Handler:
    global _logger
    from service.adapters.logs import lambda_logger
    from service.adapters.metrics import LoggedCounts

    logger = _logger = lambda_logger()
    sink = LoggedCounts()
    metrics.use(sink)

    def run(event: dict[str, Any], context: Any) -> Any:
        logger.begin(context)
        logger.set_correlation_id(correlation_id(event, context))
        try:
            return handler(event, context)
        finally:
            sink.flush()

    return run


def set_correlation_id(value: str | None) -> None:
    """Tag the log lines from here on with `value` (e.g. each SQS message of a batch in turn)."""
    if _logger is not None:
        _logger.set_correlation_id(value)


def api_request_id(event: dict[str, Any], context: Any) -> str | None:
    """API Gateway's id of the request (also in its access log, and in the WSGI environ as apig-wsgi's event)."""
    return (event.get("requestContext") or {}).get("requestId")


def invocation_id(event: dict[str, Any], context: Any) -> str | None:
    """The scheduler's event id when it sent one, else the Lambda request id."""
    return event.get("id") or getattr(context, "aws_request_id", None)


def sqs_batch(
    records: list[dict[str, Any]], handle: Callable[[dict[str, Any], Any], Any], what: str, log: logging.Logger
) -> dict[str, Any]:
    """Run `handle(record, its JSON body)` on each SQS record, logged (by the handler's `log`) under the message's
    id; the failed ones are reported back (`batchItemFailures`): SQS delivers only those again."""
    failures = []
    for record in records:
        message_id = record["messageId"]
        set_correlation_id(message_id)
        body: Any = None
        try:
            body = json.loads(record["body"])
            result = handle(record, body)
        except Exception as exc:  # whatever it was, SQS delivers the message again (then to the dead-letter queue)
            log.exception("%s failed: %s%s", what, exc, _naming(body), extra={"message_id": message_id})
            failures.append({"itemIdentifier": message_id})
        else:
            log.info("%s done", what, extra={"message_id": message_id, "result": result})
    set_correlation_id(None)
    return {"batchItemFailures": failures}


def _naming(body: Any) -> str:
    """What a failed message was about, for the operator: its ids and kind (the error's own sentence names none)."""
    if not isinstance(body, dict):
        return ""
    named = [f"{k}={v}" for k, v in sorted(body.items()) if (k.endswith("_id") or k == "kind") and isinstance(v, str)]
    return f" ({', '.join(named)})" if named else ""
