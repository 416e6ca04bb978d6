"""The personal learning record as PDF (issue 27, point 4): a page route (the choices sent by the record page's
GET form) and an API route, each holding only what the signed-in person picked from their own log and plan.

The PDF is made in this process by `service.pdf` (WeasyPrint imported on the first PDF): locally by the web app,
deployed by the PDF function, to which API Gateway routes these two paths (template.yaml).
"""

from __future__ import annotations

from functools import partial

from flask import Blueprint, Response, request, url_for
from marshmallow import Schema, fields, validate

from service.domain.errors import ValidationFailed
from service.domain.filenames import slug
from service.services import learning_plan as svc
from service.services.auth import Principal
from service.web.api_io import load_query
from service.web.auth import current_principal
from service.web.docs import api_doc
from service.web.fields import ID_MAX, ID_RE
from service.web.form_flow import attempt, form_again
from service.web.page_helpers import page_principal, today
from service.web.wiring import wiring

bp = Blueprint("learning_record_pdf", __name__)
PDF = "application/pdf"
IDS = validate.Regexp(rf"^([A-Za-z0-9._-]{{1,{ID_MAX}}}(,[A-Za-z0-9._-]{{1,{ID_MAX}}})*)?$")  # "" when none


class RecordQuerySchema(Schema):
    """What the record holds: ids picked from my log and my plan, and whether needs and comments are shown."""

    activity_ids = fields.String(load_default="", validate=IDS, metadata={"description": "comma-separated"})
    item_ids = fields.String(load_default="", validate=IDS, metadata={"description": "comma-separated"})
    needs = fields.Boolean(load_default=False, metadata={"description": "include the training needs addressed"})
    comments = fields.Boolean(load_default=False, metadata={"description": "include my manager's comments"})


def _ids(values: list[str], name: str) -> list[str]:
    """Picked ids as sent by the page's checkboxes; a malformed one is a field message (the form again)."""
    if any(not (len(v) <= ID_MAX and ID_RE.fullmatch(v)) for v in values):
        raise ValidationFailed("The form is damaged: reload the page.", {name: ["not an id"]})
    return values


def record_pdf(principal: Principal, activity_ids: list[str], item_ids: list[str], needs: bool, comments: bool):
    """The record's PDF as a download (refused with field messages when a pick is not the reader's own)."""
    from service.pdf.learning_record_pdf import learning_record_pdf

    record = svc.learning_record(wiring().uow(), principal, activity_ids, item_ids, needs, comments, today())
    resp = Response(learning_record_pdf({"record": record}), mimetype=PDF)
    name = slug(record.name) or "me"
    resp.headers["Content-Disposition"] = f'attachment; filename="learning-record-{name}.pdf"'
    return resp


@bp.get("/learning/record.pdf")
def record_page():
    """Download my learning record with what the record page's form picked (nothing picked: the form again)."""
    from service.web.pages_learning_plan import render_record

    principal = page_principal()
    args = request.args

    return attempt(
        lambda: record_pdf(
            principal,
            _ids(args.getlist("activity"), "activity_ids"),
            _ids(args.getlist("item"), "item_ids"),
            "needs" in args,
            "comments" in args,
        ),
        form_again(url_for("pages_learning_plan.record"), partial(render_record, principal)),
    )


@bp.get("/api/learning/record.pdf")
@api_doc(
    "My learning record as PDF, holding only the log entries and plan items I pick (tagged PDF/UA)",
    query=RecordQuerySchema,
    response_content=PDF,
)
def record_api():
    """My learning record as PDF."""
    q = load_query()
    split = [[x for x in q[k].split(",") if x] for k in ("activity_ids", "item_ids")]
    return record_pdf(current_principal(), split[0], split[1], q["needs"], q["comments"])
