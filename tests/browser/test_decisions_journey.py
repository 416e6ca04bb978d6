"""Issue 27 in a real browser over the demo organisation, at 1280 and 390 px (one live server): HR finds the demo's
flagged restructuring, records a decision through the form that shows the evidence first, and leadership reads the
counts (HR the running quarter live); a participant says how last year's review process went and HR reads it beside
the template. Screenshots (test-artifacts/screenshots/decision-*, process-feedback-*) and axe-core (0 serious or
critical); no page is wider than the window."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.adapters.clock import Clock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.services import cycles
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser


def fits(page, name: str, problems: list[str]) -> None:
    """Collect a page wider than its window."""
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > page.viewport_size["width"]:
        problems.append(f"{name}: {wide} px wide in a {page.viewport_size['width']} px window")


def test_recording_a_decision_shows_the_evidence_first_and_reads_well(live, open_as):
    memory = MemoryTable()
    load_demo(memory, Clock())
    items = memory.all_items()
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": live.table.encode(i)}} for i in items[start : start + 25]]
        live.table.client.batch_write_item(RequestItems={live.settings.table_name: batch})
    last_year = cycles.list_cycles(UnitOfWork(memory))[-1].cycle_id  # closed: every participant may answer
    problems: list[str] = []
    for width, viewport in WIDTHS.items():
        hr = open_as(live, "E005", viewport)
        if width == "narrow":
            hr.goto("/decisions")
        else:
            hr.get_by_role("link", name="Decisions").click()
        expect(hr.get_by_role("heading", name="Waiting for a second HR approval")).to_be_visible()
        check(hr, f"decision-list-{width}", problems)
        fits(hr, f"decision-list-{width}", problems)
        hr.get_by_role("link", name="The platform team is dissolved").first.click()
        expect(hr.get_by_text("Adverse although the last reviews meet or exceed expectations").first).to_be_visible()
        expect(hr.get_by_text("The evidence verifies")).to_be_visible()
        check(hr, f"decision-restructuring-{width}", problems)
        fits(hr, f"decision-restructuring-{width}", problems)

        hr.goto("/decisions/new")
        hr.get_by_label("Kind of decision").select_option("improvement_plan")
        hr.get_by_label("Chloé Martin").check()
        hr.get_by_role("button", name="Show the evidence").click()
        expect(hr.get_by_text("Improvement plan with no prior review naming the gap")).to_be_visible()
        hr.get_by_label("What was decided").fill("A three-month plan on test coverage.")
        hr.get_by_role("button", name="Save decision").click()
        expect(hr.get_by_role("link", name="Justification: This decision goes against the record")).to_be_visible()
        check(hr, f"decision-form-{width}", problems)
        fits(hr, f"decision-form-{width}", problems)
        hr.get_by_label("Justification").fill("Coverage fell in two releases; agreed with the team lead.")
        hr.get_by_role("button", name="Save decision").click()
        expect(hr.get_by_role("heading", name="Performance improvement plan")).to_be_visible()
        expect(hr.get_by_text("Awaiting HR approval").first).to_be_visible()

        # Feedback on the process: a participant of last year's closed cycle answers; HR reads it by the template.
        person = open_as(live, "E009" if width == "wide" else "E010", viewport)
        person.goto(f"/cycles/{last_year}/process-feedback")
        person.get_by_role("button", name="Send anonymously").click()
        expect(person.get_by_text("There is a problem").or_(person.get_by_text("is not complete"))).to_be_visible()
        check(person, f"process-feedback-form-{width}", problems)
        fits(person, f"process-feedback-form-{width}", problems)
        person.get_by_label("Mostly").first.check()
        person.get_by_label("Completely").last.check()
        person.get_by_label("How long did it take you").select_option("2_4h")
        person.get_by_role("button", name="Send anonymously").click()
        expect(person.get_by_text("kept without your name")).to_be_visible()
        hr.goto("/hr/templates")
        hr.get_by_role("link", name="What people said of its process").first.click()
        expect(hr.get_by_text("Withheld: fewer than 5 people answered").first).to_be_visible()
        check(hr, f"process-feedback-hr-{width}", problems)
        fits(hr, f"process-feedback-hr-{width}", problems)

        leader = open_as(live, "E001", viewport)
        leader.goto("/reports/decisions")
        expect(leader.get_by_role("heading", name="Personnel decisions")).to_be_visible()
        check(leader, f"decision-counts-{width}", problems)
        fits(leader, f"decision-counts-{width}", problems)
        hr.goto("/reports/decisions")  # HR: the running quarter too, marked live
        expect(hr.get_by_text("The current quarter's figures move as decisions are communicated")).to_be_visible()
        check(hr, f"decision-counts-hr-{width}", problems)
        fits(hr, f"decision-counts-hr-{width}", problems)
    assert problems == []
