"""JSON API of calibration (issue 23): sessions of a cycle, the session view, adjustments, close and reopen."""

from __future__ import annotations

from dataclasses import replace

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.calibration import (
    Box,
    CalibrationSession,
    Changes,
    Distribution,
    GroupKind,
    RatingRow,
    SortBy,
)
from service.services import calibration as svc
from service.web.api_io import load_body, load_query, respond, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc
from service.web.fields import Choice, Id, Text, Whole
from service.web.schemas import list_of, schema_of
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_calibration", __name__, url_prefix="/api")

SessionSchema = schema_of(CalibrationSession, "CalibrationSessionSchema", exclude=("audit_head",))
SessionListSchema = list_of("sessions", SessionSchema, "CalibrationSessionListSchema")
PersonRowSchema = schema_of(svc.PersonRow, "CalibrationPersonSchema")
DistributionSchema = schema_of(Distribution, "RatingDistributionSchema", total=fields.Integer())
SessionViewSchema = schema_of(
    svc.SessionView,
    "CalibrationSessionViewSchema",
    session=fields.Nested(SessionSchema),
    rows=fields.List(fields.Nested(PersonRowSchema)),
    session_distribution=fields.Nested(DistributionSchema),
    by_manager=fields.List(fields.Nested(DistributionSchema)),
    by_department=fields.List(fields.Nested(DistributionSchema)),
    before=fields.Nested(DistributionSchema),
    changes=fields.List(fields.Nested(schema_of(Changes, "CalibrationChangesSchema"))),
)


class SessionInSchema(Schema):
    """A session as HR opens it: a name and a group (a department, someone's organisation, or a list)."""

    name = Text(required=True, validate=validate.Length(min=1, max=200))
    group = Choice(GroupKind, required=True)
    department = Text(load_default="", validate=validate.Length(max=200))
    root_id = Id(
        load_default=None, allow_none=True, metadata={"description": "subtree: the person whose organisation it covers"}
    )
    employee_ids = fields.List(Id(), load_default=list, validate=validate.Length(max=2000))
    facilitators = fields.List(Id(), load_default=list, validate=validate.Length(max=20))
    target = fields.List(
        Whole(validate=validate.Range(0, 100)),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={"description": "optional target distribution: a percentage per point of the scale, lowest first"},
    )


class AdjustmentInSchema(Schema):
    """A calibrated value: every competency's rating, the potential (when the template has a scale for it), why."""

    competency_ratings = fields.Dict(keys=Id(), values=Whole(validate=validate.Range(1, 10)), required=True)
    potential = Whole(load_default=None, allow_none=True, validate=validate.Range(1, 5))
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


class PeopleQuerySchema(Schema):
    """Narrow and order the session's people."""

    manager = Id(load_default=None, allow_none=True)
    department = Text(load_default="", validate=validate.Length(max=200))
    rating = Whole(load_default=None, allow_none=True, validate=validate.Range(1, 10))
    box = Choice(Box, load_default="", also=("",))
    sort = Choice(SortBy, load_default=SortBy.MANAGER.value)


class ReopenSchema(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=2000))


@bp.get("/cycles/<cycle_id>/calibration-sessions")
@api_doc("A cycle's calibration sessions (HR: all; managers and leadership: theirs)", response=SessionListSchema)
def sessions(cycle_id: str):
    """The sessions this reader takes part in."""
    found = svc.sessions_of(wiring().uow(), current_principal(), cycle_id)
    return respond({"sessions": found})


@bp.post("/cycles/<cycle_id>/calibration-sessions")
@api_change(
    "Open a calibration session (HR); a person is in at most one open session per cycle",
    SessionSchema,
    SessionInSchema,
    status=201,
)
def create_session(cycle_id: str):
    """Open a session."""
    s = svc.create_session(wiring().uow(), current_principal(), cycle_id, load_body(), wiring().clock)
    return versioned(s, SessionSchema, 201)


@bp.get("/calibration-sessions/<session_id>")
@api_doc(
    "A calibration session with the people this reader may see (the list narrowed and ordered by the query)",
    response=SessionViewSchema,
    query=PeopleQuerySchema,
)
def session(session_id: str):
    """The session view."""
    query = load_query()
    view = svc.session_view(wiring().uow(), current_principal(), session_id)
    rows = svc.filtered(view.rows, **{**query, "sort": SortBy(query["sort"])})
    return respond(replace(view, rows=rows), version=view.session.version)


@bp.put("/calibration-sessions/<session_id>/people/<employee_id>")
@api_change(
    "Adjust a person's ratings in an open session (facilitators), with a reason; If-Match: the person's version "
    '("0" before any adjustment)',
    PersonRowSchema,
    AdjustmentInSchema,
)
def adjust(session_id: str, employee_id: str):
    """Adjust one person."""
    version = expected_version()
    data = load_body()
    calibrated = {"competency_ratings": data["competency_ratings"], "potential": data["potential"]}
    w = wiring()
    row = svc.adjust(
        w.uow(), current_principal(), session_id, employee_id, calibrated, data["reason"], version, w.clock
    )
    return versioned(row, PersonRowSchema)


@bp.post("/calibration-sessions/<session_id>/close")
@api_change("Close a session (facilitators): ratings locked, reviews rescored and on to the discussion", SessionSchema)
def close(session_id: str):
    """Close the session."""
    version = expected_version()
    w = wiring()
    return versioned(svc.close_session(w.uow(), current_principal(), session_id, version, w.clock), SessionSchema)


@bp.post("/calibration-sessions/<session_id>/reopen")
@api_change("Reopen a closed session (HR, with a reason)", SessionSchema, ReopenSchema)
def reopen(session_id: str):
    """Reopen the session."""
    version = expected_version()
    reason = load_body()["reason"]
    w = wiring()
    return versioned(
        svc.reopen_session(w.uow(), current_principal(), session_id, reason, version, w.clock), SessionSchema
    )


RatingRowSchema = schema_of(RatingRow, "RatingRowSchema")
RatingReportSchema = schema_of(
    svc.RatingReport,
    "RatingReportSchema",
    everyone=fields.Nested(RatingRowSchema),
    departments=fields.List(fields.Nested(RatingRowSchema)),
    levels=fields.List(fields.Nested(RatingRowSchema)),
)


@bp.get("/cycles/<cycle_id>/rating-report")
@api_doc(
    "Overall ratings across a cycle by department and level, with the trend (leadership and HR); a figure of fewer "
    "than 5 people, or one that would reveal such a group by subtraction, is null",
    response=RatingReportSchema,
    errors=(403, 409),
)
def rating_report(cycle_id: str):
    """The cycle's rating report."""
    return respond(svc.rating_report(wiring().uow(), current_principal(), cycle_id))
