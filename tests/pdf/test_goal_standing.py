"""A goal's standing reads the same in the summary PDF and the alignment report as on the goal pages (issue 25,
point 5): an "on track" goal whose progress trails the time gone in its period says "Behind"."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from tests import factories as f
from tests.pdf.conftest import pdf_text

# Five months into the 2026 cycle, for goals set on 2 March: about 40% of their time has gone.
LATER = datetime(2026, 8, 1, 9, 0, tzinfo=UTC)


def goal(world, owner: str, level: str, title: str, current: float) -> None:
    kr = {"id": "kr", "title": f"{title} done", "start": 0, "target": 100, "current": current, "unit": "%"}
    data = {"level": level, "title": title, "weight": 0, "cycle_id": world.cycle_id, "key_results": [kr]}
    goal_svc.create_goal(UnitOfWork(world.table), f.principal(world.table, owner), data, world.clock)


@pytest.fixture(scope="module")
def later(world):
    """Two of E5's goals and an organisation goal, set now (all "on track" by their owners), read months later."""
    goal(world, "E5", "individual", "Write the runbook", 5)
    goal(world, "E5", "individual", "Automate the release", 60)
    goal(world, "E1", "organisation", "Halve onboarding time", 0)
    before = world.clock.at
    world.clock.at = LATER
    yield world
    world.clock.at = before


def test_the_summary_pdf_shows_a_goal_behind_its_time_as_behind(later, tmp_path):
    resp = later.pdf("E2", "E5")
    assert resp.status_code == 200
    body = " ".join(pdf_text(resp.data, tmp_path).split())
    runbook = body.partition("Write the runbook")[2].partition("Automate the release")[0]
    release = body.partition("Automate the release")[2].partition("Halve")[0]
    assert "5% Behind" in runbook  # its progress bar, then its standing: 5% done with ~40% of its time gone
    assert "60% On track" in release


def test_the_alignment_report_badges_an_organisation_goal_behind_its_time(later):
    client = later.client("E1")
    report = client.get(f"/api/cycles/{later.cycle_id}/alignment").get_json()
    (row,) = [g for g in report["organisation_goals"] if g["title"] == "Halve onboarding time"]
    assert (row["status"], row["standing"]) == ("on_track", "behind")
    page = client.get(f"/goals/alignment?cycle={later.cycle_id}").get_data(as_text=True)
    cell = page.partition(">Halve onboarding time</a>")[2].partition("</td>")[0]
    assert '<span class="pill goal-behind">Behind</span>' in cell
