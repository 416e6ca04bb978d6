"""JSON API of acting managers and contribution requests (issue 28, point 3)."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.contributions import MAX_QUESTION, MAX_TEXT, Contribution
from service.domain.delegation import Delegation
from service.services import contributions as contribution_svc
from service.services import delegation as svc
from service.services import reviews as review_svc
from service.web.api_feedback import mailer
from service.web.api_io import answer, load_body, respond, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc
from service.web.fields import Id, Text
from service.web.schemas import schema_of
from service.web.schemas_reviews import ReviewSchema
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_delegation", __name__, url_prefix="/api")

DelegationSchema = schema_of(Delegation, "DelegationSchema", exclude=("audit_head",))
DelegationRowSchema = schema_of(svc.DelegationRow, "DelegationRowSchema", delegation=fields.Nested(DelegationSchema))
_ROWS = fields.List(fields.Nested(DelegationRowSchema))
DelegationsSchema = schema_of(svc.Delegations, "DelegationsSchema", mine=_ROWS, acting=_ROWS, everyone=_ROWS)


class DelegationInSchema(Schema):
    """An acting manager to name: for whom (yourself when left out; HR: any manager), who, first and last day."""

    manager_id = Id(load_default=None, allow_none=True)
    acting_id = Id(required=True)
    starts = fields.Date(required=True)
    ends = fields.Date(required=True)


@bp.get("/delegations")
@api_doc(
    "Acting managers: those named for my team, those naming me, and (HR) the organisation's latest",
    response=DelegationsSchema,
)
def list_delegations():
    """My delegations."""
    w = wiring()
    return respond(svc.list_delegations(w.uow(), current_principal(), w.clock.now().date()))


@bp.post("/delegations")
@api_doc(
    "Name an acting manager for a period (first and last day included): during it they do everything the manager "
    "may for the manager's reports' reviews, audited as on the manager's behalf; both are told by email",
    response=DelegationSchema,
    body=DelegationInSchema,
    status=201,
    errors=(403,),
)
def name_acting_manager():
    """Name an acting manager."""
    w = wiring()
    d = svc.name_acting_manager(w.uow(), current_principal(), load_body(), w.clock, mailer())
    return versioned(d, DelegationSchema, 201)


@bp.get("/delegations/<delegation_id>")
@api_doc("One delegation (its manager, its acting manager, HR)", response=DelegationSchema)
def get_delegation(delegation_id: str):
    """One delegation."""
    return versioned(svc.get_delegation(wiring().uow(), current_principal(), delegation_id), DelegationSchema)


@bp.post("/delegations/<delegation_id>/revoke")
@api_doc(
    "Revoke a delegation now (its manager, whoever named it, HR): audited, both are told",
    response=DelegationSchema,
    errors=(403, 409, 412, 428),
)
def revoke(delegation_id: str):
    """Revoke a delegation."""
    w = wiring()
    d = svc.revoke(w.uow(), current_principal(), delegation_id, expected_version(), w.clock, mailer())
    return versioned(d, DelegationSchema)


class FormerDraftInSchema(Schema):
    """Take over a former manager's draft (keep it as the start of yours) or discard it."""

    keep = fields.Boolean(required=True)


@bp.post("/cycles/<cycle_id>/reviews/<employee_id>/manager/former-draft")
@api_doc(
    "After a change of manager mid-cycle: the current manager (or HR) takes over the former manager's draft manager "
    "assessment, or discards it (audited)",
    response=ReviewSchema,
    body=FormerDraftInSchema,
    errors=(403, 409, 412, 428),
)
def settle_former_draft(cycle_id: str, employee_id: str):
    """Take over or discard a former manager's draft."""
    w = wiring()
    keep = load_body()["keep"]
    view = review_svc.settle_former_draft(
        w.uow(), current_principal(), cycle_id, employee_id, keep, expected_version(), w.clock
    )
    return answer(ReviewSchema(exclude=("goals", "carried_actions")).dump(view), version=view.version)


# --- contribution requests ------------------------------------------------------------------------------

ContributionSchema = schema_of(Contribution, "ContributionSchema", exclude=("audit_head",))
ContributionRowSchema = schema_of(contribution_svc.ContributionRow, "ContributionRowSchema")


class ContributionsSchema(Schema):
    """Contributions as the reader may see them (HR: who and whether, never the question or the text)."""

    contributions = fields.List(fields.Nested(ContributionRowSchema))


class ContributionRequestInSchema(Schema):
    """Whom to ask for a contribution to the review, and about what."""

    contributor_id = Id(required=True)
    question = Text(required=True, validate=validate.Length(1, MAX_QUESTION))


class ContributionInSchema(Schema):
    """The contribution itself."""

    text = Text(required=True, validate=validate.Length(1, MAX_TEXT))


@bp.post("/cycles/<cycle_id>/reviews/<employee_id>/contributions")
@api_change(
    "Ask someone (a project lead) for a contribution to a review (the manager or an acting manager): only they "
    "will read it, never the employee; the contributor is told by email",
    ContributionSchema,
    ContributionRequestInSchema,
    status=201,
)
def request_contribution(cycle_id: str, employee_id: str):
    """Ask for a contribution."""
    w = wiring()
    c = contribution_svc.request_contribution(
        w.uow(), current_principal(), cycle_id, employee_id, load_body(), w.clock, mailer()
    )
    return versioned(c, ContributionSchema, 201)


@bp.get("/cycles/<cycle_id>/reviews/<employee_id>/contributions")
@api_doc(
    "The contributions to a review: the manager and an acting manager read them; HR sees only who was asked and "
    "whether they answered",
    response=ContributionsSchema,
)
def review_contributions(cycle_id: str, employee_id: str):
    """A review's contributions."""
    rows = contribution_svc.for_review(wiring().uow(), current_principal(), cycle_id, employee_id)
    return respond({"contributions": rows})


@bp.get("/contributions")
@api_doc("The contributions asked of me", response=ContributionsSchema)
def my_contributions():
    """Contributions asked of me."""
    rows = contribution_svc.asked_of_me(wiring().uow(), current_principal())
    return respond({"contributions": rows})


@bp.put("/contributions/<contribution_id>")
@api_change(
    "Write my contribution (the contributor only, while the cycle runs; If-Match)",
    ContributionSchema,
    ContributionInSchema,
)
def give_contribution(contribution_id: str):
    """Write a contribution."""
    w = wiring()
    text = load_body()["text"]
    c = contribution_svc.give(w.uow(), current_principal(), contribution_id, text, expected_version(), w.clock)
    return versioned(c, ContributionSchema)
