"""Anonymity over time in leadership's decision counts (domain/decisions.py: a quarter's counts reach leadership once
it has ended), over the demo organisation while its cycle runs.

A leader reads the counts (page and JSON: the only surfaces that carry them) before and after HR communicates one
decision: the readings are identical. HR reads the running quarter live and sees it move. Once the quarter has ended
the leader reads the new figure, and the ended quarter never moves again."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.decisions import RELEASE_AFTER, period_end
from service.services import cycles as cycle_svc
from service.services import decisions as svc
from tests import factories as f
from tests.conftest import AuthActions

LEADER, HR = "E001", "E005"
PROMOTED = ["E015", "E016", "E017", "E018", "E019"]  # Engineering, beside the demo's promotion of E014 this quarter


@pytest.fixture
def world(settings, clock):
    """The demo organisation, loaded with the test's clock (so the test's new ids follow the demo's), and its app."""
    from service.web import create_app

    table = MemoryTable()
    load_demo(table, clock)
    running = [c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.state.value == "active"]
    assert running, "the decision is communicated while a cycle runs"
    return create_app(settings, table=table, clock=clock), table


def readings(app, who: str) -> dict[str, object]:
    """Every surface that carries the counts: the JSON answer and the page (without its per-request token)."""
    c = app.test_client()
    auth = AuthActions(c)
    auth.login(who)
    page = c.get("/reports/decisions").get_data(as_text=True)
    return {
        "json": c.get("/api/reports/decisions", headers=auth.headers()).get_json(),
        "page": re.sub(r'name="csrf_token" value="[^"]+"', "", page),
    }


def communicate_one_decision(table, clock) -> None:
    """HR records and communicates one promotion of five engineers."""
    hr = f.principal(table, HR)
    data = {"kind": "promotion", "summary": "Promoted after the launch.", "people": PROMOTED}
    decision = svc.record_decision(UnitOfWork(table), hr, data, clock)
    svc.communicate(UnitOfWork(table), hr, decision.decision_id, clock)


def engineering_promotions(reading: dict[str, object], period: str) -> int | None:
    """The promotions figure of Engineering in one period's table of a JSON reading."""
    (table,) = [p for p in reading["json"]["periods"] if p["period"] == period]
    (row,) = [r for r in table["rows"] if r["department"] == "Engineering"]
    return row["counts"][0]


def test_a_leader_reads_the_same_before_and_after_one_decision_and_hr_sees_it_move(world, clock):
    app, table = world
    leader_before, hr_before = readings(app, LEADER), readings(app, HR)
    communicate_one_decision(table, clock)
    leader_after, hr_after = readings(app, LEADER), readings(app, HR)
    assert leader_after == leader_before, "the counts moved for leadership with one decision"
    # What the leader reads: the ended quarter only, and when this one's decisions appear.
    assert [p["period"] for p in leader_after["json"]["periods"]] == ["2025-Q4"]
    assert "Engineering" not in leader_after["page"] and 'id="figures-held"' in leader_after["page"]
    # HR reads this quarter live, labelled as live, and sees the decision arrive.
    assert hr_after["json"]["live"] is True and hr_after["json"]["periods"][0]["live"] is True
    assert 'id="figures-live"' in hr_after["page"]
    assert engineering_promotions(hr_before, "2026-Q1") is None  # the demo's 1 promotion: withheld
    assert engineering_promotions(hr_after, "2026-Q1") == 6


def test_once_the_quarter_has_ended_the_leader_reads_the_new_figure_and_it_stays(world, clock):
    app, table = world
    communicate_one_decision(table, clock)
    end = period_end("2026-Q1")
    clock.at = end + RELEASE_AFTER / 2  # ended, but a commit at the turn may still be landing: not yet
    assert [p["period"] for p in readings(app, LEADER)["json"]["periods"]] == ["2025-Q4"]
    clock.at = end + RELEASE_AFTER
    released = readings(app, LEADER)
    assert [p["period"] for p in released["json"]["periods"]] == ["2026-Q1", "2025-Q4"]
    assert engineering_promotions(released, "2026-Q1") == 6 and released["json"]["periods"][0]["live"] is False
    assert re.search(r'<th scope="row">Engineering</th><td>6</td>(<td>0</td>){5}<td>6</td>', released["page"])
    # A decision told in the next quarter changes nothing the leader reads until that quarter ends too.
    clock.at = datetime(2026, 4, 2, 9, 0, tzinfo=UTC)
    before = readings(app, LEADER)
    communicate_one_decision(table, clock)
    assert readings(app, LEADER) == before
    assert engineering_promotions(readings(app, HR), "2026-Q2") == 5
