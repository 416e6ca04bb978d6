"""Issue 25, point 2, in a real browser over the demo organisation: HR launches a small Finance-only cycle; the
chief executive's home and reports keep showing the cycle with figures and name the new one; the executive
chooses the new cycle and the next report opens on it. Screenshots at 1280 and 390 px, axe-core on each page
(0 serious or critical), and no page wider than the window."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check
from tests.browser.test_training_report import demo  # noqa: F401 (the fixture: the demo story in the live table)

pytestmark = pytest.mark.browser


def launch_finance_cycle(live) -> None:
    """HR launches a cycle for Finance only; nobody has done anything in it yet."""
    hr = f.principal(live.table, "E005")
    template = template_svc.list_templates(UnitOfWork(live.table))[0]
    today = live.clock.now().date()
    data = f.cycle_data(
        template.template_id,
        name="Finance pilot",
        participant_mode="departments",
        departments=["Finance"],
        period_start=today,
        period_end=date(today.year, 12, 31),
    )
    data["phases"] = {phase: today.replace(month=12, day=1 + i) for i, phase in enumerate(data["phases"])}
    cycle = cycle_svc.create_cycle(UnitOfWork(live.table), hr, data, live.clock)
    queue = f.inline_queue(live.table, live.clock)
    cycle_svc.launch_cycle(UnitOfWork(live.table), hr, cycle.cycle_id, cycle.version, live.clock, queue)


def fits(page, name: str, width: int, problems: list[str]) -> None:
    wide = page.evaluate("document.documentElement.scrollWidth")
    if wide > width:
        problems.append(f"{name}: {wide} px wide in a {width} px window")


def test_leadership_keeps_the_cycle_with_figures_until_they_choose_the_new_one(demo, open_as):  # noqa: F811
    launch_finance_cycle(demo)
    year = demo.clock.now().year
    current = f"{year} mid-year review"
    problems: list[str] = []
    for width, viewport in WIDTHS.items():
        ceo = open_as(demo, "E001", viewport)
        leading = ceo.locator("section.leadership")
        expect(leading.get_by_role("heading", name=f"Your reports {current}")).to_be_visible()
        expect(leading.get_by_text("“Finance pilot” has no figures here yet")).to_be_visible()
        expect(
            leading.get_by_text(re.compile(r"[1-9]\d* aligned goals?, [1-9]\d* (person|people)")).first
        ).to_be_visible()
        # a running cycle's training figures reach leadership when it closes (services/report_release.py)
        expect(leading.get_by_text("This cycle's figures are shown when it closes.")).to_be_visible()
        expect(ceo.get_by_label("Cycle shown")).to_have_value(re.compile(".+"))
        check(ceo, f"leadership-home-{width}", problems)
        fits(ceo, f"leadership-home-{width}", viewport["width"], problems)

        ceo.get_by_text("Reports", exact=True).click()
        ceo.get_by_role("link", name="Training needs").click()
        # the training report opens on the newest closed cycle: its figures are final
        expect(ceo.get_by_role("heading", name=f"Training needs {year - 1} annual review")).to_be_visible()
        expect(ceo.get_by_role("heading", name="By topic")).to_be_visible()
        check(ceo, f"leadership-training-default-{width}", problems)

        # the executive chooses the new cycle: the report shows it, and the next report opens on it too
        ceo.get_by_label("Cycle shown").select_option(label="Finance pilot (Active)")
        ceo.get_by_role("button", name="Show").click()
        expect(ceo.get_by_role("heading", name="Training needs Finance pilot")).to_be_visible()
        expect(ceo.get_by_text("This cycle's figures are shown when it closes.").first).to_be_visible()
        check(ceo, f"leadership-training-chosen-{width}", problems)
        fits(ceo, f"leadership-training-chosen-{width}", viewport["width"], problems)

        ceo.get_by_text("Reports", exact=True).click()
        ceo.get_by_role("link", name="Goal alignment").click()
        expect(ceo.get_by_role("heading", name="Alignment report Finance pilot")).to_be_visible()
        expect(ceo.get_by_text("You chose this cycle; the other reports open on it too.")).to_be_visible()
        check(ceo, f"leadership-alignment-chosen-{width}", problems)
        fits(ceo, f"leadership-alignment-chosen-{width}", viewport["width"], problems)

        ceo.goto("/goals/organisation")
        expect(ceo.get_by_label("Cycle shown")).to_have_value(re.compile(".+"))
        expect(ceo.get_by_text("(shown for Finance pilot)")).to_be_visible()
        check(ceo, f"leadership-organisation-goals-{width}", problems)

        ceo.goto("/")
        expect(
            ceo.locator("section.leadership").get_by_role("heading", name="Your reports Finance pilot")
        ).to_be_visible()
        # back to the cycle with figures, with the same choice
        ceo.get_by_label("Cycle shown").select_option(label=f"{current} (Active)")
        ceo.get_by_role("button", name="Show").click()
        expect(ceo.locator("section.leadership").get_by_role("heading", name=f"Your reports {current}")).to_be_visible()
        check(ceo, f"leadership-home-chosen-{width}", problems)
    assert problems == []
