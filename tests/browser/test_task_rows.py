"""Rows people can tell apart (issue 25, point 4) in the browser: a manager whose two reports each have the same
obstacle to remove sees two task rows, each naming the person and the cycle, not the same line twice; once one
of them has left the organisation, that action is no task any more. Screenshots at 1280 and 390 px; axe-core
finds nothing serious."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check
from tests.conftest import ORG_CSV

pytestmark = pytest.mark.browser


def _manager_submitted(live, cycle_id: str, employee_id: str) -> None:
    """The person's self assessment and their manager's (Alan, E3) are submitted: the obstacle becomes an action."""
    t, c = live.table, live.clock
    review_svc.save_self_assessment(
        UnitOfWork(t), f.principal(t, employee_id), cycle_id, employee_id, f.self_content(), 1, True, c
    )
    content = f.manager_content(owner_id="E3")
    review_svc.save_manager_assessment(UnitOfWork(t), f.principal(t, "E3"), cycle_id, employee_id, content, 2, True, c)


def test_the_same_action_for_two_people_reads_as_two_rows_naming_each_person_and_the_cycle(live, open_as):
    cycle = live.launch(name="Spring review")
    for employee_id in ("E4", "E5"):
        _manager_submitted(live, cycle.cycle_id, employee_id)
    problems: list[str] = []
    for width, viewport in WIDTHS.items():
        page = open_as(live, "E3", viewport)
        tasks = page.get_by_role("region", name="Your tasks")
        for name in ("Katherine Johnson", "Edsger Dijkstra"):
            row = tasks.get_by_role("listitem").filter(has_text=f"Action for {name}: Buy faster runners")
            expect(row).to_have_count(1)
            expect(row).to_contain_text("Remove an obstacle · Spring review")
        check(page, f"task-rows-{width}", problems)
    assert problems == []

    # Edsger leaves: the action about him is no task (it stays among the open actions, to be dropped).
    lines = [line for line in ORG_CSV.splitlines() if not line.startswith("E5,")]
    import_organisation(UnitOfWork(live.table), f.principal(live.table, "E2"), "\n".join(lines), live.clock)
    page = open_as(live, "E3")
    tasks = page.get_by_role("region", name="Your tasks")
    expect(tasks).to_contain_text(re.compile("Action for Katherine Johnson: Buy faster runners"))
    expect(tasks).not_to_contain_text("Action for Edsger Dijkstra")
