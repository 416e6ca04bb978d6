"""The appraisal summary of a review as a PDF: a page route and an API route, authorised like the review.

Both answer a review the reader may not see exactly as a missing one (404), checked on every ask before any
stored PDF is looked at. The PDF is made in this process by `service.pdf` (WeasyPrint imported on the first
PDF): locally by the web app, deployed by the PDF function, to which API Gateway routes these two paths
(template.yaml). A finalised review's PDF is kept in the export bucket under the hash of what it shows and
read from there afterwards (ETag: that hash; If-None-Match with it answers 304 from the hash alone); one too big
to render within a request is rendered by the PDF function from the export queue, and meanwhile the answer is
202 "being prepared" with a Location to ask again (service/pdf/stored_summary.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Blueprint, Flask, Response, render_template, request
from marshmallow import Schema, fields

from service.adapters.queue import InlineQueue, Queue
from service.services import summaries as summary_svc
from service.web.api_io import answer
from service.web.auth import current_principal
from service.web.docs import api_doc, api_report
from service.web.page_helpers import page_principal
from service.web.wiring import Wiring, wiring

if TYPE_CHECKING:
    from service.adapters.blobs import BlobStore

bp = Blueprint("summaries", __name__)

REVIEW = "/cycles/<cycle_id>/reviews/<employee_id>"


class ContentHashSchema(Schema):
    """The content hash of a review as stored now (HR checks a PDF's footer against it)."""

    cycle_id = fields.String(required=True)
    employee_id = fields.String(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    content_hash = fields.String(required=True, metadata={"description": "sha256:<64 hex>, as in the PDF footer"})


class PreparingSchema(Schema):
    """A summary being rendered in the background: ask `location` again after `retry_after` seconds."""

    state = fields.String(
        required=True,
        metadata={"description": "'preparing', or 'failed': the last render did not finish; ask `location` again"},
    )
    message = fields.String(required=True)
    location = fields.String(required=True)
    retry_after = fields.Integer(required=True, metadata={"description": "seconds"})


PREPARING = "The summary is long, so it is being prepared; it will be ready to download in a moment."
RENDER_FAILED = "The summary could not be prepared this time; ask for it again to start another attempt."


def use_summaries(
    app: Flask, queue: Queue | None = None, blobs: BlobStore | None = None, inline_pages: int | None = None
) -> None:
    """Give an app the queue of background renders, the bucket of stored summaries (the export bucket) and the
    most pages rendered within a request (tests)."""
    from service.web.exports import use_exports

    use_exports(app, blobs=blobs)
    given = {"summary_queue": queue, "summary_inline_pages": inline_pages}
    app.extensions["reviews"].extras.update({k: v for k, v in given.items() if v is not None})


def _store(w: Wiring) -> BlobStore:
    """Stored summaries live in the export bucket (its `summaries/` prefix), wired as exports wire it."""
    from service.web.exports import _blobs

    return _blobs(w)


def _queue(w: Wiring) -> Queue:
    """The export queue (the PDF function consumes it); without one, the render runs inline in this process."""
    if "summary_queue" not in w.extras:
        from service.adapters.export_settings import load_export_settings

        if load_export_settings().queue_url:
            from service.web.exports import _queue as export_queue

            w.extras["summary_queue"] = export_queue(w)
        else:
            from service.pdf.stored_summary import render_message

            w.extras["summary_queue"] = InlineQueue(lambda m: render_message(w.table, m, w.clock, _store(w)))
    return w.extras["summary_queue"]


def _pdf_response(cycle_id: str, employee_id: str, principal: Any, page: bool) -> Response:
    from service.pdf import stored_summary

    w = wiring()
    # The reader's access is decided here, before anything stored is looked at (404 for a review they may not see).
    summary = summary_svc.summary_for(w.uow(), principal, cycle_id, employee_id, w.clock.now())
    budget = w.extras.get("summary_inline_pages", stored_summary.INLINE_PAGES)
    held = request.if_none_match.as_set(include_weak=True)  # If-None-Match compares weakly (RFC 9110)
    got = stored_summary.download(summary, _store(w), _queue(w), w.clock, principal.employee_id, budget, held)
    if isinstance(got, stored_summary.Unchanged):
        resp = Response(status=304)
        resp.set_etag(got.key)
        return resp
    if isinstance(got, stored_summary.Preparing | stored_summary.RenderFailed):
        failed = isinstance(got, stored_summary.RenderFailed)
        retry_after = 0 if failed else got.retry_after
        if page:
            html = render_template("pages/summary_preparing.html", summary=summary, link=request.path, failed=failed)
            resp = Response(html, status=202, mimetype="text/html")
        else:
            body = {
                "state": "failed" if failed else "preparing",
                "message": RENDER_FAILED if failed else PREPARING,
                "location": request.path,
                "retry_after": retry_after,
            }
            resp = answer(body, schema=PreparingSchema, status=202)
        resp.headers.update({"Location": request.path, "Retry-After": str(retry_after)})
        return resp
    resp = Response(got.pdf, mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{summary.filename}"'
    resp.headers["X-Content-Hash"] = summary.content_hash
    resp.set_etag(got.key)
    return resp


@bp.get(REVIEW + "/summary.pdf")
def summary_page(cycle_id: str, employee_id: str):
    """Download the reader's copy of the review's appraisal summary (or learn it is being prepared)."""
    return _pdf_response(cycle_id, employee_id, page_principal(), page=True)


@bp.get("/api" + REVIEW + "/summary.pdf")
@api_doc(
    "The appraisal summary of a review as PDF, the reader's copy (a review the reader may not see: 404); ETag is "
    "the hash of what it shows (If-None-Match with it: 304, nothing sent). A long one is prepared in the "
    "background: 202, then ask the Location again",
    response_content="application/pdf",
    not_modified=True,
    accepted=PreparingSchema,
)
def summary_api(cycle_id: str, employee_id: str):
    """The reader's copy of the appraisal summary as PDF (202 while a long one is being prepared)."""
    return _pdf_response(cycle_id, employee_id, current_principal(), page=False)


@bp.get("/api" + REVIEW + "/content-hash")
@api_report("The content hash of a review as stored now, to check a summary's footer against (HR)", ContentHashSchema)
def content_hash(cycle_id: str, employee_id: str):
    """HR checks a PDF: the hash its footer should show if it was made from the review as stored now."""
    return answer(summary_svc.current_hash(wiring().uow(), current_principal(), cycle_id, employee_id))
