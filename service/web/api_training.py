"""JSON API of training needs: the report, an individual's needs, needs addressed, the topic catalogue."""

from __future__ import annotations

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.report_views import ReportView
from service.domain.training import Topic, TrainingNeed
from service.services import training as svc
from service.services import training_reports as reports
from service.services.report_cycles import default_report_cycle
from service.web.api_io import answer, load_body, load_query, respond
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc, api_report
from service.web.fields import Choice, Id, Text, Whole
from service.web.schemas import list_of, schema_of
from service.web.schemas_reviews import CycleSchema
from service.web.wiring import wiring

bp = Blueprint("api_training", __name__, url_prefix="/api")


class ReportQuerySchema(Schema):
    n = Whole(load_default=3, validate=validate.Range(1, reports.MAX_PROGRAMME))


# The training-need report. A figure that concerns fewer than 5 people, or would let a reader work such a group
# out from other figures, is `null` (a whole row: `suppressed: true`); `note` says so in words.
TrainingReportSchema = schema_of(reports.TrainingReport, "TrainingReportSchema")


class NeedsQuerySchema(Schema):
    cycle_id = Id(load_default=None)


NeedSchema = schema_of(TrainingNeed, "NeedSchema", exclude=("topic_label", "text", "chain"), topic=fields.String())
NeedListSchema = list_of("needs", NeedSchema)


class AddressedSchema(Schema):
    """What addressed the need: a learning activity's reference, or a training."""

    activity_ref = Text(required=True, validate=validate.Length(min=1, max=svc.MAX_REF))


class TopicInSchema(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    synonyms = fields.List(Text(validate=validate.Length(max=120)), load_default=list, validate=validate.Length(max=30))
    competency_id = Id(load_default=None, allow_none=True)


TopicSchema = schema_of(Topic, "TopicSchema")
TopicListSchema = list_of("topics", TopicSchema)


CREATED_TOPIC = TopicSchema(only=("topic_id", "name", "synonyms"))  # what an added or merged topic answers


class MergeSchema(Schema):
    source_id = Id(required=True, metadata={"description": "the topic that goes (a catalogue or free-text topic)"})
    target_id = Id(required=True, metadata={"description": "the catalogue topic that stays"})


class ReportCycleQuerySchema(Schema):
    view = Choice(ReportView, load_default=ReportView.HOME.value, metadata={"description": "which report"})


class CycleBriefSchema(CycleSchema):
    """A cycle named: its id, name and state."""

    class Meta:
        fields = ("cycle_id", "name", "state")


class ReportCycleSchema(Schema):
    """The cycle a report opens on when none is named: the newest launched cycle with data for the view
    (services/report_cycles.py), and the newer launched cycles passed over because they have none yet."""

    view = fields.String()
    cycle = fields.Nested(CycleBriefSchema, allow_none=True)
    passed_over = fields.List(fields.Nested(CycleBriefSchema))


@bp.get("/reports/cycle")
@api_report(
    "The cycle leadership's reports open on when none is named (the newest with data for the view)",
    ReportCycleSchema,
    query=ReportCycleQuerySchema,
)
def report_cycle():
    """The default cycle of a report."""
    view = ReportView(load_query()["view"])
    choice = default_report_cycle(wiring().uow(), current_principal(), view)
    data = {"view": view.value, "cycle": choice.cycle, "passed_over": choice.passed_over}
    return respond(data)


@bp.get("/cycles/<cycle_id>/training-report")
@api_report(
    "The training-need report of a cycle (leadership and HR: the organisation; managers: their subtree)",
    TrainingReportSchema,
    query=ReportQuerySchema,
)
def training_report(cycle_id: str):
    """The training-need report."""
    n = load_query()["n"]
    return answer(reports.training_report(wiring().uow(), current_principal(), cycle_id, n))


@bp.get("/people/<employee_id>/training-needs")
@api_report(
    "An individual's training needs (the person, their management chain and HR)", NeedListSchema, query=NeedsQuerySchema
)
def person_needs(employee_id: str):
    """An individual's needs."""
    cycle_id = load_query()["cycle_id"]
    needs = svc.person_needs(wiring().uow(), current_principal(), employee_id, cycle_id)
    return respond({"needs": needs})


@bp.post("/training-needs/<need_id>/addressed")
@api_doc(
    "Log a learning activity or training against a need: it becomes addressed (repeating it changes nothing)",
    response=NeedSchema,
    body=AddressedSchema,
)
def address_need(need_id: str):
    """Mark a need addressed."""
    w = wiring()
    data = load_body()
    need = svc.mark_need_addressed(w.uow(), current_principal(), need_id, data["activity_ref"], w.clock)
    return respond(need)


@bp.get("/training-topics")
@api_report("The topic catalogue (HR)", TopicListSchema)
def topics():
    """The topic catalogue."""
    return respond({"topics": svc.list_topics(wiring().uow(), current_principal())})


@bp.post("/training-topics")
@api_change("Add a topic with its synonyms (HR)", TopicSchema, TopicInSchema, status=201)
def create_topic():
    """Add a topic."""
    w = wiring()
    data = load_body()
    return answer(CREATED_TOPIC.dump(svc.create_topic(w.uow(), current_principal(), data, w.clock)), 201)


@bp.post("/training-topics/merge")
@api_doc("Merge one topic into another (HR)", response=TopicSchema, body=MergeSchema, errors=(409, 412))
def merge_topics():
    """Merge two topics."""
    w = wiring()
    data = load_body()
    merged = svc.merge_topics(w.uow(), current_principal(), data["source_id"], data["target_id"], w.clock)
    return answer(CREATED_TOPIC.dump(merged))
