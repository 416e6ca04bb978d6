"""Learning pages: my learning log, my informational-interview planner (contacts, the request, preparation,
the question bank, completing an interview with its referrals), my insights, leadership's anonymised report,
and the learning evidence on review pages. No JavaScript needed; they call the same services as the JSON API."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service.domain.errors import ValidationFailed
from service.domain.learning import (
    CHECKLIST,
    CLOSING_QUESTION,
    Activity,
    ActivityType,
    ContactSource,
    InterviewFormat,
    held_on,
)
from service.services import directory as directory_svc
from service.services import interviews, learning_plan
from service.services import learning as svc
from service.services.auth import Principal
from service.views.labels import options, word
from service.web import forms
from service.web.api_learning import ActivityInSchema, ActivityPatchSchema, ContactInSchema, InterviewCompletionSchema
from service.web.form_flow import OnRefusal, attempt, form_again, form_with_message, saved_from
from service.web.page_helpers import form_sent, page_principal, picker_search, today
from service.web.untrusted import ID_MAX, ID_RE
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_learning", __name__, url_prefix="/learning")
REFERRAL_ROWS = 3
TYPES = options(ActivityType)
SOURCES = [(s.value, word(s.value)) for s in ContactSource if s is not ContactSource.REFERRAL]
FORMATS = options(InterviewFormat)
LABELS = {
    "type": "Kind of activity",
    "title": "What it was",
    "date": "Date",
    "hours": "Hours",
    "provider": "Provider or contact",
    "notes": "Notes",
    "learnt": "What you learnt",
    "need_id": "Training need it addresses",
    "name": "Name",
    "role": "Role",
    "organisation": "Organisation",
    "industry": "Industry",
    "found_via": "How you found them",
    "format": "Format",
    "purpose": "What you want to learn about",
    "outreach": "Your request",
    "scheduled_for": "When",
    "completed_on": "Date of the conversation",
    "referrals": "Recommended contact",
    "questions": "Questions",
    "text": "Comment",
    "shared_with_manager": "Share with your manager",
}


def _form_page(page: str, errors: dict[str, Any], status: int, blank: Any, **context: Any):
    """A learning page with its form (`form_flow.form_with_message`); what was typed stays on a picker's Search."""
    return form_with_message(page, errors, status, blank, LABELS, _picking_need(request.form), **context)


def _activity_data(form: Any, creating: bool) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in ("type", "title", "date", "hours", "provider", "notes", "learnt"):
        value = form.get(name, "")
        if name in ("date", "hours") and not value.strip():
            if creating and name == "date":
                data[name] = ""
            continue
        data[name] = value.strip() if name not in ("notes", "learnt") else value
    data["need_id"] = (form.get("need_id") or "").strip() or None
    return data


def _need_picker(uow: Any, principal: Principal, chosen: str | None) -> dict[str, Any]:
    """The training-need picker's context (issue 25, point 7): my needs to choose from, the search box's matches
    among the needs I may log against, and the need chosen when it is neither (named, never shown as an id)."""
    mine = svc.need_choices(uow, principal)
    query = (request.form.get("need_q") or request.args.get("need_q") or "")[: directory_svc.MAX_QUERY]
    found = svc.search_needs(uow, principal, query) if query.strip() else None
    shown = {n.need_id for n in mine} | {n.need_id for n in (found.matches if found else [])}
    readable = chosen and len(chosen) <= ID_MAX and ID_RE.fullmatch(chosen)  # as sent: not yet checked
    other = svc.need_choice(uow, principal, chosen) if readable and chosen not in shown else None
    return {
        "needs": [(n.need_id, n.label) for n in mine],
        "need_q": query,
        "need_found": found,
        "need_other": other,
        "need_chosen": chosen or "",
    }


def _need_names(uow: Any, principal: Principal, activities: list[Activity]) -> dict[str, str]:
    """The names of the needs my activities address (someone else's named with the person), never their ids."""
    names = {n.need_id: n.name for n in svc.need_choices(uow, principal)}
    for need_id in {a.need_id for a in activities if a.need_id and a.need_id not in names}:
        found = svc.need_choice(uow, principal, need_id)
        if found:
            names[need_id] = found.name
    return names


def _picking_need(form: Any) -> bool:
    """Whether the form was sent by the training-need picker's Search (the form again, nothing saved)."""
    return picker_search(form, "need")


# --- the learning log -------------------------------------------------------------------------------


@bp.get("")
def index():
    """My learning log, with a form to add an activity."""
    return _render_log(page_principal(), {}, 200)


def _render_log(principal: Principal, errors: dict[str, Any], status: int):
    uow = wiring().uow()
    picker = _need_picker(uow, principal, request.form.get("need_id"))
    activities = svc.learning_log(uow, principal)
    return _form_page(
        "pages/learning.html",
        errors,
        status,
        {"date": today().isoformat(), "type": "course"},
        activities=activities,
        need_names=_need_names(uow, principal, activities),
        **picker,
        types=TYPES,
    )


@bp.post("")
def create():
    """Log an activity; errors come back on the same page."""
    principal = page_principal()
    w = wiring()
    if _picking_need(request.form):
        return _render_log(principal, {}, 200)

    raw = _activity_data(request.form, True)
    return saved_from(
        url_for("pages_learning.index"),
        partial(_render_log, principal),
        lambda: svc.create_activity(
            w.uow(),
            principal,
            forms.load_or_refuse(ActivityInSchema(), raw, "The learning activity was not saved."),
            w.clock,
        ),
        lambda made: f"“{made.title}” added to your learning log.",
    )


@bp.route("/activities/<activity_id>", methods=["GET", "POST"])
def activity(activity_id: str):
    """One of my activities: change it or remove it."""
    principal = page_principal()
    w = wiring()
    if request.method != "POST" or _picking_need(request.form):
        return _render_activity(principal, activity_id, {}, 200)
    version = form_version(request.form.get("version"))
    here = url_for("pages_learning.activity", activity_id=activity_id)
    again = partial(_render_activity, principal, activity_id)
    if request.form.get("do") == "delete":
        return saved_from(
            here,
            again,
            lambda: svc.delete_activity(w.uow(), principal, activity_id, version),
            lambda _: "Activity removed from your learning log.",
            lambda _: url_for("pages_learning.index"),
        )
    raw = _activity_data(request.form, False)
    return saved_from(
        here,
        again,
        lambda: svc.update_activity(
            w.uow(),
            principal,
            activity_id,
            forms.load_or_refuse(ActivityPatchSchema(), raw, "The learning activity was not saved."),
            version,
            w.clock,
        ),
        lambda _: "Activity saved.",
    )


def _render_activity(principal: Principal, activity_id: str, errors: dict[str, Any], status: int):
    uow = wiring().uow()
    found = svc.get_activity(uow, principal, activity_id)
    sent = errors or _picking_need(request.form)
    return _form_page(
        "pages/learning_activity.html",
        errors,
        status,
        asdict(found),
        a=found,
        types=TYPES,
        **_need_picker(uow, principal, request.form.get("need_id") if sent else found.need_id),
    )


@bp.post("/evidence/<cycle_id>/<employee_id>/<activity_id>/comment")
def comment(cycle_id: str, employee_id: str, activity_id: str):
    """The manager comments on an activity picked as review evidence; back to the review."""
    principal = page_principal()
    w = wiring()
    back = url_for("pages_reviews.review", cycle_id=cycle_id, employee_id=employee_id) + "#learning-evidence"
    text = request.form.get("text", "")
    attempt(
        lambda: svc.comment_on_evidence(w.uow(), principal, cycle_id, employee_id, activity_id, text, w.clock),
        OnRefusal(back=back, prefix="Comment not saved"),
    )
    flash("Comment added to the learning evidence.", "success")
    return redirect(back)


# --- insights and the report ------------------------------------------------------------------------


@bp.get("/insights")
def insights():
    """What I have explored and learnt."""
    principal = page_principal()
    return render_template(
        "pages/learning_insights.html",
        mine=svc.my_insights(wiring().uow(), principal),
    )


@bp.get("/report")
def report():
    """Leadership and HR: a year's learning by type and department, anonymised."""
    principal = page_principal()
    year = (request.args.get("year") or str(today().year)).strip()
    data = svc.leadership_report(wiring().uow(), principal, year)
    return render_template(
        "pages/learning_report.html", report=data, kinds=report_kinds(data), year=year, this_year=today().year
    )


@dataclass(frozen=True)
class ReportKinds:
    """The kinds of activity each table of the learning report shows, and those it only names (withheld)."""

    total: list[str]
    total_withheld: list[str]
    cross: list[str]
    cross_withheld: list[str]


def report_kinds(report: svc.LearningReport) -> ReportKinds:
    """The report's kinds of activity, split for its two tables (by kind; by kind and department): those with a
    figure to show, and those withheld throughout (every group too small, or one that would give a small group
    away). A row or column of nothing but "—" tells the reader nothing and widened the page: the withheld kinds
    are named in one sentence instead."""
    present = [t for t in report.types if t in report.totals or any(t in cells for cells in report.rows.values())]
    total = [t for t in present if report.totals.get(t) is not None]
    cross = [t for t in present if any(cells.get(t) is not None for cells in report.rows.values())]
    return ReportKinds(
        total=total,
        total_withheld=[t for t in present if t in report.totals and t not in total],
        cross=cross,
        cross_withheld=[t for t in present if t not in cross],
    )


# --- the interview planner --------------------------------------------------------------------------


@bp.get("/interviews")
def planner():
    """My informational-interview planner: the chain of introductions and a form to add a contact."""
    return _render_planner(page_principal(), {}, 200)


def _render_planner(principal: Principal, errors: dict[str, Any], status: int):
    uow = wiring().uow()
    data = interviews.planner(uow, principal)
    return _form_page(
        "pages/interviews.html",
        errors,
        status,
        {},
        planner=data,
        sources=SOURCES,
        formats=FORMATS,
    )


@bp.post("/interviews")
def add_contact():
    """Add a contact."""
    principal = page_principal()
    w = wiring()
    raw = {
        k: request.form.get(k, "")
        for k in ("name", "role", "organisation", "industry", "found_via", "format", "purpose")
    }
    return saved_from(
        url_for("pages_learning.planner"),
        partial(_render_planner, principal),
        lambda: interviews.add_contact(
            w.uow(), principal, forms.load_or_refuse(ContactInSchema(), raw, "The contact was not added."), w.clock
        ),
        lambda made: f"{made.name} added. Your request is drafted below: edit it, copy it, and mark it sent.",
        lambda made: url_for("pages_learning.contact", contact_id=made.contact_id),
    )


@bp.route("/interviews/questions", methods=["GET", "POST"])
def questions():
    """My question bank: one question a line."""
    principal = page_principal()
    w = wiring()
    errors: dict[str, Any] = {}
    if request.method == "POST":
        lines = request.form.get("questions", "").splitlines()
        version = form_version(request.form.get("version"))
        return saved_from(
            url_for("pages_learning.questions"),
            partial(_render_questions, principal),
            lambda: interviews.save_questions(w.uow(), principal, lines, version),
            lambda _bank: "Question bank saved.",
        )
    return _render_questions(principal, errors, 200)


def _render_questions(principal: Principal, errors: dict[str, Any], status: int):
    bank = interviews.questions(wiring().uow(), principal)
    text = request.form.get("questions") if errors else "\n".join(bank.questions)
    return _form_page("pages/interviews_questions.html", errors, status, {}, bank=bank, text=text)


STEPS = {"save", "send", "schedule", "decline", "prepare", "complete", "after"}


@bp.route("/interviews/<contact_id>", methods=["GET", "POST"])
def contact(contact_id: str):
    """One contact: the request, preparation, and what came of the conversation."""
    principal = page_principal()
    if not form_sent():
        return _render_contact(principal, contact_id, {}, 200)
    w = wiring()
    form = request.form
    step = form.get("do", "save")
    version = form_version(form.get("version"))
    here = url_for("pages_learning.contact", contact_id=contact_id)

    on = form_again(here, lambda errors, status: _render_contact(principal, contact_id, errors, status, step))
    if _picking_need(form):
        return _render_contact(principal, contact_id, {}, 200, step)
    if step not in STEPS:
        raise ValidationFailed("Unknown step.", {"do": ["not a step of the planner"]})
    if step == "save":
        data = {k: form.get(k, "") for k in ("format", "purpose", "outreach")}
        if data["outreach"].strip() == form.get("draft", "").strip():
            data["outreach"] = ""  # unchanged: keep building it from the profile and the contact
        attempt(lambda: interviews.update_contact(w.uow(), principal, contact_id, data, version), on)
        flash("Request saved.", "success")
    elif step in ("send", "schedule", "decline"):
        when = form.get("scheduled_for", "").strip() or None
        attempt(lambda: interviews.act(w.uow(), principal, contact_id, step, version, w.clock, when), on)
        flash(
            {
                "send": "Marked as sent. If there is no answer, follow up on the date shown.",
                "schedule": "Interview scheduled. Work through the preparation checklist.",
                "decline": "Noted as declined.",
            }[step],
            "success",
        )
    elif step == "prepare":
        ticked = form.getlist("checklist")
        checklist = {k: k in ticked for k, _ in CHECKLIST}
        attempt(
            lambda: interviews.update_contact(w.uow(), principal, contact_id, {"checklist": checklist}, version), on
        )
        flash("Preparation saved.", "success")
    elif step == "complete":
        raw = _completion(form)

        def finish() -> dict[str, Any]:
            loaded = forms.load_or_refuse(InterviewCompletionSchema(), raw, "The interview cannot be completed yet.")
            if loaded.get("completed_on"):
                loaded["completed_on"] = loaded["completed_on"].isoformat()
            return interviews.complete(w.uow(), principal, contact_id, loaded, version, w.clock)

        attempt(finish, on)
        made = len(raw["referrals"])
        flash(
            "Interview recorded and added to your learning log."
            + (f" {made} new contact{'s' if made != 1 else ''} from your referral question." if made else "")
            + " Remember to send a thank-you note.",
            "success",
        )
    else:  # after: thank-you sent, summary shared
        data = {"thanked": "thanked" in form, "shared_with_manager": "shared_with_manager" in form}
        attempt(lambda: interviews.update_contact(w.uow(), principal, contact_id, data, version), on)
        flash("Saved.", "success")
    return redirect(here)


def _completion(form: Any) -> dict[str, Any]:
    referrals = []
    for n in range(REFERRAL_ROWS):
        row = {k: form.get(f"referrals.{n}.{k}", "").strip() for k in ("name", "role", "organisation")}
        if any(row.values()):
            referrals.append(row)
    need = (form.get("need_id") or "").strip()
    data: dict[str, Any] = {
        "notes": form.get("notes", ""),
        "learnt": form.get("learnt", ""),
        "shared_with_manager": "shared_with_manager" in form,
        "referrals": referrals,
        "need_id": need or None,
    }
    if form.get("completed_on", "").strip():
        data["completed_on"] = form["completed_on"].strip()
    if form.get("hours", "").strip():
        data["hours"] = form["hours"].strip()
    return data


def _render_contact(principal: Principal, contact_id: str, errors: dict[str, Any], status: int, step: str = ""):
    uow = wiring().uow()
    found = interviews.get_contact(uow, principal, contact_id)
    return _form_page(
        "pages/interview.html",
        errors,
        status,
        {},
        c=found,
        bank=interviews.questions(uow, principal),
        **_need_picker(uow, principal, request.form.get("need_id")),
        formats=FORMATS,
        closing_question=CLOSING_QUESTION,
        referral_rows=REFERRAL_ROWS,
        step=step,
        today=today().isoformat(),
        held_on=held_on({}, found.scheduled_for, wiring().clock.zone) or "",  # the date field's default
        plan_items=learning_plan.items_with(uow, principal, contact_id, today()),  # issue 27
    )


@bp.get("/people/<employee_id>/shared")
def shared(employee_id: str):
    """The manager: interview summaries one of their reports chose to share."""
    principal = page_principal()
    uow = wiring().uow()
    summaries = interviews.shared_summaries(uow, principal, employee_id)
    person = directory_svc.get_person(uow, employee_id)
    return render_template("pages/interviews_shared.html", summaries=summaries, person=person)
