"""One-to-one pages (issue 28, point 1): the list of my one-to-ones, a pair's page (rhythm, agenda, actions, shared
and private notes, held meetings and their use as review evidence) and HR's counts. Plain forms, each answered by a
redirect to the page (or the page again with its messages when the input is refused)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import Schema

from service.domain.checkins import Rhythm
from service.domain.one_to_ones import DURATIONS, MeetingList
from service.domain.time_zones import zone_names
from service.services import one_to_ones as svc
from service.services.auth import Principal
from service.views import labels
from service.web import forms
from service.web.api_feedback import mailer
from service.web.api_one_to_ones import (
    ActionDoneSchema,
    ActionInSchema,
    EvidenceInSchema,
    NotesInSchema,
    PointCoveredSchema,
    PointInSchema,
    RhythmInSchema,
    TimeZoneInSchema,
)
from service.web.form_flow import OnRefusal, Respond, attempt, form_page
from service.web.page_helpers import page_principal
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_one_to_ones", __name__)
HeldSchema = Schema.from_dict({}, name="HeldFormSchema")
PAGE = "/one-to-ones/<employee_id>"
MEETING = PAGE + "/meetings/<day>"


def _index(errors: forms.Errors | None = None, message: str = "", status: int = 200, typed: str | None = None):
    """The list of my one-to-ones and my time zone; after a refused zone, with its message and what was typed."""
    uow, principal = wiring().uow(), page_principal()
    return form_page(
        "pages/one_to_ones.html",
        errors,
        status,
        message=message,
        pairs=svc.my_one_to_ones(uow, principal, svc.reader_today(principal, wiring().clock.now())),
        zone=svc.my_time_zone(uow, principal),
        zone_names=zone_names(),
        typed=typed,
    )


@bp.get("/one-to-ones")
def index():
    """My one-to-ones: with my manager and each direct report."""
    return _index()


@bp.post("/me/time-zone")
def time_zone():
    """Choose my time zone (one-to-one times are shown in it)."""
    raw = request.form.get("time_zone", "")
    version = form_version(request.form.get("version"))
    back = url_for("pages_one_to_ones.index")

    def again(errors: forms.Errors, message: str, status: int):
        return _index(errors, message, status, typed=raw)

    data, errors = forms.load(TimeZoneInSchema(), {"time_zone": raw})
    if errors:
        raise Respond(again(errors, "Not saved: check the fields marked.", 422))

    def call() -> svc.MyTimeZone:
        return svc.set_my_time_zone(
            wiring().uow(), page_principal(), (data or {}).get("time_zone"), version, wiring().clock
        )

    stale = lambda exc: again({}, f"Not saved: {exc.message.rstrip('.')}.", 412)  # noqa: E731
    done = attempt(call, OnRefusal(back, form=again, stale=stale))
    flash(f"Saved: times are shown in {done.effective}.", "success")
    return redirect(back)


def _page(employee_id: str, errors: forms.Errors | None = None, message: str = "", status: int = 200, **typed: Any):
    """The pair's page; after a refused form, with its messages and what was typed (`typed`: form → values)."""
    uow, principal = wiring().uow(), page_principal()
    view = svc.one_to_one(uow, principal, employee_id, svc.reader_today(principal, wiring().clock.now()))
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


@dataclass(frozen=True)
class Form:
    """One form of the pair's page: its fields, the API schema that loads them, the use case it calls (with the
    principal, the loaded data and the form's version) and the sentence said once it is saved."""

    name: str
    fields: tuple[str, ...]
    schema: type[Schema]
    call: Callable[[Principal, dict[str, Any], int], Any]
    said: Callable[[Any], str]
    anchor: str = ""


def _submit(employee_id: str, form: Form):
    """Load the form through the API's schema and run its use case, then back to the page with a message; a refusal
    shows the page again with the messages and what was typed (kept under the form's name)."""
    raw = {k: request.form[k] for k in form.fields if k in request.form}
    version = form_version(request.form.get("version"))

    def again(errors: forms.Errors, message: str, status: int):
        return _page(employee_id, errors, message, status, **{form.name: raw})

    data, errors = forms.load(form.schema(), raw)
    if errors:
        raise Respond(again(errors, "Not saved: check the fields marked.", 422))
    back = url_for("pages_one_to_ones.show", employee_id=employee_id)
    stale = lambda exc: again({}, f"Not saved: {exc.message.rstrip('.')}.", 412)  # noqa: E731 - what was typed stays
    done = attempt(lambda: form.call(page_principal(), data or {}, version), OnRefusal(back, form=again, stale=stale))
    flash(form.said(done), "success")
    return redirect(back + form.anchor)


def _mail() -> tuple[Any, str]:
    """The mailer and the links' base URL, for the use cases that invite."""
    return mailer(), wiring().settings.base_url


@bp.post(PAGE + "/rhythm")
def rhythm(employee_id: str):
    """Set how often the pair meets; both get an invitation."""

    def call(p: Principal, d: dict[str, Any], v: int) -> Any:
        return svc.set_rhythm(wiring().uow(), p, employee_id, d, v, wiring().clock, *_mail())

    said = lambda pair: f"Saved: you meet {pair.rhythm.value}. Both of you were emailed an invitation."  # noqa: E731
    return _submit(employee_id, Form("rhythm", ("rhythm", "first_date", "time", "minutes"), RhythmInSchema, call, said))


@bp.post(PAGE + "/points")
def add_point(employee_id: str):
    """Add a talking point to the agenda."""

    def call(p: Principal, d: dict[str, Any], _v: int) -> Any:
        return svc.add_point(wiring().uow(), p, employee_id, d, wiring().clock)

    form = Form("point", ("source", "text", "ref"), PointInSchema, call, lambda _: "Added to the agenda.", "#h-agenda")
    return _submit(employee_id, form)


@bp.post(PAGE + "/points/<point_id>")
def point_covered(employee_id: str, point_id: str):
    """Mark a talking point covered or not yet."""
    return _tick(MeetingList.POINTS, employee_id, point_id, "covered", PointCoveredSchema, "Agenda updated.")


def _tick(kind: MeetingList, employee_id: str, item_id: str, flag: str, schema: type[Schema], said: str):
    """Tick an item of the current meeting's `kind` list (a point covered, an action done) from its button's form."""

    def call(p: Principal, d: dict[str, Any], v: int) -> Any:
        return svc.tick(wiring().uow(), p, employee_id, kind, item_id, d[flag], v, wiring().clock)

    anchor = "#h-agenda" if flag == "covered" else "#h-actions"
    return _submit(employee_id, Form(flag, (flag,), schema, call, lambda _: said, anchor))


@bp.post(PAGE + "/actions")
def add_action(employee_id: str):
    """Add an action."""

    def call(p: Principal, d: dict[str, Any], _v: int) -> Any:
        return svc.add_action(wiring().uow(), p, employee_id, d, wiring().clock)

    form = Form("action", ("text", "owner_id"), ActionInSchema, call, lambda _: "Action added.", "#h-actions")
    return _submit(employee_id, form)


@bp.post(PAGE + "/actions/<action_id>")
def action_done(employee_id: str, action_id: str):
    """Mark an action done or open again."""
    return _tick(MeetingList.ACTIONS, employee_id, action_id, "done", ActionDoneSchema, "Action updated.")


@bp.post(MEETING + "/notes")
def notes(employee_id: str, day: str):
    """Save the meeting's shared notes."""

    def call(p: Principal, d: dict[str, Any], v: int) -> Any:
        return svc.save_shared_notes(wiring().uow(), p, employee_id, day, d.get("text", ""), v, wiring().clock)

    form = Form("notes", ("text",), NotesInSchema, call, lambda _: "Shared notes saved.", "#h-notes")
    return _submit(employee_id, form)


@bp.post(MEETING + "/private-notes")
def private_notes(employee_id: str, day: str):
    """Save my private notes on the meeting."""

    def call(p: Principal, d: dict[str, Any], v: int) -> Any:
        return svc.save_private_notes(wiring().uow(), p, employee_id, day, d.get("text", ""), v, wiring().clock)

    said = lambda _: "Private notes saved (only you read them)."  # noqa: E731
    held = "held" in request.form  # a held meeting's form, in the history: its own name, so its messages stay there
    name, anchor = (f"private-{day}", "#h-history") if held else ("private", "#h-private")
    return _submit(employee_id, Form(name, ("text",), NotesInSchema, call, said, anchor))


@bp.post(MEETING + "/held")
def held(employee_id: str, day: str):
    """Mark the meeting held."""

    def call(p: Principal, _d: dict[str, Any], v: int) -> Any:
        return svc.hold_meeting(wiring().uow(), p, employee_id, day, v, wiring().clock, *_mail())

    said = lambda _: (  # noqa: E731
        "Marked held: open actions and talking points not covered moved to the next meeting, and you were both "
        "invited to it."
    )
    return _submit(employee_id, Form("held", (), HeldSchema, call, said))


@bp.post(MEETING + "/evidence")
def evidence(employee_id: str, day: str):
    """Use a held meeting as evidence in the report's review."""

    def call(p: Principal, d: dict[str, Any], _v: int) -> Any:
        return svc.pull_into_review(wiring().uow(), p, employee_id, day, d["cycle_id"], wiring().clock)

    said = lambda _: "The meeting is now evidence in the review."  # noqa: E731
    return _submit(employee_id, Form("evidence", ("cycle_id",), EvidenceInSchema, call, said, "#h-history"))


@bp.get("/hr/one-to-ones")
def hr_counts():
    """HR: that one-to-ones happen, per pair (never what was said)."""
    uow, principal = wiring().uow(), page_principal()
    rows = svc.hr_counts(uow, principal, svc.reader_today(principal, wiring().clock.now()))
    return render_template("pages/hr_one_to_ones.html", rows=rows)
