"""Decisions over the demo organisation (in-memory table): the JSON API (weigh, record, approve, communicate, read,
verify, leadership's counts, the OpenAPI document) and the pages without JavaScript."""

from __future__ import annotations

import re

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.decisions import DecisionState
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
    assert len(UnitOfWork(demo_table).decisions.newest()) == 3  # the demo's own


def test_a_decision_against_the_record_is_refused_without_a_justification_with_a_field_message(app, demo_table):
    client, headers = api(app, "E005")
    answer = client.post("/api/decisions", json=RESTRUCTURE, headers=headers)
    assert answer.status_code == 422
    body = answer.get_json()
    assert body["code"] == "validation_failed" and "justification" in body["errors"]
    assert len(UnitOfWork(demo_table).decisions.newest()) == 3  # the demo's own


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
    # The demo: 6 given a pay rise in a quarter that has ended; this quarter's promotion of 1 waits for its end.
    (ended,) = counts["periods"]
    assert (ended["period"], ended["label"], ended["live"]) == ("2025-Q4", "October to December 2025", False)
    assert ended["rows"] == [{"department": "Sales", "counts": [0, 6, 0, 0, 0, 0], "total": 6}]
    assert (counts["live"], counts["held_since"], counts["shown_from"]) == (False, "2026-01-01", "2026-04-01")
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


# --- the pages ------------------------------------------------------------------------------------------------


def signed_in(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth


def post(client, auth, path: str, data: dict | None = None):
    """A form sent from the signed-in browser (with its CSRF token)."""
    return client.post(path, data={**(data or {}), "csrf_token": auth.csrf})


def test_the_form_shows_the_evidence_before_saving_and_saves_only_with_a_justification(app, demo_table):
    client, auth = signed_in(app, "E005")
    page = client.get("/decisions/new").get_data(as_text=True)
    assert "Show the evidence" in page and "Save decision" not in page
    fields = {"kind": "restructuring", "people": TEAM, "summary": "Platform team dissolved", "step": "save"}
    weighed = post(client, auth, "/decisions/new", {**fields, "step": "weigh"})
    text = weighed.get_data(as_text=True)
    assert weighed.status_code == 200
    assert "5 of 5 people affected were rated at or above expectations" in text
    assert text.count("Goes against the record:") == 10  # two checks for each of five people
    assert "Kubernetes operations" in text and "I think ownership deserved a 4" in text
    refused = post(client, auth, "/decisions/new", fields)
    assert refused.status_code == 422 and "write why it is justified" in refused.get_data(as_text=True)
    assert len(UnitOfWork(demo_table).decisions.newest()) == 3  # the demo's own
    shown_hash = re.search(r'name="evidence_hash" value="([0-9a-f]{64})"', text).group(1)
    stale = post(client, auth, "/decisions/new", {**fields, "justification": "Vendor", "evidence_hash": "0" * 64})
    assert stale.status_code == 409 and "the record changed since the evidence was shown" in stale.get_data(
        as_text=True
    )
    saved = post(
        client,
        auth,
        "/decisions/new",
        {**fields, "justification": "A vendor runs the platform now.", "evidence_hash": shown_hash},
    )
    assert saved.status_code == 302
    decision = UnitOfWork(demo_table).decisions.newest()[0]
    assert decision.state is DecisionState.AWAITING_APPROVAL and len(decision.evidence) == 5
    shown = client.get(saved.headers["Location"]).get_data(as_text=True)
    assert "Awaiting HR approval" in shown and "The evidence verifies" in shown
    assert "Recorded by Ingrid Johansson" in shown.split("Audit trail")[1]  # the audit trail
    assert ">Approve<" not in shown  # the recorder cannot approve their own
    listing = client.get("/decisions").get_data(as_text=True)
    assert "Waiting for a second HR approval" in listing and "Platform team dissolved" in listing


def test_bad_form_input_is_redisplayed_with_messages_and_saves_nothing(app, demo_table):
    client, auth = signed_in(app, "E005")
    answer = post(client, auth, "/decisions/new", {"kind": "firing", "people": TEAM, "step": "weigh"})
    assert answer.status_code == 422 and 'aria-invalid="true"' in answer.get_data(as_text=True)
    answer = post(client, auth, "/decisions/new", {"kind": "promotion", "step": "weigh"})
    assert answer.status_code == 422
    assert len(UnitOfWork(demo_table).decisions.newest()) == 3  # the demo's own


def test_a_manager_outside_their_area_is_refused_on_the_form(app, demo_table):
    client, auth = signed_in(app, "E007")  # manages the platform team, not E014
    page = client.get("/decisions/new").get_data(as_text=True)
    assert 'value="E008"' in page and 'value="E014"' not in page
    answer = post(client, auth, "/decisions/new", {"kind": "promotion", "people": ["E014"], "step": "weigh"})
    assert answer.status_code == 403 and "not someone you may decide about" in answer.get_data(as_text=True)


def test_deciding_about_someone_outside_ones_area_or_oneself_is_403_and_records_nothing(app, demo_table):
    client, headers = api(app, "E007")  # manages the platform team, not E014
    body = {"kind": "promotion", "summary": "Promoted", "people": ["E008", "E014"]}
    answer = client.post("/api/decisions", json=body, headers=headers)
    assert answer.status_code == 403 and answer.get_json()["code"] == "forbidden"
    assert "not someone you may decide about" in answer.get_json()["message"]
    mine = client.post("/api/decisions/weigh", json={"kind": "promotion", "people": ["E007"]}, headers=headers)
    assert mine.status_code == 403
    assert len(UnitOfWork(demo_table).decisions.newest()) == 3  # the demo's own


def test_the_decision_form_is_for_hr_and_managers(app):
    client, _ = api(app, "E008")  # an engineer, nobody's manager
    assert client.get("/decisions/new").status_code == 403


def test_second_hr_approves_then_communicated_the_employee_reads_their_own_evidence(app, demo_table, clock):
    from service.services import decisions as svc
    from tests import factories as f

    data = {"kind": "restructuring", "summary": "Platform team dissolved", "people": TEAM, "justification": "Vendor"}
    decision = svc.record_decision(UnitOfWork(demo_table), f.principal(demo_table, "E005"), data, clock)
    employee, _ = signed_in(app, "E009")
    assert employee.get(f"/decisions/{decision.decision_id}").status_code == 404
    hr, ha = signed_in(app, "E005")
    assert post(hr, ha, f"/decisions/{decision.decision_id}/communicate").status_code == 302
    assert UnitOfWork(demo_table).decisions.get(decision.decision_id).state is DecisionState.AWAITING_APPROVAL
    svc.approve(UnitOfWork(demo_table), svc_principal_hr(demo_table), decision.decision_id, clock)
    assert post(hr, ha, f"/decisions/{decision.decision_id}/communicate").status_code == 302
    page = employee.get(f"/decisions/{decision.decision_id}").get_data(as_text=True)
    assert "Kwame Mensah" in page and "Mei Chen" not in page
    assert "Decisions about you" in employee.get("/decisions").get_data(as_text=True)


def svc_principal_hr(table):
    from service.domain.directory import Role
    from service.services.auth import Principal
    from service.services.directory import get_person

    return Principal.of(get_person(UnitOfWork(table), "E002"), frozenset({Role.HR}))


def test_leadership_sees_counts_in_the_reports_menu_and_an_employee_does_not(app, demo_table, clock):
    from service.services import decisions as svc
    from tests import factories as f

    data = {"kind": "promotion", "summary": "Leads", "people": ["E015", "E016", "E017", "E018", "E019"]}
    promoted = svc.record_decision(UnitOfWork(demo_table), f.principal(demo_table, "E005"), data, clock)
    svc.communicate(UnitOfWork(demo_table), f.principal(demo_table, "E005"), promoted.decision_id, clock)
    boss, _ = signed_in(app, "E001")
    assert 'href="/reports/decisions"' in boss.get("/").get_data(as_text=True)
    page = boss.get("/reports/decisions").get_data(as_text=True)
    assert re.search(r'<th scope="row">Sales</th><td>0</td><td>6</td>(<td>0</td>){4}<td>6</td>', page)
    assert "Engineering" not in page  # promoted this quarter: shown once the quarter has ended
    assert "those communicated since 1 Jan 2026 appear from 1 Apr 2026" in page
    employee, _ = signed_in(app, "E009")
    assert employee.get("/reports/decisions").status_code == 403


def test_a_flagged_decision_is_a_task_on_the_home_of_another_hr_person_until_approved(app, demo_table):
    from service.adapters import keys

    second = demo_table.get(keys.employee("E002"))
    demo_table.load([{**second, "roles": ["employee", "hr"]}])  # a second person with the HR role
    task = "Approve or leave waiting: The platform team is dissolved"
    recorder, _ = signed_in(app, "E005")
    assert task not in recorder.get("/").get_data(as_text=True)  # the recorder cannot approve their own
    hr, auth = signed_in(app, "E002")
    home = hr.get("/").get_data(as_text=True)
    assert task in home
    link = re.search(r'href="(/decisions/[^"]+)"[^>]*>\s*Approve or leave waiting', home).group(1)
    assert post(hr, auth, f"{link}/approve").status_code == 302
    assert task not in hr.get("/").get_data(as_text=True)
