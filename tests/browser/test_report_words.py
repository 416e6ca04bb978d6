"""Leadership's reports say what they show (issue 25) in a real browser at 1280 and 390 px over the demo: the
alignment report badges an organisation goal behind its time as "Behind" (as its goal page does); the training
report's obstacle chart names a category as the table does, and its topic chart names last cycle only when it
draws it. Screenshots, and axe-core finds nothing serious or critical."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles
from tests.browser.test_hr_goal_pages import WIDTHS, check
from tests.browser.test_training_report import demo  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_leaderships_reports_badge_goals_by_their_pace_and_chart_only_what_they_show(demo, open_as):  # noqa: F811
    newest, *_, first = cycles.list_cycles(UnitOfWork(demo.table))
    problems: list[str] = []
    for width, viewport in WIDTHS.items():
        page = open_as(demo, "E005", viewport)  # HR: the running cycle's figures live (report_release)
        page.goto(f"/goals/alignment?cycle={newest.cycle_id}")
        row = page.locator("tr", has=page.get_by_role("link", name="Be a place where people grow"))
        expect(row.locator(".pill")).to_have_text("Behind")  # on track by its owner, its progress trails its time
        check(page, f"report-words-01-alignment-{width}", problems)

        page.goto(f"/reports/training?cycle={newest.cycle_id}")
        obstacles = page.get_by_role("img", name="Obstacles by category:")
        expect(obstacles).to_have_accessible_name(
            re.compile(r"^Obstacles by category: Tools 5, Process 5, Management and leadership 5, Other 7; withheld")
        )
        expect(obstacles.locator("text", has_text="Management")).to_have_text("Management and leadership")  # whole
        expect(page.get_by_role("rowheader", name="Management and leadership")).to_be_visible()
        check(page, f"report-words-02-training-{width}", problems)

        page.goto(f"/reports/training?cycle={first.cycle_id}")
        topics = page.get_by_role("img", name="Training needs by topic:")
        expect(topics).to_have_accessible_name(
            re.compile(r"^Training needs by topic: people this cycle: Public speaking 9")
        )
        expect(topics).not_to_have_accessible_name(re.compile("last|previous|outlined", re.I))
        expect(topics.locator("text", has_text="Previous cycle")).to_have_count(0)  # no legend for bars not drawn
        check(page, f"report-words-03-training-first-cycle-{width}", problems)
    assert problems == []
