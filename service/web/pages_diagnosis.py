"""Pages of the organisation's diagnosis and improvement plan (issue 27, points 2 and 3): where problems sit in a
cycle (leadership and HR), the plan everyone reads, the form that adds an item from a finding or a report row, and
an item with its status steps and trail. Plain forms, POST-redirect-GET; a refused form comes back with its
messages."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service.domain import diagnosis as domain
from service.domain import improvement_plan as plan_domain
from service.domain.errors import NotFound
from service.domain.report_views import ReportView
from service.services import diagnosis as svc
from service.services import improvement_plan as plan_svc
from service.services import policy
from service.web import forms
from service.web.api_diagnosis import PlanItemInSchema, PlanStepSchema
from service.web.cycle_choice import report_cycle, status
from service.web.form_flow import OnRefusal, Respond, attempt, form_page
from service.web.page_helpers import page_principal
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_diagnosis", __name__)

LABELS = {
    "areas": domain.AREA_LABELS,
    "statuses": plan_domain.PLAN_STATUS_LABELS,
    "sources": plan_domain.PLAN_SOURCE_LABELS,
    "plan_actions": plan_domain.PLAN_ACTION_LABELS,
    "plan_steps": plan_domain.PLAN_STEP_LABELS,
}
FIELDS = {"title": "The action", "owner_id": "Who owns it", "due": "Due"}  # as the form's labels say


@bp.get("/reports/diagnosis")
def diagnosis():
    """Where problems sit in a cycle: obstacles by area, upward feedback by level, competency gaps by department,
    training needed against delivered, the trend, the reading in words and the plan reviewed at this cycle."""
    principal = page_principal()
    policy.require(policy.may_see_diagnosis(principal), "The diagnosis is for leadership and HR.")
    choice = report_cycle(ReportView.HOME)
    w = wiring()
    found = svc.diagnosis(w.uow(), principal, choice.cycle.cycle_id, w.clock.now()) if choice.cycle else None
    names = w.uow().directory.names([i.owner_id for i in found.plan.items]) if found else {}
    page = render_template(
        "pages/diagnosis.html", choice=choice, d=found, names=names, today=w.clock.now().date(), **LABELS
    )
    return page, status(choice)


@bp.get("/improvement-plan")
def plan():
    """The organisation's improvement plan: what is being done about the problems the reviews showed (everyone)."""
    w = wiring()
    view = plan_svc.plan(w.uow(), page_principal(), w.clock.now().date())
    return render_template("pages/improvement_plan.html", view=view, today=w.clock.now().date(), **LABELS)


def _raw(values: Any) -> dict[str, Any]:
    return {
        "source": values.get("source", "")[:40],
        "cycle_id": values.get("cycle", values.get("cycle_id", ""))[:200],
        "finding_key": values.get("finding", values.get("finding_key", ""))[:300],
        "title": values.get("title", ""),
        "owner_id": values.get("owner_id", ""),
        "due": values.get("due", ""),
    }


def _form(raw: dict[str, Any], errors: forms.Errors, message: str, code: int):
    principal = page_principal()
    w = wiring()
    uow = w.uow()
    try:
        source = plan_domain.PlanSource(raw["source"])
    except ValueError:
        raise NotFound("Open the form from a finding of the diagnosis or a row of a report.") from None
    text = plan_svc.finding_text(uow, principal, source, raw["cycle_id"], raw["finding_key"], w.clock.now())
    people = sorted((p for p in uow.directory.all() if p.active), key=lambda p: (p.name.casefold(), p.employee_id))
    return form_page(
        "pages/improvement_plan_form.html",
        errors,
        code,
        label=lambda name: FIELDS.get(name, name),
        raw=raw,
        finding=text,
        people=[(p.employee_id, f"{p.name}, {p.title}") for p in people],
        message=message,
        **LABELS,
    )


@bp.get("/improvement-plan/new")
def new():
    """The form that adds an action to the plan, from the finding or report row the link names."""
    policy.require(
        policy.may_manage_improvement_plan(page_principal()), "Leadership and HR add to the improvement plan."
    )
    return _form(_raw(request.args), {}, "", 200)


@bp.post("/improvement-plan/new")
def create():
    """Add the action to the plan; the form comes back with its messages when something is missing."""
    raw = _raw(request.form)
    data, errors = forms.load(PlanItemInSchema(), raw)
    if errors:
        raise Respond(_form(raw, errors, "The item cannot be added yet.", 422))
    w = wiring()
    refusal = OnRefusal(form=lambda e, m, s: _form(raw, e, m, s))
    item = attempt(lambda: plan_svc.create_item(w.uow(), page_principal(), data, w.clock), refusal)
    flash("The action is in the organisation's improvement plan.", "success")
    return redirect(url_for("pages_diagnosis.item", item_id=item.item_id))


@bp.get("/improvement-plan/<item_id>")
def item(item_id: str):
    """One action of the plan: where it came from, who owns it, by when, how it stands; its steps and trail."""
    principal = page_principal()
    w = wiring()
    uow = w.uow()
    found = plan_svc.get_item(uow, principal, item_id)
    may_move = policy.may_update_plan_item(principal, found.owner_id)
    trail = plan_svc.item_trail(uow, principal, item_id) if may_move else []
    names = uow.directory.names([found.owner_id, found.created_by, *(r["actor"] for r in trail)])
    return render_template(
        "pages/improvement_plan_item.html",
        i=found,
        names=names,
        trail=trail,
        steps=plan_domain.actions_from(found.status) if may_move else [],
        today=w.clock.now().date(),
        **LABELS,
    )


@bp.post("/improvement-plan/<item_id>/status")
def step(item_id: str):
    """Start, complete, drop or reopen the action, with a note on its progress."""
    back = url_for("pages_diagnosis.item", item_id=item_id)
    data, errors = forms.load(
        PlanStepSchema(), {"action": request.form.get("action", ""), "note": request.form.get("note", "")}
    )
    if errors:
        flash("Not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in errors.items()), "error")
        return redirect(back)
    w = wiring()
    version = form_version(request.form.get("version"))
    action = plan_domain.PlanAction(data["action"])
    attempt(
        lambda: plan_svc.update_item(w.uow(), page_principal(), item_id, action, data["note"], version, w.clock),
        OnRefusal(back=back),
    )
    flash(f"{plan_domain.PLAN_ACTION_LABELS[action]}.", "success")
    return redirect(back)
