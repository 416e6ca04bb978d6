"""One-to-one pages (issue 28, point 1): the list of my one-to-ones, a pair's page (rhythm, agenda, actions, shared
and private notes, held meetings and their use as review evidence) and HR's counts. Plain forms, each answered by a
redirect to the page (or the page again with its messages when the input is refused)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import Schema

from service.domain.checkins import Rhythm
from service.domain.one_to_ones import DURATIONS
from service.services import one_to_ones as svc
from service.views import labels
from service.web import forms
from service.web.api_feedback import mailer
from service.web.api_one_to_ones import (
    ActionDoneSchema,
    ActionInSchema,
    EvidenceInSchema,
    NotesInSchema,
    PointInSchema,
    RhythmInSchema,
)
from service.web.form_flow import OnRefusal, Respond, attempt, form_page
from service.web.page_helpers import page_principal, today
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_one_to_ones", __name__)
PAGE = "/one-to-ones/<employee_id>"
MEETING = PAGE + "/meetings/<day>"


@bp.get("/one-to-ones")
def index():
    """My one-to-ones: with my manager and each direct report."""
    pairs = svc.my_one_to_ones(wiring().uow(), page_principal(), today())
    return render_template("pages/one_to_ones.html", pairs=pairs)


def _page(employee_id: str, errors: forms.Errors | None = None, message: str = "", status: int = 200, **typed: Any):
    """The pair's page; after a refused form, with its messages and what was typed (`typed`: form → values)."""
    uow = wiring().uow()
    view = svc.one_to_one(uow, page_principal(), employee_id, today())
    return form_page(
        "pages/one_to_one.html",
        errors,
        status,
        message=message,
        view=view,
        typed=typed,
        rhythms=labels.options(Rhythm),
        durations=[(d, f"{d} minutes") for d in DURATIONS],
        cycles=svc.review_cycles(uow, employee_id),
    )


@bp.get(PAGE)
def show(employee_id: str):
    """A one-to-one, for one of its pair."""
    return _page(employee_id)


def _post(employee_id: str, schema: Schema, raw: dict[str, Any], call: Callable[[dict[str, Any]], Any], form: str):
    """Load a form through the API's schema and run the use case; a refusal shows the page again with the messages
    and what was typed, kept under the form's name. Returns the use case's result."""

    def again(errors: forms.Errors, message: str, status: int):
        return _page(employee_id, errors, message, status, **{form: raw})

    data, errors = forms.load(schema, raw)
    if errors:
        raise Respond(again(errors, "Not saved: check the fields marked.", 422))
    back = url_for("pages_one_to_ones.show", employee_id=employee_id)
    stale = lambda exc: again({}, f"Not saved: {exc.message.rstrip('.')}.", 412)  # noqa: E731 - what was typed stays
    return attempt(lambda: call(data or {}), OnRefusal(back=back, form=again, stale=stale))


def _back(employee_id: str, message: str, anchor: str = ""):
    flash(message, "success")
    return redirect(url_for("pages_one_to_ones.show", employee_id=employee_id) + anchor)


@bp.post(PAGE + "/rhythm")
def rhythm(employee_id: str):
    """Set how often the pair meets; both get an invitation."""
    w, principal = wiring(), page_principal()
    raw = {k: request.form.get(k, "") for k in ("rhythm", "first_date", "time", "minutes")}
    version = form_version(request.form.get("version"))
    pair = _post(
        employee_id,
        RhythmInSchema(),
        raw,
        lambda d: svc.set_rhythm(w.uow(), principal, employee_id, d, version, w.clock, mailer(), w.settings.base_url),
        "rhythm",
    )
    return _back(employee_id, f"Saved: you meet {pair.rhythm.value}. Both of you were emailed an invitation.")


@bp.post(PAGE + "/points")
def add_point(employee_id: str):
    """Add a talking point to the agenda."""
    w, principal = wiring(), page_principal()
    raw = {k: request.form.get(k, "") for k in ("source", "text", "ref")}
    raw = {k: v for k, v in raw.items() if v}
    _post(
        employee_id, PointInSchema(), raw, lambda d: svc.add_point(w.uow(), principal, employee_id, d, w.clock), "point"
    )
    return _back(employee_id, "Added to the agenda.", "#h-agenda")


@bp.post(PAGE + "/actions")
def add_action(employee_id: str):
    """Add an action."""
    w, principal = wiring(), page_principal()
    raw = {"text": request.form.get("text", ""), "owner_id": request.form.get("owner_id") or None}
    _post(
        employee_id,
        ActionInSchema(),
        raw,
        lambda d: svc.add_action(w.uow(), principal, employee_id, d, w.clock),
        "action",
    )
    return _back(employee_id, "Action added.", "#h-actions")


@bp.post(PAGE + "/actions/<action_id>")
def action_done(employee_id: str, action_id: str):
    """Mark an action done or open again."""
    w, principal = wiring(), page_principal()
    version = form_version(request.form.get("version"))
    raw = {"done": request.form.get("done", "")}
    _post(
        employee_id,
        ActionDoneSchema(),
        raw,
        lambda d: svc.set_action_done(w.uow(), principal, employee_id, action_id, d["done"], version, w.clock),
        "done",
    )
    return _back(employee_id, "Action updated.", "#h-actions")


@bp.post(MEETING + "/notes")
def notes(employee_id: str, day: str):
    """Save the meeting's shared notes."""
    w, principal = wiring(), page_principal()
    version = form_version(request.form.get("version"))
    raw = {"text": request.form.get("text", "")}
    _post(
        employee_id,
        NotesInSchema(),
        raw,
        lambda d: svc.save_shared_notes(w.uow(), principal, employee_id, day, d["text"], version, w.clock),
        "notes",
    )
    return _back(employee_id, "Shared notes saved.", "#h-notes")


@bp.post(MEETING + "/private-notes")
def private_notes(employee_id: str, day: str):
    """Save my private notes on the meeting."""
    w, principal = wiring(), page_principal()
    version = form_version(request.form.get("version"))
    raw = {"text": request.form.get("text", "")}
    _post(
        employee_id,
        NotesInSchema(),
        raw,
        lambda d: svc.save_private_notes(w.uow(), principal, employee_id, day, d["text"], version, w.clock),
        "private",
    )
    return _back(employee_id, "Private notes saved (only you read them).", "#h-private")


@bp.post(MEETING + "/held")
def held(employee_id: str, day: str):
    """Mark the meeting held."""
    w, principal = wiring(), page_principal()
    version = form_version(request.form.get("version"))
    mail, base = mailer(), w.settings.base_url
    _post(
        employee_id,
        Schema.from_dict({})(),
        {},
        lambda _d: svc.hold_meeting(w.uow(), principal, employee_id, day, version, w.clock, mail, base),
        "held",
    )
    return _back(employee_id, "Marked held: open actions moved to the next meeting, and you were both invited to it.")


@bp.post(MEETING + "/evidence")
def evidence(employee_id: str, day: str):
    """Use a held meeting as evidence in the report's review."""
    w, principal = wiring(), page_principal()
    raw = {"cycle_id": request.form.get("cycle_id", "")}
    _post(
        employee_id,
        EvidenceInSchema(),
        raw,
        lambda d: svc.pull_into_review(w.uow(), principal, employee_id, day, d["cycle_id"], w.clock),
        "evidence",
    )
    return _back(employee_id, "The meeting is now evidence in the review.", "#h-history")


@bp.get("/hr/one-to-ones")
def hr_counts():
    """HR: that one-to-ones happen, per pair (never what was said)."""
    rows = svc.hr_counts(wiring().uow(), page_principal(), today())
    return render_template("pages/hr_one_to_ones.html", rows=rows)
