"""An organisation with two people in each role, a launched cycle with some content, and the app over moto.

Identities (bearer tokens, as the CLI mints them): employees E1, E3 (different managers), managers M1, M2,
HR H1, H2, leadership L1, L2. No one of a pair is in the other's management chain, so anything one of them
owns is the other's to be refused.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest

from service.adapters import moto_patches
from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from tests import factories as f

FUZZ_ORG_CSV = """employee_id,name,email,title,department,manager_id,roles
C0,Chief Zero,c0@example.com,Chief Executive,Board,,
L1,Lead One,l1@example.com,Director,Leadership,C0,leadership
L2,Lead Two,l2@example.com,Director,Leadership,C0,leadership
H1,Hana One,h1@example.com,People Partner,People,C0,hr
H2,Hugo Two,h2@example.com,People Partner,People,C0,hr
M1,Mona One,m1@example.com,Engineering Manager,Engineering,L1,
M2,Milo Two,m2@example.com,Sales Manager,Sales,L2,
E1,Eve One,e1@example.com,Engineer,Engineering,M1,
E2,Eli Two,e2@example.com,Engineer,Engineering,M1,
E3,Ema Three,e3@example.com,Account Executive,Sales,M2,
E4,Eric Four,e4@example.com,Account Executive,Sales,M2,
"""
PAIRS = {"employee": ("E1", "E3"), "manager": ("M1", "M2"), "hr": ("H1", "H2"), "leadership": ("L1", "L2")}
IDENTITIES = tuple(who for pair in PAIRS.values() for who in pair)
TABLE = "reviews-fuzz"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Examples per operation: a few dozen in CI; `make fuzz` asks for many more, on moto.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "20"))


@dataclass
class World:
    """What the fuzzed app holds, and how to act as each identity."""

    app: Any
    table: Any
    cycle_id: str
    template_id: str
    tokens: dict[str, str]
    goals: dict[str, str]  # owner → one of their goal ids
    actions: dict[str, str]  # owner → one of their action ids
    session_id: str = ""  # issue 23: an open calibration session (E3's review in calibration)

    def headers(self, who: str) -> dict[str, str]:
        """The headers of an API client signed in as `who`."""
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _seed(table: Any, clock: FixedClock) -> tuple[str, str, dict[str, str], dict[str, str]]:
    from service.services import cycles as cycle_svc
    from service.services import goals as goal_svc
    from service.services import reviews as review_svc
    from service.services import templates as template_svc
    from service.services.directory import import_organisation

    import_organisation(UnitOfWork(table), None, FUZZ_ORG_CSV, clock)
    hr = f.principal(table, "H1")
    template = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    goals: dict[str, str] = {}
    for who in IDENTITIES:
        data = {"level": "individual", "title": f"Goal of {who}", "cycle_id": cycle.cycle_id, "weight": 100}
        goals[who] = goal_svc.create_goal(UnitOfWork(table), f.principal(table, who), data, clock).goal_id
    actions: dict[str, str] = {}
    for employee, manager in (("E1", "M1"), ("E3", "M2"), ("M1", "L1"), ("M2", "L2")):
        view = review_svc.open_review(UnitOfWork(table), f.principal(table, employee), cycle.cycle_id, employee)
        view = review_svc.save_self_assessment(
            UnitOfWork(table),
            f.principal(table, employee),
            cycle.cycle_id,
            employee,
            f.self_content(),
            view.version,
            True,
            clock,
        )
        content = f.manager_content(owner_id=employee)
        review_svc.save_manager_assessment(
            UnitOfWork(table),
            f.principal(table, manager),
            cycle.cycle_id,
            employee,
            content,
            view.version,
            True,
            clock,
        )
    from service.services import actions as action_svc

    for who in ("E1", "E3", "M1", "M2"):
        owned = action_svc.my_actions(UnitOfWork(table), f.principal(table, who))
        if owned:
            actions[who] = owned[0].action_id
    return cycle.cycle_id, template.template_id, goals, actions


def _seed_calibration(table: Any, clock: FixedClock) -> str:
    """A second cycle, on a template with a calibration phase, with E3's review in calibration in an open session
    (issue 23), so that generated requests reach the calibration operations past their 404s."""
    from service.services import calibration
    from service.services import cycles as cycle_svc
    from service.services import reviews as review_svc
    from service.services import templates as template_svc

    hr = f.principal(table, "H1")
    template = template_svc.create_template(UnitOfWork(table), hr, f.template_data(calibration=True), clock)
    data = f.cycle_data(template.template_id, participant_mode="list", employee_ids=["E3"])
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, data, clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    me, manager = f.principal(table, "E3"), f.principal(table, "M2")
    view = review_svc.open_review(UnitOfWork(table), me, cycle.cycle_id, "E3")
    view = review_svc.save_self_assessment(
        UnitOfWork(table), me, cycle.cycle_id, "E3", f.self_content(), view.version, True, clock
    )
    content = f.manager_content(owner_id="E3")
    review_svc.save_manager_assessment(
        UnitOfWork(table), manager, cycle.cycle_id, "E3", content, view.version, True, clock
    )
    body = {"name": "Sales", "group": "list", "employee_ids": ["E3"], "facilitators": ["H2"]}
    return calibration.create_session(UnitOfWork(table), hr, cycle.cycle_id, body, clock).session_id


def _seed_learning(table: Any, clock: FixedClock) -> None:
    """One learning activity and one planner contact of E1 (issue 14), so generated requests reach them."""
    from service.services import interviews, learning

    me = f.principal(table, "E1")
    data = {"type": "course", "title": "Fuzzing", "date": "2026-02-01", "hours": 2}
    learning.create_activity(UnitOfWork(table), me, data, clock)
    interviews.add_contact(UnitOfWork(table), me, {"name": "Mae", "role": "Scientist"}, clock)
    from service.services import learning_plan  # issue 27: and an item of E1's learning plan

    learning_plan.add_item(
        UnitOfWork(table), me, {"kind": "course", "title": "Fuzz", "target_date": "2026-04-01"}, clock
    )


@contextmanager
def _table() -> Iterator[Any]:
    """The in-memory table (same conditional semantics, fast), or moto's DynamoDB with FUZZ_TABLE=moto."""
    if os.environ.get("FUZZ_TABLE", "memory") != "moto":
        from service.adapters.store import MemoryTable

        yield MemoryTable()
        return
    from moto import mock_aws

    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable
    from service.adapters.table_setup import create_table

    with mock_aws(), moto_patches.patched():
        c = client("dynamodb", Settings(region="eu-west-1"))
        create_table(c, TABLE)
        yield DynamoTable(c, TABLE)


def _stand_in_exports(app: Any) -> None:
    """Exports run inline with a stand-in renderer: the fuzzing is of the API, not of WeasyPrint."""
    from service.web.exports import use_exports

    use_exports(app, render=lambda summary: b"%PDF-1.7 stand-in")


@pytest.fixture(scope="session")
def world():
    """The app over a table seeded once for the whole fuzz session."""
    from service.web import create_app
    from service.web.auth import mint_token

    settings = Settings(table_name=TABLE, region="eu-west-1", secret_key="fuzz-secret-key-" + "x" * 20)
    clock = FixedClock(NOW)
    with _table() as table:
        cycle_id, template_id, goals, actions = _seed(table, clock)
        _seed_learning(table, clock)
        session_id = _seed_calibration(table, clock)
        app = create_app(settings, table=table, clock=clock)
        app.config["TESTING"] = True
        _stand_in_exports(app)
        tokens = {who: mint_token(settings, who) for who in IDENTITIES}
        yield World(app, table, cycle_id, template_id, tokens, goals, actions, session_id)


@pytest.fixture(scope="session")
def api_schema(world):
    """The app's OpenAPI document as schemathesis reads it, over WSGI from the app itself."""
    import schemathesis

    loaded = schemathesis.openapi.from_wsgi("/api/openapi.json", world.app)
    # UTF-8 only: a JSON text with a lone surrogate is not valid Unicode (tests/api/test_hostile_input.py sends them).
    # The test sends each identity's own token, so schemathesis must not generate (or negate) the header itself:
    # a negated Authorization it then counts as "invalid data" would reach the app as a valid token.
    loaded.config.generation.update(deterministic=True, codec="utf-8", with_security_parameters=False)
    # The schema says what is well-formed; whether it makes sense (is the cycle open, is this version the
    # latest, may this person act) is the services' to answer, with 403/404/409/412/422.
    loaded.config.checks.positive_data_acceptance.expected_statuses = [
        "2xx",
        "3xx",
        "401",
        "403",
        "404",
        "409",
        "412",
        "422",
        "429",
    ]
    return loaded


def known_ids(world: World) -> dict[str, list[Any]]:
    """Ids of things that exist, per path parameter, so that generated requests get past their 404s."""
    return {
        "cycle_id": [world.cycle_id],
        "template_id": [world.template_id],
        "employee_id": list(IDENTITIES),
        "goal_id": list(world.goals.values()),
        "action_id": list(world.actions.values()),
        "activity_id": [a.activity_id for a in UnitOfWork(world.table).learning.of_owner("E1")],
        "contact_id": [c.contact_id for c in UnitOfWork(world.table).planner.of_owner("E1")],
        "item_id": [i.item_id for i in UnitOfWork(world.table).learning_plan.of_owner("E1")],
        "name": ["Engineering", "Sales"],
        "export_id": [j.export_id for j in UnitOfWork(world.table).exports.recent()] or ["none-yet"],
        "version": [1],
        "need_id": [f"{world.cycle_id}.{e}.{s}.0" for e in ("E1", "E3") for s in ("self", "manager")],
        "subject_id": list(IDENTITIES),  # feedback (issue 9): the person feedback is about
        "note_id": ["no-such-note"],
        "decision_id": ["no-such-decision"],  # issue 27: recorded decisions are fuzzed through POST /api/decisions
        "session_id": [world.session_id, "no-such-session"],  # issue 23: an open calibration session, a missing one
        # issue 28: chat channels (slack, teams, and email, which is no chat), a one-to-one's day (one not held,
        # one that is no date), delegations, contributions and schedule rules asked for by ids that do not exist
        "channel": ["slack", "teams", "email"],
        "day": ["2026-03-09", "2026-13-40"],
        "delegation_id": ["no-such-delegation"],
        "contribution_id": ["no-such-contribution"],
        "rule_id": ["no-such-rule"],
        "point_id": ["no-such-point"],  # a one-to-one's talking point ticked covered (issue 28)
    }


def operation_labels() -> list[str]:
    """`METHOD /path` of every documented operation (from an app over an empty in-memory table: no AWS)."""
    from service.adapters.store import MemoryTable
    from service.web import create_app
    from service.web.openapi import build_spec

    app = create_app(Settings(secret_key="labels-only-" + "x" * 20), table=MemoryTable())
    spec = build_spec(app)
    return [f"{method.upper()} {path}" for path, ops in spec["paths"].items() for method in ops]


@contextmanager
def example_tables(kind: str | None = None) -> Iterator[Any]:
    """A factory of fresh, empty tables (one per state-machine example): in memory, or on moto (FUZZ_TABLE=moto)."""
    from service.adapters.store import MemoryTable

    if (kind or os.environ.get("FUZZ_TABLE", "memory")) != "moto":
        yield MemoryTable
        return
    from moto import mock_aws

    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable
    from service.adapters.table_setup import create_table

    with mock_aws(), moto_patches.patched():
        c = client("dynamodb", Settings(region="eu-west-1"))
        made: list[str] = []

        def new() -> Any:
            if made:  # one example at a time: the previous example's table goes
                c.delete_table(TableName=made[-1])
            made.append(f"{TABLE}-{len(made)}")
            create_table(c, made[-1])
            return DynamoTable(c, made[-1])

        yield new


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The figures of the stateful fuzzing run (issue 22), when it ran."""
    from tests.fuzz.contract import FIGURES

    if not FIGURES.requests:
        return
    terminalreporter.section("stateful fuzzing of the JSON API")
    for line in FIGURES.lines(operation_labels()):
        terminalreporter.write_line(line)
