"""Review schedules in a real browser (issue 28, point 4): HR sets up a probation rule on the form, sees who is due
in the next 30 days, pauses and archives the rule. Each page at 1280 and 390 px (the journey at 1280, the same
pages again at 390), screenshotted and checked with axe-core (0 serious or critical), and no wider than the phone."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check
from tests.conftest import ORG_CSV

pytestmark = pytest.mark.browser


def fits(page, width: str) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= WIDTHS[width]["width"]


def test_hr_sets_up_a_probation_rule_and_sees_who_is_due(live, open_as):
    problems: list[str] = []
    started = live.clock.now().date() + timedelta(days=9) - timedelta(days=90)  # Katherine's probation: in 9 days
    org = ORG_CSV.replace("roles\n", "roles,start_date\n", 1).replace(",E3,\n", f",E3,,{started}\n", 1)
    import_organisation(UnitOfWork(live.table), None, org, live.clock)
    hr_principal = f.principal(live.table, "E2")
    template_svc.create_template(UnitOfWork(live.table), hr_principal, f.template_data(), live.clock)

    for width, viewport in WIDTHS.items():
        hr = open_as(live, "E2", viewport)
        hr.goto("/hr/schedules/new")
        expect(hr.get_by_role("heading", name="New review schedule")).to_be_visible()
        hr.get_by_label("Name", exact=True).fill("")
        hr.get_by_role("button", name="Save rule").click()
        expect(hr.locator("#error-summary")).to_be_visible()
        check(hr, f"schedule-form-refused-{width}", problems)
        fits(hr, width)
        if width == "wide":  # the journey, once
            hr.get_by_label("Name", exact=True).fill("End of probation")
            hr.get_by_label("Template", exact=True).select_option(label="Annual review")
            hr.get_by_label("Probation: days after the start date").fill("90")
            hr.get_by_role("button", name="Save rule").click()
            expect(hr.get_by_text("Rule “End of probation” saved.")).to_be_visible()
        else:
            hr.goto("/hr/schedules")
        due = hr.locator("section", has=hr.get_by_role("heading", name="Who gets a review in the next 30 days"))
        expect(due.get_by_text("Katherine Johnson")).to_be_visible()
        check(hr, f"schedules-list-{width}", problems)
        fits(hr, width)
        hr.get_by_role("link", name="End of probation").click()
        expect(hr.get_by_role("heading", name="Edit review schedule")).to_be_visible()
        expect(hr.get_by_label("Probation: days after the start date")).to_have_value("90")
        check(hr, f"schedule-edit-{width}", problems)
        fits(hr, width)

    hr.goto("/hr/schedules")
    hr.get_by_role("button", name="Pause End of probation").click()
    expect(hr.get_by_text("paused: it creates no reviews until resumed")).to_be_visible()
    expect(hr.get_by_text("Nobody: no active rule falls due")).to_be_visible()
    hr.get_by_role("button", name="Archive End of probation").click()
    hr.get_by_role("link", name="Archived rules").click()
    expect(hr.get_by_role("button", name="Restore End of probation")).to_be_visible()
    for width, viewport in WIDTHS.items():
        hr.set_viewport_size(viewport)
        check(hr, f"schedules-archived-{width}", problems)
        fits(hr, width)
    assert not problems, "\n".join(problems)
