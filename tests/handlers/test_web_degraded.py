"""The web function's handler, as template.yaml names it, with a dependency unreachable (issue 21): API Gateway
HTTP API 2.0 events in, and `/healthz`, static files, pages and the API answered as the app promises."""

from __future__ import annotations

import json
import re

import pytest

from service.adapters import secrets
from tests.handlers.conftest import fresh_handler

CLAIM = "custom:employee_id"


@pytest.fixture(autouse=True)
def _cold_secret():
    secrets.forget()
    yield
    secrets.forget()


@pytest.fixture
def start(template, deployed_table, monkeypatch):
    """start(SESSION_SECRET_ID=...): a cold start of the web function with these variables added."""

    def cold_start(**env: str):
        for name, value in env.items():
            monkeypatch.setenv(name, value)
        return fresh_handler(template, "WebFunction", monkeypatch)

    return cold_start


def body_of(response: dict) -> dict:
    assert response["headers"]["content-type"] == "application/json"
    return json.loads(response["body"])


def test_with_secrets_manager_down_health_names_it_and_pages_answer_503(start, down, http_event, context):
    down("secretsmanager", "refused")
    handler = start(SESSION_SECRET_ID="review-cycles/web-session")

    health = handler(http_event("GET", "/healthz"), context)
    assert health["statusCode"] == 503 and int(health["headers"]["retry-after"]) > 0
    states = {name: d["state"] for name, d in body_of(health)["dependencies"].items()}
    assert states == {"table": "ok", "session_secret": "down", "email": "ok"}

    page = handler(http_event("GET", "/", cookies=["__Host-session=eyJvbGQiOnRydWV9.old.sig"]), context)
    assert page["statusCode"] == 503 and page["headers"]["content-type"].startswith("text/html")
    assert int(page["headers"]["retry-after"]) == secrets.RETRY_AFTER
    assert "Signing in is unavailable right now" in page["body"]
    stylesheet = re.search(r'href="(/static/app\.[0-9a-f]{8}\.css)"', page["body"]).group(1)

    css = handler(http_event("GET", stylesheet), context)
    assert css["statusCode"] == 200 and css["headers"]["content-type"].startswith("text/css")
    assert css["headers"]["cache-control"] == "public, max-age=31536000, immutable"

    me = handler(http_event("GET", "/api/me", claims={CLAIM: "E2"}), context)  # a JWT needs no session secret
    assert me["statusCode"] == 200 and body_of(me)["employee_id"] == "E2"


@pytest.mark.parametrize("fault", ["refused", "throttled"])
def test_with_dynamodb_down_health_names_it_and_the_api_answers_503(start, down, http_event, context, fault):
    handler = start()
    down("dynamodb", fault)  # the function builds its table client on the first request: pointed at the fault

    health = handler(http_event("GET", "/healthz"), context)
    assert health["statusCode"] == 503
    assert body_of(health)["dependencies"]["table"]["state"] == "down"

    me = handler(http_event("GET", "/api/me", claims={CLAIM: "E2"}), context)
    assert me["statusCode"] == 503 and int(me["headers"]["retry-after"]) > 0
    error = body_of(me)
    assert set(error) == {"code", "status", "message", "errors"}
    assert (error["code"], error["status"]) == ("unavailable", 503)

    page = handler(http_event("GET", "/", claims={CLAIM: "E2"}), context)
    assert page["statusCode"] == 503 and "try again" in page["body"].lower()
