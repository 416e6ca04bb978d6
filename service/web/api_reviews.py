"""JSON API of templates, cycles, reviews and actions."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from marshmallow import Schema, fields

from service.adapters import keys
from service.domain.archiving import ShelfAction
from service.domain.audit import verify_chain
from service.domain.cycles import Cycle
from service.domain.templates import template_to_dict
from service.services import actions as action_svc
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from service.services import templates as template_svc
from service.services import training as training_svc
from service.services.reviews import ReviewView
from service.web.api_io import action_routes, answer, load_body, load_query, respond, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc, api_report
from service.web.fields import Text
from service.web.review_parts import PARTS, Part
from service.web.schemas_reviews import (
    AcknowledgeSchema,
    ActionListSchema,
    ActionSchema,
    ActionStatusSchema,
    ArchivedQuerySchema,
    AuditSchema,
    CycleInSchema,
    CycleListSchema,
    CycleSchema,
    HistorySchema,
    LaunchSchema,
    ManagerSavedSchema,
    ProgressSchema,
    ReasonSchema,
    ReturnSchema,
    ReviewSchema,
    TeamSchema,
    TemplateInSchema,
    TemplateListSchema,
    TemplateSchema,
)
from service.web.untrusted import decode_cursor, encode_cursor
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("api_reviews", __name__, url_prefix="/api")


def _cycle_json(c: Cycle) -> dict[str, Any]:
    data = CycleSchema().dump({**c.__dict__, "participant_count": c.headcount})
    data["phases"] = {p.value: d.isoformat() for p, d in c.phases.items()}
    return data


def _cycle_response(c: Cycle, status: int = 200):
    return answer(_cycle_json(c), status, c.version)


def _review_response(view: ReviewView):
    # The answer to a write carries no goals or carried actions (None): they are left out, not null.
    around = () if view.goals is not None else ("goals", "carried_actions")
    return answer(ReviewSchema(exclude=around).dump(view), version=view.version)


# --- templates ---------------------------------------------------------------------------------


@bp.post("/templates")
@api_doc(
    "Create a review template (HR)",
    response=TemplateSchema,
    body=TemplateInSchema,
    status=201,
    errors=(404, 409, 412, 428),
)
def create_template():
    """Create a template."""
    w = wiring()
    t = template_svc.create_template(w.uow(), current_principal(), load_body(), w.clock)
    return answer(template_to_dict(t), 201, t.version)


@bp.get("/templates")
@api_doc(
    "The templates in use (or, with archived=true, the archived ones)",
    response=TemplateListSchema,
    query=ArchivedQuerySchema,
)
def list_templates():
    """List templates."""
    current_principal()
    archived = load_query()["archived"]
    return answer({"templates": [template_to_dict(t) for t in template_svc.list_templates(wiring().uow(), archived)]})


def _shelve_template(template_id: str, action: ShelfAction, version: int):
    w = wiring()
    t = template_svc.shelve_template(w.uow(), current_principal(), template_id, action, version, w.clock)
    return answer(template_to_dict(t), version=t.version)


action_routes(
    bp,
    "/templates/<template_id>",
    "template",
    TemplateSchema,
    {
        ShelfAction.ARCHIVE: "Archive a template: out of the list and the cycle form, still readable (HR, If-Match)",
        ShelfAction.RESTORE: "Restore an archived template (HR, If-Match)",
    },
    _shelve_template,
)


@bp.get("/templates/<template_id>")
@api_doc("The current version of a template", response=TemplateSchema)
def get_template(template_id: str):
    """One template."""
    current_principal()
    t = template_svc.get_template(wiring().uow(), template_id)
    return answer(template_to_dict(t), version=t.version)


@bp.put("/templates/<template_id>")
@api_change(
    "Edit a template: saved as a new version; launched cycles keep their snapshot (HR)",
    TemplateSchema,
    TemplateInSchema,
)
def update_template(template_id: str):
    """Edit a template."""
    w = wiring()
    t = template_svc.update_template(
        w.uow(), current_principal(), template_id, load_body(), expected_version(), w.clock
    )
    return answer(template_to_dict(t), version=t.version)


@bp.get("/templates/<template_id>/versions/<int:version>")
@api_doc("One saved version of a template", response=TemplateSchema)
def get_template_version(template_id: str, version: int):
    """A template as it was at a version."""
    current_principal()
    return answer(template_to_dict(template_svc.get_template(wiring().uow(), template_id, version)))


# --- cycles ------------------------------------------------------------------------------------


@bp.post("/cycles")
@api_doc("Create a draft cycle (HR)", response=CycleSchema, body=CycleInSchema, status=201, errors=(404, 409, 412, 428))
def create_cycle():
    """Create a cycle."""
    w = wiring()
    return _cycle_response(cycle_svc.create_cycle(w.uow(), current_principal(), load_body(), w.clock), 201)


@bp.get("/cycles")
@api_doc(
    "Every cycle, newest first (or, with archived=true, the archived drafts)",
    response=CycleListSchema,
    query=ArchivedQuerySchema,
)
def list_cycles():
    """List cycles."""
    current_principal()
    archived = load_query()["archived"]
    return answer({"cycles": [_cycle_json(c) for c in cycle_svc.list_cycles(wiring().uow(), archived)]})


def _shelve_cycle(cycle_id: str, action: ShelfAction, version: int):
    w = wiring()
    c = cycle_svc.shelve_cycle(w.uow(), current_principal(), cycle_id, action, version, w.clock)
    return _cycle_response(c)


action_routes(
    bp,
    "/cycles/<cycle_id>",
    "cycle",
    CycleSchema,
    {
        ShelfAction.ARCHIVE: "Archive a draft cycle: out of the lists, not edited or launched (HR)",
        ShelfAction.RESTORE: "Restore an archived draft cycle (HR)",
    },
    _shelve_cycle,
)


@bp.delete("/cycles/<cycle_id>")
@api_doc("Delete a draft cycle; a launched one is refused (HR, If-Match)", status=204, errors=(409,))
def delete_cycle(cycle_id: str):
    """Delete a draft cycle."""
    w = wiring()
    cycle_svc.delete_cycle(w.uow(), current_principal(), cycle_id, expected_version(), w.clock)
    return "", 204


@bp.get("/cycles/<cycle_id>")
@api_doc("One cycle", response=CycleSchema)
def get_cycle(cycle_id: str):
    """One cycle."""
    current_principal()
    return _cycle_response(cycle_svc.get_cycle(wiring().uow(), cycle_id))


@bp.put("/cycles/<cycle_id>")
@api_change("Edit a draft cycle (HR)", CycleSchema, CycleInSchema)
def update_cycle(cycle_id: str):
    """Edit a draft cycle."""
    w = wiring()
    c = cycle_svc.update_cycle(w.uow(), current_principal(), cycle_id, load_body(), expected_version(), w.clock)
    return _cycle_response(c)


@bp.post("/cycles/<cycle_id>/launch")
@api_change(
    "Launch: snapshot template and participants, create reviews in background batches (HR)", LaunchSchema, status=202
)
def launch_cycle(cycle_id: str):
    """Launch a cycle; poll /progress for the creation of reviews."""
    w = wiring()
    result = cycle_svc.launch_cycle(w.uow(), current_principal(), cycle_id, expected_version(), w.clock, w.queue)
    return respond(result, 202)


@bp.get("/cycles/<cycle_id>/progress")
@api_report("Reviews per state, per department, and overdue (HR, leadership)", ProgressSchema)
def cycle_progress(cycle_id: str):
    """Progress of a cycle."""
    w = wiring()
    return answer(cycle_svc.cycle_progress(w.uow(), current_principal(), cycle_id, w.clock.now().date()))


@bp.post("/cycles/<cycle_id>/close")
@api_change("Close a cycle: it becomes read-only (HR)", CycleSchema)
def close_cycle(cycle_id: str):
    """Close a cycle."""
    w = wiring()
    return _cycle_response(cycle_svc.close_cycle(w.uow(), current_principal(), cycle_id, expected_version(), w.clock))


@bp.post("/cycles/<cycle_id>/reopen")
@api_change("Reopen a closed cycle, with a reason (HR)", CycleSchema, ReasonSchema)
def reopen_cycle(cycle_id: str):
    """Reopen a cycle."""
    w = wiring()
    reason = load_body()["reason"]
    return _cycle_response(
        cycle_svc.reopen_cycle(w.uow(), current_principal(), cycle_id, expected_version(), reason, w.clock)
    )


def _audit_response(records: list[dict[str, Any]]):
    by_entity: dict[str, list[dict[str, Any]]] = {}
    for r in records:
        by_entity.setdefault(r["entity"], []).append(r)
    problems = [f"{e}: {p}" for e, rs in by_entity.items() for p in verify_chain(rs)]
    return answer({"records": records, "verified": not problems, "problems": problems}, schema=AuditSchema)


@bp.get("/cycles/<cycle_id>/audit")
@api_report("The audit trail of a cycle and its reviews, with chain verification (HR)", AuditSchema)
def cycle_audit(cycle_id: str):
    """A cycle's audit trail."""
    return _audit_response(review_svc.cycle_audit(wiring().uow(), current_principal(), cycle_id))


@bp.get("/cycles/<cycle_id>/team")
@api_doc("My direct reports' reviews in a cycle (managers)", response=TeamSchema)
def team(cycle_id: str):
    """A manager's team overview."""
    rows = review_svc.team_reviews(wiring().uow(), current_principal(), cycle_id)
    return respond({"reviews": rows})


class CursorSchema(Schema):
    """Paging through a long list."""

    cursor = Text(load_default=None, max_length=4096, metadata={"description": "the `next` value of the previous page"})


class CycleReviewsSchema(Schema):
    reviews = fields.List(fields.Raw())
    next = fields.String(allow_none=True)


@bp.get("/cycles/<cycle_id>/reviews")
@api_report("Every review of a cycle, 100 a page: state and what is due (HR)", CycleReviewsSchema, query=CursorSchema)
def cycle_reviews(cycle_id: str):
    """A cycle's reviews, paged."""
    token = load_query()["cursor"]
    cursor = decode_cursor(token, keys.cycle(cycle_id)["pk"], "REVIEW#") if token else None
    rows, after = review_svc.cycle_reviews(wiring().uow(), current_principal(), cycle_id, cursor)
    return answer({"reviews": rows, "next": encode_cursor(after) if after else None})


# --- reviews -----------------------------------------------------------------------------------

REVIEW = "/cycles/<cycle_id>/reviews/<employee_id>"


@bp.get(REVIEW)
@api_report("One review, as the principal may see it", ReviewSchema)
def get_review(cycle_id: str, employee_id: str):
    """Read a review (its goals with their pace today, as the pages show them)."""
    w = wiring()
    ctx = review_svc.ReviewContext(w.uow(), current_principal(), cycle_id, employee_id)
    return _review_response(review_svc.review_view(ctx, on=w.clock.now().date(), zone=w.clock.zone))


def _part_body(part: Part) -> type[Schema]:
    """The request of a review form: its content (validated as the page validates it) and whether to submit."""
    return Schema.from_dict(
        {
            "content": fields.Nested(part.schema, required=True),
            "submit": fields.Boolean(load_default=False, metadata={"description": "false saves a draft"}),
        },
        name=f"{part.key.capitalize()}BodySchema",
    )


def _part_view(part: Part):
    body_schema = _part_body(part)
    manager = part.key == "manager"

    @api_change(part.api_summary, ManagerSavedSchema if manager else ReviewSchema, body_schema)
    def save_part(cycle_id: str, employee_id: str):
        """Save or submit one of the review's forms (self assessment, manager assessment, discussion)."""
        w, body = wiring(), load_body()
        saved = part.save(
            w.uow(),
            current_principal(),
            cycle_id,
            employee_id,
            body["content"],
            expected_version(),
            body["submit"],
            w.clock,
        )
        if manager:  # what the low ratings suggest, so that a client can ask for the decision as the page does
            suggested = training_svc.suggestions(saved.template, saved.manager_assessment)
            data = {**vars(saved), "suggested_needs": suggested}
            return answer(ManagerSavedSchema(exclude=("goals", "carried_actions")).dump(data), version=saved.version)
        return _review_response(saved)

    return save_part


for _part in PARTS.values():  # PUT …/self, …/manager, …/discussion: endpoints put_self, put_manager, put_discussion
    bp.add_url_rule(f"{REVIEW}/{_part.key}", f"put_{_part.key}", _part_view(_part), methods=["PUT"])


@bp.post(REVIEW + "/acknowledge")
@api_change(
    "Acknowledge the review, agreeing or not, with an optional response (the employee)", ReviewSchema, AcknowledgeSchema
)
def post_acknowledge(cycle_id: str, employee_id: str):
    """Acknowledgement."""
    w, body = wiring(), load_body()
    return _review_response(
        review_svc.acknowledge(
            w.uow(),
            current_principal(),
            cycle_id,
            employee_id,
            body["agreement"],
            body["response"],
            expected_version(),
            w.clock,
        )
    )


def _withdraw(cycle_id: str, employee_id: str, part: str, version: int):
    w = wiring()
    principal = current_principal()
    view = review_svc.withdraw_submission(w.uow(), principal, cycle_id, employee_id, version, w.clock, part=part)
    return _review_response(view)


@bp.post(REVIEW + "/self/withdraw")
@api_change(
    "Take my submitted self assessment back to edit it, until my manager has started theirs (If-Match)", ReviewSchema
)
def post_withdraw_self(cycle_id: str, employee_id: str):
    """Withdraw a self assessment."""
    return _withdraw(cycle_id, employee_id, "self", expected_version())


@bp.post(REVIEW + "/manager/withdraw")
@api_change(
    "Take my submitted manager assessment back to edit it, until the discussion has started; its score goes until"
    " it is submitted again, released feedback stays released (If-Match)",
    ReviewSchema,
)
def post_withdraw_manager(cycle_id: str, employee_id: str):
    """Withdraw a manager assessment."""
    return _withdraw(cycle_id, employee_id, "manager", expected_version())


@bp.post(REVIEW + "/finalise")
@api_change("Finalise an acknowledged review (HR)", ReviewSchema)
def post_finalise(cycle_id: str, employee_id: str):
    """Finalisation."""
    w = wiring()
    return _review_response(
        review_svc.finalise(w.uow(), current_principal(), cycle_id, employee_id, expected_version(), w.clock)
    )


@bp.post(REVIEW + "/return")
@api_change("Return a review to an earlier state, with a reason (HR)", ReviewSchema, ReturnSchema)
def post_return(cycle_id: str, employee_id: str):
    """Return to an earlier state."""
    w, body = wiring(), load_body()
    return _review_response(
        review_svc.return_review(
            w.uow(),
            current_principal(),
            cycle_id,
            employee_id,
            body["to_state"],
            body["reason"],
            expected_version(),
            w.clock,
        )
    )


@bp.get(REVIEW + "/audit")
@api_doc(
    "The audit trail of one review, with chain verification (HR; to anyone else: 404)",
    response=AuditSchema,
)
def review_audit(cycle_id: str, employee_id: str):
    """A review's audit trail."""
    return _audit_response(review_svc.review_audit(wiring().uow(), current_principal(), cycle_id, employee_id))


@bp.get("/people/<employee_id>/history")
@api_report("A person's reviews across cycles and their actions (self, manager, HR)", HistorySchema)
def person_history(employee_id: str):
    """History across cycles."""
    return answer(review_svc.history(wiring().uow(), current_principal(), employee_id))


# --- actions -----------------------------------------------------------------------------------


@bp.get("/actions")
@api_doc("Actions I own, open first by due date", response=ActionListSchema)
def my_actions():
    """My tracked actions."""
    return respond({"actions": action_svc.my_actions(wiring().uow(), current_principal())})


@bp.patch("/actions/<action_id>")
@api_change("Update an action's status (its owner or HR)", ActionSchema, ActionStatusSchema)
def patch_action(action_id: str):
    """Move an action along."""
    w = wiring()
    status = load_body()["status"]
    result = action_svc.update_action_status(
        w.uow(), current_principal(), action_id, status, expected_version(), w.clock
    )
    return versioned(result, ActionSchema)
