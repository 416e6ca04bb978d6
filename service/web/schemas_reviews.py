"""marshmallow schemas of templates, cycles, reviews and actions (structure only; meaning is in services)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, fields, validate

from service.domain.actions import Action
from service.domain.cycles import OPTIONAL_PHASES, Cycle, ParticipantMode, Phase
from service.domain.learning import ActivityType
from service.domain.reviews import Agreement, ItemStatus, NeedFormat, ObstacleCategory, Priority, ReviewState
from service.domain.training import SuggestedNeed, SuggestionAnswer
from service.services.cycles import CycleProgress, LaunchProgress
from service.services.reviews import History, ReviewRow, ReviewView
from service.web.fields import Choice, Id, Number, Text, Whole
from service.web.schemas import list_of, schema_of
from service.web.schemas_goals import GoalSchema

TEXT = validate.Length(max=10_000)
SHORT = validate.Length(max=300)
MANY = validate.Length(max=50)  # competencies, questions and answers per form: more is an attack, not a review


class IsoDate(fields.Date):
    """A date validated as ISO-8601 and kept as its string (how content stores dates)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        return super()._deserialize(value, attr, data, **kwargs).isoformat()


class CompetencySchema(Schema):
    id = Text(required=True, validate=validate.Length(min=1, max=40))
    name = Text(required=True, validate=SHORT)
    description = Text(required=True, validate=validate.Length(max=2000))


class QuestionSchema(Schema):
    id = Text(required=True, validate=validate.Length(min=1, max=40))
    text = Text(required=True, validate=validate.Length(min=1, max=1000))
    required = fields.Boolean(load_default=False)


class QuestionsSchema(Schema):
    self = fields.List(fields.Nested(QuestionSchema), load_default=list, validate=MANY)
    manager = fields.List(fields.Nested(QuestionSchema), load_default=list, validate=MANY)
    peer = fields.List(fields.Nested(QuestionSchema), load_default=list, validate=MANY)
    upward = fields.List(fields.Nested(QuestionSchema), load_default=list, validate=MANY)


class WeightsSchema(Schema):
    goals = Whole(required=True, validate=validate.Range(0, 100))
    competencies = Whole(required=True, validate=validate.Range(0, 100))
    feedback = Whole(required=True, validate=validate.Range(0, 100))


class TemplateInSchema(Schema):
    """A template as HR writes it."""

    name = Text(required=True, validate=validate.Length(min=1, max=200))
    competencies = fields.List(fields.Nested(CompetencySchema), required=True, validate=validate.Length(min=1, max=30))
    scale = fields.List(
        Text(validate=validate.Length(min=1, max=60)),
        required=True,
        validate=validate.Length(min=2, max=10),
        metadata={"description": "labels, lowest first (2–10 points)"},
    )
    questions = fields.Nested(QuestionsSchema, load_default=dict)
    weights = fields.Nested(WeightsSchema, required=True)
    calibration = fields.Boolean(
        load_default=False,
        metadata={"description": "a calibration phase between the manager assessments and the discussions"},
    )
    potential = fields.List(
        Text(validate=validate.Length(min=1, max=60)),
        load_default=list,
        validate=validate.Length(max=5),
        metadata={"description": "labels of an optional potential rating, lowest first (2–5 points; none: not rated)"},
    )


class TemplateSchema(TemplateInSchema):
    """A stored template version."""

    template_id = fields.String()
    version = fields.Integer()
    updated_at = fields.String()
    updated_by = fields.String()
    archived = fields.Boolean()


TemplateListSchema = list_of("templates", TemplateSchema)


class ArchivedQuerySchema(Schema):
    """Which list: the things in use (the default) or the archived ones."""

    archived = fields.Boolean(load_default=False, metadata={"description": "true: the archived ones instead"})


PHASE_NOTES = {
    Phase.DISCUSSION: {"description": "review discussion and acknowledgement"},
    Phase.CALIBRATION: {"description": "when the template calibrates; halfway between its neighbours when left out"},
}
# A cycle's deadlines, one date a phase: the fields are the domain's phases, in their order.
PhasesSchema = Schema.from_dict(
    {
        phase.value: fields.Date(required=phase not in OPTIONAL_PHASES, metadata=PHASE_NOTES.get(phase, {}))
        for phase in Phase
    },
    name="PhasesSchema",
)


class CycleInSchema(Schema):
    """A cycle as HR sets it up."""

    name = Text(required=True, validate=validate.Length(min=1, max=200))
    period_start = fields.Date(required=True)
    period_end = fields.Date(required=True)
    template_id = Id(required=True)
    phases = fields.Nested(PhasesSchema, required=True)
    participant_mode = Choice(ParticipantMode, load_default=ParticipantMode.EVERYONE.value)
    departments = fields.List(Text(validate=SHORT), load_default=list, validate=validate.Length(max=1000))
    employee_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=20_000))
    carry_over_goals = fields.Boolean(load_default=False, metadata={"description": "carry unfinished goals in"})
    skip_level_read = fields.Boolean(
        load_default=True, metadata={"description": "managers above the direct manager may read the reviews"}
    )
    rehearsal = fields.Boolean(
        load_default=False,
        truthy={True},  # true or false only: "yes" or "on" is refused, naming the field (the form sends a bool)
        falsy={False},
        metadata={"description": "a rehearsal: every email of the cycle goes to HR only (editable while a draft)"},
    )


CycleSchema = schema_of(
    Cycle,
    "CycleSchema",
    exclude=("template_snapshot", "participants", "audit_head"),
    period_start=fields.Date(),
    period_end=fields.Date(),
    phases=fields.Dict(keys=fields.String(validate=validate.OneOf([p.value for p in Phase])), values=fields.Date()),
    participant_count=fields.Integer(),
)


CycleListSchema = list_of("cycles", CycleSchema)


class RatingSchema(Schema):
    rating = Whole(allow_none=True, load_default=None)
    comment = Text(load_default="", validate=TEXT)


class TrainingNeedSchema(Schema):
    topic = Text(required=True, validate=validate.Length(min=1, max=120))
    priority = Choice(Priority, load_default=Priority.MEDIUM.value)
    format = Choice(NeedFormat, load_default=NeedFormat.COURSE.value)
    rationale = Text(load_default="", validate=TEXT)
    # Bounded: the training figures add it up in cents, as DynamoDB numbers (issue 22, found fuzzing on moto).
    estimated_cost = Number(allow_none=True, load_default=None, validate=validate.Range(min=0, max=10_000_000))


class GoalResultSchema(Schema):
    goal_id = Id(allow_none=True, load_default=None)
    title = Text(required=True, validate=SHORT)
    result = Text(load_default="", validate=TEXT)
    rating = Whole(allow_none=True, load_default=None)


class LearningSchema(Schema):
    activity = Text(required=True, validate=SHORT)
    kind = Choice(ActivityType, load_default=ActivityType.COURSE.value)
    date = IsoDate(allow_none=True, load_default=None)
    note = Text(load_default="", validate=TEXT)


class SelfObstacleSchema(Schema):
    description = Text(required=True, validate=TEXT)


class SelfContentSchema(Schema):
    """The self assessment."""

    competency_ratings = fields.Dict(
        keys=Text(max_length=200), values=fields.Nested(RatingSchema), load_default=dict, validate=MANY
    )
    goal_results = fields.List(fields.Nested(GoalResultSchema), load_default=list, validate=validate.Length(max=50))
    achievements = Text(load_default="", validate=TEXT)
    obstacles = fields.List(fields.Nested(SelfObstacleSchema), load_default=list, validate=validate.Length(max=20))
    learning = fields.List(fields.Nested(LearningSchema), load_default=list, validate=validate.Length(max=50))
    # Activities of the learning log picked as evidence (issue 14): references, not copies.
    learning_refs = fields.List(Id(), validate=validate.Length(max=50))  # absent: none picked
    development_wishes = Text(load_default="", validate=TEXT)
    training_needs = fields.List(fields.Nested(TrainingNeedSchema), load_default=list, validate=validate.Length(max=20))
    answers = fields.Dict(keys=Text(max_length=200), values=Text(validate=TEXT), load_default=dict, validate=MANY)


class TrackedSchema(Schema):
    description = Text(required=True, validate=TEXT)
    owner_id = Id(load_default=None, allow_none=True)
    due = IsoDate(load_default=None, allow_none=True)
    status = Choice(ItemStatus, load_default=ItemStatus.OPEN.value)


class ObstacleSchema(TrackedSchema):
    remediation = Text(load_default="", validate=TEXT)
    category = Choice(ObstacleCategory, load_default=ObstacleCategory.OTHER.value)


class GoalRatingSchema(Schema):
    goal_id = Id(allow_none=True, load_default=None)
    title = Text(required=True, validate=SHORT)
    rating = Whole(allow_none=True, load_default=None)
    comment = Text(load_default="", validate=TEXT)


class ManagerContentSchema(Schema):
    """The manager assessment."""

    competency_ratings = fields.Dict(
        keys=Text(max_length=200), values=fields.Nested(RatingSchema), load_default=dict, validate=MANY
    )
    goal_ratings = fields.List(fields.Nested(GoalRatingSchema), load_default=list, validate=validate.Length(max=50))
    strengths = Text(load_default="", validate=TEXT)
    areas_to_strengthen = Text(load_default="", validate=TEXT)
    obstacles = fields.List(fields.Nested(ObstacleSchema), load_default=list, validate=validate.Length(max=20))
    training_needs = fields.List(fields.Nested(TrainingNeedSchema), load_default=list, validate=validate.Length(max=20))
    need_suggestions = fields.Dict(
        keys=Text(max_length=200),
        values=Choice(SuggestionAnswer, also=("",)),
        load_default=dict,
        validate=MANY,
        metadata={"description": "per competency rated low: confirmed (becomes a training need) or dismissed"},
    )
    narrative = Text(load_default="", validate=TEXT)
    answers = fields.Dict(keys=Text(max_length=200), values=Text(validate=TEXT), load_default=dict, validate=MANY)
    potential = Whole(
        load_default=None,
        allow_none=True,
        validate=validate.Range(1, 5),
        metadata={"description": "optional potential rating on the template's potential scale (issue 23)"},
    )


class DiscussionContentSchema(Schema):
    """The record of the review discussion."""

    date = IsoDate(load_default=None, allow_none=True)
    notes = Text(load_default="", validate=TEXT)
    agreed_actions = fields.List(fields.Nested(TrackedSchema), load_default=list, validate=validate.Length(max=20))


class AcknowledgeSchema(Schema):
    agreement = Choice(Agreement, required=True, metadata={"description": "acknowledgement is not agreement"})
    response = Text(load_default="", validate=TEXT)


class ReturnSchema(Schema):
    to_state = Choice(ReviewState, required=True)
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class ReasonSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


# A review as the principal may see it (sections hidden from them are null).
ReviewSchema = schema_of(
    ReviewView,
    "ReviewSchema",
    goals=fields.List(
        fields.Nested(GoalSchema),
        metadata={
            "description": "the person's goals with progress, pace (progress against the time gone in the goal's "
            "period, today), standing (the badge: the status, or behind) and alignment chain (on reads, not on writes)"
        },
    ),
    carried_actions=fields.List(
        fields.Raw(), metadata={"description": "open actions from earlier cycles (on reads, not on writes)"}
    ),
)

# A training need a low rating suggests, with the manager's answer so far (the manager assessment's save answers it).
SuggestedNeedSchema = schema_of(
    SuggestedNeed,
    "SuggestedNeedSchema",
    undecided=fields.Boolean(metadata={"description": "neither confirmed nor dismissed yet (submitting asks first)"}),
)


class ManagerSavedSchema(ReviewSchema):  # type: ignore[misc,valid-type]
    """The answer to a save of the manager assessment: the review, and the needs its low ratings suggest."""

    suggested_needs = fields.List(
        fields.Nested(SuggestedNeedSchema),
        metadata={
            "description": "training needs the low competency ratings suggest, each to confirm or dismiss "
            "in need_suggestions (a confirmed one becomes a training need on submit)"
        },
    )


TeamRowSchema = schema_of(ReviewRow, "TeamRowSchema", exclude=("department", "manager_id"))


TeamSchema = list_of("reviews", TeamRowSchema, name="TeamSchema")


ProgressSchema = schema_of(CycleProgress, "ProgressSchema", launch=fields.Raw(), by_department=fields.Raw())
LaunchSchema = schema_of(LaunchProgress, "LaunchSchema")


class AuditRecordSchema(Schema):
    entity = fields.String()
    version = fields.Integer()
    at = fields.String()
    actor = fields.String()
    on_behalf_of = fields.String(metadata={"description": "issue 28: the manager an acting manager acted for"})
    action = fields.String()
    reason = fields.String()
    changes = fields.List(fields.Raw())
    prev_hash = fields.String()
    hash = fields.String()


class AuditSchema(Schema):
    records = fields.List(fields.Nested(AuditRecordSchema))
    verified = fields.Boolean(metadata={"description": "the hash chain of every entity verifies"})
    problems = fields.List(fields.String())


# An action without an agreed date has none (null).
ActionSchema = schema_of(Action, "ActionSchema", due=fields.String(allow_none=True))
ActionListSchema = list_of("actions", ActionSchema)


class ActionStatusSchema(Schema):
    status = Choice(ItemStatus, required=True)


HistorySchema = schema_of(History, "HistorySchema")
