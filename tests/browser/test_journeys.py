"""End-to-end journeys in a real browser: drafts that survive reloads and expired sessions, a review from the
manager's assessment to HR's audit trail, and HR importing the organisation and launching a cycle."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from service.services import reviews as review_svc
from tests import factories as f
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser


def nav(page, name: str):
    """A link of the main navigation, its menu (HR, Reports) opened first when it is in one."""
    main = page.get_by_role("navigation", name="Main")
    link = main.get_by_role("link", name=name, exact=True)
    if not link.is_visible():
        hidden = page.get_by_role("link", name=name, exact=True, include_hidden=True)
        main.locator("details.nav-menu", has=hidden).locator("summary").click()
    return link


def review_path(cycle_id: str, employee_id: str = "E4", part: str = "") -> str:
    return f"/cycles/{cycle_id}/reviews/{employee_id}" + (f"/{part}" if part else "")


def submit_self_by_service(live, cycle_id: str, employee_id: str = "E4") -> None:
    table, clock = live.table, live.clock
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, employee_id), cycle_id, employee_id, f.self_content(), 1, True, clock
    )


def test_an_employee_aligns_a_goal_drafts_a_self_assessment_reloads_finds_it_and_submits(live, open_as):
    cycle = live.launch()
    org = goal_svc.create_goal(
        UnitOfWork(live.table),
        f.principal(live.table, "E1"),
        {"level": "organisation", "title": "Delight customers"},
        live.clock,
    )
    goal_svc.create_goal(
        UnitOfWork(live.table),
        f.principal(live.table, "E3"),
        {"level": "team", "title": "Fast support", "cycle_id": cycle.cycle_id, "parent_id": org.goal_id},
        live.clock,
    )
    page = open_as(live, "E4")

    # Goals: a personal goal aligned with the picker, which shows the chain up to the organisation goal.
    nav(page, "Goals").click()
    page.get_by_label("Title").fill("Answer tickets within a day")
    page.get_by_label("Weight (0–100)").fill("100")
    page.get_by_label("Aligns to").select_option(label="Fast support (under Delight customers)")
    page.get_by_label("What is measured").first.fill("Tickets answered within a day")
    page.get_by_label("Target").first.fill("40")
    page.get_by_role("button", name="Add goal").click()
    goals = page.locator(".goal-list")
    expect(goals).to_contain_text("Answer tickets within a day")
    expect(goals).to_contain_text("↑ Fast support")
    expect(goals).to_contain_text("↑ Delight customers")
    shot(page, "00-goals-aligned")
    mine = goal_svc.person_goals(UnitOfWork(live.table), "E4", cycle.cycle_id)
    assert [g.alignment_chain[-1].title for g in mine] == ["Delight customers"]
    nav(page, "My tasks").click()

    # My tasks: the self assessment, with its deadline.
    task = page.get_by_role("link", name="Write your self assessment")
    expect(task).to_be_visible()
    expect(page.locator(".task").first).to_contain_text("due in 5 days")
    shot(page, "01-employee-home-my-tasks")
    task.click()
    expect(page.get_by_role("heading", name=re.compile("Your self assessment"))).to_be_visible()

    # Type: the draft saves itself a moment after typing stops.
    page.get_by_role("group", name=re.compile("^Delivery")).get_by_label("Exceeds").check()
    page.get_by_label("What you achieved this period").fill("Shipped the importer and halved import time.")
    page.get_by_label("Topic").first.fill("Public speaking")
    expect(page.get_by_label("Topic")).to_have_count(2)  # typing in the last row offered a new empty one
    # The browser writes the time as the server does (en-GB: two-digit 24-hour clock).
    saved = re.compile(r"Draft saved at \d\d:\d\d UTC")
    expect(page.locator("[data-save-status]")).to_contain_text(saved, timeout=8000)
    shot(page, "02-self-assessment-autosaved")

    # A reload shows the draft as it was typed.
    page.reload()
    expect(page.get_by_label("What you achieved this period")).to_have_value(
        "Shipped the importer and halved import time."
    )
    expect(page.get_by_role("group", name=re.compile("^Delivery")).get_by_label("Exceeds")).to_be_checked()
    expect(page.get_by_label("Topic").first).to_have_value("Public speaking")

    # Submitting an incomplete assessment saves it and lists what is missing, linked to the fields.
    page.get_by_role("button", name="Submit to your manager…").click()
    summary = page.locator("#error-summary")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Collaboration rating")
    expect(summary).to_contain_text("What are you proud of?")
    shot(page, "03-self-assessment-error-summary")
    summary.get_by_role("link", name=re.compile("Collaboration rating")).click()

    page.get_by_role("group", name=re.compile("^Collaboration")).get_by_label("Meets").check()
    page.get_by_label("What are you proud of?").fill("The importer.")
    page.get_by_role("button", name="Submit to your manager…").click()

    # Confirmation, saying what happens next; then submitted.
    expect(page.get_by_role("heading", name="Submit your self assessment?")).to_be_visible()
    expect(page.locator(".next-steps")).to_contain_text("Alan Turing")
    shot(page, "04-self-assessment-confirm")
    page.get_by_role("button", name="Yes, submit to your manager").click()
    expect(page.locator(".flash-success")).to_contain_text("Your self assessment is submitted")
    expect(page.locator(".stepper [aria-current=step]")).to_have_text(re.compile("Self assessment submitted"))
    shot(page, "05-review-after-self-submission")
    stored = review_svc.open_review(UnitOfWork(live.table), f.principal(live.table, "E4"), cycle.cycle_id, "E4")
    assert stored.state == "self_submitted"
    assert stored.self_assessment["achievements"] == "Shipped the importer and halved import time."
    assert stored.self_assessment["competency_ratings"]["delivery"]["rating"] == 3
    assert [n["topic"] for n in stored.self_assessment["training_needs"]] == ["Public speaking"]


def test_a_managers_session_expires_mid_review_and_nothing_typed_is_lost(serve, open_as):
    live = serve(session_seconds=6)
    cycle = live.launch()
    submit_self_by_service(live, cycle.cycle_id)
    page = open_as(live, "E3")
    page.goto(review_path(cycle.cycle_id, part="manager"))

    page.get_by_role("textbox", name=re.compile("^Strengths")).fill("Owns problems end to end.")
    expect(page.locator("[data-save-status]")).to_contain_text("Draft saved at", timeout=8000)

    # Shortly before the end, a warning offers to stay signed in.
    banner = page.locator("#session-banner")
    expect(banner).to_contain_text("Your session ends at", timeout=8000)
    shot(page, "06-session-warning", full_page=False)
    banner.get_by_role("button", name="Stay signed in").click()
    expect(banner).to_be_hidden()

    # The warning comes again; nobody answers and the session ends. The next edit stays on the page and
    # says it was not saved.
    expect(banner).to_be_visible(timeout=8000)
    expect(banner).to_contain_text("Your session ends at")
    expect(banner).to_contain_text("Your session has ended", timeout=10000)
    expect(banner.get_by_role("button", name="Stay signed in")).to_be_hidden()
    page.get_by_label("Overall narrative").fill("A strong year, written after the session ended.")
    expect(page.locator("[data-save-status]")).to_contain_text("Not saved: your session has ended", timeout=8000)
    shot(page, "07-session-ended-text-kept", full_page=False)

    # Sign in again in a new tab, come back, save.
    with page.context.expect_page() as signin_tab:
        banner.get_by_role("link", name="Sign in again (new tab)").click()
    tab = signin_tab.value
    tab.click("button[data-employee='E3']")
    expect(tab.get_by_role("heading", name="You are signed in again")).to_be_visible()
    tab.close()
    page.bring_to_front()
    banner.get_by_role("button", name="I have signed in again: save now").click()
    expect(page.locator("[data-save-status]")).to_contain_text("Draft saved at", timeout=8000)
    expect(banner).to_be_hidden()

    page.reload()
    expect(page.get_by_role("textbox", name=re.compile("^Strengths"))).to_have_value("Owns problems end to end.")
    expect(page.get_by_label("Overall narrative")).to_have_value("A strong year, written after the session ended.")


def test_a_manager_completes_a_review_the_employee_acknowledges_and_hr_sees_it_in_the_audit_trail(live, open_as):
    cycle = live.launch()
    submit_self_by_service(live, cycle.cycle_id)
    today = date.today()

    # The manager writes and submits the assessment.
    manager = open_as(live, "E3")
    manager.get_by_role("link", name="Write the manager assessment: Katherine Johnson").click()
    for competency, label in (("Delivery", "Outstanding"), ("Collaboration", "Exceeds")):
        manager.get_by_role("group", name=re.compile(f"^Your rating of {competency}")).get_by_label(label).check()
    manager.get_by_role("textbox", name=re.compile("^Strengths")).fill("Ownership of the importer.")
    manager.get_by_role("textbox", name=re.compile("^Areas to strengthen")).fill("Delegation.")
    manager.get_by_label("Obstacle", exact=True).first.fill("Slow CI")
    manager.get_by_label("Remediation action").first.fill("Buy faster runners")
    manager.get_by_label("Owner").first.select_option("E3")
    manager.get_by_label("Due").first.fill((today + timedelta(days=30)).isoformat())
    manager.get_by_label("Overall narrative").fill("A strong year.")
    shot(manager, "08-manager-assessment-form")
    manager.get_by_role("button", name="Submit the assessment…").click()
    expect(manager.locator(".score")).to_contain_text("How the score is made")
    shot(manager, "09-manager-assessment-confirm-with-score")
    manager.get_by_role("button", name="Yes, submit the assessment").click()
    expect(manager.locator(".flash-success")).to_contain_text("submitted and scored")

    # ... then records the discussion with an agreed action.
    manager.get_by_role("link", name="Record the discussion").click()
    manager.get_by_label("Date of the discussion").fill(today.isoformat())
    manager.get_by_label("Notes of the discussion").fill("Talked it through; agreed on mentoring.")
    manager.get_by_label("Action", exact=True).first.fill("Pair on the design review")
    manager.get_by_label("Owner").first.select_option("E4")
    manager.get_by_label("Due").first.fill((today + timedelta(days=20)).isoformat())
    manager.get_by_role("button", name="Record the discussion…").click()
    manager.get_by_role("button", name="Yes, record the discussion").click()
    expect(manager.locator(".flash-success")).to_contain_text("The discussion is recorded")

    # The employee reads the score with its parts and rule, and acknowledges without agreeing.
    employee = open_as(live, "E4")
    expect(employee.get_by_role("link", name="Action: Pair on the design review")).to_be_visible()
    employee.get_by_role("link", name="Read and acknowledge your review").click()
    expect(employee.locator(".score")).to_contain_text("Competencies")
    expect(employee.locator(".callout")).to_contain_text("Acknowledging is not agreeing")
    employee.get_by_label("I do not agree with the review").check()
    employee.get_by_label("Your written response (optional)").fill("The delivery rating ignores the outage work.")
    shot(employee, "10-employee-reads-and-acknowledges")
    employee.get_by_role("button", name="Acknowledge the review").click()
    expect(employee.locator(".flash-success")).to_contain_text("You acknowledged the review")
    expect(employee.get_by_role("region", name="Acknowledgement")).to_contain_text("did not agree")

    # HR finds the review from the dashboard, reads the audit trail, and finalises.
    hr = open_as(live, "E2")
    hr.goto(f"/hr/cycles/{cycle.cycle_id}")
    finder = hr.get_by_role("region", name="Open a review")
    finder.get_by_label("Find a participant by name, department or role").fill("Katherine")
    finder.get_by_role("button", name="Search").click()
    hr.get_by_role("region", name="Open a review").get_by_role("link", name="Katherine Johnson").click()
    hr.get_by_role("link", name="Audit trail of this review").click()
    entries = hr.locator(".audit-entry")
    expect(entries.first).to_contain_text("Katherine Johnson acknowledged the review")
    expect(entries.first).to_contain_text("Acknowledgement › Agreement")
    expect(entries.first).to_contain_text("Does not agree")
    expect(hr.locator(".audit-story")).to_contain_text("Alan Turing submitted the manager assessment")
    expect(hr.locator(".audit-story")).to_contain_text("Alan Turing recorded the review discussion")
    expect(hr.locator(".verified, .error-summary")).to_have_count(1)
    shot(hr, "11-hr-audit-trail")
    hr.go_back()
    hr.get_by_role("button", name="Finalise the review").click()
    expect(hr.locator(".flash-success")).to_contain_text("finalised")


def _org_csv(extra: int, broken: bool = False) -> bytes:
    lines = ORG.rstrip("\n").split("\n")
    for n in range(extra):
        manager = "E3" if n % 2 else "E2"
        lines.append(
            f"X{n:03d},Person {n:03d},p{n:03d}@example.com,Engineer,{'Engineering' if n % 2 else 'People'},{manager},"
        )
    if broken:
        lines[3] = lines[3].replace("alan@example.com", "not-an-email")
        lines.append("X900,Loop One,loop1@example.com,Engineer,Engineering,X901,")
        lines.append("X901,Loop Two,loop2@example.com,Engineer,Engineering,X900,")
        lines.append("X902,Orphan,orphan@example.com,Engineer,Engineering,NOBODY,")
    return ("\n".join(lines) + "\n").encode()


from tests.conftest import ORG_CSV as ORG  # noqa: E402


def test_hr_imports_a_csv_with_errors_fixes_it_launches_a_cycle_and_watches_the_progress(live, open_as):
    from tests.browser.conftest import SlowQueue

    wiring = live.app.extensions["reviews"]
    from service.services.worker import dispatch

    wiring.extras["queue"] = SlowQueue(lambda m: dispatch(live.table, m, live.clock), pause=0.6)
    hr = open_as(live, "E2")

    # A bad file is rejected whole, with a row-numbered report.
    nav(hr, "Import").click()
    hr.get_by_label("CSV file (UTF-8)").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": _org_csv(40, broken=True)}
    )
    hr.get_by_role("button", name="Import").click()
    report = hr.locator("table.import-errors")
    expect(hr.locator("#error-summary")).to_contain_text("people.csv was rejected: nothing was changed")
    expect(report.locator("tbody tr").first).to_contain_text("4")
    expect(report).to_contain_text("email")
    expect(report).to_contain_text("NOBODY")
    shot(hr, "12-hr-import-rejected-with-row-report")

    # The fixed file goes in.
    hr.get_by_label("CSV file (UTF-8)").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": _org_csv(40)}
    )
    hr.get_by_role("button", name="Import").click()
    expect(hr.locator(".flash-success")).to_contain_text("people.csv imported")
    expect(hr.locator(".counts")).to_contain_text("40")

    # A template, then a cycle over everyone.
    nav(hr, "Templates").click()
    hr.get_by_role("link", name="New template").click()
    hr.get_by_label("Template name").fill("Annual review")
    hr.locator("[name='competencies.0.name']").fill("Delivery")
    hr.locator("[name='competencies.0.description']").fill("Ships what matters, on time.")
    hr.locator("[name='competencies.1.name']").fill("Collaboration")
    hr.locator("[name='competencies.1.description']").fill("Makes the team better.")
    hr.locator("[name='questions.self.0.text']").fill("What are you proud of?")
    hr.get_by_role("button", name="Save template").click()
    expect(hr.locator(".flash-success")).to_contain_text("saved as version 1")

    today = date.today()
    nav(hr, "Cycles").click()
    hr.get_by_role("link", name="Set up a cycle").click()
    hr.get_by_label("Name", exact=True).fill("Browser cycle")
    hr.get_by_label("Template", exact=True).select_option(label="Annual review (version 1)")
    for n, key in enumerate(
        (
            "Goal setting",
            "Self assessment",
            "Peer and upward feedback",
            "Manager assessment",
            "Review discussion and acknowledgement",
        )
    ):
        hr.get_by_label(key, exact=True).fill((today + timedelta(days=7 * (n + 1))).isoformat())
    shot(hr, "13-hr-cycle-setup")
    hr.get_by_role("button", name="Save draft cycle").click()
    expect(hr.locator(".flash-success")).to_contain_text("Browser cycle")

    # Launch, and watch the reviews being created (the page refreshes itself until done).
    hr.get_by_role("link", name="Launch the cycle…").click()
    hr.get_by_role("button", name="Launch and email 46 people").click()  # issue 25: a confirmation first
    expect(hr.get_by_role("heading", name="Launching Browser cycle…")).to_be_visible()
    expect(hr.locator("[data-expected]")).to_have_text("46")
    shot(hr, "14-hr-launch-in-progress")
    expect(hr.get_by_role("heading", name="Browser cycle is launched")).to_be_visible(timeout=60_000)
    expect(hr.locator("[data-created]")).to_have_text("46")
    hr.get_by_role("link", name="Go to the progress dashboard").click()
    expect(hr.locator(".progress-table")).to_contain_text("Not started")
    expect(hr.get_by_role("region", name="Per department")).to_contain_text("Engineering")
    expect(hr.locator(".lead").first).to_contain_text("46 reviews")
    shot(hr, "15-hr-progress-dashboard")


def test_the_home_page_and_a_form_fit_a_phone(live, open_as):
    cycle = live.launch()
    page = open_as(live, "E4", viewport={"width": 390, "height": 844})
    expect(page.get_by_role("link", name="Write your self assessment")).to_be_visible()
    shot(page, "16-phone-home")
    page.goto(review_path(cycle.cycle_id, part="self"))
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    shot(page, "17-phone-self-assessment")
