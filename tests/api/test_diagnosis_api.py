"""Where problems sit and the organisation's improvement plan (issue 27, points 2 and 3) over the demo organisation
(in-memory table): the JSON API, the OpenAPI document, and the pages without JavaScript. Assertions read the stored
plan and its audit trail, and what the answers and pages show."""

from __future__ import annotations

import copy
import re
from datetime import timedelta

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.workflow import Progress
from tests.api.test_decisions_api import api
from tests.conftest import AuthActions

_LOADED: dict[str, MemoryTable] = {}


@pytest.fixture
def demo_table(clock) -> MemoryTable:
    """The demo organisation, loaded once for the module (the clock is fixed) and copied for each test."""
    if "demo" not in _LOADED:
        _LOADED["demo"] = MemoryTable()
        load_demo(_LOADED["demo"], clock)
    table = MemoryTable()
    table._items, table._parts = copy.deepcopy(_LOADED["demo"]._items), copy.deepcopy(_LOADED["demo"]._parts)
    return table


@pytest.fixture
def app(settings, demo_table, clock):
    from service.web import create_app

    return create_app(settings, table=demo_table, clock=clock)


def current_cycle(table) -> str:
    return max(UnitOfWork(table).cycles.list(), key=lambda c: c.period_start).cycle_id


def diagnosis(app, table, who="E005"):
    """The running cycle's diagnosis, read by HR (Ingrid, who sees its live figures; leadership reads them once it
    closes: tests/api/test_reports_over_time.py)."""
    client, headers = api(app, who)
    answer = client.get(f"/api/cycles/{current_cycle(table)}/diagnosis", headers=headers)
    assert answer.status_code == 200, answer.get_json()
    return answer.get_json()


def test_the_diagnosis_reads_where_obstacles_sit_and_withholds_small_groups(app, demo_table):
    data = diagnosis(app, demo_table)
    areas = {a["area"]: a["obstacles"] for a in data["areas"]}
    assert set(areas) == {
        "workforce",
        "tools_and_processes",
        "management_and_leadership",
        "resources",
        "workload",
        "other",
    }
    top = data["findings"][0]
    assert top["kind"] == "obstacles" and f"{areas[top['key'].split(':')[1]]}" in top["text"]
    # The demo's two departments each had fewer than 5 people rated by a manager: withheld, never zero.
    assert data["departments"] and all(r["suppressed"] and r["rated"] is None for r in data["departments"])
    assert all(c["below"] is None for r in data["departments"] for c in r["gaps"])
    assert [t["cycle_name"] for t in data["trend"]][-1] == data["cycle_name"]


def test_the_demo_shows_last_years_upward_levels_in_the_trend_and_this_years_when_final(app, demo_table):
    data = diagnosis(app, demo_table)
    # This year's groups are still open (the feedback deadline is ahead): no level, and the day they show.
    assert data["levels"] == [] and data["upward_final"] is False and data["upward_from"]
    assert not any(f["kind"] == "upward" for f in data["findings"])
    last, this = data["trend"]
    assert last["upward_final"] and last["upward"] == [
        {"level": 3, "managers": 2, "respondents": 10, "average": 3.35}  # Lukas's and Fatima's reports, 5 each
    ]
    assert this["upward"] == [] and this["upward_final"] is False
    client, headers = api(app, "E001")
    before = client.get(f"/api/cycles/{last['cycle_id']}/diagnosis", headers=headers).get_json()
    assert before["levels"] == last["upward"]  # the trend shows last year as its own diagnosis does
    (said,) = [f["text"] for f in before["findings"] if f["kind"] == "upward"]
    assert said == (
        "Upward feedback is shown only for managers at level 3: 3.35 on the 5-point scale, at or above expectations "
        "(10 answers)."
    )


def test_the_diagnosis_is_for_leadership_and_hr_only(app, demo_table):
    client, headers = api(app, "E007")  # a manager
    answer = client.get(f"/api/cycles/{current_cycle(demo_table)}/diagnosis", headers=headers)
    assert answer.status_code == 403
    assert answer.get_json()["code"] == "forbidden"


def new_item(finding_key, clock, **overrides):
    return {
        "source": "diagnosis",
        "finding_key": finding_key,
        "title": "Replace the CI runners",
        "owner_id": "E007",
        "due": (clock.now().date() + timedelta(days=60)).isoformat(),
        **overrides,
    }


def test_an_item_made_from_a_finding_keeps_its_sentence_and_is_audited(app, demo_table, clock):
    key = diagnosis(app, demo_table)["findings"][0]
    client, headers = api(app, "E005")
    body = {**new_item(key["key"], clock), "cycle_id": current_cycle(demo_table)}
    answer = client.post("/api/improvement-plan", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    made = answer.get_json()
    assert made["finding"] == key["text"] and made["status"] == "planned" and answer.headers["ETag"] == '"1"'
    stored = UnitOfWork(demo_table).plan.get(made["item_id"])
    assert stored.finding == key["text"] and stored.owner_id == "E007"
    trail = UnitOfWork(demo_table).plan.trail(made["item_id"])
    assert [r["action"] for r in trail] == ["create"] and trail[0]["actor"] == "E005"


def test_an_item_made_from_a_rating_report_row_reads_the_row_as_the_report_shows_it(app, demo_table, clock):
    client, headers = api(app, "E005")
    cycle_id = current_cycle(demo_table)
    page = client.get(f"/cycles/{cycle_id}/ratings").get_data(as_text=True)
    assert 'value="level:Level 4"' in page  # the report's page offers its rows with figures
    body = {**new_item("level:Level 4", clock), "source": "calibration_report", "cycle_id": cycle_id}
    answer = client.post("/api/improvement-plan", json=body, headers=headers)
    assert answer.status_code == 201, answer.get_json()
    assert (
        answer.get_json()["finding"].startswith("Rating report, ")
        and "Level 4, average rating 3.29" in (answer.get_json()["finding"])
    )
    withheld = {**body, "finding_key": "department:Sales"}  # its figures are withheld: no row to act on
    assert client.post("/api/improvement-plan", json=withheld, headers=headers).status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"finding_key": "obstacles:nowhere"}, None),  # no such finding: 404, nothing stored
        ({"owner_id": "E999"}, "owner_id"),
        ({"due": "2001-01-01"}, "due"),
        ({"due": "not a date"}, "due"),
        ({"source": "rumour"}, "source"),
        ({"title": ""}, "title"),
    ],
)
def test_a_bad_item_is_refused_with_its_field_and_stores_nothing(app, demo_table, clock, change, field):
    key = diagnosis(app, demo_table)["findings"][0]["key"]
    client, headers = api(app, "E005")
    body = {**new_item(key, clock), "cycle_id": current_cycle(demo_table), **change}
    before = len(UnitOfWork(demo_table).plan.all())
    answer = client.post("/api/improvement-plan", json=body, headers=headers)
    assert answer.status_code == (404 if field is None else 422), answer.get_json()
    if field:
        assert field in answer.get_json()["errors"]
    assert len(UnitOfWork(demo_table).plan.all()) == before


def test_only_leadership_and_hr_add_to_the_plan(app, demo_table, clock):
    key = diagnosis(app, demo_table)["findings"][0]["key"]
    client, headers = api(app, "E007")
    body = {**new_item(key, clock), "cycle_id": current_cycle(demo_table)}
    before = len(UnitOfWork(demo_table).plan.all())
    assert client.post("/api/improvement-plan", json=body, headers=headers).status_code == 403
    assert len(UnitOfWork(demo_table).plan.all()) == before


def test_the_owner_moves_an_item_on_by_the_table_and_a_stale_version_is_refused(app, demo_table):
    item = UnitOfWork(demo_table).plan.all()[0]  # the demo's own
    client, headers = api(app, item.owner_id)
    url = f"/api/improvement-plan/{item.item_id}/status"
    moved = client.post(
        url, json={"action": "complete", "note": "Done"}, headers={**headers, "If-Match": f'"{item.version}"'}
    )
    assert moved.status_code == 200, moved.get_json()
    assert UnitOfWork(demo_table).plan.get(item.item_id).status is Progress.DONE
    stale = client.post(url, json={"action": "reopen"}, headers={**headers, "If-Match": f'"{item.version}"'})
    assert stale.status_code == 412
    refused = client.post(url, json={"action": "start"}, headers={**headers, "If-Match": moved.headers["ETag"]})
    assert refused.status_code == 409  # a done item is not started: the table has no such step
    assert UnitOfWork(demo_table).plan.get(item.item_id).status is Progress.DONE
    someone = api(app, "E020")
    assert client.post(url, json={"action": "reopen"}, headers=headers).status_code == 428
    assert (
        someone[0]
        .post(url, json={"action": "reopen"}, headers={**someone[1], "If-Match": moved.headers["ETag"]})
        .status_code
        == 403
    )


def test_everyone_reads_the_plan(app, demo_table):
    client, headers = api(app, "E020")  # an employee
    data = client.get("/api/improvement-plan", headers=headers).get_json()
    assert data["items"] and data["progress"]["total"] == len(data["items"]) and data["may_manage"] is False


def test_the_openapi_document_describes_the_diagnosis_and_the_plan(app):
    client, headers = api(app, "E001")
    doc = client.get("/api/openapi.json", headers=headers).get_json()
    assert "/api/cycles/{cycle_id}/diagnosis" in doc["paths"]
    assert set(doc["paths"]["/api/improvement-plan"]) == {"get", "post"}
    source = doc["components"]["schemas"]["PlanItemIn"]["properties"]["source"]
    assert set(source["enum"]) == {"diagnosis", "training_report", "calibration_report"}
    schemas = doc["components"]["schemas"]
    trend = schemas["DiagnosisTrend"]["properties"]  # issue 27: upward feedback by level in each cycle of the trend
    assert trend["upward"]["items"] == {"$ref": "#/components/schemas/DiagnosisLevel"}
    assert trend["upward_final"] == {"type": "boolean"}
    assert schemas["Diagnosis"]["properties"]["upward_from"]["format"] == "date"


# --- the pages, without JavaScript ---------------------------------------------------------------------------


def page(app, who):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(who)
    return client, auth


def test_the_diagnosis_page_shows_the_reading_and_leads_to_the_plan_form(app, demo_table):
    client, _ = page(app, "E005")
    html = client.get("/reports/diagnosis").get_data(as_text=True)
    assert "What stands out" in html and "Most obstacles recorded sit with" in html
    link = re.search(r'href="(/improvement-plan/new\?[^"]+)"', html).group(1).replace("&amp;", "&")
    form = client.get(link)
    assert form.status_code == 200 and "Most obstacles recorded sit with" in form.get_data(as_text=True)


def test_the_plan_form_comes_back_with_messages_and_saves_nothing(app, demo_table, clock):
    client, auth = page(app, "E005")
    key = diagnosis(app, demo_table, "E005")["findings"][0]["key"]
    before = len(UnitOfWork(demo_table).plan.all())
    form = {
        "csrf_token": auth.csrf,
        "source": "diagnosis",
        "cycle_id": current_cycle(demo_table),
        "finding_key": key,
        "title": "",
        "owner_id": "",
        "due": "",
    }
    answer = client.post("/improvement-plan/new", data=form)
    assert answer.status_code == 422
    assert "The item cannot be added yet" in answer.get_data(as_text=True)
    assert len(UnitOfWork(demo_table).plan.all()) == before
    form.update(
        title="Replace the CI runners", owner_id="E007", due=(clock.now().date() + timedelta(days=30)).isoformat()
    )
    saved = client.post("/improvement-plan/new", data=form)
    assert saved.status_code == 302
    assert len(UnitOfWork(demo_table).plan.all()) == before + 1


def test_every_home_page_links_to_the_plan_and_the_plan_page_lists_it(app, demo_table):
    client, _ = page(app, "E020")
    assert "/improvement-plan" in client.get("/").get_data(as_text=True)
    html = client.get("/improvement-plan").get_data(as_text=True)
    assert UnitOfWork(demo_table).plan.all()[0].title in html
