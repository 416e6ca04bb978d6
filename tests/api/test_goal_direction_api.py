"""A key result's direction through the JSON API (issue 25, point 5): it round-trips, a bad one is refused with
a field message and nothing stored, and a goal answers its pace over its own period."""

from __future__ import annotations

import re

from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from tests import factories as f

LATENCY = {"id": "p95", "title": "p95 latency", "start": 450, "target": 200, "current": 300, "unit": "ms"}


def create(client, auth, cycle_id, kr):
    body = {"level": "individual", "title": "Cut latency", "cycle_id": cycle_id, "weight": 100, "key_results": [kr]}
    return client.post("/api/goals", json=body, headers=auth.headers())


def test_a_decrease_round_trips_with_its_progress_words_and_pace(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    made = create(client, auth, cycle.cycle_id, {**LATENCY, "direction": "decrease"})
    assert made.status_code == 201, made.get_json()
    read = client.get(f"/api/goals/{made.get_json()['goal_id']}", headers=auth.headers()).get_json()
    (kr,) = read["key_results"]
    assert (kr["direction"], kr["progress"]) == ("decrease", 60)
    assert kr["words"] == "300 ms now, target 200 ms or less, from 450 ms: 60% of the way"
    # Set just now: none of its period has gone, so it is on track (not "behind" a cycle nearly over).
    assert read["pace"]["expected"] == 0 and read["pace"]["pace"] == "on_track" and read["standing"] == "on_track"
    listed = client.get(f"/api/people/E4/goals?cycle_id={cycle.cycle_id}", headers=auth.headers()).get_json()
    assert [k["direction"] for g in listed["goals"] for k in g["key_results"]] == ["decrease"]


def test_stay_within_round_trips_through_a_change(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    made = create(client, auth, cycle.cycle_id, {**LATENCY, "direction": "decrease"}).get_json()
    within = {"id": "err", "title": "Error rate", "start": 0, "target": 1, "current": 1.5, "unit": "%"}
    changed = client.patch(
        f"/api/goals/{made['goal_id']}",
        json={"key_results": [{**within, "direction": "within"}]},
        headers={**auth.headers(), "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.get_json()
    (kr,) = changed.get_json()["key_results"]
    assert (kr["direction"], kr["progress"], kr["words"]) == (
        "within",
        0,
        "1.5 % now, to stay within 0–1 %: above the range",
    )


def test_a_bad_direction_is_refused_with_a_field_message_and_nothing_stored(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    resp = create(client, auth, cycle.cycle_id, {**LATENCY, "direction": "sideways"})
    body = resp.get_json()
    assert resp.status_code == 422 and body["code"] == "invalid_request"
    assert body["errors"] == {"key_results": {"0": {"direction": ["Must be one of: increase, decrease, within."]}}}
    assert UnitOfWork(seeded).goals.of_owner("E4", cycle.cycle_id) == []


def test_a_decrease_that_goes_up_is_refused_on_its_target(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    resp = create(client, auth, cycle.cycle_id, {**LATENCY, "target": 500, "direction": "decrease"})
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"key_results.0.target": ["to decrease, the target must be below the start"]}
    assert UnitOfWork(seeded).goals.of_owner("E4", cycle.cycle_id) == []


def test_the_openapi_names_the_directions(client):
    spec = client.get("/api/openapi.json").get_json()
    schema = spec["components"]["schemas"]["KeyResult"]["properties"]["direction"]
    assert schema["enum"] == ["increase", "decrease", "within"]


def _form(page: bytes, cycle_id: str, **fields: str) -> dict[str, str]:
    token = re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()
    base = {"csrf_token": token, "cycle_id": cycle_id, "level": "individual", "title": "Cut latency", "weight": "50"}
    row = {"kr.0.title": "p95 latency", "kr.0.start": "450", "kr.0.target": "200", "kr.0.current": "300"}
    return {**base, **row, "kr.0.unit": "ms", **fields}


def test_the_goal_form_sets_the_direction_and_the_pages_say_it(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    docs = {"level": "individual", "title": "Docs", "weight": 60, "cycle_id": cycle.cycle_id}
    docs_id = goal_svc.create_goal(UnitOfWork(seeded), f.principal(seeded, "E4"), docs, clock).goal_id
    auth.login("E4")
    page = client.get("/goals")
    assert 'name="kr.0.direction"' in page.get_data(as_text=True)
    resp = client.post("/goals", data=_form(page.data, cycle.cycle_id, **{"kr.0.direction": "decrease"}))
    assert resp.status_code == 302
    (goal,) = [g for g in goal_svc.person_goals(UnitOfWork(seeded), "E4", cycle.cycle_id) if g.goal_id != docs_id]
    assert goal.key_results[0].direction == "decrease"
    listing = client.get("/goals").get_data(as_text=True)
    # The weight warning is a sentence to its reader (it said "Goal weights of your add up to 110").
    assert "Your goal weights add up to 110, not 100." in listing
    assert "p95 latency</strong>: 300 ms now, target 200 ms or less, from 450 ms: 60% of the way" in listing
    shown = client.get(f"/goals/{goal.goal_id}").get_data(as_text=True)
    assert "p95 latency</strong>: 300 ms now, target 200 ms or less, from 450 ms: 60% of the way" in shown
    assert '<option value="decrease" selected>' in shown


def test_a_bad_direction_on_the_form_is_a_message_beside_its_field_and_nothing_stored(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    auth.login("E4")
    page = client.get("/goals")
    resp = client.post("/goals", data=_form(page.data, cycle.cycle_id, **{"kr.0.direction": "sideways"}))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert 'href="#f-kr-0-direction">Key result 1: which way is better: Must be one of' in html
    field = html[html.index('<label for="f-kr-0-direction"') :][:600]
    assert "Must be one of: increase, decrease, within." in field
    assert goal_svc.person_goals(UnitOfWork(seeded), "E4", cycle.cycle_id) == []


def test_the_alignment_report_and_organisation_goals_say_a_decrease_as_such(app, auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    data = {"level": "organisation", "title": "Fast product", "key_results": [{**LATENCY, "direction": "decrease"}]}
    goal_svc.create_goal(UnitOfWork(seeded), f.principal(seeded, "E1"), data, clock)
    auth.login("E1")
    line = "p95 latency: 300 ms now, target 200 ms or less, from 450 ms: 60% of the way"
    report = client.get(f"/api/cycles/{cycle.cycle_id}/alignment", headers=auth.headers()).get_json()
    assert [g["key_results"] for g in report["organisation_goals"]] == [[line]]
    assert line in client.get(f"/goals/alignment?cycle={cycle.cycle_id}").get_data(as_text=True)
    listed = client.get(f"/goals/organisation?cycle={cycle.cycle_id}").get_data(as_text=True)
    assert "p95 latency</strong>: 300 ms now, target 200 ms or less" in listed
