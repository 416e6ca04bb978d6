"""Anonymity over time in the leadership reports (services/report_release.py), over the demo organisation.

A leader reads every report surface about the running cycle before and after one manager submits one review (with
a training need, an obstacle and low ratings): the readings are identical, so the difference gives nothing away. HR
reads the same figures live and sees them move; once HR closes the cycle the leader reads the final figures, the
same as HR's. The scheduled email follows the rule for its recipients (leadership)."""

from __future__ import annotations

import copy
import csv
import io
import re
from datetime import timedelta

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from service.services import training
from service.services.training_delivery import deliver_training_reports
from tests import factories as f
from tests.conftest import AuthActions

_LOADED: dict[str, MemoryTable] = {}
LEADER, HR, MANAGER, SUBJECT = "E001", "E005", "E013", "E014"  # Fatima submits Jonas's review
HEAD = "E004"  # VP Sales: a manager reading their subtree's report (cannot read each review below them)
HELD = "This cycle&#39;s figures are shown when it closes."


@pytest.fixture
def world(settings, clock):
    """The demo organisation (loaded once, copied for each test) and its web app."""
    if "demo" not in _LOADED:
        _LOADED["demo"] = MemoryTable()
        load_demo(_LOADED["demo"], clock)
    table = MemoryTable()
    table._items, table._parts = copy.deepcopy(_LOADED["demo"]._items), copy.deepcopy(_LOADED["demo"]._parts)
    from service.web import create_app

    app = create_app(settings, table=table, clock=clock)
    cycle_id = cycle_svc.list_cycles(UnitOfWork(table))[0].cycle_id
    assert cycle_svc.get_cycle(UnitOfWork(table), cycle_id).state.value == "active"
    return app, table, cycle_id


def client(app, who: str):
    c = app.test_client()
    auth = AuthActions(c)
    auth.login(who)
    return c, auth.headers()


def _plain(html: str) -> str:
    """A page without what changes per request (the CSRF token, the generation time)."""
    html = re.sub(r'name="csrf_token" value="[^"]+"', "", html)
    return re.sub(r"Generated [^<·]+", "", html)


def readings(app, cycle_id: str, who: str) -> dict[str, object]:
    """Every surface a reader gets about the cycle: JSON, CSV, pages, the home's overview."""
    c, headers = client(app, who)
    out: dict[str, object] = {}
    for n in (3, 10):
        data = c.get(f"/api/cycles/{cycle_id}/training-report?n={n}", headers=headers).get_json()
        data.pop("generated_at")
        out[f"training json n={n}"] = data
    out["training csv"] = c.get(f"/reports/training.csv?cycle={cycle_id}").get_data(as_text=True)
    out["training page"] = _plain(c.get(f"/reports/training?cycle={cycle_id}").get_data(as_text=True))
    if who != HEAD:
        out["diagnosis json"] = c.get(f"/api/cycles/{cycle_id}/diagnosis", headers=headers).get_json()
        out["diagnosis page"] = _plain(c.get(f"/reports/diagnosis?cycle={cycle_id}").get_data(as_text=True))
        out["ratings json"] = c.get(f"/api/cycles/{cycle_id}/rating-report", headers=headers).get_json()
        out["ratings csv"] = c.get(f"/cycles/{cycle_id}/ratings.csv").get_data(as_text=True)
        out["ratings page"] = _plain(c.get(f"/cycles/{cycle_id}/ratings").get_data(as_text=True))
        home = c.get(f"/?cycle={cycle_id}").get_data(as_text=True)
        # The overview's training figures (its review progress is counts per state, no content: it moves).
        out["home overview"] = _plain(re.search(r"<h3>Training needs</h3>.*?</div>", home, re.S).group(0))
    return out


def submit_one_review(table, cycle_id: str, clock) -> None:
    """Fatima submits Jonas's manager assessment: low ratings, a training need and an obstacle."""
    version = UnitOfWork(table).reviews.get(cycle_id, SUBJECT).version
    low = {c: {"rating": 1, "comment": "Below."} for c in ("delivery", "collaboration", "ownership", "growth")}
    content = f.manager_content(
        owner_id=MANAGER,
        competency_ratings=low,
        goal_ratings=[],
        obstacles=[
            {
                "category": "tools",
                "description": "Slow CI",
                "remediation": "Faster runners",
                "owner_id": MANAGER,
                "due": "2026-05-01",
                "status": "open",
            }
        ],
        training_needs=[{"topic": "Negotiation", "priority": "high", "format": "course", "estimated_cost": 900}],
        need_suggestions={c: "dismissed" for c in low},
    )
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, MANAGER), cycle_id, SUBJECT, content, version, True, clock
    )
    assert UnitOfWork(table).reviews.get(cycle_id, SUBJECT).state.value == "in_calibration"  # the demo calibrates


def test_a_leader_reads_the_same_before_and_after_one_review_moves_and_hr_sees_it_move(world, clock):
    app, table, cycle_id = world
    leader_before, head_before = readings(app, cycle_id, LEADER), readings(app, cycle_id, HEAD)
    hr_before = readings(app, cycle_id, HR)
    submit_one_review(table, cycle_id, clock)
    leader_after, head_after = readings(app, cycle_id, LEADER), readings(app, cycle_id, HEAD)
    for surface, before in leader_before.items():
        assert leader_after[surface] == before, f"{surface} moved for leadership with one review"
    for surface, before in head_before.items():
        assert head_after[surface] == before, f"{surface} moved for a manager's subtree with one review"
    # What they read instead: the plain sentence, counts without content, no figure at all.
    report = leader_after["training json n=3"]
    assert report["held"] is True and report["people_with_needs"] is None and report["topics"] == []
    assert report["progress"]["reviews"] == 41 and report["programme"] is None
    assert HELD in leader_after["training page"] and HELD in leader_after["home overview"]
    assert "This cycle's figures are shown when it closes." in leader_after["training csv"]
    d = leader_after["diagnosis json"]
    assert d["held"] and d["findings"] == [] and d["departments"] == [] and d["training"] == []
    assert all(a["obstacles"] is None for a in d["areas"])
    # The closed cycle before it keeps its figures in the trend.
    (last_year, this_year) = d["trend"]
    assert last_year["cycle_name"] == "2025 annual review" and last_year["needs"] > 0 and this_year["held"]
    assert HELD in leader_after["diagnosis page"] and "2025 annual review" in leader_after["diagnosis page"]
    assert leader_after["ratings json"]["held"] and HELD in leader_after["ratings page"]
    # HR reads the live figures, labelled as live, and sees the review's contribution arrive.
    hr_after = readings(app, cycle_id, HR)
    assert hr_after["training json n=3"]["live"] is True and "figures-live" in hr_after["training page"]
    moved = [s for s in ("training json n=3", "training csv", "diagnosis json") if hr_after[s] != hr_before[s]]
    assert moved == ["training json n=3", "training csv", "diagnosis json"]


def test_after_close_the_leader_reads_the_final_figures_as_hr_does(world, clock):
    app, table, cycle_id = world
    submit_one_review(table, cycle_id, clock)
    hr_live = readings(app, cycle_id, HR)
    cycle = cycle_svc.get_cycle(UnitOfWork(table), cycle_id)
    cycle_svc.close_cycle(UnitOfWork(table), f.principal(table, HR), cycle_id, cycle.version, clock)
    leader = readings(app, cycle_id, LEADER)
    report = leader["training json n=3"]
    assert report["held"] is False and report["live"] is False and report["people_with_needs"] >= 5
    hr_report = {**hr_live["training json n=3"], "live": False, "cycle_state": "closed"}
    assert report == hr_report  # the figures HR read live are the ones leadership gets at close
    d = leader["diagnosis json"]
    assert not d["held"] and d["findings"]
    assert d["trend"][-1]["needs"] == hr_live["diagnosis json"]["trend"][-1]["needs"]
    assert HELD not in leader["training page"] and "By topic" in leader["training page"]
    rows = list(csv.reader(io.StringIO(leader["training csv"])))
    assert ["total", "people with needs", str(report["people_with_needs"])] == rows[1][:3]


def test_the_leaders_reports_open_on_last_years_closed_cycle_and_name_the_running_one(world):
    app, _, _ = world
    c, _ = client(app, LEADER)
    page = c.get("/reports/training").get_data(as_text=True)
    assert "2025 annual review" in page and "By topic" in page and HELD not in page
    assert "2026 mid-year review" in page  # the running cycle, passed over, is named


def test_the_scheduled_email_of_a_running_cycle_gives_leadership_no_figure_that_one_review_moves(world, clock):
    _, table, cycle_id = world
    training.set_schedule(UnitOfWork(table), f.principal(table, HR), "weekly", 0, clock)
    mailer = MemoryMailer()
    deliver_training_reports(UnitOfWork(table), mailer, clock, "https://x")
    submit_one_review(table, cycle_id, clock)
    later = FixedClock(clock.now() + timedelta(days=7))
    deliver_training_reports(UnitOfWork(table), mailer, later, "https://x")
    mine = [m for m in mailer.sent if m.to == ("amara.okafor@example.com",) and "2026" in m.subject]
    first, second = mine
    assert first.text == second.text
    assert "This cycle's figures are shown when it closes." in first.text and "Negotiation" not in first.text


def test_a_reopened_cycle_is_held_again_until_it_closes_again(world, clock):
    app, table, cycle_id = world
    hr = f.principal(table, HR)
    cycle = cycle_svc.close_cycle(
        UnitOfWork(table), hr, cycle_id, cycle_svc.get_cycle(UnitOfWork(table), cycle_id).version, clock
    )
    c, headers = client(app, LEADER)
    url = f"/api/cycles/{cycle_id}/training-report"
    assert c.get(url, headers=headers).get_json()["people_with_needs"] >= 5
    cycle = cycle_svc.reopen_cycle(UnitOfWork(table), hr, cycle_id, cycle.version, "A late correction", clock)
    reopened = c.get(url, headers=headers).get_json()
    assert reopened["held"] and reopened["people_with_needs"] is None
    cycle_svc.close_cycle(UnitOfWork(table), hr, cycle_id, cycle.version, clock)
    assert not c.get(url, headers=headers).get_json()["held"]
