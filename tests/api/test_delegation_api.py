"""Acting managers through the API and the pages (issue 28, point 3): named, acting audited as such, revoked."""

from __future__ import annotations

import re

import pytest

from service.adapters.mailer import MemoryMailer
from tests import factories as f
from tests.api.conftest import assert_error, ok, review_url, write

pytestmark = pytest.mark.usefixtures("launched_state")
MARCH = {"acting_id": "E6", "starts": "2026-03-01", "ends": "2026-03-10"}


@pytest.fixture(scope="module")
def app(module_app):
    module_app.extensions["reviews"].extras["mailer"] = MemoryMailer()
    return module_app


def _sent(app) -> list:
    return app.extensions["reviews"].extras["mailer"].sent


def test_the_acting_manager_writes_for_the_manager_and_the_trail_says_so(app, as_, launched_cycle_id):
    cid = launched_cycle_id
    before = len(_sent(app))
    named = ok(as_("E3").post("/api/delegations", MARCH), 201)
    assert (named["manager_id"], named["acting_id"], named["named_by"]) == ("E3", "E6", "E3")
    told = _sent(app)[before:]
    assert [sorted(e.to) for e in told] == [["alan@example.com", "barbara@example.com"]]
    acting = as_("E6")
    write(acting, cid, "E4", "manager", {"content": f.manager_content(narrative="From the acting manager")})
    assert ok(as_("E3").get(review_url(cid, "E4")))["manager_assessment"]["narrative"] == "From the acting manager"
    records = ok(as_("E2").get(review_url(cid, "E4", "audit")))["records"]
    assert (records[-1]["actor"], records[-1]["on_behalf_of"]) == ("E6", "E3")
    page = as_("E2").get(f"/cycles/{cid}/reviews/E4/audit").get_data(as_text=True)
    assert "Barbara Liskov for Alan Turing" in page
    assert "The chain verifies" in page
    assert ok(acting.get(review_url(cid, "E4")))["acting_for"] == {"id": "E3", "name": "Alan Turing"}
    assert ok(as_("E3").get(review_url(cid, "E4")))["acting_for"] is None
    form = acting.get(f"/cycles/{cid}/reviews/E4/manager").get_data(as_text=True)
    assert "You act for Alan Turing" in form
    # The acting manager sees the team on their team overview.
    team = ok(acting.get(f"/api/cycles/{cid}/team"))
    assert {r["employee_id"] for r in team["reviews"]} == {"E4", "E5"}


def test_revoked_the_acting_manager_no_longer_reaches_the_reviews(as_, launched_cycle_id):
    cid = launched_cycle_id
    named = ok(as_("E3").post("/api/delegations", MARCH), 201)
    url = f"/api/delegations/{named['delegation_id']}/revoke"
    assert_error(as_("E3").post(url), 428)
    assert_error(as_("E5").post(url, version=named["version"]), 404)  # not theirs: it does not exist for them
    revoked = ok(as_("E3").post(url, version=named["version"]))
    assert revoked["revoked_by"] == "E3"
    assert_error(as_("E3").post(url, version=revoked["version"]), 409, "conflict")
    assert_error(as_("E6").get(review_url(cid, "E4")), 404)
    lists = ok(as_("E6").get("/api/delegations"))
    assert [r["status"] for r in lists["acting"]] == ["revoked"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**MARCH, "acting_id": "E4"}, "acting_id"),  # one of the team
        ({**MARCH, "acting_id": "E3"}, "acting_id"),  # the manager themselves
        ({**MARCH, "acting_id": "E99"}, "acting_id"),  # nobody
        ({**MARCH, "ends": "2026-02-27"}, "ends"),  # backwards
        ({"acting_id": "E6", "starts": "2026-03-01"}, "ends"),  # missing
        ({**MARCH, "starts": "1st of March"}, "starts"),  # not a date
    ],
)
def test_a_bad_delegation_is_a_field_error_and_stores_nothing(as_, body, field):
    resp = as_("E3").post("/api/delegations", body)
    assert field in assert_error(resp, 422)
    assert ok(as_("E3").get("/api/delegations"))["mine"] == []


def test_someone_who_manages_nobody_cannot_name_one_for_a_manager(as_):
    assert_error(as_("E5").post("/api/delegations", {**MARCH, "manager_id": "E3"}), 403)
    assert ok(as_("E2").post("/api/delegations", {**MARCH, "manager_id": "E3"}), 201)["named_by"] == "E2"


def test_the_page_names_one_with_a_plain_form_and_shows_messages(as_):
    manager = as_("E3")
    page = manager.get("/delegations").get_data(as_text=True)
    assert "Name an acting manager" in page and 'class="hint next-step"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    bad = manager.client.post("/delegations", data={"csrf_token": token, "acting_id": "E4", "starts": "2026-03-01"})
    assert bad.status_code == 422
    text = bad.get_data(as_text=True)
    assert "one of the reports whose reviews it covers" in text or "required" in text
    good = manager.client.post("/delegations", data={"csrf_token": token, **MARCH})
    assert good.status_code == 302
    listed = manager.get("/delegations").get_data(as_text=True)
    assert "Barbara Liskov" in listed and "Acting now" in listed and "Revoke Barbara Liskov" in listed
    version = re.search(r'name="version" value="(\d+)"', listed).group(1)
    action = re.search(r'action="(/delegations/[^"]+/revoke)"', listed).group(1)
    done = manager.client.post(action, data={"csrf_token": token, "version": version})
    assert done.status_code == 302
    assert "Revoked" in manager.get("/delegations").get_data(as_text=True)


def test_a_manager_change_by_import_moves_the_review_and_the_page_offers_the_former_draft(app, as_, launched_cycle_id):
    from tests.conftest import ORG_CSV

    cid = launched_cycle_id
    write(as_("E3"), cid, "E4", "manager", {"content": f.manager_content(narrative="Alan's draft")})
    before = len(_sent(app))
    moved = ORG_CSV.replace("Engineering,E3,", "Engineering,E6,")
    ok(as_("E2").post("/api/org/imports", {"csv": moved}))
    assert [sorted(e.to) for e in _sent(app)[before:]] == [["alan@example.com", "barbara@example.com"]]
    assert_error(as_("E3").get(review_url(cid, "E4")), 404)  # the former manager no longer reads it
    new = as_("E6")
    view = ok(new.get(review_url(cid, "E4")))
    assert view["manager_id"] == "E6" and view["manager_draft_by"] == {"id": "E3", "name": "Alan Turing"}
    page = new.get(f"/cycles/{cid}/reviews/E4/manager").get_data(as_text=True)
    assert "Draft by Alan Turing" in page and "Take over the draft" in page
    assert_error(new.post(review_url(cid, "E4", "manager/former-draft"), {"keep": "maybe"}, view["version"]), 422)
    kept = ok(new.post(review_url(cid, "E4", "manager/former-draft"), {"keep": True}, view["version"]))
    assert kept["manager_draft_by"] is None and kept["manager_assessment"]["narrative"] == "Alan's draft"
    assert "Draft by" not in new.get(f"/cycles/{cid}/reviews/E4/manager").get_data(as_text=True)


def test_the_operations_are_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/delegations",
        "/api/delegations/{delegation_id}/revoke",
        "/api/cycles/{cycle_id}/reviews/{employee_id}/manager/former-draft",
        "/api/cycles/{cycle_id}/reviews/{employee_id}/contributions",
        "/api/contributions/{contribution_id}",
    ):
        assert path in paths, path
    assert (
        "on_behalf_of"
        in client.get("/api/openapi.json").get_json()["components"]["schemas"]["AuditRecord"]["properties"]
    )
