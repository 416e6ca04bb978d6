"""Continuous learning in a real browser, at 1280 and 390 px: from adding a contact to a completed informational
interview with a referral (the request drafted, sent, scheduled, prepared, recorded; the referral under its
contact in the tree; the interview in the learning log), evidence picked in the self assessment, and the
leadership report. Each page is screenshotted and checked with axe-core (0 serious or critical)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import learning as learning_svc
from tests import factories as f
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser
WIDTHS = {"wide": {"width": 1280, "height": 900}, "narrow": {"width": 390, "height": 844}}


def check(page: Any, name: str) -> None:
    """Screenshot the page and require no serious or critical axe-core violation on it."""
    from axe_playwright_python.sync_playwright import Axe

    shot(page, name)
    found = Axe().run(page).response["violations"]
    problems = [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]
    assert not problems, f"{name}: " + "\n".join(problems)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_from_a_contact_to_a_completed_interview_with_a_referral(live, open_as, width):
    cycle = live.launch()
    yesterday = (live.clock.now().date() - timedelta(days=1)).isoformat()
    page = open_as(live, "E4", WIDTHS[width])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning").click()
    check(page, f"learning-log-empty-{width}")
    page.get_by_role("navigation", name="Learning").get_by_role("link", name="Informational interviews").click()
    page.get_by_label("Name", exact=True).fill("Mae Jemison")
    page.get_by_label("Role", exact=True).fill("Data Scientist")
    page.get_by_label("Organisation", exact=True).fill("Orbit Labs")
    page.get_by_label("How you found them").select_option("conference")
    page.get_by_label("What you want to learn about").fill("data science in space research")
    check(page, f"interviews-planner-empty-{width}")
    page.get_by_role("button", name="Add and draft the request").click()

    request = page.get_by_role("textbox", name="Your request")
    expect(request).to_have_value(re.compile(r"Dear Mae,[\s\S]*not asking for a job[\s\S]*20 minutes"))
    expect(page.get_by_role("button", name="Copy the request")).to_be_visible()  # the script shows it
    check(page, f"interview-request-{width}")
    page.get_by_role("button", name="Mark as sent").click()
    expect(page.get_by_text("No answer by")).to_be_visible()
    page.get_by_label("When").fill(yesterday + "T10:00")
    page.get_by_role("button", name="Save the time").click()
    page.get_by_label("Research the organisation").check()
    page.get_by_label("Prepare your questions").check()
    page.get_by_role("button", name="Save the checklist").click()
    expect(page.get_by_label("Research the organisation")).to_be_checked()
    expect(page.get_by_text("What does a typical day look like for you?")).to_be_visible()
    check(page, f"interview-prepare-{width}")

    page.get_by_role("button", name="Record the interview").click()  # nothing learnt yet: refused
    expect(page.get_by_role("alert").first).to_contain_text("cannot be completed yet")
    page.get_by_role("textbox", name="What you learnt").fill("Mission data pipelines are validated twice.")
    page.get_by_label("Name 1").fill("Katherine Coleman")
    page.get_by_label("Role 1").fill("Flight Analyst")
    page.get_by_label("Organisation 1").fill("Orbit Labs")
    page.get_by_label("Share a summary").check()
    page.get_by_role("button", name="Record the interview").click()
    expect(page.get_by_text("Send a thank-you note", exact=True)).to_be_visible()
    check(page, f"interview-completed-{width}")

    page.get_by_role("link", name="Informational interviews").first.click()
    tree = page.locator("ul.referral-tree").first
    expect(tree.locator("> li > a")).to_have_text(["Mae Jemison"])
    expect(tree.locator("ul.referral-tree > li > a")).to_have_text(["Katherine Coleman"])
    check(page, f"interviews-tree-{width}")

    page.get_by_role("navigation", name="Learning").get_by_role("link", name="Learning log").click()
    expect(page.get_by_text("Informational interview: Data Scientist at Orbit Labs")).to_be_visible()
    check(page, f"learning-log-{width}")

    # The interview is evidence to pick in this cycle's self assessment.
    page.goto(f"/cycles/{cycle.cycle_id}/reviews/E4/self")
    expect(page.get_by_label("Informational interview: Data Scientist at Orbit Labs", exact=False)).to_be_visible()
    page.get_by_label("Informational interview: Data Scientist at Orbit Labs", exact=False).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_label("Informational interview: Data Scientist at Orbit Labs", exact=False)).to_be_checked()
    page.locator("#s-learning").scroll_into_view_if_needed()
    check(page, f"self-learning-picker-{width}")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning").click()
    page.get_by_role("link", name="What I have explored").click()
    expect(page.get_by_text("Orbit Labs", exact=True)).to_be_visible()
    check(page, f"learning-insights-{width}")

    page.goto("/learning/interviews/questions")
    check(page, f"interviews-questions-{width}")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_learning_report_and_review_evidence_pass_axe(live, open_as, width):
    cycle = live.launch()
    today = live.clock.now().date().isoformat()
    for who in ("E3", "E4", "E5", "E2", "E6", "E1"):
        data = {"type": "course", "title": f"Course of {who}", "date": today, "hours": 3, "learnt": "Plenty"}
        made = learning_svc.create_activity(UnitOfWork(live.table), f.principal(live.table, who), data, live.clock)
        if who == "E4":
            content = f.self_content(learning_refs=[made.activity_id])
            from service.services import reviews as review_svc

            me = f.principal(live.table, "E4")
            review_svc.save_self_assessment(
                UnitOfWork(live.table), me, cycle.cycle_id, "E4", content, 1, True, live.clock
            )
    boss = open_as(live, "E3", WIDTHS[width])
    boss.goto(f"/cycles/{cycle.cycle_id}/reviews/E4")
    boss.get_by_label("Your comment on “Course of E4”").fill("Bring it to the next retro.")
    boss.get_by_role("button", name="Add comment").click()
    expect(boss.get_by_text("Bring it to the next retro.")).to_be_visible()
    check(boss, f"review-learning-evidence-{width}")
    lead = open_as(live, "E1", WIDTHS[width])
    lead.goto("/learning/report")
    expect(lead.get_by_role("heading", name="By department", exact=True)).to_be_visible()
    expect(lead.get_by_text("(fewer than 5 people, or it would reveal such a group)").first).to_be_attached()
    check(lead, f"learning-report-{width}")
