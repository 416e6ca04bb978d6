"""Helpers for the review-cycle API tests, and fixtures that keep these moto-backed tests fast.

Starting moto, building a Flask app and launching a cycle cost more than most tests themselves, so a
module that opts in gets, per module: one moto backend (`_module_moto`) and one app over it
(`module_app`); and per test: the table dropped, created again from template.yaml and filled with a
snapshot built once per module through the use cases:

- `org_state`: the organisation of tests/conftest.py (ORG_CSV), nothing else;
- `launched_state`: that organisation plus one cycle over everyone, launched with the factory template
  and phases; `launched_cycle_id` names it.

A module opts in with::

    pytestmark = pytest.mark.usefixtures("launched_state")

    @pytest.fixture(scope="module")
    def app(module_app):
        return module_app

The root `client` and `auth` fixtures then work as usual (a new client per test, signed in through
the sign-in page); `as_("E3")` signs in further people on clients of their own.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

import pytest

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from tests import factories as f
from tests.api.aws_faults import down, fast_aws  # noqa: F401 - fixtures: AWS made unreachable
from tests.conftest import ORG_CSV, AuthActions, RequestCounter

TABLE = "reviews-api-tests"
SNAPSHOT_TABLE = "reviews-api-snapshot"
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # the root `clock` fixture's moment


@cache
def _table_definition() -> dict[str, Any]:
    """The table as template.yaml declares it (parsed once per run)."""
    from service.adapters.table_setup import table_definition

    return table_definition()


def _create_empty_table(c: Any, name: str) -> None:
    if name in c.list_tables()["TableNames"]:
        c.delete_table(TableName=name)
    c.create_table(TableName=name, **copy.deepcopy(_table_definition()))  # moto creates it at once


@pytest.fixture(scope="module")
def _module_moto():
    """One moto backend and DynamoDB client for a whole test module."""
    from moto import mock_aws

    from service.adapters import moto_patches
    from service.adapters.aws import client

    with mock_aws(), moto_patches.patched():
        yield client("dynamodb", Settings(region="eu-west-1"))


@pytest.fixture(scope="module")
def module_app(_module_moto):
    """One app per module over the module's table (whose content each test sets afresh)."""
    from service.adapters.dynamo import DynamoTable
    from service.web import create_app

    settings = Settings(table_name=TABLE, region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    application = create_app(settings, table=DynamoTable(_module_moto, TABLE), clock=FixedClock(NOW))
    application.config["TESTING"] = True
    return application


class _SnapshotClock(FixedClock):
    """The tests' moment, with ids of its own so that nothing the app creates later collides with them."""

    def new_id(self) -> str:
        return "base-" + super().new_id()


def _snapshot(c: Any, build: Callable[[Any, FixedClock], Any]) -> tuple[Any, list[dict[str, Any]]]:
    """(what `build` returned, the raw items it left in an empty table)."""
    from service.adapters.dynamo import DynamoTable
    from service.services.directory import import_organisation

    _create_empty_table(c, SNAPSHOT_TABLE)
    table, clock = DynamoTable(c, SNAPSHOT_TABLE), _SnapshotClock(NOW)
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    result = build(table, clock)
    items = [i for page in c.get_paginator("scan").paginate(TableName=SNAPSHOT_TABLE) for i in page["Items"]]
    c.delete_table(TableName=SNAPSHOT_TABLE)
    return result, items


@pytest.fixture(scope="module")
def _org_snapshot(_module_moto):
    """The organisation's items, built once per module."""
    return _snapshot(_module_moto, lambda table, clock: None)


@pytest.fixture(scope="module")
def _launched_snapshot(_module_moto):
    """(cycle id, items) of the organisation plus a cycle over everyone launched by HR, built once per module."""
    return _snapshot(_module_moto, lambda table, clock: f.launched_cycle(table, clock).cycle_id)


def _restore(c: Any, items: list[dict[str, Any]]) -> RequestCounter:
    """Drop and create the table, put the items back, and guard it against Scans from here on."""
    _create_empty_table(c, TABLE)
    for start in range(0, len(items), 25):
        c.batch_write_item(RequestItems={TABLE: [{"PutRequest": {"Item": i}} for i in items[start : start + 25]]})
    counter = RequestCounter()
    c.meta.events.register("before-call.dynamodb.*", counter.before, unique_id="api-tests-counter-before")
    c.meta.events.register("after-call.dynamodb.*", counter.after, unique_id="api-tests-counter-after")
    return counter


def _unguard(c: Any) -> None:
    c.meta.events.unregister("before-call.dynamodb.*", unique_id="api-tests-counter-before")
    c.meta.events.unregister("after-call.dynamodb.*", unique_id="api-tests-counter-after")


@pytest.fixture
def org_state(_org_snapshot, _module_moto):
    """The module's table holds the organisation only; yields a RequestCounter (a Scan fails the test)."""
    yield _restore(_module_moto, _org_snapshot[1])
    _unguard(_module_moto)


@pytest.fixture
def launched_state(_launched_snapshot, _module_moto):
    """The module's table holds the organisation and one launched cycle over everyone."""
    yield _restore(_module_moto, _launched_snapshot[1])
    _unguard(_module_moto)


@pytest.fixture
def launched_cycle_id(_launched_snapshot, launched_state) -> str:
    """The id of the cycle `launched_state` holds."""
    return _launched_snapshot[0]


class Actor:
    """One person signed in on their own test client; writes carry the CSRF header and, if given, If-Match."""

    def __init__(self, client, auth: AuthActions, employee_id: str) -> None:
        self.client = client
        self.auth = auth
        self.employee_id = employee_id

    def get(self, url: str):
        return self.client.get(url)

    def send(self, method: str, url: str, body: Any = None, version: int | str | None = None):
        headers = self.auth.headers()
        if version is not None:
            headers["If-Match"] = f'"{version}"' if isinstance(version, int) else version
        return self.client.open(url, method=method, json=body, headers=headers)

    def post(self, url: str, body: Any = None, version: int | str | None = None):
        return self.send("POST", url, body, version)

    def put(self, url: str, body: Any = None, version: int | str | None = None):
        return self.send("PUT", url, body, version)

    def patch(self, url: str, body: Any = None, version: int | str | None = None):
        return self.send("PATCH", url, body, version)


@pytest.fixture
def as_(app, client, auth):
    """as_("E3") → an Actor signed in as E3; the first person asked for uses the `client`/`auth` fixtures."""
    actors: dict[str, Actor] = {}

    def sign_in(employee_id: str) -> Actor:
        if employee_id not in actors:
            c, a = (client, auth) if not actors else (app.test_client(), None)
            a = a or AuthActions(c)
            a.login(employee_id)
            actors[employee_id] = Actor(c, a, employee_id)
        return actors[employee_id]

    return sign_in


def jsonable(value: Any) -> Any:
    """Factory data with dates as ISO strings (what a client sends)."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    return value


def etag(resp) -> int:
    """The version an ETag header carries."""
    return int(resp.headers["ETag"].strip('"'))


def ok(resp, status: int = 200):
    """The JSON body of a response that must have the given status."""
    assert resp.status_code == status, (resp.status_code, resp.get_json())
    return resp.get_json()


def assert_error(resp, status: int, code: str | None = None) -> dict:
    """The response is the one error shape with this status; returns its field errors."""
    assert resp.status_code == status, (resp.status_code, resp.get_json())
    body = resp.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["status"] == status and body["message"]
    if code is not None:
        assert body["code"] == code
    return body["errors"]


def create_template(hr: Actor, **overrides: Any) -> dict:
    """POST a template (factory defaults) as HR."""
    return ok(hr.post("/api/templates", f.template_data(**overrides)), 201)


def create_cycle(hr: Actor, template_id: str, **overrides: Any) -> dict:
    """POST a draft cycle (factory defaults) as HR."""
    return ok(hr.post("/api/cycles", jsonable(f.cycle_data(template_id, **overrides))), 201)


def launch(hr: Actor, template_id: str | None = None, **overrides: Any) -> dict:
    """Create (if needed, a template and) a cycle and launch it; returns the cycle as stored after launch."""
    template_id = template_id or create_template(hr)["template_id"]
    cycle = create_cycle(hr, template_id, **overrides)
    ok(hr.post(f"/api/cycles/{cycle['cycle_id']}/launch", version=cycle["version"]), 202)
    return ok(hr.get(f"/api/cycles/{cycle['cycle_id']}"))


def review_url(cycle_id: str, employee_id: str, part: str = "") -> str:
    return f"/api/cycles/{cycle_id}/reviews/{employee_id}" + (f"/{part}" if part else "")


def version_of(actor: Actor, cycle_id: str, employee_id: str) -> int:
    """The review's current version, as the actor reads it."""
    return etag(actor.get(review_url(cycle_id, employee_id)))


def write(
    actor: Actor,
    cycle_id: str,
    employee_id: str,
    part: str,
    body: dict | None,
    method: str = "PUT",
    version: int | None = None,
) -> dict:
    """Write one part of a review with If-Match (the version given, else the one the actor reads now); must succeed."""
    if version is None:
        version = version_of(actor, cycle_id, employee_id)
    return ok(actor.send(method, review_url(cycle_id, employee_id, part), body, version))


def submit_self(actor: Actor, cycle_id: str, employee_id: str = "E4", **overrides: Any) -> dict:
    return write(actor, cycle_id, employee_id, "self", {"content": f.self_content(**overrides), "submit": True})


def submit_manager(actor: Actor, cycle_id: str, employee_id: str = "E4", **overrides: Any) -> dict:
    body = {"content": f.manager_content(**overrides), "submit": True}
    return write(actor, cycle_id, employee_id, "manager", body)


def record_discussion(actor: Actor, cycle_id: str, employee_id: str = "E4", **overrides: Any) -> dict:
    body = {"content": f.discussion_content(**overrides), "submit": True}
    return write(actor, cycle_id, employee_id, "discussion", body)


def acknowledge(actor: Actor, cycle_id: str, employee_id: str = "E4", agreement: str = "agree") -> dict:
    body = {"agreement": agreement, "response": ""}
    return write(actor, cycle_id, employee_id, "acknowledge", body, method="POST")


def drive(as_, cycle_id: str, until: str, employee_id: str = "E4") -> dict:
    """Take a review along the normal path (employee, manager E3, HR) until it reaches `until`.

    Each step sends If-Match with the version the previous step's response carried. Returns the last view.
    """
    steps = [
        ("self_submitted", employee_id, "PUT", "self", {"content": f.self_content(), "submit": True}),
        ("manager_submitted", "E3", "PUT", "manager", {"content": f.manager_content(), "submit": True}),
        ("discussed", "E3", "PUT", "discussion", {"content": f.discussion_content(employee_id), "submit": True}),
        ("acknowledged", employee_id, "POST", "acknowledge", {"agreement": "agree", "response": ""}),
        ("finalised", "E2", "POST", "finalise", None),
    ]
    version = None
    for state, person, method, part, body in steps:
        view = write(as_(person), cycle_id, employee_id, part, body, method, version)
        assert view["state"] == state
        if state == until:
            return view
        version = view["version"]
    raise AssertionError(f"unknown state {until!r}")
