"""Stateful fuzzing (issue 22): a hypothesis state machine drives every workflow through its states over HTTP.

Each example is a fresh organisation (tests/fuzz/conftest.py's, imported as the CLI does) on a fresh table
(in memory; moto with FUZZ_TABLE=moto) behind a fresh app; everything after that goes through the JSON API
as the people of that organisation (employees, managers, HR, leadership): templates and cycles (draft,
edit, launch, close, reopen), reviews from not started to finalised and HR's returns, feedback (settings,
nominations, decisions, upward requests, drafts, answers, declines, notes), goals (create, align, key results,
progress, team assignment), actions, training needs and topics, learning activities and evidence, interviews,
exports, and every read. Ids come back from the API into bundles; payloads mix valid values (every choice
the OpenAPI document offers, read from the document) with hostile ones (schemathesis' negative
generation, and valid payloads with one field broken).

After every request: no 5xx, a documented status, the documented content type and body (errors in the one
shape), and a review or cycle the API reports is stored in that state. The figures (operations, (workflow,
state) pairs, requests, 5xx) are printed at the end of the session. Knobs: FUZZ_STATEFUL_EXAMPLES and
FUZZ_STATEFUL_STEPS (size), FUZZ_TABLE=moto, FUZZ_RANDOM=1 (new journeys each run), FUZZ_PDF=1 (WeasyPrint
renders the PDFs), FUZZ_COLLECT=1 (record every finding and go on), FUZZ_SHRINK=1; `make fuzz` sets them.

The first runs found one 500 here on every run: a submitted self or manager assessment whose training need had a
format the form offered but `domain.training.NeedFormat` did not know (issue 22, point 1, now fixed: the formats
are defined once). Any 5xx now fails the run.
"""

from __future__ import annotations

import os
import time
import traceback
from datetime import date, timedelta
from typing import Any

import pytest
from flask import got_request_exception
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    multiple,
    rule,
    run_state_machine_as_test,
)

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from tests.fuzz.conftest import FUZZ_ORG_CSV, NOW, example_tables
from tests.fuzz.contract import FIGURES, Contract

pytestmark = pytest.mark.fuzz

# CI: 20 fresh organisations of 120 steps each; `make fuzz` asks for far more (FUZZ_STATEFUL_EXAMPLES, _STEPS).
STATEFUL_EXAMPLES = int(os.environ.get("FUZZ_STATEFUL_EXAMPLES", "20"))
STATEFUL_STEPS = int(os.environ.get("FUZZ_STATEFUL_STEPS", "120"))
# FUZZ_COLLECT=1: record every finding and go on (an exploratory run); otherwise the first one fails the test.
COLLECT = os.environ.get("FUZZ_COLLECT") == "1"

MANAGER = {"E1": "M1", "E2": "M1", "E3": "M2", "E4": "M2", "M1": "L1", "M2": "L2"}
MANAGER.update({"L1": "C0", "L2": "C0", "H1": "C0", "H2": "C0"})
PEOPLE = ("C0", "L1", "L2", "H1", "H2", "M1", "M2", "E1", "E2", "E3", "E4")
HR = ("H1", "H2")
LEADERSHIP = ("L1", "L2")
DEPARTMENTS = ("Board", "Leadership", "People", "Engineering", "Sales")
TODAY = NOW.date()
TOPICS = ("Kubernetes", "Negotiation", "public speaking", "SQL", "Delegation", "  kubernetes  ")

SPEC: dict[str, Any] = {}
TABLES: dict[str, Any] = {}  # "new": a fresh table for each example


def contract() -> Contract:
    """The contract of the app's own OpenAPI document (read once, from an app over an empty table)."""
    if not SPEC:
        from service.adapters.store import MemoryTable
        from service.web import create_app

        app = create_app(Settings(secret_key="spec-only-" + "x" * 30), table=MemoryTable())
        SPEC.update(app.test_client().get("/api/openapi.json").get_json())
    return Contract(SPEC)


CONTRACT = contract()
C = CONTRACT.enum
# Every choice comes from the OpenAPI document, so that a choice added to a schema is fuzzed at once.
NEED_FORMATS = C("SelfContent", "training_needs", "format")
PRIORITIES = C("SelfContent", "training_needs", "priority")
LEARNING_KINDS = C("SelfContent", "learning", "kind")
OBSTACLE_CATEGORIES = C("ManagerContent", "obstacles", "category")
ITEM_STATUSES = C("ManagerContent", "obstacles", "status")
SUGGESTIONS = C("ManagerContent", "need_suggestions")
REVIEW_STATES = C("Return", "to_state")
AGREEMENTS = C("Acknowledge", "agreement")
PARTICIPANT_MODES = C("CycleIn", "participant_mode")
GOAL_LEVELS = C("GoalIn", "level")
GOAL_STATUSES = C("GoalIn", "status")
ACTION_STATUSES = C("ActionStatus", "status")
ACTIVITY_TYPES = C("ActivityIn", "type")
CONTACT_SOURCES = C("ContactIn", "found_via")
INTERVIEW_FORMATS = C("ContactIn", "format")
INTERVIEW_ACTIONS = C("InterviewAction", "action")
NOTE_KINDS = C("NoteIn", "kind")


# --- payloads ------------------------------------------------------------------------------------------

HOSTILE = st.sampled_from(
    [
        None,
        "",
        " ",
        "x" * 10_001,
        -1,
        0,
        10**20,
        -(10**20),
        1.5,
        True,
        [],
        {},
        [None],
        {"$ne": None},
        "\u202e\u0000\ud7ff",
        '=HYPERLINK("http://x")',
        "../../etc/passwd",
        "<script>alert(1)</script>",
        "2026-02-30",
        "9999-12-31",
        "0001-01-01",
        "not-a-choice",
        "E1' OR '1'='1",
        "NaN",
        9.99e125,  # the edges of a DynamoDB number, and past them
        1e126,
        1e-130,
        -1e-131,
        10_000_000.01,
    ]
)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    """Every place inside a JSON value (keys of objects, indexes of arrays)."""
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _replace(value: Any, path: tuple, new: Any, delete: bool) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        copy = dict(value)
        if delete and not rest:
            copy.pop(head, None)
        else:
            copy[head] = _replace(value[head], rest, new, delete)
        return copy
    copy = list(value)
    if delete and not rest:
        copy.pop(head)
    else:
        copy[head] = _replace(value[head], rest, new, delete)
    return copy


@st.composite
def broken(draw: Any, valid: Any) -> Any:
    """A valid payload with one place broken: a hostile value, the key removed, or an unknown key added."""
    places = _paths(valid)
    path = draw(st.sampled_from(places))
    how = draw(st.sampled_from(["value", "value", "delete", "extra"]))
    if how == "delete" and path:
        return _replace(valid, path, None, delete=True)
    if how == "extra" and isinstance(valid, dict):
        return {**valid, draw(st.sampled_from(["unknown", "version", "state", "__proto__"])): draw(HOSTILE)}
    return _replace(valid, path, draw(HOSTILE), delete=False)


def mostly_valid(valid: st.SearchStrategy) -> st.SearchStrategy:
    """Four times in five the valid payload; otherwise that payload with one place broken."""
    return st.tuples(st.integers(0, 4), valid).flatmap(
        lambda pair: st.just(pair[1]) if pair[0] else broken(pair[1])  # type: ignore[arg-type]
    )


TEXT = st.sampled_from(["Shipped the importer.", "Grew as a lead", "Ünïcödé — ok", "=1+1", "a" * 300, "  padded  "])
WORDS = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=40)
DAY = st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 12, 31)).map(date.isoformat)
PAST = st.dates(min_value=date(2025, 6, 1), max_value=TODAY).map(date.isoformat)


@st.composite
def template_body(draw: Any) -> dict[str, Any]:
    ids = draw(st.lists(st.sampled_from(["delivery", "craft", "care", "c_4"]), min_size=1, max_size=4, unique=True))
    points = draw(st.integers(2, 6))
    goals = draw(st.integers(0, 100))
    competencies = draw(st.integers(0, 100 - goals))

    def questions(prefix: str) -> Any:
        return st.lists(
            st.builds(
                lambda n, req: {"id": f"{prefix}{n}", "text": f"Question {n}?", "required": req},
                st.integers(1, 3),
                st.booleans(),
            ),
            max_size=2,
            unique_by=lambda q: q["id"],
        )

    return {
        "name": draw(st.sampled_from(["Annual", "Mid-year", "Probation"])),
        "competencies": [{"id": i, "name": i.title(), "description": f"About {i}."} for i in ids],
        "scale": [f"Point {n + 1}" for n in range(points)],
        "questions": {form: draw(questions(form[0])) for form in ("self", "manager", "peer", "upward")},
        "weights": {"goals": goals, "competencies": competencies, "feedback": 100 - goals - competencies},
        # issue 23: a calibration phase (manager submissions wait in calibration), with or without a potential scale
        "calibration": draw(st.booleans()),
        "potential": draw(st.sampled_from([[], ["Limited", "Some", "High"]])),
    }


@st.composite
def cycle_body(draw: Any, template_id: str) -> dict[str, Any]:
    start = draw(st.dates(min_value=date(2026, 2, 20), max_value=date(2026, 3, 20)))
    gaps = draw(st.lists(st.integers(0, 20), min_size=4, max_size=4))
    days = [start]
    for gap in gaps:
        days.append(days[-1] + timedelta(days=gap))
    mode = draw(st.sampled_from(PARTICIPANT_MODES))
    return {
        "name": draw(st.sampled_from(["2026 annual", "H1 check-in", "Pilot"])),
        "period_start": "2026-01-01",
        "period_end": draw(st.sampled_from(["2026-12-31", "2026-06-30"])),
        "template_id": template_id,
        "phases": dict(
            zip(
                ("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion"),
                (d.isoformat() for d in days),
                strict=True,
            )
        ),
        "participant_mode": mode,
        "departments": draw(st.lists(st.sampled_from(DEPARTMENTS), min_size=1, max_size=3, unique=True)),
        "employee_ids": draw(st.lists(st.sampled_from(PEOPLE), min_size=1, max_size=6, unique=True)),
        "carry_over_goals": draw(st.booleans()),
        "skip_level_read": draw(st.booleans()),
    }


def need() -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {"topic": st.sampled_from(TOPICS), "priority": st.sampled_from(PRIORITIES)},
        optional={
            "format": st.sampled_from(NEED_FORMATS),
            "rationale": TEXT,
            "estimated_cost": st.one_of(
                st.none(), st.integers(0, 5000), st.floats(0, 1e6), st.sampled_from([0.01, 10_000_000])
            ),
        },
    )


def _ratings(draw: Any, snap: dict[str, Any], complete: bool) -> dict[str, Any]:
    rating = st.integers(1, snap["points"])
    if not complete:
        rating = st.one_of(rating, rating, st.none(), st.just(99))
    return {cid: {"rating": draw(rating), "comment": draw(TEXT)} for cid in snap["competencies"]}


def _answers(draw: Any, snap: dict[str, Any], form: str) -> dict[str, str]:
    return {qid: draw(TEXT) for qid in snap["questions"].get(form, [])}


@st.composite
def self_body(
    draw: Any, snap: dict[str, Any], activities: list[str], goals: list[str], submit: bool | None = None
) -> dict[str, Any]:
    """A self assessment; `submit=True` one that is complete (its choices still drawn from the document)."""
    content = {
        "competency_ratings": _ratings(draw, snap, bool(submit)),
        "goal_results": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"title": TEXT, "result": TEXT},
                    optional={
                        "goal_id": st.sampled_from(goals or ["no-goal"]),
                        "rating": st.integers(1, snap["points"]),
                    },
                ),
                max_size=2,
            )
        ),
        "achievements": draw(st.sampled_from(["Led the import.", "Mentored two people", *([] if submit else [""])])),
        "obstacles": draw(st.lists(st.fixed_dictionaries({"description": TEXT}), max_size=2)),
        "learning": draw(
            st.lists(
                st.fixed_dictionaries(
                    {"activity": TEXT, "kind": st.sampled_from(LEARNING_KINDS)}, optional={"date": PAST, "note": TEXT}
                ),
                max_size=2,
            )
        ),
        "development_wishes": draw(TEXT),
        "training_needs": draw(st.lists(need(), max_size=2)),
        "answers": _answers(draw, snap, "self"),
    }
    if activities and draw(st.booleans()):
        content["learning_refs"] = draw(st.lists(st.sampled_from(activities), max_size=2, unique=True))
    return {"content": content, "submit": draw(st.booleans()) if submit is None else submit}


def tracked(owner: Any) -> st.SearchStrategy:
    return st.fixed_dictionaries(
        {"description": TEXT, "owner_id": owner, "due": DAY, "status": st.sampled_from(ITEM_STATUSES)}
    )


@st.composite
def manager_body(draw: Any, snap: dict[str, Any], subject: str, submit: bool | None = None) -> dict[str, Any]:
    """A manager assessment; `submit=True` one that is complete."""
    owner = st.sampled_from([subject, MANAGER.get(subject) or "H1", "H1"])
    obstacle = tracked(owner).flatmap(
        lambda item: st.fixed_dictionaries({"remediation": TEXT, "category": st.sampled_from(OBSTACLE_CATEGORIES)}).map(
            lambda extra: {**item, **extra}
        )
    )
    content = {
        "competency_ratings": _ratings(draw, snap, bool(submit)),
        "goal_ratings": draw(
            st.lists(
                st.fixed_dictionaries({"title": TEXT, "rating": st.integers(1, snap["points"]), "comment": TEXT}),
                max_size=2,
            )
        ),
        "strengths": draw(st.sampled_from(["Ownership.", *([] if submit else [""])])),
        "areas_to_strengthen": "Delegation.",
        "obstacles": draw(st.lists(obstacle, max_size=2)),
        "training_needs": draw(st.lists(need(), max_size=2)),
        "need_suggestions": {cid: draw(st.sampled_from(SUGGESTIONS)) for cid in snap["competencies"][:2]},
        "narrative": draw(st.sampled_from(["A strong year.", "Steady."])),
        "answers": _answers(draw, snap, "manager"),
    }
    return {"content": content, "submit": draw(st.booleans()) if submit is None else submit}


@st.composite
def discussion_body(draw: Any, subject: str, submit: bool | None = None) -> dict[str, Any]:
    """A discussion record; `submit=True` one that is complete."""
    owner = st.sampled_from([subject, MANAGER.get(subject) or "H1"])
    content = {
        "date": draw(PAST if submit else st.one_of(PAST, PAST, st.none(), st.just("2026-12-01"))),
        "notes": draw(st.sampled_from(["Talked it through.", *([] if submit else [""])])),
        "agreed_actions": draw(st.lists(tracked(owner), max_size=2)),
    }
    return {"content": content, "submit": draw(st.booleans()) if submit is None else submit}


@st.composite
def session_body(draw: Any, waiting: list[str], points: int) -> dict[str, Any]:
    """A calibration session (issue 23): mostly a list of reviews in calibration; otherwise a department or subtree."""
    group = draw(st.sampled_from(["list", "list", "department", "subtree"]))
    body: dict[str, Any] = {"name": draw(st.sampled_from(["Engineering", "Sales calibration", "All"])), "group": group}
    if group == "list":
        body["employee_ids"] = draw(
            st.lists(st.sampled_from(waiting or list(PEOPLE)), min_size=1, max_size=4, unique=True)
        )
    elif group == "department":
        body["department"] = draw(st.sampled_from(DEPARTMENTS))
    else:
        body["root_id"] = draw(st.sampled_from(["C0", "L1", "L2", "M1", "M2"]))
    body["facilitators"] = draw(st.lists(st.sampled_from([*HR, "E1"]), max_size=2, unique=True))
    if draw(st.booleans()):
        body["target"] = draw(st.permutations([100, *[0] * (points - 1)]))
    return body


def adjustment_body(snap: dict[str, Any]) -> st.SearchStrategy:
    """A calibrated rating of every competency, a potential (on the template's potential scale if any), a reason."""
    return st.fixed_dictionaries(
        {
            "competency_ratings": st.fixed_dictionaries(
                {c: st.integers(1, snap["points"]) for c in snap["competencies"]}
            ),
            "reason": TEXT,
        },
        optional={"potential": st.one_of(st.none(), st.integers(1, max(snap["potential"], 1)))},
    )


def goal_body(me: str, cycles: list[str], goals: list[str]) -> st.SearchStrategy:
    """A goal: mostly at the level of the person's role, in a running cycle, aligned to a goal above."""
    usual = "organisation" if me in (*HR, *LEADERSHIP) else "team" if me in ("M1", "M2") else "individual"
    key_result = st.fixed_dictionaries(
        {"id": st.sampled_from(["kr1", "kr2", "kr3"]), "title": TEXT, "target": st.integers(1, 100)},
        optional={"start": st.integers(0, 10), "current": st.one_of(st.none(), st.integers(0, 120)), "unit": TEXT},
    )
    return st.fixed_dictionaries(
        {
            "level": st.sampled_from([usual, usual, *GOAL_LEVELS]),
            "title": TEXT,
            "cycle_id": st.sampled_from([*cycles, *cycles, None]),
            "parent_id": st.sampled_from([*goals, *goals, None]),
        },
        optional={
            "owner_id": st.sampled_from([me, me, *PEOPLE]),
            "key_results": st.lists(key_result, max_size=3, unique_by=lambda kr: kr["id"]),
            "weight": st.integers(0, 100),
            "status": st.sampled_from(GOAL_STATUSES),
            "due": st.one_of(st.none(), DAY),
            "description": TEXT,
        },
    )


def goal_patch(goals: list[str]) -> st.SearchStrategy:
    key_result = st.fixed_dictionaries(
        {"id": st.sampled_from(["kr1", "kr2"]), "title": TEXT, "target": st.integers(1, 100)},
        optional={"current": st.one_of(st.none(), st.integers(0, 150)), "start": st.integers(0, 5)},
    )
    return st.fixed_dictionaries(
        {},
        optional={
            "title": TEXT,
            "key_results": st.lists(key_result, max_size=2, unique_by=lambda kr: kr["id"]),
            "weight": st.integers(0, 100),
            "status": st.sampled_from(GOAL_STATUSES),
            "parent_id": st.sampled_from([*goals, None]),
            "due": st.one_of(st.none(), DAY),
        },
    )


# --- the machine ---------------------------------------------------------------------------------------


class Failure(AssertionError):
    """A response the contract does not allow."""


class ApiMachine(RuleBasedStateMachine):
    """The JSON API of one organisation, driven through its workflows by its people."""

    figures = FIGURES  # where the run's figures go (a replayed journey gets figures of its own)
    templates = Bundle("templates")
    goals = Bundle("goals")
    activities = Bundle("activities")
    contacts = Bundle("contacts")
    notes = Bundle("notes")
    exports = Bundle("exports")

    def __init__(self) -> None:
        super().__init__()
        from service.services.directory import import_organisation
        from service.web import create_app
        from service.web.auth import mint_token
        from service.web.exports import use_exports

        self.table = TABLES["new"]()
        clock = FixedClock(NOW)
        import_organisation(UnitOfWork(self.table), None, FUZZ_ORG_CSV, clock)  # as `cli import` does
        conf = Settings(table_name="reviews-fuzz", region="eu-west-1", secret_key="stateful-" + "x" * 30)
        self.app = create_app(conf, table=self.table, clock=clock)
        from service.adapters.mailer import MemoryMailer

        self.app.extensions["reviews"].extras["mailer"] = MemoryMailer()
        use_exports(self.app, render=lambda summary: b"%PDF-1.7 stand-in")
        self.client = self.app.test_client()
        self.token = lambda who: mint_token(conf, who)  # anyone, hires included (E5 after a re-import)
        self.raised: list[str] = []
        got_request_exception.connect(self._raised, self.app)
        self.cycles: dict[str, dict[str, Any]] = {}  # id → {"state", "snap", "participants"}
        self.reviews: dict[tuple[str, str], str] = {}  # (cycle, employee) → state the API reported
        self.topics: list[str] = []
        self.owner_of: dict[str, str] = {}  # "act:" / "con:" + activity or contact id → its owner
        self.template_ids: list[str] = []
        self.goals_seen: list[str] = []
        self.goal_info: dict[str, tuple[str, str]] = {}  # goal id → (level, owner)
        self.action_owners: set[str] = set()
        self.export_ids: list[str] = []
        self.note_ids: list[str] = []
        self.asked: set[tuple[str, str, str]] = set()  # (cycle, subject, reviewer) the API said were asked
        self.sessions: dict[str, dict[str, Any]] = {}  # calibration session id → its cycle, people, facilitators, state
        self.failed = False
        self.figures.examples += 1

    def _raised(self, sender: Any, exception: BaseException, **extra: Any) -> None:
        self.raised.append("".join(traceback.format_exception(exception))[-3000:])

    def teardown(self) -> None:
        try:
            if not self.failed:
                self.sweep()
        finally:
            got_request_exception.disconnect(self._raised, self.app)

    def sweep(self) -> None:
        """Every read of the API once more, in the state this example ended in, each as another person."""
        pools = {
            "cycle_id": sorted(self.cycles, key=lambda c: self.cycles[c]["state"] != "active"),
            "template_id": self.template_ids,
            "goal_id": self.goals_seen,
            "activity_id": sorted(a[4:] for a in self.owner_of if a.startswith("act:")),
            "contact_id": sorted(c[4:] for c in self.owner_of if c.startswith("con:")),
            "export_id": self.export_ids,
            "note_id": self.note_ids,
            "session_id": sorted(self.sessions),
            "version": ["1"],
            "name": list(DEPARTMENTS),
        }
        reads = [label for label in CONTRACT.labels() if label.startswith("GET ")]
        for n, label in enumerate(reads):
            person = PEOPLE[(n + len(self.reviews)) % len(PEOPLE)]
            names = [p["name"] for p in CONTRACT.operation(label)["parameters"] if p["in"] == "path"]
            params = {k: (pools.get(k) or [person])[n % len(pools.get(k) or [person])] for k in names}
            cycle_id = (pools["cycle_id"] or ["no-cycle"])[0]  # none when the example ended before its first cycle
            query = {"cycle_id": cycle_id, "cycle": cycle_id, "year": "2026"}
            required = {p["name"] for p in CONTRACT.operation(label)["parameters"] if p["in"] == "query"}
            who = PEOPLE[(n * 7 + len(self.goals_seen)) % len(PEOPLE)]
            self.call(label, who, params, query={k: v for k, v in query.items() if k in required} or None)

    # --- one request, checked ----------------------------------------------------------------------

    def call(
        self,
        label: str,
        who: str | None,
        params: dict[str, str] | None = None,
        body: Any = None,
        query: dict[str, Any] | None = None,
        version: int | str | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, Any, Any]:
        """Send one request as `who`; check the answer against the contract; return (status, JSON, headers)."""
        method, template = label.split(" ", 1)
        path = template.format(**(params or {}))
        sent = dict(headers or {})
        if who is not None:
            sent["Authorization"] = f"Bearer {self.token(who)}"
        if version is not None:
            sent["If-Match"] = version if isinstance(version, str) else f'"{version}"'
        self.raised.clear()
        self._owners = _owners_in(body)
        kwargs: dict[str, Any] = {"method": method, "headers": sent, "query_string": query}
        if body is not None:
            kwargs["json"] = body
        resp = self.client.open(path, **kwargs)
        self.figures.requests += 1
        self.figures.operations.add(label)
        self.figures.statuses[resp.status_code] += 1
        problems = CONTRACT.problems(label, resp.status_code, resp.mimetype, resp.get_data())
        if resp.status_code >= 500 and resp.status_code != 503:
            self.figures.server_errors += 1
            problems.insert(0, f"{label} answered {resp.status_code}")
        data = resp.get_json(silent=True) if resp.mimetype == "application/json" else None
        if not problems and resp.status_code < 300 and isinstance(data, dict):
            problems.extend(self._observe(label, params or {}, data))
        if problems:
            self.figures.off_schema += resp.status_code < 500
            report = (
                f"{problems}\nas {who}: {method} {path} query={query} If-Match={sent.get('If-Match')}\n"
                f"body={str(body)[:1500]}\nanswer={resp.get_data()[:1500]!r}\n" + "\n".join(self.raised)
            )
            self.figures.findings.append(report.splitlines()[0][:400])
            if not COLLECT:
                self.failed = True
                raise Failure(report)
        return resp.status_code, data, resp.headers

    def _observe(self, label: str, params: dict[str, str], data: dict[str, Any]) -> list[str]:
        """Note the states the answer reports; a review must be stored in the state the API reports."""
        problems = []
        if "/reviews/{employee_id}" in label and "state" in data and "employee_id" in data:
            key = (data["cycle_id"], data["employee_id"])
            before = self.reviews.get(key)
            self.reviews[key] = data["state"]
            self.figures.reached("review", data["state"])
            stored = UnitOfWork(self.table).reviews.get(*key)
            if stored is None or stored.state != data["state"]:
                problems.append(f"{label}: the API says {data['state']}, the table {stored and stored.state}")
            if label.endswith(("/manager", "/discussion")):
                self.action_owners.update(self._owners)
            if label.endswith(("/self", "/manager", "/discussion")):
                part = label.rsplit("/", 1)[1]
                self.figures.reached(f"review {part}", "draft saved" if data["state"] == before else "submitted")
        if label.startswith(("POST /api/cycles", "PUT /api/cycles/{cycle_id}")) and "state" in data:
            if "cycle_id" in data and "template_id" in data:
                self.figures.reached("cycle", data["state"])
                stored_cycle = UnitOfWork(self.table).cycles.get(data["cycle_id"])
                if stored_cycle is None or stored_cycle.state != data["state"]:
                    problems.append(
                        f"{label}: the API says {data['state']}, the table {stored_cycle and stored_cycle.state}"
                    )
                self.cycles.setdefault(data["cycle_id"], {"participants": [], "snap": None})["state"] = data["state"]
        if "calibration-sessions" in label and isinstance(data.get("session_id"), str) and "state" in data:
            self.sessions[data["session_id"]] = {
                "cycle_id": data.get("cycle_id"),
                "people": list(data.get("people") or []),
                "facilitators": list(data.get("facilitators") or []),
                "state": data["state"],
            }
            self.figures.reached("calibration session", data["state"])
            stored_session = UnitOfWork(self.table).calibration.get(data["session_id"])
            if stored_session is None or stored_session.state != data["state"]:
                problems.append(
                    f"{label}: the API says {data['state']}, the table {stored_session and stored_session.state}"
                )
        if label.startswith("PUT /api/calibration-sessions"):
            self.figures.reached("calibration session", "adjusted")
        if label.endswith("/launch"):
            self.figures.reached("cycle", "active")
        if label == "POST /api/cycles/{cycle_id}/reopen":
            self.figures.reached("cycle", "reopened")
        if label == "POST /api/calibration-sessions/{session_id}/reopen":
            self.figures.reached("calibration session", "reopened")
        if label.endswith("/return"):
            self.figures.reached("review return", f"to {data.get('state')}")
        for row in data.get("peers", []) if "/nominations" in label else []:
            if isinstance(row, dict):
                self.figures.reached("feedback request", row.get("state"))
                if row.get("state") in ("asked", "approved") and isinstance(row.get("reviewer_id"), str):
                    self.asked.add((params["cycle_id"], params["employee_id"], row["reviewer_id"]))
        if "/feedback/{cycle_id}/{subject_id}" in label:
            self.figures.reached("feedback request", "draft saved" if label.endswith("/draft") else data.get("state"))
        if label.endswith("/feedback/upward"):
            self.figures.reached("feedback request", "upward requested")
            self.asked.update((params["cycle_id"], m, e) for e, m in MANAGER.items())
        if "goals" in label and "goal_id" in data:
            self.figures.reached("goal", data.get("status"))
            self.figures.reached("goal level", data.get("level"))
            if data.get("parent_id"):
                self.figures.reached("goal", "aligned")
            if data.get("key_results"):
                self.figures.reached("goal", "with key results")
            if (data.get("progress") or 0) > 0:
                self.figures.reached("goal", "progressing")
        if label.endswith("/assign"):
            self.figures.reached("goal", "assigned to a team")
        if label.startswith("PATCH /api/actions"):
            self.figures.reached("action", data.get("status"))
        if label.startswith("POST /api/training-needs"):
            self.figures.reached("training need", "addressed")
        if label.startswith("POST /api/training-topics"):
            self.figures.reached("training topic", "merged" if "merge" in label else "created")
        if "/learning/activities" in label:
            self.figures.reached("learning activity", {"POST": "logged", "PATCH": "changed"}.get(label.split()[0]))
        if "/learning/contacts" in label and "status" in data:
            self.figures.reached("interview", data["status"])
        if "/exports" in label and "state" in data:
            self.figures.reached("export", data["state"])
        if label.endswith("/link"):
            self.figures.reached("export", "downloadable")
        if label.startswith("POST /api/notes"):
            self.figures.reached("note", "pulled into a review" if "evidence" in label else "sent")
        return problems

    # --- helpers ------------------------------------------------------------------------------------

    def actor(self, data: Any, *right: str) -> str:
        """Mostly someone allowed to act; otherwise anyone."""
        if right and data.draw(st.integers(0, 4), label="allowed?"):
            return data.draw(st.sampled_from(right), label="as")
        return data.draw(st.sampled_from(PEOPLE), label="as")

    def version(self, data: Any, current: Any) -> Any:
        """The version just read, mostly; otherwise a stale, malformed or missing one."""
        choice = data.draw(st.integers(0, 9), label="If-Match")
        if choice < 8 or current is None:
            return current
        return {8: 0, 9: "bogus"}[choice] if choice < 9 or current else None

    def etag(self, label: str, params: dict[str, str], who: str = "H1") -> Any:
        """The ETag of what `label` reads now (as HR unless told), as sent back in If-Match."""
        status, _, headers = self.call(label, who, params)
        return headers.get("ETag") if status == 200 else None

    def active(self) -> list[str]:
        return sorted(c for c, m in self.cycles.items() if m["state"] == "active" and m["snap"])

    def review(self, data: Any, wanted: tuple[str, ...]) -> tuple[str, str] | None:
        """A review of a launched cycle, mostly one in a state that allows the next step."""
        keys = sorted(k for k in self.reviews if self.cycles.get(k[0], {}).get("snap"))
        if not keys:
            return None
        fit = [k for k in keys if self.reviews[k] in wanted]
        if fit and data.draw(st.integers(0, 4), label="fit?"):
            return data.draw(st.sampled_from(fit), label="review")
        return data.draw(st.sampled_from(keys), label="review")

    def _launched(self, cycle_id: str) -> None:
        """After a launch: the participants' reviews and the template snapshot the forms must follow."""
        _, page, _ = self.call("GET /api/cycles/{cycle_id}/reviews", "H1", {"cycle_id": cycle_id})
        cycle = self.cycles[cycle_id]
        cycle["participants"] = sorted(r["employee_id"] for r in (page or {}).get("reviews", []))
        for employee in cycle["participants"]:
            self.reviews[(cycle_id, employee)] = "not_started"
        _, c, _ = self.call("GET /api/cycles/{cycle_id}", "H1", {"cycle_id": cycle_id})
        _, t, _ = self.call("GET /api/templates/{template_id}", "H1", {"template_id": c["template_id"]})
        cycle["snap"] = {
            "competencies": [x["id"] for x in t["competencies"]],
            "points": len(t["scale"]),
            "questions": {form: [q["id"] for q in qs] for form, qs in t["questions"].items()},
            "calibrates": bool(t.get("calibration")),
            "potential": len(t.get("potential") or []),
        }

    # --- templates and cycles -------------------------------------------------------------------------

    @initialize(target=templates, body=template_body())
    def first_template(self, body: dict[str, Any]) -> Any:
        status, data, _ = self.call("POST /api/templates", "H1", body=body)
        assert status == 201, data
        self.template_ids.append(data["template_id"])
        return data["template_id"]

    @rule(target=templates, data=st.data())
    def create_template(self, data: Any) -> Any:
        who = self.actor(data, *HR)
        status, created, _ = self.call("POST /api/templates", who, body=data.draw(mostly_valid(template_body())))
        if status != 201:
            return multiple()
        self.template_ids.append(created["template_id"])
        return created["template_id"]

    @rule(template_id=templates, data=st.data())
    def edit_template(self, template_id: str, data: Any) -> None:
        params = {"template_id": template_id}
        tag = self.etag("GET /api/templates/{template_id}", params)
        body = data.draw(mostly_valid(template_body()))
        self.call(
            "PUT /api/templates/{template_id}", self.actor(data, *HR), params, body, version=self.version(data, tag)
        )
        self.call("GET /api/templates/{template_id}/versions/{version}", self.actor(data), {**params, "version": "1"})

    @rule(template_id=templates, data=st.data())
    def create_cycle(self, template_id: str, data: Any) -> None:
        body = data.draw(mostly_valid(cycle_body(template_id)))
        self.call("POST /api/cycles", self.actor(data, *HR), body=body)

    @initialize(template_id=templates, data=st.data())
    def first_cycle(self, template_id: str, data: Any) -> None:
        body = {**data.draw(cycle_body(template_id)), "participant_mode": "everyone"}
        status, cycle, _ = self.call("POST /api/cycles", "H1", body=body)
        assert status == 201, cycle
        params = {"cycle_id": cycle["cycle_id"]}
        status, launched, _ = self.call("POST /api/cycles/{cycle_id}/launch", "H2", params, version=cycle["version"])
        assert status == 202, launched
        self.cycles[cycle["cycle_id"]]["state"] = "active"
        self._launched(cycle["cycle_id"])

    def _cycle(self, data: Any, state: str | None = None) -> str | None:
        ids = sorted(c for c, m in self.cycles.items() if state is None or m["state"] == state)
        if not ids:
            return None
        return data.draw(st.sampled_from(ids), label="cycle")

    @rule(template_id=templates, data=st.data())
    def edit_cycle(self, template_id: str, data: Any) -> None:
        cycle_id = self._cycle(data, "draft") or self._cycle(data)
        params = {"cycle_id": cycle_id}
        tag = self.etag("GET /api/cycles/{cycle_id}", params)
        body = data.draw(mostly_valid(cycle_body(template_id)))
        self.call("PUT /api/cycles/{cycle_id}", self.actor(data, *HR), params, body, version=self.version(data, tag))

    @rule(data=st.data())
    def launch_cycle(self, data: Any) -> None:
        cycle_id = self._cycle(data, "draft") or self._cycle(data)
        params = {"cycle_id": cycle_id}
        tag = self.etag("GET /api/cycles/{cycle_id}", params)
        status, _, _ = self.call(
            "POST /api/cycles/{cycle_id}/launch", self.actor(data, *HR), params, version=self.version(data, tag)
        )
        if status == 202:
            self.cycles[cycle_id]["state"] = "active"
            self._launched(cycle_id)

    @rule(data=st.data())
    def close_or_reopen_cycle(self, data: Any) -> None:
        cycle_id = self._cycle(data)
        params = {"cycle_id": cycle_id}
        tag = self.etag("GET /api/cycles/{cycle_id}", params)
        who, version = self.actor(data, *HR), self.version(data, tag)
        if self.cycles[cycle_id]["state"] == "closed" or not data.draw(st.integers(0, 3), label="close?"):
            body = data.draw(mostly_valid(st.fixed_dictionaries({"reason": TEXT})))
            self.call("POST /api/cycles/{cycle_id}/reopen", who, params, body, version=version)
        else:
            self.call("POST /api/cycles/{cycle_id}/close", who, params, version=version)

    # --- the review, part by part ---------------------------------------------------------------------

    def _review_write(self, data: Any, label: str, key: tuple[str, str], who: str, body: Any) -> None:
        params = {"cycle_id": key[0], "employee_id": key[1]}
        tag = self.etag("GET /api/cycles/{cycle_id}/reviews/{employee_id}", params)
        self.call(label, who, params, body, version=self.version(data, tag))

    @rule(data=st.data())
    def self_assessment(self, data: Any) -> None:
        key = self.review(data, ("not_started",))
        if key is None:
            return
        snap = self.cycles[key[0]]["snap"]
        activities = sorted(a for a, owner in self.owner_of.items() if owner == key[1] and a.startswith("act:"))
        body = data.draw(mostly_valid(self_body(snap, [a[4:] for a in activities], [])))
        label = "PUT /api/cycles/{cycle_id}/reviews/{employee_id}/self"
        self._review_write(data, label, key, self.actor(data, key[1]), body)

    @rule(data=st.data())
    def manager_assessment(self, data: Any) -> None:
        key = self.review(data, ("self_submitted", "not_started"))
        if key is None:
            return
        body = data.draw(mostly_valid(manager_body(self.cycles[key[0]]["snap"], key[1])))
        who = self.actor(data, MANAGER.get(key[1]) or "H1", *HR)
        self._review_write(data, "PUT /api/cycles/{cycle_id}/reviews/{employee_id}/manager", key, who, body)

    @rule(data=st.data())
    def discussion(self, data: Any) -> None:
        key = self.review(data, ("manager_submitted",))
        if key is None:
            return
        body = data.draw(mostly_valid(discussion_body(key[1])))
        who = self.actor(data, MANAGER.get(key[1]) or "H1", *HR)
        self._review_write(data, "PUT /api/cycles/{cycle_id}/reviews/{employee_id}/discussion", key, who, body)

    @rule(data=st.data())
    def acknowledge(self, data: Any) -> None:
        key = self.review(data, ("discussed",))
        if key is None:
            return
        body = data.draw(
            mostly_valid(st.fixed_dictionaries({"agreement": st.sampled_from(AGREEMENTS)}, optional={"response": TEXT}))
        )
        self._review_write(
            data, "POST /api/cycles/{cycle_id}/reviews/{employee_id}/acknowledge", key, self.actor(data, key[1]), body
        )

    @rule(data=st.data())
    def finalise(self, data: Any) -> None:
        key = self.review(data, ("acknowledged",))
        if key is None:
            return
        label = "POST /api/cycles/{cycle_id}/reviews/{employee_id}/finalise"
        self._review_write(data, label, key, self.actor(data, *HR), None)

    @rule(data=st.data())
    def return_review(self, data: Any) -> None:
        wanted = ("self_submitted", "in_calibration", "manager_submitted", "discussed", "acknowledged", "finalised")
        key = self.review(data, wanted)
        if key is None:
            return
        body = data.draw(
            mostly_valid(st.fixed_dictionaries({"to_state": st.sampled_from(REVIEW_STATES), "reason": TEXT}))
        )
        label = "POST /api/cycles/{cycle_id}/reviews/{employee_id}/return"
        self._review_write(data, label, key, self.actor(data, *HR), body)

    @rule(data=st.data())
    def advance_review(self, data: Any) -> None:
        """Up to five next steps of one review's workflow, each by whom it falls to, with a complete form."""
        keys = sorted(k for k, state in self.reviews.items() if state != "finalised" and k[0] in self.active())
        if not keys:
            return
        furthest = max(keys, key=lambda k: REVIEW_STATES.index(self.reviews[k]))
        key = data.draw(st.sampled_from([furthest, *keys]), label="review")
        for _ in range(data.draw(st.integers(1, 5), label="steps")):
            state, employee, snap = self.reviews[key], key[1], self.cycles[key[0]]["snap"]
            manager = MANAGER.get(employee) or "H1"
            base = "/api/cycles/{cycle_id}/reviews/{employee_id}"
            if state == "not_started":
                step = ("PUT " + base + "/self", employee, data.draw(self_body(snap, [], [], submit=True)))
            elif state == "self_submitted":
                step = ("PUT " + base + "/manager", manager, data.draw(manager_body(snap, employee, submit=True)))
            elif state == "manager_submitted":
                step = ("PUT " + base + "/discussion", manager, data.draw(discussion_body(employee, submit=True)))
            elif state == "discussed":
                agreement = st.fixed_dictionaries({"agreement": st.sampled_from(AGREEMENTS), "response": TEXT})
                step = ("POST " + base + "/acknowledge", employee, data.draw(agreement))
            elif state == "acknowledged":
                step = ("POST " + base + "/finalise", data.draw(st.sampled_from(HR)), None)
            elif state == "in_calibration":
                if not self._calibrate_through(data, key):
                    return
                continue
            else:
                return
            label, who, body = step
            params = {"cycle_id": key[0], "employee_id": employee}
            tag = self.etag("GET /api/cycles/{cycle_id}/reviews/{employee_id}", params)
            status, _, _ = self.call(label, who, params, body, version=tag)
            if status != 200:
                return

    # --- calibration (issue 23) ---------------------------------------------------------------------------

    def _refresh(self, session_id: str) -> None:
        """After a close or reopen: the session's reviews as the API reports them now."""
        session = self.sessions[session_id]
        for person in session["people"]:
            params = {"cycle_id": session["cycle_id"], "employee_id": person}
            self.call("GET /api/cycles/{cycle_id}/reviews/{employee_id}", "H1", params)

    def _calibrate_through(self, data: Any, key: tuple[str, str]) -> bool:
        """A review in calibration on: its open session (opened for it when there is none), an adjustment, then
        the close, by a facilitator (sometimes reopened, back into calibration). True when the review moved on."""
        open_ones = [s for s, m in sorted(self.sessions.items()) if m["state"] == "open" and key[1] in m["people"]]
        if open_ones:
            session_id = open_ones[0]
        else:
            body = {"name": f"Calibration of {key[1]}", "group": "list", "employee_ids": [key[1]]}
            label = "POST /api/cycles/{cycle_id}/calibration-sessions"
            status, created, _ = self.call(label, "H1", {"cycle_id": key[0]}, body)
            if status != 201:
                return False
            session_id = created["session_id"]
        session, params = self.sessions[session_id], {"session_id": session_id}
        who = session["facilitators"][0] if session["facilitators"] else "H1"
        self._adjust(data, session_id, key[1], who)
        tag = self.etag("GET /api/calibration-sessions/{session_id}", params)
        status, closed, _ = self.call("POST /api/calibration-sessions/{session_id}/close", who, params, version=tag)
        if status != 200:
            return False
        self._refresh(session_id)
        if not data.draw(st.integers(0, 3), label="reopen?"):  # back into calibration, for the next step to close
            label = "POST /api/calibration-sessions/{session_id}/reopen"
            self.call(label, who, params, {"reason": "One more look"}, version=closed["version"])
            self._refresh(session_id)
        return self.reviews.get(key) != "in_calibration"

    def _adjust(self, data: Any, session_id: str, person: str, who: str) -> None:
        session = self.sessions[session_id]
        snap = self.cycles[session["cycle_id"]]["snap"]
        _, view, _ = self.call("GET /api/calibration-sessions/{session_id}", "H1", {"session_id": session_id})
        rows = [r for r in (view or {}).get("rows", []) if r.get("employee_id") == person]
        current = rows[0].get("version") if rows else 0
        label = "PUT /api/calibration-sessions/{session_id}/people/{employee_id}"
        body = data.draw(mostly_valid(adjustment_body(snap)))
        params = {"session_id": session_id, "employee_id": person}
        self.call(label, who, params, body, version=self.version(data, current))

    @rule(data=st.data())
    def calibrate(self, data: Any) -> None:
        """HR opens sessions over a calibrating cycle's reviews; facilitators adjust, close and reopen them."""
        cycles = [c for c in self.active() if self.cycles[c]["snap"].get("calibrates")]
        if not cycles:
            return
        cycle_id = data.draw(st.sampled_from(cycles), label="cycle")
        snap = self.cycles[cycle_id]["snap"]
        waiting = sorted(e for (c, e), state in self.reviews.items() if c == cycle_id and state == "in_calibration")
        sessions = sorted(s for s, m in self.sessions.items() if m["cycle_id"] == cycle_id)
        steps = ["open", "read", "adjust", "close", "reopen"] if sessions else ["open", "read"]
        step = data.draw(st.sampled_from(steps), label="step")
        params = {"cycle_id": cycle_id}
        if step == "open":
            body = data.draw(mostly_valid(session_body(waiting, snap["points"])))
            self.call("POST /api/cycles/{cycle_id}/calibration-sessions", self.actor(data, *HR), params, body)
            return
        if step == "read":
            reads = ["GET /api/cycles/{cycle_id}/calibration-sessions", "GET /api/cycles/{cycle_id}/rating-report"]
            label = data.draw(st.sampled_from(reads), label="read")
            self.call(label, self.actor(data, *HR, *LEADERSHIP, "M1", "M2"), params)
            for session_id in sessions[:1]:
                query = data.draw(st.sampled_from([None, {"sort": "rating"}, {"sort": "name", "box": "star"}]))
                who = self.actor(data, *HR, *LEADERSHIP, "M1", "M2")
                self.call("GET /api/calibration-sessions/{session_id}", who, {"session_id": session_id}, query=query)
            return
        session_id = data.draw(st.sampled_from(sessions), label="session")
        session, params = self.sessions[session_id], {"session_id": session_id}
        who = self.actor(data, *(session["facilitators"] or HR))
        if step == "adjust":
            person = data.draw(st.sampled_from(session["people"] or list(PEOPLE)), label="person")
            self._adjust(data, session_id, person, who)
            return
        tag = self.version(data, self.etag("GET /api/calibration-sessions/{session_id}", params))
        if step == "close":
            status, _, _ = self.call("POST /api/calibration-sessions/{session_id}/close", who, params, version=tag)
        else:
            body = data.draw(mostly_valid(st.fixed_dictionaries({"reason": TEXT})))
            label = "POST /api/calibration-sessions/{session_id}/reopen"
            status, _, _ = self.call(label, who, params, body, version=tag)
        if status == 200:
            self._refresh(session_id)

    @rule(data=st.data())
    def read_review(self, data: Any) -> None:
        key = self.review(data, tuple(REVIEW_STATES))
        if key is None:
            return
        params = {"cycle_id": key[0], "employee_id": key[1]}
        label = data.draw(
            st.sampled_from(
                [
                    "GET /api/cycles/{cycle_id}/reviews/{employee_id}",
                    "GET /api/cycles/{cycle_id}/reviews/{employee_id}/audit",
                    "GET /api/cycles/{cycle_id}/reviews/{employee_id}/content-hash",
                    "GET /api/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf",
                    "GET /api/cycles/{cycle_id}/reviews/{employee_id}/feedback",
                    "GET /api/cycles/{cycle_id}/reviews/{employee_id}/nominations",
                ]
            )
        )
        self.call(label, self.actor(data, key[1], MANAGER.get(key[1]) or "C0", *HR), params)

    # --- feedback ---------------------------------------------------------------------------------------

    @rule(data=st.data())
    def feedback_settings(self, data: Any) -> None:
        cycle_id = self._cycle(data)
        params = {"cycle_id": cycle_id}
        tag = self.etag("GET /api/cycles/{cycle_id}/feedback/settings", params)
        body = st.fixed_dictionaries(
            {
                "min_peers": st.integers(0, 4),
                "max_peers": st.integers(1, 8),
                "threshold": st.integers(3, 5),
                "upward": st.booleans(),
            },
            optional={"nomination_deadline": st.one_of(st.none(), DAY)},
        )
        label = "PUT /api/cycles/{cycle_id}/feedback/settings"
        self.call(label, self.actor(data, *HR), params, data.draw(mostly_valid(body)), version=self.version(data, tag))

    @rule(data=st.data())
    def nominate(self, data: Any) -> None:
        key = self.review(data, ("not_started", "self_submitted"))
        if key is None:
            return
        body = st.fixed_dictionaries({"reviewer_ids": st.lists(st.sampled_from(PEOPLE), max_size=6, unique=True)})
        label = "PUT /api/cycles/{cycle_id}/reviews/{employee_id}/nominations"
        params = {"cycle_id": key[0], "employee_id": key[1]}
        self.call(label, self.actor(data, key[1]), params, data.draw(mostly_valid(body)))

    @rule(data=st.data())
    def decide_nominations(self, data: Any) -> None:
        key = self.review(data, ("not_started", "self_submitted"))
        if key is None:
            return
        params = {"cycle_id": key[0], "employee_id": key[1]}
        _, view, _ = self.call("GET /api/cycles/{cycle_id}/reviews/{employee_id}/nominations", "H1", params)
        named = sorted({r.get("reviewer_id") for r in (view or {}).get("peers", []) if r.get("reviewer_id")})
        ids = st.lists(st.sampled_from(named or list(PEOPLE)), max_size=4, unique=True)
        body = st.fixed_dictionaries({}, optional={"approve": ids, "remove": ids, "add": ids})
        who = self.actor(data, MANAGER.get(key[1]) or "H1", *HR)
        label = "POST /api/cycles/{cycle_id}/reviews/{employee_id}/nominations/decisions"
        self.call(label, who, params, data.draw(mostly_valid(body)))

    @rule(data=st.data())
    def ask_upward(self, data: Any) -> None:
        cycle_id = self._cycle(data, "active")
        if cycle_id:
            self.call("POST /api/cycles/{cycle_id}/feedback/upward", self.actor(data, *HR), {"cycle_id": cycle_id})

    @rule(data=st.data())
    def answer_feedback(self, data: Any) -> None:
        """Someone asked (mostly) reads their requests and saves a draft, answers or declines."""
        asked = sorted(self.asked)
        who = data.draw(st.sampled_from(asked), label="asked")[2] if asked and data.draw(st.booleans()) else None
        who = who or self.actor(data)
        _, mine, _ = self.call("GET /api/feedback/requests", who)
        rows = [r for r in (mine or {}).get("requests", []) if isinstance(r, dict) and r.get("cycle_id")]
        open_ = [r for r in rows if r.get("open")] or rows
        if open_:
            row = data.draw(st.sampled_from(open_), label="request")
            params = {"cycle_id": row["cycle_id"], "subject_id": row.get("subject_id", "E1")}
        else:
            cycle_id = self._cycle(data)
            params = {"cycle_id": cycle_id, "subject_id": data.draw(st.sampled_from(PEOPLE))}
        status, form, headers = self.call("GET /api/feedback/{cycle_id}/{subject_id}", who, params)
        competencies = [c.get("id") for c in (form or {}).get("competencies", []) if isinstance(c, dict)]
        questions = [q.get("id") for q in (form or {}).get("questions", []) if isinstance(q, dict)]
        body = st.fixed_dictionaries(
            {
                "ratings": st.fixed_dictionaries({c: st.one_of(st.none(), st.integers(1, 5)) for c in competencies}),
                "answers": st.fixed_dictionaries({q: TEXT for q in questions}),
            }
        )
        what = data.draw(st.sampled_from(["draft", "answer", "answer", "decline"]), label="what")
        if what == "draft":
            tag = headers.get("ETag") if status == 200 else '"0"'
            label = "PUT /api/feedback/{cycle_id}/{subject_id}/draft"
            self.call(label, who, params, data.draw(mostly_valid(body)), version=self.version(data, tag))
        elif what == "answer":
            self.call("POST /api/feedback/{cycle_id}/{subject_id}/answer", who, params, data.draw(mostly_valid(body)))
        else:
            reason = st.fixed_dictionaries({}, optional={"reason": TEXT})
            self.call(
                "POST /api/feedback/{cycle_id}/{subject_id}/decline", who, params, data.draw(mostly_valid(reason))
            )

    @rule(target=notes, data=st.data())
    def send_note(self, data: Any) -> Any:
        who = self.actor(data)
        body = st.fixed_dictionaries(
            {"to_id": st.sampled_from(PEOPLE), "kind": st.sampled_from(NOTE_KINDS), "text": TEXT},
            optional={"competency_id": st.sampled_from(["delivery", "craft", None])},
        )
        status, note, _ = self.call("POST /api/notes", who, body=data.draw(mostly_valid(body)))
        if status != 201:
            return multiple()
        self.note_ids.append(note["note_id"])
        return note["note_id"]

    @rule(note_id=notes, data=st.data())
    def pull_note(self, note_id: str, data: Any) -> None:
        cycle_id = self._cycle(data)
        body = data.draw(mostly_valid(st.just({"cycle_id": cycle_id})))
        self.call("POST /api/notes/{note_id}/evidence", self.actor(data), {"note_id": note_id}, body)

    # --- goals and actions ------------------------------------------------------------------------------

    @rule(target=goals, data=st.data())
    def create_goal(self, data: Any) -> Any:
        who = self.actor(data)
        # Mostly a parent the rules allow: the manager's team goal or an organisation goal.
        above = [
            g for g, (level, owner) in self.goal_info.items() if level == "organisation" or owner == MANAGER.get(who)
        ]
        known = above if above and data.draw(st.integers(0, 3)) else list(self.goals_seen)
        status, goal, _ = self.call(
            "POST /api/goals", who, body=data.draw(mostly_valid(goal_body(who, self.active(), known)))
        )
        if status == 201:
            self.goals_seen.append(goal["goal_id"])
            self.goal_info[goal["goal_id"]] = (goal["level"], goal["owner_id"])
            return goal["goal_id"]
        return multiple()

    @rule(goal_id=goals, data=st.data())
    def change_goal(self, goal_id: str, data: Any) -> None:
        params = {"goal_id": goal_id}
        status, goal, headers = self.call("GET /api/goals/{goal_id}", "H1", params)
        owner = goal.get("owner_id", "H1") if status == 200 else "H1"
        body = data.draw(mostly_valid(goal_patch(self.goals_seen)))
        who = self.actor(data, owner, MANAGER.get(owner) or "H1")
        self.call("PATCH /api/goals/{goal_id}", who, params, body, version=self.version(data, headers.get("ETag")))

    @rule(goal_id=goals, data=st.data())
    def assign_goal(self, goal_id: str, data: Any) -> None:
        body = st.fixed_dictionaries(
            {"weight": st.integers(0, 100)},
            optional={
                "due": st.one_of(st.none(), DAY),
                "department": st.sampled_from([*DEPARTMENTS, None]),
                "cycle_id": st.sampled_from([*self.active(), None]),
            },
        )
        self.call(
            "POST /api/goals/{goal_id}/assign",
            self.actor(data, "M1", "M2", *HR),
            {"goal_id": goal_id},
            data.draw(mostly_valid(body)),
        )

    @rule(data=st.data())
    def move_action(self, data: Any) -> None:
        """An action's owner (or HR) moves it along, a few times in a row."""
        owner = data.draw(st.sampled_from(sorted(self.action_owners) or PEOPLE), label="owner")
        _, mine, _ = self.call("GET /api/actions", owner)
        actions = (mine or {}).get("actions", [])
        if not actions:
            return
        action = data.draw(st.sampled_from(actions), label="action")
        for _ in range(data.draw(st.integers(1, 3), label="moves")):
            body = data.draw(mostly_valid(st.fixed_dictionaries({"status": st.sampled_from(ACTION_STATUSES)})))
            params = {"action_id": action["action_id"]}
            who, version = self.actor(data, owner, *HR), self.version(data, action.get("version"))
            status, moved, _ = self.call("PATCH /api/actions/{action_id}", who, params, body, version=version)
            if status == 200:
                action = moved

    # --- training needs and topics --------------------------------------------------------------------

    @rule(data=st.data())
    def address_need(self, data: Any) -> None:
        person = data.draw(st.sampled_from(PEOPLE), label="person")
        _, needs, _ = self.call("GET /api/people/{employee_id}/training-needs", person, {"employee_id": person})
        ids = [n["need_id"] for n in (needs or {}).get("needs", []) if isinstance(n, dict) and "need_id" in n]
        need_id = data.draw(st.sampled_from(ids or ["no.such.need"]), label="need")
        body = data.draw(mostly_valid(st.fixed_dictionaries({"activity_ref": TEXT})))
        self.call(
            "POST /api/training-needs/{need_id}/addressed", self.actor(data, person, *HR), {"need_id": need_id}, body
        )

    @rule(data=st.data())
    def topics(self, data: Any) -> None:
        who = self.actor(data, *HR)
        if self.topics and data.draw(st.booleans(), label="merge?"):
            body = st.fixed_dictionaries(
                {"source_id": st.sampled_from(self.topics), "target_id": st.sampled_from(self.topics)}
            )
            self.call("POST /api/training-topics/merge", who, body=data.draw(mostly_valid(body)))
            return
        body = st.fixed_dictionaries(
            {"name": st.sampled_from(TOPICS)},
            optional={"synonyms": st.lists(st.sampled_from(TOPICS), max_size=3), "competency_id": st.just("delivery")},
        )
        status, topic, _ = self.call("POST /api/training-topics", who, body=data.draw(mostly_valid(body)))
        if status == 201 and isinstance(topic, dict) and topic.get("topic_id"):
            self.topics.append(topic["topic_id"])

    # --- learning, evidence, interviews ---------------------------------------------------------------

    @rule(target=activities, data=st.data())
    def log_activity(self, data: Any) -> Any:
        who = self.actor(data)
        body = st.fixed_dictionaries(
            {"type": st.sampled_from(ACTIVITY_TYPES), "title": TEXT, "date": PAST},
            optional={"hours": st.floats(0, 40), "provider": TEXT, "learnt": TEXT, "need_id": st.none()},
        )
        status, act, _ = self.call("POST /api/learning/activities", who, body=data.draw(mostly_valid(body)))
        if status == 201:
            self.owner_of["act:" + act["activity_id"]] = who
            return act["activity_id"]
        return multiple()

    @rule(activity_id=activities, data=st.data())
    def change_activity(self, activity_id: str, data: Any) -> None:
        owner = self.owner_of.get("act:" + activity_id, "E1")
        params = {"activity_id": activity_id}
        tag = self.etag("GET /api/learning/activities/{activity_id}", params, owner)
        who, version = self.actor(data, owner), self.version(data, tag)
        if data.draw(st.integers(0, 3), label="delete?") == 0:
            self.call("DELETE /api/learning/activities/{activity_id}", who, params, version=version)
            return
        body = st.fixed_dictionaries(
            {},
            optional={"type": st.sampled_from(ACTIVITY_TYPES), "title": TEXT, "date": PAST, "hours": st.integers(0, 9)},
        )
        self.call(
            "PATCH /api/learning/activities/{activity_id}", who, params, data.draw(mostly_valid(body)), version=version
        )

    @rule(activity_id=activities, data=st.data())
    def comment_evidence(self, activity_id: str, data: Any) -> None:
        owner = self.owner_of.get("act:" + activity_id, "E1")
        cycle_id = self._cycle(data)
        self.call("GET /api/learning/evidence", owner, query={"cycle_id": cycle_id})
        params = {"cycle_id": cycle_id, "employee_id": owner, "activity_id": activity_id}
        body = data.draw(mostly_valid(st.fixed_dictionaries({"text": TEXT})))
        label = "POST /api/learning/reviews/{cycle_id}/{employee_id}/evidence/{activity_id}/comments"
        self.call(label, self.actor(data, MANAGER.get(owner) or "C0"), params, body)

    @rule(target=contacts, data=st.data())
    def add_contact(self, data: Any) -> Any:
        who = self.actor(data)
        mine = sorted(c[4:] for c, o in self.owner_of.items() if o == who and c.startswith("con:"))
        body = st.fixed_dictionaries(
            {"name": TEXT},
            optional={
                "role": TEXT,
                "found_via": st.sampled_from(CONTACT_SOURCES),
                "format": st.sampled_from(INTERVIEW_FORMATS),
                "referred_by": st.sampled_from([*mine, None]),
            },
        )
        status, contact, _ = self.call("POST /api/learning/contacts", who, body=data.draw(mostly_valid(body)))
        if status == 201:
            self.owner_of["con:" + contact["contact_id"]] = who
            return contact["contact_id"]
        return multiple()

    @rule(contact_id=contacts, data=st.data())
    def interview(self, contact_id: str, data: Any) -> None:
        """A few steps of an interview: mostly what the contact says can come next, sometimes anything."""
        owner = self.owner_of.get("con:" + contact_id, "E1")
        params = {"contact_id": contact_id}
        for _ in range(data.draw(st.integers(1, 4), label="steps")):
            status, contact, headers = self.call("GET /api/learning/contacts/{contact_id}", owner, params)
            can = [k for k, v in (contact or {}).get("can", {}).items() if v] if status == 200 else []
            who, version = self.actor(data, owner), self.version(data, headers.get("ETag"))
            what = data.draw(
                st.sampled_from(can)
                if can and data.draw(st.booleans())
                else st.sampled_from(["patch", *INTERVIEW_ACTIONS, "complete"]),
                label="what",
            )
            if what == "patch":
                body = st.fixed_dictionaries(
                    {},
                    optional={
                        "outreach": TEXT,
                        "scheduled_for": st.one_of(st.none(), DAY, st.just("2026-03-05T10:00")),
                        "checklist": st.dictionaries(st.sampled_from(["research_industry", "x"]), st.booleans()),
                        "thanked": st.booleans(),
                        "shared_with_manager": st.booleans(),
                        "format": st.sampled_from(INTERVIEW_FORMATS),
                    },
                )
                label = "PATCH /api/learning/contacts/{contact_id}"
            elif what == "complete":
                referral = st.fixed_dictionaries({"name": TEXT}, optional={"role": TEXT})
                body = st.fixed_dictionaries(
                    {"learnt": TEXT},
                    optional={
                        "completed_on": st.one_of(st.none(), PAST),
                        "hours": st.integers(0, 8),
                        "shared_with_manager": st.booleans(),
                        "referrals": st.lists(referral, max_size=2),
                    },
                )
                label = "POST /api/learning/contacts/{contact_id}/complete"
            else:
                body = st.fixed_dictionaries(
                    {"action": st.just(what) if what in INTERVIEW_ACTIONS else st.sampled_from(INTERVIEW_ACTIONS)},
                    optional={"scheduled_for": st.one_of(st.none(), DAY, st.just("2026-03-05T10:00"))},
                )
                label = "POST /api/learning/contacts/{contact_id}/actions"
            self.call(label, who, params, data.draw(mostly_valid(body)), version=version)

    @rule(data=st.data())
    def question_bank(self, data: Any) -> None:
        who = self.actor(data)
        tag = self.etag("GET /api/learning/questions", {}, who)
        body = st.fixed_dictionaries({"questions": st.lists(TEXT, max_size=12)})
        self.call(
            "PUT /api/learning/questions", who, body=data.draw(mostly_valid(body)), version=self.version(data, tag)
        )

    # --- exports --------------------------------------------------------------------------------------

    @rule(target=exports, data=st.data())
    def export(self, data: Any) -> Any:
        body = st.fixed_dictionaries(
            {"cycle_id": st.sampled_from(sorted(self.cycles))},
            optional={"department": st.sampled_from([*DEPARTMENTS, None])},
        )
        key = data.draw(st.sampled_from([None, "k1", "k2"]), label="Idempotency-Key")
        status, job, _ = self.call(
            "POST /api/exports",
            self.actor(data, *HR),
            body=data.draw(mostly_valid(body)),
            headers={"Idempotency-Key": key} if key else None,
        )
        if status not in (200, 201):
            return multiple()
        self.export_ids.append(job["export_id"])
        return job["export_id"]

    @rule(export_id=exports, data=st.data())
    def follow_export(self, export_id: str, data: Any) -> None:
        params = {"export_id": export_id}
        who = self.actor(data, *HR)
        self.call("GET /api/exports/{export_id}", who, params)
        self.call("GET /api/exports/{export_id}/link", who, params)
        tag = self.etag("GET /api/exports/{export_id}", params)
        self.call("POST /api/exports/{export_id}/retry", who, params, version=self.version(data, tag))

    # --- the organisation ---------------------------------------------------------------------------

    @rule(data=st.data())
    def reimport(self, data: Any) -> None:
        """HR imports the organisation again: the same file (nothing changes), a hire, a move, a leaver, or worse."""
        hire = "E5,Eda Five,e5@example.com,Engineer,Engineering,M1,\n"
        e2 = "E2,Eli Two,e2@example.com,Engineer,Engineering,M1,"
        variants = {
            "same": FUZZ_ORG_CSV,
            "hire": FUZZ_ORG_CSV + hire,
            "move": FUZZ_ORG_CSV.replace(e2, "E2,Eli Two,e2@example.com,Engineer,Sales,M2,"),
            "leaver": FUZZ_ORG_CSV.replace("E4,Eric Four,e4@example.com,Account Executive,Sales,M2,\n", ""),
            "loop": FUZZ_ORG_CSV.replace(
                "C0,Chief Zero,c0@example.com,Chief Executive,Board,,",
                "C0,Chief Zero,c0@example.com,Chief Executive,Board,E1,",
            ),
            "unknown manager": FUZZ_ORG_CSV + hire.replace("M1", "M9"),
            "not a file": data.draw(WORDS, label="csv"),
        }
        body = {"csv": variants[data.draw(st.sampled_from(sorted(variants)), label="file")]}
        query = {"dry_run": data.draw(st.sampled_from(["true", "false", "false"]), label="dry run")}
        self.call(
            "POST /api/org/imports", self.actor(data, *HR), body=data.draw(mostly_valid(st.just(body))), query=query
        )

    # --- every read, and every operation with generated input ---------------------------------------

    @rule(data=st.data())
    def read(self, data: Any) -> None:
        cycle_id = self._cycle(data)
        person = data.draw(st.sampled_from(PEOPLE), label="person")
        goal_id = data.draw(st.sampled_from(self.goals_seen or ["no-goal"]), label="goal")
        reads = [
            ("GET /api/me", {}, None),
            ("GET /api/cycles", {}, None),
            ("GET /api/templates", {}, None),
            ("GET /api/actions", {}, None),
            ("GET /api/cycles/{cycle_id}", {"cycle_id": cycle_id}, None),
            ("GET /api/cycles/{cycle_id}/progress", {"cycle_id": cycle_id}, None),
            ("GET /api/cycles/{cycle_id}/audit", {"cycle_id": cycle_id}, None),
            ("GET /api/cycles/{cycle_id}/team", {"cycle_id": cycle_id}, None),
            ("GET /api/cycles/{cycle_id}/reviews", {"cycle_id": cycle_id}, None),
            ("GET /api/cycles/{cycle_id}/alignment", {"cycle_id": cycle_id}, None),
            ("GET /api/cycles/{cycle_id}/training-report", {"cycle_id": cycle_id}, {"n": 3}),
            ("GET /api/cycles/{cycle_id}/feedback/progress", {"cycle_id": cycle_id}, None),
            ("GET /api/cycles/{cycle_id}/feedback/settings", {"cycle_id": cycle_id}, None),
            ("GET /api/reports/training.pdf", {}, {"cycle": cycle_id}),
            ("GET /api/goals", {}, {"cycle_id": cycle_id}),
            ("GET /api/goals/{goal_id}", {"goal_id": goal_id}, {"cycle_id": cycle_id}),
            ("GET /api/goals/{goal_id}/children", {"goal_id": goal_id}, None),
            ("GET /api/people/{employee_id}", {"employee_id": person}, None),
            ("GET /api/people/{employee_id}/history", {"employee_id": person}, None),
            ("GET /api/people/{employee_id}/goals", {"employee_id": person}, {"cycle_id": cycle_id}),
            ("GET /api/people/{employee_id}/notes", {"employee_id": person}, None),
            ("GET /api/people/{employee_id}/training-needs", {"employee_id": person}, {"cycle_id": cycle_id}),
            ("GET /api/people/{employee_id}/reports", {"employee_id": person}, None),
            ("GET /api/people/{employee_id}/chain", {"employee_id": person}, None),
            ("GET /api/learning/people/{employee_id}/interview-summaries", {"employee_id": person}, None),
            ("GET /api/departments/{name}/people", {"name": data.draw(st.sampled_from(DEPARTMENTS))}, None),
            ("GET /api/learning/activities", {}, None),
            ("GET /api/learning/contacts", {}, None),
            ("GET /api/learning/insights", {}, None),
            ("GET /api/learning/report", {}, {"year": data.draw(st.sampled_from(["2026", "2025", "26", "x"]))}),
            ("GET /api/feedback/requests", {}, None),
            ("GET /api/exports", {}, None),
            ("GET /api/training-topics", {}, None),
            ("GET /api/org/imports", {}, None),
        ]
        for _ in range(data.draw(st.integers(1, 3), label="reads")):
            label, params, query = data.draw(st.sampled_from(reads), label="read")
            self.call(label, self.actor(data, person, *HR, *LEADERSHIP), params, query=query)

    @rule(data=st.data())
    def generated(self, data: Any) -> None:
        """Any operations with schemathesis' input (valid or not), on ids that exist or not."""
        for _ in range(data.draw(st.integers(1, 3), label="operations")):
            self._generated(data)

    def _generated(self, data: Any) -> None:
        from schemathesis import GenerationMode

        label = data.draw(st.sampled_from(CONTRACT.labels()), label="operation")
        mode = data.draw(st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]), label="mode")
        case = data.draw(generated_case(label, mode), label="case")
        ids = {
            "cycle_id": sorted(self.cycles),
            "template_id": self.template_ids,
            "employee_id": list(PEOPLE),
            "subject_id": list(PEOPLE),
            "goal_id": self.goals_seen,
            "activity_id": [a[4:] for a in self.owner_of if a.startswith("act:")],
            "contact_id": [c[4:] for c in self.owner_of if c.startswith("con:")],
            "name": list(DEPARTMENTS),
            "session_id": sorted(self.sessions),
        }
        params = {}
        for name, value in (case.path_parameters or {}).items():
            pool = ids.get(name) or []
            params[name] = data.draw(st.sampled_from(pool), label=name) if pool and data.draw(st.booleans()) else value
        params = {k: str(v) for k, v in params.items()}
        if any("/" in v or not v for v in params.values()):
            return  # a path segment that is no segment: the router's 404, not the operation's
        headers = {k: v for k, v in (case.headers or {}).items() if k.lower() in ("if-match", "idempotency-key")}
        body = case.body if case.media_type in (None, "application/json") else None
        if case.media_type not in (None, "application/json"):
            return
        if body is not None and not _json_safe(body):
            return
        self.call(label, self.actor(data), params, body, query=case.query or None, headers=headers)


def _owners_in(body: Any) -> set[str]:
    """The owners of the obstacles and agreed actions in an assessment or discussion body."""
    content = body.get("content") if isinstance(body, dict) else None
    if not isinstance(content, dict):
        return set()
    items = [i for key in ("obstacles", "agreed_actions") if isinstance(content.get(key), list) for i in content[key]]
    return {i["owner_id"] for i in items if isinstance(i, dict) and isinstance(i.get("owner_id"), str)}


def _json_safe(value: Any) -> bool:
    import json

    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


_CASES: dict[tuple[str, Any], Any] = {}


def generated_case(label: str, mode: Any) -> st.SearchStrategy:
    """schemathesis' strategy for one operation (cached: building one reads the whole document)."""
    if (label, mode) not in _CASES:
        import schemathesis

        if "schema" not in _CASES:
            loaded = schemathesis.openapi.from_dict(SPEC)
            loaded.config.generation.update(codec="utf-8", with_security_parameters=False)
            _CASES["schema"] = loaded  # type: ignore[index]
        operation = _CASES["schema"].find_operation_by_label(label)  # type: ignore[index]
        _CASES[(label, mode)] = operation.as_strategy(mode)
    return _CASES[(label, mode)]


def test_the_api_holds_its_contract_in_every_state_of_every_workflow(monkeypatch: pytest.MonkeyPatch) -> None:
    """Generated journeys as every role: no 5xx, no off-schema answer, every workflow reaches its states."""
    if os.environ.get("FUZZ_PDF") != "1":  # rendering is WeasyPrint's (tests/pdf); the context is still built
        monkeypatch.setattr("service.pdf.summary_pdf.summary_pdf", lambda summary: b"%PDF-1.7 stand-in")
        monkeypatch.setattr("service.pdf.training_pdf.training_report_pdf", lambda context: b"%PDF-1.7 stand-in")
    started = time.perf_counter()
    with example_tables() as new_table:
        TABLES["new"] = new_table
        try:
            run_state_machine_as_test(
                ApiMachine,
                settings=settings(
                    max_examples=STATEFUL_EXAMPLES,
                    stateful_step_count=STATEFUL_STEPS,
                    deadline=None,
                    derandomize=os.environ.get("FUZZ_RANDOM") != "1",
                    database=None,
                    suppress_health_check=list(HealthCheck),
                    # A failure is reported with its whole journey; shrinking it takes minutes (FUZZ_SHRINK=1 does).
                    phases=[p for p in Phase if p is not Phase.shrink or os.environ.get("FUZZ_SHRINK") == "1"],
                ),
            )
        finally:
            FIGURES.seconds += time.perf_counter() - started
    if STATEFUL_EXAMPLES * STATEFUL_STEPS >= 1200:  # the CI run or longer: the journeys must go deep
        reached = {state for flow, state in FIGURES.states if flow == "review"}
        assert reached == set(REVIEW_STATES), f"reviews reached only {sorted(reached)}"
        assert {s for f, s in FIGURES.states if f == "cycle"} >= {"draft", "active", "closed", "reopened"}
    assert FIGURES.server_errors == 0, FIGURES.findings
    assert not FIGURES.findings, FIGURES.findings
