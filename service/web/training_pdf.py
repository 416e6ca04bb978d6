"""The training-need report as a PDF (issue 10): a page route and an API route, authorised exactly like the
report page (leadership and HR see the organisation, a manager their subtree, anyone else 403).

The PDF is made in this process by `service.pdf` (WeasyPrint imported on the first PDF): locally by the web
app, deployed by the PDF function, to which API Gateway routes these two paths (template.yaml).
"""

from __future__ import annotations

from flask import Blueprint, Response, request
from marshmallow import Schema, validate

from service.domain.errors import NotFound
from service.domain.filenames import slug
from service.domain.report_views import ReportView
from service.services import training_reports as reports
from service.services.auth import Principal
from service.web.api_io import load_query
from service.web.auth import current_principal
from service.web.cycle_choice import report_cycle
from service.web.docs import api_doc
from service.web.fields import Id, Whole
from service.web.page_helpers import page_principal
from service.web.wiring import wiring

bp = Blueprint("training_pdf", __name__)


class ReportPdfQuerySchema(Schema):
    """Which cycle's report, and how many topics the suggested programme names."""

    cycle = Id(required=True, metadata={"description": "the cycle whose report to render"})
    n = Whole(load_default=3, validate=validate.Range(1, reports.MAX_PROGRAMME))


def _pdf_response(principal: Principal, cycle_id: str, n: int) -> Response:
    from service.pdf.training_pdf import training_report_pdf

    # Refused (403) or missing (404) exactly as the report itself. Links in the PDF point back at this
    # deployment: the reader follows them from a saved file.
    context = reports.report_context(wiring().uow(), principal, cycle_id, n, request.url_root.rstrip("/"))
    name = slug(context["report"].cycle_name)
    resp = Response(training_report_pdf(context), mimetype="application/pdf")
    resp.headers["Content-Disposition"] = f'attachment; filename="training-needs-{name}.pdf"'
    return resp


@bp.get("/reports/training.pdf")
def report_page():
    """Download the training-need report of a cycle (the page's cycle when none is named) as PDF."""
    principal = page_principal()
    raw = request.args.get("n", "3")
    n = int(raw) if raw.isdigit() and 1 <= int(raw) <= reports.MAX_PROGRAMME else 3
    choice = report_cycle(ReportView.TRAINING)  # named, else chosen on the pages, else the newest with figures
    if choice.unknown:
        raise NotFound(f"no cycle {choice.unknown!r}")
    if choice.cycle is None:
        raise NotFound("no review cycle yet")
    return _pdf_response(principal, choice.cycle.cycle_id, n)


@bp.get("/api/reports/training.pdf")
@api_doc(
    "The training-need report of a cycle as PDF (leadership and HR: the organisation; a manager: their subtree)",
    query=ReportPdfQuerySchema,
    errors=(403, 404),
    response_content="application/pdf",
)
def report_api():
    """The training-need report as PDF, with the page's figures and charts."""
    args = load_query()
    return _pdf_response(current_principal(), args["cycle"], args["n"])
