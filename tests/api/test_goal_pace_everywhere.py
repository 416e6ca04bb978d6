"""One pace for a goal everywhere (issue 25, point 3): the review's JSON answers each goal's pace and badge as the
goal pages and the goals API do, and the alignment reports count a goal behind its time as needing attention,
not only those whose owners marked them at risk."""

from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from tests.conftest import AuthActions


def _as(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth


def _post(who, body) -> dict:
    client, auth = who
    resp = client.post("/api/goals", json=body, headers=auth.headers())
    assert resp.status_code == 201, resp.get_json()
    return resp.get_json()


def _get(who, path: str) -> dict:
    client, auth = who
    resp = client.get(path, headers=auth.headers())
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _ten_days_into_twenty(app, seeded, clock) -> tuple[str, dict, dict]:
    """An organisation goal → a team goal → Katherine's goal, the first and last due in 20 days and 10% done;
    then ten days pass: half their time is gone, so both are behind (their owners never said at risk)."""
    cycle = f.launched_cycle(seeded, clock).cycle_id
    due = (clock.now().date() + timedelta(days=20)).isoformat()
    kr = [{"id": "k", "title": "Tickets answered in a day", "start": 0, "target": 100, "current": 10}]
    org = _post(_as(app, "E1"), {"level": "organisation", "title": "Delight customers", "due": due, "key_results": kr})
    team = _post(
        _as(app, "E3"),
        {"level": "team", "title": "Fast support", "cycle_id": cycle, "parent_id": org["goal_id"], "weight": 100},
    )
    mine = _post(
        _as(app, "E4"),
        {
            "level": "individual",
            "title": "Answer in a day",
            "cycle_id": cycle,
            "parent_id": team["goal_id"],
            "weight": 100,
            "due": due,
            "key_results": kr,
        },
    )
    clock.at += timedelta(days=10)
    return cycle, org, mine


def test_the_reviews_json_gives_each_goal_the_pace_and_badge_the_goal_pages_show(app, seeded, clock):
    cycle, _org, mine = _ten_days_into_twenty(app, seeded, clock)
    katherine = _as(app, "E4")
    (goal,) = _get(katherine, f"/api/cycles/{cycle}/reviews/E4")["goals"]
    assert goal["status"] == "on_track" and goal["standing"] == "behind"
    assert goal["pace"]["pace"] == "behind" and goal["pace"]["expected"] == 50.0
    assert goal["pace"]["period_end"] == mine["due"]
    alone = _get(katherine, f"/api/goals/{mine['goal_id']}")
    assert (alone["standing"], alone["pace"]) == (goal["standing"], goal["pace"])
    page = katherine[0].get(f"/cycles/{cycle}/reviews/E4").get_data(as_text=True)
    assert "50% of its time gone, <strong>behind</strong>" in page


def test_the_alignment_reports_count_goals_behind_their_time_as_at_risk(app, seeded, clock):
    cycle, org, mine = _ten_days_into_twenty(app, seeded, clock)
    subtree = _get(_as(app, "E3"), f"/api/cycles/{cycle}/alignment")
    assert subtree["at_risk"]["count"] == 1
    assert [(g["goal_id"], g["standing"]) for g in subtree["at_risk"]["goals"]] == [(mine["goal_id"], "behind")]
    whole = _get(_as(app, "E1"), f"/api/cycles/{cycle}/alignment")
    assert whole["organisation_goals"][0]["standing"] == "behind"
    # Over the whole organisation too: Katherine's goal is counted by the day it fell behind, stored on its write.
    assert whole["at_risk"]["count"] == 2
    listed = [(g["goal_id"], g["standing"]) for g in whole["at_risk"]["goals"]]
    assert listed == [(org["goal_id"], "behind"), (mine["goal_id"], "behind")]


def _patch(who, goal: dict, body: dict) -> dict:
    client, auth = who
    headers = {**auth.headers(), "If-Match": f'"{goal["version"]}"'}
    resp = client.patch(f"/api/goals/{goal['goal_id']}", json=body, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    return resp.get_json()


def _at_risk(app, cycle: str) -> tuple[int, list[tuple[str, str]]]:
    whole = _get(_as(app, "E1"), f"/api/cycles/{cycle}/alignment")["at_risk"]
    return whole["count"], [(g["goal_id"], g["standing"]) for g in whole["goals"]]


def test_the_organisations_count_follows_each_write_of_progress_and_status(app, seeded, clock):
    cycle, org, mine = _ten_days_into_twenty(app, seeded, clock)
    katherine = _as(app, "E4")
    kr = [{"id": "k", "title": "Tickets answered in a day", "start": 0, "target": 100, "current": 60}]
    mine = _patch(katherine, mine, {"key_results": kr})  # 60% done, half the time gone: on track again
    assert _at_risk(app, cycle) == (1, [(org["goal_id"], "behind")])
    clock.at += timedelta(days=8)  # 90% of the time gone: 60% trails it, on the day stored with that write
    assert _at_risk(app, cycle) == (2, [(org["goal_id"], "behind"), (mine["goal_id"], "behind")])
    mine = _patch(katherine, mine, {"status": "at_risk"})  # her own word: counted once, as she said
    assert _at_risk(app, cycle) == (2, [(org["goal_id"], "behind"), (mine["goal_id"], "at_risk")])
    _patch(katherine, mine, {"status": "done"})
    assert _at_risk(app, cycle) == (1, [(org["goal_id"], "behind")])


def test_an_organisation_goal_of_one_cycle_behind_is_counted_once(app, seeded, clock):
    cycle = f.launched_cycle(seeded, clock).cycle_id
    due = (clock.now().date() + timedelta(days=20)).isoformat()
    body = {"level": "organisation", "title": "Open two offices", "cycle_id": cycle, "due": due}
    org = _post(_as(app, "E1"), body)
    clock.at += timedelta(days=10)
    assert _at_risk(app, cycle) == (1, [(org["goal_id"], "behind")])
