"""The PDF function: the one function with WeasyPrint. API Gateway sends it the summary downloads (the same
Flask app as the web function, through apig-wsgi); SQS sends it export jobs, and the export dead-letter
queue the jobs that used up their retries (they are marked failed). WeasyPrint loads on the first PDF."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.handlers.observability import api_request_id, observed, sqs_batch

log = logging.getLogger(__name__)
_parts: dict[str, Any] = {}


def _http(event: dict[str, Any], context: Any) -> dict[str, Any]:
    if "http" not in _parts:
        from apig_wsgi import make_lambda_handler

        from service.web import create_app

        _parts["http"] = make_lambda_handler(create_app(), binary_support=True)
    return _parts["http"](event, context)


def _worker_parts() -> tuple[Table, Any, Any]:
    if "table" not in _parts:
        from service.adapters.documents import use_organisation_formats
        from service.adapters.export_settings import build_blob_store, load_export_settings
        from service.adapters.factory import build_table
        from service.config import load_settings

        settings = load_settings()
        use_organisation_formats(settings.locale, settings.currency)  # the ZIP's PDFs: the organisation's formats
        exports = load_export_settings()
        _parts.update(table=build_table(settings), blobs=build_blob_store(settings, exports), exports=exports)
    return _parts["table"], _parts["blobs"], _parts["exports"]


def process_records(
    records: list[dict[str, Any]], table: Table, blobs: Any, dlq_arn: str | None, clock: Clock, render: Any = None
) -> dict[str, Any]:
    """Run each export record (or mark a dead-lettered one failed); the failed ones are reported back."""
    from service.pdf import stored_summary
    from service.services import exports

    if render is None:
        from service.pdf.summary_pdf import summary_pdf as render

    def run(record: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
        if message.get("kind") == stored_summary.KIND:
            return _summary_render(record, message, table, blobs, dlq_arn, clock)
        if dlq_arn and record.get("eventSourceARN") == dlq_arn:
            return asdict(exports.mark_failed(table, message, "the export failed on every attempt", clock))
        return asdict(exports.run_export(table, message, clock, blobs, render))

    return sqs_batch(records, run, "export message", log)


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
        table, blobs, exports = _worker_parts()
        return process_records(event["Records"], table, blobs, exports.dlq_arn, Clock())
    return _http(event, context)


lambda_handler = observed(_handle, api_request_id)
