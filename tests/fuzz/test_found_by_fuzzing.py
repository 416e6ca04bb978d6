"""What stateful fuzzing (test_stateful_api.py, and probes at its edges on moto) found, replayed as short journeys.

Each test drives a fresh organisation through `ApiMachine`, so every response on the way is checked against
the OpenAPI document exactly as in the fuzzing run (a 5xx or an off-schema answer fails the test).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.fuzz import test_stateful_api as fuzz
from tests.fuzz.conftest import example_tables
from tests.fuzz.contract import FIGURES, Figures

pytestmark = pytest.mark.fuzz

TEMPLATE = {
    "name": "Annual",
    "competencies": [{"id": "delivery", "name": "Delivery", "description": "Ships."}],
    "scale": ["Low", "High"],
    "questions": {"self": [], "manager": [], "peer": [], "upward": []},
    "weights": {"goals": 0, "competencies": 100, "feedback": 0},
}
CYCLE = {
    "name": "2026",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "phases": {
        "goal_setting": "2026-03-01",
        "self_assessment": "2026-03-10",
        "feedback": "2026-03-20",
        "manager_assessment": "2026-03-31",
        "discussion": "2026-04-15",
    },
}
REVIEW = "/api/cycles/{cycle_id}/reviews/{employee_id}"


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh organisation with a launched cycle, driven through the fuzzer's checked `call` (moto if asked)."""
    with example_tables(getattr(request, "param", "memory")) as new_table:
        fuzz.TABLES["new"] = new_table
        fuzz.ApiMachine.figures = Figures()  # these journeys do not count in the fuzzing run's figures
        machine = fuzz.ApiMachine()
        status, template, _ = machine.call("POST /api/templates", "H1", body=TEMPLATE)
        assert status == 201, template
        status, cycle, _ = machine.call(
            "POST /api/cycles", "H1", body={**CYCLE, "template_id": template["template_id"]}
        )
        assert status == 201, cycle
        params = {"cycle_id": cycle["cycle_id"]}
        status, _, _ = machine.call("POST /api/cycles/{cycle_id}/launch", "H1", params, version=cycle["version"])
        assert status == 202
        machine.cycle_id = cycle["cycle_id"]
        yield machine
        machine.teardown()
        fuzz.ApiMachine.figures = FIGURES


def _review_write(api: Any, label: str, who: str, employee: str, body: Any) -> tuple[int, Any]:
    params = {"cycle_id": api.cycle_id, "employee_id": employee}
    tag = api.etag("GET " + REVIEW, params)
    status, data, _ = api.call(label, who, params, body, version=tag)
    return status, data


def _self(fmt: str = "course", cost: float | None = None) -> dict[str, Any]:
    need = {"topic": "Kubernetes", "priority": "high", "format": fmt, "estimated_cost": cost}
    return {
        "content": {
            "competency_ratings": {"delivery": {"rating": 2}},
            "achievements": "Shipped.",
            "training_needs": [need],
        },
        "submit": True,
    }


def test_an_export_asked_again_with_its_idempotency_key_answers_200_as_documented(api):
    """Found: the replay of POST /api/exports answered 200, which the document did not list (only 201)."""
    body, key = {"cycle_id": api.cycle_id}, {"Idempotency-Key": "same-key"}
    first, job, _ = api.call("POST /api/exports", "H1", body=body, headers=key)
    again, replay, headers = api.call("POST /api/exports", "H1", body=body, headers=key)  # checked against the doc
    assert (first, again) == (201, 200)
    assert replay["export_id"] == job["export_id"] and headers["Idempotent-Replayed"] == "true"


@pytest.mark.parametrize("api", ["memory", "moto"], indirect=True)
def test_a_training_need_costs_at_most_ten_million_so_the_figures_stay_readable(api):
    """Found on moto, at the edges of DynamoDB numbers: costs of 9.99e125 were stored, their cents summed past
    what a DynamoDB number holds, and the training report answered 500 (DynamoDB itself refuses such a
    counter write, so the submission would answer 500). The in-memory table does not check that range."""
    label = "PUT " + REVIEW + "/self"
    status, refused = _review_write(api, label, "E1", "E1", _self(cost=10_000_000.01))
    assert status == 422 and "training_needs" in refused["errors"]["content"], refused
    _, review, _ = api.call("GET " + REVIEW, "E1", {"cycle_id": api.cycle_id, "employee_id": "E1"})
    assert review["state"] == "not_started"  # nothing changed
    for who in ("E1", "E2"):
        body = _self(cost=10_000_000)
        body["content"]["training_needs"].append({"topic": "SQL", "estimated_cost": 10_000_000})
        assert _review_write(api, label, who, who, body)[0] == 200
    status, report, _ = api.call("GET /api/cycles/{cycle_id}/training-report", "H1", {"cycle_id": api.cycle_id})
    assert status == 200, report


@pytest.mark.parametrize(
    "fmt", ["coaching", "degree_programme", "professional_association", "networking", "self_study"]
)
def test_a_self_assessment_suggesting_any_offered_format_is_submitted(api, fmt):
    """A self assessment whose training need suggests a format the form offers is submitted, or refused with a
    422 that names the field: never a 500."""
    status, review = _review_write(api, "PUT " + REVIEW + "/self", "E1", "E1", _self(fmt))
    assert status in (200, 422), review
    if status == 200:
        assert review["state"] == "self_submitted"
    else:
        assert "training_needs" in review["errors"]["content"], review


def test_the_rating_report_of_a_cycle_not_launched_is_a_documented_409(api):
    """Found (issue 23): the rating report of a draft cycle answered 409, which the document did not list."""
    _, cycle, _ = api.call("GET /api/cycles/{cycle_id}", "H1", {"cycle_id": api.cycle_id})
    status, draft, _ = api.call("POST /api/cycles", "H1", body={**CYCLE, "template_id": cycle["template_id"]})
    assert status == 201, draft
    status, refused, _ = api.call("GET /api/cycles/{cycle_id}/rating-report", "H1", {"cycle_id": draft["cycle_id"]})
    assert status == 409 and "not been launched" in refused["message"], refused


def test_a_manager_submission_over_goals_weighing_nothing_is_answered_not_a_500(api):
    """Found: the owner's kept weight total of goals weighing 0 has no weight (a zero change is not written), and
    the manager's submission that scored the goals part from it answered 500 (here before any self assessment:
    one refuses goal weights that do not add up to 100)."""
    goal = {"level": "individual", "title": "Tidy up", "cycle_id": api.cycle_id, "weight": 0}
    status, created, _ = api.call("POST /api/goals", "E1", body=goal)
    assert status == 201, created
    content = {
        "competency_ratings": {"delivery": {"rating": 2}},
        "strengths": "Ownership.",
        "areas_to_strengthen": "Delegation.",
        "narrative": "Steady.",
    }
    status, review = _review_write(api, "PUT " + REVIEW + "/manager", "M1", "E1", {"content": content, "submit": True})
    assert status == 409 and "not started" in review["message"], review  # refused as for any such review
