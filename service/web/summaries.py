"""The appraisal summary of a review as a PDF: a page route and an API route, authorised like the review.

Both answer a review the reader may not see exactly as a missing one (404). The PDF is made in this
process by `service.pdf` (WeasyPrint imported on the first PDF): locally by the web app, deployed by the PDF
function, to which API Gateway routes these two paths (template.yaml).
"""

from __future__ import annotations

from flask import Blueprint, Response
from marshmallow import Schema, fields

from service.services import summaries as summary_svc
from service.web.api_io import answer
from service.web.auth import current_principal
from service.web.docs import api_doc
from service.web.page_helpers import page_principal
from service.web.wiring import wiring

bp = Blueprint("summaries", __name__)

REVIEW = "/cycles/<cycle_id>/reviews/<employee_id>"


class ContentHashSchema(Schema):
    """The content hash of a review as stored now (HR checks a PDF's footer against it)."""

    cycle_id = fields.String(required=True)
    employee_id = fields.String(required=True)
    version = fields.Integer(required=True)
    state = fields.String(required=True)
    content_hash = fields.String(required=True, metadata={"description": "sha256:<64 hex>, as in the PDF footer"})


def _pdf_response(cycle_id: str, employee_id: str, principal) -> Response:
    from service.pdf.summary_pdf import summary_pdf

    w = wiring()
    summary = summary_svc.summary_for(w.uow(), principal, cycle_id, employee_id, w.clock.now())
    resp = Response(summary_pdf(summary), mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="{summary.filename}"'
    resp.headers["X-Content-Hash"] = summary.content_hash
    return resp


@bp.get(REVIEW + "/summary.pdf")
def summary_page(cycle_id: str, employee_id: str):
    """Download the reader's copy of the review's appraisal summary."""
    return _pdf_response(cycle_id, employee_id, page_principal())


@bp.get("/api" + REVIEW + "/summary.pdf")
@api_doc(
    "The appraisal summary of a review as PDF, the reader's copy (a review the reader may not see: 404)",
    response_content="application/pdf",
)
def summary_api(cycle_id: str, employee_id: str):
    """The reader's copy of the appraisal summary as PDF."""
    return _pdf_response(cycle_id, employee_id, current_principal())


@bp.get("/api" + REVIEW + "/content-hash")
@api_doc(
    "The content hash of a review as stored now, to check a summary's footer against (HR)",
    response=ContentHashSchema,
    errors=(403,),
)
def content_hash(cycle_id: str, employee_id: str):
    """HR checks a PDF: the hash its footer should show if it was made from the review as stored now."""
    return answer(summary_svc.current_hash(wiring().uow(), current_principal(), cycle_id, employee_id))
