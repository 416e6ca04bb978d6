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


@pytest.mark.parametrize("width", list(WIDTHS))
def test_a_long_summary_whose_background_render_failed_says_so_and_is_asked_for_again(live, open_as, width):
    from service.adapters.queue import InlineQueue
    from service.pdf import stored_summary
    from service.web.summaries import use_summaries

    problems: list[str] = []
    cycle = live.launch()
    blobs, asked = MemoryBlobStore(), []
    use_summaries(live.app, queue=InlineQueue(asked.append), blobs=blobs, inline_pages=0)  # every summary is long
    try:
        hr = open_as(live, "E2", WIDTHS[width])
        path = f"/cycles/{cycle.cycle_id}/reviews/E4/summary.pdf"
        hr.goto(path)
        expect(hr.get_by_role("heading", name="The appraisal summary is being prepared")).to_be_visible()
        stored_summary.render_failed(blobs, asked[-1])  # what PdfFunction's last failed attempt writes
        hr.goto(path)
        expect(hr.get_by_role("heading", name="The appraisal summary could not be prepared")).to_be_visible()
        check(hr, f"summary-render-failed-{width}", problems)
        hr.get_by_role("link", name="Ask for the PDF again").click()
        expect(hr.get_by_role("heading", name="The appraisal summary is being prepared")).to_be_visible()
        assert len(asked) == 2 and problems == []
    finally:
        use_summaries(live.app, inline_pages=stored_summary.INLINE_PAGES)
