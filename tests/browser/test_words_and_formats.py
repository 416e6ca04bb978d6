"""Words for executives, one score and a launch that asks first (issue 25, points 9, 10 and 12), in a real
browser at 1280 and 390 px over the demo organisation: one live server for both widths, screenshots
(test-artifacts/screenshots/) and axe-core (0 serious or critical)."""

from __future__ import annotations

from datetime import date

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check
from tests.browser.test_training_report import demo  # noqa: F401 - the demo story in the live table

pytestmark = pytest.mark.browser


def fits(page, viewport: dict[str, int], problems: list[str]) -> None:
    """The page is no wider than the window (wide tables scroll inside their own labelled container)."""
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > viewport["width"]:
        problems.append(f"{page.url}: {width} px wide at {viewport['width']} px")


def test_words_scores_and_the_launch_confirmation_read_well_at_both_widths(demo, open_as):  # noqa: F811
    live = demo
    hr_principal = f.principal(live.table, "E005")
    template_id = UnitOfWork(live.table).templates.list()[0].template_id
    data = f.cycle_data(template_id, name="Finance pilot", participant_mode="departments", departments=["Finance"])
    data["period_start"], data["period_end"] = date(2027, 1, 1), date(2027, 12, 31)
    draft = cycle_svc.create_cycle(UnitOfWork(live.table), hr_principal, data, live.clock)
    problems: list[str] = []
    for width, viewport in WIDTHS.items():
        leader = open_as(live, "E005", viewport)  # HR reads the running cycle's live figures (leadership: at close)
        leader.goto("/reports/training")
        obstacles = leader.locator("ul.obstacle-areas")
        expect(obstacles).to_contain_text("Workforce: withheld")
        expect(obstacles).not_to_contain_text("Workforce: 0")
        body = leader.locator("main")
        expect(body).not_to_contain_text("Σ")
        expect(body).not_to_contain_text("Greedy")
        expect(leader.get_by_role("columnheader", name="Estimated cost (EUR)").first).to_be_visible()
        leader.get_by_text("How this is calculated", exact=True).click()
        expect(leader.get_by_text("3 for high, 2 for medium, 1 for low")).to_be_visible()
        check(leader, f"words-training-report-{width}", problems)
        fits(leader, viewport, problems)

        mei = open_as(live, "E008", viewport)
        mei.goto("/history")
        expect(mei.locator(".trend-values").first).to_contain_text("2026 mid-year review: 70 of 100")
        expect(mei.locator("main")).not_to_contain_text("70.3")
        expect(mei.locator(".score-why").last).to_contain_text("were rescaled to the parts that count")
        check(mei, f"words-history-{width}", problems)
        fits(mei, viewport, problems)

        hr = open_as(live, "E005", viewport)
        hr.goto(f"/hr/cycles/{draft.cycle_id}")
        hr.get_by_role("link", name="Launch the cycle…").click()
        expect(hr.get_by_role("heading", name="Launch Finance pilot?")).to_be_visible()
        emailed = hr.get_by_role("table", name="Who will be emailed")
        expect(emailed).to_be_visible()
        count = emailed.locator("tbody tr").count()
        assert count > 0
        expect(hr.get_by_role("button", name=f"Launch and email {count} people")).to_be_visible()
        check(hr, f"words-launch-confirm-{width}", problems)
        fits(hr, viewport, problems)
        assert cycle_svc.get_cycle(UnitOfWork(live.table), draft.cycle_id).state.value == "draft"
    hr.get_by_role("button", name=f"Launch and email {count} people").click()
    expect(hr.get_by_role("heading", name="Finance pilot is launched")).to_be_visible(timeout=60_000)
    assert not problems, "\n".join(problems)
