"""Reviews through the JSON API: the journey, validation, returns, scoring, actions, history, concurrency, audit."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import (
    assert_error,
    drive,
    etag,
    jsonable,
    launch,
    ok,
    review_url,
    submit_manager,
    version_of,
    write,
)

AT = "2026-03-02T09:00:00.000Z"  # the fixed clock, as stored


pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module; each test starts from the same stored state (launched_state)."""
    return module_app


@pytest.fixture
def cycle_id(launched_cycle_id) -> str:
    """The cycle HR launched over the whole organisation (factory template and phases)."""
    return launched_cycle_id


def test_a_review_goes_from_self_draft_to_finalised(as_):
    hr, employee, manager = as_("E2"), as_("E4"), as_("E3")
    cycle = launch(hr)
    cid = cycle["cycle_id"]
    url = review_url(cid, "E4")

    # The employee saves a draft; a reload shows it, still not started.
    first = employee.get(url)
    assert ok(first)["state"] == "not_started" and first.headers["ETag"] == '"1"'
    draft = f.self_content(achievements="Half written")
    saved = ok(employee.put(url + "/self", {"content": draft}, version=etag(first)))
    reloaded = employee.get(url)
    assert ok(reloaded)["self_assessment"]["achievements"] == "Half written"
    assert ok(reloaded)["state"] == "not_started" and etag(reloaded) == saved["version"] == 2

    # Submit, then the manager drafts and submits.
    body = {"content": f.self_content(), "submit": True}
    assert ok(employee.put(url + "/self", body, version=etag(reloaded)))["state"] == "self_submitted"
    ok(manager.put(url + "/manager", {"content": f.manager_content()}, version=version_of(manager, cid, "E4")))
    assert submit_manager(manager, cid)["state"] == "manager_submitted"

    # The discussion is recorded; the employee acknowledges without agreeing and responds in writing.
    body = {"content": f.discussion_content(), "submit": True}
    assert ok(manager.put(url + "/discussion", body, version=version_of(manager, cid, "E4")))["state"] == "discussed"
    ack = {"agreement": "disagree", "response": "The delivery rating ignores the outage work."}
    acknowledged = ok(employee.post(url + "/acknowledge", ack, version=version_of(employee, cid, "E4")))
    assert acknowledged["state"] == "acknowledged"

    # HR finalises.
    final = hr.post(url + "/finalise", version=version_of(hr, cid, "E4"))
    assert ok(final)["state"] == "finalised" and etag(final) == ok(final)["version"]
    view = ok(employee.get(url))
    assert view["acknowledgement"] == {"agreement": "disagree", "response": ack["response"], "at": AT}
    assert view["self_assessment"]["achievements"] == "Led the directory import."
    assert view["manager_assessment"]["narrative"] == "A strong year."
    assert view["discussion"]["notes"] == "Talked it through."
    assert set(view["submitted"]) == {"self_submitted", "manager_submitted", "discussed", "acknowledged", "finalised"}
    progress = ok(hr.get(f"/api/cycles/{cid}/progress"))
    assert progress["by_state"]["finalised"] == 1 and progress["by_state"]["not_started"] == 5


# --- assessments ---------------------------------------------------------------------------------


def test_a_saved_self_draft_reloads_unchanged_and_unsubmitted(as_, cycle_id):
    employee = as_("E4")
    content = f.self_content(achievements="Draft: importer, CI", answers={"proud": "Still thinking"})
    write(employee, cycle_id, "E4", "self", {"content": content, "submit": False})
    view = ok(employee.get(review_url(cycle_id, "E4")))
    assert view["state"] == "not_started" and view["submitted"] == {}
    assert view["self_assessment"]["achievements"] == "Draft: importer, CI"
    assert view["self_assessment"]["answers"] == {"proud": "Still thinking"}
    assert view["self_assessment"]["competency_ratings"]["delivery"] == {"rating": 3, "comment": "Shipped the importer"}


def test_an_incomplete_self_submission_names_every_missing_field(as_, cycle_id):
    employee = as_("E4")
    content = f.self_content(competency_ratings={"collaboration": {"rating": 2}}, achievements=" ", answers={})
    resp = employee.put(review_url(cycle_id, "E4", "self"), {"content": content, "submit": True}, version=1)
    errors = assert_error(resp, 422, "validation_failed")
    assert errors == {
        "competency_ratings.delivery.rating": ["required"],
        "answers.proud": ["required"],
        "achievements": ["required"],
    }
    assert ok(employee.get(review_url(cycle_id, "E4")))["self_assessment"] is None


def test_a_rating_outside_the_scale_is_refused_even_in_a_draft(as_, cycle_id):
    employee = as_("E4")
    content = f.self_content(competency_ratings={"delivery": {"rating": 5}})
    resp = employee.put(review_url(cycle_id, "E4", "self"), {"content": content}, version=1)
    assert assert_error(resp, 422)["competency_ratings.delivery.rating"] == ["choose 1 to 4"]


def test_an_incomplete_manager_submission_names_every_missing_field(as_, cycle_id):
    version = drive(as_, cycle_id, "self_submitted")["version"]
    content = f.manager_content(competency_ratings={"delivery": {"rating": 4}}, strengths="", narrative="")
    resp = as_("E3").put(review_url(cycle_id, "E4", "manager"), {"content": content, "submit": True}, version)
    errors = assert_error(resp, 422, "validation_failed")
    assert errors == {
        "competency_ratings.collaboration.rating": ["required"],
        "strengths": ["required"],
        "narrative": ["required"],
    }


def test_a_submission_the_workflow_does_not_allow_yet_is_409(as_, cycle_id):
    manager = as_("E3")
    body = {"content": f.manager_content(), "submit": True}
    resp = manager.put(review_url(cycle_id, "E4", "manager"), body, version=1)
    assert_error(resp, 409, "conflict")
    assert ok(manager.get(review_url(cycle_id, "E4")))["state"] == "not_started"


# --- returns -------------------------------------------------------------------------------------


def test_hr_returns_a_review_to_an_earlier_state_with_a_reason(as_, cycle_id):
    version = drive(as_, cycle_id, "manager_submitted")["version"]
    hr = as_("E2")
    body = {"to_state": "self_submitted", "reason": "Ratings lack evidence"}
    view = write(hr, cycle_id, "E4", "return", body, method="POST", version=version)
    assert view["state"] == "self_submitted"
    assert view["last_return"] == {
        "from": "manager_submitted",
        "to": "self_submitted",
        "reason": "Ratings lack evidence",
        "by": "E2",
    }
    assert "manager_submitted" not in view["submitted"]
    last = ok(hr.get(review_url(cycle_id, "E4", "audit")))["records"][-1]
    assert (last["action"], last["actor"], last["reason"]) == ("return", "E2", "Ratings lack evidence")
    progress = ok(hr.get(f"/api/cycles/{cycle_id}/progress"))
    assert progress["by_state"]["self_submitted"] == 1 and progress["by_state"]["manager_submitted"] == 0


def test_a_return_without_a_reason_is_422(as_, cycle_id):
    version = drive(as_, cycle_id, "self_submitted")["version"]
    hr = as_("E2")
    url = review_url(cycle_id, "E4", "return")
    errors = assert_error(hr.post(url, {"to_state": "not_started"}, version), 422)
    assert "reason" in errors
    errors = assert_error(hr.post(url, {"to_state": "not_started", "reason": "  "}, version), 422)
    assert errors == {"reason": ["required"]}
    assert ok(hr.get(review_url(cycle_id, "E4")))["state"] == "self_submitted"


def test_a_return_to_a_later_state_is_409(as_, cycle_id):
    version = drive(as_, cycle_id, "self_submitted")["version"]
    hr = as_("E2")
    body = {"to_state": "discussed", "reason": "Skip ahead"}
    resp = hr.post(review_url(cycle_id, "E4", "return"), body, version)
    assert_error(resp, 409, "conflict")
    assert ok(hr.get(review_url(cycle_id, "E4")))["state"] == "self_submitted"


# --- scoring -------------------------------------------------------------------------------------


def test_the_score_shows_its_parts_weights_and_rule(as_, cycle_id):
    drive(as_, cycle_id, "manager_submitted")
    score = ok(as_("E4").get(review_url(cycle_id, "E4")))["score"]
    assert [(p["name"], p["weight"]) for p in score["parts"]] == [("goals", 40), ("competencies", 40), ("feedback", 20)]
    assert all(p["basis"] for p in score["parts"])
    assert "never counted as zero" in score["rule"] and "(r \u2212 1) / (n \u2212 1)" in score["rule"]


def test_a_part_without_data_is_left_out_and_the_rest_renormalised(as_, cycle_id):
    drive(as_, cycle_id, "manager_submitted")
    score = ok(as_("E2").get(review_url(cycle_id, "E4")))["score"]
    parts = {p["name"]: p for p in score["parts"]}
    assert parts["feedback"]["used"] is False and parts["feedback"]["value"] is None

    # By hand, from manager_content(): goal rated 4; competencies rated 4 and 3; 4-point scale.
    def points(r):
        return (r - 1) / 3 * 100

    goals, competencies = points(4), (points(4) + points(3)) / 2
    assert parts["goals"]["value"] == pytest.approx(goals) and parts["goals"]["used"] is True
    assert parts["competencies"]["value"] == pytest.approx(competencies)
    expected = round((40 * goals + 40 * competencies) / (40 + 40), 1)
    assert score["value"] == expected == 91.7
    assert score["value"] != round((40 * goals + 40 * competencies + 20 * 0) / 100, 1)  # not averaged with a zero


# --- actions -------------------------------------------------------------------------------------


def test_obstacles_of_a_submitted_manager_assessment_are_listed_for_their_owner(as_, cycle_id):
    version = drive(as_, cycle_id, "self_submitted")["version"]
    body = {"content": f.manager_content(owner_id="E5"), "submit": True}
    write(as_("E3"), cycle_id, "E4", "manager", body, version=version)
    [action] = ok(as_("E5").get("/api/actions"))["actions"]
    assert action["kind"] == "remediation" and action["subject_id"] == "E4" and action["cycle_id"] == cycle_id
    assert (action["obstacle"], action["description"]) == ("Slow CI", "Buy faster runners")
    assert (action["owner_id"], action["due"], action["status"]) == ("E5", "2026-05-01", "open")
    assert ok(as_("E4").get("/api/actions"))["actions"] == []


def test_agreed_actions_of_a_recorded_discussion_are_listed_for_their_owner(as_, cycle_id):
    drive(as_, cycle_id, "discussed")
    mine = ok(as_("E4").get("/api/actions"))["actions"]
    assert [(a["kind"], a["description"], a["due"], a["status"]) for a in mine] == [
        ("agreed", "Pair on design", "2026-06-01", "open")
    ]


def test_a_manager_draft_creates_no_actions(as_, cycle_id):
    version = drive(as_, cycle_id, "self_submitted")["version"]
    write(as_("E3"), cycle_id, "E4", "manager", {"content": f.manager_content()}, version=version)
    assert ok(as_("E3").get("/api/actions"))["actions"] == []


def test_the_owner_moves_an_action_along_with_if_match(as_, cycle_id):
    drive(as_, cycle_id, "manager_submitted")
    manager = as_("E3")
    [action] = ok(manager.get("/api/actions"))["actions"]
    resp = manager.patch(f"/api/actions/{action['action_id']}", {"status": "in_progress"}, action["version"])
    assert ok(resp)["status"] == "in_progress" and resp.headers["ETag"] == f'"{action["version"] + 1}"'
    [stored] = ok(manager.get("/api/actions"))["actions"]
    assert (stored["status"], stored["version"]) == ("in_progress", action["version"] + 1)


def test_a_stale_if_match_on_an_action_is_412_and_changes_nothing(as_, cycle_id):
    drive(as_, cycle_id, "manager_submitted")
    manager, hr = as_("E3"), as_("E2")
    [action] = ok(manager.get("/api/actions"))["actions"]
    url = f"/api/actions/{action['action_id']}"
    ok(hr.patch(url, {"status": "done"}, action["version"]))
    assert_error(manager.patch(url, {"status": "dropped"}, action["version"]), 412, "stale_write")
    [stored] = ok(manager.get("/api/actions"))["actions"]
    assert (stored["status"], stored["version"]) == ("done", action["version"] + 1)


# --- history -------------------------------------------------------------------------------------


def test_history_shows_the_review_with_score_ratings_and_actions(as_, cycle_id):
    drive(as_, cycle_id, "discussed")
    employee = as_("E4")
    detail = ok(employee.get(review_url(cycle_id, "E4")))["score"]
    score = detail["value"]
    history = ok(employee.get("/api/people/E4/history"))
    assert history["employee_id"] == "E4"
    assert history["reviews"] == [
        {
            "cycle_id": cycle_id,
            "cycle_name": "2026 annual review",
            "period_start": "2026-01-01",
            "state": "discussed",
            "score": score,
            "score_detail": detail,  # the parts, so that pages explain the score (issue 9)
            "ratings": {"delivery": 4, "collaboration": 3},
        }
    ]
    assert sorted((a["kind"], a["owner_id"], a["description"]) for a in history["actions"]) == [
        ("agreed", "E4", "Pair on design"),
        ("remediation", "E3", "Buy faster runners"),
    ]


def test_history_hides_score_and_ratings_until_the_manager_submits(as_, cycle_id):
    version = drive(as_, cycle_id, "self_submitted")["version"]
    write(as_("E3"), cycle_id, "E4", "manager", {"content": f.manager_content()}, version=version)
    [review] = ok(as_("E4").get("/api/people/E4/history"))["reviews"]
    assert review["state"] == "self_submitted" and review["score"] is None and review["ratings"] == {}


# --- concurrency and audit -----------------------------------------------------------------------


def test_every_mutation_requires_if_match(as_, cycle_id):
    hr, cid = as_("E2"), cycle_id
    template_id = ok(hr.get(f"/api/cycles/{cid}"))["template_id"]
    draft = ok(hr.post("/api/cycles", jsonable(f.cycle_data(template_id))), 201)
    review = review_url(cid, "E4")
    mutations = [
        ("PUT", f"/api/templates/{template_id}", f.template_data()),
        ("PUT", f"/api/cycles/{draft['cycle_id']}", jsonable(f.cycle_data(template_id))),
        ("POST", f"/api/cycles/{draft['cycle_id']}/launch", None),
        ("POST", f"/api/cycles/{cid}/close", None),
        ("POST", f"/api/cycles/{cid}/reopen", {"reason": "Late joiner"}),
        ("PUT", review + "/self", {"content": f.self_content()}),
        ("PUT", review + "/manager", {"content": f.manager_content()}),
        ("PUT", review + "/discussion", {"content": f.discussion_content()}),
        ("POST", review + "/acknowledge", {"agreement": "agree"}),
        ("POST", review + "/finalise", None),
        ("POST", review + "/return", {"to_state": "not_started", "reason": "Redo"}),
        ("PATCH", "/api/actions/some-action", {"status": "done"}),
    ]
    answers = {(m, u): hr.send(m, u, body).status_code for m, u, body in mutations}
    assert answers == {(m, u): 428 for m, u, _ in mutations}
    resp = hr.send("PUT", review + "/self", {"content": f.self_content()})
    assert_error(resp, 428, "precondition_required")
    assert ok(hr.get(review))["version"] == 1 and ok(hr.get(f"/api/cycles/{cid}"))["state"] == "active"


def test_a_stale_write_is_412_and_the_other_writers_content_survives(as_, cycle_id):
    manager, hr = as_("E3"), as_("E2")
    read_by_manager = version_of(manager, cycle_id, "E4")
    url = review_url(cycle_id, "E4", "manager")
    hr_content = f.manager_content(narrative="HR's narrative")
    saved = ok(hr.put(url, {"content": hr_content}, version_of(hr, cycle_id, "E4")))
    resp = manager.put(url, {"content": f.manager_content(narrative="Manager's narrative")}, read_by_manager)
    assert_error(resp, 412, "stale_write")
    stored = hr.get(review_url(cycle_id, "E4"))
    assert ok(stored)["manager_assessment"]["narrative"] == "HR's narrative"
    assert etag(stored) == saved["version"] == read_by_manager + 1


def test_an_if_match_that_is_not_a_version_is_422(as_, cycle_id):
    employee = as_("E4")
    resp = employee.put(review_url(cycle_id, "E4", "self"), {"content": f.self_content()}, version="*")
    assert "If-Match" in assert_error(resp, 422, "validation_failed")


def test_the_audit_trail_lists_each_change_with_who_when_and_from_to(as_, cycle_id):
    employee, hr = as_("E4"), as_("E2")
    draft = write(employee, cycle_id, "E4", "self", {"content": f.self_content(achievements="Draft")}, version=1)
    write(employee, cycle_id, "E4", "self", {"content": f.self_content(), "submit": True}, version=draft["version"])
    audit = ok(hr.get(review_url(cycle_id, "E4", "audit")))
    assert audit["verified"] is True and audit["problems"] == []
    records = audit["records"]
    assert [(r["version"], r["action"], r["actor"], r["at"]) for r in records] == [
        (1, "create_review", "launch", AT),
        (2, "save_self", "E4", AT),
        (3, "submit_self", "E4", AT),
    ]
    assert {"field": "self_assessment.achievements", "from": None, "to": "Draft"} in records[1]["changes"]
    assert {"field": "self_assessment.achievements", "from": "Draft", "to": "Led the directory import."} in records[2][
        "changes"
    ]
    assert {"field": "state", "from": "not_started", "to": "self_submitted"} in records[2]["changes"]
    assert all(r["entity"] == records[0]["entity"] for r in records)


def test_the_audit_trail_still_verifies_after_a_scored_manager_submission(as_, cycle_id):
    drive(as_, cycle_id, "manager_submitted")
    audit = ok(as_("E2").get(review_url(cycle_id, "E4", "audit")))
    assert audit["problems"] == [] and audit["verified"] is True


def test_a_create_record_names_only_real_fields(as_, cycle_id):
    records = ok(as_("E2").get(review_url(cycle_id, "E4", "audit")))["records"]
    assert records[0]["action"] == "create_review"
    assert all(change["field"] for change in records[0]["changes"])


def test_only_hr_reads_the_audit_trail(as_, cycle_id):
    for person in ("E4", "E3", "E1"):
        assert_error(as_(person).get(review_url(cycle_id, "E4", "audit")), 404, "not_found")
        assert_error(as_(person).get(f"/api/cycles/{cycle_id}/audit"), 403, "forbidden")


def test_hr_pages_through_every_review_of_a_cycle(as_, cycle_id):
    from service.web.untrusted import encode_cursor

    hr = as_("E2")
    first = ok(hr.get(f"/api/cycles/{cycle_id}/reviews"))
    assert [r["employee_id"] for r in first["reviews"]] == ["E1", "E2", "E3", "E4", "E5", "E6"]
    assert first["next"] is None and first["reviews"][3]["next_task"] == "self_assessment"
    token = encode_cursor({"pk": f"CYCLE#{cycle_id}", "sk": "REVIEW#E3"})
    rest = ok(hr.get(f"/api/cycles/{cycle_id}/reviews?cursor={token}"))
    assert [r["employee_id"] for r in rest["reviews"]] == ["E4", "E5", "E6"]
    assert_error(hr.get(f"/api/cycles/{cycle_id}/reviews?cursor=%%%"), 422)
    assert_error(as_("E4").get(f"/api/cycles/{cycle_id}/reviews"), 403)
