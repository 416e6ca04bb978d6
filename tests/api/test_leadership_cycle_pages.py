"""Leadership's pages after HR launches a small cycle (issue 25, point 2): they keep showing the newest cycle
with data, offer a cycle choice (a plain GET form), keep a choice across pages and refuse an unknown cycle."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from tests import factories as f
from tests.conftest import AuthActions

CEO, HR, EMPLOYEE, CTO = "E001", "E005", "E020", "E003"
REPORTS = ("/", "/reports/training", "/goals/alignment", "/goals/organisation")


def launch_finance_cycle(table, clock) -> str:
    """HR launches a Finance-only cycle: nobody has done anything in it yet."""
    hr = f.principal(table, HR)
    template = template_svc.list_templates(UnitOfWork(table))[0]
    data = f.cycle_data(
        template.template_id, name="Finance pilot", participant_mode="departments", departments=["Finance"]
    )
    data["period_start"], data["period_end"] = clock.now().date(), clock.now().date().replace(month=12, day=31)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, data, clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    return cycle.cycle_id


@pytest.fixture(scope="module")
def world():
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = MemoryTable()
    load_demo(table, clock)
    current = cycle_svc.list_cycles(UnitOfWork(table))[0]
    return table, clock, current, launch_finance_cycle(table, clock)


@pytest.fixture(scope="module")
def app(world):
    from service.config import Settings
    from service.web import create_app

    table, clock, *_ = world
    settings = Settings(table_name="reviews-test", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    return create_app(settings, table=table, clock=clock)


def signed_in(app, employee_id: str = HR):
    """HR by default: the running cycle's figures reach HR live, leadership only once it closes (report_release;
    test_leadership_opens_the_training_report_on_the_newest_closed_cycle)."""
    client = app.test_client()
    AuthActions(client).login(employee_id)
    return client


def shown(html: str) -> str:
    """The cycle selected in the page's cycle choice."""
    return re.search(r'<option value="([^"]+)" selected>', html).group(1)


def test_the_home_and_reports_open_on_the_cycle_with_data_and_name_the_empty_one(app, world):
    _, _, current, _ = world
    client = signed_in(app)
    for url in REPORTS:
        resp = client.get(url)
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and shown(html) == current.cycle_id, url
        assert "“Finance pilot” has no figures here yet" in html, url
        assert '<label for="cycle-choice">Cycle shown</label>' in html and 'method="get"' in html
    home = client.get("/").get_data(as_text=True)
    section = home[home.index('id="h-leading"') : home.index('id="h-tasks"')]
    assert current.name in section and re.search(r"[1-9]\d* aligned goals?, [1-9]\d* (person|people)", section)
    assert "people</strong> named at least one training need" in section


def test_a_cycle_chosen_is_kept_on_the_next_report_and_a_link_shows_without_keeping(app, world):
    _, _, current, finance = world
    client = signed_in(app)
    home = client.get(f"/?cycle={finance}&chosen=1").get_data(as_text=True)
    assert shown(home) == finance and 'Your reports <span class="muted small">Finance pilot</span>' in home
    for url in REPORTS[1:]:
        html = client.get(url).get_data(as_text=True)
        assert shown(html) == finance and "You chose this cycle" in html, url
    # a link naming another cycle shows it, but the choice made stays
    assert shown(client.get(f"/goals/alignment?cycle={current.cycle_id}").get_data(as_text=True)) == current.cycle_id
    assert shown(client.get("/reports/training").get_data(as_text=True)) == finance
    # someone else's session is not touched
    assert shown(signed_in(app, CTO).get("/goals/alignment").get_data(as_text=True)) == current.cycle_id


@pytest.mark.parametrize("url", REPORTS)
def test_an_unknown_cycle_is_refused_with_a_message_and_the_default_shown(app, world, url):
    _, _, current, _ = world
    client = signed_in(app)
    resp = client.get(f"{url}?cycle=no-such-cycle&chosen=1")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "There is no cycle “no-such-cycle” to show here" in html
    assert shown(html) == current.cycle_id
    assert shown(client.get(url).get_data(as_text=True)) == current.cycle_id  # nothing kept
    long = client.get(f"{url}?cycle={'x' * 5000}")
    assert long.status_code == 404


def test_the_csv_follows_the_choice_and_refuses_an_unknown_cycle(app, world):
    _, _, current, finance = world
    client = signed_in(app)
    assert current.name.lower().replace(" ", "-") in client.get("/reports/training.csv").headers["Content-Disposition"]
    client.get(f"/reports/training?cycle={finance}&chosen=1")
    assert "finance-pilot" in client.get("/reports/training.csv").headers["Content-Disposition"]
    refused = client.get("/reports/training.csv?cycle=nope")
    assert refused.status_code == 302 and refused.headers["Location"].endswith("/reports/training?cycle=nope")
    assert client.get("/reports/training.pdf?cycle=nope").status_code == 404  # refused before any rendering


def test_people_without_the_reports_get_no_choice_and_no_report(app):
    client = signed_in(app, EMPLOYEE)
    assert 'id="h-leading"' not in client.get("/").get_data(as_text=True)
    assert client.get("/reports/training?cycle=nope&chosen=1").status_code == 403


def test_the_api_names_the_default_cycle_of_each_report(app, world):
    _, _, current, finance = world
    client = signed_in(app)
    client.get(f"/reports/training?cycle={finance}&chosen=1")  # a page's choice is the page's, not the API's
    for view in ("home", "goals", "training"):
        data = client.get(f"/api/reports/cycle?view={view}").get_json()
        assert data["view"] == view and data["cycle"]["cycle_id"] == current.cycle_id
        assert data["passed_over"] == [{"cycle_id": finance, "name": "Finance pilot", "state": "active"}]
    assert client.get("/api/reports/cycle").get_json()["view"] == "home"
    bad = client.get("/api/reports/cycle?view=nope")
    assert bad.status_code == 422 and "view" in bad.get_json()["errors"]
    assert signed_in(app, EMPLOYEE).get("/api/reports/cycle").status_code == 403
    assert "/api/reports/cycle" in client.get("/api/openapi.json").get_json()["paths"]


def test_leadership_opens_the_training_report_on_the_newest_closed_cycle(app, world):
    _, _, current, finance = world
    last_year = next(c for c in cycle_svc.list_cycles(UnitOfWork(world[0])) if c.state.value == "closed")
    client = signed_in(app, CEO)
    html = client.get("/reports/training").get_data(as_text=True)
    assert shown(html) == last_year.cycle_id  # the running ones are named
    assert f"“Finance pilot”, “{current.name}” are running: a cycle's figures are shown here when it closes" in html
    data = client.get("/api/reports/cycle?view=training").get_json()
    assert data["cycle"]["cycle_id"] == last_year.cycle_id
    assert [c["cycle_id"] for c in data["passed_over"]] == [finance, current.cycle_id]
    # Goals are not review-derived: they stay on the running cycle.
    assert client.get("/api/reports/cycle?view=goals").get_json()["cycle"]["cycle_id"] == current.cycle_id
