"""The PDF function: the one function with WeasyPrint. API Gateway sends it the summary downloads (the same
Flask app as the web function, through apig-wsgi); SQS sends it export messages (a job's plan, which queues
one message per chunk back on the same queue, each chunk, and the assembly), and the export dead-letter queue
the messages that used up their retries (their jobs are marked failed). WeasyPrint loads on the first PDF."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.handlers.observability import api_request_id, observed, sqs_batch

log = logging.getLogger(__name__)
RETRY_SECONDS = 30  # a failed export message (one chunk) is delivered again after this, not after the queue's 5400 s
_parts: dict[str, Any] = {}


def _http(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "http" not in _parts:
        from apig_wsgi import make_lambda_handler

        from service.web import create_app

        _parts["http"] = make_lambda_handler(create_app(), binary_support=True)
    return _parts["http"](event, context)


def _worker_parts() -> tuple[Table, Any, Any, Any, Clock]:
    if "table" not in _parts:
        from service.adapters.aws import client
        from service.adapters.documents import use_organisation_formats
        from service.adapters.export_settings import build_blob_store, load_export_settings
        from service.adapters.factory import build_table
        from service.adapters.queue import SqsQueue
        from service.config import load_settings

        settings = load_settings()
        use_organisation_formats(settings.locale, settings.currency)  # the ZIP's PDFs: the organisation's formats
        exports = load_export_settings()
        _parts.update(table=build_table(settings), blobs=build_blob_store(settings, exports), exports=exports)
        _parts["clock"] = Clock(settings.time_zone)
        _parts["queue"] = SqsQueue(client("sqs", settings), exports.queue_url)  # the chunks go back on it
    return _parts["table"], _parts["blobs"], _parts["exports"], _parts["queue"], _parts["clock"]


def process_records(
    records: list[dict[str, Any]],
    table: Table,
    blobs: Any,
    dlq_arn: str | None,
    clock: Clock,
    queue: Any,
    render: Any = None,
) -> dict[str, Any]:
    """Run each export record (or mark a dead-lettered one failed); the failed ones are reported back."""
    from service.pdf import stored_summary
    from service.services import exports

    if render is None:
        from service.pdf.summary_pdf import summary_pdf as render
    render = stored_summary.keeping(render, blobs, clock)  # a finalised summary kept already is not made again

    def run(record: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
        if message.get("kind") == stored_summary.KIND:
            return _summary_render(record, message, table, blobs, dlq_arn, clock)
        if dlq_arn and record.get("eventSourceARN") == dlq_arn:
            return asdict(exports.mark_failed(table, message, "the export failed on every attempt", clock))
        try:
            return asdict(exports.run_export(table, message, clock, blobs, render, queue))
        except Exception:
            _retry_soon(queue, record)
            raise  # reported back as failed: SQS counts the receive, and dead-letters it after the third

    return sqs_batch(records, run, "export message", log)


def _retry_soon(queue: Any, record: dict[str, Any]) -> None:
    """Ask SQS to hand a failed export message out again in RETRY_SECONDS; if it cannot, the queue's own
    visibility timeout still brings it back (later), so that failure is only logged."""
    if not record.get("receiptHandle"):
        return
    try:
        queue.retry_in(record["receiptHandle"], RETRY_SECONDS)
    except Exception as exc:  # the message's own failure is what is reported; this one must not hide it
        log.warning("could not shorten the retry of export message %s: %s", record.get("messageId"), exc)


def _summary_render(
    record: dict[str, Any], message: dict[str, Any], table: Table, blobs: Any, dlq_arn: str | None, clock: Clock
) -> dict[str, Any]:
    """A long summary rendered in the background (issue 24); a dead-lettered one is dropped: the reader's next
    ask, once its marker is stale, queues it again."""
    if dlq_arn and record.get("eventSourceARN") == dlq_arn:
        log.warning(
            "a summary render failed on every attempt: %s/%s", message.get("cycle_id"), message.get("employee_id")
        )
        return {"dropped": message.get("key", "")}
    from service.pdf.stored_summary import render_message

    return asdict(render_message(table, message, clock, blobs))


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """An HTTP request (a summary download) or a batch of export messages."""
    if "Records" in event:
        table, blobs, exports, queue, clock = _worker_parts()
        return process_records(event["Records"], table, blobs, exports.dlq_arn, clock, queue)
    return _http(event, context)


lambda_handler = observed(_handle, api_request_id)
