"""Fixtures for Lambda handler tests: the environment the function gets, moto, real-shaped events."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest

from service.adapters.table_setup import TEMPLATE, load_template
from service.adapters.unit_of_work import UnitOfWork
from tests.api.aws_faults import down, fast_aws  # noqa: F401 - fixtures: AWS made unreachable
from tests.conftest import ORG_CSV

FUNCTION_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "review-cycles-web",
    "AUTH_MODE": "jwt",
    "SECRET_KEY": "handler-test-secret-" + "k" * 24,
    "TABLE_NAME": "reviews-handler-test",
    "AWS_REGION": "eu-west-1",
    "EMPLOYEE_ID_CLAIM": "custom:employee_id",
}


def resolve(template: dict[str, Any], value: Any) -> Any:
    """A template value with `Ref`s to parameters replaced by their defaults."""
    if isinstance(value, dict) and set(value) == {"Ref"} and value["Ref"] in template.get("Parameters", {}):
        return template["Parameters"][value["Ref"]]["Default"]
    return value


def stage_prefix(template: dict[str, Any]) -> str:
    """What API Gateway puts before the route in rawPath: nothing on $default, '/<name>' otherwise."""
    (api,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::HttpApi"]
    stage = resolve(template, api["Properties"].get("StageName", "$default"))
    return "" if stage == "$default" else f"/{stage}"


@pytest.fixture(scope="session")
def template() -> dict[str, Any]:
    """template.yaml as written."""
    return load_template(TEMPLATE)


@pytest.fixture
def function_env(monkeypatch) -> dict[str, str]:
    """The web function's environment, as template.yaml and the Lambda runtime set it."""
    for name, value in FUNCTION_ENV.items():
        monkeypatch.setenv(name, value)
    return dict(FUNCTION_ENV)


@pytest.fixture
def deployed_table(function_env, clock):
    """A moto DynamoDB table made from template.yaml, holding the small organisation."""
    from moto import mock_aws

    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable
    from service.adapters.table_setup import create_table
    from service.config import load_settings
    from service.services.directory import import_organisation

    settings = load_settings()
    with mock_aws():
        c = client("dynamodb", settings)
        create_table(c, settings.table_name)
        table = DynamoTable(c, settings.table_name)
        import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
        yield table


@pytest.fixture
def handler(template, deployed_table, monkeypatch) -> Callable[[dict, Any], dict]:
    """The web function's handler, named by template.yaml and imported fresh from the environment."""
    return fresh_handler(template, "WebFunction", monkeypatch)


class LambdaContext:
    """The attributes of the Lambda context object a handler may read."""

    function_name = FUNCTION_ENV["AWS_LAMBDA_FUNCTION_NAME"]
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:review-cycles-web"
    memory_limit_in_mb = 1024
    aws_request_id = "8f5e6c0c-1b7a-4a0e-9a51-3c3a7d0f0d11"
    log_group_name = "/aws/lambda/review-cycles-web"
    log_stream_name = "2026/03/02/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@pytest.fixture
def context() -> LambdaContext:
    """A Lambda context."""
    return LambdaContext()


@pytest.fixture
def http_event(template) -> Callable[..., dict[str, Any]]:
    """Build an API Gateway HTTP API payload 2.0 event as the template's API would send it."""
    prefix = stage_prefix(template)
    stage = prefix.lstrip("/") or "$default"

    def build(
        method: str,
        path: str,
        *,
        claims: dict[str, str] | None = None,
        cookies: list[str] | None = None,
        query: str = "",
        headers: dict[str, str] | None = None,
        body: str | None = None,
    ) -> dict[str, Any]:
        now = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
        route = "ANY /" if path == "/" else "ANY /{proxy+}"
        raw_path = prefix + path
        event: dict[str, Any] = {
            "version": "2.0",
            "routeKey": route,
            "rawPath": raw_path,
            "rawQueryString": query,
            "headers": {
                "accept": "application/json" if path.startswith("/api/") else "text/html",
                "accept-encoding": "gzip, deflate, br",
                "content-length": str(len(body or "")),
                "host": "abc123.execute-api.eu-west-1.amazonaws.com",
                "user-agent": "Mozilla/5.0 (X11; Linux x86_64)",
                "x-amzn-trace-id": "Root=1-65e2ea00-0123456789abcdef01234567",
                "x-forwarded-for": "203.0.113.7",
                "x-forwarded-port": "443",
                "x-forwarded-proto": "https",
                **(headers or {}),
            },
            "requestContext": {
                "accountId": "123456789012",
                "apiId": "abc123",
                "domainName": "abc123.execute-api.eu-west-1.amazonaws.com",
                "domainPrefix": "abc123",
                "http": {
                    "method": method,
                    "path": raw_path,
                    "protocol": "HTTP/1.1",
                    "sourceIp": "203.0.113.7",
                    "userAgent": "Mozilla/5.0 (X11; Linux x86_64)",
                },
                "requestId": "Tz1ZuiYmjoEEJQA=",
                "routeKey": route,
                "stage": stage,
                "time": now.strftime("%d/%b/%Y:%H:%M:%S +0000"),
                "timeEpoch": int(now.timestamp() * 1000),
            },
            "isBase64Encoded": False,
        }
        if route != "ANY /":
            event["pathParameters"] = {"proxy": path.lstrip("/")}
        if query:
            event["queryStringParameters"] = dict(p.split("=", 1) for p in query.split("&"))
        if cookies:
            event["cookies"] = cookies
        if body is not None:
            event["body"] = body
        if claims is not None:
            event["headers"]["authorization"] = "Bearer eyJraWQiOiJ0ZXN0In0.eyJzdWIiOiJ0ZXN0In0.c2ln"
            event["requestContext"]["authorizer"] = {
                "jwt": {
                    "claims": {
                        "aud": "3n4b5urk1ft4fl3mg5e62d9ado",
                        "iss": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEfGhI",
                        "token_use": "id",
                        "sub": "7c1d5f3a-0b1e-4c8e-9f00-123456789abc",
                        **claims,
                    },
                    "scopes": None,
                }
            }
        return event

    return build


@pytest.fixture(autouse=True)
def _restore_logging_and_metrics():
    """A handler configures the `service` logger and installs a metrics sink for its process: undo both after."""
    import logging

    from service.adapters import metrics
    from service.adapters.logs import APP_LOGGER

    app_logger = logging.getLogger(APP_LOGGER)
    saved = (list(app_logger.handlers), app_logger.propagate, app_logger.level)
    sink = metrics.current()
    yield
    app_logger.handlers, app_logger.propagate = saved[0], saved[1]
    app_logger.setLevel(saved[2])
    metrics.use(sink)


def fresh_handler(template: dict[str, Any], function: str, monkeypatch) -> Callable[[dict, Any], Any]:
    """A function's handler, named by template.yaml and imported afresh (a cold start)."""
    dotted = template["Resources"][function]["Properties"]["Handler"]
    module_name, _, attr = dotted.rpartition(".")
    monkeypatch.delitem(sys.modules, module_name, raising=False)
    return getattr(importlib.import_module(module_name), attr)


def output_lines(out: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(log records, count lines) of what a function wrote to stdout; every line must be JSON."""
    import json

    docs = [json.loads(line) for line in out.splitlines() if line.strip()]
    return [d for d in docs if "counts" not in d], [d for d in docs if "counts" in d]


def metric_totals(documents: list[dict[str, Any]], namespace: str = "ReviewCycles") -> dict[str, float]:
    """Sum of each count over the count lines of a namespace."""
    totals: dict[str, float] = {}
    for doc in documents:
        if doc["namespace"] != namespace:
            continue
        for name, value in doc["counts"].items():
            totals[name] = totals.get(name, 0) + value
    return totals
