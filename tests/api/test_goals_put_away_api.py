"""Goals put away and team assignments that never list a person twice (issue 28, point 6), through the API."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.store import Put
from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from tests import factories as f


def _send(client, auth, method, path, body=None, version=None):
    headers = auth.headers()
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return client.open(path, method=method, json=body, headers=headers)


def test_a_finished_goal_is_archived_out_of_the_lists_still_readable_and_restored(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    body = {"level": "individual", "title": "Ship the parser", "cycle_id": cycle.cycle_id, "weight": 100}
    goal = _send(client, auth, "POST", "/api/goals", body).get_json()
    gid, mine = goal["goal_id"], f"/api/people/E4/goals?cycle_id={cycle.cycle_id}"

    refused = _send(client, auth, "POST", f"/api/goals/{gid}/archive", version=1)
    assert refused.status_code == 409
    assert refused.get_json()["message"] == "only a finished goal can be archived: mark it done or dropped first"
    assert client.get(f"/api/goals/{gid}").get_json()["archived"] is False

    assert _send(client, auth, "PATCH", f"/api/goals/{gid}", {"status": "done"}, version=1).status_code == 200
    archived = _send(client, auth, "POST", f"/api/goals/{gid}/archive", version=2)
    assert archived.status_code == 200 and archived.get_json()["archived"] is True
    assert client.get(mine).get_json()["goals"] == []
    assert [g["goal_id"] for g in client.get(mine + "&archived=true").get_json()["goals"]] == [gid]
    read = client.get(f"/api/goals/{gid}").get_json()
    assert (read["archived"], read["status"], read["progress"]) == (True, "done", 100)
    assert client.get(f"/api/cycles/{cycle.cycle_id}/reviews/E4").get_json()["goals"][0]["goal_id"] == gid

    edit = _send(client, auth, "PATCH", f"/api/goals/{gid}", {"title": "Renamed"}, version=3)
    assert edit.status_code == 409 and edit.get_json()["message"] == "the goal is archived: restore it first"
    restored = _send(client, auth, "POST", f"/api/goals/{gid}/restore", version=3)
    assert restored.status_code == 200 and restored.get_json()["archived"] is False
    assert [g["goal_id"] for g in client.get(mine).get_json()["goals"]] == [gid]
    trail = UnitOfWork(seeded).audit.of_entity(keys.entity_goal(gid))
    assert [r["action"] for r in trail] == ["create_goal", "update_goal", "archive_goal", "restore_goal"]
    assert trail[2]["actor"] == "E4"


def test_nobody_aligns_to_an_archived_goal(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E3")
    team = _send(client, auth, "POST", "/api/goals", {"level": "team", "title": "Old", "cycle_id": cycle.cycle_id})
    tid = team.get_json()["goal_id"]
    _send(client, auth, "PATCH", f"/api/goals/{tid}", {"status": "done"}, version=1)
    assert _send(client, auth, "POST", f"/api/goals/{tid}/archive", version=2).status_code == 200
    assigned = _send(client, auth, "POST", f"/api/goals/{tid}/assign", {"weight": 10})
    assert assigned.status_code == 409
    assert client.get(f"/api/goals/{tid}/children").get_json()["goals"] == []
    auth.login("E4")
    body = {"level": "individual", "title": "Mine", "cycle_id": cycle.cycle_id, "parent_id": tid, "weight": 100}
    resp = _send(client, auth, "POST", "/api/goals", body)
    assert resp.status_code == 422 and resp.get_json()["errors"] == {"parent_id": ["the goal you chose is archived"]}


def test_a_repeated_team_assignment_never_lists_a_person_twice(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E3")
    team = _send(
        client, auth, "POST", "/api/goals", {"level": "team", "title": "Reliability", "cycle_id": cycle.cycle_id}
    )
    tid = team.get_json()["goal_id"]
    first = _send(client, auth, "POST", f"/api/goals/{tid}/assign", {"weight": 30}).get_json()
    again = _send(client, auth, "POST", f"/api/goals/{tid}/assign", {"weight": 30}).get_json()
    assert len(first["created"]) == 2 and (again["created"], sorted(again["skipped"])) == ([], ["E4", "E5"])
    # The same person chosen twice (a doubled form field) gets one copy.
    chosen = goal_svc.assign_to_chosen(
        UnitOfWork(seeded), f.principal(seeded, "E3"), tid, {"weight": 30}, ["E4", "E4", "E5"], clock
    )
    assert (chosen.created, sorted(chosen.skipped)) == ([], ["E4", "E5"])
    kids = client.get(f"/api/goals/{tid}/children").get_json()["goals"]
    assert sorted(k["owner_id"] for k in kids) == ["E4", "E5"]


def test_a_copy_made_by_a_twin_request_is_found_by_its_id_not_the_index(seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    manager = f.principal(seeded, "E3")
    team = goal_svc.create_goal(
        UnitOfWork(seeded), manager, {"level": "team", "title": "Uptime", "cycle_id": cycle.cycle_id}, clock
    )
    made = goal_svc.assign_to_chosen(UnitOfWork(seeded), manager, team.goal_id, {"weight": 10}, ["E4"], clock)
    # A twin request's copy whose index entry is not visible yet: the owner's index shows nothing.
    copy = seeded.get(keys.goal(made.created[0]))
    seeded.transact([Put({k: v for k, v in copy.items() if not k.startswith("gsi2")})])
    retried = goal_svc.assign_to_chosen(UnitOfWork(seeded), manager, team.goal_id, {"weight": 10}, ["E4"], clock)
    assert (retried.created, retried.skipped) == ([], ["E4"])
    assert made.created == [goal_svc.assigned_goal_id(team.goal_id, "E4", cycle.cycle_id)]
