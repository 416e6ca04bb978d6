"""JSON API of continuous learning: my learning log, my (private) interview planner and question bank, the
manager's comments on review evidence and shared interview summaries, my insights and leadership's report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.learning import (
    MAX_HOURS,
    MAX_QUESTIONS,
    Activity,
    ActivityType,
    ContactSource,
    InterviewAction,
    InterviewFormat,
)
from service.services import interviews
from service.services import learning as svc
from service.services.interviews import ContactDetail, QuestionBank
from service.services.learning import Insights, LearningReport
from service.web.api_io import answer, load_body, load_query, respond, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc, api_report
from service.web.fields import Id, Number, Text
from service.web.schemas import list_of, schema_of
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_learning", __name__, url_prefix="/api/learning")
SHORT = validate.Length(max=300)
LONG = validate.Length(max=5000)


class ActivityPatchSchema(Schema):
    """Fields of a learning activity that can change."""

    type = Text(validate=validate.OneOf([t.value for t in ActivityType]))
    title = Text(validate=validate.Length(min=1, max=300))
    date = fields.Date()
    hours = Number(validate=validate.Range(0, MAX_HOURS))
    provider = Text(validate=SHORT, metadata={"description": "provider, or the contact for an interview"})
    notes = Text(validate=LONG)
    learnt = Text(validate=LONG, metadata={"description": "what was learnt"})
    need_id = Id(allow_none=True, metadata={"description": "the training need this activity addresses"})


class ActivityInSchema(ActivityPatchSchema):
    """A new learning activity."""

    type = Text(required=True, validate=validate.OneOf([t.value for t in ActivityType]))
    title = Text(required=True, validate=validate.Length(min=1, max=300))
    date = fields.Date(required=True)
    hours = Number(load_default=0.0, validate=validate.Range(0, MAX_HOURS))
    provider = Text(load_default="", validate=SHORT)
    notes = Text(load_default="", validate=LONG)
    learnt = Text(load_default="", validate=LONG)
    need_id = Id(load_default=None, allow_none=True)


class EvidenceCommentSchema(Schema):
    text = Text(required=True, validate=validate.Length(min=1, max=2000))


ActivitySchema = schema_of(Activity, "ActivitySchema")
ActivityListSchema = list_of("activities", ActivitySchema)


class ContactPatchSchema(Schema):
    """Fields of a contact and its interview that can change."""

    name = Text(validate=validate.Length(min=1, max=200))
    role = Text(validate=SHORT)
    organisation = Text(validate=SHORT)
    industry = Text(validate=SHORT)
    found_via = Text(validate=validate.OneOf([s.value for s in ContactSource]))
    format = Text(validate=validate.OneOf([f.value for f in InterviewFormat]))
    purpose = Text(validate=LONG, metadata={"description": "what you want to learn about"})
    outreach = Text(validate=LONG, metadata={"description": "the request as you edited it"})
    scheduled_for = Text(allow_none=True, validate=validate.Length(max=40))
    checklist = fields.Dict(keys=Text(max_length=40), values=fields.Boolean(), validate=validate.Length(max=10))
    notes = Text(validate=LONG)
    learnt = Text(validate=LONG)
    thanked = fields.Boolean()
    shared_with_manager = fields.Boolean(metadata={"description": "share the summary with your manager"})


class ReferralSchema(Schema):
    """Someone recommended to talk to: who they are (what a new contact starts with)."""

    name = Text(required=True, validate=validate.Length(min=1, max=200))
    role = Text(load_default="", validate=SHORT)
    organisation = Text(load_default="", validate=SHORT)
    industry = Text(load_default="", validate=SHORT)


class ContactInSchema(ReferralSchema):
    """Someone to ask for an informational interview."""

    found_via = Text(load_default="professional_network", validate=validate.OneOf([s.value for s in ContactSource]))
    format = Text(load_default="video", validate=validate.OneOf([f.value for f in InterviewFormat]))
    purpose = Text(load_default="", validate=LONG)
    referred_by = Id(load_default=None, allow_none=True, metadata={"description": "the contact who recommended"})


class InterviewActionSchema(Schema):
    # Completing has a request of its own (what was learnt, referrals): every other action of the workflow.
    action = Text(
        required=True, validate=validate.OneOf([a.value for a in InterviewAction if a is not InterviewAction.COMPLETE])
    )
    scheduled_for = Text(load_default=None, allow_none=True, validate=validate.Length(max=40))


class InterviewCompletionSchema(Schema):
    """What came of the interview; each referral answers "who else would you recommend I talk to?"."""

    completed_on = fields.Date(load_default=None, allow_none=True)
    hours = Number(load_default=0.5, validate=validate.Range(0, 24))
    notes = Text(load_default="", validate=LONG)
    learnt = Text(required=True, validate=LONG)
    need_id = Id(load_default=None, allow_none=True)
    shared_with_manager = fields.Boolean(load_default=False)
    referrals = fields.List(fields.Nested(ReferralSchema), load_default=list, validate=validate.Length(max=10))


ContactSchema = schema_of(ContactDetail, "ContactSchema")  # the detail's fields: a plain view has the rest


class PlannerSchema(Schema):
    contacts = fields.List(fields.Nested(ContactSchema))
    tree = fields.List(fields.Raw(), metadata={"description": "contacts nested under who recommended them"})


class QuestionBankInSchema(Schema):
    questions = fields.List(Text(validate=validate.Length(max=500)), required=True, validate=validate.Length(max=60))


QuestionBankSchema = schema_of(QuestionBank, "QuestionBankSchema")

LearningInsightsSchema = schema_of(
    Insights, "LearningInsightsSchema", by_type=fields.Dict(keys=fields.String(), values=fields.Raw())
)


class LearningYearQuerySchema(Schema):
    year = Text(required=True, validate=validate.Regexp(r"^[0-9]{4}$"))


LearningReportSchema = schema_of(
    LearningReport,
    "LearningReportSchema",
    rows=fields.Dict(
        keys=fields.String(), values=fields.Raw(), metadata={"description": "department → type → cell or null"}
    ),
    totals=fields.Dict(keys=fields.String(), values=fields.Raw()),
)


class InterviewSummariesSchema(Schema):
    summaries = fields.List(fields.Raw())


class EvidenceQuerySchema(Schema):
    cycle_id = Id(required=True)


@dataclass(frozen=True)
class Step:
    """One view of a versioned resource: its endpoint, its OpenAPI summary, its use case, its body and errors."""

    endpoint: str
    summary: str
    use_case: Callable[..., Any]
    body: type[Schema] | None = None
    errors: tuple[int, ...] = ()


def _resource(path: str, id_name: str, schema: type[Schema], create: Step, read: Step, change: Step) -> None:
    """Register a versioned resource of mine: POST `path` creates it (201), GET and PATCH (If-Match) `path/<id>`."""

    @api_doc(create.summary, response=schema, body=create.body, status=201, errors=create.errors)
    def made():
        """Create one."""
        w = wiring()
        return versioned(create.use_case(w.uow(), current_principal(), load_body(), w.clock), schema, 201)

    @api_doc(read.summary, response=schema)
    def found(**path_args: str):
        """Read one."""
        return versioned(read.use_case(wiring().uow(), current_principal(), path_args[id_name]), schema)

    @api_doc(change.summary, response=schema, body=change.body)
    def changed(**path_args: str):
        """Change one."""
        w = wiring()
        data = load_body()
        saved = change.use_case(w.uow(), current_principal(), path_args[id_name], data, expected_version(), w.clock)
        return versioned(saved, schema)

    bp.add_url_rule(path, create.endpoint, made, methods=["POST"])
    bp.add_url_rule(f"{path}/<{id_name}>", read.endpoint, found, methods=["GET"])
    bp.add_url_rule(f"{path}/<{id_name}>", change.endpoint, changed, methods=["PATCH"])


def _update_contact(uow: Any, principal: Any, contact_id: str, data: dict[str, Any], version: int, clock: Any) -> Any:
    """Change a contact (its use case takes no clock)."""
    return interviews.update_contact(uow, principal, contact_id, data, version)


@bp.get("/activities")
@api_doc("My learning log, newest first", response=ActivityListSchema)
def list_activities():
    """My learning log."""
    return answer({"activities": svc.learning_log(wiring().uow(), current_principal())})


_resource(
    "/activities",
    "activity_id",
    ActivitySchema,
    create=Step("create_activity", "Log a learning activity", svc.create_activity, ActivityInSchema),
    read=Step("get_activity", "One of my learning activities", svc.get_activity),
    change=Step(
        "patch_activity",
        "Change one of my learning activities (If-Match)",
        svc.update_activity,
        ActivityPatchSchema,
    ),
)


@bp.delete("/activities/<activity_id>")
@api_doc("Remove one of my learning activities (If-Match)", status=204)
def delete_activity(activity_id: str):
    """Remove an activity."""
    svc.delete_activity(wiring().uow(), current_principal(), activity_id, expected_version())
    return "", 204


@bp.get("/evidence")
@api_doc(
    "My activities inside a cycle's period, to pick as review evidence",
    response=ActivityListSchema,
    query=EvidenceQuerySchema,
    errors=(404,),
)
def evidence_choices():
    """Activities to pick."""
    cycle_id = load_query()["cycle_id"]
    return answer({"activities": svc.activities_for_cycle(wiring().uow(), current_principal(), cycle_id)})


@bp.post("/reviews/<cycle_id>/<employee_id>/evidence/<activity_id>/comments")
@api_change(
    "The manager comments on an activity picked as evidence in a review",
    ActivitySchema,
    EvidenceCommentSchema,
    status=201,
)
def comment(cycle_id: str, employee_id: str, activity_id: str):
    """Comment on evidence."""
    w = wiring()
    text = load_body()["text"]
    saved = svc.comment_on_evidence(w.uow(), current_principal(), cycle_id, employee_id, activity_id, text, w.clock)
    return respond(saved, 201)


@bp.get("/contacts")
@api_doc("My interview planner: contacts and the chain of introductions (private to me)", response=PlannerSchema)
def planner():
    """My planner."""
    return answer(interviews.planner(wiring().uow(), current_principal()))


_resource(
    "/contacts",
    "contact_id",
    ContactSchema,
    create=Step("add_contact", "Add a contact to my planner", interviews.add_contact, ContactInSchema, (404,)),
    read=Step("get_contact", "One contact of my planner with its interview (anyone else: 404)", interviews.get_contact),
    change=Step(
        "patch_contact",
        "Edit a contact: request text, format, preparation, notes, thank-you, sharing (If-Match)",
        _update_contact,
        ContactPatchSchema,
    ),
)


@bp.post("/contacts/<contact_id>/actions")
@api_change("Mark the request sent, schedule, or note a decline (If-Match)", ContactSchema, InterviewActionSchema)
def act(contact_id: str):
    """Move an interview along."""
    w = wiring()
    data = load_body()
    saved = interviews.act(
        w.uow(), current_principal(), contact_id, data["action"], expected_version(), w.clock, data["scheduled_for"]
    )
    return versioned(saved, ContactSchema)


@bp.post("/contacts/<contact_id>/complete")
@api_change(
    "Record a held interview: referrals become contacts, the interview a learning activity (If-Match)",
    ContactSchema,
    InterviewCompletionSchema,
)
def complete(contact_id: str):
    """Complete an interview."""
    w = wiring()
    data = load_body()
    if data.get("completed_on"):
        data["completed_on"] = data["completed_on"].isoformat()
    saved = interviews.complete(w.uow(), current_principal(), contact_id, data, expected_version(), w.clock)
    return versioned(saved, ContactSchema)


@bp.get("/questions")
@api_doc("My question bank (the ten topics until changed) and the closing question", response=QuestionBankSchema)
def get_questions():
    """My question bank."""
    found = interviews.questions(wiring().uow(), current_principal())
    return versioned(found, QuestionBankSchema)


@bp.put("/questions")
@api_doc(
    f"Replace my question bank (1 to {MAX_QUESTIONS} questions; If-Match, 0 before the first edit)",
    response=QuestionBankSchema,
    body=QuestionBankInSchema,
)
def put_questions():
    """Replace my question bank."""
    items = load_body()["questions"]
    saved = interviews.save_questions(wiring().uow(), current_principal(), items, expected_version())
    return versioned(saved, QuestionBankSchema)


@bp.get("/insights")
@api_doc("What I have explored and learnt", response=LearningInsightsSchema)
def insights():
    """My insights."""
    return answer(svc.my_insights(wiring().uow(), current_principal()))


@bp.get("/report")
@api_report(
    "Leadership and HR: a year's learning by type and department, groups under 5 suppressed",
    LearningReportSchema,
    query=LearningYearQuerySchema,
)
def report():
    """The anonymised learning report."""
    year = load_query()["year"]
    return answer(svc.leadership_report(wiring().uow(), current_principal(), year))


@bp.get("/people/<employee_id>/interview-summaries")
@api_doc(
    "The manager: interview summaries the employee chose to share (anyone else: 404)", response=InterviewSummariesSchema
)
def summaries(employee_id: str):
    """Shared interview summaries."""
    return answer({"summaries": interviews.shared_summaries(wiring().uow(), current_principal(), employee_id)})
