"""JSON API of scheduled reviews (issue 28, point 4): HR's rules (create, edit, pause, resume, archive, restore) and
the preview of who gets a review in the coming days."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.cycles import OPTIONAL_PHASES, Phase
from service.domain.schedules import MAX_DAYS, MAX_MONTHS, MAX_OFFSET, PREVIEW_DAYS, RuleAction, RuleKind, ScheduleRule
from service.services import schedules as svc
from service.web.api_io import action_routes, answer, load_body, load_query, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_create, api_doc, api_report
from service.web.fields import Choice, Id, Text, Whole
from service.web.schemas import list_of, schema_of
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_schedules", __name__, url_prefix="/api")

_DAYS_AFTER = validate.Range(0, MAX_OFFSET)
OffsetsSchema = Schema.from_dict(
    {
        p.value: Whole(
            load_default=None,
            allow_none=True,
            validate=_DAYS_AFTER,
            metadata={
                "description": "days after the review starts" + (" (calibrating templates)" * (p in OPTIONAL_PHASES))
            },
        )
        for p in Phase
    },
    name="ScheduleOffsetsSchema",
)


class RuleInSchema(Schema):
    """A schedule rule as HR sets it up: which fields count depends on its kind."""

    name = Text(required=True, validate=validate.Length(min=1, max=200))
    kind = Choice(RuleKind, required=True)
    template_id = Id(load_default=None, allow_none=True, metadata={"description": "all kinds but joiners"})
    days = Whole(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, MAX_DAYS),
        metadata={"description": "probation: days after the start date"},
    )
    every_months = Whole(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, MAX_MONTHS),
        metadata={"description": "calendar: months between reviews"},
    )
    first_date = fields.Date(
        load_default=None, allow_none=True, metadata={"description": "calendar: the first review's day"}
    )
    cycle_id = Id(load_default=None, allow_none=True, metadata={"description": "joiners: the running cycle they join"})
    departments = fields.List(
        Text(validate=validate.Length(min=1, max=200)), load_default=list, validate=validate.Length(max=200)
    )
    offsets = fields.Nested(
        OffsetsSchema,
        load_default=None,
        allow_none=True,
        metadata={"description": "each phase's deadline, in days after the review starts (default 7, 14, 21, 28, 42)"},
    )


class RuleListQuerySchema(Schema):
    """Which rules: those in use (active or paused, the default) or the archived ones."""

    archived = fields.Boolean(load_default=False, metadata={"description": "true: the archived ones instead"})


class PreviewQuerySchema(Schema):
    """How far ahead, and for which rule (every active rule when none)."""

    days = Whole(load_default=PREVIEW_DAYS, validate=validate.Range(1, 366))
    rule_id = Id(load_default=None)


RuleSchema = schema_of(
    ScheduleRule,
    "ScheduleRuleSchema",
    exclude=("audit_head",),
    first_date=fields.Date(allow_none=True),
    offsets=fields.Dict(keys=fields.String(validate=validate.OneOf([p.value for p in Phase])), values=fields.Integer()),
)
RuleListSchema = list_of("rules", RuleSchema)
UpcomingSchema = schema_of(svc.Upcoming, "UpcomingReviewSchema", on=fields.Date())
UpcomingListSchema = list_of("upcoming", UpcomingSchema)


@bp.get("/schedules")
@api_report("Review schedule rules in use, or the archived ones (HR)", RuleListSchema, RuleListQuerySchema)
def list_rules():
    """The rules."""
    rules = svc.list_rules(wiring().uow(), current_principal(), load_query()["archived"])
    return answer({"rules": rules}, schema=RuleListSchema)


@bp.post("/schedules")
@api_create(
    "Create a review schedule rule (HR): probation, anniversary, calendar or joiners; it creates reviews from today",
    RuleSchema,
    RuleInSchema,
)
def create_rule():
    """Create a rule."""
    w = wiring()
    return versioned(svc.create_rule(w.uow(), current_principal(), load_body(), w.clock), RuleSchema, 201)


@bp.get("/schedules/preview")
@api_doc(
    "Who the active rules give a review from today to `days` ahead, by day (HR)",
    response=UpcomingListSchema,
    query=PreviewQuerySchema,
    errors=(403, 404),
)
def preview():
    """The preview."""
    w = wiring()
    query = load_query()
    found = svc.preview(w.uow(), current_principal(), w.clock.now().date(), query["days"], query["rule_id"])
    return answer({"upcoming": found}, schema=UpcomingListSchema)


@bp.get("/schedules/<rule_id>")
@api_report("One review schedule rule (HR)", RuleSchema)
def get_rule(rule_id: str):
    """One rule."""
    return versioned(svc.get_rule(wiring().uow(), current_principal(), rule_id), RuleSchema)


@bp.put("/schedules/<rule_id>")
@api_change("Edit a review schedule rule (HR, If-Match); reviews it made stay", RuleSchema, RuleInSchema)
def update_rule(rule_id: str):
    """Edit a rule."""
    w = wiring()
    rule = svc.update_rule(w.uow(), current_principal(), rule_id, load_body(), expected_version(), w.clock)
    return versioned(rule, RuleSchema)


def _change(rule_id: str, action: RuleAction, version: int):
    w = wiring()
    return versioned(svc.change_rule(w.uow(), current_principal(), rule_id, action, version, w.clock), RuleSchema)


action_routes(
    bp,
    "/schedules/<rule_id>",
    "rule",
    RuleSchema,
    {
        RuleAction.PAUSE: "Pause a rule: it creates nothing until resumed (HR, If-Match)",
        RuleAction.RESUME: "Resume a paused rule: from today, the days it was paused stay without reviews "
        "(HR, If-Match)",
        RuleAction.ARCHIVE: "Archive a rule: out of the list, creating nothing (HR, If-Match)",
        RuleAction.RESTORE: "Restore an archived rule, paused (HR, If-Match)",
    },
    _change,
)
