"""Templates and cycles through the JSON API: validation, versions, launch, progress, close and reopen."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import (
    assert_error,
    create_cycle,
    create_template,
    etag,
    jsonable,
    launch,
    ok,
    review_url,
    submit_self,
)
from tests.conftest import ORG_CSV

pytestmark = pytest.mark.usefixtures("org_state")


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module; each test starts from the same stored state (org_state)."""
    return module_app


@pytest.fixture
def hr(as_):
    """Grace Hopper (E2), head of People, signed in."""
    return as_("E2")


def import_csv(hr, text: str) -> dict:
    """HR posts an organisation CSV."""
    resp = hr.client.post("/api/org/imports", data=text, content_type="text/csv", headers=hr.auth.headers())
    return ok(resp)


# --- templates -----------------------------------------------------------------------------------


def test_hr_creates_a_template_and_gets_its_etag(hr):
    resp = hr.post("/api/templates", f.template_data())
    body = ok(resp, 201)
    assert resp.headers["ETag"] == '"1"' and body["version"] == 1
    assert body["updated_by"] == "E2" and body["scale"] == ["Below", "Meets", "Exceeds", "Outstanding"]
    stored = hr.get(f"/api/templates/{body['template_id']}")
    assert ok(stored) == body and stored.headers["ETag"] == '"1"'


@pytest.mark.parametrize("labels", [["Only"], [f"Level {n}" for n in range(1, 12)]], ids=["1 point", "11 points"])
def test_a_scale_outside_2_to_10_points_is_refused(hr, labels):
    errors = assert_error(hr.post("/api/templates", f.template_data(scale=labels)), 422, "invalid_request")
    assert errors == {"scale": ["Length must be between 2 and 10."]}
    assert ok(hr.get("/api/templates"))["templates"] == []


def test_weights_that_do_not_add_up_to_100_are_refused(hr):
    weights = {"goals": 50, "competencies": 30, "feedback": 10}
    errors = assert_error(hr.post("/api/templates", f.template_data(weights=weights)), 422, "validation_failed")
    assert errors == {"weights": ["weights add up to 90, not 100"]}


def test_duplicate_competency_ids_are_refused(hr):
    twice = [{"id": "delivery", "name": n, "description": "Ships."} for n in ("Delivery", "Shipping")]
    errors = assert_error(hr.post("/api/templates", f.template_data(competencies=twice)), 422, "validation_failed")
    assert errors == {"competencies": ["competency ids must be unique"]}


def test_unknown_template_fields_are_refused(hr):
    errors = assert_error(hr.post("/api/templates", f.template_data(colour="blue")), 422, "invalid_request")
    assert errors == {"colour": ["Unknown field."]}


def test_editing_a_template_saves_a_new_version_and_keeps_the_old_one(hr):
    template = create_template(hr)
    tid = template["template_id"]
    edited = f.template_data(name="Annual review v2", weights={"goals": 50, "competencies": 50, "feedback": 0})
    resp = hr.put(f"/api/templates/{tid}", edited, version=1)
    assert ok(resp)["version"] == 2 and resp.headers["ETag"] == '"2"'
    assert ok(hr.get(f"/api/templates/{tid}"))["name"] == "Annual review v2"
    old = ok(hr.get(f"/api/templates/{tid}/versions/1"))
    assert (old["name"], old["version"], old["weights"]) == ("Annual review", 1, f.template_data()["weights"])
    assert ok(hr.get(f"/api/templates/{tid}/versions/2"))["name"] == "Annual review v2"


def test_a_stale_template_edit_is_412(hr):
    tid = create_template(hr)["template_id"]
    ok(hr.put(f"/api/templates/{tid}", f.template_data(name="First edit"), version=1))
    assert_error(hr.put(f"/api/templates/{tid}", f.template_data(name="Lost edit"), version=1), 412, "stale_write")
    assert ok(hr.get(f"/api/templates/{tid}"))["name"] == "First edit"


def test_reviews_keep_the_template_their_cycle_launched_with(as_, hr):
    tid = create_template(hr)["template_id"]
    cycle = launch(hr, tid)
    competencies = [*f.template_data()["competencies"], {"id": "ownership", "name": "Ownership", "description": "!"}]
    ok(hr.put(f"/api/templates/{tid}", f.template_data(name="Renamed", competencies=competencies), version=1))
    template = ok(as_("E4").get(review_url(cycle["cycle_id"], "E4")))["template"]
    assert (template["name"], template["version"]) == ("Annual review", 1)
    assert [c["id"] for c in template["competencies"]] == ["delivery", "collaboration"]


# --- cycles: set-up ------------------------------------------------------------------------------


def test_hr_creates_a_draft_cycle_with_dated_phases(hr):
    tid = create_template(hr)["template_id"]
    resp = hr.post("/api/cycles", jsonable(f.cycle_data(tid)))
    cycle = ok(resp, 201)
    assert resp.headers["ETag"] == '"1"' and cycle["state"] == "draft" and cycle["participant_count"] == 0
    assert cycle["phases"] == {
        "goal_setting": "2026-03-01",
        "self_assessment": "2026-03-10",
        "feedback": "2026-03-20",
        "manager_assessment": "2026-03-31",
        "discussion": "2026-04-15",
    }
    assert ok(hr.get(f"/api/cycles/{cycle['cycle_id']}")) == cycle


def test_phase_deadlines_out_of_order_are_refused(hr):
    tid = create_template(hr)["template_id"]
    phases = {**f.cycle_data(tid)["phases"], "feedback": "2026-03-05"}  # before the self-assessment deadline
    errors = assert_error(hr.post("/api/cycles", jsonable(f.cycle_data(tid, phases=phases))), 422, "validation_failed")
    assert errors == {"phases": ["phase deadlines must follow the order of the phases"]}
    assert ok(hr.get("/api/cycles"))["cycles"] == []


def test_a_cycle_for_everyone_covers_every_active_person(hr):
    without_e6 = "".join(line for line in ORG_CSV.splitlines(keepends=True) if not line.startswith("E6,"))
    assert import_csv(hr, without_e6)["summary"]["deactivated"] == 1  # Barbara Liskov has left
    cycle = launch(hr, participant_mode="everyone")
    assert cycle["state"] == "active" and cycle["participant_count"] == 5
    progress = ok(hr.get(f"/api/cycles/{cycle['cycle_id']}/progress"))
    assert {d: row["not_started"] for d, row in progress["by_department"].items()} == {
        "Engineering": 3,
        "Leadership": 1,
        "People": 1,
    }
    assert ok(hr.get(review_url(cycle["cycle_id"], "E1")))["employee_name"] == "Ada Lovelace"
    assert_error(hr.get(review_url(cycle["cycle_id"], "E6")), 404, "not_found")


def test_a_cycle_for_departments_covers_only_their_people(hr):
    cycle = launch(hr, participant_mode="departments", departments=["engineering"])
    assert cycle["participant_count"] == 3
    assert ok(hr.get(review_url(cycle["cycle_id"], "E5")))["department"] == "Engineering"
    assert_error(hr.get(review_url(cycle["cycle_id"], "E6")), 404, "not_found")


def test_a_cycle_for_a_list_covers_exactly_those_people(hr):
    cycle = launch(hr, participant_mode="list", employee_ids=["E5", "E4"])
    assert cycle["participant_count"] == 2
    progress = ok(hr.get(f"/api/cycles/{cycle['cycle_id']}/progress"))
    assert progress["total"] == 2 and list(progress["by_department"]) == ["Engineering"]
    assert_error(hr.get(review_url(cycle["cycle_id"], "E3")), 404, "not_found")


def test_a_list_naming_an_unknown_person_is_refused_when_the_cycle_is_saved(hr):
    tid = create_template(hr)["template_id"]
    resp = hr.post("/api/cycles", jsonable(f.cycle_data(tid, participant_mode="list", employee_ids=["E4", "E99"])))
    assert assert_error(resp, 422)["employee_ids"] == ["'E99' is not an active employee"]


def test_a_listed_person_who_left_before_launch_stops_the_launch(hr):
    from tests.conftest import ORG_CSV

    tid = create_template(hr)["template_id"]
    cycle = create_cycle(hr, tid, participant_mode="list", employee_ids=["E4", "E5"])
    leaver = "E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,\n"
    imported = hr.client.post(
        "/api/org/imports", data=ORG_CSV.replace(leaver, ""), content_type="text/csv", headers=hr.auth.headers()
    )
    assert imported.status_code == 200
    errors = assert_error(hr.post(f"/api/cycles/{cycle['cycle_id']}/launch", version=1), 422, "validation_failed")
    assert errors == {"employee_ids": ["'E5' is not an active employee"]}
    assert ok(hr.get(f"/api/cycles/{cycle['cycle_id']}"))["state"] == "draft"


# --- cycles: launch ------------------------------------------------------------------------------


def test_launch_answers_202_and_creates_one_review_per_participant(hr):
    tid = create_template(hr)["template_id"]
    cycle = create_cycle(hr, tid, participant_mode="list", employee_ids=["E3", "E4", "E5"])
    resp = hr.post(f"/api/cycles/{cycle['cycle_id']}/launch", version=cycle["version"])
    assert ok(resp, 202) == {"cycle_id": cycle["cycle_id"], "expected": 3, "created": 3, "done": True}
    for person in ("E3", "E4", "E5"):
        review = ok(hr.get(review_url(cycle["cycle_id"], person)))
        assert (review["state"], review["version"], review["cycle_name"]) == ("not_started", 1, "2026 annual review")
    stored = hr.get(f"/api/cycles/{cycle['cycle_id']}")
    assert ok(stored)["launched_at"] == "2026-03-02T09:00:00.000Z" and etag(stored) == 2


def test_a_manager_change_mid_cycle_moves_only_that_open_review_to_the_new_manager(hr):
    cycle = launch(hr)
    # After launch, E4 moves from Alan Turing (E3) to Grace Hopper (E2): the open review goes with them (issue 28,
    # point 3; before it, each review kept the manager of launch); the others keep theirs.
    moved = ORG_CSV.replace("Engineer,Engineering,E3,\nE5", "Engineer,Engineering,E2,\nE5")
    assert import_csv(hr, moved)["summary"]["updated"] == 1
    managers = {p: ok(hr.get(review_url(cycle["cycle_id"], p)))["manager_id"] for p in ("E1", "E2", "E4", "E6")}
    assert managers == {"E1": None, "E2": "E1", "E4": "E2", "E6": "E2"}


def test_launching_120_people_creates_every_review_in_batches(app, hr):
    rows = [
        f"P{n:03d},Person {n},p{n}@example.com,Engineer,{'Support' if n % 2 else 'Engineering'},E3,"
        for n in range(1, 115)
    ]
    assert import_csv(hr, ORG_CSV + "\n".join(rows) + "\n")["summary"]["created"] == 114
    tid = create_template(hr)["template_id"]
    cycle = create_cycle(hr, tid)
    answer = ok(hr.post(f"/api/cycles/{cycle['cycle_id']}/launch", version=1), 202)
    assert (answer["expected"], answer["created"], answer["done"]) == (120, 120, True)
    progress = ok(hr.get(f"/api/cycles/{cycle['cycle_id']}/progress"))
    assert progress["launch"] == {"expected": 120, "created": 120, "done": True}
    assert progress["total"] == progress["by_state"]["not_started"] == 120
    assert progress["by_department"]["Support"]["not_started"] == 57
    # The reviews went out as several background batches (the app's inline queue keeps what it was sent).
    batches = [m for m in app.extensions["reviews"].queue.sent if m.get("cycle_id") == cycle["cycle_id"]]
    assert len(batches) > 1 and all(b["kind"] == "create_reviews" for b in batches)
    assert sum(len(b["people"]) for b in batches) == 120
    assert ok(hr.get(review_url(cycle["cycle_id"], "P114")))["manager_id"] == "E3"


# --- cycles: progress, close, reopen -------------------------------------------------------------


def test_progress_counts_reviews_per_state_and_department(as_, hr):
    cid = launch(hr)["cycle_id"]
    submit_self(as_("E4"), cid)
    progress = ok(hr.get(f"/api/cycles/{cid}/progress"))
    assert progress["total"] == 6
    assert {s: n for s, n in progress["by_state"].items() if n} == {"not_started": 5, "self_submitted": 1}
    engineering = progress["by_department"]["Engineering"]
    assert (engineering["not_started"], engineering["self_submitted"]) == (2, 1)
    assert progress["by_department"]["People"]["not_started"] == 2
    assert progress["overdue"] == {}  # today is 2026-03-02; the first deadline with a task is 2026-03-10


def test_not_started_reviews_are_overdue_after_the_self_assessment_deadline(as_, hr):
    phases = {
        "goal_setting": "2026-02-01",
        "self_assessment": "2026-02-27",
        "feedback": "2026-03-20",
        "manager_assessment": "2026-03-31",
        "discussion": "2026-04-15",
    }
    cid = launch(hr, phases=phases)["cycle_id"]
    submit_self(as_("E4"), cid)
    progress = ok(hr.get(f"/api/cycles/{cid}/progress"))
    assert progress["overdue"] == {"self_assessment": 5}
    assert progress["deadlines"]["self_assessment"] == "2026-02-27"


def test_closing_a_cycle_makes_its_reviews_read_only(as_, hr):
    cycle = launch(hr)
    resp = hr.post(f"/api/cycles/{cycle['cycle_id']}/close", version=cycle["version"])
    assert ok(resp)["state"] == "closed" and ok(resp)["closed_at"] == "2026-03-02T09:00:00.000Z"
    employee = as_("E4")
    url = review_url(cycle["cycle_id"], "E4")
    resp = employee.put(url + "/self", {"content": f.self_content()}, version=1)
    assert_error(resp, 409, "conflict")
    assert resp.get_json()["message"] == "the cycle is closed; its reviews are read-only"
    review = ok(employee.get(url))
    assert (review["version"], review["self_assessment"]) == (1, None)


def test_reopening_needs_a_reason(hr):
    cycle = launch(hr)
    closed = ok(hr.post(f"/api/cycles/{cycle['cycle_id']}/close", version=cycle["version"]))
    errors = assert_error(hr.post(f"/api/cycles/{cycle['cycle_id']}/reopen", {}, version=closed["version"]), 422)
    assert "reason" in errors
    errors = assert_error(hr.post(f"/api/cycles/{cycle['cycle_id']}/reopen", {"reason": " "}, closed["version"]), 422)
    assert errors == {"reason": ["required"]}
    assert ok(hr.get(f"/api/cycles/{cycle['cycle_id']}"))["state"] == "closed"


def test_reopening_is_audited_with_its_reason(as_, hr):
    cycle = launch(hr)
    cid = cycle["cycle_id"]
    closed = ok(hr.post(f"/api/cycles/{cid}/close", version=cycle["version"]))
    reopened = ok(hr.post(f"/api/cycles/{cid}/reopen", {"reason": "Two late joiners"}, version=closed["version"]))
    assert reopened["state"] == "active"
    audit = ok(hr.get(f"/api/cycles/{cid}/audit"))
    assert audit["verified"] is True
    cycle_records = [r for r in audit["records"] if r["entity"] == f"CYCLE#{cid}"]
    assert [r["action"] for r in cycle_records] == ["create_cycle", "launch_cycle", "close_cycle", "reopen_cycle"]
    last = cycle_records[-1]
    assert (last["actor"], last["reason"], last["at"]) == ("E2", "Two late joiners", "2026-03-02T09:00:00.000Z")
    assert {"field": "state", "from": "closed", "to": "active"} in last["changes"]
    # Writable again.
    assert submit_self(as_("E4"), cid)["state"] == "self_submitted"
