"""Feedback on the review process itself (issue 27): the JSON API and the pages. A participant answers once their
review is acknowledged (or the cycle closed); HR reads each cycle of a template as a group, beside the template."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import Schema, validate

from service.domain.process_feedback import AGREEMENT_LABELS, MAX_CHANGE, POINTS, TIME_LABELS, TimeTaken
from service.services import process_feedback as svc
from service.web import forms
from service.web.api_io import load_body, respond
from service.web.auth import current_principal
from service.web.docs import api_change, api_report
from service.web.fields import Choice, Text, Whole
from service.web.form_flow import OnRefusal, Respond, attempt, form_page
from service.web.page_helpers import page_principal
from service.web.schemas import schema_of
from service.web.wiring import wiring

bp = Blueprint("process_feedback", __name__)


class ProcessAnswerInSchema(Schema):
    """How the review process went: fair and useful on 1–5, the time it took, what to change (all anonymous)."""

    fair = Whole(required=True, validate=validate.OneOf(POINTS))
    useful = Whole(required=True, validate=validate.OneOf(POINTS))
    time_taken = Choice(TimeTaken, required=True)
    change = Text(load_default="", validate=validate.Length(max=MAX_CHANGE))


StatusSchema = schema_of(svc.ProcessFeedbackStatus, "ProcessFeedbackStatusSchema")
TemplateFeedbackSchema = schema_of(svc.TemplateProcessFeedback, "TemplateProcessFeedbackSchema")


@bp.post("/api/cycles/<cycle_id>/process-feedback")
@api_change(
    "Say how the review process went (once, anonymously: the answer names nobody and no time)",
    StatusSchema,
    ProcessAnswerInSchema,
    status=201,
)
def give_api(cycle_id: str):
    """Answer about a cycle's process."""
    w = wiring()
    svc.give(w.uow(), current_principal(), cycle_id, load_body(), w.clock)
    return respond(svc.status(w.uow(), current_principal(), cycle_id), 201)


@bp.get("/api/templates/<template_id>/process-feedback")
@api_report(
    "What participants said about the process of each cycle run with a template (HR); a cycle with fewer than 5 "
    "answers is withheld",
    TemplateFeedbackSchema,
)
def of_template_api(template_id: str):
    """HR's view beside the template."""
    data = svc.of_template(wiring().uow(), current_principal(), template_id)
    return respond(data)


def _form(cycle_id: str, values: dict, errors: forms.Errors, message: str, status: int):
    state = svc.status(wiring().uow(), page_principal(), cycle_id)
    return form_page(
        "pages/process_feedback.html",
        errors,
        status,
        state=state,
        values=values,
        message=message,
        points=list(AGREEMENT_LABELS.items()),
        times=list(TIME_LABELS.items()),
    )


@bp.get("/cycles/<cycle_id>/process-feedback")
def form(cycle_id: str):
    """The form: how fair and useful the process was, the time it took, what to change."""
    return _form(cycle_id, {}, {}, "", 200)


@bp.post("/cycles/<cycle_id>/process-feedback")
def give(cycle_id: str):
    """Save the answer and go home."""
    raw = {k: request.form.get(k, "")[: MAX_CHANGE + 1] for k in ("fair", "useful", "time_taken", "change")}
    data, errors = forms.load(ProcessAnswerInSchema(), raw)
    # A question left unanswered says so in words (the schema's messages are for programs).
    errors.update({k: ["choose one"] for k in ("fair", "useful", "time_taken") if not raw[k].strip()})
    if errors:
        raise Respond(_form(cycle_id, raw, errors, "The feedback is not complete.", 422))
    w = wiring()
    refusal = OnRefusal(form=lambda e, m, s: _form(cycle_id, raw, e, m, s), prefix="Not sent")
    attempt(lambda: svc.give(w.uow(), page_principal(), cycle_id, data, w.clock), refusal)
    flash("Thank you: your answer is kept without your name and read only with at least four others.", "success")
    return redirect(url_for("pages.home"))


@bp.get("/hr/templates/<template_id>/process-feedback")
def of_template(template_id: str):
    """HR: what participants said about the process of each cycle of this template."""
    data = svc.of_template(wiring().uow(), page_principal(), template_id)
    return render_template("pages/process_feedback_hr.html", data=data, times=TIME_LABELS)
