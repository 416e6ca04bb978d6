"""JSON API of personnel decisions (issue 27): weigh, record, approve, communicate, read, verify, and leadership's
counts by kind and department."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.decisions import (
    MAX_PEOPLE,
    MAX_TEXT,
    CycleEvidence,
    Decision,
    DecisionAction,
    DecisionKind,
    GroupAggregate,
    NeedEvidence,
    ObstacleEvidence,
    PayDirection,
    PersonEvidence,
    ResponseEvidence,
)
from service.services import decisions as svc
from service.web.api_io import load_body, respond
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc, api_report
from service.web.fields import Choice, Id, Text
from service.web.schemas import schema_of
from service.web.wiring import wiring

bp = Blueprint("api_decisions", __name__, url_prefix="/api")


def _many(schema: type[Schema]) -> fields.List:
    return fields.List(fields.Nested(schema))


PersonEvidenceSchema = schema_of(
    PersonEvidence,
    "PersonEvidenceSchema",
    cycles=_many(schema_of(CycleEvidence, "CycleEvidenceSchema")),
    needs=_many(schema_of(NeedEvidence, "NeedEvidenceSchema")),
    obstacles=_many(schema_of(ObstacleEvidence, "ObstacleEvidenceSchema")),
    responses=_many(schema_of(ResponseEvidence, "ResponseEvidenceSchema")),
)
GroupSchema = schema_of(GroupAggregate, "DecisionGroupSchema", sentence=fields.String())
_EVIDENCE = {
    "evidence": _many(PersonEvidenceSchema),
    "group": fields.Nested(GroupSchema),
    "flagged": fields.Boolean(),
}
WeighingSchema = schema_of(svc.Weighing, "WeighingSchema", **_EVIDENCE, evidence_hash=fields.String())
DecisionSchema = schema_of(Decision, "DecisionSchema", exclude=("audit_head",), **_EVIDENCE)
DecisionListsSchema = schema_of(
    svc.DecisionLists,
    "DecisionListsSchema",
    awaiting=_many(DecisionSchema),
    recorded=_many(DecisionSchema),
    about_me=_many(DecisionSchema),
)
PeriodCountsSchema = schema_of(
    svc.PeriodCounts, "DecisionPeriodCountsSchema", rows=_many(schema_of(svc.CountRow, "DecisionCountRowSchema"))
)
CountsSchema = schema_of(svc.DecisionCounts, "DecisionCountsSchema", periods=_many(PeriodCountsSchema))


class WeighInSchema(Schema):
    """A decision to weigh: its kind, which way pay goes (a pay change only) and the people it affects."""

    kind = Choice(DecisionKind, required=True)
    pay_direction = Choice(PayDirection, load_default=None, allow_none=True)
    people = fields.List(Id(), required=True, validate=validate.Length(1, MAX_PEOPLE))


class DecisionInSchema(WeighInSchema):
    """A decision to record: what was decided, and why, when it goes against the record."""

    summary = Text(required=True, validate=validate.Length(1, MAX_TEXT))
    justification = Text(load_default="", validate=validate.Length(max=MAX_TEXT))
    evidence_hash = Text(
        load_default=None,
        validate=validate.Length(equal=64),
        metadata={"description": "the weighing's evidence_hash: refused (409) if the record changed since"},
    )


class TrailSchema(Schema):
    """A decision's audit trail and what its verification found (empty: the evidence is as saved)."""

    records = fields.List(fields.Raw())
    problems = fields.List(fields.String())


@bp.post("/decisions/weigh")
@api_doc(
    "Weigh a decision against the record before saving it: evidence per person, flags, the group's aggregate "
    "(saves nothing)",
    response=WeighingSchema,
    body=WeighInSchema,
    errors=(403,),
)
def weigh():
    """The evidence for a decision, before it is saved."""
    data = load_body()
    kind = DecisionKind(data["kind"])
    pay = PayDirection(data["pay_direction"]) if data["pay_direction"] else None
    return respond(svc.weigh(wiring().uow(), current_principal(), kind, pay, data["people"]))


@bp.post("/decisions")
@api_change(
    "Record a decision (HR, or a manager within their area) with the evidence the record holds now; one that goes "
    "against the record needs a justification and waits for a second HR person's approval",
    DecisionSchema,
    DecisionInSchema,
    status=201,
)
def record():
    """Record a decision."""
    w = wiring()
    decision = svc.record_decision(w.uow(), current_principal(), load_body(), w.clock)
    return respond(decision, 201)


@bp.get("/decisions")
@api_doc("The decisions I may see: awaiting approval (HR), recorded, and those about me", response=DecisionListsSchema)
def lists():
    """The decisions page's lists."""
    return respond(svc.list_decisions(wiring().uow(), current_principal()))


@bp.get("/decisions/<decision_id>")
@api_doc("One decision with its evidence (the person concerned: once communicated, their own)", response=DecisionSchema)
def one(decision_id: str):
    """One decision."""
    return respond(svc.get_decision(wiring().uow(), current_principal(), decision_id))


def _move(action: DecisionAction, use_case: Callable[..., Decision], summary: str, errors: tuple[int, ...]) -> None:
    """Register `POST /decisions/<id>/<action>` (endpoint: the action): the decision after `use_case` moved it."""

    @api_doc(summary, response=DecisionSchema, errors=errors)
    def moved(decision_id: str):
        """Move a decision along its workflow."""
        w = wiring()
        return respond(use_case(w.uow(), current_principal(), decision_id, w.clock))

    bp.add_url_rule(f"/decisions/<decision_id>/{action.value}", action.value, moved, methods=["POST"])


_move(
    DecisionAction.APPROVE,
    svc.approve,
    "Approve a flagged decision (a second person with the HR role, not its recorder)",
    (403, 409),
)
_move(
    DecisionAction.COMMUNICATE,
    svc.communicate,
    "Mark a decision communicated: the people concerned can then read it and their evidence",
    (409,),
)


@bp.get("/decisions/<decision_id>/trail")
@api_doc("A decision's audit trail and the verification of its kept evidence (HR)", response=TrailSchema)
def trail(decision_id: str):
    """A decision's trail, verified."""
    records, problems = svc.decision_trail(wiring().uow(), current_principal(), decision_id)
    return respond({"records": records, "problems": problems})


@bp.get("/reports/decisions")
@api_report(
    "People affected by decisions, one table per quarter, by kind and department (leadership and HR); a quarter "
    "reaches leadership once it has ended, HR reads the running one live (`live`); figures under 5 people, or that "
    "would reveal such a group by subtraction, are null",
    CountsSchema,
)
def counts():
    """Leadership's counts."""
    w = wiring()
    return respond(svc.decision_counts(w.uow(), current_principal(), w.clock.now()))
