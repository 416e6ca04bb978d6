"""A person's own data, self-service (a subject access request without asking HR): the content HR's
`review-cycles export-person` gives for them, their reviews as their own pages show them, as JSON from the API and as
a JSON file from their settings page (My notifications); each download is audited."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint

from service.services.personal_data import PersonalData, download_my_data
from service.web.api_io import answer
from service.web.auth import current_principal
from service.web.docs import api_doc
from service.web.page_helpers import page_principal
from service.web.schemas import schema_of
from service.web.wiring import wiring

bp = Blueprint("personal_data", __name__)
PersonalDataSchema = schema_of(PersonalData, "PersonalDataSchema")


@bp.get("/api/me/personal-data")
@api_doc(
    "Everything stored about me, as HR's export-person gives it (never an anonymous giver, a group's single answer "
    "or another person's private notes), my reviews as my pages show them; each download leaves an audit record",
    response=PersonalDataSchema,
)
def mine_api():
    """My personal data, as JSON."""
    w = wiring()
    return answer(asdict(download_my_data(w.uow(), current_principal(), w.clock)), schema=PersonalDataSchema)


@bp.get("/me/personal-data")
def mine_file():
    """My personal data, as a JSON file to keep (from the settings page's link)."""
    w, principal = wiring(), page_principal()
    resp = answer(asdict(download_my_data(w.uow(), principal, w.clock)), schema=PersonalDataSchema)
    resp.headers["Content-Disposition"] = f'attachment; filename="personal-data-{principal.employee_id}.json"'
    return resp
