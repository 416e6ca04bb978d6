"""HR's export pages and the Download PDF button in a browser, at 1280 and 390 px: an export asked for on the
page finishes and offers its ZIP; the employee downloads their own copy; axe-core finds nothing serious."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.adapters.blobs import MemoryBlobStore
from service.web.exports import use_exports
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
def test_hr_exports_a_department_and_the_employee_downloads_their_pdf(live, open_as, width):
    problems: list[str] = []
    viewport = WIDTHS[width]
    cycle = live.launch()
    use_exports(live.app, blobs=MemoryBlobStore(), render=lambda summary: b"%PDF-1.7 stand-in")

    hr = open_as(live, "E2", viewport)
    hr.goto("/hr/exports")
    check(hr, f"hr-exports-{width}", problems)
    hr.get_by_label("Cycle").select_option(cycle.cycle_id)
    hr.get_by_label("Department (optional)").select_option("Engineering")
    hr.get_by_role("button", name="Export the summaries").click()
    expect(hr.get_by_role("link", name="Download the ZIP")).to_be_visible()
    expect(hr.get_by_text("3 of 3 summaries made")).to_be_visible()
    check(hr, f"hr-export-done-{width}", problems)

    employee = open_as(live, "E4", viewport)
    employee.goto(f"/cycles/{cycle.cycle_id}/reviews/E4")
    button = employee.get_by_role("link", name="Download PDF of your review (employee copy)")
    expect(button).to_be_visible()
    check(employee, f"review-download-pdf-{width}", problems)
    with employee.expect_download(timeout=120_000) as download:  # the first PDF loads WeasyPrint and its fonts
        button.click()
    assert download.value.suggested_filename == "appraisal-summary-2026-annual-review-katherine-johnson-e4-employee.pdf"
    assert problems == []
