"""JSON API of goals and the alignment report."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.archiving import ShelfAction
from service.domain.checkins import Rhythm
from service.domain.goals import Direction, GoalLevel, GoalStatus
from service.services import checkins as checkin_svc
from service.services import goals as svc
from service.services.auth import Principal
from service.services.goal_reports import AlignmentReport
from service.services.goal_views import GoalView
from service.services.goals import Assigned
from service.web.api_io import action_routes, answer, load_body, load_query, respond, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc
from service.web.fields import Choice, Id, Number, Text, Whole
from service.web.schemas import schema_of
from service.web.schemas_goals import GoalListSchema, GoalSchema
from service.web.versioning import expected_version
from service.web.wiring import Wiring, wiring

bp = Blueprint("api_goals", __name__, url_prefix="/api")


class KeyResultSchema(Schema):
    id = Text(required=True, validate=validate.Length(min=1, max=40))
    title = Text(required=True, validate=validate.Length(min=1, max=300))
    start = Number(load_default=0.0)
    target = Number(required=True)
    current = Number(load_default=None, allow_none=True)
    unit = Text(load_default="", validate=validate.Length(max=30))
    direction = Choice(
        Direction,
        load_default=Direction.INCREASE.value,
        metadata={"description": "which way is better; within: start and target are the range's ends"},
    )


class GoalPatchSchema(Schema):
    """Fields of a goal that can change."""

    title = Text(validate=validate.Length(min=1, max=300))
    description = Text(validate=validate.Length(max=5000))
    key_results = fields.List(fields.Nested(KeyResultSchema), validate=validate.Length(max=10))
    weight = Whole(validate=validate.Range(0, 100))
    due = fields.Date(allow_none=True)
    status = Text(validate=validate.OneOf([s.value for s in GoalStatus]))
    parent_id = Id(allow_none=True, metadata={"description": "the goal this one aligns to"})
    checkin_rhythm = Choice(
        Rhythm, allow_none=True, metadata={"description": "how often to check in (null: no rhythm)"}
    )


class GoalInSchema(GoalPatchSchema):
    """A new goal."""

    level = Text(required=True, validate=validate.OneOf([lvl.value for lvl in GoalLevel]))
    title = Text(required=True, validate=validate.Length(min=1, max=300))
    owner_id = Id(load_default=None, allow_none=True, metadata={"description": "default: me"})
    cycle_id = Id(
        load_default=None,
        allow_none=True,
        metadata={"description": "none: an organisation goal standing across cycles"},
    )


class CycleQuerySchema(Schema):
    cycle_id = Id(load_default=None)


class CheckInSchema(Schema):
    """A check-in: key result id → its new value, a confidence (on track, at risk, off track) and a comment."""

    values = fields.Dict(keys=Text(validate=validate.Length(min=1, max=40)), values=Number(), load_default=dict)
    confidence = Choice(GoalStatus, required=True, metadata={"description": "on_track, at_risk or off_track"})
    comment = Text(load_default="", validate=validate.Length(max=2000))


class PersonGoalsQuerySchema(CycleQuerySchema):
    archived = fields.Boolean(load_default=False, metadata={"description": "true: the archived goals instead"})


class AssignSchema(Schema):
    """Give a goal to all direct reports, or to a department."""

    weight = Whole(required=True, validate=validate.Range(0, 100))
    due = fields.Date(load_default=None, allow_none=True)
    department = Text(load_default=None, allow_none=True, validate=validate.Length(max=200))
    cycle_id = Id(load_default=None, allow_none=True)


AssignResultSchema = schema_of(Assigned, "AssignResultSchema")

AlignmentReportSchema = schema_of(AlignmentReport, "AlignmentReportSchema")


def _key_results(data: dict[str, Any]) -> dict[str, Any]:
    for kr in data.get("key_results", []):
        if kr.get("current") is None:
            kr["current"] = kr["start"]
    return data


def _today() -> date:
    """The day goals' pace is measured on, by the app's clock."""
    return wiring().clock.now().date()


def _goal_response(goal: GoalView, status: int = 200):
    return versioned(goal, GoalSchema, status)


def _must_see(w: Wiring, principal: Principal, goal_id: str) -> None:
    """Refuse a goal the principal may not see as missing (404), before its change is read."""
    svc.get_goal(w.uow(), principal, goal_id, visibility=w.settings.goal_visibility)


@bp.post("/goals")
@api_doc(
    "Create a goal (organisation: leadership/HR; team: its manager; individual: the person or their manager)",
    response=GoalSchema,
    body=GoalInSchema,
    status=201,
    errors=(404, 409, 412, 428),
)
def create_goal():
    """Create a goal."""
    w = wiring()
    data = _key_results(load_body())
    return _goal_response(svc.create_goal(w.uow(), current_principal(), data, w.clock), 201)


@bp.get("/goals")
@api_doc(
    "Organisation goals (those across cycles and those of the cycle given)",
    response=GoalListSchema,
    query=CycleQuerySchema,
)
def organisation_goals():
    """Organisation goals."""
    current_principal()
    cycle_id = load_query()["cycle_id"]
    return answer({"goals": svc.organisation_goals(wiring().uow(), cycle_id, _today(), wiring().clock.zone)})


@bp.get("/goals/<goal_id>")
@api_doc(
    "One goal with progress and its chain up to the organisation goal",
    response=GoalSchema,
    query=CycleQuerySchema,
)
def get_goal(goal_id: str):
    """Read a goal."""
    principal = current_principal()
    cycle_id = load_query()["cycle_id"]
    visibility = wiring().settings.goal_visibility
    return _goal_response(
        svc.get_goal(wiring().uow(), principal, goal_id, cycle_id, visibility, _today(), wiring().clock.zone)
    )


@bp.patch("/goals/<goal_id>")
@api_change("Change a goal: progress, weight, status, or alignment (If-Match)", GoalSchema, GoalPatchSchema)
def patch_goal(goal_id: str):
    """Edit a goal."""
    w = wiring()
    principal = current_principal()
    _must_see(w, principal, goal_id)
    data = _key_results(load_body())
    return _goal_response(svc.update_goal(w.uow(), principal, goal_id, data, expected_version(), w.clock))


@bp.post("/goals/<goal_id>/check-ins")
@api_change(
    "Check in on a goal: key results' new values, a confidence and a comment (whoever may edit it, If-Match)",
    GoalSchema,
    CheckInSchema,
    status=201,
)
def check_in(goal_id: str):
    """Record a check-in."""
    w = wiring()
    principal = current_principal()
    _must_see(w, principal, goal_id)
    saved = checkin_svc.check_in(w.uow(), principal, goal_id, load_body(), expected_version(), w.clock)
    return _goal_response(saved, 201)


def _shelve(goal_id: str, action: ShelfAction, version: int):
    w = wiring()
    principal = current_principal()
    _must_see(w, principal, goal_id)
    return _goal_response(svc.shelve_goal(w.uow(), principal, goal_id, action, version, w.clock))


action_routes(
    bp,
    "/goals/<goal_id>",
    "goal",
    GoalSchema,
    {
        ShelfAction.ARCHIVE: "Archive a finished goal: out of the lists and pickers, still readable "
        "(whoever may edit it, If-Match)",
        ShelfAction.RESTORE: "Restore an archived goal (If-Match)",
    },
    _shelve,
)


@bp.get("/goals/<goal_id>/children")
@api_doc("Goals aligned directly to a goal", response=GoalListSchema)
def goal_children(goal_id: str):
    """Aligned goals."""
    principal = current_principal()
    goals = svc.visible_children(
        wiring().uow(), principal, goal_id, wiring().settings.goal_visibility, _today(), wiring().clock.zone
    )
    return answer({"goals": goals})


@bp.post("/goals/<goal_id>/assign")
@api_doc(
    "Give the goal to all my direct reports or to a department: a personal aligned copy each",
    response=AssignResultSchema,
    body=AssignSchema,
    errors=(409, 412, 428),
)
def assign(goal_id: str):
    """Team assignment."""
    w = wiring()
    principal = current_principal()
    _must_see(w, principal, goal_id)
    data = load_body()
    return respond(svc.assign_to_team(w.uow(), principal, goal_id, data, w.clock))


@bp.get("/people/<employee_id>/goals")
@api_doc(
    "Someone's goals in a cycle, with progress and alignment chain (with archived=true: the archived ones)",
    response=GoalListSchema,
    query=PersonGoalsQuerySchema,
)
def person_goals(employee_id: str):
    """A person's goals."""
    principal = current_principal()
    query = load_query()
    visibility = wiring().settings.goal_visibility
    uow = wiring().uow()
    goals = svc.person_goals(
        uow, employee_id, query["cycle_id"], principal, visibility, _today(), query["archived"], wiring().clock.zone
    )
    return answer({"goals": goals})


@bp.get("/cycles/<cycle_id>/alignment")
@api_doc(
    "The alignment report (leadership and HR: everything; managers: their subtree)",
    response=AlignmentReportSchema,
    errors=(403, 422),
)
def alignment(cycle_id: str):
    """Alignment report."""
    return answer(svc.alignment_report(wiring().uow(), current_principal(), cycle_id, _today(), wiring().clock.zone))
