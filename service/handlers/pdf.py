"""The PDF function: the one function with WeasyPrint. API Gateway sends it the summary downloads (the same
Flask app as the web function, through apig-wsgi); SQS sends it export messages (a job's plan, which queues
one message per chunk back on the same queue, each chunk, and the assembly). A message that fails on the attempt
SQS will not retry (its ApproximateReceiveCount has reached the queue's maxReceiveCount, EXPORT_MAX_RECEIVES) fails
its job first (or marks its background render failed); SQS then moves it to the dead-letter queue, which nothing
polls (issue 24). WeasyPrint loads on the first PDF."""

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
        # the ZIP's PDFs: the organisation's formats and time zone
        use_organisation_formats(settings.locale, settings.currency, settings.time_zone)
        exports = load_export_settings()
        _parts.update(table=build_table(settings), blobs=build_blob_store(settings, exports), exports=exports)
        _parts["clock"] = Clock(settings.time_zone)
        _parts["queue"] = SqsQueue(client("sqs", settings), exports.queue_url)  # the chunks go back on it
    return _parts["table"], _parts["blobs"], _parts["exports"], _parts["queue"], _parts["clock"]


def process_records(
    records: list[dict[str, Any]],
    table: Table,
    blobs: Any,
    max_receives: int,
    clock: Clock,
    queue: Any,
    render: Any = None,
) -> dict[str, Any]:
    """Run each export record; the failed ones are reported back, and one failing on its last attempt (the
    `max_receives`-th delivery) fails its job (or its background render) first."""
    from service.pdf import stored_summary
    from service.services import exports

    if render is None:
        from service.pdf.summary_pdf import summary_pdf as render
    render = stored_summary.keeping(render, blobs, clock)  # a finalised summary kept already is not made again

    def run(record: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
        last = _last_attempt(record, max_receives)
        if message.get("kind") == stored_summary.KIND:
            try:
                return asdict(stored_summary.render_message(table, message, clock, blobs))
            except Exception:
                if last:
                    _give_up(lambda: stored_summary.render_failed(blobs, message), message)
                raise
        try:
            return asdict(exports.run_export(table, message, clock, blobs, render, queue))
        except Exception:
            if last:  # SQS dead-letters it now: the job shows failed, with a retry offered
                _give_up(
                    lambda: exports.mark_failed(table, message, "the export failed on every attempt", clock), message
                )
            _retry_soon(queue, record)
            raise  # reported back as failed: SQS counts the receive, and dead-letters it after the last

    return sqs_batch(records, run, "export message", log)


def _last_attempt(record: dict[str, Any], max_receives: int) -> bool:
    """Whether SQS will not deliver this record again if it fails (its receive count reached maxReceiveCount)."""
    count = str((record.get("attributes") or {}).get("ApproximateReceiveCount") or "1")
    return count.isdigit() and int(count) >= max_receives


def _give_up(mark: Any, message: dict[str, Any]) -> None:
    """Mark what a message's last attempt was for as failed; if that write fails too, the job reads as failed once
    its progress is older than the queue allows (services/exports.py), so this failure is only logged."""
    try:
        mark()
    except Exception as exc:  # the message's own failure is what is reported; this one must not hide it
        log.warning("could not mark export message %s failed: %s", message.get("export_id") or message.get("key"), exc)


def _retry_soon(queue: Any, record: dict[str, Any]) -> None:
    """Ask SQS to hand a failed export message out again in RETRY_SECONDS; if it cannot, the queue's own
    visibility timeout still brings it back (later), so that failure is only logged."""
    if not record.get("receiptHandle"):
        return
    try:
        queue.retry_in(record["receiptHandle"], RETRY_SECONDS)
    except Exception as exc:  # the message's own failure is what is reported; this one must not hide it
        log.warning("could not shorten the retry of export message %s: %s", record.get("messageId"), exc)


def _handle(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """An HTTP request (a summary download) or a batch of export messages."""
    if "Records" in event:
        table, blobs, exports, queue, clock = _worker_parts()
        return process_records(event["Records"], table, blobs, exports.max_receives, clock, queue)
    return _http(event, context)


lambda_handler = observed(_handle, api_request_id)
