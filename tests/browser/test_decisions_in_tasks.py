"""Decisions nobody was told about (issue 25, point 3) in the browser: Katherine's peer nominations are a task on
her manager's home, a line on the team overview and on her review page; Alan approves them and the task is gone.
He rates a competency low and the suggested training need appears without a reload, and the form's index says
a decision is needed under Training needs; he submits straight away
and is asked to confirm or dismiss it; confirmed, the review is submitted with the need. Screenshots at 1280
and 390 px; axe-core finds nothing serious."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.domain.feedback import RequestState
from service.services import feedback_nominations
from service.services import reviews as review_svc
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser

APPROVE = "Approve peer reviewers for Katherine Johnson"


def _nominated_and_self_submitted(live, cid: str) -> None:
    """Katherine (E4) nominates three peers and submits her self assessment; Alan (E3) decides nothing yet."""
    me = f.principal(live.table, "E4")
    feedback_nominations.nominate_peers(UnitOfWork(live.table), me, cid, "E4", ["E5", "E6", "E2"], live.clock)
    version = review_svc.open_review(UnitOfWork(live.table), me, cid, "E4").version
    review_svc.save_self_assessment(UnitOfWork(live.table), me, cid, "E4", f.self_content(), version, True, live.clock)


def test_the_manager_is_told_of_nominations_and_suggested_needs_and_decides_them(live, open_as):
    cid = live.launch().cycle_id
    _nominated_and_self_submitted(live, cid)
    problems: list[str] = []
    wide = open_as(live, "E3")
    narrow = open_as(live, "E3", WIDTHS["narrow"])

    # Told everywhere the manager looks: home, team overview, the review page; each links to the approval page.
    for page, width in ((wide, "wide"), (narrow, "narrow")):
        task = page.get_by_role("link", name=APPROVE)
        expect(task).to_be_visible()
        expect(page.locator("li.task", has=task)).to_contain_text("3 peer reviewers to approve")
        check(page, f"decisions-01-home-{width}", problems)
        page.goto(f"/cycles/{cid}/team")
        expect(page.get_by_role("link", name="3 peer reviewers to approve for Katherine Johnson")).to_be_visible()
        check(page, f"decisions-02-team-{width}", problems)
        page.goto(f"/cycles/{cid}/reviews/E4")
        decide = page.locator("section", has=page.get_by_role("heading", name="Waiting for your decision"))
        expect(decide.get_by_role("link", name="3 peer reviewers to approve")).to_be_visible()
        check(page, f"decisions-03-review-{width}", problems)

    # The task leads to the approval page; once approved, it is gone.
    wide.goto("/")
    wide.get_by_role("link", name=APPROVE).click()
    expect(wide.get_by_role("heading", level=1)).to_contain_text("Peer reviewers of Katherine Johnson")
    for name in ("Edsger Dijkstra", "Barbara Liskov", "Grace Hopper"):
        wide.get_by_role("group", name=f"Decision on {name}").get_by_label("Approve").check()
    wide.get_by_role("button", name="Save decisions").click()
    expect(wide.get_by_role("group", name="Decision on Edsger Dijkstra").get_by_label("Approve")).to_have_count(0)
    assert UnitOfWork(live.table).feedback.request(cid, "E4", "E5").state is RequestState.APPROVED
    wide.goto("/")
    expect(wide.get_by_role("heading", name="Your tasks")).to_be_visible()
    expect(wide.get_by_role("link", name=APPROVE)).to_have_count(0)

    # A low rating: the suggested need appears as he rates, without a reload (the page keeps its marker).
    narrow.goto(f"/cycles/{cid}/reviews/E4/manager")
    narrow.evaluate("window.__notReloaded = true")
    narrow.get_by_role("group", name=re.compile("^Your rating of Collaboration")).get_by_label("Exceeds").check()
    narrow.get_by_role("group", name=re.compile("^Your rating of Delivery")).get_by_label("Below").check()
    expect(narrow.get_by_role("group", name=re.compile("^Suggested need: Delivery"))).to_be_visible(timeout=8000)
    expect(narrow.locator("[data-save-status]")).to_contain_text("A training need is suggested for Delivery")
    # The form's index says a decision waits under Training needs (no longer "optional"), also without a reload.
    expect(narrow.locator("[data-section-index] li", has_text="Training needs")).to_contain_text("1 decision needed")
    expect(narrow.locator("#s-training [data-section-pill]")).to_have_text("Decision needed")
    assert narrow.evaluate("window.__notReloaded") is True
    check(narrow, "decisions-04-suggested-narrow", problems)
    # On the wide screen he changes his mind on Collaboration: a second suggestion joins the first, live.
    wide.goto(f"/cycles/{cid}/reviews/E4/manager")
    expect(wide.get_by_role("group", name=re.compile("^Suggested need: Delivery"))).to_be_visible()
    expect(wide.locator("[data-section-index] li", has_text="Training needs")).to_contain_text("1 decision needed")
    expect(wide.locator("#s-training [data-section-pill]")).to_have_text("Decision needed")
    wide.evaluate("window.__notReloaded = true")
    wide.get_by_role("group", name=re.compile("^Your rating of Collaboration")).get_by_label("Below").check()
    expect(wide.get_by_role("group", name=re.compile("^Suggested need: Collaboration"))).to_be_visible(timeout=8000)
    expect(wide.locator("[data-save-status]")).to_contain_text("A training need is suggested for Collaboration")
    expect(wide.locator("[data-section-index] li", has_text="Training needs")).to_contain_text("2 decisions needed")
    assert wide.evaluate("window.__notReloaded") is True
    check(wide, "decisions-04-suggested-wide", problems)
    wide.get_by_role("group", name=re.compile("^Your rating of Collaboration")).get_by_label("Exceeds").check()
    expect(wide.get_by_role("group", name=re.compile("^Suggested need: Collaboration"))).to_have_count(0, timeout=8000)

    # He writes the rest and submits straight away: asked for the decision, nothing submitted.
    narrow.goto(f"/cycles/{cid}/reviews/E4/manager")
    narrow.get_by_role("textbox", name=re.compile("^Strengths")).fill("Calm under pressure.")
    narrow.get_by_role("textbox", name=re.compile("^Areas to strengthen")).fill("Finishing on time.")
    narrow.get_by_role("textbox", name=re.compile("^Overall narrative")).fill("A year of learning.")
    narrow.get_by_role("button", name=re.compile("^Submit")).click()
    expect(narrow.get_by_text("confirm or dismiss each suggested training need")).to_be_visible()
    check(narrow, "decisions-05-asked-narrow", problems)
    wide.goto(f"/cycles/{cid}/reviews/E4/manager")
    wide.get_by_role("button", name=re.compile("^Submit")).click()
    expect(wide.get_by_text("confirm or dismiss each suggested training need")).to_be_visible()
    suggestion = wide.get_by_role("group", name=re.compile("^Suggested need: Delivery"))
    expect(suggestion).to_contain_text("Add it as a training need or dismiss it.")
    assert review_svc.open_review(UnitOfWork(live.table), live.hr(), cid, "E4").state == "self_submitted"
    check(wide, "decisions-05-asked-wide", problems)

    # Confirmed: the confirmation step, then the review is submitted with the need.
    wide.get_by_role("group", name=re.compile("^Suggested need: Delivery")).get_by_label(
        "Add as a training need"
    ).check()
    wide.get_by_role("button", name=re.compile("^Submit")).click()
    wide.get_by_role("button", name=re.compile("^Yes")).click()
    expect(wide.get_by_text("The manager assessment is submitted and scored.")).to_be_visible()
    needs = UnitOfWork(live.table).training.of_person("E4", cid)
    assert [n.competency_id for n in needs if n.source.value == "manager"].count("delivery") == 1
    assert problems == []
