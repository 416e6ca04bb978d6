"""The review pages as people read them, at 1280 px and 390 px: words not codes, the two voices side by side,
forms that show where you are, talking points, the audit trail as a history; and no serious or critical
accessibility violation (axe-core) on any of them."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import reviews as review_svc
from tests import factories as f
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser

WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


def axe_problems(page: Any) -> list[str]:
    """Serious and critical axe-core violations of the page as it is now, one line each."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in found
        if v.get("impact") in ("serious", "critical")
    ]


def check(page: Any, name: str) -> None:
    """Screenshot the page and require it to be free of serious and critical accessibility problems."""
    shot(page, name)
    shot(page, name + "-window", full_page=False)  # what the window shows first, at a readable size
    problems = axe_problems(page)
    assert not problems, f"{name}: " + "\n".join(problems)


def review_path(cycle_id: str, part: str = "", employee_id: str = "E4") -> str:
    return f"/cycles/{cycle_id}/reviews/{employee_id}" + (f"/{part}" if part else "")


def save_self(live, cycle_id: str, content: dict[str, Any], submit: bool) -> None:
    uow = UnitOfWork(live.table)
    version = uow.reviews.get(cycle_id, "E4").version
    review_svc.save_self_assessment(
        UnitOfWork(live.table), f.principal(live.table, "E4"), cycle_id, "E4", content, version, submit, live.clock
    )


def submit_manager(live, cycle_id: str) -> None:
    version = UnitOfWork(live.table).reviews.get(cycle_id, "E4").version
    review_svc.save_manager_assessment(
        UnitOfWork(live.table),
        f.principal(live.table, "E3"),
        cycle_id,
        "E4",
        f.manager_content(),
        version,
        True,
        live.clock,
    )


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_a_started_self_assessment_says_how_far_it_is_and_folds_the_done_sections_on_a_phone(live, open_as, viewport):
    cycle = live.launch()
    save_self(live, cycle.cycle_id, {"achievements": "Shipped the importer."}, submit=False)
    width = viewport["width"]
    page = open_as(live, "E4", viewport=viewport)

    task = page.locator(".task").filter(has_text="Write your self assessment")
    expect(task).to_contain_text(re.compile(r"Continue: 1 of \d sections done"))
    check(page, f"a-{width}-home-draft-progress")

    task.get_by_role("link").click()
    index = page.get_by_role("navigation", name=re.compile("sections done"))
    expect(index).to_contain_text("Achievements")
    expect(index.locator("li.done")).to_have_text(re.compile("Achievements"))
    achievements = page.locator("#s-achievements details")
    competencies = page.locator("#s-competencies details")
    expect(competencies).to_have_attribute("open", "")
    if width < 600:
        # Done sections fold on a phone: the page is as long as what is left to do.
        expect(achievements).not_to_have_attribute("open", "")
        page.get_by_role("link", name="Achievements").click()
        expect(achievements).to_have_attribute("open", "")
    else:
        expect(achievements).to_have_attribute("open", "")
    bar = page.locator(".form-actions")
    # Compact on a phone (issue 28): one row of buttons, with the save status as a short line above them when shown.
    limit = 44 if width < 600 else 72
    box = bar.bounding_box()
    assert box and box["height"] <= limit, f"the save bar is {box and box['height']}px tall"
    page.evaluate("document.querySelector('[data-save-status]').textContent = 'Draft saved at 10:02. Not sent yet.'")
    box = bar.bounding_box()
    assert box and box["height"] <= viewport["height"] * 0.07, f"with a status the bar is {box and box['height']}px"
    page.evaluate("document.querySelector('[data-save-status]').textContent = ''")
    background = bar.evaluate("el => getComputedStyle(el).backgroundColor")
    assert background.startswith("rgb("), f"the save bar lets content show through ({background})"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check(page, f"a-{width}-self-form-sections")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_the_manager_reads_the_employees_rating_and_comment_beside_their_own(live, open_as, viewport):
    cycle = live.launch()
    content = f.self_content()
    content["competency_ratings"]["delivery"]["comment"] = "Carried the importer through the outage."
    save_self(live, cycle.cycle_id, content, submit=True)
    width = viewport["width"]
    page = open_as(live, "E3", viewport=viewport)
    page.goto(review_path(cycle.cycle_id, "manager"))

    pair = page.locator(".two-voices").first
    own, mine = pair.locator(".voice-self"), pair.locator(".voice-manager")
    expect(own).to_contain_text("Self rating: Exceeds (3 of 4)")
    expect(own.locator(".scale-marked li.marked")).to_have_text(re.compile("3 Exceeds"))
    expect(own).to_contain_text("Carried the importer through the outage.")
    expect(mine.get_by_role("group", name=re.compile("^Your rating of Delivery"))).to_be_visible()
    a, b = own.bounding_box(), mine.bounding_box()
    assert a and b
    if width < 600:
        assert a["y"] + a["height"] <= b["y"] + 1, "on a phone the two voices stack, the employee's first"
    else:
        assert a["x"] + a["width"] <= b["x"] and abs(a["y"] - b["y"]) < 5, "on a wide screen they sit side by side"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    check(page, f"a-{width}-manager-form-two-voices")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_the_discussion_opens_with_talking_points_and_today_and_the_score_reads_in_words(live, open_as, viewport):
    cycle = live.launch()
    save_self(live, cycle.cycle_id, f.self_content(), submit=True)
    submit_manager(live, cycle.cycle_id)
    width = viewport["width"]
    manager = open_as(live, "E3", viewport=viewport)
    manager.goto(review_path(cycle.cycle_id, "discussion"))

    points = manager.get_by_role("region", name="Talking points")
    expect(points).to_contain_text(re.compile(r"\d+ of 100: "))
    expect(points).to_contain_text("Where Katherine Johnson sees it differently")
    expect(points).to_contain_text("Obstacles")
    expect(points).to_contain_text("Training needs")
    expect(manager.get_by_label("Date of the discussion")).to_have_value(date.today().isoformat())
    check(manager, f"a-{width}-discussion-talking-points")

    employee = open_as(live, "E4", viewport=viewport)
    employee.goto(review_path(cycle.cycle_id))
    score = employee.locator(".score")
    expect(score.locator(".score-sentence")).to_have_text(re.compile(r"^\d+ of 100: .*\(weight \d+%\)"))
    expect(score).not_to_contain_text("Σ")
    check(employee, f"a-{width}-review-score-in-words")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_hr_reads_the_audit_trail_as_a_history(live, open_as, viewport):
    cycle = live.launch()
    content = f.self_content()
    content["achievements"] = "Shipped the importer. " * 20  # long text folds away behind a summary
    save_self(live, cycle.cycle_id, content, submit=True)
    submit_manager(live, cycle.cycle_id)
    width = viewport["width"]
    hr = open_as(live, "E2", viewport=viewport)
    hr.goto(review_path(cycle.cycle_id, "audit"))

    story = hr.locator(".audit-story")
    expect(story.locator(".audit-entry").first).to_contain_text(
        re.compile(r"Alan Turing submitted the manager assessment, \d{1,2} \w{3} \d{4}, \d\d:\d\d")
    )
    expect(story).to_contain_text("Katherine Johnson submitted the self assessment")
    expect(story).to_contain_text("Manager assessment › Delivery rating")
    expect(story).to_contain_text("Outstanding (4 of 4)")
    expect(story).not_to_contain_text("manager_assessment.")
    expect(story).not_to_contain_text(re.compile(r"\d{4}-\d\d-\d\dT"))
    long_text = story.locator(".audit-changes details").first
    expect(long_text.locator("summary")).to_contain_text("characters")
    expect(long_text.locator(".to")).to_be_hidden()
    check(hr, f"a-{width}-audit-history")


@pytest.mark.parametrize("viewport", [WIDE, PHONE], ids=["1280", "390"])
def test_the_manager_confirms_a_score_told_in_words_and_hr_reads_the_review_with_names(live, open_as, viewport):
    cycle = live.launch()
    save_self(live, cycle.cycle_id, f.self_content(), submit=True)
    version = UnitOfWork(live.table).reviews.get(cycle.cycle_id, "E4").version
    review_svc.save_manager_assessment(
        UnitOfWork(live.table),
        f.principal(live.table, "E3"),
        cycle.cycle_id,
        "E4",
        f.manager_content(),
        version,
        False,
        live.clock,
    )
    width = viewport["width"]
    manager = open_as(live, "E3", viewport=viewport)
    expect(manager.locator(".task").filter(has_text="Katherine Johnson")).to_contain_text(
        "Continue: 6 of 6 sections done"
    )
    manager.goto(review_path(cycle.cycle_id, "manager"))
    expect(manager.get_by_role("navigation", name=re.compile("sections done"))).to_contain_text("6 of 6 sections done")
    manager.get_by_role("button", name="Submit the assessment…").click()
    expect(manager.locator(".score-sentence")).to_have_text(
        re.compile(r"^\d+ of 100: goals \d+ \(weight 50%\).*were rescaled to the parts that count")
    )
    check(manager, f"a-{width}-manager-confirm-score")

    hr = open_as(live, "E2", viewport=viewport)
    hr.goto(review_path(cycle.cycle_id))
    expect(hr.locator(".people-line")).to_contain_text("Katherine Johnson, Engineer")
    expect(hr.locator(".people-line")).to_contain_text("Manager: Alan Turing, Engineering Manager")
    expect(hr.locator(".next")).to_contain_text("Waiting for the manager assessment")
    check(hr, f"a-{width}-hr-reads-review")
