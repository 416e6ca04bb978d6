"""JSON API of the learning plan people own (issue 27, point 4): my plan's items (versioned, If-Match), their
workflow, marking one done (it moves into the learning log), and the manager's read of the items shared with
them. The learning record's PDF is web/learning_record_pdf.py (the PDF function renders it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.learning import MAX_HOURS
from service.domain.learning_plan import PlanKind, PlanStep
from service.services import learning_plan as svc
from service.services.learning_plan import PlanItemView, SharedPlan
from service.web.api_io import answer, load_body, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_create, api_doc
from service.web.fields import Choice, Id, Number, Text
from service.web.page_helpers import today
from service.web.schemas import list_of, schema_of
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_learning_plan", __name__)
LONG = validate.Length(max=5000)


class LearningPlanItemPatchSchema(Schema):
    """Fields of a plan item that can change (a done item: its notes and sharing only)."""

    kind = Choice(PlanKind)
    title = Text(validate=validate.Length(min=1, max=300))
    target_date = fields.Date()
    notes = Text(validate=LONG, metadata={"description": "private: never shown to the manager"})
    need_id = Id(allow_none=True, metadata={"description": "one of my training needs this item addresses"})
    contact_id = Id(allow_none=True, metadata={"description": "a contact of my interview planner"})
    shared_with_manager = fields.Boolean(metadata={"description": "my manager may read this item (not its notes)"})


class LearningPlanItemInSchema(LearningPlanItemPatchSchema):
    """A piece of learning to plan."""

    kind = Choice(PlanKind, required=True)
    title = Text(required=True, validate=validate.Length(min=1, max=300))
    target_date = fields.Date(required=True)
    notes = Text(load_default="", validate=LONG)
    need_id = Id(load_default=None, allow_none=True)
    contact_id = Id(load_default=None, allow_none=True)
    shared_with_manager = fields.Boolean(load_default=False)


class LearningPlanActionSchema(Schema):
    # Done has a request of its own (what was learnt): the domain's PlanStep is every other action of the workflow.
    action = Choice(PlanStep, required=True)


class LearningPlanDoneSchema(Schema):
    """What the done item becomes in the learning log."""

    done_on = fields.Date(load_default=None, allow_none=True, metadata={"description": "today when not given"})
    hours = Number(load_default=0.0, validate=validate.Range(0, MAX_HOURS))
    provider = Text(load_default="", validate=validate.Length(max=300))
    learnt = Text(load_default="", validate=LONG)


LearningPlanItemSchema = schema_of(PlanItemView, "LearningPlanItemSchema")
LearningPlanItemListSchema = list_of("items", LearningPlanItemSchema)
SharedPlanSchema = schema_of(SharedPlan, "SharedPlanSchema", items=fields.List(fields.Raw()))


def dated(data: dict) -> dict:
    """Dates loaded by the schema, as the ISO strings the use cases keep."""
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in data.items()}


@bp.get("/api/learning/plan")
@api_doc("My learning plan, by target date (private to me)", response=LearningPlanItemListSchema)
def list_items():
    """My learning plan."""
    return answer(
        {"items": svc.my_plan(wiring().uow(), current_principal(), today())}, schema=LearningPlanItemListSchema
    )


@bp.post("/api/learning/plan")
@api_create("Plan a piece of learning", LearningPlanItemSchema, LearningPlanItemInSchema)
def create_item():
    """Plan an item."""
    w = wiring()
    made = svc.add_item(w.uow(), current_principal(), dated(load_body()), w.clock)
    return versioned(made, LearningPlanItemSchema, 201)


@bp.get("/api/learning/plan/<item_id>")
@api_doc("One item of my learning plan (anyone else: 404)", response=LearningPlanItemSchema)
def get_item(item_id: str):
    """One item."""
    return versioned(svc.get_item(wiring().uow(), current_principal(), item_id, today()), LearningPlanItemSchema)


@bp.patch("/api/learning/plan/<item_id>")
@api_change("Change an item of my plan (If-Match)", LearningPlanItemSchema, LearningPlanItemPatchSchema)
def patch_item(item_id: str):
    """Change an item."""
    return _changed(svc.update_item, item_id, dated(load_body()), expected_version())


@bp.post("/api/learning/plan/<item_id>/actions")
@api_change("Start, drop or resume an item (If-Match)", LearningPlanItemSchema, LearningPlanActionSchema)
def act(item_id: str):
    """Move an item along."""
    return _changed(svc.act, item_id, load_body()["action"], expected_version())


@bp.post("/api/learning/plan/<item_id>/done")
@api_change(
    "Mark an item done: it moves into my learning log (addressing its training need) in one transaction (If-Match)",
    LearningPlanItemSchema,
    LearningPlanDoneSchema,
)
def done(item_id: str):
    """Mark an item done."""
    return _changed(svc.complete_item, item_id, dated(load_body()), expected_version())


def _changed(change: Callable[..., PlanItemView], item_id: str, data: Any, version: int):
    """The item after one of my changes to it (`change(uow, me, item, data, version, clock)`), its version as ETag."""
    w = wiring()
    return versioned(change(w.uow(), current_principal(), item_id, data, version, w.clock), LearningPlanItemSchema)


@bp.get("/api/people/<employee_id>/learning-plan")
@api_doc("The manager: the plan items the employee shared, without notes (anyone else: 404)", response=SharedPlanSchema)
def shared(employee_id: str):
    """Shared plan items."""
    return answer(svc.shared_plan(wiring().uow(), current_principal(), employee_id), schema=SharedPlanSchema)
