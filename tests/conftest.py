"""Shared fixtures: a moto DynamoDB table created from template.yaml, a request counter, apps."""

from __future__ import annotations

import os
import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings

AWS_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
}
for _k, _v in AWS_ENV.items():
    os.environ.setdefault(_k, _v)
os.environ.pop("AWS_ENDPOINT_URL", None)
os.environ.pop("AWS_LAMBDA_FUNCTION_NAME", None)
# moto joins botocore's built-in handlers when imported: imported first, it is in the one botocore session each
# test process makes for the service's clients (adapters/aws.py), whichever test makes it.
import moto  # noqa: E402, F401

ORG_CSV = """employee_id,name,email,title,department,manager_id,roles
E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership
E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr
E3,Alan Turing,alan@example.com,Engineering Manager,Engineering,E1,
E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E3,
E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,
E6,Barbara Liskov,barbara@example.com,People Partner,People,E2,
"""


class ScanInRequestPath(AssertionError):
    """A Scan happened where only Query and GetItem are allowed."""


class RequestCounter:
    """Counts DynamoDB API calls and items read, through botocore events."""

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        self.items_read = 0

    def reset(self) -> None:
        """Start counting again."""
        self.calls.clear()
        self.items_read = 0

    def before(self, event_name: str, **_: object) -> None:
        operation = event_name.rsplit(".", 1)[-1]
        if operation == "Scan":
            raise ScanInRequestPath("DynamoDB Scan is not allowed in a request path")
        self.calls[operation] += 1

    def after(self, event_name: str, parsed: dict, **_: object) -> None:
        if "Items" in parsed:
            self.items_read += len(parsed["Items"])
        elif "Item" in parsed:
            self.items_read += 1
        for items in (parsed.get("Responses") or {}).values():
            if isinstance(items, list):
                self.items_read += len(items)


@pytest.fixture
def settings() -> Settings:
    """Local-mode settings for tests."""
    return Settings(table_name="reviews-test", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)


@pytest.fixture
def clock() -> FixedClock:
    """A clock standing at a known moment."""
    return FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))


@pytest.fixture
def memory_table() -> MemoryTable:
    """The in-memory table (unit tests)."""
    return MemoryTable()


@pytest.fixture
def dynamo(settings):
    """(client, counter) for a moto DynamoDB holding the table as template.yaml defines it."""
    from moto import mock_aws

    from service.adapters import moto_patches
    from service.adapters.aws import client
    from service.adapters.table_setup import create_table

    with mock_aws(), moto_patches.patched():
        c = client("dynamodb", settings)
        create_table(c, settings.table_name)
        counter = RequestCounter()
        c.meta.events.register("before-call.dynamodb.*", counter.before)
        c.meta.events.register("after-call.dynamodb.*", counter.after)
        counter.reset()
        yield c, counter


@pytest.fixture
def table(dynamo, settings):
    """The DynamoDB table port over moto; any Scan fails the test."""
    from service.adapters.dynamo import DynamoTable

    return DynamoTable(dynamo[0], settings.table_name)


@pytest.fixture
def counter(dynamo) -> RequestCounter:
    """The DynamoDB request counter of the `table` fixture."""
    return dynamo[1]


@pytest.fixture
def seeded(table, clock):
    """The table with the small organisation of ORG_CSV imported."""
    from service.services.directory import import_organisation

    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return table


@pytest.fixture
def app(settings, seeded, clock):
    """The Flask app over the seeded moto table."""
    from service.web import create_app

    application = create_app(settings, table=seeded, clock=clock)
    application.config["TESTING"] = True
    return application


@pytest.fixture
def client(app):
    """A test client (not signed in)."""
    return app.test_client()


class AuthActions:
    """Sign in as someone, through the local sign-in page, and keep the CSRF token."""

    def __init__(self, client) -> None:
        self.client = client
        self.csrf = ""

    def login(self, employee_id: str) -> None:
        page = self.client.get("/signin")
        self.csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
        resp = self.client.post("/signin", data={"csrf_token": self.csrf, "employee_id": employee_id})
        assert resp.status_code == 302, resp.data

    def headers(self) -> dict[str, str]:
        """Headers an API call from the signed-in browser carries."""
        return {"X-CSRF-Token": self.csrf}


@pytest.fixture
def auth(client) -> AuthActions:
    """Sign-in helper."""
    return AuthActions(client)
