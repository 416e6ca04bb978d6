"""A goal check-in in a real browser (issue 28, point 2): the owner gives a key result's new value, a confidence
and a comment on the goal page; the timeline shows it. At 1280 and 390 px, screenshotted and checked with axe-core
(0 serious or critical), no wider than the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.test_hr_goal_pages import WIDTHS, check, goal, launch

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
def test_an_owner_checks_in_on_a_goal(live, open_as, width):
    problems: list[str] = []
    viewport = WIDTHS[width]
    cycle = launch(live, "Annual review", live.clock.now().date().replace(month=1, day=1), [-10, -3, 5, 20, 30])
    krs = [{"id": "kr1", "title": "Tickets answered within a day", "start": 0, "target": 40, "current": 4}]
    mine = goal(
        live,
        "E4",
        level="individual",
        title="Answer tickets fast",
        weight=100,
        cycle_id=cycle.cycle_id,
        key_results=krs,
    )
    page = open_as(live, "E4", viewport)
    page.goto(f"/goals/{mine.goal_id}")
    check(page, f"checkin-form-{width}", problems)
    page.get_by_label("Tickets answered within a day: new value").fill("30")
    page.get_by_label("Confidence").select_option("at_risk")
    page.get_by_label("How it goes").fill("The queue doubled after the launch.")
    page.get_by_role("button", name="Check in").click()
    expect(page.get_by_text("Checked in: 75% done, at risk.")).to_be_visible()
    expect(page.get_by_text("The queue doubled after the launch.")).to_be_visible()
    check(page, f"checkin-timeline-{width}", problems)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not problems, "\n".join(problems)
