"""Degrades, never crashes (issue 21): with Secrets Manager or DynamoDB unreachable, throttling, failing or
silent, the deployed app's `/healthz` names what is down, static files still serve, pages answer a 503 page and
the API a 503 error in the one shape, both with Retry-After, and the error page itself never fails.

Each dependency is made unreachable at its endpoint (tests/api/aws_faults.py): the real boto3 client, its retry
handler and error parser see the fault as they would in production.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from service.adapters import secrets
from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services.directory import import_organisation
from tests.api.aws_faults import FAULTS
from tests.api.conftest import NOW
from tests.conftest import ORG_CSV

HOST = "https://abc123.execute-api.eu-west-1.amazonaws.com"
SECRET_ID = "reviews/web-session"
CLAIMS = "custom:employee_id"
ERROR_SHAPE = {"code", "status", "message", "errors"}


@pytest.fixture(autouse=True)
def _cold_secret():
    """Each test starts with nothing read from Secrets Manager (as a new Lambda sandbox does)."""
    secrets.forget()
    yield
    secrets.forget()


def deployed(**changes) -> Settings:
    """The web function's settings as deployed (jwt sign-in, secure cookies)."""
    base = Settings(table_name="reviews-degraded", region="eu-west-1", auth_mode="jwt", deployed=True)
    return base.with_overrides(**{"secret_key": "d" * 40, **changes})


def org_table() -> MemoryTable:
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, FixedClock(NOW))
    return table


def app_with(settings: Settings, table=None):
    from service.web import create_app

    app = create_app(settings, table=table, clock=FixedClock(NOW))
    app.config["TESTING"] = True
    return app


def claims(employee_id: str) -> dict:
    """What the API Gateway JWT authorizer hands the app for a verified token."""
    return {"apig_wsgi.request_context": {"authorizer": {"jwt": {"claims": {CLAIMS: employee_id}}}}}


def signed_in(app, employee_id: str):
    """A browser holding a valid session cookie for `employee_id` (as the hosted-UI sign-in leaves it)."""
    client = app.test_client()
    with client.session_transaction(base_url=HOST) as session:
        session.update({"employee_id": employee_id, "auth_at": time.time(), "sid": "s"})
        session.permanent = True
    return client


def static_url(app, filename: str) -> str:
    with app.test_request_context(base_url=HOST):
        from flask import url_for

        return url_for("static", filename=filename)


def assert_unavailable_page(resp) -> str:
    assert resp.status_code == 503
    assert resp.mimetype == "text/html"
    assert int(resp.headers["Retry-After"]) > 0
    assert resp.headers["Cache-Control"] == "no-store"
    page = resp.get_data(as_text=True)
    assert "try again" in page.lower() and "Nothing was changed" in page
    assert 'rel="stylesheet"' in page  # a whole page, drawn with the site's own stylesheet
    return page


def assert_unavailable_json(resp) -> dict:
    assert resp.status_code == 503
    assert resp.mimetype == "application/json"
    assert int(resp.headers["Retry-After"]) > 0
    body = resp.get_json()
    assert set(body) == ERROR_SHAPE
    assert body["code"] == "unavailable" and body["status"] == 503 and body["errors"] == {}
    return body


def health(client) -> tuple[int, dict, str | None]:
    resp = client.get("/healthz", base_url=HOST)
    assert resp.mimetype == "application/json" and resp.headers["Cache-Control"] == "no-store"
    return resp.status_code, resp.get_json(), resp.headers.get("Retry-After")


# --- Secrets Manager unreachable -------------------------------------------------------------------------


@pytest.fixture
def secret_down(down):
    """Secrets Manager failing in the way the test names; the table (in memory) is fine."""

    def make(fault: str):
        down("secretsmanager", fault)
        return app_with(deployed(session_secret_id=SECRET_ID), org_table())

    return make


@pytest.mark.parametrize("fault", FAULTS)
def test_healthz_says_the_session_secret_is_down(secret_down, fault):
    app = secret_down(fault)
    status, body, retry_after = health(app.test_client())
    assert status == 503 and int(retry_after) > 0
    assert set(body) == ERROR_SHAPE | {"dependencies"} and body["code"] == "unavailable"
    states = {name: d["state"] for name, d in body["dependencies"].items()}
    assert states == {"table": "ok", "session_secret": "down", "email": "ok"}
    expected = {"refused": "EndpointConnectionError", "timeout": "ReadTimeoutError"}.get(fault)
    expected = expected or {"throttled": "ThrottlingException", "5xx": "InternalServerError"}[fault]
    assert body["dependencies"]["session_secret"]["detail"] == f"Secrets Manager: {expected}"
    assert "session_secret is down" in body["message"]


@pytest.mark.parametrize("fault", ["refused", "5xx"])
def test_pages_answer_a_503_page_while_the_session_secret_cannot_be_read(secret_down, fault):
    app = secret_down(fault)
    browser = app.test_client()
    browser.set_cookie("__Host-session", "a-cookie-from-yesterday", domain="abc123.execute-api.eu-west-1.amazonaws.com")
    page = assert_unavailable_page(browser.get("/", base_url=HOST))
    assert "Signing in is unavailable right now" in page
    assert "Sign out" not in page  # drawn without the session or the user
    assert_unavailable_page(browser.get("/auth/login?next=/", base_url=HOST))
    assert_unavailable_page(browser.post("/signout", base_url=HOST))


def test_static_files_and_jwt_api_calls_need_no_secret(secret_down):
    app = secret_down("refused")
    browser = app.test_client()
    browser.set_cookie("__Host-session", "a-cookie-from-yesterday", domain="abc123.execute-api.eu-west-1.amazonaws.com")
    with browser.get(static_url(app, "app.css"), base_url=HOST) as css:
        assert css.status_code == 200 and css.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    me = app.test_client().get("/api/me", base_url=HOST, environ_overrides=claims("E2"))
    assert me.status_code == 200 and me.get_json()["employee_id"] == "E2"


def test_an_api_call_that_needs_the_session_answers_503_in_the_error_shape(secret_down):
    app = secret_down("throttled")
    body = assert_unavailable_json(app.test_client().get("/api/me", base_url=HOST))
    assert body["message"] == "Signing in is unavailable right now. Please try again in a moment."


@pytest.fixture
def secret_stored(monkeypatch):
    """Secrets Manager (moto) answering again, holding the web secret."""
    from moto import mock_aws

    from service.adapters.aws import client

    monkeypatch.delenv("AWS_ENDPOINT_URL_SECRETS_MANAGER")
    with mock_aws():
        value = json.dumps({"session_key": "k" * 48, "client_id": "web-client"})
        client("secretsmanager", Settings(region="eu-west-1")).create_secret(Name=SECRET_ID, SecretString=value)
        yield


def test_once_secrets_manager_answers_again_pages_work(secret_down, request, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(secrets, "_clock", lambda: now[0])
    app = secret_down("refused")
    assert app.test_client().get("/", base_url=HOST).status_code == 503
    request.getfixturevalue("secret_stored")
    now[0] += secrets.RETRY_AFTER - 1  # within the pause: the failure stands, nothing is asked
    assert_unavailable_page(app.test_client().get("/", base_url=HOST))
    now[0] += 1  # the pause is over: the secret is read
    resp = app.test_client().get("/", base_url=HOST)
    assert resp.status_code == 302 and resp.headers["Location"] == "/auth/login?next=/"
    status, body, _ = health(app.test_client())
    assert status == 200 and body["status"] == "ok"
    assert body["dependencies"]["session_secret"] == {"state": "ok", "detail": "read"}


# --- DynamoDB unreachable --------------------------------------------------------------------------------


@pytest.fixture
def table_down(down):
    """The app's table (DynamoDB through boto3) failing in the way the test names."""

    def make(fault: str):
        down("dynamodb", fault)
        return app_with(deployed())

    return make


@pytest.mark.parametrize("fault", FAULTS)
def test_healthz_says_the_table_is_down(table_down, fault):
    status, body, retry_after = health(table_down(fault).test_client())
    assert status == 503 and int(retry_after) > 0
    states = {name: d["state"] for name, d in body["dependencies"].items()}
    assert states == {"table": "down", "session_secret": "not_used", "email": "ok"}
    expected = {"refused": "EndpointConnectionError", "timeout": "ReadTimeoutError"}.get(fault)
    expected = expected or {"throttled": "ThrottlingException", "5xx": "InternalServerError"}[fault]
    assert body["dependencies"]["table"]["detail"] == expected
    assert body["message"] == "Unavailable: table is down."


@pytest.mark.parametrize("fault", ["timeout", "throttled"])
def test_pages_and_the_api_answer_503_while_the_table_is_down(table_down, fault):
    app = table_down(fault)
    page = assert_unavailable_page(signed_in(app, "E4").get("/", base_url=HOST))
    assert "The service is busy right now" in page and "Ada Lovelace" not in page
    api = assert_unavailable_json(app.test_client().get("/api/me", base_url=HOST, environ_overrides=claims("E4")))
    assert api["message"] == "The service is busy right now. Please try again in a moment."


def test_a_write_while_the_table_is_down_answers_503(table_down):
    app = table_down("5xx")
    resp = app.test_client().post(
        "/api/notes", base_url=HOST, json={"recipient_id": "E5", "text": "Thanks"}, environ_overrides=claims("E4")
    )
    assert_unavailable_json(resp)


def test_a_404_page_while_the_table_is_down_is_still_a_404(table_down):
    app = table_down("refused")
    resp = signed_in(app, "E4").get("/no/such/page", base_url=HOST)
    assert resp.status_code == 404 and resp.mimetype == "text/html"
    assert "Sign out" not in resp.get_data(as_text=True)  # drawn bare: who is signed in cannot be read


def test_static_files_serve_while_the_table_is_down(table_down):
    app = table_down("timeout")
    browser = signed_in(app, "E4")
    for name in ("app.css", "app.js"):
        with browser.get(static_url(app, name), base_url=HOST) as resp:
            assert resp.status_code == 200 and resp.headers["Cache-Control"] == "public, max-age=31536000, immutable"


def test_the_503_page_offers_a_reload_of_the_same_address(table_down):
    app = table_down("refused")
    page = assert_unavailable_page(signed_in(app, "E4").get("/history?x=1", base_url=HOST))
    assert re.search(r'href="/history\?x=1"', page)


def test_an_unexpected_failure_while_the_secret_is_down_is_a_plain_500_page(down):
    down("secretsmanager", "refused")
    app = app_with(deployed(session_secret_id=SECRET_ID), org_table())

    def broken():
        raise RuntimeError("a bug")

    app.add_url_rule("/broken", view_func=broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False  # as deployed: the error handler answers, the test client does not raise
    resp = app.test_client().get("/broken", base_url=HOST)
    assert resp.status_code == 500 and resp.mimetype == "text/html"
    assert "The server encountered an internal error" in resp.get_data(as_text=True)
