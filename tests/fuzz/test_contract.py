"""The checker the stateful fuzzer applies to every response refuses what the OpenAPI document does not allow."""

from __future__ import annotations

import json

import pytest

from tests.fuzz.test_stateful_api import CONTRACT

pytestmark = pytest.mark.fuzz

CYCLE = "GET /api/cycles/{cycle_id}"
ERROR = {"code": "not_found", "status": 404, "message": "No such cycle.", "errors": {}}


def _problems(label: str, status: int, body: object, mimetype: str = "application/json") -> list[str]:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return CONTRACT.problems(label, status, mimetype, raw)


def test_a_documented_answer_passes():
    assert _problems(CYCLE, 404, ERROR) == []
    assert _problems("GET /api/me", 200, {"employee_id": "E1", "name": "Eve", "roles": []}) == []


@pytest.mark.parametrize(
    ("status", "body", "mimetype", "says"),
    [
        (500, ERROR | {"status": 500}, "application/json", "not documented"),
        (404, {k: v for k, v in ERROR.items() if k != "errors"}, "application/json", "one error shape"),
        (404, ERROR | {"status": 400}, "application/json", "one error shape"),
        (404, ERROR | {"trace": "..."}, "application/json", "off schema"),
        (404, b"<h1>Not found</h1>", "text/html", "as 'text/html'"),
        (200, b'{"cycle_id": "c", "version": Infinity}', "application/json", "not JSON"),
        (200, {"cycle_id": 5}, "application/json", "off schema"),
    ],
)
def test_an_answer_the_document_does_not_allow_is_a_problem(status, body, mimetype, says):
    problems = _problems(CYCLE, status, body, mimetype)
    assert any(says in p for p in problems), problems


def test_choices_are_read_from_the_document():
    assert "course" in CONTRACT.enum("SelfContent", "training_needs", "format")
    assert CONTRACT.enum("Return", "to_state")[0] == "not_started"
    with pytest.raises(KeyError):
        CONTRACT.enum("SelfContent", "achievements")
