"""Decision pages (issue 27): the list (HR's flagged ones first), the form that weighs a decision against the record
before it can be saved, a decision with its evidence (approve, communicate), and leadership's counts. Plain forms,
POST-redirect-GET; a refused form comes back with its messages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service.domain import decisions as domain
from service.domain.directory import Employee, Role
from service.services import decisions as svc
from service.services import policy
from service.services.auth import Principal
from service.web import forms
from service.web.api_decisions import DecisionInSchema, WeighInSchema
from service.web.form_flow import OnRefusal, Respond, attempt, form_page
from service.web.page_helpers import page_principal
from service.web.wiring import wiring

bp = Blueprint("pages_decisions", __name__)

LABELS = {
    "kinds": domain.DECISION_KIND_LABELS,
    "pays": domain.PAY_DIRECTION_LABELS,
    "states": domain.DECISION_STATE_LABELS,
    "flag_labels": domain.FLAG_LABELS,
    "trends": domain.TREND_LABELS,
    "actions": domain.DECISION_ACTION_LABELS,
}


@bp.get("/decisions")
def index():
    """The decisions a person may see: awaiting a second HR approval (flagged), recorded, and those about them."""
    principal = page_principal()
    lists = svc.list_decisions(wiring().uow(), principal)
    may_record = policy.may_record_decisions(principal)
    return render_template("pages/decisions.html", lists=lists, may_record=may_record, **LABELS)


@dataclass(frozen=True)
class Candidates:
    """The people the form offers (those the person may decide about), the departments to narrow them by, and the
    department chosen ("" for every one)."""

    people: list[Employee]
    departments: list[str]
    department: str


def _candidates(principal: Principal, department: str) -> Candidates:
    """Whom the form offers: everyone the person may decide about, narrowed to a department for HR in a large
    organisation."""
    uow = wiring().uow()
    everyone = [p for p in uow.directory.all() if p.active and policy.may_decide_about(principal, p)]
    departments = sorted({p.department for p in everyone})
    if principal.has(Role.HR) and len(everyone) > 60:
        everyone = [p for p in everyone if p.department == department] if department else []
    return Candidates(sorted(everyone, key=lambda p: (p.department, p.name)), departments, department)


def _raw() -> dict[str, Any]:
    form = request.form
    return {
        "kind": form.get("kind", ""),
        "pay_direction": form.get("pay_direction") or None,
        "people": form.getlist("people")[: domain.MAX_PEOPLE + 1],
        "summary": form.get("summary", ""),
        "justification": form.get("justification", ""),
        "evidence_hash": form.get("evidence_hash", "")[:64] or None,
    }


def _form(raw: dict[str, Any], weighing: svc.Weighing | None, errors: forms.Errors, message: str, status: int):
    offered = _candidates(page_principal(), request.values.get("department", "")[:100])
    return form_page(
        "pages/decision_form.html",
        errors,
        status,
        raw=raw,
        weighing=weighing,
        message=message,
        offered=offered,
        **LABELS,
    )


@bp.get("/decisions/new")
def new():
    """The decision form: a kind and the people affected; "Show the evidence" weighs it before it can be saved."""
    policy.require(policy.may_record_decisions(page_principal()), "only HR and managers record decisions")
    raw = {"kind": "", "pay_direction": None, "people": [], "summary": "", "justification": ""}
    return _form(raw, None, {}, "", 200)


def _weigh(raw: dict[str, Any]) -> svc.Weighing:
    data, errors = forms.load(WeighInSchema(), {k: raw[k] for k in ("kind", "pay_direction", "people")})
    if errors:
        raise Respond(_form(raw, None, errors, "The decision cannot be weighed yet.", 422))
    kind = domain.DecisionKind(data["kind"])
    pay = domain.PayDirection(data["pay_direction"]) if data["pay_direction"] else None
    refusal = OnRefusal(form=lambda e, m, s: _form(raw, None, e, m, s))
    return attempt(lambda: svc.weigh(wiring().uow(), page_principal(), kind, pay, data["people"]), refusal)


@bp.post("/decisions/new")
def weigh_or_save():
    """Weigh the decision (the evidence per person, the flags, the group's aggregate), or, once weighed, save it."""
    raw = _raw()
    weighing = _weigh(raw)
    if request.form.get("step") != "save":
        return _form(raw, weighing, {}, "", 200)
    data, errors = forms.load(DecisionInSchema(), raw)
    refusal = OnRefusal(form=lambda e, m, s: _form(raw, weighing, e, m, s))
    if errors:
        raise Respond(_form(raw, weighing, errors, "The decision cannot be saved yet.", 422))
    w = wiring()
    decision = attempt(lambda: svc.record_decision(w.uow(), page_principal(), data, w.clock), refusal)
    if decision.state is domain.DecisionState.AWAITING_APPROVAL:
        flash("The decision is saved. It goes against the record: a second person with the HR role approves it.")
    else:
        flash("The decision is saved.", "success")
    return redirect(url_for("pages_decisions.show", decision_id=decision.decision_id))


@bp.get("/decisions/<decision_id>")
def show(decision_id: str):
    """One decision with the evidence kept with it; approve or communicate it."""
    principal = page_principal()
    uow = wiring().uow()
    decision = svc.get_decision(uow, principal, decision_id)
    problems, trail = None, []
    waiting = decision.state is domain.DecisionState.AWAITING_APPROVAL
    concerned = principal.employee_id in decision.people
    if principal.has(Role.HR) and not concerned:
        trail, problems = svc.decision_trail(uow, principal, decision_id)
    return render_template(
        "pages/decision.html",
        d=decision,
        names=uow.directory.names([decision.recorded_by, decision.approved_by or "", *(r["actor"] for r in trail)]),
        trail=trail,
        may_approve=waiting and policy.may_approve_decision(principal, decision.recorded_by),
        may_communicate=decision.state is domain.DecisionState.RECORDED and not concerned,
        problems=problems,
        **LABELS,
    )


def _step(decision_id: str, call, done: str):
    w = wiring()
    back = url_for("pages_decisions.show", decision_id=decision_id)
    attempt(lambda: call(w.uow(), page_principal(), decision_id, w.clock), OnRefusal(back=back, prefix="Not done"))
    flash(done, "success")
    return redirect(back)


@bp.post("/decisions/<decision_id>/approve")
def approve(decision_id: str):
    """A second HR person approves a flagged decision."""
    return _step(decision_id, svc.approve, "The decision is approved; it can now be communicated.")


@bp.post("/decisions/<decision_id>/communicate")
def communicate(decision_id: str):
    """Mark the decision communicated: the people concerned can now read it and their evidence."""
    return _step(decision_id, svc.communicate, "The decision is communicated.")


@bp.get("/reports/decisions")
def counts():
    """Leadership's counts of people affected by decisions, per quarter, kind and department, small groups withheld."""
    w = wiring()
    data = svc.decision_counts(w.uow(), page_principal(), w.clock.now())
    return render_template("pages/decision_counts.html", data=data, **LABELS)
