"""Calibration through the JSON API and the pages (issue 23): open a session, adjust with versions, close, reopen.

Each test builds its own small world (the in-memory table and the app): Alan (E3) manages Katherine (E4) and Edsger
(E5), Ada (E1, leadership) is above him, Grace (E2) and Barbara (E6) are HR.
"""

from __future__ import annotations

import re

import pytest

from service.adapters.unit_of_work import UnitOfWork
from tests import factories as f
from tests.api.test_calibration_phase import SECRET_NARRATIVE, World
from tests.unit.test_calibration_usecases import ORG  # Barbara (E6) is HR too: a second facilitator

LOWER = {"competency_ratings": {"delivery": 2, "collaboration": 2}, "reason": "Above the team's evidence"}


@pytest.fixture
def world() -> World:
    return World(org=ORG, submitted=("E4", "E5"))


def open_session(world: World, people=("E4", "E5"), facilitators=("E6",)) -> dict:
    body = {"name": "Engineering", "group": "list", "employee_ids": list(people), "facilitators": list(facilitators)}
    resp = world.send("E2", "POST", f"/api/cycles/{world.cycle_id}/calibration-sessions", body)
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def person_url(session_id: str, person: str = "E4") -> str:
    return f"/api/calibration-sessions/{session_id}/people/{person}"


def assert_error(resp, status: int) -> dict:
    body = resp.get_json()
    assert resp.status_code == status, body
    assert set(body) == {"code", "status", "message", "errors"}
    return body


def test_hr_opens_a_session_and_a_second_one_over_the_same_person_is_409(world):
    s = open_session(world)
    assert s["state"] == "open" and s["participants"] == ["E1", "E3"]
    again = world.send(
        "E2",
        "POST",
        f"/api/cycles/{world.cycle_id}/calibration-sessions",
        {"name": "Again", "group": "list", "employee_ids": ["E5"]},
    )
    body = assert_error(again, 409)
    assert "Edsger Dijkstra (E5)" in str(body["errors"])
    listed = world.client("E2").get(f"/api/cycles/{world.cycle_id}/calibration-sessions").get_json()["sessions"]
    assert [x["session_id"] for x in listed] == [s["session_id"]]


def test_a_bad_group_is_422_and_opens_nothing(world):
    resp = world.send(
        "E2", "POST", f"/api/cycles/{world.cycle_id}/calibration-sessions", {"name": "X", "group": "team"}
    )
    assert "group" in assert_error(resp, 422)["errors"]
    assert UnitOfWork(world.table).calibration.of_cycle(world.cycle_id) == []


def test_a_manager_cannot_open_a_session(world):
    body = {"name": "Mine", "group": "list", "employee_ids": ["E4"]}
    assert_error(world.send("E3", "POST", f"/api/cycles/{world.cycle_id}/calibration-sessions", body), 403)


def test_outside_the_session_a_write_is_404_as_the_view_and_a_participant_is_403(world):
    s = open_session(world)
    sid = s["session_id"]
    for who, status in (("E4", 404), ("E3", 403)):  # E4 is calibrated, not a participant; E3 their manager
        assert_error(world.send(who, "PUT", person_url(sid, "E5"), LOWER, version=0), status)
        assert_error(world.send(who, "POST", f"/api/calibration-sessions/{sid}/close", version=s["version"]), status)
    assert UnitOfWork(world.table).calibration.adjustment(sid, "E5") is None
    assert UnitOfWork(world.table).calibration.get(sid).state.value == "open"


def test_two_facilitators_adjusting_the_same_person_the_stale_one_is_412(world):
    s = open_session(world)
    first = world.send("E2", "PUT", person_url(s["session_id"]), LOWER, version=0)
    assert first.status_code == 200 and first.headers["ETag"] == '"1"'
    stale = world.send("E6", "PUT", person_url(s["session_id"]), {**LOWER, "reason": "mine"}, version=0)
    assert_error(stale, 412)
    stored = UnitOfWork(world.table).calibration.adjustment(s["session_id"], "E4")
    assert stored.reason == "Above the team's evidence" and stored.by == "E2"


def test_an_adjustment_without_a_reason_is_422_and_without_if_match_428(world):
    s = open_session(world)
    no_reason = world.send("E2", "PUT", person_url(s["session_id"]), {**LOWER, "reason": ""}, version=0)
    assert "reason" in assert_error(no_reason, 422)["errors"]
    assert_error(world.send("E2", "PUT", person_url(s["session_id"]), LOWER), 428)
    assert UnitOfWork(world.table).calibration.adjustment(s["session_id"], "E4") is None


def test_the_employee_reads_the_same_review_and_etag_while_their_rating_is_adjusted(world):
    before = world.review("E4")
    s = open_session(world)
    world.send("E2", "PUT", person_url(s["session_id"]), LOWER, version=0)
    after = world.review("E4")
    assert after.headers["ETag"] == before.headers["ETag"]
    assert after.get_json() == before.get_json()
    assert world.client("E4").get(f"/api/calibration-sessions/{s['session_id']}").status_code == 404


def test_a_participant_reads_the_session_people_and_the_manager_sees_the_original_and_why(world):
    s = open_session(world)
    world.send("E2", "PUT", person_url(s["session_id"]), LOWER, version=0)
    view = world.client("E3").get(f"/api/calibration-sessions/{s['session_id']}").get_json()
    (row,) = [r for r in view["rows"] if r["employee_id"] == "E4"]
    assert row["original"]["competency_ratings"] == {"delivery": 4, "collaboration": 3}
    assert row["calibrated"]["competency_ratings"] == {"delivery": 2, "collaboration": 2}
    assert row["reason"] == "Above the team's evidence"
    assert view["may_adjust"] is False
    # goals rated 4 of 4 (100), competencies as calibrated (2 and 2: 33.3), no feedback group released
    assert row["parts"]["goals"] == 100 and round(row["parts"]["competencies"], 1) == 33.3
    assert row["parts"]["feedback"] is None
    assert row["training_needs"] == ["Public speaking", "Delegation"]


def test_closing_moves_the_reviews_on_and_the_employee_sees_only_the_calibrated_review(world):
    s = open_session(world)
    world.send("E2", "PUT", person_url(s["session_id"]), LOWER, version=0)
    closed = world.send("E2", "POST", f"/api/calibration-sessions/{s['session_id']}/close", version=s["version"])
    assert closed.status_code == 200 and closed.get_json()["state"] == "closed"
    mine = world.review("E4").get_json()
    assert mine["state"] == "manager_submitted" and mine["calibration"] is None
    assert mine["manager_assessment"]["competency_ratings"]["delivery"]["rating"] == 2
    assert "evidence" not in str(mine) and SECRET_NARRATIVE in str(mine)
    theirs = world.review("E3").get_json()
    assert theirs["calibration"]["original"]["competency_ratings"]["delivery"] == 4
    # the audit trail holds both values
    audit = world.client("E2").get(f"/api/cycles/{world.cycle_id}/reviews/E4/audit").get_json()
    text = str(audit)
    assert "calibrate" in text and "'from': 4, 'to': 2" in text


def test_a_stale_close_is_412_and_reopening_without_a_reason_is_422(world):
    s = open_session(world)
    assert_error(world.send("E2", "POST", f"/api/calibration-sessions/{s['session_id']}/close", version=9), 412)
    closed = world.send("E2", "POST", f"/api/calibration-sessions/{s['session_id']}/close", version=s["version"])
    url = f"/api/calibration-sessions/{s['session_id']}/reopen"
    assert_error(world.send("E2", "POST", url, {"reason": ""}, version=closed.get_json()["version"]), 422)
    reopened = world.send("E2", "POST", url, {"reason": "New evidence"}, version=closed.get_json()["version"])
    assert reopened.get_json()["state"] == "open"
    assert world.review("E4").get_json()["state"] == "in_calibration"


def csrf_of(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_the_pages_open_a_session_adjust_and_close_without_javascript(world):
    hr = world.client("E2")
    listing = hr.get(f"/cycles/{world.cycle_id}/calibration")
    assert listing.status_code == 200 and "Open a session" in listing.get_data(as_text=True)
    # a session without a name is redisplayed with its message
    empty = world.post_form("E2", f"/cycles/{world.cycle_id}/calibration", {"group": "list", "version": "0"})
    assert empty.status_code == 422 and "required" in empty.get_data(as_text=True).lower()
    made = world.post_form(
        "E2",
        f"/cycles/{world.cycle_id}/calibration",
        {"name": "Engineering", "group": "list", "employee_ids": ["E4", "E5"], "version": "0"},
    )
    assert made.status_code == 302
    session_url = made.headers["Location"]
    session_id = session_url.rsplit("/", 1)[-1]
    page = hr.get(session_url).get_data(as_text=True)
    assert "Katherine Johnson" in page and "Close and lock the ratings" in page
    form_url = f"/calibration/{session_id}/people/E4"
    form = hr.get(form_url)
    assert form.status_code == 200 and "Proposed by the manager: 4" in form.get_data(as_text=True)
    missing = world.post_form(
        "E2", form_url, {"competency_ratings.delivery": "2", "competency_ratings.collaboration": "2", "version": "0"}
    )
    assert missing.status_code == 422 and "Why" in missing.get_data(as_text=True)
    saved = world.post_form(
        "E2",
        form_url,
        {
            "competency_ratings.delivery": "2",
            "competency_ratings.collaboration": "2",
            "reason": "Evidence",
            "version": "0",
        },
    )
    assert saved.status_code == 302
    page = hr.get(session_url).get_data(as_text=True)
    assert "Evidence" in page
    stale = world.post_form(
        "E2",
        form_url,
        {"competency_ratings.delivery": "3", "competency_ratings.collaboration": "2", "reason": "Late", "version": "0"},
    )
    assert stale.status_code == 302  # back to the session, saying why
    assert "changed by someone else" in hr.get(stale.headers["Location"]).get_data(as_text=True)
    assert UnitOfWork(world.table).calibration.adjustment(session_id, "E4").reason == "Evidence"
    closed = world.post_form("E2", f"/calibration/{session_id}/close", {"version": "1"})
    assert closed.status_code == 302
    assert UnitOfWork(world.table).reviews.get(world.cycle_id, "E4").state.value == "manager_submitted"
    assert "Reopen the session" in hr.get(session_url).get_data(as_text=True)


def test_the_manager_rates_potential_and_the_session_places_people_on_the_nine_box_grid():
    world = World(org=ORG, submitted=("E4", "E5"), template={"potential": ["Low", "Medium", "High"]}, potential=3)
    s = open_session(world)
    view = world.client("E2").get(f"/api/calibration-sessions/{s['session_id']}").get_json()
    # delivery 4 and collaboration 3 of 4 with goals rated 4: a high performer; potential 3 of 3: a star
    assert {r["employee_id"]: r["box"] for r in view["rows"]} == {"E4": "star", "E5": "star"}
    assert view["grid"][0][2] == ["star", 2]
    # the box moves with a calibrated potential
    world.send("E2", "PUT", person_url(s["session_id"]), {**LOWER, "potential": 1}, version=0)
    url = f"/api/calibration-sessions/{s['session_id']}"
    narrowed = world.client("E2").get(url + "?box=star").get_json()["rows"]
    assert [r["employee_id"] for r in narrowed] == ["E5"]
    (e4,) = [r for r in world.client("E2").get(url + "?sort=rating").get_json()["rows"] if r["employee_id"] == "E4"]
    assert e4["box"] != "star" and e4["calibrated"]["potential"] == 1
    assert "box" in assert_error(world.client("E2").get(url + "?box=comet"), 422)["errors"]
    page = world.client("E2").get(f"/calibration/{s['session_id']}?box=star")
    assert page.status_code == 200 and "Performance × potential" in page.get_data(as_text=True)


def test_a_potential_off_the_templates_scale_is_refused():
    world = World(org=ORG, submitted=(), template={"potential": ["Low", "High"]})
    url = f"/api/cycles/{world.cycle_id}/reviews/E4/manager"
    body = {"content": {**f.manager_content(), "potential": 3}, "submit": False}
    resp = world.send("E3", "PUT", url, body, version=1)
    assert "potential" in assert_error(resp, 422)["errors"]


def test_the_session_report_counts_changes_per_manager_before_and_after_as_csv(world):
    s = open_session(world)
    world.send("E2", "PUT", person_url(s["session_id"]), LOWER, version=0)  # E4 from 4 (Outstanding) down
    view = world.client("E2").get(f"/api/calibration-sessions/{s['session_id']}").get_json()
    assert view["changes"][0] == {"group": "Alan Turing", "people": 2, "changed": 1, "up": 0, "down": 1}
    assert view["before"]["counts"] == [0, 0, 0, 2] and view["session_distribution"]["counts"] == [0, 0, 1, 1]
    csv_text = world.client("E2").get(f"/calibration/{s['session_id']}.csv").get_data(as_text=True)
    assert "changes,Alan Turing,2,1,0,1" in csv_text
    assert "distribution,session,,,,,Outstanding,2,1" in csv_text
    assert world.client("E4").get(f"/calibration/{s['session_id']}.csv").status_code == 404


def test_the_cycle_rating_report_is_for_leadership_and_hr_and_withholds_small_groups(world):
    s = open_session(world)
    world.send("E2", "POST", f"/api/calibration-sessions/{s['session_id']}/close", version=s["version"])
    held = world.client("E1").get(f"/api/cycles/{world.cycle_id}/rating-report").get_json()
    assert held["held"] and held["departments"] == []  # leadership: the running cycle's ratings when it closes
    report = world.client("E2").get(f"/api/cycles/{world.cycle_id}/rating-report")  # HR reads them live
    body = report.get_json()
    assert report.status_code == 200 and not body["held"]
    assert body["everyone"]["total"] is None and body["departments"][0]["counts"] == [None] * 4  # 2 people only
    assert "Katherine" not in str(body)
    assert_error(world.client("E3").get(f"/api/cycles/{world.cycle_id}/rating-report"), 403)
    page = world.client("E2").get(f"/cycles/{world.cycle_id}/ratings")
    assert page.status_code == 200 and "fewer than 5 people" in page.get_data(as_text=True)
    csv_text = world.client("E2").get(f"/cycles/{world.cycle_id}/ratings.csv").get_data(as_text=True)
    assert "organisation,Everyone,suppressed" in csv_text
