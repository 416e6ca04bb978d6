"""Dead-end tasks (issue 25, point 1) in the browser: a peer with an open request sees it on the home page and
starts answering; the manager submits the assessment, which closes the feedback; the peer's autosave says so in
one sentence (prefixed once), the home and Feedback pages no longer list the request, and the old link shows
when it closed with a way back. Screenshots at 1280 and 390 px; axe-core finds nothing serious."""

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


def _asked(live, cid: str) -> None:
    """Edsger (E5), Barbara (E6) and Grace (E2) are asked about Katherine (E4), whose self assessment is in."""
    who = lambda e: f.principal(live.table, e)  # noqa: E731
    feedback_nominations.nominate_peers(UnitOfWork(live.table), who("E4"), cid, "E4", ["E5", "E6", "E2"], live.clock)
    feedback_nominations.decide_nominations(
        UnitOfWork(live.table), who("E3"), cid, "E4", ["E5", "E6", "E2"], [], [], live.clock
    )
    version = review_svc.open_review(UnitOfWork(live.table), who("E4"), cid, "E4").version
    review_svc.save_self_assessment(
        UnitOfWork(live.table), who("E4"), cid, "E4", f.self_content(), version, True, live.clock
    )


def _manager_submits(live, cid: str) -> None:
    manager = f.principal(live.table, "E3")
    version = review_svc.open_review(UnitOfWork(live.table), manager, cid, "E4").version
    review_svc.save_manager_assessment(
        UnitOfWork(live.table), manager, cid, "E4", f.manager_content(owner_id="E3"), version, True, live.clock
    )


def test_a_request_closed_by_the_managers_submission_leaves_every_list(live, open_as):
    cid = live.launch().cycle_id
    _asked(live, cid)
    problems: list[str] = []
    peer = open_as(live, "E5")
    narrow = open_as(live, "E6", WIDTHS["narrow"])
    for page in (peer, narrow):
        expect(page.get_by_role("link", name="Give peer feedback on Katherine Johnson")).to_be_visible()
    peer.get_by_role("link", name="Give peer feedback on Katherine Johnson").click()
    peer.get_by_role("group", name=re.compile("^Delivery")).get_by_label("Exceeds").check()
    expect(peer.locator("[data-save-status]")).to_contain_text("Draft saved at", timeout=8000)

    _manager_submits(live, cid)
    today = live.clock.now().date()
    sentence = f"Feedback on Katherine Johnson closed on {today.day} {today:%b %Y}; nothing more can be added."

    # The form left open: the next autosave is refused in one sentence, "Not saved" said once; nothing stored.
    peer.get_by_role("group", name=re.compile("^Delivery")).get_by_label("Outstanding").check()
    status = peer.locator("[data-save-status]")
    expect(status).to_contain_text(f"Not saved: {sentence}", timeout=8000)
    assert "Not saved: Not saved" not in status.inner_text()
    draft = UnitOfWork(live.table).feedback.draft("E5", cid, "E4")
    assert draft["content"]["ratings"]["delivery"] == 3  # "Exceeds", not the "Outstanding" typed after
    assert UnitOfWork(live.table).feedback.request(cid, "E4", "E5").state is RequestState.APPROVED

    for page, width in ((peer, "wide"), (narrow, "narrow")):
        page.goto("/")
        expect(page.get_by_role("heading", name="Your tasks")).to_be_visible()
        expect(page.get_by_text("Katherine Johnson")).to_have_count(0)
        check(page, f"dead-end-01-home-{width}", problems)
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Feedback", exact=True).click()
        asked = page.locator("section", has=page.get_by_role("heading", name="Asked for your feedback"))
        expect(asked).to_contain_text("Nothing to answer now.")
        expect(asked).not_to_contain_text("Katherine Johnson")
        page.goto(f"/feedback/{cid}/E4")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Feedback on Katherine Johnson is closed")
        expect(page.get_by_text(sentence)).to_be_visible()
        expect(page.locator("textarea, form[data-autosave]")).to_have_count(0)
        check(page, f"dead-end-02-closed-{width}", problems)
        page.get_by_role("link", name="Back to your feedback requests").click()
        expect(page.get_by_role("heading", name="Feedback", level=1)).to_be_visible()
    assert problems == []
