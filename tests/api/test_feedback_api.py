"""The feedback JSON API through the Flask client on moto: nominate, decide, draft (If-Match), answer, decline,
the review's groups, HR's progress, notes; refusals with field messages and nothing written."""

from __future__ import annotations

import pytest

from service.adapters.mailer import MemoryMailer
from tests import factories as f
from tests.api.conftest import assert_error, etag, ok

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    module_app.extensions["reviews"].extras["mailer"] = MemoryMailer()
    return module_app


def base(cycle_id: str, employee_id: str = "E4") -> str:
    return f"/api/cycles/{cycle_id}/reviews/{employee_id}"


def test_the_whole_peer_flow_through_the_api(as_, launched_cycle_id, app):
    cid = launched_cycle_id
    employee, manager, hr = as_("E4"), as_("E3"), as_("E2")
    view = ok(employee.put(f"{base(cid)}/nominations", {"reviewer_ids": ["E5", "E6", "E2"]}))
    assert [p["state"] for p in view["peers"]] == ["nominated"] * 3
    view = ok(manager.post(f"{base(cid)}/nominations/decisions", {"approve": ["E5", "E6", "E2"]}))
    assert {p["state"] for p in view["peers"]} == {"asked"} and "version" not in view["peers"][0]
    reviewer = as_("E5")
    form = reviewer.get(f"/api/feedback/{cid}/E4")
    assert form.status_code == 200 and form.headers["ETag"] == '"0"'
    saved = ok(reviewer.put(f"/api/feedback/{cid}/E4/draft", {"ratings": {"delivery": 2}}, version=0))
    assert saved["version"] == 1
    assert_error(reviewer.put(f"/api/feedback/{cid}/E4/draft", {"ratings": {}}, version=0), 412)
    assert ok(reviewer.post(f"/api/feedback/{cid}/E4/answer", {"ratings": {"delivery": 3}}))["state"] == "answered"
    task = f"/feedback/{cid}/E4"  # the asked reviewer's My tasks links the form, until they answer or decline
    assert task in as_("E6").get("/").get_data(as_text=True) and "Give peer feedback on" in as_("E6").get("/").text
    assert ok(as_("E6").post(f"/api/feedback/{cid}/E4/decline", {"reason": "Busy"}))["state"] == "declined"
    assert task not in as_("E6").get("/").get_data(as_text=True)
    feedback = ok(employee.get(f"{base(cid)}/feedback"))
    # Before the release: how many were asked, nothing that moves with an answer or a decline.
    assert feedback["counts"]["peer"] == {"asked": 3, "answered": None, "declined": None, "waiting": None}
    assert feedback["groups"][0] == {
        "kind": "peer",
        "released": False,
        "answers": None,
        "threshold": 3,
        "shown": False,
        "comments_shown": True,
    }
    assert feedback["release"] == {
        "rule": "first",
        "closed": False,
        "released": False,
        "release_on": "2026-03-21",
        "on_manager_submission": True,
    }
    progress = ok(hr.get(f"/api/cycles/{cid}/feedback/progress"))
    assert [w["reviewer_id"] for w in progress["waiting"]] == ["E2"]
    dashboard = hr.get(f"/hr/cycles/{cid}").get_data(as_text=True)  # the cycle dashboard: rates and who to chase
    assert "1 of 3 feedback requests answered (33%)" in dashboard and "Response rate per department" in dashboard
    waiting = dashboard[dashboard.index("Not answered yet") :]
    assert progress["waiting"][0]["reviewer_name"] in waiting.split("</ul>")[0]
    sent = app.extensions["reviews"].extras["mailer"].sent
    assert {"edsger@example.com", "barbara@example.com"} <= {m.to[0] for m in sent}


def test_bad_nominations_get_field_messages_and_nothing_is_written(as_, launched_cycle_id):
    employee = as_("E4")
    body = assert_error(employee.put(f"{base(launched_cycle_id)}/nominations", {"reviewer_ids": ["E4"]}), 422)
    assert "reviewer_ids" in body
    assert ok(employee.get(f"{base(launched_cycle_id)}/nominations"))["peers"] == []


def test_a_stranger_has_no_request_and_nobody_answers_about_themselves(as_, launched_cycle_id):
    stranger = as_("E5")
    assert_error(stranger.put(f"/api/feedback/{launched_cycle_id}/E4/draft", {"ratings": {}}), 428)
    assert_error(stranger.put(f"/api/feedback/{launched_cycle_id}/E4/draft", {"ratings": {}}, version=0), 404)
    assert_error(as_("E4").get(f"/api/feedback/{launched_cycle_id}/E4"), 403)


def test_settings_refuse_a_threshold_below_three(as_, launched_cycle_id):
    hr = as_("E2")
    url = f"/api/cycles/{launched_cycle_id}/feedback/settings"
    body = {"min_peers": 3, "max_peers": 8, "threshold": 2, "upward": True}
    assert "threshold" in assert_error(hr.put(url, body, version=0), 422)
    assert ok(hr.get(url))["threshold"] == 3


def test_a_note_is_created_and_read_by_the_recipients_manager(as_):
    note = as_("E5").post("/api/notes", {"to_id": "E4", "kind": "praise", "text": "Thanks for the help"})
    assert note.status_code == 201
    assert [n["text"] for n in ok(as_("E3").get("/api/people/E4/notes"))["notes"]] == ["Thanks for the help"]


def test_the_release_rule_is_one_of_three_and_left_out_is_unchanged(as_, launched_cycle_id):
    hr = as_("E2")
    url = f"/api/cycles/{launched_cycle_id}/feedback/settings"
    body = {"min_peers": 3, "max_peers": 8, "threshold": 3, "upward": True}
    assert "release" in assert_error(hr.put(url, {**body, "release": "whenever"}, version=0), 422)
    assert ok(hr.put(url, {**body, "release": "deadline"}, version=0))["release"] == "deadline"
    assert ok(hr.put(url, body, version=1))["release"] == "deadline"
    assert ok(hr.get(url))["release"] == "deadline"


def test_an_answer_after_the_release_is_refused_and_nothing_is_written(as_, launched_cycle_id, app):
    cid = launched_cycle_id
    employee, manager = as_("E4"), as_("E3")
    ok(employee.put(f"{base(cid)}/nominations", {"reviewer_ids": ["E5", "E6", "E2", "E1"]}))
    ok(manager.post(f"{base(cid)}/nominations/decisions", {"approve": ["E5", "E6", "E2", "E1"]}))
    for r in ("E5", "E6", "E2"):
        ok(as_(r).post(f"/api/feedback/{cid}/E4/answer", {"ratings": {"delivery": 3}}))
    assert ok(manager.get(f"{base(cid)}/feedback"))["groups"][0]["released"] is False
    ok(
        employee.put(
            f"{base(cid)}/self", {"content": f.self_content(), "submit": True}, version=etag(employee.get(base(cid)))
        )
    )
    body = {"content": f.manager_content(), "submit": True}
    assert (
        ok(manager.put(f"{base(cid)}/manager", body, version=etag(manager.get(base(cid)))))["state"]
        == "manager_submitted"
    )
    released = ok(employee.get(f"{base(cid)}/feedback"))
    assert released["groups"][0]["shown"] and released["groups"][0]["answers"] == 3
    assert released["counts"]["peer"] == {"asked": 4, "answered": 3, "declined": 0, "waiting": 1}
    late = as_("E1")
    assert assert_error(late.post(f"/api/feedback/{cid}/E4/answer", {"ratings": {"delivery": 1}}), 409) == {}
    assert_error(late.post(f"/api/feedback/{cid}/E4/decline", {"reason": "late"}), 409)
    assert not [r for r in ok(late.get("/api/feedback/requests"))["requests"] if r["open"]]
    assert ok(employee.get(f"{base(cid)}/feedback")) == released
    assert ok(as_("E2").get(f"{base(cid)}/nominations"))["counts"] == released["counts"]
    # Ada (chief executive, above the manager) reads the ratings summary, never the comments.
    above = ok(late.get(f"{base(cid)}/feedback"))
    assert above["groups"][0]["ratings"] and "comments" not in above["groups"][0] and not above["comments_shown"]
