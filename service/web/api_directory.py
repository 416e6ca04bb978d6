"""JSON API of the organisation directory."""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, request

from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Employee, Role
from service.domain.errors import TooLarge, ValidationFailed
from service.services import directory as svc
from service.services.policy import require_role
from service.web.api_io import answer, load_body, load_query, respond
from service.web.auth import current_principal
from service.web.docs import api_doc, api_report
from service.web.schemas import (
    ImportHistorySchema,
    ImportJsonSchema,
    ImportQuerySchema,
    ImportResultSchema,
    MeSchema,
    PeopleSchema,
    PersonSchema,
)
from service.web.wiring import wiring

bp = Blueprint("api_directory", __name__, url_prefix="/api")
MAX_IMPORT_BYTES = 5 * 1024 * 1024


def person_json(p: Employee) -> dict:
    """A person as the API shows them."""
    return PersonSchema().dump(
        {
            "employee_id": p.employee_id,
            "name": p.name,
            "email": p.email,
            "title": p.title,
            "department": p.department,
            "manager_id": p.manager_id,
            "roles": sorted(r.value for r in p.roles),
            "active": p.active,
            "version": p.version,
        }
    )


def people_json(people: list[Employee]):
    """A list of people as JSON."""
    return answer({"people": [person_json(p) for p in people]}, schema=PeopleSchema)


@bp.get("/me")
@api_doc("The signed-in principal", response=MeSchema)
def me():
    """Who am I."""
    p = current_principal()
    return respond({"employee_id": p.employee_id, "name": p.name, "roles": sorted(p.roles)})


@bp.get("/people/<employee_id>")
@api_doc("One person", response=PersonSchema)
def person(employee_id: str):
    """One person from the directory."""
    current_principal()
    return answer(person_json(svc.get_person(wiring().uow(), employee_id)))


# Lists of people found by one directory query each: (rule, endpoint, summary, query).
PEOPLE_LISTS: tuple[tuple[str, str, str, Callable[[UnitOfWork, str], list[Employee]]], ...] = (
    ("/people/<employee_id>/reports", "reports", "A person's direct reports", svc.direct_reports),
    ("/people/<employee_id>/chain", "chain", "A person's management chain, their manager first", svc.management_chain),
    ("/departments/<path:name>/people", "department", "The people of a department", svc.department),
)


def _people_view(summary: str, query: Callable[[UnitOfWork, str], list[Employee]]) -> Callable[..., Response]:
    @api_doc(summary, response=PeopleSchema)
    def people(**path: str) -> Response:
        """People found by one directory query (the rule's one path argument: a person or a department)."""
        current_principal()
        (key,) = path.values()
        return people_json(query(wiring().uow(), key))

    return people


for _rule, _endpoint, _summary, _query in PEOPLE_LISTS:
    bp.add_url_rule(_rule, _endpoint, _people_view(_summary, _query), methods=["GET"])


@bp.post("/org/imports")
@api_doc(
    "Import the organisation from CSV (HR); a bad file is rejected whole with row-numbered errors",
    response=ImportResultSchema,
    body=ImportJsonSchema,
    query=ImportQuerySchema,
    errors=(412,),
    body_content=("text/csv", "multipart/form-data", "application/json"),
)
def import_org():
    """Apply an organisation CSV (text/csv body, multipart `file`, or JSON {csv})."""
    principal = current_principal()
    require_role(principal, Role.HR)
    options = load_query()
    text = _csv_from_request()
    w = wiring()
    mailer = w.extras.get("mailer")  # issue 28: managers told of the reviews that moved to or from them
    result = svc.import_organisation(w.uow(), principal, text, w.clock, dry_run=options["dry_run"], mailer=mailer)
    return respond(result)


@bp.get("/org/imports")
@api_report("Applied imports, newest first (HR)", ImportHistorySchema)
def import_history():
    """History of organisation imports."""
    items = svc.import_history(wiring().uow(), current_principal())
    return respond({"imports": items})


def _csv_from_request() -> str:
    if (request.content_length or 0) > MAX_IMPORT_BYTES:
        raise TooLarge(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    if request.mimetype == "application/json":
        raw = load_body()["csv"]
        return raw
    if request.mimetype == "multipart/form-data":
        upload = request.files.get("file")
        if upload is None:
            raise ValidationFailed("Attach the CSV file.", {"file": ["required"]})
        data = upload.read(MAX_IMPORT_BYTES + 1)
    else:
        data = request.get_data(cache=False)
    if len(data) > MAX_IMPORT_BYTES:
        raise TooLarge(f"the file is larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MB")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValidationFailed("The file is not UTF-8 text.", {"file": ["save the CSV as UTF-8"]}) from exc
