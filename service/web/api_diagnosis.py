"""JSON API of the organisation's diagnosis and improvement plan (issue 27, points 2 and 3): where problems sit in
a cycle (leadership and HR; a figure under 5 people, or that would reveal such a group by subtraction, is null),
and the plan's items: read by everyone, added by leadership and HR from a finding or a report row, moved on by
them or the item's owner (If-Match)."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain import diagnosis as domain
from service.domain.improvement_plan import MAX_NOTE, MAX_TITLE, PlanAction, PlanItem, PlanProgress, PlanSource
from service.services import diagnosis as svc
from service.services import improvement_plan as plan_svc
from service.services.training_reports import ObstacleRow
from service.web.api_io import answer, load_body, versioned
from service.web.auth import current_principal
from service.web.docs import api_doc, api_report
from service.web.fields import Choice, Id, Text
from service.web.schemas import schema_of
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_diagnosis", __name__, url_prefix="/api")


def _many(schema: type[Schema]) -> fields.List:
    return fields.List(fields.Nested(schema))


AreaSchema = schema_of(domain.AreaFigure, "DiagnosisAreaSchema")
GapRowSchema = schema_of(
    domain.GapRow, "DiagnosisGapRowSchema", gaps=_many(schema_of(domain.GapCell, "DiagnosisGapCellSchema"))
)
LevelSchema = schema_of(domain.LevelFigure, "DiagnosisLevelSchema")
PlanItemSchema = schema_of(PlanItem, "PlanItemSchema", exclude=("audit_head",))
PlanProgressSchema = schema_of(PlanProgress, "PlanProgressSchema", total=fields.Integer())
DiagnosisSchema = schema_of(
    svc.Diagnosis,
    "DiagnosisSchema",
    areas=_many(AreaSchema),
    categories=_many(schema_of(ObstacleRow, "DiagnosisObstacleCategorySchema")),
    levels=_many(LevelSchema),
    gaps=fields.Nested(GapRowSchema, allow_none=True),
    departments=_many(GapRowSchema),
    training=_many(schema_of(domain.TrainingFigure, "DiagnosisTrainingSchema")),
    training_totals=fields.Nested(
        schema_of(domain.TrainingTotals, "DiagnosisTrainingTotalsSchema", percent=fields.Integer(allow_none=True))
    ),
    findings=_many(schema_of(domain.Finding, "DiagnosisFindingSchema")),
    trend=_many(schema_of(svc.TrendRow, "DiagnosisTrendSchema", areas=_many(AreaSchema), upward=_many(LevelSchema))),
    plan=fields.Nested(
        schema_of(
            svc.PlanReview,
            "DiagnosisPlanReviewSchema",
            items=_many(PlanItemSchema),
            progress=fields.Nested(PlanProgressSchema),
        )
    ),
    this_cycle_plan=_many(PlanItemSchema),
    upward_from=fields.Date(allow_none=True),
)
PlanSchema = schema_of(
    plan_svc.PlanView,
    "ImprovementPlanSchema",
    items=_many(PlanItemSchema),
    progress=fields.Nested(PlanProgressSchema),
)


class PlanItemInSchema(Schema):
    """An action for the plan, made from a finding of a cycle's diagnosis (its key) or a report row (for the
    training-need report, a topic id; for the rating report, `department:<name>` or `level:<Level n>`)."""

    source = Choice(PlanSource, required=True)
    cycle_id = Id(required=True)
    finding_key = Text(required=True, validate=validate.Length(1, 300))
    title = Text(
        required=True,
        validate=validate.Length(
            1, MAX_TITLE, error=f"say what the organisation will do (at most {MAX_TITLE} characters)"
        ),
    )
    owner_id = Text(required=True, validate=validate.Length(1, 100, error="choose who owns it"))
    due = fields.Date(required=True)


class PlanStepSchema(Schema):
    """Move an item on: start, complete, drop or reopen it, with a note on the progress."""

    action = Choice(PlanAction, required=True)
    note = Text(load_default="", validate=validate.Length(max=MAX_NOTE))


class PlanTrailSchema(Schema):
    """An item's audit trail, oldest first."""

    records = fields.List(fields.Raw())


@bp.get("/cycles/<cycle_id>/diagnosis")
@api_report(
    "Where problems sit in a cycle (leadership and HR): obstacles by area, upward feedback by management level, "
    "competency gaps by department, training needed against delivered, the trend, the reading in words and the "
    "improvement plan reviewed at this cycle",
    response=DiagnosisSchema,
)
def diagnosis(cycle_id: str):
    """A cycle's diagnosis."""
    w = wiring()
    return answer(svc.diagnosis(w.uow(), current_principal(), cycle_id, w.clock.now()), schema=DiagnosisSchema)


@bp.get("/improvement-plan")
@api_doc("The organisation's improvement plan and how it stands (everyone in the organisation)", response=PlanSchema)
def plan():
    """The whole plan."""
    w = wiring()
    return answer(plan_svc.plan(w.uow(), current_principal(), w.clock.now().date()), schema=PlanSchema)


@bp.post("/improvement-plan")
@api_doc(
    "Add an action to the plan from a finding of a cycle's diagnosis or a report row (leadership and HR)",
    response=PlanItemSchema,
    body=PlanItemInSchema,
    status=201,
    errors=(403, 404),  # 404: the cycle the finding is of does not exist
)
def create():
    """Add an item."""
    w = wiring()
    item = plan_svc.create_item(w.uow(), current_principal(), load_body(), w.clock)
    return versioned(item, PlanItemSchema, 201)


@bp.get("/improvement-plan/<item_id>")
@api_doc("One item of the plan (everyone in the organisation)", response=PlanItemSchema)
def item(item_id: str):
    """One item, with its version as ETag."""
    return versioned(plan_svc.get_item(wiring().uow(), current_principal(), item_id), PlanItemSchema)


@bp.post("/improvement-plan/<item_id>/status")
@api_doc(
    "Move an item on by the plan's table (leadership, HR or its owner), with If-Match",
    response=PlanItemSchema,
    body=PlanStepSchema,
    errors=(403, 409),
)
def step(item_id: str):
    """Start, complete, drop or reopen an item."""
    w = wiring()
    data = load_body()
    version = expected_version()
    saved = plan_svc.update_item(
        w.uow(), current_principal(), item_id, PlanAction(data["action"]), data["note"], version, w.clock
    )
    return versioned(saved, PlanItemSchema)


@bp.get("/improvement-plan/<item_id>/trail")
@api_report("An item's audit trail (leadership, HR and its owner)", response=PlanTrailSchema)
def trail(item_id: str):
    """Who changed the item, when and how."""
    records = plan_svc.item_trail(wiring().uow(), current_principal(), item_id)
    return answer({"records": records}, schema=PlanTrailSchema)
