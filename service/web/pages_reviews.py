"""Pages of one review: read it, the three forms (self, manager, discussion), acknowledge, HR's finalise and
return, the audit trail; and a manager's team overview.

The forms post to themselves. `Save draft` stores without changing state; `Submit…` stores the draft, checks
it is complete and asks for confirmation on a page of its own (no script needed); the page script autosaves
by posting the same form with `X-Autosave: 1` and gets JSON back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for
from marshmallow import Schema

from service.adapters.clock import iso
from service.domain.audit import verify_chain
from service.domain.cycles import CycleState, Phase
from service.domain.errors import Conflict, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.reviews import (
    RETURNS,
    ItemStatus,
    Priority,
    ReviewAction,
    ReviewState,
    check_discussion,
    check_manager,
    check_self,
    compute_score,
    next_state,
)
from service.domain.templates import Template, template_from_dict
from service.services import cycles as cycle_svc
from service.services import directory as directory_svc
from service.services import reviews as review_svc
from service.services.reviews import ReviewContext, review_view
from service.web import forms
from service.web.pages import TASK_TITLES, _names, due_info, page_principal, today
from service.web.schemas_reviews import (
    FORMATS,
    LEARNING_KINDS,
    AcknowledgeSchema,
    DiscussionContentSchema,
    ManagerContentSchema,
    ReturnSchema,
    SelfContentSchema,
)
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_reviews", __name__)
REVIEW = "/cycles/<cycle_id>/reviews/<employee_id>"
S = ReviewState


def _words(values: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ").capitalize()) for v in values]


CHOICES = {
    "priority": _words([p.value for p in Priority]),
    "format": _words(FORMATS),
    "kind": _words(LEARNING_KINDS),
    "status": _words([s.value for s in ItemStatus]),
}


@dataclass(frozen=True)
class Part:
    """One of the three review forms: what it edits, how it loads and saves, and who may write it when."""

    key: str
    section: str
    schema: type[Schema]
    raw: Callable[..., dict[str, Any]]
    save: Callable[..., dict[str, Any]]
    submit_action: ReviewAction
    states: tuple[ReviewState, ...]
    page: str
    title: str
    submit_label: str

    def may_write(self, ctx: ReviewContext) -> bool:
        """Whether this principal is an author of this part."""
        return ctx.is_employee if self.key == "self" else (ctx.is_manager or ctx.is_hr)

    def endpoint(self) -> str:
        """The view of this form."""
        return f"pages_reviews.{self.key}_form"


PARTS = {
    "self": Part(
        "self",
        "self_assessment",
        SelfContentSchema,
        forms.self_raw,
        review_svc.save_self_assessment,
        ReviewAction.SUBMIT_SELF,
        (S.NOT_STARTED,),
        "pages/review_self.html",
        "Self assessment",
        "Submit to your manager…",
    ),
    "manager": Part(
        "manager",
        "manager_assessment",
        ManagerContentSchema,
        forms.manager_raw,
        review_svc.save_manager_assessment,
        ReviewAction.SUBMIT_MANAGER,
        (S.NOT_STARTED, S.SELF_SUBMITTED),
        "pages/review_manager.html",
        "Manager assessment",
        "Submit the assessment…",
    ),
    "discussion": Part(
        "discussion",
        "discussion",
        DiscussionContentSchema,
        forms.discussion_raw,
        review_svc.save_discussion,
        ReviewAction.RECORD_DISCUSSION,
        (S.MANAGER_SUBMITTED,),
        "pages/review_discussion.html",
        "Review discussion",
        "Record the discussion…",
    ),
}
PART_PHASE = {"self": Phase.SELF_ASSESSMENT, "manager": Phase.MANAGER_ASSESSMENT, "discussion": Phase.DISCUSSION}


def _context(cycle_id: str, employee_id: str) -> tuple[ReviewContext, dict[str, Any]]:
    ctx = ReviewContext(wiring().uow(), page_principal(), cycle_id, employee_id)
    return ctx, review_view(ctx)


def _template(view: dict[str, Any]) -> Template:
    if not view.get("template"):
        raise Conflict("the cycle has not been launched")
    return template_from_dict(view["template"])


def _review_url(ctx: ReviewContext) -> str:
    return url_for("pages_reviews.review", cycle_id=ctx.cycle.cycle_id, employee_id=ctx.review.employee_id)


def _editable(part: Part, ctx: ReviewContext) -> str | None:
    """Why this part cannot be written now (None when it can)."""
    if ctx.cycle.state is not CycleState.ACTIVE:
        return f"The cycle is {ctx.cycle.state}; its reviews are read-only."
    if ctx.review.state not in part.states:
        return f"The {part.title.lower()} can no longer be changed: the review is “{ctx.review.state.value}”."
    return None


def _owner_choices(ctx: ReviewContext, content: dict[str, Any] | None) -> list[tuple[str, str]]:
    """People who may own an action: the employee, their management chain, their peers, and whoever acts."""
    uow = ctx.uow
    employee = directory_svc.get_person(uow, ctx.review.employee_id)
    people = [employee, *directory_svc.management_chain(uow, employee.employee_id)]
    if employee.manager_id:
        people += directory_svc.direct_reports(uow, employee.manager_id)
    seen: dict[str, str] = {}
    for p in people:
        seen.setdefault(p.employee_id, f"{p.name} ({p.title})" if p.title else p.name)
    seen.setdefault(ctx.principal.employee_id, ctx.principal.name)
    chosen = [i.get("owner_id") for key in ("obstacles", "agreed_actions") for i in (content or {}).get(key, []) or []]
    missing = [i for i in chosen if i and i not in seen]
    for k, name in _names(uow, missing).items():
        seen[k] = name
    for i in missing:
        seen.setdefault(i, i)
    return list(seen.items())


def _initial(part: Part, view: dict[str, Any]) -> dict[str, Any]:
    """What a form shows when nothing is saved yet: the manager starts from the employee's goals."""
    if part.key == "manager" and view.get("self_assessment"):
        goals = view["self_assessment"].get("goal_results") or []
        return {"goal_ratings": [{"goal_id": g.get("goal_id"), "title": g.get("title", "")} for g in goals]}
    return {}


def _render_form(
    part: Part,
    ctx: ReviewContext,
    view: dict[str, Any],
    values: dict[str, Any],
    *,
    version: int,
    base: str,
    errors: forms.Errors | None = None,
    message: str = "",
    stale: dict[str, Any] | None = None,
    status: int = 200,
):
    template = _template(view)
    label = forms.Labeller(template)
    task = ctx.cycle.task_for(ctx.review.state)
    phase = PART_PHASE[part.key]
    can_submit = True
    try:
        next_state(ctx.review.state, part.submit_action)
    except Conflict:
        can_submit = False
    body = render_template(
        part.page,
        part=part,
        view=view,
        ctx=ctx,
        template=template,
        values=values,
        version=version,
        base=base,
        errors=errors or {},
        summary=forms.summary(errors or {}, label),
        message=message,
        stale=stale,
        due=due_info(ctx.cycle.phases.get(phase)),
        task=task,
        choices=CHOICES,
        can_submit=can_submit,
        owners=_owner_choices(ctx, values) if part.key != "self" else [],
        field_id=forms.field_id,
        review_url=_review_url(ctx),
        form_url=url_for(part.endpoint(), cycle_id=ctx.cycle.cycle_id, employee_id=ctx.review.employee_id),
    )
    return body, status


def _json_error(
    code: str,
    status: int,
    message: str,
    errors: forms.Errors | None = None,
    label: Callable[[str], str] | None = None,
    **extra: Any,
):
    body = {
        "code": code,
        "status": status,
        "message": message,
        "errors": errors or {},
        "summary": forms.summary(errors or {}, label or forms.Labeller()),
        **extra,
    }
    resp = jsonify(body)
    resp.status_code = status
    return resp


def _completeness(part: Part, content: dict[str, Any], ctx: ReviewContext, template: Template) -> forms.Errors:
    """What a submission would still miss (the draft is already stored and valid)."""
    try:
        next_state(ctx.review.state, part.submit_action)
        owners = {
            i["owner_id"] for key in ("obstacles", "agreed_actions") for i in content.get(key, []) if i.get("owner_id")
        }
        if part.key == "self":
            check_self(content, template, True)
        elif part.key == "manager":
            check_manager(content, template, True, owners)
        else:
            check_discussion(content, True, owners, today())
    except ValidationFailed as exc:
        return forms.flatten_errors(exc.errors)
    except Conflict as exc:
        return {"": [exc.message]}
    return {}


def _stale(
    part: Part, cycle_id: str, employee_id: str, raw: dict[str, Any], submitted: dict[str, Any] | None, autosave: bool
):
    """Someone else saved first: keep what was typed, say which fields changed since the form was opened."""
    ctx, view = _context(cycle_id, employee_id)
    template = _template(view)
    label = forms.Labeller(template)
    stored = view.get(part.section) or {}
    started_from = forms.parse_base(request.form.get("_base"))
    changed = (
        forms.changed_fields(started_from, stored)
        if started_from is not None
        else forms.changed_fields(submitted or raw, stored)
    )
    flat = forms.flatten(stored)
    items = [{"field": k, "id": forms.field_id(k), "label": label(k), "stored": flat.get(k)} for k in changed]
    message = (
        f"Someone else saved this review while you were editing (it is now version {ctx.review.version}). "
        "What you typed is still here and has not been saved."
    )
    if autosave:
        return _json_error(
            "stale_write", 412, message, label=label, changed=[i["label"] for i in items], version=ctx.review.version
        )
    reason = _editable(part, ctx)
    if reason:
        message += " " + reason
    stale = {
        "version": ctx.review.version,
        "changed": items,
        "fields": {i["field"]: i["stored"] for i in items},
        "state": ctx.review.state.value,
    }
    return _render_form(
        part,
        ctx,
        view,
        raw,
        version=ctx.review.version,
        base=forms.base_json(stored),
        message=message,
        stale=stale,
        status=409,
    )


def _form(part: Part, cycle_id: str, employee_id: str):
    ctx, view = _context(cycle_id, employee_id)
    if not part.may_write(ctx):
        raise PermissionDenied(f"only the {'employee' if part.key == 'self' else 'manager or HR'} writes this")
    autosave = request.headers.get("X-Autosave") == "1"
    reason = _editable(part, ctx)
    stored = view.get(part.section) or {}
    if request.method == "GET":
        if reason:
            flash(reason, "info")
            return redirect(_review_url(ctx))
        values = stored or _initial(part, view)
        return _render_form(part, ctx, view, values, version=ctx.review.version, base=forms.base_json(stored))
    template = _template(view)
    label = forms.Labeller(template)
    if reason and autosave:
        return _json_error("conflict", 409, reason)
    action = request.form.get("action", "save")
    if action == "confirm" and not autosave:
        return _confirm(part, ctx, view, stored)
    raw = part.raw(request.form, template)
    content, errors = forms.load(part.schema(), raw)
    version = request.form.get("version", "")
    if errors:
        message = "The draft was not saved: some fields need attention."
        if autosave:
            return _json_error("validation_failed", 422, message, errors, label)
        return _render_form(
            part,
            ctx,
            view,
            raw,
            version=version,
            base=request.form.get("_base", ""),
            errors=errors,
            message=message,
            status=422,
        )
    w = wiring()
    try:
        saved = part.save(w.uow(), ctx.principal, cycle_id, employee_id, content, expected_version(), False, w.clock)
    except StaleWrite:
        return _stale(part, cycle_id, employee_id, raw, content, autosave)
    except ValidationFailed as exc:
        errors = forms.flatten_errors(exc.errors)
        if autosave:
            return _json_error(exc.code, 422, exc.message, errors, label)
        return _render_form(
            part,
            ctx,
            view,
            raw,
            version=version,
            base=request.form.get("_base", ""),
            errors=errors,
            message=f"The draft was not saved. {exc.message}",
            status=422,
        )
    except Conflict as exc:
        if autosave:
            return _json_error(exc.code, 409, exc.message)
        return _render_form(
            part,
            ctx,
            view,
            raw,
            version=version,
            base=request.form.get("_base", ""),
            message=f"Not saved: {exc.message}.",
            status=409,
        )
    at = iso(w.clock.now())
    if autosave:
        return jsonify({"version": saved["version"], "saved_at": at, "base": forms.base_json(saved[part.section])})
    ctx, view = _context(cycle_id, employee_id)
    if action == "submit":
        missing = _completeness(part, content, ctx, template)
        if missing:
            return _render_form(
                part,
                ctx,
                view,
                content,
                version=saved["version"],
                base=forms.base_json(content),
                errors=missing,
                status=422,
                message="Your draft is saved. Before you can submit, complete the fields below.",
            )
        return render_template(
            "pages/review_confirm.html",
            part=part,
            ctx=ctx,
            view=view,
            template=template,
            version=saved["version"],
            score=_score_preview(part, template, content),
            due=_next_due(ctx, part),
            review_url=_review_url(ctx),
            saved_at=at,
            form_url=url_for(part.endpoint(), cycle_id=cycle_id, employee_id=employee_id),
            manager_name=_names(w.uow(), [ctx.current_manager or ""]).get(ctx.current_manager or ""),
        )
    flash(f"Draft saved at {at[11:16]} UTC.", "success")
    return redirect(url_for(part.endpoint(), cycle_id=cycle_id, employee_id=employee_id))


def _score_preview(part: Part, template: Template, content: dict[str, Any]) -> dict[str, Any] | None:
    return compute_score(template, content).as_dict() if part.key == "manager" else None


def _next_due(ctx: ReviewContext, part: Part) -> dict[str, Any] | None:
    after = {"self": Phase.MANAGER_ASSESSMENT, "manager": Phase.DISCUSSION, "discussion": Phase.DISCUSSION}
    return due_info(ctx.cycle.phases.get(after[part.key]))


def _confirm(part: Part, ctx: ReviewContext, view: dict[str, Any], stored: dict[str, Any]):
    """The confirmation step: submit the draft exactly as it was stored and shown."""
    w = wiring()
    changed = "The review changed after you asked to submit. Check it below and submit again."
    form_url = url_for(part.endpoint(), cycle_id=ctx.cycle.cycle_id, employee_id=ctx.review.employee_id)
    version = expected_version()
    if version != ctx.review.version:  # what was confirmed is that version, not whatever is stored now
        flash(changed, "error")
        return redirect(form_url)
    try:
        part.save(w.uow(), ctx.principal, ctx.cycle.cycle_id, ctx.review.employee_id, stored, version, True, w.clock)
    except StaleWrite:
        flash(changed, "error")
        return redirect(form_url)
    except ValidationFailed as exc:
        return _render_form(
            part,
            ctx,
            view,
            stored,
            version=ctx.review.version,
            base=forms.base_json(stored),
            errors=forms.flatten_errors(exc.errors),
            message=exc.message,
            status=422,
        )
    except Conflict as exc:
        flash(f"Not submitted: {exc.message}.", "error")
        return redirect(_review_url(ctx))
    flash(
        {
            "self": "Your self assessment is submitted. Your manager can now read it.",
            "manager": "The manager assessment is submitted and scored.",
            "discussion": "The discussion is recorded. The employee is asked to acknowledge the review.",
        }[part.key],
        "success",
    )
    return redirect(_review_url(ctx))


@bp.route(REVIEW + "/self", methods=["GET", "POST"])
def self_form(cycle_id: str, employee_id: str):
    """The employee's self assessment (draft, autosave, submit with confirmation)."""
    return _form(PARTS["self"], cycle_id, employee_id)


@bp.route(REVIEW + "/manager", methods=["GET", "POST"])
def manager_form(cycle_id: str, employee_id: str):
    """The manager assessment (the current manager or HR)."""
    return _form(PARTS["manager"], cycle_id, employee_id)


@bp.route(REVIEW + "/discussion", methods=["GET", "POST"])
def discussion_form(cycle_id: str, employee_id: str):
    """The record of the review discussion with agreed actions (manager or HR)."""
    return _form(PARTS["discussion"], cycle_id, employee_id)


# --- reading a review; acknowledgement; HR's finalise and return -----------------------------------------


def _render_review(
    ctx: ReviewContext,
    view: dict[str, Any],
    *,
    errors: forms.Errors | None = None,
    values: dict[str, Any] | None = None,
    message: str = "",
    status: int = 200,
):
    template = _template(view)
    state = ctx.review.state
    active = ctx.cycle.state is CycleState.ACTIVE
    task = ctx.cycle.task_for(state)
    owned = (
        ((view.get("manager_assessment") or {}).get("obstacles") or [])
        + ((view.get("discussion") or {}).get("agreed_actions") or [])
        + (view.get("carried_actions") or [])
    )
    people = [ctx.review.employee_id, ctx.current_manager or "", *(o.get("owner_id") or "" for o in owned)]
    label = forms.Labeller(template)
    body = render_template(
        "pages/review.html",
        ctx=ctx,
        view=view,
        template=template,
        state=state.value,
        active=active,
        task=task,
        task_title=TASK_TITLES.get(task[0]) if task else None,
        due=due_info(task[2]) if task else None,
        names=_names(ctx.uow, people),
        errors=errors or {},
        summary=forms.summary(errors or {}, label),
        values=values or {},
        message=message,
        states=list(ReviewState),
        field_id=forms.field_id,
        can_self=active and ctx.is_employee and state in PARTS["self"].states,
        can_manager=active and (ctx.is_manager or ctx.is_hr) and state in PARTS["manager"].states,
        can_discussion=active and (ctx.is_manager or ctx.is_hr) and state in PARTS["discussion"].states,
        can_acknowledge=active and ctx.is_employee and state is S.DISCUSSED,
        can_finalise=active and ctx.is_hr and state is S.ACKNOWLEDGED,
        return_targets=list(RETURNS[state]) if active and ctx.is_hr else [],
    )
    return body, status


@bp.get(REVIEW)
def review(cycle_id: str, employee_id: str):
    """One review as this person may see it, with what they can do next."""
    ctx, view = _context(cycle_id, employee_id)
    return _render_review(ctx, view)


@bp.post(REVIEW + "/acknowledge")
def acknowledge(cycle_id: str, employee_id: str):
    """The employee acknowledges the review, agreeing or not, with an optional written response."""
    ctx, view = _context(cycle_id, employee_id)
    raw = {"response": request.form.get("response", "")}
    if request.form.get("agreement"):
        raw["agreement"] = request.form["agreement"]
    data, errors = forms.load(AcknowledgeSchema(), raw)
    if errors:
        return _render_review(
            ctx, view, errors=errors, values=raw, status=422, message="Not acknowledged yet: say whether you agree."
        )
    w = wiring()
    try:
        review_svc.acknowledge(
            w.uow(),
            ctx.principal,
            cycle_id,
            employee_id,
            data["agreement"],
            data["response"],
            expected_version(),
            w.clock,
        )
    except StaleWrite:
        ctx, view = _context(cycle_id, employee_id)
        return _render_review(
            ctx,
            view,
            values=raw,
            status=409,
            message="The review changed while you were reading it. Read it again below; your response is kept.",
        )
    except Conflict as exc:
        flash(f"Not acknowledged: {exc.message}.", "error")
        return redirect(_review_url(ctx))
    flash("You acknowledged the review. Your response is kept with it; HR finalises it next.", "success")
    return redirect(_review_url(ctx))


@bp.post(REVIEW + "/finalise")
def finalise(cycle_id: str, employee_id: str):
    """HR finalises an acknowledged review."""
    ctx, _ = _context(cycle_id, employee_id)
    w = wiring()
    try:
        review_svc.finalise(w.uow(), ctx.principal, cycle_id, employee_id, expected_version(), w.clock)
    except Conflict as exc:  # includes StaleWrite
        flash(f"Not finalised: {exc.message}.", "error")
    else:
        flash("The review is finalised.", "success")
    return redirect(_review_url(ctx))


@bp.post(REVIEW + "/return")
def return_review(cycle_id: str, employee_id: str):
    """HR returns the review to an earlier state, with a reason."""
    ctx, view = _context(cycle_id, employee_id)
    raw = {"to_state": request.form.get("to_state", ""), "reason": request.form.get("reason", "")}
    data, errors = forms.load(ReturnSchema(), {k: v for k, v in raw.items() if v.strip()})
    if errors:
        return _render_review(
            ctx, view, errors=errors, values=raw, status=422, message="Not returned: choose a state and give a reason."
        )
    w = wiring()
    try:
        review_svc.return_review(
            w.uow(), ctx.principal, cycle_id, employee_id, data["to_state"], data["reason"], expected_version(), w.clock
        )
    except ValidationFailed as exc:
        return _render_review(
            ctx, view, errors=forms.flatten_errors(exc.errors), values=raw, status=422, message=exc.message
        )
    except Conflict as exc:
        flash(f"Not returned: {exc.message}.", "error")
        return redirect(_review_url(ctx))
    flash(f"The review is back at “{data['to_state'].replace('_', ' ')}”. The reason is in the audit trail.", "success")
    return redirect(_review_url(ctx))


@bp.get(REVIEW + "/audit")
def audit(cycle_id: str, employee_id: str):
    """HR: every change to the review (who, when, action, from → to) and whether the hash chain verifies."""
    principal = page_principal()
    uow = wiring().uow()
    records = review_svc.review_audit(uow, principal, cycle_id, employee_id)
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    problems = verify_chain(records, head=ctx.review.audit_head or None)
    records.sort(key=lambda r: r["version"], reverse=True)
    return render_template(
        "pages/audit.html",
        ctx=ctx,
        records=records,
        problems=problems,
        names=_names(uow, [r["actor"] for r in records]),
        review_url=_review_url(ctx),
    )


# --- a manager's team ------------------------------------------------------------------------------------


@bp.get("/cycles/<cycle_id>/team")
def team(cycle_id: str):
    """A manager's direct reports in a cycle: each one's state, next task, due date and whether it is late."""
    principal = page_principal()
    uow = wiring().uow()
    cycle = cycle_svc.get_cycle(uow, cycle_id)
    rows = review_svc.team_reviews(uow, principal, cycle_id)
    for row in rows:
        task = cycle.task_for(ReviewState(row["state"]))
        row["owner"] = task[1] if task else None
        row["task_title"] = TASK_TITLES.get(task[0]) if task else None
        row["due_info"] = due_info(row["due"])
    rows.sort(key=lambda r: (r["owner"] != "manager", r["employee_name"].casefold()))
    return render_template("pages/team.html", cycle=cycle, rows=rows)
