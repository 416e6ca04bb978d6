"""Pages of one review: read it, the three forms (self, manager, discussion), acknowledge, HR's finalise and
return, the audit trail; and a manager's team overview.

The forms post to themselves. `Save draft` stores without changing state; `Submit…` stores the draft, checks
it is complete and asks for confirmation on a page of its own (no script needed); the page script autosaves
by posting the same form with `X-Autosave: 1` and gets JSON back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from flask import Blueprint, flash, jsonify, redirect, render_template, request, url_for

from service.adapters.clock import iso
from service.domain import review_forms
from service.domain.changes import flatten
from service.domain.cycles import CycleState, Phase
from service.domain.errors import Conflict, PermissionDenied
from service.domain.learning import ActivityType
from service.domain.reviews import (
    Agreement,
    ItemStatus,
    NeedFormat,
    ObstacleCategory,
    Priority,
    ReviewState,
)
from service.domain.templates import Template, template_from_dict
from service.domain.training import SuggestionAnswer
from service.services import cycles as cycle_svc
from service.services import directory as directory_svc
from service.services import feedback as feedback_svc
from service.services import review_goals
from service.services import reviews as review_svc
from service.services import tasks as task_svc
from service.services import training as training_svc
from service.services.reviews import ReviewContext, ReviewView, review_view
from service.views import labels
from service.web import forms
from service.web.errors import json_error
from service.web.form_flow import OnRefusal, attempt, form_page, invalid
from service.web.page_helpers import due_info, form_sent, page_principal, today
from service.web.pages import peers_to_approve
from service.web.review_parts import PARTS, Part
from service.web.schemas_reviews import AcknowledgeSchema, ReturnSchema, SuggestedNeedSchema
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_reviews", __name__)
FEEDBACK_KINDS = {"peer": "Peer feedback", "upward": "Upward feedback (from the manager's reports)"}


REVIEW = "/cycles/<cycle_id>/reviews/<employee_id>"
S = ReviewState


# Every set of options the review forms offer, from the domain's enums (the schemas validate the same enums).
CHOICES = {
    "priority": labels.options(Priority),
    "format": labels.options(NeedFormat),
    "kind": labels.options(ActivityType),
    "status": labels.options(ItemStatus),
    "category": labels.options(ObstacleCategory),
    # Radios that read as sentences: the words are per code, the codes the enum's (a new code fails at import).
    "suggestion": [
        (a.value, {"confirmed": "Add as a training need", "dismissed": "Dismiss"}[a.value]) for a in SuggestionAnswer
    ],
    "agreement": [
        (a.value, {"agree": "I agree with the review", "disagree": "I do not agree with the review"}[a.value])
        for a in Agreement
    ],
}


PART_PHASE = {"self": Phase.SELF_ASSESSMENT, "manager": Phase.MANAGER_ASSESSMENT, "discussion": Phase.DISCUSSION}


def _context(cycle_id: str, employee_id: str, context: bool = True) -> tuple[ReviewContext, dict[str, Any]]:
    ctx = ReviewContext(wiring().uow(), page_principal(), cycle_id, employee_id)
    # goals with their pace, as the goal pages
    return ctx, review_view(ctx, context=context, on=today(), zone=wiring().clock.zone)


def _template(view: ReviewView) -> Template:
    if not view.template:
        raise Conflict("the cycle has not been launched")
    return template_from_dict(view.template)


def _review_url(ctx: ReviewContext) -> str:
    return url_for("pages_reviews.review", cycle_id=ctx.cycle.cycle_id, employee_id=ctx.review.employee_id)


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
    for k, name in directory_svc.people_names(uow, missing).items():
        seen[k] = name
    for i in missing:
        seen.setdefault(i, i)
    return list(seen.items())


def _initial(part: Part, view: ReviewView) -> dict[str, Any]:
    """What a form shows when nothing is saved yet: the manager starts from the employee's goals."""
    if part.key == "manager" and view.self_assessment:
        goals = view.self_assessment.get("goal_results") or []
        return {"goal_ratings": [{"goal_id": g.get("goal_id"), "title": g.get("title", "")} for g in goals]}
    return {}


def _render_form(
    part: Part,
    ctx: ReviewContext,
    view: ReviewView,
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
    suggested = training_svc.suggestions(template, values) if part.key == "manager" else []
    label = labels.Labeller(
        template, extra={f"need_suggestions.{s.competency_id}": f"Suggested need: {s.name}" for s in suggested}
    )
    task = ctx.cycle.task_for(ctx.review.state)
    phase = PART_PHASE[part.key]
    can_submit = review_svc.part_status(ctx, part.key).can_submit
    # Completion counts what is saved (the draft), not what was typed and refused.
    sections = _sections(part, template, getattr(view, part.section), suggested)
    flagged = set(errors or {}) | set((stale or {}).get("fields") or {})
    opened = {
        s.key: not s.done or any(f == k or f.startswith(k + ".") for f in flagged for k in s.fields) for s in sections
    }
    if any(s.undecided for s in suggested):
        opened["training"] = True  # a decision waits there (the home page's task links to it)
    owners = _owner_choices(ctx, values) if part.key != "self" else []
    # Issue 9: the person's goals (key results, progress, alignment chain); the manager rates each of them.
    goals = (
        review_goals.review_goals(ctx.uow, ctx.review.employee_id, ctx.cycle.cycle_id, today(), wiring().clock.zone)
        if part.key != "discussion"
        else []
    )
    if goals and part.key in ("self", "manager"):  # a row per goal of the person, what was saved for it kept
        rows = "goal_results" if part.key == "self" else "goal_ratings"
        values = {**values, rows: review_goals.goal_rows(goals, values.get(rows))}
    if part.key == "discussion" and not values.get("date") and status == 200 and not errors:
        values = {**values, "date": today().isoformat()}  # the discussion is usually recorded the day it is held
    return form_page(
        part.page,
        errors,
        status,
        label,
        part=part,
        view=view,
        ctx=ctx,
        template=template,
        values=values,
        version=version,
        base=base,
        message=message,
        stale=stale,
        due=due_info(ctx.cycle.phases.get(phase)),
        task=task,
        choices=CHOICES,
        can_submit=can_submit,
        owners=owners,
        names=dict(owners),
        review_url=_review_url(ctx),
        form_url=url_for(part.endpoint(), cycle_id=ctx.cycle.cycle_id, employee_id=ctx.review.employee_id),
        sections={s.key: s for s in sections},
        section_list=sections,
        sections_done=review_forms.progress_of(sections),
        deciding=_deciding(suggested),
        opened=opened,
        points=review_svc.talking_points(template, view) if part.key == "discussion" else None,
        person_goals=goals,
        goal_by_id={g.goal_id: g for g in goals},
        goal_rule=review_goals.GOAL_RULE,
        suggestions=suggested,
    )


def _sections(
    part: Part, template: Template, content: dict[str, Any] | None, suggested: list[Any]
) -> list[review_forms.FormSection]:
    """The form's sections and whether the saved draft completes each; while a suggested training need waits for
    the manager's decision, the training needs section is to do, not optional (submit refuses it until then)."""
    return review_forms.section_progress(template, part.key, content, today(), deciding=bool(_deciding(suggested)))


def _deciding(suggested: list[Any]) -> dict[str, int]:
    """Section key → how many decisions wait there (suggested training needs neither confirmed nor dismissed)."""
    undecided = sum(1 for s in suggested if s.undecided)
    return {"training": undecided} if undecided else {}


def _undecided(part: Part, template: Template, content: dict[str, Any]) -> forms.Errors:
    """Suggested training needs a manager assessment cannot be submitted without deciding: field → message."""
    if part.key != "manager":
        return {}
    return {
        f"need_suggestions.{s.competency_id}": [training_svc.UNDECIDED]
        for s in training_svc.suggestions(template, content)
        if s.undecided
    }


def _autosaved(part: Part, template: Template, saved_content: dict[str, Any] | None, at: str, version: int):
    """An autosave's answer: the new version and base; for the manager assessment also the training needs its
    low ratings suggest, as data and as the form's block drawn again (the page swaps it in, so a suggestion
    appears as the manager rates)."""
    answer: dict[str, Any] = {"version": version, "saved_at": at, "base": forms.base_json(saved_content)}
    if part.key == "manager":
        suggested = training_svc.suggestions(template, saved_content)
        answer["suggestions"] = SuggestedNeedSchema(many=True).dump(suggested)
        answer["suggestions_html"] = render_template(
            "pages/_training_suggestions.html", suggestions=suggested, choices=CHOICES, errors={}, stale=None
        )
        sections = _sections(part, template, saved_content, suggested)
        answer["index_html"] = render_template(
            "pages/_section_index.html",
            section_list=sections,
            sections_done=review_forms.progress_of(sections),
            deciding=_deciding(suggested),
        )
    return jsonify(answer)


def _json_error(code: str, status: int, message: str, errors: forms.Errors | None = None, **extra: Any):
    """An autosave's refusal: the API's one error shape, plus the summary the page script shows."""
    label = extra.pop("label", None) or labels.Labeller()
    return json_error(code, status, message, errors, summary=forms.summary(errors or {}, label), **extra)


def _stale(
    part: Part, cycle_id: str, employee_id: str, raw: dict[str, Any], submitted: dict[str, Any] | None, autosave: bool
):
    """Someone else saved first: keep what was typed, say which fields changed since the form was opened."""
    ctx, view = _context(cycle_id, employee_id, context=False)
    template = _template(view)
    label = labels.Labeller(template)
    stored = getattr(view, part.section) or {}
    started_from = forms.parse_base(request.form.get("_base"))
    changed = forms.changed_fields(started_from if started_from is not None else (submitted or raw), stored)
    flat = flatten(stored)
    items = [{"field": k, "id": forms.field_id(k), "label": label(k), "stored": flat.get(k)} for k in changed]
    message = (
        f"Someone else saved this review while you were editing (it is now version {ctx.review.version}). "
        "What you typed is still here and has not been saved."
    )
    if autosave:
        return _json_error(
            "stale_write", 412, message, label=label, changed=[i["label"] for i in items], version=ctx.review.version
        )
    blocked = review_svc.part_status(ctx, part.key).blocked
    if blocked:
        message += " " + blocked
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


def _on_refusal(
    part: Part,
    ctx: ReviewContext,
    view: ReviewView,
    raw: dict[str, Any],
    autosave: bool,
    content: dict[str, Any] | None = None,
) -> OnRefusal:
    """How this form answers refusals: JSON for the autosave script, the form again for people."""
    cycle_id, employee_id = ctx.cycle.cycle_id, ctx.review.employee_id
    label = labels.Labeller(_template(view))

    def again(errors: forms.Errors, message: str, status: int):
        if autosave:
            code = "validation_failed" if status == 422 else "conflict"
            return _json_error(code, status, message, errors, label=label)
        own = status != 422 or message.startswith("The draft was not saved")
        text = message if own else f"The draft was not saved. {message}"
        version, base = request.form.get("version", ""), request.form.get("_base", "")
        return _render_form(
            part, ctx, view, raw, version=version, base=base, errors=errors, message=text, status=status
        )

    return OnRefusal(
        back=_review_url(ctx),
        form=again,
        stale=lambda _exc: _stale(part, cycle_id, employee_id, raw, content, autosave),
        prefix="Not saved",
        worded=not autosave,
    )


def _form(part: Part, cycle_id: str, employee_id: str):
    # The forms show the review itself, not the goals and carried actions around it: no reads of those.
    ctx, view = _context(cycle_id, employee_id, context=False)
    status = review_svc.part_status(ctx, part.key)
    if not status.may_write:
        raise PermissionDenied(f"only the {'employee' if part.key == 'self' else 'manager or HR'} writes this")
    autosave = request.headers.get("X-Autosave") == "1"
    stored = getattr(view, part.section) or {}
    if not form_sent():
        if status.blocked:
            flash(status.blocked, "info")
            return redirect(_review_url(ctx))
        values = stored or _initial(part, view)
        return _render_form(part, ctx, view, values, version=ctx.review.version, base=forms.base_json(stored))
    if status.blocked and autosave:
        return _json_error("conflict", 409, status.blocked)
    action = request.form.get("action", "save")
    if action == "confirm" and not autosave:
        return _confirm(part, ctx, view, stored)
    template = _template(view)
    raw = part.raw(request.form, template)
    content, errors = forms.load(part.schema(), raw)
    invalid(errors, "The draft was not saved: some fields need attention.", _on_refusal(part, ctx, view, raw, autosave))
    on = _on_refusal(part, ctx, view, raw, autosave, content)
    w = wiring()
    saved = attempt(
        lambda: part.save(w.uow(), ctx.principal, cycle_id, employee_id, content, expected_version(), False, w.clock),
        on,
    )
    at = iso(w.clock.now())
    if autosave:
        return _autosaved(part, template, getattr(saved, part.section), at, saved.version)
    if action == "submit":
        ctx, view = _context(cycle_id, employee_id, context=False)
        missing = forms.flatten_errors(review_svc.submission_gaps(ctx, part.key, content, today()))
        undecided = _undecided(part, template, content)
        if missing or undecided:
            return _render_form(
                part,
                ctx,
                view,
                content,
                version=saved.version,
                base=forms.base_json(content),
                errors=missing | undecided,
                status=422,
                message="Your draft is saved. Before you can submit, "
                + ("complete the fields below." if missing else "confirm or dismiss each suggested training need."),
            )
        return render_template(
            "pages/review_confirm.html",
            part=part,
            ctx=ctx,
            view=view,
            template=template,
            version=saved.version,
            # The page shows the preview as it shows a stored score (its JSON-friendly form).
            score=review_svc.score_preview(ctx, content, wiring().clock.now()).as_dict()
            if part.key == "manager"
            else None,
            due=_next_due(ctx, part),
            review_url=_review_url(ctx),
            saved_at=at,
            form_url=url_for(part.endpoint(), cycle_id=cycle_id, employee_id=employee_id),
            manager_name=directory_svc.people_names(w.uow(), [ctx.current_manager or ""]).get(
                ctx.current_manager or ""
            ),
        )
    flash(f"Draft saved at {labels.clock(at)} UTC.", "success")
    return redirect(url_for(part.endpoint(), cycle_id=cycle_id, employee_id=employee_id))


def _next_due(ctx: ReviewContext, part: Part) -> dict[str, Any] | None:
    after = {"self": Phase.MANAGER_ASSESSMENT, "manager": Phase.DISCUSSION, "discussion": Phase.DISCUSSION}
    return due_info(ctx.cycle.phases.get(after[part.key]))


def _confirm(part: Part, ctx: ReviewContext, view: ReviewView, stored: dict[str, Any]):
    """The confirmation step: submit the draft exactly as it was stored and shown."""
    w = wiring()
    changed = "The review changed after you asked to submit. Check it below and submit again."
    form_url = url_for(part.endpoint(), cycle_id=ctx.cycle.cycle_id, employee_id=ctx.review.employee_id)
    version = expected_version()
    if version != ctx.review.version:  # what was confirmed is that version, not whatever is stored now
        flash(changed, "error")
        return redirect(form_url)

    def again(errors: forms.Errors, message: str, status: int):
        if status != 422:
            flash(f"Not submitted: {message.removeprefix('Not submitted: ')}", "error")
            return redirect(_review_url(ctx))
        base = forms.base_json(stored)
        return _render_form(
            part, ctx, view, stored, version=ctx.review.version, base=base, errors=errors, message=message, status=422
        )

    def stale(_exc: Exception):
        flash(changed, "error")
        return redirect(form_url)

    on = OnRefusal(back=_review_url(ctx), form=again, stale=stale, prefix="Not submitted")
    undecided = _undecided(part, _template(view), stored)
    if undecided:  # a confirmation posted without the submit step before it: the decision is still asked for
        message = "Not submitted: confirm or dismiss each suggested training need first."
        return again(undecided, message, 422)
    attempt(
        lambda: part.save(
            w.uow(), ctx.principal, ctx.cycle.cycle_id, ctx.review.employee_id, stored, version, True, w.clock
        ),
        on,
    )
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
    view: ReviewView,
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
    owned = ((view.manager_assessment or {}).get("obstacles") or []) + (
        (view.discussion or {}).get("agreed_actions") or []
    )
    people = [ctx.review.employee_id, ctx.current_manager or "", *(o.get("owner_id") or "" for o in owned)]
    people += [a.owner_id for a in view.carried_actions or []]
    label = labels.Labeller(template)
    can = review_svc.available_actions(ctx)
    names = directory_svc.people_names(ctx.uow, people)
    # Served from the batch just read (and the prefetch): titles cost no further request.
    employee = directory_svc.get_person(ctx.uow, ctx.review.employee_id)
    manager = directory_svc.get_person(ctx.uow, ctx.current_manager) if ctx.current_manager in names else None
    # What waits for the manager's decision about this person (the manager's tasks list the same).
    cycle_id, deciding = ctx.cycle.cycle_id, ctx.is_manager
    pending = task_svc.nominations_to_decide(
        ctx.uow, ctx.principal, ctx.cycle, [employee] if deciding else [], wiring().clock.now()
    )
    undecided = (
        len(training_svc.suggestions_to_decide(ctx.uow, ctx.principal, ctx.cycle, employee.employee_id))
        if deciding
        else 0
    )
    return form_page(
        "pages/review.html",
        errors,
        status,
        label,
        employee=employee,
        manager=manager,
        ctx=ctx,
        view=view,
        template=template,
        state=state.value,
        active=active,
        task=task,
        task_title=labels.task_title(task[0], _owns(ctx, task[1])) if task else None,
        due=due_info(task[2]) if task else None,
        names=names,
        values=values or {},
        message=message,
        states=ctx.cycle.states(),
        choices=CHOICES,
        can_self=can.self,
        can_manager=can.manager,
        can_discussion=can.discussion,
        can_acknowledge=can.acknowledge,
        can_withdraw=can.withdraw,
        can_finalise=can.finalise,
        return_targets=can.return_targets,
        # Issue 9: the peer and upward groups (counts below the threshold; nothing names a reviewer).
        feedback_groups=feedback_svc.feedback_groups_for(
            ctx.uow, ctx.principal, ctx.cycle.cycle_id, ctx.review.employee_id, wiring().clock.now()
        ),
        feedback_kinds=FEEDBACK_KINDS,
        decisions=_decisions(pending.get(employee.employee_id), undecided, cycle_id, employee.employee_id),
    )


def _owns(ctx: ReviewContext, owner: str) -> bool:
    """Is the reader the one a task waits for (they read it in their voice; the others read what they wait for)."""
    return {"employee": ctx.is_employee, "manager": ctx.is_manager, "hr": ctx.is_hr}.get(owner, False)


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

    def again(errors: forms.Errors, message: str, status: int):
        return _render_review(ctx, view, errors=errors, values=raw, status=status, message=message)

    def stale(_exc: Exception):
        fresh, fresh_view = _context(cycle_id, employee_id)
        message = "The review changed while you were reading it. Read it again below; your response is kept."
        return _render_review(fresh, fresh_view, values=raw, status=409, message=message)

    on = OnRefusal(back=_review_url(ctx), form=again, stale=stale, prefix="Not acknowledged")
    data, errors = forms.load(AcknowledgeSchema(), raw)
    invalid(errors, "Not acknowledged yet: say whether you agree.", on)
    w = wiring()
    agreement, response = data["agreement"], data["response"]
    attempt(
        lambda: review_svc.acknowledge(
            w.uow(), ctx.principal, cycle_id, employee_id, agreement, response, expected_version(), w.clock
        ),
        OnRefusal(back=_review_url(ctx), stale=stale, prefix="Not acknowledged"),
    )
    flash("You acknowledged the review. Your response is kept with it; HR finalises it next.", "success")
    return redirect(_review_url(ctx))


WITHDRAWN = {
    "self": "Your self assessment is a draft again: edit it and submit it when it is ready.",
    "manager": "Your manager assessment is a draft again (unscored): edit it and submit it when it is ready.",
}


@bp.post(REVIEW + "/self/withdraw", defaults={"part": "self"})
@bp.post(REVIEW + "/manager/withdraw", defaults={"part": "manager"})
def withdraw(cycle_id: str, employee_id: str, part: str):
    """The author takes a submitted form back to edit it (until the next step has started), then edits it."""
    ctx, _ = _context(cycle_id, employee_id)
    w = wiring()
    attempt(
        lambda: review_svc.withdraw_submission(
            w.uow(), ctx.principal, cycle_id, employee_id, expected_version(), w.clock, part=part
        ),
        OnRefusal(back=_review_url(ctx), prefix="Not withdrawn"),
    )
    flash(WITHDRAWN[part], "success")
    return redirect(url_for(f"pages_reviews.{part}_form", cycle_id=cycle_id, employee_id=employee_id))


@bp.post(REVIEW + "/finalise")
def finalise(cycle_id: str, employee_id: str):
    """HR finalises an acknowledged review."""
    ctx, _ = _context(cycle_id, employee_id)
    w = wiring()
    attempt(
        lambda: review_svc.finalise(w.uow(), ctx.principal, cycle_id, employee_id, expected_version(), w.clock),
        OnRefusal(back=_review_url(ctx), prefix="Not finalised"),
    )
    flash("The review is finalised.", "success")
    return redirect(_review_url(ctx))


@bp.post(REVIEW + "/return")
def return_review(cycle_id: str, employee_id: str):
    """HR returns the review to an earlier state, with a reason."""
    ctx, view = _context(cycle_id, employee_id)
    raw = {"to_state": request.form.get("to_state", ""), "reason": request.form.get("reason", "")}

    def again(errors: forms.Errors, message: str, status: int):
        return _render_review(ctx, view, errors=errors, values=raw, status=status, message=message)

    data, errors = forms.load(ReturnSchema(), {k: v for k, v in raw.items() if v.strip()})
    invalid(errors, "Not returned: choose a state and give a reason.", OnRefusal(form=again))
    w = wiring()
    target, reason = data["to_state"], data["reason"]
    attempt(
        lambda: review_svc.return_review(
            w.uow(), ctx.principal, cycle_id, employee_id, target, reason, expected_version(), w.clock
        ),
        OnRefusal(
            back=_review_url(ctx), form=_only_invalid(again, _review_url(ctx), "Not returned"), prefix="Not returned"
        ),
    )
    flash(f"The review is back at “{labels.word(target)}”. The reason is in the audit trail.", "success")
    return redirect(_review_url(ctx))


def _only_invalid(again: Callable[[forms.Errors, str, int], Any], back: str, prefix: str):
    """Invalid content comes back on the page; any other refusal is a message on `back`."""

    def answer(errors: forms.Errors, message: str, status: int):
        if status == 422:
            return again(errors, message, status)
        flash(message if message.startswith(prefix) else f"{prefix}: {message}", "error")
        return redirect(back)

    return answer


@bp.get(REVIEW + "/audit")
def audit(cycle_id: str, employee_id: str):
    """HR: every change to the review (who, when, action, from → to) and whether the hash chain verifies."""
    principal = page_principal()
    uow = wiring().uow()
    records, problems = review_svc.review_audit_checked(uow, principal, cycle_id, employee_id)
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    # Names of whoever acted and whoever a change names (owners of actions, HR finalising or returning).
    people = {r["actor"] for r in records} | {r["on_behalf_of"] for r in records if r.get("on_behalf_of")}
    for r in records:
        for c in r.get("changes") or []:
            for v in (c.get("from"), c.get("to")):
                people |= _ids_in(c.get("field") or "", v)
    template = template_from_dict(ctx.cycle.template_snapshot) if ctx.cycle.template_snapshot else None
    story = labels.audit_story(records, template, directory_svc.people_names(uow, sorted(people)))
    return render_template("pages/audit.html", ctx=ctx, story=story, problems=problems, review_url=_review_url(ctx))


def _ids_in(field: str, value: Any) -> set[str]:
    """Person ids a changed value holds (an owner, who finalised), so the story can name them."""
    if isinstance(value, str) and field.rsplit(".", 1)[-1] in ("owner_id", "by", "finalised_by", "manager_id"):
        return {value}
    if isinstance(value, list):
        return {i["owner_id"] for i in value if isinstance(i, dict) and isinstance(i.get("owner_id"), str)}
    return set()


def _decisions(
    pending: task_svc.NominationsToDecide | None, undecided: int, cycle_id: str, employee_id: str
) -> list[dict[str, Any]]:
    """What waits for the reader's decision about one person: nominated peer reviewers to approve and
    suggested training needs to confirm or dismiss, each with the page that decides it."""
    found = []
    if pending is not None:
        found.append(
            {
                "text": peers_to_approve(pending.count),
                "url": url_for("pages_feedback.nominations", cycle_id=cycle_id, employee_id=employee_id),
                "due": due_info(pending.due),
            }
        )
    if undecided:
        found.append(
            {
                "text": f"{undecided} suggested training need{'s' if undecided != 1 else ''} to confirm or dismiss",
                "url": url_for("pages_reviews.manager_form", cycle_id=cycle_id, employee_id=employee_id)
                + "#s-training",
                "due": None,
            }
        )
    return found


# --- a manager's team ------------------------------------------------------------------------------------


@bp.get("/cycles/<cycle_id>/team")
def team(cycle_id: str):
    """A manager's direct reports in a cycle: each one's state, next task, due date and whether it is late."""
    principal = page_principal()
    uow = wiring().uow()
    cycle = cycle_svc.get_cycle(uow, cycle_id)
    rows = []
    task_svc.read_nominations_along(uow, cycle, directory_svc.direct_reports(uow, principal.employee_id))
    reviews = review_svc.team_reviews(uow, principal, cycle_id)
    in_cycle = {r.employee_id for r in reviews}
    reports = [p for p in directory_svc.direct_reports(uow, principal.employee_id) if p.employee_id in in_cycle]
    pending = task_svc.nominations_to_decide(uow, principal, cycle, reports, wiring().clock.now())
    for r in reviews:
        task = cycle.task_for(ReviewState(r.state))
        undecided = len(training_svc.suggestions_to_decide(uow, principal, cycle, r.employee_id))
        row = asdict(r) | {
            "owner": task[1] if task else None,
            "due_info": due_info(r.due),
            "decisions": _decisions(pending.get(r.employee_id), undecided, cycle_id, r.employee_id),
        }
        # In the manager's voice: their own tasks to do, the others' tasks as what they wait for.
        row["task_title"] = labels.task_title(task[0], task[1] == "manager") if task else None
        rows.append(row)
    rows.sort(key=lambda r: (r["owner"] != "manager" and not r["decisions"], r["employee_name"].casefold()))
    return render_template("pages/team.html", cycle=cycle, rows=rows)
