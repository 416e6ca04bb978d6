"""HR pages: organisation import, templates, cycle set-up, launch with progress, dashboard, close and reopen."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import Schema

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState, ParticipantMode, Phase, overdue_phases
from service.domain.directory import Role
from service.domain.errors import ValidationFailed
from service.domain.templates import template_to_dict
from service.services import cycles as cycle_svc
from service.services import directory as directory_svc
from service.services import feedback_tracking, mail_feedback
from service.services import templates as template_svc
from service.services.auth import Principal
from service.services.policy import require_role
from service.views import labels
from service.web import forms
from service.web.form_flow import OnRefusal, attempt, done, form_page, invalid
from service.web.page_helpers import form_sent, page_principal, picker_search, today
from service.web.schemas_reviews import CycleInSchema, CycleSchema, ReasonSchema, TemplateInSchema
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_hr", __name__, url_prefix="/hr")


MAX_IMPORT_BYTES = 5 * 1024 * 1024
PHASE_LABELS = {
    "goal_setting": "Goal setting",
    "self_assessment": "Self assessment",
    "feedback": "Peer and upward feedback",
    "manager_assessment": "Manager assessment",
    "calibration": "Calibration",
    "discussion": "Review discussion and acknowledgement",
}
# The participant modes as HR reads them (a mode the enum gains without words here fails at import).
MODE_SENTENCES = {
    "everyone": "Everyone active in the organisation",
    "departments": "The departments chosen below",
    "list": "The people listed below",
}
MODES = [(m.value, MODE_SENTENCES[m.value]) for m in ParticipantMode]
# Who owes the overdue task of each phase (the counters count a phase's reviews in these states).
PHASE_OWNERS = {
    "self_assessment": "the employee",
    "manager_assessment": "the manager",
    "discussion": "the manager (discussion) or the employee (acknowledgement)",
}
FORM_LABELS = {
    "self": "Self assessment",
    "manager": "Manager assessment",
    "peer": "Peer feedback",
    "upward": "Upward feedback",
}


def hr() -> Principal:
    """The signed-in principal, who must hold the HR role."""
    principal = page_principal()
    require_role(principal, Role.HR)
    return principal


# --- organisation import -------------------------------------------------------------------------


@bp.route("/import", methods=["GET", "POST"])
def import_org():
    """Upload the organisation CSV; a rejected file comes back as a row-numbered report, nothing changed."""
    principal = hr()
    if not form_sent():
        return render_template("pages/hr_import.html", result=None, rejected=None)
    upload = request.files.get("file")
    dry_run = request.form.get("dry_run") == "1"
    problem = None
    data = upload.read(MAX_IMPORT_BYTES + 1) if upload and upload.filename else b""
    if not data:
        problem = "Choose the CSV file to import."
    elif len(data) > MAX_IMPORT_BYTES:
        problem = f"The file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB."
    else:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            problem = "The file is not UTF-8 text: save the CSV as UTF-8 and try again."
    if problem:
        errors = {"file": [problem]}
        return form_page("pages/hr_import.html", errors, 422, result=None, rejected=None)
    w = wiring()
    name = upload.filename if upload else ""
    result = attempt(
        lambda: directory_svc.import_organisation(
            w.uow(), principal, text, w.clock, dry_run=dry_run, mailer=w.extras.get("mailer")
        ),
        OnRefusal(
            back=url_for("pages_hr.import_org"),
            rejected=lambda exc: (
                render_template("pages/hr_import.html", result=None, rejected=exc, filename=name),
                422,
            ),
            prefix="Not imported",
        ),
    )
    return render_template("pages/hr_import.html", result=result, rejected=None, filename=upload.filename)


# --- templates -------------------------------------------------------------------------------------------


@bp.get("/templates")
def templates():
    """The review templates in use, or (?archived=1) the archived ones."""
    hr()
    archived = request.args.get("archived") == "1"
    shown = template_svc.list_templates(wiring().uow(), archived)
    return render_template("pages/hr_templates.html", templates=shown, archived=archived)


def _render_template_form(
    values: dict[str, Any],
    template_id: str | None = None,
    *,
    version: Any = "",
    errors: forms.Errors | None = None,
    message: str = "",
    status: int = 200,
):
    label = labels.Labeller(
        extra={f"questions.{f}": f"Questions of the {FORM_LABELS[f].lower()} form" for f in FORM_LABELS}
    )
    return form_page(
        "pages/hr_template_form.html",
        errors,
        status,
        label,
        values=values,
        template_id=template_id,
        version=version,
        message=message,
        forms_=FORM_LABELS,
    )


def _save_template(template_id: str | None):
    saved = save_edit(TEMPLATE_EDITOR, template_id)
    flash(
        f"Template “{saved.name}” saved as version {saved.version}. Running cycles keep the version they "
        "launched with.",
        "success",
    )
    return redirect(url_for("pages_hr.templates"))


@bp.route("/templates/new", methods=["GET", "POST"])
def new_template():
    """Create a template: competencies, scale labels, questions per form, weights."""
    hr()
    if request.method == "POST":
        return _save_template(None)
    blank = {
        "name": "",
        "competencies": [],
        "scale": ["Below expectations", "Meets expectations", "Exceeds expectations", "Outstanding"],
        "questions": {},
        "weights": {"goals": 40, "competencies": 40, "feedback": 20},
    }
    return _render_template_form(blank)


@bp.route("/templates/<template_id>", methods=["GET", "POST"])
def edit_template(template_id: str):
    """Edit a template: each save is a new version."""
    hr()
    if request.method == "POST":
        return _save_template(template_id)
    t = template_svc.get_template(wiring().uow(), template_id)
    return _render_template_form(template_to_dict(t), template_id=template_id, version=t.version)


# --- cycles --------------------------------------------------------------------------------------------


@bp.get("/cycles")
def cycles():
    """Every cycle, newest first, or (?archived=1) the archived drafts."""
    hr()
    archived = request.args.get("archived") == "1"
    shown = cycle_svc.list_cycles(wiring().uow(), archived)
    return render_template("pages/hr_cycles.html", cycles=shown, archived=archived)


def _cycle_values(c: Cycle) -> dict[str, Any]:
    """A stored cycle as its form's values: the API's output of it, limited to the fields the form sends."""
    return CycleSchema(only=tuple(CycleInSchema().fields)).dump(c)


def _render_cycle_form(
    values: dict[str, Any],
    cycle_id: str | None = None,
    *,
    version: Any = "",
    errors: forms.Errors | None = None,
    message: str = "",
    status: int = 200,
):
    uow = wiring().uow()
    people = directory_svc.people_for_signin(uow)
    departments = sorted({p.department for p in people}, key=str.casefold)
    label = labels.Labeller(
        extra={f"phases.{k}": f"Deadline: {v}" for k, v in PHASE_LABELS.items()} | {"employee_ids": "People"}
    )
    # The people picker: who is chosen (named; an id nobody active has stays, to be refused with a message)
    # and what the search box found, when HR searched.
    active = {p.employee_id: p for p in people}
    query = _people_query()
    found = directory_svc.search_people(uow, hr(), query) if query.strip() else None
    return form_page(
        "pages/hr_cycle_form.html",
        errors,
        status,
        label,
        values=values,
        cycle_id=cycle_id,
        version=version,
        message=message,
        template_choices=[(t.template_id, f"{t.name} (version {t.version})") for t in template_svc.list_templates(uow)],
        departments=departments,
        phases=PHASE_LABELS,
        modes=MODES,
        chosen=[(i, active.get(i)) for i in values.get("employee_ids") or []],
        people_q=query,
        found=found,
    )


def _people_query() -> str:
    """What was typed in the people picker's search box (the form's, or a link's `?people_q=`)."""
    return (request.form.get("people_q") or request.args.get("people_q") or "")[: directory_svc.MAX_QUERY]


def _picking(form: Any) -> bool:
    """Whether the cycle form was sent by the people picker (search, add) rather than to be saved."""
    return picker_search(form, "people") or "add_person" in form


def _save_cycle(cycle_id: str | None):
    if _picking(request.form):  # nothing saved: the form again, as typed, with the matches or the person added
        return _render_cycle_form(forms.cycle_raw(request.form), cycle_id, version=request.form.get("version", ""))
    saved = save_edit(CYCLE_EDITOR, cycle_id)
    flash(f"Cycle “{saved.name}” saved.", "success")
    return redirect(url_for("pages_hr.cycle", cycle_id=saved.cycle_id))


@dataclass(frozen=True)
class Editor:
    """How HR creates and edits one kind of versioned thing (a template, a cycle, a schedule rule) from its form."""

    render: Callable[..., Any]  # (values, id, *, version, errors, message, status) → the form page
    raw: Callable[[Any], dict[str, Any]]  # the posted form → what the schema loads
    schema: type[Schema]
    get: Callable[[Any, str], Any]  # (uow, id) → as stored now
    create: Callable[..., Any]  # (uow, principal, data, clock)
    update: Callable[..., Any]  # (uow, principal, id, data, expected version, clock)
    refused: str  # the message of an invalid form
    stale: str  # the message when someone else saved it meanwhile, formatted with `now` (as stored now)
    back: str  # the list's endpoint
    elsewhere: str = ""  # the endpoint (taking the cycle's id) where a refusal not about the form is said, if any
    # what the form gives → what the schema loads (the form is shown again as posted, without what this adds)
    prepare: Callable[[dict[str, Any]], dict[str, Any]] = lambda raw: raw


TEMPLATE_EDITOR = Editor(
    _render_template_form,
    forms.template_raw,
    TemplateInSchema,
    template_svc.get_template,
    template_svc.create_template,
    template_svc.update_template,
    "The template was not saved: some fields need attention.",
    "Someone else saved this template meanwhile (now version {now.version}, by {now.updated_by}). "
    "Your edits are kept below; saving again makes them the next version.",
    "pages_hr.templates",
    prepare=forms.with_template_ids,
)
CYCLE_EDITOR = Editor(
    _render_cycle_form,
    forms.cycle_raw,
    CycleInSchema,
    cycle_svc.get_cycle,
    cycle_svc.create_cycle,
    cycle_svc.update_cycle,
    "The cycle was not saved: some fields need attention.",
    "Someone else changed this cycle meanwhile (now version {now.version}). Your edits are kept "
    "below; saving again replaces theirs.",
    "pages_hr.cycles",
    elsewhere="pages_hr.cycle",  # a refusal by the cycle's state is said on the cycle's page
)


def save_edit(editor: Editor, entity_id: str | None) -> Any:
    """Create (no id) or edit from the posted form: the form again with its messages when it is invalid or
    refused; when someone else saved it meanwhile, the form as typed at the version stored now, with a message."""
    principal = hr()
    w = wiring()
    raw = editor.raw(request.form)
    data, errors = forms.load(editor.schema(), editor.prepare(raw))
    version = request.form.get("version", "")

    def again(errors: forms.Errors, message: str, status: int):
        if editor.elsewhere and entity_id and status != 422:  # a new one has no page yet: the form says it
            flash(message, "error")
            return redirect(url_for(editor.elsewhere, cycle_id=entity_id))
        return editor.render(raw, entity_id, version=version, errors=errors, status=status, message=message)

    invalid(errors, editor.refused, OnRefusal(form=again))

    def stale(_exc: Exception):
        now = editor.get(w.uow(), entity_id or "")
        return editor.render(raw, entity_id, version=now.version, status=409, message=editor.stale.format(now=now))

    def save():
        if entity_id is None:
            return editor.create(w.uow(), principal, data, w.clock)
        return editor.update(w.uow(), principal, entity_id, data, expected_version(), w.clock)

    return attempt(save, OnRefusal(back=url_for(editor.back), form=again, stale=stale))


@bp.route("/cycles/new", methods=["GET", "POST"])
def new_cycle():
    """Set up a draft cycle: name, period, template, phase deadlines, participants."""
    hr()
    if request.method == "POST":
        return _save_cycle(None)
    year = today().year
    blank = {
        "name": f"{year} annual review",
        "period_start": date(year, 1, 1).isoformat(),
        "period_end": date(year, 12, 31).isoformat(),
        "template_id": "",
        "phases": {},
        "participant_mode": "everyone",
        "departments": [],
        "employee_ids": [],
        "carry_over_goals": False,
        "skip_level_read": True,
        "rehearsal": False,
    }
    return _render_cycle_form(blank)


@bp.route("/cycles/<cycle_id>/edit", methods=["GET", "POST"])
def edit_cycle(cycle_id: str):
    """Edit a draft cycle."""
    hr()
    if request.method == "POST":
        return _save_cycle(cycle_id)
    c = cycle_svc.get_cycle(wiring().uow(), cycle_id)
    if c.state is not CycleState.DRAFT:
        flash("Only a draft cycle can be edited.", "info")
        return redirect(url_for("pages_hr.cycle", cycle_id=cycle_id))
    return _render_cycle_form(_cycle_values(c), cycle_id=cycle_id, version=c.version)


@bp.get("/cycles/<cycle_id>")
def cycle(cycle_id: str):
    """A cycle: set-up, launch, progress per state, per department and overdue, disagreements; close and reopen."""
    principal = hr()
    uow = wiring().uow()
    c = cycle_svc.get_cycle(uow, cycle_id)
    query = _people_query()
    return render_template(
        "pages/hr_cycle.html",
        cycle=c,
        people_q=query,
        **_launched_cycle(uow, principal, c, query),
        states=[s.value for s in c.states()],
        phases=PHASE_LABELS,
        template_name=cycle_svc.template_name(uow, c),
        today=today(),
        ordered_phases=[p.value for p in Phase if p in c.phases],
    )


def _launched_cycle(uow: UnitOfWork, principal: Principal, c: Cycle, query: str) -> dict[str, Any]:
    """What the cycle page shows once the cycle is launched (a draft has none of it): progress, disagreements, the
    reviews the people search found, and the feedback response rates."""
    if c.state is CycleState.DRAFT:
        return {"progress": None, "disagreed": None, "found": None, "feedback": None}
    return {
        "progress": cycle_svc.cycle_progress(uow, principal, c.cycle_id, today()),
        # Issue 24: a page of a sparse index, and the picker searches the directory: no read of every review.
        "disagreed": cycle_svc.disagreements(uow, principal, c.cycle_id),
        "found": cycle_svc.find_reviews(uow, principal, c.cycle_id, query) if query.strip() else None,
        # Issue 9: feedback response rates per department and who has not answered (a Query of the cycle's
        # requests, then a batch read of the people they name: more requests as the cycle's requests grow).
        "feedback": feedback_tracking.feedback_progress(uow, principal, c.cycle_id, wiring().clock.now()),
    }


def _after() -> tuple[str, str] | None:
    """Where a page of HR's lists starts: the `state` and `after` of its "Next page" link (a plain GET link)."""
    state, after = request.args.get("state", ""), request.args.get("after", "")
    if not state:
        return None
    if len(after) > 512 or len(state) > 64 or any(not c.isprintable() for c in state + after):
        raise ValidationFailed("Bad page.", {"after": ["use the link to the next page"]})
    return state, after


def _next_link(endpoint: str, page: cycle_svc.WorkPage, **args: str) -> str | None:
    """The "Next page" link of a page of rows, or None on the last."""
    if page.after is None:
        return None
    return url_for(endpoint, **args, state=page.after[0], after=page.after[1])


@bp.get("/cycles/<cycle_id>/to-finalise")
def to_finalise(cycle_id: str):
    """The acknowledged reviews waiting for HR to finalise, a page at a time by name, each a link to its review."""
    principal = hr()
    uow = wiring().uow()
    cycle_svc.prefetch(uow, None, cycle_id)  # the cycle and its counters in one batch read
    c = cycle_svc.get_cycle(uow, cycle_id)
    page = cycle_svc.to_finalise_page(uow, principal, c, _after(), cycle_svc.WORK_PAGE)
    progress = cycle_svc.cycle_progress(uow, principal, cycle_id, today())
    return render_template(
        "pages/hr_to_finalise.html",
        cycle=c,
        rows=page.rows,
        total=progress.by_state.get("acknowledged", 0),
        phase=None,
        first=request.args.get("state") is None,
        next_link=_next_link("pages_hr.to_finalise", page, cycle_id=cycle_id),
    )


@bp.get("/cycles/<cycle_id>/overdue")
def overdue(cycle_id: str):
    """Who is overdue in one phase, a page at a time by name, with a "Send reminder now" action."""
    principal = hr()
    uow = wiring().uow()
    cycle_svc.prefetch(uow, None, cycle_id)  # the cycle and its counters in one batch read
    c = cycle_svc.get_cycle(uow, cycle_id)
    counts = cycle_svc.cycle_progress(uow, principal, cycle_id, today()).overdue
    phases = [p for p in overdue_phases(c, today()) if counts.get(p.value)]
    asked = request.args.get("phase")
    chosen = next((p for p in phases if p.value == asked), None)
    if asked is not None and chosen is None:
        raise ValidationFailed("Nothing is overdue in that phase.", {"phase": ["choose one of the phases listed"]})
    chosen = chosen or (phases[0] if phases else None)
    page = cycle_svc.overdue_page(uow, principal, c, chosen, today(), _after(), cycle_svc.WORK_PAGE) if chosen else None
    rows = page.rows if page else []
    managers = directory_svc.people_names(uow, sorted({r.manager_id for r in rows if r.manager_id}))
    return render_template(
        "pages/hr_overdue.html",
        cycle=c,
        counts={p.value: counts[p.value] for p in phases},
        phase=chosen.value if chosen else None,
        rows=rows,
        first=request.args.get("state") is None,
        next_link=_next_link("pages_hr.overdue", page, cycle_id=cycle_id, phase=chosen.value) if page else None,
        phases=PHASE_LABELS,
        owners=PHASE_OWNERS,
        managers=managers,
    )


@bp.get("/cycles/<cycle_id>/bouncing")
def bouncing(cycle_id: str):
    """The addresses the service no longer mails (issue 21), from a cycle's overdue page: a page of their own, so
    the overdue list stays at three requests (issue 24)."""
    principal = hr()
    uow = wiring().uow()
    c = cycle_svc.get_cycle(uow, cycle_id)
    return render_template("pages/hr_bouncing.html", cycle=c, bouncing=mail_feedback.bouncing_addresses(uow, principal))


@bp.post("/cycles/<cycle_id>/remind")
def remind(cycle_id: str):
    """Send the overdue people of this cycle (or of one phase) their reminder now."""
    from service.services import reminders as reminder_svc

    principal = hr()
    w = wiring()
    phase = request.form.get("phase") or None
    back = url_for("pages_hr.overdue", cycle_id=cycle_id)
    mailer = w.extras["mailer"]
    result = attempt(
        lambda: reminder_svc.remind_cycle_now(
            w.uow(), principal, cycle_id, mailer, w.clock, w.settings.base_url, phase=phase
        ),
        OnRefusal(back=back, prefix="No reminders sent"),
    )
    sent, already, failed = result.reminded, result.already_today, result.failed
    parts = [f"Reminder sent to {sent} {'person' if sent == 1 else 'people'}"]
    if already:
        parts.append(f"{already} already had today's reminder")
    if result.bouncing:
        parts.append(f"{result.bouncing} not emailed: their address bounces (see “Addresses that bounce”)")
    if failed:
        parts.append(f"{failed} could not be sent (they are retried by the daily run)")
    flash("; ".join(parts) + ".", "error" if failed and not sent else "success")
    return redirect(back)


@bp.post("/cycles/<cycle_id>/bouncing/clear")
def clear_bouncing(cycle_id: str):
    """Mail an address that bounced again (issue 21), back to the list of addresses that bounce."""
    principal = hr()
    back = url_for("pages_hr.bouncing", cycle_id=cycle_id)
    return done(
        lambda: mail_feedback.clear_bouncing(wiring().uow(), principal, request.form.get("address", "")),
        OnRefusal(back=back, prefix="Not changed"),
        lambda address: f"{address} is emailed again from now on.",
        back,
    )


@bp.get("/cycles/<cycle_id>/review")
def open_review(cycle_id: str):
    """Go to one participant's review (the picker on the dashboard; works without script)."""
    hr()
    employee_id = request.args.get("employee_id", "")
    if not employee_id:
        flash("Choose a person.", "error")
        return redirect(url_for("pages_hr.cycle", cycle_id=cycle_id))
    return redirect(url_for("pages_reviews.review", cycle_id=cycle_id, employee_id=employee_id))


@bp.post("/cycles/<cycle_id>/launch")
def launch(cycle_id: str):
    """Launch: snapshot template and participants, create the reviews in the background."""
    principal = hr()
    w = wiring()
    attempt(
        lambda: cycle_svc.launch_cycle(w.uow(), principal, cycle_id, expected_version(), w.clock, w.queue),
        OnRefusal(back=url_for("pages_hr.cycle", cycle_id=cycle_id), prefix="Not launched"),
    )
    return redirect(url_for("pages_hr.launch_progress", cycle_id=cycle_id))


@bp.get("/cycles/<cycle_id>/launch")
def launch_progress(cycle_id: str):
    """A draft: who the launch will take in and email, and a button to confirm it. Launched: how many reviews the
    launch has created so far; the page refreshes itself until it is done."""
    principal = hr()
    uow = wiring().uow()
    c = cycle_svc.get_cycle(uow, cycle_id)
    if c.state is CycleState.DRAFT:
        people = attempt(
            lambda: cycle_svc.launch_audience(uow, principal, cycle_id),
            OnRefusal(back=url_for("pages_hr.cycle", cycle_id=cycle_id), prefix="Cannot launch yet"),
        )
        return render_template("pages/hr_launch.html", cycle=c, people=people, progress=None)
    progress = cycle_svc.launch_progress(uow, cycle_id)
    percent = int(100 * progress.created / progress.expected) if progress.expected else 100
    return render_template("pages/hr_launch.html", cycle=c, progress=progress, percent=percent)


@bp.get("/cycles/<cycle_id>/close")
def close_confirm(cycle_id: str):
    """Before closing: what will happen, and how many reviews are not finalised yet."""
    principal = hr()
    uow = wiring().uow()
    c = cycle_svc.get_cycle(uow, cycle_id)
    if c.state is not CycleState.ACTIVE:
        flash("Only an active cycle can be closed.", "info")
        return redirect(url_for("pages_hr.cycle", cycle_id=cycle_id))
    progress = cycle_svc.cycle_progress(uow, principal, cycle_id, today())
    unfinished = progress.total - progress.by_state.get("finalised", 0)
    return render_template("pages/hr_close.html", cycle=c, progress=progress, unfinished=unfinished)


@bp.post("/cycles/<cycle_id>/close")
def close(cycle_id: str):
    """Close an active cycle (after the confirmation page): its reviews become read-only."""
    principal, w, back = hr(), wiring(), url_for("pages_hr.cycle", cycle_id=cycle_id)
    return done(
        lambda: cycle_svc.close_cycle(w.uow(), principal, cycle_id, expected_version(), w.clock),
        OnRefusal(back=back, prefix="Not closed"),
        lambda c: f"“{c.name}” is closed; its reviews are read-only.",
        back,
    )


@bp.post("/cycles/<cycle_id>/reopen")
def reopen(cycle_id: str):
    """Reopen a closed cycle, with a reason that goes into the audit trail."""
    principal, w, back = hr(), wiring(), url_for("pages_hr.cycle", cycle_id=cycle_id)
    data, errors = forms.load(
        ReasonSchema(), {"reason": request.form.get("reason", "")} if request.form.get("reason", "").strip() else {}
    )
    if errors:
        flash("Not reopened: say why the cycle is reopened.", "error")
        return redirect(back + "#reopen")
    reason = data["reason"]
    return done(
        lambda: cycle_svc.reopen_cycle(w.uow(), principal, cycle_id, expected_version(), reason, w.clock),
        OnRefusal(back=back, prefix="Not reopened"),
        lambda c: f"“{c.name}” is active again. The reason is in the audit trail.",
        back,
    )
