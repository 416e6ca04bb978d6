"""JSON API of one-to-ones (issue 28, point 1): the pair's agenda, notes, actions and rhythm; HR's counts."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.checkins import Rhythm
from service.domain.one_to_ones import (
    DURATIONS,
    MAX_NOTES,
    MAX_TEXT,
    Meeting,
    MeetingAction,
    MeetingList,
    Pair,
    PointSource,
    TalkingPoint,
)
from service.services import one_to_ones as svc
from service.web.api_feedback import mailer
from service.web.api_io import answer, load_body
from service.web.auth import current_principal
from service.web.docs import api_doc
from service.web.fields import Choice, Id, Text, Whole
from service.web.schemas import schema_of
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_one_to_ones", __name__, url_prefix="/api")
PAIR = "/one-to-ones/<employee_id>"
MEETING = PAIR + "/meetings/<day>"


def _many(schema: type[Schema]) -> fields.List:
    return fields.List(fields.Nested(schema))


PointSchema = schema_of(TalkingPoint, "TalkingPointSchema")
MeetingActionSchema = schema_of(MeetingAction, "MeetingActionSchema")
MeetingSchema = schema_of(
    Meeting,
    "MeetingSchema",
    exclude=("evidence",),
    points=_many(PointSchema),
    actions=_many(MeetingActionSchema),
    evidence=fields.List(fields.String(), metadata={"description": "the review cycles it was pulled into"}),
)
PairSchema = schema_of(Pair, "OneToOnePairSchema", pair_id=fields.String())
SuggestionSchema = schema_of(svc.Suggestion, "TalkingPointSuggestionSchema")
OneToOneSchema = schema_of(
    svc.OneToOneView,
    "OneToOneSchema",
    pair=fields.Nested(PairSchema, allow_none=True),
    meeting=fields.Nested(MeetingSchema),
    history=_many(MeetingSchema),
    suggestions=_many(SuggestionSchema),
    starts_at=fields.DateTime(allow_none=True, metadata={"description": "the current meeting's start, UTC"}),
    local_start=fields.DateTime(allow_none=True, metadata={"description": "the same instant in the reader's zone"}),
)
PairListSchema = Schema.from_dict(
    {"one_to_ones": _many(schema_of(svc.PairSummary, "OneToOneSummarySchema"))}, name="OneToOneListSchema"
)
CountsSchema = Schema.from_dict(
    {"pairs": _many(schema_of(svc.PairCount, "OneToOneCountSchema"))}, name="OneToOneCountsSchema"
)
TimeZoneSchema = schema_of(svc.MyTimeZone, "MyTimeZoneSchema")
PrivateSchema = Schema.from_dict({"text": fields.String(), "version": fields.Integer()}, name="PrivateNotesSchema")


class RhythmInSchema(Schema):
    """How often the pair meets, from which date, at what time of day (in `time_zone`) and for how long."""

    rhythm = Choice(Rhythm, required=True)
    first_date = fields.Date(required=True, metadata={"description": "the first meeting (ISO date, in time_zone)"})
    time = Text(
        required=True,
        validate=validate.Regexp(r"^[0-2][0-9]:[0-5][0-9]$", error="Give a time of day as HH:MM."),
        metadata={"description": "HH:MM on the wall clock of time_zone"},
    )
    minutes = Whole(load_default=30, validate=validate.OneOf(DURATIONS))
    time_zone = Text(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=64),
        metadata={"description": "IANA zone of first_date and time (default: the caller's own zone)"},
    )


class TimeZoneInSchema(Schema):
    """A person's own time zone: an IANA name, or empty for the organisation's."""

    time_zone = Text(load_default="", validate=validate.Length(max=64))


class PointInSchema(Schema):
    """A talking point: own words (`text`), or a goal, feedback note or review action of the report's (`source`,
    `ref`; the text comes from there)."""

    source = Choice(PointSource, load_default=PointSource.OWN.value)
    text = Text(load_default="", validate=validate.Length(max=MAX_TEXT))
    ref = Id(load_default=None, allow_none=True)


class ActionInSchema(Schema):
    """An action: what, and whose (one of the pair; the writer when left out)."""

    text = Text(required=True, validate=validate.Length(1, MAX_TEXT))
    owner_id = Id(load_default=None, allow_none=True)


class ActionDoneSchema(Schema):
    """Whether the action is done."""

    done = fields.Boolean(required=True)


class PointCoveredSchema(Schema):
    """Whether the talking point was covered (one not covered moves to the next meeting when this one is held)."""

    covered = fields.Boolean(required=True)


class NotesInSchema(Schema):
    """Notes on a meeting (shared, or one side's private notes)."""

    text = Text(required=True, validate=validate.Length(max=MAX_NOTES))


class EvidenceInSchema(Schema):
    """The review cycle to pull a held meeting into."""

    cycle_id = Id(required=True)


def _meeting(meeting: Meeting, status: int = 200):
    return answer(meeting, status, meeting.version, MeetingSchema)


def _tick(kind: MeetingList, employee_id: str, item_id: str, flag: str, version: int):
    """Tick an item of the current meeting's `kind` list (an action done, a point covered), if the meeting is still
    at `version`."""
    w = wiring()
    data = load_body()
    return _meeting(svc.tick(w.uow(), current_principal(), employee_id, kind, item_id, data[flag], version, w.clock))


@bp.get("/one-to-ones")
@api_doc("My one-to-ones: with my manager and with each direct report, with the next meeting", response=PairListSchema)
def mine():
    """The reader's one-to-ones."""
    w, principal = wiring(), current_principal()
    today = svc.reader_today(principal, w.clock.now())
    return answer({"one_to_ones": svc.my_one_to_ones(w.uow(), principal, today)}, schema=PairListSchema)


@bp.get(PAIR)
@api_doc(
    "A one-to-one (its pair only): the rhythm, the current meeting's agenda, shared notes and actions, my private "
    "notes, the meetings held and what could go on the agenda",
    response=OneToOneSchema,
)
def get(employee_id: str):
    """A one-to-one for one of its pair."""
    w, principal = wiring(), current_principal()
    today = svc.reader_today(principal, w.clock.now())
    return answer(svc.one_to_one(w.uow(), principal, employee_id, today), schema=OneToOneSchema)


@bp.put(PAIR + "/rhythm")
@api_doc(
    'Set how often the pair meets (If-Match: the rhythm\'s version, "0" for the first); both are emailed an '
    "invitation to the next meeting with an ICS file",
    response=PairSchema,
    body=RhythmInSchema,
)
def put_rhythm(employee_id: str):
    """Set the pair's rhythm."""
    w, principal = wiring(), current_principal()
    data = load_body()
    pair = svc.set_rhythm(
        w.uow(), principal, employee_id, data, expected_version(), w.clock, mailer(), w.settings.base_url
    )
    return answer(pair, 200, pair.version, PairSchema)


def _add_view(kind: str, name: str, use_case: Any, body: type[Schema], summary: str) -> Any:
    """The POST view that adds one item to the current meeting's `kind` list (201 with the meeting)."""

    def view(employee_id: str):
        w = wiring()
        return _meeting(use_case(w.uow(), current_principal(), employee_id, load_body(), w.clock), 201)

    view.__name__, view.__doc__ = name, summary + "."
    documented = api_doc(summary, response=MeetingSchema, body=body, status=201, errors=(409,))(view)
    return bp.post(f"{PAIR}/{kind}", endpoint=name)(documented)


add_point = _add_view(
    "points", "add_point", svc.add_point, PointInSchema, "Add a talking point to the current meeting's agenda"
)
add_action = _add_view(
    "actions",
    "add_action",
    svc.add_action,
    ActionInSchema,
    "Add an action to the current meeting (carried to the next until done)",
)


def _tick_view(kind: MeetingList, name: str, flag: str, body: type[Schema], summary: str) -> Any:
    """The PUT view that ticks one item of the current meeting's `kind` list (If-Match: the meeting's version)."""

    def view(employee_id: str, **item: str):
        (item_id,) = item.values()
        return _tick(kind, employee_id, item_id, flag, expected_version())  # the OpenAPI reads If-Match here

    view.__name__, view.__doc__ = name, summary.split(" (")[0] + "."
    documented = api_doc(summary, response=MeetingSchema, body=body, errors=(409,))(view)
    return bp.put(f"{PAIR}/{kind.value}/<{kind.value[:-1]}_id>", endpoint=name)(documented)


put_action = _tick_view(
    MeetingList.ACTIONS,
    "put_action",
    "done",
    ActionDoneSchema,
    "Mark an action of the current meeting done or open (If-Match: the meeting's version)",
)
put_point = _tick_view(
    MeetingList.POINTS,
    "put_point",
    "covered",
    PointCoveredSchema,
    "Mark a talking point of the current meeting covered or not yet (If-Match: the meeting's version); one not "
    "covered when the meeting is held is carried to the next, marked as carried",
)


@bp.put(MEETING + "/notes")
@api_doc(
    "Edit a meeting's shared notes (If-Match: the meeting's version); 409 when the meeting was pulled into a review "
    "that is now finalised (what the review holds no longer changes; private notes still do)",
    response=MeetingSchema,
    body=NotesInSchema,
    errors=(409,),
)
def put_notes(employee_id: str, day: str):
    """Edit the shared notes."""
    w = wiring()
    data = load_body()
    return _meeting(
        svc.save_shared_notes(w.uow(), current_principal(), employee_id, day, data["text"], expected_version(), w.clock)
    )


@bp.put(MEETING + "/private-notes")
@api_doc(
    'Edit my private notes on a meeting, which the other side never reads (If-Match: their version, "0" for the first)',
    response=PrivateSchema,
    body=NotesInSchema,
)
def put_private(employee_id: str, day: str):
    """Edit my private notes."""
    w = wiring()
    data = load_body()
    version = svc.save_private_notes(
        w.uow(), current_principal(), employee_id, day, data["text"], expected_version(), w.clock
    )
    return answer({"text": data["text"].strip(), "version": version}, 200, version, PrivateSchema)


@bp.post(MEETING + "/held")
@api_doc(
    "Mark a meeting held (If-Match: its version): unfinished actions and talking points not covered go to the next "
    "meeting, to which both are invited",
    response=MeetingSchema,
    errors=(409,),
)
def held(employee_id: str, day: str):
    """Mark a meeting held."""
    w = wiring()
    saved = svc.hold_meeting(
        w.uow(), current_principal(), employee_id, day, expected_version(), w.clock, mailer(), w.settings.base_url
    )
    return _meeting(saved)


@bp.post(MEETING + "/evidence")
@api_doc(
    "Pull a held meeting (shared notes and actions) into the report's review of a cycle; 409 when that review is "
    "finalised",
    response=MeetingSchema,
    body=EvidenceInSchema,
    errors=(409,),
)
def evidence(employee_id: str, day: str):
    """Pull a held meeting into a review."""
    w = wiring()
    data: dict[str, Any] = load_body()
    return _meeting(svc.pull_into_review(w.uow(), current_principal(), employee_id, day, data["cycle_id"], w.clock))


@bp.get("/me/time-zone")
@api_doc("My time zone: my own choice (null: none) and the zone my times are shown in", response=TimeZoneSchema)
def get_time_zone():
    """My time zone."""
    found = svc.my_time_zone(wiring().uow(), current_principal())
    return answer(found, 200, found.version, TimeZoneSchema)


@bp.put("/me/time-zone")
@api_doc(
    "Choose my time zone (If-Match: its version; an empty time_zone: the organisation's); one-to-one times, their "
    "invitations and the reminder the day before follow it",
    response=TimeZoneSchema,
    body=TimeZoneInSchema,
)
def put_time_zone():
    """Choose my time zone."""
    w = wiring()
    data = load_body()
    found = svc.set_my_time_zone(w.uow(), current_principal(), data["time_zone"], expected_version(), w.clock)
    return answer(found, 200, found.version, TimeZoneSchema)


@bp.get("/hr/one-to-ones")
@api_doc(
    "HR: how many one-to-ones each pair held, the last and the next (never what was said)",
    response=CountsSchema,
    errors=(403,),
)
def counts():
    """HR's counts of one-to-ones."""
    w, principal = wiring(), current_principal()
    today = svc.reader_today(principal, w.clock.now())
    return answer({"pairs": svc.hr_counts(w.uow(), principal, today)}, schema=CountsSchema)
