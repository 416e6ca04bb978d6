"""Issue 25, point 7 in a real browser, at 1280 px with the page script and at 390 px without it: HR lists people
for a cycle with the people picker (search, add, save: the cycle is for exactly them), and a manager logs learning
against a report's training need found with the need picker. Each page is screenshotted and checked with axe-core
(0 serious or critical)."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import interviews
from service.services import reviews as review_svc
from service.services import templates as template_svc
from tests import factories as f
from tests.browser.conftest import shot
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser
SCRIPT = {"wide": True, "narrow": False}  # the wide walk with the page script, the narrow one without


@pytest.fixture
def contexts(browser: Any):
    """The browser contexts a test opens, closed after it."""
    opened: list[Any] = []
    yield opened
    for context in opened:
        context.close()


def open_page(browser: Any, contexts: list[Any], live: Any, employee_id: str, width: str) -> Any:
    """A page signed in as this person, at this width, with or without the page's scripts (SCRIPT). Without them,
    the scripts' requests are refused rather than JavaScript turned off, so axe-core can still run on the page."""
    context = browser.new_context(base_url=live.url, viewport=WIDTHS[width], locale="en-GB")
    context.set_default_timeout(30_000)
    contexts.append(context)
    if not SCRIPT[width]:
        context.route(re.compile(r"/static/.*\.js"), lambda route: route.abort())
    page = context.new_page()
    page.goto("/signin")
    page.click(f"button[data-employee='{employee_id}']")
    page.wait_for_url(live.url + "/")
    return page


def search(page: Any, box: str, words: str, width: str) -> None:
    """Type in a picker's search box: the script lists matches as one types; without it, press Search."""
    page.get_by_label(box).fill(words)
    if not SCRIPT[width]:
        page.get_by_label(box).locator("xpath=following-sibling::button").click()


@pytest.mark.parametrize("width", list(WIDTHS))
def test_hr_lists_people_for_a_cycle_and_a_manager_picks_a_report_s_need(live, browser, contexts, width):
    problems: list[str] = []
    template = template_svc.create_template(UnitOfWork(live.table), live.hr(), f.template_data(), live.clock)
    today = live.clock.now().date()

    hr = open_page(browser, contexts, live, "E2", width)
    hr.goto("/hr/cycles/new")
    hr.get_by_label("Name", exact=True).fill("Engineers' mid-year")  # kept by the search, with or without a script
    search(hr, "Find people by name, department or role", "engineer", width)
    expect(hr.get_by_text("3 people match “engineer”")).to_be_visible()
    hr.get_by_label("Template", exact=True).select_option(template.template_id)
    for n, phase in enumerate(("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion")):
        hr.locator(f"#f-phases-{phase}").fill((today + timedelta(days=7 * (n + 1))).isoformat())
    hr.get_by_role("button", name="Add Katherine Johnson").click()
    expect(hr.get_by_role("checkbox", name=re.compile("Katherine Johnson"))).to_be_checked()
    hr.get_by_role("button", name="Add Edsger Dijkstra").click()
    expect(hr.get_by_role("checkbox", name=re.compile("Edsger Dijkstra"))).to_be_checked()
    expect(hr.get_by_label("The people listed below")).to_be_checked()
    expect(hr.get_by_label("Name", exact=True)).to_have_value("Engineers' mid-year")  # nothing typed is lost
    hr.locator("#f-employee_ids").scroll_into_view_if_needed()
    check(hr, f"picker-cycle-people-{width}", problems)
    hr.get_by_role("button", name="Save draft cycle").click()
    expect(hr.get_by_role("heading", name=re.compile("Engineers' mid-year"))).to_be_visible()
    cycle = next(c for c in cycle_svc.list_cycles(UnitOfWork(live.table)) if c.name == "Engineers' mid-year")
    assert (cycle.participant_mode, sorted(cycle.employee_ids)) == ("list", ["E4", "E5"])

    # Katherine names a training need in her self assessment; her manager logs a pairing session against it.
    launched = live.launch()
    content = f.self_content(training_needs=[{"topic": "Statistics", "priority": "high"}])
    me = f.principal(live.table, "E4")
    review_svc.save_self_assessment(UnitOfWork(live.table), me, launched.cycle_id, "E4", content, 1, True, live.clock)
    boss = open_page(browser, contexts, live, "E3", width)
    boss.goto("/learning")
    search(boss, "Find another training need", "katherine", width)
    boss.get_by_label("What it was").fill("Pairing on statistics with Katherine")
    need = boss.get_by_role("radio", name=re.compile("Statistics for Katherine Johnson"))
    need.check()
    boss.locator("#f-need_id").scroll_into_view_if_needed()
    check(boss, f"picker-learning-need-{width}", problems)
    boss.get_by_role("button", name="Add to my log").click()
    expect(
        boss.get_by_text(re.compile("addresses the training need “Statistics for Katherine Johnson"))
    ).to_be_visible()
    (activity,) = UnitOfWork(live.table).learning.of_owner("E3")
    assert UnitOfWork(live.table).training.get(activity.need_id).employee_id == "E4"
    boss.get_by_role("link", name="Pairing on statistics with Katherine").click()
    expect(boss.get_by_role("radio", name=re.compile("Statistics for Katherine Johnson"))).to_be_checked()
    check(boss, f"picker-learning-activity-{width}", problems)

    # An interview of his own, recorded against the same need, found by its topic and her name.
    contact = interviews.add_contact(
        UnitOfWork(live.table), f.principal(live.table, "E3"), {"name": "Mae Jemison", "role": "Scientist"}, live.clock
    )
    for n, step in enumerate(("send", "schedule"), start=1):
        yesterday = (today - timedelta(days=1)).isoformat() + "T10:00"
        interviews.act(
            UnitOfWork(live.table), f.principal(live.table, "E3"), contact.contact_id, step, n, live.clock, yesterday
        )
    boss.goto(f"/learning/interviews/{contact.contact_id}")
    search(boss, "Find another training need", "johnson statistics", width)
    boss.get_by_role("textbox", name="What you learnt").fill("Check the data twice.")
    boss.get_by_role("radio", name=re.compile("Statistics for Katherine Johnson")).check()
    boss.locator("#f-need_id").scroll_into_view_if_needed()
    check(boss, f"picker-interview-need-{width}", problems)
    boss.get_by_role("button", name="Record the interview").click()
    expect(boss.get_by_text("Send a thank-you note", exact=True)).to_be_visible()
    assert [a.need_id for a in UnitOfWork(live.table).learning.of_owner("E3")] == [activity.need_id] * 2

    # HR's template editor asks for names only: the ids are made from them.
    hr.goto("/hr/templates/new")
    hr.get_by_label("Template name").fill("Engineering ladder")
    hr.locator("[name='competencies.0.name']").fill("Code review")
    hr.locator("[name='competencies.0.description']").fill("Reviews with care.")
    hr.locator("[name='questions.self.0.text']").fill("What are you proud of?")
    expect(hr.get_by_label("Id", exact=True)).to_have_count(0)
    check(hr, f"picker-template-form-{width}", problems)
    hr.get_by_role("button", name="Save template").click()
    expect(hr.get_by_text(re.compile("Template “Engineering ladder” saved"))).to_be_visible()
    made = next(t for t in template_svc.list_templates(UnitOfWork(live.table)) if t.name == "Engineering ladder")
    assert made.competency_ids() == ["code-review"] and made.questions["self"][0].id == "what-are-you-proud-of"
    assert not problems, "\n".join(problems)


def test_without_javascript_enter_in_a_field_saves_and_enter_in_the_search_box_searches(live, browser, contexts):
    """JavaScript turned off: what was typed in the form before a search is kept (the search sends the whole form,
    nothing saved); Enter in the search box lists matches; Enter in the name field saves the cycle, and Enter in
    the learning log's "What it was" adds the activity."""
    template = template_svc.create_template(UnitOfWork(live.table), live.hr(), f.template_data(), live.clock)
    today = live.clock.now().date()
    context = browser.new_context(base_url=live.url, viewport=WIDTHS["wide"], java_script_enabled=False)
    context.set_default_timeout(30_000)
    contexts.append(context)
    hr = context.new_page()
    hr.goto("/signin")
    hr.click("button[data-employee='E2']")
    hr.wait_for_url(live.url + "/")

    hr.goto("/hr/cycles/new")
    hr.get_by_label("Name", exact=True).fill("Entered")  # typed before any search: kept through them all
    hr.get_by_label("Template", exact=True).select_option(template.template_id)
    for n, phase in enumerate(("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion")):
        hr.locator(f"#f-phases-{phase}").fill((today + timedelta(days=7 * (n + 1))).isoformat())
    hr.get_by_label("Find people by name, department or role").fill("lovelace")
    hr.get_by_role("button", name="Search").click()
    expect(hr.get_by_text("1 person matches “lovelace”")).to_be_visible()
    hr.get_by_label("Find people by name, department or role").fill("engineer")
    hr.get_by_label("Find people by name, department or role").press("Enter")
    expect(hr.get_by_text("3 people match “engineer”")).to_be_visible()
    hr.get_by_role("button", name="Add Katherine Johnson").click()  # the others' Add buttons stay before Save
    expect(hr.get_by_label("Name", exact=True)).to_have_value("Entered")
    expect(hr.get_by_label("Template", exact=True)).to_have_value(template.template_id)
    expect(hr.locator("#f-phases-discussion")).to_have_value((today + timedelta(days=35)).isoformat())
    assert not [c for c in cycle_svc.list_cycles(UnitOfWork(live.table)) if c.name == "Entered"]
    shot(hr, "picker-enter-no-js-cycle-wide")
    hr.get_by_label("Name", exact=True).press("Enter")
    expect(hr.get_by_role("heading", name=re.compile("Entered"))).to_be_visible()
    cycle = next(c for c in cycle_svc.list_cycles(UnitOfWork(live.table)) if c.name == "Entered")
    assert (cycle.participant_mode, cycle.employee_ids) == ("list", ["E4"])

    hr.goto("/learning")
    hr.get_by_label("What it was").fill("Reading on survey design")
    hr.get_by_label("Find another training need").fill("statistics")
    hr.get_by_label("Find another training need").press("Enter")
    expect(hr.get_by_text("No training need you may log against matches “statistics”.")).to_be_visible()
    expect(hr.get_by_label("What it was")).to_have_value("Reading on survey design")
    assert UnitOfWork(live.table).learning.of_owner("E2") == []
    shot(hr, "picker-enter-no-js-learning-wide")
    hr.get_by_label("What it was").press("Enter")
    expect(hr.get_by_text("“Reading on survey design” added to your learning log.")).to_be_visible()
    assert [a.title for a in UnitOfWork(live.table).learning.of_owner("E2")] == ["Reading on survey design"]
