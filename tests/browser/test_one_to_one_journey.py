"""A one-to-one in a real browser (issue 28, point 1): the manager sets the rhythm and adds an action, the report
adds a talking point and a private note, the manager writes the shared notes and marks the meeting held; the open
action moves to the next meeting and the report never sees the manager's private note. At 1280 and 390 px,
screenshotted and checked with axe-core (0 serious or critical), no wider than the phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.adapters.mailer import MemoryMailer
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_manager_and_report_hold_a_one_to_one(live, open_as, width):
    problems: list[str] = []
    viewport = WIDTHS[width]
    live.app.extensions["reviews"].extras["mailer"] = mailer = MemoryMailer()
    alan = open_as(live, "E3", viewport)
    alan.goto("/one-to-ones")
    check(alan, f"one-to-ones-list-{width}", problems)
    alan.get_by_role("link", name="With Katherine Johnson").click()
    check(alan, f"one-to-one-new-{width}", problems)
    alan.get_by_label("Rhythm").select_option("weekly")
    alan.get_by_label("First meeting").fill(live.clock.now().date().isoformat())
    alan.get_by_role("button", name="Save rhythm").click()
    expect(alan.get_by_text("Saved: you meet weekly.")).to_be_visible()
    alan.get_by_label("A new action").fill("Book the AWS course")
    alan.get_by_role("button", name="Add action").click()
    expect(alan.get_by_text("Action added.")).to_be_visible()
    alan.get_by_label("Only you read these").fill("Ask about the team move carefully")
    alan.get_by_role("button", name="Save private notes").click()

    kath = open_as(live, "E4", viewport)
    kath.goto("/one-to-ones/E4")
    kath.get_by_label("A talking point").fill("Moving to the platform team")
    kath.get_by_role("button", name="Add to the agenda").click()
    expect(kath.get_by_text("Added to the agenda.")).to_be_visible()
    expect(kath.get_by_text("Ask about the team move carefully")).to_have_count(0)
    check(kath, f"one-to-one-agenda-{width}", problems)

    alan.goto("/one-to-ones/E4")
    expect(alan.get_by_text("Moving to the platform team")).to_be_visible()
    alan.get_by_label("Notes you both read").fill("Katherine will shadow the platform on-call for a week.")
    alan.get_by_role("button", name="Save shared notes").click()
    expect(alan.get_by_text("Shared notes saved.")).to_be_visible()
    alan.get_by_role("button", name="Mark this meeting held").click()
    expect(alan.get_by_text("Marked held: open actions")).to_be_visible()
    check(alan, f"one-to-one-held-{width}", problems)
    assert [m.subject.split(" on ")[0] for m in mailer.sent] == ["One-to-one", "One-to-one"]

    kath.goto("/one-to-ones/E4")
    history = kath.locator("section", has=kath.get_by_role("heading", name="Meetings held"))
    expect(history.get_by_text("Katherine will shadow the platform on-call for a week.")).to_be_visible()
    carried = kath.get_by_role("button", name=re.compile(r"Mark done\W+Book the AWS course"))
    expect(carried).to_be_visible()  # carried to the next meeting
    expect(kath.get_by_text("Ask about the team move carefully")).to_have_count(0)
    hr = open_as(live, "E2", viewport)
    hr.goto("/hr/one-to-ones")
    expect(hr.get_by_role("cell", name="Katherine Johnson")).to_be_visible()
    expect(hr.get_by_text("shadow the platform")).to_have_count(0)
    check(hr, f"one-to-ones-hr-{width}", problems)
    for page in (alan, kath, hr):
        assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not problems, "\n".join(problems)
