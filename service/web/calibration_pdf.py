"""Calibration's reports as PDF (issue 23): a session's report and a cycle's rating report, each from a page route
and an API route, authorised exactly like the session view and the rating report (their use cases refuse).

The PDF is made in this process by `service.pdf` (WeasyPrint imported on the first PDF): locally by the web app,
deployed by the PDF function, to which API Gateway routes these four paths (template.yaml).
"""

from __future__ import annotations

from flask import Blueprint, Response

from service.adapters.charts import bar_chart
from service.adapters.clock import iso
from service.domain.filenames import slug
from service.domain.templates import template_from_dict
from service.services import calibration as svc
from service.services.auth import Principal
from service.web.auth import current_principal
from service.web.docs import api_doc
from service.web.page_helpers import page_principal
from service.web.wiring import wiring

bp = Blueprint("calibration_pdf", __name__)


def session_chart(view: svc.SessionView, labels: tuple[str, ...]):
    """The session's distribution as an SVG bar chart (percent per rating), the target beside it when set."""
    d = view.session_distribution
    share = [round(100 * c / d.total) if d.total else 0 for c in d.counts]
    target = view.session.target
    return bar_chart(
        "Overall ratings in this session" + (", beside the target" if target else ""),
        "Percent of the session's people at each rating, as calibrated so far.",
        list(zip(labels, share, strict=True)),
        unit="%",
        series=("This session", "Target") if target else (),
        second=[float(t) for t in target] if target else None,
    )


def _attachment(data: bytes, name: str) -> Response:
    resp = Response(data, mimetype=PDF)
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return resp


def _session_pdf(principal: Principal, session_id: str) -> Response:
    from service.pdf.calibration_pdf import session_report_pdf

    w = wiring()
    view = svc.session_view(w.uow(), principal, session_id)  # refused (404) exactly as the session view
    template = template_from_dict(view.template)
    context = {
        "view": view,
        "template": template,
        "chart": session_chart(view, template.scale.labels),
        "made_at": iso(w.clock.now()),
    }
    return _attachment(session_report_pdf(context), f"calibration-{slug(view.session.name) or 'session'}")


def _ratings_pdf(principal: Principal, cycle_id: str) -> Response:
    from service.pdf.calibration_pdf import rating_report_pdf

    w = wiring()
    report = svc.rating_report(w.uow(), principal, cycle_id)  # refused (403) exactly as the rating report
    context = {"report": report, "made_at": iso(w.clock.now())}
    return _attachment(rating_report_pdf(context), f"ratings-{slug(report.cycle_name) or 'cycle'}")


PDF = "application/pdf"
SESSION_DOC = (
    "A calibration session's report as PDF: the distribution before and after, the changes and their direction per "
    "manager, over the people this reader may see"
)
RATINGS_DOC = (
    "A cycle's rating report as PDF (leadership and HR): by department and level with the trend; a figure of fewer "
    "than 5 people, or one that would reveal such a group by subtraction, is withheld"
)


@bp.get("/calibration/<session_id>/report.pdf")
def session_page(session_id: str):
    """Download a session's report (before and after, changes per manager) as PDF."""
    return _session_pdf(page_principal(), session_id)


@bp.get("/api/calibration-sessions/<session_id>/report.pdf")
@api_doc(SESSION_DOC, errors=(404,), response_content=PDF)
def session_api(session_id: str):
    """The session's report as PDF."""
    return _session_pdf(current_principal(), session_id)


@bp.get("/cycles/<cycle_id>/ratings.pdf")
def ratings_page(cycle_id: str):
    """Download a cycle's rating report (by department and level, small groups withheld) as PDF."""
    return _ratings_pdf(page_principal(), cycle_id)


@bp.get("/api/cycles/<cycle_id>/rating-report.pdf")
@api_doc(RATINGS_DOC, errors=(403, 404, 409), response_content=PDF)  # 409: a cycle not launched yet
def ratings_api(cycle_id: str):
    """The cycle's rating report as PDF."""
    return _ratings_pdf(current_principal(), cycle_id)
