"""Goals through the JSON API: create, align, update with If-Match, assign, report, into the review."""

from __future__ import annotations

from tests import factories as f


def launch(seeded, clock):
    return f.launched_cycle(seeded, clock)


def post(client, auth, path, body, status=None):
    resp = client.post(path, json=body, headers=auth.headers())
    if status:
        assert resp.status_code == status, resp.get_json()
    return resp


def test_goal_cascade_through_the_api(app, seeded, clock):
    from tests.conftest import AuthActions

    cycle = launch(seeded, clock)
    c = cycle.cycle_id
    ceo, mgr, emp = app.test_client(), app.test_client(), app.test_client()
    a_ceo, a_mgr, a_emp = AuthActions(ceo), AuthActions(mgr), AuthActions(emp)
    a_ceo.login("E1"), a_mgr.login("E3"), a_emp.login("E4")
    org = post(ceo, a_ceo, "/api/goals", {"level": "organisation", "title": "Delight customers"}, 201).get_json()
    team = post(
        mgr,
        a_mgr,
        "/api/goals",
        {"level": "team", "title": "Fast support", "cycle_id": c, "parent_id": org["goal_id"], "weight": 100},
        201,
    ).get_json()
    mine = post(
        emp,
        a_emp,
        "/api/goals",
        {
            "level": "individual",
            "title": "Answer in 1 day",
            "cycle_id": c,
            "parent_id": team["goal_id"],
            "weight": 100,
            "key_results": [{"id": "k", "title": "tickets", "target": 40}],
        },
        201,
    )
    goal = mine.get_json()
    assert mine.headers["ETag"] == '"1"' and goal["progress"] == 0 and goal["warnings"] == []
    assert [g["title"] for g in goal["alignment_chain"]] == ["Fast support", "Delight customers"]
    resp = emp.patch(
        f"/api/goals/{goal['goal_id']}",
        json={"key_results": [{"id": "k", "title": "tickets", "target": 40, "current": 30}]},
        headers={**a_emp.headers(), "If-Match": '"1"'},
    )
    assert resp.status_code == 200 and resp.get_json()["progress"] == 75
    stale = emp.patch(
        f"/api/goals/{goal['goal_id']}", json={"weight": 50}, headers={**a_emp.headers(), "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert ceo.get(f"/api/goals/{org['goal_id']}?cycle_id={c}").get_json()["progress"] == 75
    report = ceo.get(f"/api/cycles/{c}/alignment").get_json()
    assert report["organisation_goals"][0]["aligned_goals"] == 2 and report["organisation_goals"][0]["people"] == 2
    review = emp.get(f"/api/cycles/{c}/reviews/E4").get_json()
    assert review["goals"][0]["progress"] == 75


def test_alignment_refusal_is_a_field_error(auth, client, seeded, clock):
    cycle = launch(seeded, clock)
    auth.login("E4")
    other = f.principal(seeded, "E2")
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import goals

    hr_team = goals.create_goal(
        UnitOfWork(seeded), other, {"level": "team", "title": "HR", "cycle_id": cycle.cycle_id}, clock
    )
    resp = post(
        client,
        auth,
        "/api/goals",
        {
            "level": "individual",
            "title": "x",
            "cycle_id": cycle.cycle_id,
            "parent_id": hr_team.goal_id,
            "weight": 10,
        },
        422,
    )
    assert resp.get_json()["errors"]["parent_id"][0].startswith("an individual goal aligns")


def test_manager_assigns_a_goal_to_the_team(auth, client, seeded, clock):
    cycle = launch(seeded, clock)
    auth.login("E3")
    team = post(
        client, auth, "/api/goals", {"level": "team", "title": "Reliability", "cycle_id": cycle.cycle_id}, 201
    ).get_json()
    result = post(client, auth, f"/api/goals/{team['goal_id']}/assign", {"weight": 30}).get_json()
    assert len(result["created"]) == 2
    kids = client.get(f"/api/goals/{team['goal_id']}/children").get_json()["goals"]
    assert sorted(k["owner_id"] for k in kids) == ["E4", "E5"]


def test_alignment_report_is_refused_to_plain_employees(auth, client, seeded, clock):
    cycle = launch(seeded, clock)
    auth.login("E4")
    assert client.get(f"/api/cycles/{cycle.cycle_id}/alignment").status_code == 403


def test_manager_report_covers_the_subtree(auth, client, seeded, clock):
    cycle = launch(seeded, clock)
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import goals

    org = goals.create_goal(
        UnitOfWork(seeded), f.principal(seeded, "E1"), {"level": "organisation", "title": "O"}, clock
    )
    goals.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E4"),
        {"level": "individual", "title": "a", "weight": 100, "cycle_id": cycle.cycle_id, "parent_id": org.goal_id},
        clock,
    )
    goals.create_goal(
        UnitOfWork(seeded),
        f.principal(seeded, "E6"),
        {"level": "individual", "title": "b", "weight": 100, "cycle_id": cycle.cycle_id, "parent_id": org.goal_id},
        clock,
    )
    auth.login("E3")
    report = client.get(f"/api/cycles/{cycle.cycle_id}/alignment").get_json()
    assert report["scope"] == "subtree of E3"
    assert report["organisation_goals"][0]["people"] == 1  # E6 is not in E3's subtree
    assert client.get("/api/goals").get_json()["goals"][0]["title"] == "O"
