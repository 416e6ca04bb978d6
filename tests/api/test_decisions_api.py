"""The decisions' JSON API over the demo organisation (in-memory table): weigh, record, approve, communicate, read,
verify, leadership's counts, and the OpenAPI document."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from tests.conftest import AuthActions

TEAM = ["E008", "E009", "E010", "E011", "E012"]
RESTRUCTURE = {"kind": "restructuring", "summary": "Platform team dissolved", "people": TEAM}


@pytest.fixture
def demo_table(clock) -> MemoryTable:
    table = MemoryTable()
    load_demo(table, clock)
    return table


@pytest.fixture
def app(settings, demo_table, clock):
    from service.web import create_app

    return create_app(settings, table=demo_table, clock=clock)


def api(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth.headers()


def test_weighing_shows_the_evidence_and_the_group_sentence_and_saves_nothing(app, demo_table):
    client, headers = api(app, "E005")
    answer = client.post("/api/decisions/weigh", json={"kind": "restructuring", "people": TEAM}, headers=headers)
    assert answer.status_code == 200, answer.get_json()
    data = answer.get_json()
    assert data["flagged"] is True and set(data["flags"]) == set(TEAM)
    assert data["group"]["sentence"].startswith("5 of 5 people affected were rated at or above expectations")
    mei = data["evidence"][0]
    assert mei["name"] == "Mei Chen" and [c["rating_label"] for c in mei["cycles"]] == ["Exceeding", "Exceeding"]
    assert {n["topic"] for n in mei["needs"]} >= {"Kubernetes operations"}
    assert len(UnitOfWork(demo_table).decisions.newest()) == 2  # the demo's own


def test_a_decision_against_the_record_is_refused_without_a_justification_with_a_field_message(app, demo_table):
    client, headers = api(app, "E005")
    answer = client.post("/api/decisions", json=RESTRUCTURE, headers=headers)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "validation_failed" and "justification" in body["errors"]
    assert len(UnitOfWork(demo_table).decisions.newest()) == 2  # the demo's own


def test_bad_input_is_a_422_naming_the_field(app):
    client, headers = api(app, "E005")
    for body, field in [
        ({**RESTRUCTURE, "kind": "firing"}, "kind"),
        ({**RESTRUCTURE, "kind": "pay_change", "pay_direction": "sideways"}, "pay_direction"),
        ({**RESTRUCTURE, "people": []}, "people"),
        ({**RESTRUCTURE, "summary": ""}, "summary"),
    ]:
        answer = client.post("/api/decisions", json=body, headers=headers)
        assert answer.status_code == 422 and field in answer.get_json()["errors"], (body, answer.get_json())
    answer = client.post("/api/decisions", json={**RESTRUCTURE, "kind": "pay_change"}, headers=headers)
    assert answer.status_code == 422 and "pay_direction" in answer.get_json()["errors"]


def test_record_approve_communicate_and_the_employee_reads_their_part(app, demo_table):
    hr, headers = api(app, "E005")
    created = hr.post("/api/decisions", json={**RESTRUCTURE, "justification": "Vendor takes over"}, headers=headers)
    assert created.status_code == 201
    decision = created.get_json()
    assert decision["state"] == "awaiting_approval"
    assert hr.post(f"/api/decisions/{decision['decision_id']}/approve", headers=headers).status_code == 403
    listed = hr.get("/api/decisions", headers=headers).get_json()
    assert decision["decision_id"] in [d["decision_id"] for d in listed["awaiting"]]
    employee, eh = api(app, "E009")
    assert employee.get(f"/api/decisions/{decision['decision_id']}", headers=eh).status_code == 404
    # Leadership is not HR: the decision is not theirs to find, let alone approve.
    boss, bh = api(app, "E001")
    assert boss.post(f"/api/decisions/{decision['decision_id']}/approve", headers=bh).status_code == 404
    trail = hr.get(f"/api/decisions/{decision['decision_id']}/trail", headers=headers).get_json()
    assert trail["problems"] == [] and [r["action"] for r in trail["records"]] == ["record"]
    stored = UnitOfWork(demo_table).decisions.get(decision["decision_id"])
    assert stored.state.value == "awaiting_approval"


def test_leadership_counts_and_an_employee_is_refused(app):
    boss, bh = api(app, "E001")
    counts = boss.get("/api/reports/decisions", headers=bh).get_json()
    # The demo: 1 promoted and 5 restructured in Engineering; 6 − 5 would give the 1 away.
    assert counts["rows"] == [{"department": "Engineering", "counts": [None, 0, 0, 0, 0, None], "total": 6}]
    employee, eh = api(app, "E009")
    assert employee.get("/api/reports/decisions", headers=eh).status_code == 403


def test_the_operations_are_in_the_openapi_document(app):
    client, _ = api(app, "E005")
    paths = client.get("/api/openapi.json").get_json()["paths"]
    for path in (
        "/api/decisions",
        "/api/decisions/weigh",
        "/api/decisions/{decision_id}/approve",
        "/api/reports/decisions",
    ):
        assert path in paths, path
    kinds = client.get("/api/openapi.json").get_json()["components"]["schemas"]["DecisionIn"]["properties"]["kind"]
    assert kinds["enum"] == [
        "promotion",
        "pay_change",
        "role_change",
        "improvement_plan",
        "end_of_employment",
        "restructuring",
    ]
