"""DynamoDB requests per page and per write, counted through botocore events on moto.

`measure_requests()` builds an organisation (a manager with 12 reports, HR, a CEO) in a moto-backed
table, launches a cycle through the JSON API as HR, then drives each measured operation through the
Flask test client of `create_app` and counts the DynamoDB API calls that one HTTP request makes
(signing in and the set-up steps are not counted). A Scan raises at once.

Targets (issue 8): a page read makes at most 3 requests, a write at most 2, and no request is a Scan.
The benchmark `requests` (benchmarks/run.py) prints the table; tests/integration/test_request_counts.py
pins the counts.

This module is not called `requests.py`: `python benchmarks/run.py` puts benchmarks/ first on sys.path,
where that name would shadow the HTTP library moto imports.
"""

from __future__ import annotations

import os
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

KINDS = ("GetItem", "BatchGetItem", "Query", "TransactWriteItems")
TARGETS = {"read": 3, "write": 2}
TABLE = "reviews-requests"
REGION = "eu-west-1"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
REPORTS = [f"E{n}" for n in range(4, 16)]  # the manager E3's 12 direct reports

ORG_CSV = "\n".join(
    [
        "employee_id,name,email,title,department,manager_id,roles",
        "E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership",
        "E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr",
        "E3,Alan Turing,alan@example.com,Engineering Manager,Engineering,E1,",
        *(f"{e},Report {e},{e.lower()}@example.com,Engineer,Engineering,E3," for e in REPORTS),
    ]
)

TEMPLATE = {
    "name": "Annual review",
    "competencies": [
        {"id": "delivery", "name": "Delivery", "description": "Ships what matters, on time."},
        {"id": "collaboration", "name": "Collaboration", "description": "Makes the team better."},
    ],
    "scale": ["Below", "Meets", "Exceeds", "Outstanding"],
    "questions": {
        "self": [{"id": "proud", "text": "What are you proud of?", "required": True}],
        "manager": [],
        "peer": [],
        "upward": [],
    },
    "weights": {"goals": 40, "competencies": 40, "feedback": 20},
}

CYCLE = {
    "name": "2026 annual review",
    "period_start": "2026-01-01",
    "period_end": "2026-12-31",
    "phases": {
        "goal_setting": "2026-03-01",
        "self_assessment": "2026-03-10",
        "feedback": "2026-03-20",
        "manager_assessment": "2026-03-31",
        "discussion": "2026-04-15",
    },
    "participant_mode": "everyone",
}

SELF = {
    "competency_ratings": {"delivery": {"rating": 3, "comment": "Shipped"}, "collaboration": {"rating": 2}},
    "goal_results": [{"title": "Launch importer", "result": "Launched in March", "rating": 3}],
    "achievements": "Led the directory import.",
    "answers": {"proud": "The importer."},
}

MANAGER = {
    "competency_ratings": {"delivery": {"rating": 4, "comment": "Excellent"}, "collaboration": {"rating": 3}},
    "goal_ratings": [{"title": "Launch importer", "rating": 4, "comment": "Done well"}],
    "strengths": "Ownership.",
    "areas_to_strengthen": "Delegation.",
    "narrative": "A strong year.",
}


class ScanInRequestPath(AssertionError):
    """A Scan happened where only Query and GetItem are allowed."""


@dataclass
class Recorder:
    """Counts DynamoDB calls by operation and keeps a one-line trace of each (what it read or wrote)."""

    calls: Counter[str] = field(default_factory=Counter)
    trace: list[str] = field(default_factory=list)

    def reset(self) -> None:
        """Start counting again."""
        self.calls = Counter()
        self.trace = []

    def before(self, event_name: str, params: dict[str, Any], **_: object) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        if operation == "Scan":
            raise ScanInRequestPath("DynamoDB Scan is not allowed in a request path")
        self.calls[operation] += 1
        self.trace.append(f"{operation} {describe(operation, params)}".strip())


def _s(value: dict[str, Any]) -> str:
    return next(iter(value.values())) if isinstance(value, dict) else str(value)


def describe(operation: str, params: dict[str, Any]) -> str:
    """What one call asks for, in a few words (keys, index, sizes)."""
    if operation == "GetItem":
        key = params["Key"]
        return f"{_s(key['pk'])} / {_s(key['sk'])}"
    if operation == "Query":
        values = " ".join(_s(v) for v in (params.get("ExpressionAttributeValues") or {}).values())
        index = params.get("IndexName")
        return f"{'[' + index + '] ' if index else ''}{values}"
    if operation == "BatchGetItem":
        keys = [k for request in params["RequestItems"].values() for k in request["Keys"]]
        sks = sorted({_s(k["sk"]).split("#")[0] for k in keys})
        return f"{len(keys)} keys ({', '.join(sks)})"
    if operation == "TransactWriteItems":
        return f"{len(params['TransactItems'])} items"
    return ""


@dataclass
class Measured:
    """One operation's DynamoDB requests."""

    operation: str
    kind: str  # "read" or "write"
    status: int
    calls: dict[str, int]
    trace: list[str]

    @property
    def total(self) -> int:
        """Requests of every kind."""
        return sum(self.calls.values())

    @property
    def target(self) -> int:
        """The most requests this kind of operation should make."""
        return TARGETS[self.kind]

    @property
    def met(self) -> bool:
        """At or under target, and no Scan (a Scan raises before it is counted)."""
        return self.total <= self.target

    def by_kind(self) -> dict[str, int]:
        """Counts of the four request kinds (zero included), then any other kind seen."""
        return {k: self.calls.get(k, 0) for k in KINDS} | {k: v for k, v in self.calls.items() if k not in KINDS}


class _Person:
    """One signed-in browser: its own test client and CSRF token."""

    def __init__(self, app: Any, employee_id: str) -> None:
        self.client = app.test_client()
        page = self.client.get("/signin")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
        resp = self.client.post("/signin", data={"csrf_token": self.csrf, "employee_id": employee_id})
        assert resp.status_code == 302, resp.data

    def json(self, method: str, url: str, body: Any = None, version: int | None = None) -> Any:
        headers = {"X-CSRF-Token": self.csrf}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return self.client.open(url, method=method, json=body, headers=headers)


def _ok(resp: Any, status: int = 200) -> Any:
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:500])
    return resp


def _goals(people: dict[str, _Person], cycle_id: str) -> None:
    """An organisation goal, the manager's team goal aligned to it, and 3 goals each for E4 and E7 (weights 100):
    two aligned to the team goal, one standing alone, as a review usually has."""

    def create(who: str, body: dict[str, Any]) -> str:
        return _ok(people[who].json("POST", "/api/goals", body), 201).get_json()["goal_id"]

    org = create("E1", {"level": "organisation", "title": "Grow the business"})
    team = create("E3", {"level": "team", "title": "Ship the importer", "cycle_id": cycle_id, "parent_id": org})
    for owner in ("E4", "E7"):
        for n, (weight, parent) in enumerate(((40, team), (30, team), (30, None))):
            kr = [{"id": "k", "title": "measure", "start": 0, "target": 10, "current": 3 + n}]
            body = {"level": "individual", "title": f"Goal {n}", "cycle_id": cycle_id, "weight": weight}
            create(owner, body | {"parent_id": parent, "key_results": kr})


def measure_requests() -> list[Measured]:
    """Every measured operation, in order, with the DynamoDB requests its one HTTP request made."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": REGION,
    }.items():
        os.environ.setdefault(name, value)
    from moto import mock_aws

    from service.adapters.aws import client
    from service.adapters.clock import FixedClock
    from service.adapters.dynamo import DynamoTable
    from service.adapters.table_setup import create_table
    from service.adapters.unit_of_work import UnitOfWork
    from service.config import Settings
    from service.services.directory import import_organisation
    from service.web import create_app

    with mock_aws():
        settings = Settings(table_name=TABLE, region=REGION, secret_key="benchmark-secret-key-" + "r" * 20)
        c = client("dynamodb", settings)
        create_table(c, TABLE)
        table, clock = DynamoTable(c, TABLE), FixedClock(NOW)
        import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
        app = create_app(settings, table=table, clock=clock)
        app.config["TESTING"] = True
        recorder = Recorder()
        c.meta.events.register("before-parameter-build.dynamodb.*", recorder.before)

        people = {e: _Person(app, e) for e in ("E1", "E2", "E3", "E4", "E5", "E6", "E7")}
        hr, manager = people["E2"], people["E3"]
        template = _ok(hr.json("POST", "/api/templates", TEMPLATE), 201).get_json()
        cycle = _ok(hr.json("POST", "/api/cycles", CYCLE | {"template_id": template["template_id"]}), 201).get_json()
        cycle_id = cycle["cycle_id"]
        _ok(hr.json("POST", f"/api/cycles/{cycle_id}/launch", version=cycle["version"]), 202)

        _goals(people, cycle_id)

        def review(employee_id: str, part: str = "") -> str:
            return f"/api/cycles/{cycle_id}/reviews/{employee_id}" + (f"/{part}" if part else "")

        def version(employee_id: str) -> int:
            return int(_ok(people["E2"].json("GET", review(employee_id))).headers["ETag"].strip('"'))

        # The manager opens a review the employee has submitted: the moment they read it to assess.
        _ok(people["E4"].json("PUT", review("E4", "self"), {"content": SELF, "submit": True}, version("E4")))

        results: list[Measured] = []

        def measure(operation: str, kind: str, send: Any, status: int = 200) -> Any:
            recorder.reset()
            resp = send()
            _ok(resp, status)
            results.append(Measured(operation, kind, resp.status_code, dict(recorder.calls), list(recorder.trace)))
            return resp

        page = f"/cycles/{cycle_id}/reviews"
        measure("open a review: page (manager)", "read", lambda: manager.client.get(f"{page}/E4"))
        measure("open a review: JSON GET (manager)", "read", lambda: manager.json("GET", review("E4")))
        measure("team overview, 12 reports: page", "read", lambda: manager.client.get(f"/cycles/{cycle_id}/team"))
        measure("team overview, 12 reports: JSON", "read", lambda: manager.json("GET", f"/api/cycles/{cycle_id}/team"))
        measure("HR cycle dashboard: page", "read", lambda: hr.client.get(f"/hr/cycles/{cycle_id}"))
        measure("HR exports page", "read", lambda: hr.client.get("/hr/exports"))
        v5, v6, v7 = version("E5"), version("E6"), version("E7")
        draft = {"content": SELF | {"achievements": "Half written"}, "submit": False}
        measure("save self draft: JSON PUT", "write", lambda: people["E5"].json("PUT", review("E5", "self"), draft, v5))
        form = {"achievements": "Half written", "version": str(v6), "action": "save"}
        measure(
            "save self draft: form POST",
            "write",
            lambda: people["E6"].client.post(f"{page}/E6/self", data=form | {"csrf_token": people["E6"].csrf}),
            302,
        )
        submitted = measure(
            "submit self assessment: JSON PUT",
            "write",
            lambda: people["E7"].json("PUT", review("E7", "self"), {"content": SELF, "submit": True}, v7),
        )
        v7 = int(submitted.headers["ETag"].strip('"'))
        measure(
            "submit manager assessment: JSON PUT",
            "write",
            lambda: manager.json("PUT", review("E7", "manager"), {"content": MANAGER, "submit": True}, v7),
        )
        c.meta.events.unregister("before-parameter-build.dynamodb.*", recorder.before)
        return results


# Why an operation misses its target: the reads its code path makes and what would remove them.
# Written from reading the code path (service/web/*, service/services/reviews.py, cycles.py) against the
# traces `python benchmarks/run.py requests` prints; keyed by operation.
_REVIEW_READS = (
    "BatchGetItem of the signed-in person, CYCLE, REVIEW#E4 and EMP#E4 (the blueprint prefetches them into the "
    "unit of work, which then serves every later read of them); review_view adds the person's goals: Query gsi2 "
    "GOALS#E4, one BatchGetItem of their roll-ups, one BatchGetItem per level of the alignment chain above them "
    "(team goal, organisation goal: 2 here), and Query gsi1 PERSON#E4 ACTION# for the actions carried from "
    "earlier cycles. "
)
_REVIEW_FIX = (
    "Not met because goals and carried actions live in partitions of their own (an owner's goals on gsi2, a "
    "person's history on gsi1). To reach 3: keep each goal's alignment chain (ids and titles) on the goal when it "
    "is written, so the roll-ups are the only batch after the goals Query (-2), and read the carried actions with "
    "the review from the PERSON# partition, or keep their summary on the review (-1)."
)
_FEEDBACK_READ = (
    "The page also shows the peer and upward feedback groups: one Query of FBGROUP#cycle#E4 (both groups; the "
    "cycle's feedback settings ride in the first BatchGetItem). "
)
_NOMINATIONS_READ = (
    "The page also says what waits for the manager's decision (issue 25): one Query of FBREQ#cycle#E4, the "
    "person's feedback requests (peer nominations to approve). "
)
WHY: dict[str, str] = {
    "open a review: page (manager)": _REVIEW_READS + _FEEDBACK_READ + _NOMINATIONS_READ + _REVIEW_FIX,
    "team overview, 12 reports: page": (
        "BatchGetItem (principal, CYCLE, feedback SETTINGS, STATS), Query gsi1 MGR#E3 and one BatchGetItem of "
        "the 12 reviews (the overview), then what waits for the manager's decision (issue 25): one BatchGetItem of "
        "the 12 close marks with the 12 counts of peer nominations waiting (FBREQ#cycle#E / WAITING, moved by every "
        "nomination change in its transaction) and the cycle's mark that its counts are complete (written at "
        "launch); the reports as people come from the one Query (read once per unit of work); none of this after "
        "the nomination deadline. Not met by one: the close marks and counts could ride in the reviews' batch."
    ),
    "open a review: JSON GET (manager)": _REVIEW_READS + _REVIEW_FIX,
    "submit self assessment: JSON PUT": (
        "BatchGetItem (principal, CYCLE, REVIEW#E7, EMP#E7), Query gsi2 GOALS#E7 (the submission checks that the "
        "goal weights add up to 100), TransactWriteItems. Not met by one: keeping the person's goal weight total "
        "on an item written with the goals would put it in the first BatchGetItem."
    ),
    "submit manager assessment: JSON PUT": (
        "BatchGetItem (principal, CYCLE, REVIEW#E7, EMP#E7), Query GOALS#E7 and one BatchGetItem of their roll-ups "
        "(the score needs the goals' progress), Query FBGROUP#cycle#E7 (the score's feedback part: the answers of "
        "the groups that are shown), BatchGetItem of the 20 ACTION# slots (a resubmission keeps an "
        "action's status only while it describes the same thing, so the earlier actions are read), "
        "TransactWriteItems. Not met: meeting 2 means keeping the person's goal progress on one item read in the "
        "first batch, and the count of actions staged on the review so that slots are read only when they exist."
    ),
}


def rows(results: list[Measured]) -> list[dict[str, Any]]:
    """The table: operation, requests by kind, total, target, met?, and why when not met."""
    table = []
    for m in results:
        row: dict[str, Any] = {"operation": m.operation, **m.by_kind()}
        row |= {"total": m.total, "target": m.target, "met": m.met, "why": "" if m.met else WHY.get(m.operation, "")}
        table.append(row)
    return table
