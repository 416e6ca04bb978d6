"""Scheduled reviews through the JSON API and the pages (issue 28, point 4): HR's rules created, edited, paused,
archived and restored (versioned, refused with field messages), the 30-day preview, the OpenAPI document."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests.conftest import ORG_CSV

pytestmark = pytest.mark.usefixtures("launched_state")
TODAY = date(2026, 3, 2)  # the module app's clock


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


@pytest.fixture
def table(app, clock):
    """The organisation with start dates: Katherine's 90 days of probation end in 10 days."""
    table = app.extensions["reviews"].table
    started = TODAY + timedelta(days=10) - timedelta(days=90)
    org = ORG_CSV.replace("roles\n", "roles,start_date\n", 1).replace(",E3,\n", f",E3,,{started}\n", 1)
    import_organisation(UnitOfWork(table), None, org, clock)
    return table


@pytest.fixture
def template_id(table) -> str:
    return template_svc.list_templates(UnitOfWork(table))[0].template_id


def rules(table) -> list[Any]:
    from service.adapters.schedule_store import ScheduleRepository

    return ScheduleRepository(UnitOfWork(table)).everything()[0]


def text(resp) -> str:
    return resp.get_data(as_text=True)


def test_hr_manages_a_rule_through_the_api_and_previews_who_is_due(as_, table, template_id):
    hr = as_("E2")
    body = {"name": "Probation", "kind": "probation", "template_id": template_id, "days": 90}
    made = hr.post("/api/schedules", body)
    assert made.status_code == 201, made.get_json()
    rule = made.get_json()
    assert made.headers["ETag"] == '"1"' and rule["offsets"]["self_assessment"] == 14 and rule["state"] == "active"

    preview = hr.get("/api/schedules/preview?days=30").get_json()["upcoming"]
    assert [(u["name"], u["on"]) for u in preview] == [("Katherine Johnson", "2026-03-12")]
    assert hr.get("/api/schedules/preview?days=5").get_json()["upcoming"] == []

    url = f"/api/schedules/{rule['rule_id']}"
    edited = hr.put(url, {**body, "days": 180, "offsets": {"self_assessment": 10, "discussion": 50}}, version=1)
    assert edited.status_code == 200, edited.get_json()
    assert edited.get_json()["offsets"] == {
        "goal_setting": 7,
        "self_assessment": 10,
        "feedback": 21,
        "manager_assessment": 28,
        "discussion": 50,
    }
    assert hr.put(url, body, version=1).status_code == 412  # a stale edit: refused, not overwritten
    paused = hr.post(f"{url}/pause", version=2)
    assert paused.get_json()["state"] == "paused"
    assert hr.get("/api/schedules/preview").get_json()["upcoming"] == []
    assert hr.post(f"{url}/archive", version=3).get_json()["state"] == "archived"
    assert hr.get("/api/schedules").get_json()["rules"] == []
    assert [r["name"] for r in hr.get("/api/schedules?archived=true").get_json()["rules"]] == ["Probation"]
    assert hr.post(f"{url}/resume", version=4).status_code == 409  # an archived rule is restored first
    assert hr.post(f"{url}/restore", version=4).get_json()["state"] == "paused"
    assert [r.days for r in rules(table)] == [180]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "weekly"}, "kind"),
        ({"days": 0}, "days"),
        ({"days": "ninety"}, "days"),
        ({"offsets": {"self_assessment": -1}}, "offsets"),
        ({"offsets": {"self_assessment": 30, "manager_assessment": 20}}, "offsets"),
        ({"template_id": "no-such-template"}, "template_id"),
        ({"departments": ["Nowhere"]}, "departments"),
        ({"kind": "calendar"}, "every_months"),
        ({"kind": "joiners", "cycle_id": "no-such-cycle"}, "cycle_id"),
    ],
)
def test_a_bad_rule_is_refused_naming_the_field_and_nothing_is_stored(as_, table, template_id, change, field):
    body = {"name": "Probation", "kind": "probation", "template_id": template_id, "days": 90, **change}
    refused = as_("E2").post("/api/schedules", body)
    assert refused.status_code == 422, refused.get_json()
    answer = refused.get_json()
    assert answer["code"] in ("invalid_request", "validation_failed") and field in answer["errors"], answer
    assert rules(table) == []


def test_only_hr_sees_or_changes_rules(as_, table, template_id):
    katherine = as_("E4")
    body = {"name": "Probation", "kind": "probation", "template_id": template_id, "days": 90}
    assert katherine.post("/api/schedules", body).status_code == 403
    assert katherine.get("/api/schedules").status_code == 403
    assert katherine.get("/hr/schedules").status_code == 403
    assert rules(table) == []


def test_the_openapi_document_lists_the_schedule_operations(as_):
    doc = as_("E2").get("/api/openapi.json").get_json()
    assert {"get", "post"} <= set(doc["paths"]["/api/schedules"])
    assert doc["paths"]["/api/schedules/{rule_id}/pause"]["post"]["responses"]["200"]
    kinds = doc["components"]["schemas"]["RuleIn"]["properties"]["kind"]["enum"]
    assert kinds == ["probation", "anniversary", "calendar", "joiners"]


# --- the pages, without JavaScript ----------------------------------------------------------------------------


def post(actor, path: str, data: dict[str, Any]):
    return actor.client.post(path, data={"csrf_token": actor.auth.csrf, **data}, follow_redirects=True)


def test_hr_sets_up_a_rule_on_the_page_sees_who_is_due_and_pauses_it(as_, table, template_id):
    hr = as_("E2")
    form = hr.get("/hr/schedules/new")
    assert form.status_code == 200 and 'name="offsets.self_assessment" value="14"' in text(form)
    data = {"name": "Probation", "kind": "probation", "template_id": template_id, "days": "90"}
    data |= {"offsets.self_assessment": "14", "offsets.discussion": "42"}
    page = post(hr, "/hr/schedules/new", data)
    assert "Rule “Probation” saved." in text(page) and "90 days after the start date" in text(page)
    due = text(page)[text(page).index('id="h-upcoming"') :]
    assert "Katherine Johnson" in due and "Engineering" in due
    [rule] = rules(table)
    paused = post(hr, f"/hr/schedules/{rule.rule_id}/pause", {"version": str(rule.version)})
    assert "paused: it creates no reviews until resumed" in text(paused)
    assert "Nobody: no active rule falls due" in text(paused) and rules(table)[0].state == "paused"


def test_a_bad_form_comes_back_with_its_messages_and_nothing_is_stored(as_, table, template_id):
    hr = as_("E2")
    data = {"name": "", "kind": "probation", "template_id": template_id, "days": "0", "offsets.discussion": "3"}
    page = hr.client.post("/hr/schedules/new", data={"csrf_token": hr.auth.csrf, **data})
    assert page.status_code == 422
    assert 'id="error-summary"' in text(page) and "Probation: days after the start date" in text(page)
    assert 'name="offsets.discussion" value="3"' in text(page)  # shown again as typed
    assert rules(table) == []


def test_a_stale_rule_form_comes_back_as_typed_at_the_stored_version_and_changes_nothing(as_, table, template_id):
    hr = as_("E2")
    data = {"name": "Probation", "kind": "probation", "template_id": template_id, "days": "90"}
    post(hr, "/hr/schedules/new", {**data, "offsets.self_assessment": "14", "offsets.discussion": "42"})
    [rule] = rules(table)
    edit = f"/hr/schedules/{rule.rule_id}/edit"
    assert post(hr, edit, {**data, "name": "First", "version": str(rule.version)}).status_code == 200
    stale = {**data, "name": "Second", "offsets.discussion": "41", "version": str(rule.version)}
    page = hr.client.post(edit, data={"csrf_token": hr.auth.csrf, **stale})
    assert page.status_code == 409 and "Someone else changed this rule meanwhile" in text(page)
    assert 'name="name" value="Second"' in text(page) and 'name="offsets.discussion" value="41"' in text(page)
    assert f'name="version" value="{rule.version + 1}"' in text(page)
    assert [r.name for r in rules(table)] == ["First"]
