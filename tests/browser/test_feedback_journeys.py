"""Browser journeys of feedback (issue 9): the employee nominates peers, the manager approves, a reviewer answers
with an autosaved draft and submits, another declines; HR's feedback page; every page passes axe-core at 1280 and
390 px (0 serious or critical violations) and is screenshotted."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.domain.feedback import RequestState
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser


def test_nominating_approving_answering_and_declining(live, open_as):
    cycle = live.launch()
    cid = cycle.cycle_id
    problems: list[str] = []

    # Katherine (E4) nominates three colleagues from her review.
    employee = open_as(live, "E4")
    employee.goto(f"/cycles/{cid}/reviews/E4")
    expect(employee.get_by_role("heading", name="Peer and upward feedback")).to_be_visible()
    employee.get_by_role("link", name="Your peer reviewers").click()
    for name in ("Edsger Dijkstra", "Barbara Liskov", "Grace Hopper"):
        employee.get_by_label(re.compile(name)).check()
    check(employee, "feedback-01-nominate", problems)
    employee.get_by_role("button", name="Save my nominations").click()
    expect(employee.locator(".flash-success")).to_contain_text("Your manager approves them next")

    # Alan (E3), her manager, approves two and removes one.
    manager = open_as(live, "E3")
    manager.goto(f"/cycles/{cid}/reviews/E4/nominations")
    manager.get_by_role("group", name="Decision on Edsger Dijkstra").get_by_label("Approve").check()
    manager.get_by_role("group", name="Decision on Barbara Liskov").get_by_label("Approve").check()
    manager.get_by_role("group", name="Decision on Grace Hopper").get_by_label("Remove").check()
    check(manager, "feedback-02-approve", problems)
    manager.get_by_role("button", name="Save decisions").click()
    expect(manager.locator(".flash-success")).to_contain_text("newly asked gets an email")
    requests = {r.reviewer_id: r.state for r in UnitOfWork(live.table).feedback.about(cid, "E4")}
    assert requests == {"E5": RequestState.APPROVED, "E6": RequestState.APPROVED, "E2": RequestState.REMOVED}

    # Edsger (E5) answers: the draft saves itself, survives a reload, then he submits.
    reviewer = open_as(live, "E5")
    reviewer.get_by_role("navigation", name="Main").get_by_role("link", name="Feedback", exact=True).click()
    check(reviewer, "feedback-03-inbox", problems)
    reviewer.get_by_role("link", name="Feedback on Katherine Johnson").click()
    reviewer.get_by_role("group", name=re.compile("^Delivery")).get_by_label("Exceeds").check()
    expect(reviewer.locator("[data-save-status]")).to_contain_text("Draft saved at", timeout=8000)
    check(reviewer, "feedback-04-answer-draft", problems)
    reviewer.reload()
    expect(reviewer.get_by_role("group", name=re.compile("^Delivery")).get_by_label("Exceeds")).to_be_checked()
    reviewer.get_by_role("button", name="Submit my feedback").click()
    expect(reviewer.locator(".flash-success")).to_contain_text("never with your name")
    assert UnitOfWork(live.table).feedback.request(cid, "E4", "E5").state is RequestState.ANSWERED

    # Barbara (E6) declines with a reason.
    other = open_as(live, "E6")
    other.goto(f"/feedback/{cid}/E4")
    other.get_by_label("Reason (optional; only HR reads it)").fill("Not enough contact this period")
    other.get_by_role("button", name="Decline this request").click()
    expect(other.locator(".flash-success")).to_contain_text("You declined")

    # Katherine's review: nothing shows before the release, not even how many answered.
    employee.goto(f"/cycles/{cid}/reviews/E4")
    expect(employee.locator(".feedback-group").first).to_contain_text("Not released yet")
    employee.get_by_role("link", name="Feedback progress and evidence").click()
    progress = employee.locator("section", has=employee.get_by_role("heading", name="Progress"))
    expect(progress).to_contain_text("Peer feedback")
    expect(progress).to_contain_text(re.compile(r"2 asked\. The answers are released together on \d{1,2} \w{3} \d{4}"))
    check(employee, "feedback-05-review-feedback", problems)

    # HR sees who to chase and the rate per department.
    hr = open_as(live, "E2")
    hr.goto(f"/cycles/{cid}/feedback")
    expect(hr.get_by_role("heading", name=re.compile("Response rate"))).to_be_visible()
    check(hr, "feedback-06-hr", problems)
    assert problems == []


@pytest.mark.parametrize("width", list(WIDTHS))
def test_feedback_pages_pass_axe_at_both_widths(live, open_as, width):
    from service.services import feedback_answers, feedback_nominations
    from tests import factories as f

    cycle = live.launch()
    cid = cycle.cycle_id
    feedback_nominations.nominate_peers(
        UnitOfWork(live.table), f.principal(live.table, "E4"), cid, "E4", ["E5", "E6", "E2"], live.clock
    )
    feedback_nominations.decide_nominations(
        UnitOfWork(live.table), f.principal(live.table, "E3"), cid, "E4", ["E5", "E6", "E2"], [], [], live.clock
    )
    for r in ("E5", "E6", "E2"):
        feedback_answers.submit_answer(
            UnitOfWork(live.table), f.principal(live.table, r), cid, "E4", {"ratings": {"delivery": 3}}, live.clock
        )
    problems: list[str] = []
    viewport = WIDTHS[width]
    page = open_as(live, "E4", viewport)
    for name, path in [
        ("review-with-feedback", f"/cycles/{cid}/reviews/E4"),
        ("review-feedback", f"/cycles/{cid}/reviews/E4/feedback"),
        ("nominations", f"/cycles/{cid}/reviews/E4/nominations"),
        ("inbox", "/feedback"),
    ]:
        page.goto(path)
        check(page, f"feedback-{name}-{width}", problems)
    expect(page.locator("body")).to_be_visible()
    feedback_nominations.request_upward(UnitOfWork(live.table), f.principal(live.table, "E2"), cid, live.clock)
    hr = open_as(live, "E2", viewport)
    hr.goto(f"/cycles/{cid}/feedback")
    check(hr, f"feedback-hr-{width}", problems)
    upward = open_as(live, "E3", viewport)
    upward.goto(f"/feedback/{cid}/E1")
    check(upward, f"feedback-answer-upward-{width}", problems)
    assert problems == []
