"""Goal check-ins through the JSON API (issue 28, point 2): new values, a confidence and a comment, audited and
kept in the goal's timeline."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from service.adapters import keys
from service.adapters.unit_of_work import UnitOfWork
from tests import factories as f


def _send(client, auth, method, path, body=None, version=None):
    headers = auth.headers()
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return client.open(path, method=method, json=body, headers=headers)


def _goal(client, auth, cycle_id):
    body = {
        "level": "individual",
        "title": "Answer tickets fast",
        "cycle_id": cycle_id,
        "weight": 100,
        "key_results": [{"id": "k", "title": "tickets", "target": 40}],
    }
    return _send(client, auth, "POST", "/api/goals", body).get_json()


def test_a_check_in_moves_the_key_results_and_the_status_and_is_kept_with_its_comment(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    goal = _goal(client, auth, cycle.cycle_id)
    body = {"values": {"k": 10}, "confidence": "at_risk", "comment": "Support queue doubled."}
    resp = _send(client, auth, "POST", f"/api/goals/{goal['goal_id']}/check-ins", body, version=1)
    assert resp.status_code == 201, resp.get_json()
    saved = resp.get_json()
    assert (saved["progress"], saved["status"], saved["version"]) == (25, "at_risk", 2)
    [entry] = saved["history"]
    assert entry["checkin"] is True and entry["comment"] == "Support queue doubled." and entry["by"] == "E4"
    assert entry["values"] == {"k": 10} and entry["progress"] == 25 and entry["status"] == "at_risk"
    # A check-in with only a comment still makes an entry.
    again = _send(
        client,
        auth,
        "POST",
        f"/api/goals/{goal['goal_id']}/check-ins",
        {"confidence": "at_risk", "comment": "Same as last week."},
        version=2,
    ).get_json()
    assert [h["comment"] for h in again["history"]] == ["Support queue doubled.", "Same as last week."]
    trail = UnitOfWork(seeded).audit.of_entity(keys.entity_goal(goal["goal_id"]))
    assert [r["action"] for r in trail] == ["create_goal", "check_in_goal", "check_in_goal"]


def test_a_bad_check_in_is_a_field_error_and_changes_nothing(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    goal = _goal(client, auth, cycle.cycle_id)
    url = f"/api/goals/{goal['goal_id']}/check-ins"
    resp = _send(client, auth, "POST", url, {"values": {"nope": 3}, "confidence": "done"}, version=1)
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {
        "values": ["the goal has no key result 'nope'"],
        "confidence": ["choose one of on_track, at_risk, off_track"],
    }
    assert _send(client, auth, "POST", url, {"confidence": "sideways"}, version=1).status_code == 422
    assert _send(client, auth, "POST", url, {"confidence": "on_track", "comment": "x"}, version=7).status_code == 412
    stored = client.get(f"/api/goals/{goal['goal_id']}").get_json()
    assert (stored["version"], stored["history"], stored["status"]) == (1, [], "on_track")


def test_a_finished_goal_takes_no_check_ins_and_a_peer_cannot_check_in(app, auth, client, seeded, clock):
    from tests.conftest import AuthActions

    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    goal = _goal(client, auth, cycle.cycle_id)
    url = f"/api/goals/{goal['goal_id']}/check-ins"
    peer, peer_auth = app.test_client(), None
    peer_auth = AuthActions(peer)
    peer_auth.login("E5")
    assert _send(peer, peer_auth, "POST", url, {"confidence": "on_track", "comment": "x"}, version=1).status_code in (
        403,
        404,
    )
    _send(client, auth, "PATCH", f"/api/goals/{goal['goal_id']}", {"status": "done"}, version=1)
    resp = _send(client, auth, "POST", url, {"confidence": "on_track", "comment": "x"}, version=2)
    assert resp.status_code == 409
    assert resp.get_json()["message"] == "the goal is done: a finished goal takes no check-ins"
    assert client.get(f"/api/goals/{goal['goal_id']}").get_json()["version"] == 2


def test_the_goal_page_checks_in_with_a_plain_form_and_shows_the_timeline(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    goal = _goal(client, auth, cycle.cycle_id)
    page = client.get(f"/goals/{goal['goal_id']}").get_data(as_text=True)
    assert 'name="value.k"' in page and "Check in" in page
    form = {"csrf_token": auth.csrf, "version": "1", "value.k": "20", "confidence": "off_track", "comment": "Blocked."}
    resp = client.post(f"/goals/{goal['goal_id']}/check-in", data=form, follow_redirects=True)
    shown = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Checked in: 50% done, off track." in shown
    assert "<q>Blocked.</q>" in shown and "Check-in</span> by Katherine Johnson" in shown
    chart = shown[shown.index('<svg class="progress-chart"') : shown.index("</svg>")]
    assert "latest 50% on 2026-03-02" in chart and "(dashed line)" in chart and "<polyline" in chart
    bad = {**form, "version": "2", "value.k": "lots"}
    refused = client.post(f"/goals/{goal['goal_id']}/check-in", data=bad, follow_redirects=True)
    assert "Not checked in: the new value of key result &#39;k&#39;: Not a valid number." in refused.get_data(
        as_text=True
    )
    assert client.get(f"/api/goals/{goal['goal_id']}").get_json()["version"] == 2


def test_the_alignment_report_shows_the_latest_confidence_and_when(app, auth, client, seeded, clock):
    from tests.conftest import AuthActions

    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    goal = _goal(client, auth, cycle.cycle_id)
    body = {"values": {"k": 4}, "confidence": "off_track", "comment": "Lost two people."}
    _send(client, auth, "POST", f"/api/goals/{goal['goal_id']}/check-ins", body, version=1)
    hr, hr_auth = app.test_client(), None
    hr_auth = AuthActions(hr)
    hr_auth.login("E2")
    report = hr.get(f"/api/cycles/{cycle.cycle_id}/alignment").get_json()
    [row] = report["at_risk"]["goals"]
    assert (row["goal_id"], row["status"], row["checked_in"]) == (
        goal["goal_id"],
        "off_track",
        "2026-03-02T09:00:00.000Z",
    )
    page = hr.get(f"/goals/alignment?cycle={cycle.cycle_id}").get_data(as_text=True)
    assert "Answer tickets fast" in page and "checked in 2 Mar 2026" in page


def test_a_rhythm_says_when_the_next_check_in_is_due(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    goal = _goal(client, auth, cycle.cycle_id)
    url = f"/api/goals/{goal['goal_id']}"
    assert _send(client, auth, "PATCH", url, {"checkin_rhythm": "daily"}, version=1).status_code == 422
    weekly = _send(client, auth, "PATCH", url, {"checkin_rhythm": "fortnightly"}, version=1).get_json()
    assert (weekly["checkin_rhythm"], weekly["next_check_in"]) == ("fortnightly", "2026-03-16")
    page = client.get(f"/goals/{goal['goal_id']}").get_data(as_text=True)
    assert "Next check-in due 16 Mar 2026 (fortnightly)" in page


def test_an_evening_goal_is_due_a_check_in_a_rhythm_after_the_organisations_day(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    clock.at = datetime(2026, 3, 2, 21, 30, tzinfo=ZoneInfo("America/New_York"))  # 3 March, 02:30 in UTC
    clock.zone = clock.at.tzinfo
    auth.login("E4")
    body = {"level": "individual", "title": "Answer tickets", "cycle_id": cycle.cycle_id, "weight": 100}
    made = _send(client, auth, "POST", "/api/goals", {**body, "checkin_rhythm": "weekly"}).get_json()
    assert made["created_at"] == "2026-03-03T02:30:00.000Z" and made["next_check_in"] == "2026-03-09"
    assert _send(client, auth, "GET", f"/api/goals/{made['goal_id']}").get_json()["next_check_in"] == "2026-03-09"
    page = client.get(f"/goals/{made['goal_id']}").get_data(as_text=True)
    assert "Next check-in due 9 Mar 2026 (weekly)" in page
