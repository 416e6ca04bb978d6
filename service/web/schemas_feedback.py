"""marshmallow schemas of feedback (structure only; meaning, permissions and anonymity are in services)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from service.domain.feedback import FeedbackSettings, NoteKind, ReleaseRule
from service.services.feedback import Note
from service.services.feedback_answers import AnswerForm, Done, DraftSaved, RequestRow
from service.services.feedback_nominations import Nominations, PeerDetail, UpwardAsked
from service.services.feedback_tracking import FeedbackProgress
from service.web.fields import Choice, Id, Text, Whole
from service.web.schemas import list_of, schema_of

PEOPLE = validate.Length(max=20)  # reviewers in one request: more is an attack, not a nomination
RATINGS = validate.Length(max=50)


class SettingsInSchema(Schema):
    """A cycle's feedback rules."""

    min_peers = Whole(required=True, validate=validate.Range(min=0, max=20))
    max_peers = Whole(required=True, validate=validate.Range(min=1, max=20))
    threshold = Whole(required=True, validate=validate.Range(min=3, max=50))
    upward = fields.Boolean(required=True)
    nomination_deadline = fields.Date(load_default=None, allow_none=True)
    release = Choice(
        ReleaseRule,
        load_default=None,
        allow_none=True,
        metadata={
            "description": "when answers are released as a group: first (the manager submits or the feedback "
            "deadline passes, whichever comes first), deadline, manager; left out: unchanged"
        },
    )


SettingsSchema = schema_of(
    FeedbackSettings, "SettingsSchema", release=fields.String(metadata={"enum": [r.value for r in ReleaseRule]})
)


class NominateSchema(Schema):
    """The employee's whole list of peer reviewers."""

    reviewer_ids = fields.List(Id(), required=True, validate=PEOPLE)


class DecideSchema(Schema):
    """The manager's (or HR's) decisions on peer reviewers."""

    approve = fields.List(Id(), load_default=list, validate=PEOPLE)
    remove = fields.List(Id(), load_default=list, validate=PEOPLE)
    add = fields.List(Id(), load_default=list, validate=PEOPLE)


HR_ONLY = {"description": "HR only"}
PeerRowSchema = schema_of(
    PeerDetail,
    "PeerRowSchema",
    state=fields.String(metadata={"description": "nominated, asked or removed (HR: the request's own state)"}),
    version=fields.Integer(metadata=HR_ONLY),
    active=fields.Boolean(metadata=HR_ONLY),
    decline_reason=fields.String(metadata=HR_ONLY),
)


class CountsSchema(Schema):
    """How many were asked; the rest only once the answers are released (null before: it would move with each
    answer)."""

    asked = fields.Integer()
    answered = fields.Integer(allow_none=True)
    declined = fields.Integer(allow_none=True)
    waiting = fields.Integer(allow_none=True, metadata={"description": "after the release: asked, not answered"})


class ReleaseSchema(Schema):
    """When a person's answers are released, as one group."""

    rule = fields.String(metadata={"enum": [r.value for r in ReleaseRule]})
    closed = fields.Boolean(metadata={"description": "answers and declines are closed: the set is final"})
    released = fields.Boolean()
    release_on = fields.String(allow_none=True, metadata={"description": "the day the deadline releases them"})
    on_manager_submission = fields.Boolean()


NominationsSchema = schema_of(
    Nominations,
    "NominationsSchema",
    settings=fields.Nested(SettingsSchema),
    peers=fields.List(fields.Nested(PeerRowSchema)),
    counts=fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema)),
    release=fields.Nested(ReleaseSchema),
)


class GroupSchema(Schema):
    """A group of answers: nothing before the release (not even its count); below the threshold only its count."""

    kind = fields.String()
    released = fields.Boolean()
    answers = fields.Integer(allow_none=True, metadata={"description": "null until the release"})
    threshold = fields.Integer()
    shown = fields.Boolean()
    comments_shown = fields.Boolean(
        metadata={"description": "false for readers above the manager: the ratings summary only"}
    )
    ratings = fields.List(fields.Raw(), metadata={"description": "per competency: average, rated_by, distribution"})
    comments = fields.List(
        fields.Raw(), metadata={"description": "per question: texts sorted by their text (the reviewee, manager, HR)"}
    )


class ReviewFeedbackSchema(Schema):
    groups = fields.List(fields.Nested(GroupSchema))
    counts = fields.Dict(keys=fields.String(), values=fields.Nested(CountsSchema))
    release = fields.Nested(ReleaseSchema)
    settings = fields.Nested(SettingsSchema)
    evidence = fields.List(fields.Raw(), metadata={"description": "the reviewee, manager and HR only"})
    comments_shown = fields.Boolean()


class AnswerSchema(Schema):
    """A reviewer's answer: ratings per competency (1..scale) and comments per question."""

    ratings = fields.Dict(keys=Id(), values=Whole(allow_none=True), load_default=dict, validate=RATINGS)
    answers = fields.Dict(keys=Id(), values=Text(), load_default=dict, validate=RATINGS)


class DeclineSchema(Schema):
    reason = Text(load_default="", validate=validate.Length(max=1000))


# What a reviewer reads of the requests addressed to them, and what answering does: derived from the results.
RequestRowSchema = schema_of(RequestRow, "RequestRowSchema")
RequestSchema = schema_of(
    AnswerForm,
    "RequestSchema",
    closed=fields.Boolean(metadata={"description": "answers about this person are closed"}),
    closed_on=fields.String(allow_none=True, metadata={"description": "the day they closed (null while open)"}),
)
RequestListSchema = list_of("requests", RequestRowSchema, name="RequestListSchema")
DraftSchema = schema_of(DraftSaved, "DraftSchema")
DoneSchema = schema_of(Done, "DoneSchema")
UpwardSchema = schema_of(UpwardAsked, "UpwardSchema")


FeedbackProgressSchema = schema_of(FeedbackProgress, "FeedbackProgressSchema", settings=fields.Nested(SettingsSchema))


class NoteInSchema(Schema):
    """Praise or a suggestion for a colleague."""

    to_id = Id(required=True)
    kind = Choice(NoteKind, required=True)
    text = Text(required=True, validate=validate.Length(min=1, max=2000))
    competency_id = Id(load_default=None, allow_none=True)
    goal_id = Id(load_default=None, allow_none=True)


NoteSchema = schema_of(Note, "NoteSchema")
NoteListSchema = list_of("notes", NoteSchema)


class EvidenceSchema(Schema):
    cycle_id = Id(required=True)
