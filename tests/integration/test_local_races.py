"""Two writers race over HTTP on the real local run: a draft, a submission, a goal and a cycle close.

Each round, two clients send the same If-Match at the same moment. Exactly one gets 200, the other 412;
the winner's write is what is stored; every audit chain verifies at the end. The suite runs a few rounds
of each (the local run answers one request at a time per thread, so a round costs tens of milliseconds);
`make races` runs 1,000 rounds of each (RACE_ROUNDS=1000).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from benchmarks.load_support import HEAD_OF_PEOPLE, PHASES, LocalServer, organisation_csv

ROUNDS = int(os.environ.get("RACE_ROUNDS", "15"))
PEOPLE = 12
EMPLOYEE = "P0008"  # a member of the first team (manager P0007)
TEMPLATE = {
    "name": "Annual review",
    "competencies": [{"id": "delivery", "name": "Delivery", "description": "Ships what matters."}],
    "scale": ["Below", "Meets", "Exceeds", "Outstanding"],
    "questions": {"self": [], "manager": [], "peer": [], "upward": []},
    "weights": {"goals": 0, "competencies": 100, "feedback": 0},
}


def self_content(note: str) -> dict[str, Any]:
    """A complete self assessment whose achievements say which writer sent it."""
    return {
        "competency_ratings": {"delivery": {"rating": 3, "comment": note}},
        "goal_results": [],
        "achievements": note,
        "answers": {},
    }


def race(send: Callable[[int], Any]) -> list[Any]:
    """Run send(0) and send(1) at once; what each got."""
    barrier, results = threading.Barrier(2), [None, None]

    def run(n: int) -> None:
        barrier.wait()
        results[n] = send(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def one_winner(results: list[Any]) -> int:
    """The writer that got 200; the other must have been refused as stale."""
    statuses = sorted(r.status for r in results)
    assert statuses == [200, 412], [(r.status, r.body) for r in results]
    return next(n for n, r in enumerate(results) if r.status == 200)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """The local run with an imported organisation and a launched cycle; (server, tokens, cycle id)."""
    work: Path = tmp_path_factory.mktemp("races")
    server = LocalServer(work / "data", work / "logs")
    server.start(reset=True)
    try:
        csv_path = work / "org.csv"
        csv_path.write_text(organisation_csv(PEOPLE), encoding="utf-8")
        imported = server.cli("import-org", str(csv_path))
        assert imported.returncode == 0, imported.stderr
        tokens = server.tokens([HEAD_OF_PEOPLE, EMPLOYEE])
        hr = tokens[HEAD_OF_PEOPLE]
        template = server.request("POST", "/api/templates", TEMPLATE, token=hr)
        assert template.status == 201, template.body
        cycle_body = {
            "name": "Race cycle",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "template_id": template.body["template_id"],
            "phases": PHASES,
            "participant_mode": "everyone",
        }
        cycle = server.request("POST", "/api/cycles", cycle_body, token=hr)
        assert cycle.status == 201, cycle.body
        launched = server.request("POST", f"/api/cycles/{cycle.body['cycle_id']}/launch", token=hr, if_match=1)
        assert launched.status == 202, launched.body
        yield server, tokens, cycle.body["cycle_id"]
    finally:
        code, seconds = server.stop()
        assert code == 0 and seconds < 10


def _review(server: LocalServer, token: str, cycle_id: str) -> Any:
    return server.request("GET", f"/api/cycles/{cycle_id}/reviews/{EMPLOYEE}", token=token)


def _chain_verifies(server: LocalServer, hr: str, cycle_id: str) -> None:
    audit = server.request("GET", f"/api/cycles/{cycle_id}/audit", token=hr, timeout=300)
    assert audit.status == 200 and audit.body["verified"] is True, audit.body.get("problems")


def test_draft_saves_race_over_http_with_one_winner(world):
    server, tokens, cycle_id = world
    me = tokens[EMPLOYEE]
    url = f"/api/cycles/{cycle_id}/reviews/{EMPLOYEE}/self"
    for n in range(ROUNDS):
        version = _review(server, me, cycle_id).etag
        notes = [f"draft {n} A", f"draft {n} B"]
        results = race(
            lambda w, v=version, t=notes: server.request(
                "PUT", url, {"content": self_content(t[w]), "submit": False}, token=me, if_match=v
            )
        )
        won = one_winner(results)
        stored = _review(server, me, cycle_id)
        assert stored.etag == version + 1 and stored.body["self_assessment"]["achievements"] == notes[won]
    _chain_verifies(server, tokens[HEAD_OF_PEOPLE], cycle_id)


def test_submissions_race_over_http_with_one_winner(world):
    server, tokens, cycle_id = world
    me, hr = tokens[EMPLOYEE], tokens[HEAD_OF_PEOPLE]
    base = f"/api/cycles/{cycle_id}/reviews/{EMPLOYEE}"
    for n in range(ROUNDS):
        version = _review(server, me, cycle_id).etag
        notes = [f"submission {n} A", f"submission {n} B"]
        results = race(
            lambda w, v=version, t=notes: server.request(
                "PUT", base + "/self", {"content": self_content(t[w]), "submit": True}, token=me, if_match=v
            )
        )
        won = one_winner(results)
        stored = _review(server, me, cycle_id)
        assert stored.body["state"] == "self_submitted" and stored.body["self_assessment"]["achievements"] == notes[won]
        back = server.request(
            "POST", base + "/return", {"to_state": "not_started", "reason": "again"}, token=hr, if_match=stored.etag
        )
        assert back.status == 200, back.body
    _chain_verifies(server, hr, cycle_id)


def test_goal_updates_race_over_http_with_one_winner(world):
    server, tokens, cycle_id = world
    me = tokens[EMPLOYEE]
    kr = {"id": "k1", "title": "done", "start": 0, "target": 1000, "current": 0, "unit": ""}
    goal = server.request(
        "POST",
        "/api/goals",
        {"level": "individual", "title": "Importer", "weight": 100, "cycle_id": cycle_id, "key_results": [kr]},
        token=me,
    )
    assert goal.status == 201, goal.body
    url = f"/api/goals/{goal.body['goal_id']}"
    for n in range(ROUNDS):
        version = server.request("GET", url, token=me).etag
        values = [1 + (2 * n) % 998, 2 + (2 * n) % 998]
        results = race(
            lambda w, v=version, c=values: server.request(
                "PATCH", url, {"key_results": [{**kr, "current": c[w]}]}, token=me, if_match=v
            )
        )
        won = one_winner(results)
        stored = server.request("GET", url, token=me)
        assert stored.etag == version + 1 and stored.body["key_results"][0]["current"] == values[won]


def test_cycle_closes_race_over_http_with_one_winner(world):
    server, tokens, cycle_id = world
    hr = tokens[HEAD_OF_PEOPLE]
    url = f"/api/cycles/{cycle_id}"
    for _ in range(ROUNDS):
        version = server.request("GET", url, token=hr).etag
        one_winner(race(lambda w, v=version: server.request("POST", url + "/close", token=hr, if_match=v)))
        closed = server.request("GET", url, token=hr)
        assert closed.body["state"] == "closed" and closed.etag == version + 1
        reopened = server.request("POST", url + "/reopen", {"reason": "race"}, token=hr, if_match=closed.etag)
        assert reopened.status == 200, reopened.body
    _chain_verifies(server, hr, cycle_id)
