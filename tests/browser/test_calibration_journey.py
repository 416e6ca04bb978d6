"""Issue 23: a calibration from opening a session to closing it, in the browser, without JavaScript needed.

HR (Grace, E2) opens a session over Katherine (E4) and Edsger (E5), whose manager Alan (E3) submitted their
assessments under a template with a calibration phase; she lowers Katherine's ratings with a reason and closes the
session; Alan reads the session on a phone; Katherine then reads her calibrated review, without the reason.
Screenshots at 1280 and 390 px, axe-core serious/critical at 0, no page wider than the phone.
"""

from __future__ import annotations

from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import reviews as review_svc
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check


def calibrating_cycle(live) -> str:
    """An active cycle whose template calibrates and rates potential; E4 and E5 wait in calibration."""
    cycle = live.launch(template={"calibration": True, "potential": ["Low", "Medium", "High"]})
    for person, potential in (("E4", 3), ("E5", 2)):
        v = UnitOfWork(live.table).reviews.get(cycle.cycle_id, person).version
        me = f.principal(live.table, person)
        review_svc.save_self_assessment(
            UnitOfWork(live.table), me, cycle.cycle_id, person, f.self_content(), v, True, live.clock
        )
        content = f.manager_content(potential=potential, narrative="Calibrated narrative")
        mgr = f.principal(live.table, "E3")
        review_svc.save_manager_assessment(
            UnitOfWork(live.table), mgr, cycle.cycle_id, person, content, v + 1, True, live.clock
        )
    return cycle.cycle_id


def fits(page, problems: list[str], name: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    if width > 390:
        problems.append(f"{name}: {width} px wide at 390")


def test_hr_opens_a_session_adjusts_with_a_reason_and_closes_it(live, open_as):
    cycle_id = calibrating_cycle(live)
    problems: list[str] = []

    manager = open_as(live, "E3", WIDTHS["wide"])
    manager.goto(f"/cycles/{cycle_id}/reviews/E4")
    expect(manager.get_by_text("provisional").first).to_be_visible()
    check(manager, "calibration-review-in-calibration-wide", problems)

    hr = open_as(live, "E2", WIDTHS["wide"])
    hr.goto(f"/hr/cycles/{cycle_id}")
    expect(hr.locator("ol.phases li", has_text="Calibration")).to_be_visible()  # its deadline among the phases
    check(hr, "calibration-hr-cycle-wide", problems)
    hr.get_by_role("link", name="Calibration: 2 ratings waiting; sessions").click()
    expect(hr.get_by_role("heading", name="Open a session")).to_be_visible()
    hr.get_by_label("Name").fill("Engineering")
    hr.get_by_label("Who it covers").select_option("list")
    hr.get_by_label("Katherine Johnson").check()
    hr.get_by_label("Edsger Dijkstra").check()
    check(hr, "calibration-sessions-wide", problems)
    hr.get_by_role("button", name="Open the session").click()
    expect(hr.get_by_text("Session “Engineering” is open with 2 people.")).to_be_visible()
    expect(hr.get_by_role("heading", name="Performance × potential")).to_be_visible()
    check(hr, "calibration-session-wide", problems)

    hr.get_by_role("link", name="Katherine Johnson").click()
    expect(hr.get_by_role("heading", name="Calibrate Katherine Johnson")).to_be_visible()
    hr.locator("input[name='competency_ratings.delivery'][value='2']").check()
    hr.locator("input[name='competency_ratings.collaboration'][value='2']").check()
    hr.get_by_label("Why (the manager and HR read this; the employee never does)").fill("Ratings above the evidence")
    check(hr, "calibration-adjust-wide", problems)
    hr.get_by_role("button", name="Save the calibration").click()
    expect(hr.get_by_text("Katherine Johnson's calibration is saved.")).to_be_visible()
    expect(hr.get_by_text("Ratings above the evidence")).to_be_visible()

    hr.get_by_role("button", name="Close and lock the ratings").click()
    expect(hr.get_by_text("“Engineering” is closed")).to_be_visible()
    expect(hr.get_by_role("heading", name="Reopen the session")).to_be_visible()
    expect(hr.get_by_role("link", name="Download the report (PDF)")).to_be_visible()
    assert UnitOfWork(live.table).reviews.get(cycle_id, "E4").state.value == "manager_submitted"

    manager = open_as(live, "E3", WIDTHS["narrow"])  # the same manager, now on a phone
    manager.goto(hr.url)
    expect(manager.get_by_text("Ratings above the evidence")).to_be_visible()
    check(manager, "calibration-session-narrow", problems)
    fits(manager, problems, "session")
    manager.goto(f"/cycles/{cycle_id}/calibration")
    check(manager, "calibration-sessions-narrow", problems)
    fits(manager, problems, "sessions")

    narrow_hr = open_as(live, "E2", WIDTHS["narrow"])
    narrow_hr.goto(f"/cycles/{cycle_id}/calibration")
    fits(narrow_hr, problems, "sessions as HR")
    check(narrow_hr, "calibration-sessions-hr-narrow", problems)
    narrow_hr.get_by_role("link", name="Ratings across the cycle, by department and level").click()
    expect(narrow_hr.get_by_role("heading", name="Overall ratings")).to_be_visible()
    fits(narrow_hr, problems, "ratings")
    check(narrow_hr, "calibration-ratings-narrow", problems)
    expect(narrow_hr.get_by_role("link", name="Download the report (PDF)")).to_be_visible()
    narrow_hr.goto(f"/hr/cycles/{cycle_id}")
    fits(narrow_hr, problems, "HR's cycle page")
    check(narrow_hr, "calibration-hr-cycle-narrow", problems)

    employee = open_as(live, "E4", WIDTHS["narrow"])
    employee.goto(f"/cycles/{cycle_id}/reviews/E4")
    expect(employee.get_by_text("Calibrated narrative")).to_be_visible()
    assert "Ratings above the evidence" not in employee.content()
    assert problems == [], "\n".join(problems)
