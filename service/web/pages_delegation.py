"""Acting managers' page (issue 28, point 3): the arrangements for my team, those naming me, HR's list, the form that
names one (plain POST, redirect back; the form comes back with its messages) and the revoke buttons."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request, url_for

from service.domain.contributions import STATE_LABELS as CONTRIBUTION_LABELS
from service.domain.delegation import STATUS_LABELS
from service.domain.directory import Role
from service.services import contributions as contribution_svc
from service.services import delegation as svc
from service.services import directory as directory_svc
from service.services import reviews as review_svc
from service.views.labels import day
from service.web import forms
from service.web.api_delegation import ContributionInSchema, ContributionRequestInSchema, DelegationInSchema
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
        people=[  # a manager's own people are refused (they would act on their own manager's review): not offered
            (p.employee_id, f"{p.name} · {p.department}")
            for p in people
            if p.employee_id != principal.employee_id and (managers or principal.employee_id not in p.chain)
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
        f"Acting manager named from {day(d.starts)} to {day(d.ends)}; both of you are told by email.",
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


# --- contribution requests ------------------------------------------------------------------------------


def _contributions_page(values: dict[str, Any], errors: forms.Errors, message: str, status: int):
    uow = wiring().uow()
    return form_page(
        "pages/contributions.html",
        errors,
        status,
        asked=contribution_svc.asked_of_me(uow, page_principal()),
        labels=CONTRIBUTION_LABELS,
        values=values,
        message=message,
    )


@bp.get("/contributions")
def contributions():
    """The contributions asked of me, each with its small form."""
    return _contributions_page({}, {}, "", 200)


@bp.post("/contributions/<contribution_id>")
def give_contribution(contribution_id: str):
    """Write a contribution, then show the list."""
    raw = {"text": request.form.get("text", "")[:5000]}
    data, errors = forms.load(ContributionInSchema(), raw)
    if errors:
        raise Respond(_contributions_page({contribution_id: raw["text"]}, errors, "The contribution is empty.", 422))
    w = wiring()
    refusal = OnRefusal(
        form=lambda e, m, s: _contributions_page({contribution_id: raw["text"]}, e, m, s), prefix="Not sent"
    )
    attempt(
        lambda: contribution_svc.give(
            w.uow(), page_principal(), contribution_id, data["text"], expected_version(), w.clock
        ),
        refusal,
    )
    flash("Sent: only the manager reads your contribution.", "success")
    return redirect(url_for("pages_delegation.contributions"))


def _review_contributions_page(
    cycle_id: str, employee_id: str, values: dict[str, Any], errors: forms.Errors, message: str, status: int
):
    principal, uow = page_principal(), wiring().uow()
    rows = contribution_svc.for_review(uow, principal, cycle_id, employee_id)  # 404 for whoever may not see them
    person = directory_svc.get_person(uow, employee_id)
    people = directory_svc.people_for_signin(uow)
    skip = {employee_id, principal.employee_id, person.manager_id, *(r.contributor_id for r in rows)}  # all refused
    return form_page(
        "pages/review_contributions.html",
        errors,
        status,
        rows=rows,
        person=person,
        cycle_id=cycle_id,
        labels=CONTRIBUTION_LABELS,
        may_ask=contribution_svc.may_ask(uow, principal, cycle_id, employee_id),
        people=[(p.employee_id, f"{p.name} · {p.department}") for p in people if p.employee_id not in skip],
        values=values,
        message=message,
    )


@bp.get("/cycles/<cycle_id>/reviews/<employee_id>/contributions")
def review_contributions(cycle_id: str, employee_id: str):
    """The manager's view of a review's contributions, with the form to ask for one."""
    return _review_contributions_page(cycle_id, employee_id, {}, {}, "", 200)


@bp.post("/cycles/<cycle_id>/reviews/<employee_id>/contributions")
def request_contribution(cycle_id: str, employee_id: str):
    """Ask someone for a contribution, then show the review's contributions."""
    raw = {k: request.form.get(k, "").strip()[:1100] for k in ("contributor_id", "question")}
    data, errors = forms.load(ContributionRequestInSchema(), {k: v for k, v in raw.items() if v})
    errors.update({k: ["required"] for k, v in raw.items() if not v})
    again = lambda e, m, s: _review_contributions_page(cycle_id, employee_id, raw, e, m, s)  # noqa: E731
    if errors:
        raise Respond(again(errors, "The contribution cannot be asked for.", 422))
    w = wiring()
    attempt(
        lambda: contribution_svc.request_contribution(
            w.uow(), page_principal(), cycle_id, employee_id, data, w.clock, mailer()
        ),
        OnRefusal(form=again, prefix="Not asked"),
    )
    flash("Asked: they see the request under Contributions and get an email.", "success")
    return redirect(url_for("pages_delegation.review_contributions", cycle_id=cycle_id, employee_id=employee_id))
