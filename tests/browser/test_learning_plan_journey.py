"""The learning plan in a real browser (issue 27, point 4), on one live server: plan an item, see the form come back
with its messages, mark it done, find it in the learning log, and download the learning record; the plan, item and
record pages at 1280 and 390 px, screenshotted and checked with axe-core (0 serious or critical)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser


def test_plan_an_item_mark_it_done_see_it_in_the_log_and_download_the_record(live, open_as):
    problems: list[str] = []
    soon = (live.clock.now().date() + timedelta(days=14)).isoformat()
    page = open_as(live, "E4", WIDTHS["wide"])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning").click()
    page.get_by_role("navigation", name="Learning").get_by_role("link", name="Learning plan").click()
    check(page, "learning-plan-empty-wide", problems)
    page.get_by_role("button", name="Add to my plan").click()  # nothing typed: the form comes back with messages
    expect(page.get_by_role("alert").first).to_contain_text("The item was not planned.")
    page.get_by_label("Kind of learning").select_option("reading")
    page.get_by_label("What you plan").fill("Read Thinking in Systems")
    page.get_by_label("Target date").fill(soon)
    page.get_by_label("Share this item with your manager").check()
    page.get_by_role("button", name="Add to my plan").click()
    expect(page.get_by_text("“Read Thinking in Systems” is in your learning plan.")).to_be_visible()

    page.get_by_role("link", name="Read Thinking in Systems").click()
    check(page, "learning-plan-item-wide", problems)
    page.get_by_label("Hours").fill("4")
    page.get_by_role("textbox", name="What you learnt").fill("Stocks and flows explain queues.")
    page.get_by_role("button", name="Mark done").click()
    expect(page.get_by_text("is now in your learning log")).to_be_visible()
    page.get_by_role("link", name="See it in your learning log").first.click()
    expect(page.get_by_label("What it was")).to_have_value("Read Thinking in Systems")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning").click()
    expect(page.get_by_role("link", name="Read Thinking in Systems")).to_be_visible()  # in the log's list
    page.get_by_role("navigation", name="Learning").get_by_role("link", name="Learning record").click()
    page.get_by_label("Read Thinking in Systems").first.check()
    page.get_by_label("The training needs each entry addressed").check()
    check(page, "learning-record-wide", problems)
    with page.expect_download(timeout=120_000) as download:  # the first PDF loads WeasyPrint and its fonts
        page.get_by_role("button", name="Download my learning record (PDF)").click()
    assert download.value.suggested_filename == "learning-record-katherine-johnson.pdf"

    narrow = open_as(live, "E4", WIDTHS["narrow"])
    for path, name in (("/learning/plan", "learning-plan"), ("/learning/record", "learning-record")):
        narrow.goto(path)
        check(narrow, f"{name}-narrow", problems)
        assert narrow.evaluate("document.documentElement.scrollWidth") <= 390, name
    narrow.get_by_role("link", name="Learning plan").first.click()
    narrow.get_by_role("link", name="Read Thinking in Systems").click()
    check(narrow, "learning-plan-item-narrow", problems)
    assert narrow.evaluate("document.documentElement.scrollWidth") <= 390
    assert problems == []
