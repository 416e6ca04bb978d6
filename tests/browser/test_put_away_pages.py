"""Putting away in a real browser (issue 28, point 6): HR archives a template and a draft cycle, restores the
draft and deletes it; an owner archives a done goal. Each page at 1280 and 390 px, screenshotted and checked
with axe-core (0 serious or critical), and no wider than the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check, goal, launch

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
def test_put_away_and_take_back(live, open_as, width):
    problems: list[str] = []
    viewport = WIDTHS[width]
    cycle = launch(live, "Annual review", live.clock.now().date().replace(month=1, day=1), [-10, -3, 5, 20, 30])
    draft = cycle_svc.create_cycle(
        UnitOfWork(live.table),
        f.principal(live.table, "E2"),
        f.cycle_data(cycle.template_id, name="Spare draft"),
        live.clock,
    )
    hr = open_as(live, "E2", viewport)

    hr.goto("/hr/templates")
    hr.get_by_role("button", name="Archive").first.click()
    expect(hr.get_by_role("heading", name="Archived review templates")).to_be_visible()
    check(hr, f"put-away-templates-archived-{width}", problems)
    hr.get_by_role("button", name="Restore").first.click()
    expect(hr.get_by_role("heading", name="Review templates")).to_be_visible()

    hr.goto(f"/hr/cycles/{draft.cycle_id}")
    hr.get_by_role("button", name="Archive the draft").click()
    expect(hr.get_by_text("This draft is archived")).to_be_visible()
    check(hr, f"put-away-cycle-archived-{width}", problems)
    hr.get_by_role("button", name="Restore the draft").click()
    hr.get_by_role("link", name="Delete the draft…").click()
    expect(hr.get_by_role("heading", name="Delete “Spare draft”?")).to_be_visible()
    check(hr, f"put-away-cycle-delete-{width}", problems)
    hr.get_by_role("button", name="Delete the draft").click()
    expect(hr.get_by_text("Draft “Spare draft” deleted")).to_be_visible()
    assert hr.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    done = goal(live, "E4", level="individual", title="Write the guide", cycle_id=cycle.cycle_id, status="done")
    employee = open_as(live, "E4", viewport)
    employee.goto(f"/goals/{done.goal_id}")
    employee.get_by_role("button", name="Archive the goal").click()
    expect(employee.get_by_text("This goal is archived")).to_be_visible()
    check(employee, f"put-away-goal-archived-{width}", problems)
    assert employee.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_employee_withdraws_the_self_assessment(live, open_as, width):
    from service.services import reviews as review_svc

    problems: list[str] = []
    viewport = WIDTHS[width]
    cycle = launch(live, "Mid-year review", live.clock.now().date().replace(month=1, day=1), [-10, 3, 5, 20, 30])
    me = f.principal(live.table, "E4")
    review_svc.save_self_assessment(
        UnitOfWork(live.table), me, cycle.cycle_id, "E4", f.self_content(), 1, True, live.clock
    )
    employee = open_as(live, "E4", viewport)
    employee.goto(f"/cycles/{cycle.cycle_id}/reviews/E4")
    check(employee, f"withdraw-self-offered-{width}", problems)
    employee.get_by_role("button", name="Withdraw my self assessment").click()
    expect(employee.get_by_text("Your self assessment is a draft again")).to_be_visible()
    assert employee.evaluate("document.documentElement.scrollWidth") <= viewport["width"]

    version = review_svc.open_review(UnitOfWork(live.table), me, cycle.cycle_id, "E4").version
    review_svc.save_self_assessment(
        UnitOfWork(live.table), me, cycle.cycle_id, "E4", f.self_content(), version, True, live.clock
    )
    boss = f.principal(live.table, "E3")
    manager_content = f.manager_content(owner_id="E4")
    review_svc.save_manager_assessment(
        UnitOfWork(live.table), boss, cycle.cycle_id, "E4", manager_content, version + 1, True, live.clock
    )
    manager = open_as(live, "E3", viewport)
    manager.goto(f"/cycles/{cycle.cycle_id}/reviews/E4")
    check(manager, f"withdraw-manager-offered-{width}", problems)
    manager.get_by_role("button", name="Withdraw the manager assessment").click()
    expect(manager.get_by_text("Your manager assessment is a draft again")).to_be_visible()
    assert not problems, "\n".join(problems)
