"""An author withdraws their own submission until the next step has started (issue 28, point 3, last bullet):
the self assessment, until the manager has started the manager assessment."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import assert_error, ok, review_url, submit_manager, submit_self, version_of, write

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def test_the_employee_withdraws_the_self_assessment_and_it_is_a_draft_again(as_, launched_cycle_id):
    cid, me = launched_cycle_id, as_("E4")
    submitted = submit_self(me, cid)
    assert submitted["state"] == "self_submitted"
    withdrawn = ok(me.post(review_url(cid, "E4", "self/withdraw"), version=submitted["version"]))
    assert withdrawn["state"] == "not_started"
    stored = ok(me.get(review_url(cid, "E4")))
    assert stored["state"] == "not_started" and stored["self_assessment"] == submitted["self_assessment"]
    assert "self_submitted" not in (stored.get("submitted") or {})
    audit = ok(as_("E2").get(review_url(cid, "E4", "audit")))
    assert [r["action"] for r in audit["records"]][-2:] == ["submit_self", "withdraw_self"]
    assert submit_self(me, cid)["state"] == "self_submitted"  # and submitted again


def test_no_withdrawal_once_the_manager_has_started(as_, launched_cycle_id):
    cid, me = launched_cycle_id, as_("E4")
    submit_self(me, cid)
    write(as_("E3"), cid, "E4", "manager", {"content": f.manager_content()})  # a draft: the next step started
    version = version_of(me, cid, "E4")
    resp = me.post(review_url(cid, "E4", "self/withdraw"), version=version)
    assert_error(resp, 409, "conflict")
    assert resp.get_json()["message"] == (
        "the manager has started the manager assessment, so the self assessment stands; ask HR to return it"
    )
    assert ok(me.get(review_url(cid, "E4")))["state"] == "self_submitted"
    submit_manager(as_("E3"), cid)
    after = me.post(review_url(cid, "E4", "self/withdraw"), version=version_of(me, cid, "E4"))
    assert_error(after, 409, "conflict")
    assert ok(me.get(review_url(cid, "E4")))["state"] == "manager_submitted"


def test_only_the_author_withdraws(as_, launched_cycle_id):
    cid = launched_cycle_id
    submitted = submit_self(as_("E4"), cid)
    assert as_("E3").post(review_url(cid, "E4", "self/withdraw"), version=submitted["version"]).status_code == 403
    assert_error(as_("E4").post(review_url(cid, "E4", "self/withdraw"), version=1), 412, "stale_write")
    assert ok(as_("E4").get(review_url(cid, "E4")))["state"] == "self_submitted"


def test_the_review_page_offers_the_withdrawal_as_a_plain_form_until_the_manager_starts(as_, launched_cycle_id):
    cid, me = launched_cycle_id, as_("E4")
    submitted = submit_self(me, cid)
    page = me.get(f"/cycles/{cid}/reviews/E4").get_data(as_text=True)
    assert "Withdraw my self assessment" in page
    resp = me.client.post(
        f"/cycles/{cid}/reviews/E4/self/withdraw",
        data={"csrf_token": me.auth.csrf, "version": str(submitted["version"])},
        follow_redirects=True,
    )
    assert resp.status_code == 200 and "Your self assessment is a draft again" in resp.get_data(as_text=True)
    assert ok(me.get(review_url(cid, "E4")))["state"] == "not_started"
    submit_self(me, cid)
    write(as_("E3"), cid, "E4", "manager", {"content": f.manager_content()})
    page = me.get(f"/cycles/{cid}/reviews/E4").get_data(as_text=True)
    assert "Withdraw my self assessment" not in page
    refused = me.client.post(
        f"/cycles/{cid}/reviews/E4/self/withdraw",
        data={"csrf_token": me.auth.csrf, "version": str(version_of(me, cid, "E4"))},
        follow_redirects=True,
    )
    assert "Not withdrawn: the manager has started the manager assessment" in refused.get_data(as_text=True)
    assert ok(me.get(review_url(cid, "E4")))["state"] == "self_submitted"


def test_the_manager_withdraws_the_assessment_until_the_discussion_starts(as_, launched_cycle_id):
    cid, boss = launched_cycle_id, as_("E3")
    submit_self(as_("E4"), cid)
    submitted = submit_manager(boss, cid)
    assert submitted["state"] == "manager_submitted" and submitted["score"] is not None
    withdrawn = ok(boss.post(review_url(cid, "E4", "manager/withdraw"), version=submitted["version"]))
    assert withdrawn["state"] == "self_submitted"
    stored = ok(boss.get(review_url(cid, "E4")))
    assert stored["score"] is None and stored["manager_assessment"] == submitted["manager_assessment"]
    again = submit_manager(boss, cid)
    assert again["score"] == submitted["score"]
    write(boss, cid, "E4", "discussion", {"content": f.discussion_content()})  # the discussion has started
    resp = boss.post(review_url(cid, "E4", "manager/withdraw"), version=version_of(boss, cid, "E4"))
    assert_error(resp, 409, "conflict")
    assert resp.get_json()["message"] == (
        "the review discussion has started, so the manager assessment stands; ask HR to return it"
    )
    assert ok(boss.get(review_url(cid, "E4")))["state"] == "manager_submitted"
    audit = ok(as_("E2").get(review_url(cid, "E4", "audit")))
    assert "withdraw_manager" in [r["action"] for r in audit["records"]]


def test_a_form_not_submitted_cannot_be_withdrawn(as_, launched_cycle_id):
    cid = launched_cycle_id
    resp = as_("E4").post(review_url(cid, "E4", "self/withdraw"), version=version_of(as_("E4"), cid, "E4"))
    assert_error(resp, 409, "conflict")
    assert resp.get_json()["message"] == "cannot withdraw self a review that is not started"
