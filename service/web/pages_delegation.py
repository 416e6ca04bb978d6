"""Acting managers' page (issue 28, point 3): the arrangements for my team, those naming me, HR's list, the form that
names one (plain POST, redirect back; the form comes back with its messages) and the revoke buttons."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for

from service.domain.delegation import STATUS_LABELS
from service.domain.directory import Role
from service.services import delegation as svc
from service.services import directory as directory_svc
from service.services import reviews as review_svc
from service.web import forms
from service.web.api_delegation import DelegationInSchema
from service.web.api_feedback import mailer
from service.web.form_flow import OnRefusal, Respond, attempt, form_page
from service.web.page_helpers import page_principal, today
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_delegation", __name__)
FIELDS = ("manager_id", "acting_id", "starts", "ends")


def _page(values: dict[str, Any], errors: forms.Errors, message: str, status: int):
    principal, w = page_principal(), wiring()
    uow = w.uow()
    people = directory_svc.people_for_signin(uow)
    managers = [p for p in people if p.is_manager] if principal.has(Role.HR) else []
    return form_page(
        "pages/delegations.html",
        errors,
        status,
        lists=svc.list_delegations(uow, principal, today()),
        labels=STATUS_LABELS,
        values=values,
        message=message,
        people=[
            (p.employee_id, f"{p.name} · {p.department}") for p in people if p.employee_id != principal.employee_id
        ],
        managers=[(p.employee_id, f"{p.name} · {p.department}") for p in managers],
        hr=principal.has(Role.HR),
        may_name=principal.has(Role.HR) or principal.has(Role.MANAGER),
    )


@bp.get("/delegations")
def index():
    """Acting managers: mine, those naming me, and the form to name one."""
    return _page({}, {}, "", 200)


@bp.post("/delegations")
def name():
    """Name an acting manager, then show the list with it."""
    raw = {k: request.form.get(k, "").strip()[:100] for k in FIELDS}
    data, errors = forms.load(DelegationInSchema(), {k: v for k, v in raw.items() if v})
    errors.update({k: ["required"] for k in ("acting_id", "starts", "ends") if not raw[k]})
    if errors:
        raise Respond(_page(raw, errors, "The acting manager cannot be named.", 422))
    w = wiring()
    refusal = OnRefusal(form=lambda e, m, s: _page(raw, e, m, s), prefix="Not named")
    d = attempt(lambda: svc.name_acting_manager(w.uow(), page_principal(), data, w.clock, mailer()), refusal)
    flash(
        f"Acting manager named from {d.starts.isoformat()} to {d.ends.isoformat()}; both of you are told by email.",
        "success",
    )
    return redirect(url_for("pages_delegation.index"))


@bp.post("/delegations/<delegation_id>/revoke")
def revoke(delegation_id: str):
    """Revoke an arrangement now, then show the list."""
    w = wiring()
    back = url_for("pages_delegation.index")
    attempt(
        lambda: svc.revoke(w.uow(), page_principal(), delegation_id, expected_version(), w.clock, mailer()),
        OnRefusal(back=back, prefix="Not revoked"),
    )
    flash("Revoked: the acting manager can no longer act for the team.", "success")
    return redirect(back)


@bp.post("/cycles/<cycle_id>/reviews/<employee_id>/former-draft")
def former_draft(cycle_id: str, employee_id: str):
    """Take over or discard a former manager's draft, then show the manager assessment."""
    w = wiring()
    back = url_for("pages_reviews.manager_form", cycle_id=cycle_id, employee_id=employee_id)
    choice = request.form.get("choice", "")
    if choice not in ("keep", "discard"):
        flash("Not changed: choose to take over or discard the draft.", "error")
        return redirect(back)
    keep = choice == "keep"
    attempt(
        lambda: review_svc.settle_former_draft(
            w.uow(), page_principal(), cycle_id, employee_id, keep, expected_version(), w.clock
        ),
        OnRefusal(back=back, prefix="Not changed"),
    )
    flash("The draft is yours now: edit it and submit." if keep else "The former draft is discarded.", "success")
    return redirect(back)
