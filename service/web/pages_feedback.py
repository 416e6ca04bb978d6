"""Pages of feedback: my requests and notes, the answer form (draft, autosave, submit, decline), nominations
(the employee names peers, the manager decides), a review's feedback, and HR's feedback page of a cycle.

Without a script everything works by posting forms; the page script autosaves the answer form by posting it
with `X-Autosave: 1` and gets JSON back, as in the assessment forms.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from service.adapters.clock import iso
from service.domain.directory import Employee
from service.domain.feedback import ReleaseRule
from service.services import cycles as cycle_svc
from service.services import (
    feedback,
    feedback_answers,
    feedback_nominations,
    feedback_notes,
    feedback_settings,
)
from service.services.feedback_tracking import feedback_progress
from service.views import labels
from service.web import forms
from service.web.api_feedback import mailer
from service.web.errors import json_error
from service.web.form_flow import OnRefusal, attempt, form_page, invalid
from service.web.page_helpers import due_info, form_sent, page_principal
from service.web.schemas_feedback import AnswerSchema, DecideSchema, DeclineSchema, NominateSchema, NoteInSchema
from service.web.schemas_feedback import SettingsInSchema as SettingsForm
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_feedback", __name__)
REVIEW = "/cycles/<cycle_id>/reviews/<employee_id>"
KIND_WORDS = {"peer": "Peer feedback", "upward": "Upward feedback (from the manager's reports)"}
RELEASE_OPTIONS = [
    (ReleaseRule.FIRST.value, "When the manager submits the assessment or the feedback deadline passes, if sooner"),
    (ReleaseRule.DEADLINE.value, "When the feedback deadline passes"),
    (ReleaseRule.MANAGER.value, "When the manager submits the assessment"),
]


def _topic_options(uow, principal) -> dict[str, list[tuple[str, str]]]:
    topics = feedback_notes.note_topics(uow, principal)
    return {
        "competencies": list(topics.competencies.items()),
        "goals": list(topics.goals.items()),
    }


def _options(people: list[Employee]) -> list[tuple[str, str]]:
    return [(p.employee_id, f"{p.name} ({p.department})" if p.department else p.name) for p in people]


# --- my requests and notes ------------------------------------------------------------------------------


@bp.get("/feedback")
def inbox():
    """Requests for my feedback, the feedback I received, and a form to send a colleague praise or a suggestion."""
    principal = page_principal()
    uow = wiring().uow()
    return render_template(
        "pages/feedback_inbox.html",
        requests=feedback_answers.my_requests(uow, principal, wiring().clock.now()),
        mine=feedback_notes.notes_page(uow, principal),
        colleague_options=_options(feedback_notes.colleagues(uow, principal)),
        topic_options=_topic_options(uow, principal),
        errors={},
        values={},
        due_info=due_info,
    )


@bp.post("/notes")
def send_note():
    """Send a colleague praise or a suggestion."""
    principal = page_principal()
    raw = {k: request.form.get(k, "") for k in ("to_id", "kind", "text", "competency_id", "goal_id")}
    back = url_for("pages_feedback.inbox")

    def again(errors: forms.Errors, message: str, status: int):
        uow = wiring().uow()
        return form_page(
            "pages/feedback_inbox.html",
            errors,
            status,
            requests=feedback_answers.my_requests(uow, principal, wiring().clock.now()),
            mine=feedback_notes.notes_page(uow, principal),
            colleague_options=_options(feedback_notes.colleagues(uow, principal)),
            topic_options=_topic_options(uow, principal),
            message=message,
            values=raw,
            due_info=due_info,
        )

    on = OnRefusal(back=back, form=again, prefix="Not sent")
    data, errors = forms.load(NoteInSchema(), {k: v for k, v in raw.items() if v})
    invalid(errors, "Not sent: some fields need attention.", on)
    w = wiring()
    attempt(lambda: feedback_notes.send_note(w.uow(), principal, data, w.clock, w.settings.goal_visibility), on)
    flash("Sent. They and their manager can read it, with your name.", "success")
    return redirect(back)


@bp.post("/notes/<note_id>/evidence")
def pull_note(note_id: str):
    """Pull a note into a review as evidence (the recipient or their manager)."""
    principal = page_principal()
    back = request.form.get("back") or url_for("pages_feedback.inbox")
    if not back.startswith("/") or back.startswith("//"):
        back = url_for("pages_feedback.inbox")
    w = wiring()
    attempt(
        lambda: feedback_notes.pull_note(w.uow(), principal, note_id, request.form.get("cycle_id", ""), w.clock),
        OnRefusal(back=back, prefix="Not added"),
    )
    flash("Added to the review as evidence.", "success")
    return redirect(back)


# --- answering ---------------------------------------------------------------------------------------------


def _answer_raw(view: dict[str, Any]) -> dict[str, Any]:
    """The answer form's fields as the schema loads them (an empty rating is "not rated")."""
    ratings = {}
    for c in view.competencies:
        value = request.form.get(f"ratings.{c['id']}", "")
        ratings[c["id"]] = value if value.strip() else None
    answers = {q["id"]: request.form.get(f"answers.{q['id']}", "") for q in view.questions}
    return {"ratings": ratings, "answers": answers}


def _render_answer(
    view: feedback_answers.AnswerForm, values: dict[str, Any], version: int, errors=None, message="", status=200
):
    return form_page(
        "pages/feedback_answer.html",
        errors,
        status,
        view=view,
        values=values,
        version=version,
        message=message,
        due=due_info(view.due),
        kind_word=KIND_WORDS[view.kind],
    )


def _closed(view: feedback_answers.AnswerForm, autosave: bool = False, status: int = 409):
    """A request nobody can answer any more: one sentence (JSON for the autosave script), never the form."""
    sentence = view.closed_sentence
    if autosave:
        return json_error("conflict", status, sentence)
    return render_template("pages/feedback_closed.html", view=view, sentence=sentence), status


@bp.route("/feedback/<cycle_id>/<subject_id>", methods=["GET", "POST"])
def answer(cycle_id: str, subject_id: str):
    """Answer a request addressed to me: rate, comment, save a draft (autosave), submit."""
    principal = page_principal()
    w = wiring()
    view = feedback_answers.open_request(w.uow(), principal, cycle_id, subject_id, w.clock.now())
    autosave = request.headers.get("X-Autosave") == "1"
    if not form_sent():
        if view.state != "approved":
            flash(f"You have {view.state} this request. Thank you.", "info")
            return redirect(url_for("pages_feedback.inbox"))
        if view.closed:
            return _closed(view, status=200)
        return _render_answer(view, view.draft, view.draft_version)
    if view.closed and view.state == "approved":
        return _closed(view, autosave)
    raw = _answer_raw(view)
    version = form_version(request.form.get("version"))

    def again(errors: forms.Errors, message: str, status: int):
        if autosave:
            code = "validation_failed" if status == 422 else "conflict"
            return json_error(code, status, message, errors, summary=forms.summary(errors, labels.Labeller()))
        return _render_answer(view, raw, version, errors, message, status)

    def stale(_exc: Exception):
        if autosave:
            return json_error("stale_write", 412, "Your draft was saved in another window; reload it.")
        fresh = feedback_answers.open_request(wiring().uow(), principal, cycle_id, subject_id, wiring().clock.now())
        message = "Your draft was saved in another window meanwhile. Your text below is not saved yet: save again."
        return _render_answer(fresh, raw, fresh.draft_version, message=message, status=409)

    on = OnRefusal(back=url_for("pages_feedback.inbox"), form=again, stale=stale, worded=not autosave)
    content, errors = forms.load(AnswerSchema(), raw)
    invalid(errors, "Not saved: some fields need attention.", on)
    if request.form.get("action") == "submit" and not autosave:
        done = attempt(
            lambda: feedback_answers.submit_answer(w.uow(), principal, cycle_id, subject_id, content, w.clock), on
        )
        flash(
            f"Your feedback on {done.subject_name} is submitted. It is shown only in a group, never with your name.",
            "success",
        )
        return redirect(url_for("pages_feedback.inbox"))
    saved = attempt(
        lambda: feedback_answers.save_draft(w.uow(), principal, cycle_id, subject_id, content, version, w.clock), on
    )
    if autosave:
        return jsonify({"version": saved.version, "saved_at": saved.saved_at})
    flash(f"Draft saved at {labels.clock(iso(w.clock.now()))} UTC. Only you can read it.", "success")
    return redirect(url_for("pages_feedback.answer", cycle_id=cycle_id, subject_id=subject_id))


@bp.post("/feedback/<cycle_id>/<subject_id>/decline")
def decline(cycle_id: str, subject_id: str):
    """Decline a request, with an optional reason (only HR reads it)."""
    principal = page_principal()
    w = wiring()
    view = feedback_answers.open_request(w.uow(), principal, cycle_id, subject_id, w.clock.now())
    if view.closed and view.state == "approved":
        return _closed(view)
    back = url_for("pages_feedback.answer", cycle_id=cycle_id, subject_id=subject_id)
    data, errors = forms.load(DeclineSchema(), {"reason": request.form.get("reason", "")})
    on = OnRefusal(back=back, prefix="Not declined")
    if errors:
        flash("Not declined: the reason is too long.", "error")
        return redirect(back)
    done = attempt(
        lambda: feedback_answers.decline(w.uow(), principal, cycle_id, subject_id, data["reason"], w.clock), on
    )
    flash(f"You declined to give feedback on {done.subject_name}.", "success")
    return redirect(url_for("pages_feedback.inbox"))


# --- nominations ---------------------------------------------------------------------------------------------


def _render_nominations(cycle_id: str, employee_id: str, errors=None, message="", values=None, status=200):
    principal = page_principal()
    uow = wiring().uow()
    view = feedback_nominations.nominations(uow, principal, cycle_id, employee_id, wiring().clock.now())
    choices = (
        feedback_nominations.peer_choices(uow, principal, cycle_id, employee_id)
        if view.may_nominate or view.may_decide
        else []
    )
    cycle = cycle_svc.get_cycle(uow, cycle_id)
    return form_page(
        "pages/feedback_nominations.html",
        errors,
        status,
        view=view,
        cycle=cycle,
        choices=choices,
        add_options=_options(choices),
        is_subject=principal.employee_id == employee_id,
        message=message,
        values=values or {},
        deadline=due_info(view.settings["nomination_deadline"]),
        review_url=url_for("pages_reviews.review", cycle_id=cycle_id, employee_id=employee_id),
    )


@bp.get(REVIEW + "/nominations")
def nominations(cycle_id: str, employee_id: str):
    """Who is asked for peer feedback: the employee nominates, the manager decides, HR adjusts."""
    return _render_nominations(cycle_id, employee_id)


@bp.post(REVIEW + "/nominations")
def nominate(cycle_id: str, employee_id: str):
    """The employee's list of peers."""
    picked = request.form.getlist("reviewer_ids")
    return _nomination_step(
        cycle_id,
        employee_id,
        NominateSchema(),
        {"reviewer_ids": picked},
        lambda w, principal, data: feedback_nominations.nominate_peers(
            w.uow(), principal, cycle_id, employee_id, data["reviewer_ids"], w.clock, mailer(), w.settings.base_url
        ),
        "Your nominations are saved. Your manager approves them next.",
    )


@bp.post(REVIEW + "/nominations/decisions")
def decide(cycle_id: str, employee_id: str):
    """The manager (or HR) approves, removes or adds reviewers; the newly asked get an email."""
    approve, remove = [], []
    for key, value in request.form.items():
        if key.startswith("decision."):
            (approve if value == "approve" else remove if value == "remove" else []).append(
                key.removeprefix("decision.")
            )
    add = [a for a in request.form.getlist("add") if a]
    return _nomination_step(
        cycle_id,
        employee_id,
        DecideSchema(),
        {"approve": approve, "remove": remove, "add": add},
        lambda w, principal, data: feedback_nominations.decide_nominations(
            w.uow(),
            principal,
            cycle_id,
            employee_id,
            **data,
            clock=w.clock,
            mailer=mailer(),
            base_url=w.settings.base_url,
        ),
        "Saved. Everyone newly asked gets an email with a link to answer.",
    )


def _nomination_step(
    cycle_id: str,
    employee_id: str,
    schema: Any,
    raw: dict[str, list[str]],
    call: Callable[[Any, Any, dict[str, Any]], Any],
    done: str,
):
    """Nominate or decide: the form loaded by `schema`, the use case `call`ed; a refusal shows the nominations page
    again, keeping the names picked or added (the decisions on listed reviewers are read from the page anew)."""
    principal = page_principal()
    here = url_for("pages_feedback.nominations", cycle_id=cycle_id, employee_id=employee_id)
    kept = {k: v for k, v in raw.items() if k in ("reviewer_ids", "add")}

    def again(errors: forms.Errors, message: str, status: int):
        return _render_nominations(cycle_id, employee_id, errors, message, kept, status)

    on = OnRefusal(back=here, form=again, prefix="Not saved")
    data, errors = forms.load(schema, raw)
    invalid(errors, "Not saved: choose colleagues from the list.", on)
    w = wiring()
    attempt(lambda: call(w, principal, data), on)
    flash(done, "success")
    return redirect(here)


@bp.get(REVIEW + "/feedback")
def review_feedback(cycle_id: str, employee_id: str):
    """The review's feedback: the groups (shown only with enough answers), counts, and evidence pulled in."""
    principal = page_principal()
    uow = wiring().uow()
    data = feedback.review_feedback(uow, principal, cycle_id, employee_id, wiring().clock.now())
    cycle = cycle_svc.get_cycle(uow, cycle_id)
    return render_template(
        "pages/feedback_review.html",
        data=data,
        cycle=cycle,
        employee_id=employee_id,
        subject_name=feedback.known_person(uow, employee_id).name,
        scale=(cycle.template_snapshot or {}).get("scale", []),
        kind_words=KIND_WORDS,
        review_url=url_for("pages_reviews.review", cycle_id=cycle_id, employee_id=employee_id),
    )


# --- HR ---------------------------------------------------------------------------------------------------------


def _render_hr(cycle_id: str, errors=None, message="", values=None, status=200):
    principal = page_principal()
    uow = wiring().uow()
    data = feedback_progress(uow, principal, cycle_id, wiring().clock.now())
    return form_page(
        "pages/feedback_hr.html",
        errors,
        status,
        data=data,
        values=values or data.settings,
        release_options=RELEASE_OPTIONS,
        message=message,
    )


@bp.get("/cycles/<cycle_id>/feedback")
def hr_feedback(cycle_id: str):
    """HR: the cycle's feedback rules, upward feedback, response rate per department and who to chase."""
    return _render_hr(cycle_id)


@bp.post("/cycles/<cycle_id>/feedback/settings")
def hr_settings(cycle_id: str):
    """HR saves the cycle's feedback rules."""
    principal = page_principal()
    raw: dict[str, Any] = {k: request.form.get(k, "") for k in ("min_peers", "max_peers", "threshold", "release")}
    raw["upward"] = request.form.get("upward") == "on"
    if not raw["release"]:
        raw.pop("release")  # left out: unchanged
    if request.form.get("nomination_deadline"):
        raw["nomination_deadline"] = request.form["nomination_deadline"]

    def again(errors: forms.Errors, message: str, status: int):
        return _render_hr(cycle_id, errors, message, {**raw, "upward": raw["upward"]}, status)

    here = url_for("pages_feedback.hr_feedback", cycle_id=cycle_id)
    on = OnRefusal(back=here, form=again)
    data, errors = forms.load(SettingsForm(), raw)
    invalid(errors, "Not saved: some fields need attention.", on)
    w = wiring()
    version = form_version(request.form.get("version"))
    attempt(lambda: feedback_settings.save_settings(w.uow(), principal, cycle_id, data, version, w.clock), on)
    flash("The feedback rules are saved.", "success")
    return redirect(here)


@bp.post("/cycles/<cycle_id>/feedback/upward")
def hr_upward(cycle_id: str):
    """HR asks every manager's direct reports for upward feedback."""
    principal = page_principal()
    here = url_for("pages_feedback.hr_feedback", cycle_id=cycle_id)
    w = wiring()
    result = attempt(
        lambda: feedback_nominations.request_upward(
            w.uow(), principal, cycle_id, w.clock, mailer(), w.settings.base_url
        ),
        OnRefusal(back=here, prefix="Not asked"),
    )
    flash(f"Asked {result.asked} people about {result.managers} managers.", "success")
    return redirect(here)
