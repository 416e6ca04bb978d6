"""The web function's handler, as template.yaml names it, driven by API Gateway HTTP API 2.0 events
over moto: identity from the JWT authorizer's claims, the session cookie, the error shape."""

from __future__ import annotations

import json
import re

import pytest

CLAIM = "custom:employee_id"


def body_json(response: dict) -> dict:
    """The JSON body of a v2 response."""
    assert response["isBase64Encoded"] is False
    assert response["headers"]["content-type"] == "application/json"
    return json.loads(response["body"])


def csrf_in(page: str) -> str:
    """The CSRF token of the sign-out form on a page."""
    match = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert match, page
    return match.group(1)


def test_me_names_the_employee_of_the_jwt_claims(handler, http_event, context):
    response = handler(http_event("GET", "/api/me", claims={CLAIM: "E2"}), context)
    assert response["statusCode"] == 200
    me = body_json(response)
    assert me["employee_id"] == "E2"
    assert me["name"] == "Grace Hopper"
    assert "hr" in me["roles"]


def test_healthz_answers_without_claims(handler, http_event, context):
    response = handler(http_event("GET", "/healthz"), context)
    assert response["statusCode"] == 200
    health = body_json(response)
    assert health["status"] == "ok"
    assert health["dependencies"]["table"] == {"state": "ok", "detail": "read"}


def test_home_page_sets_a_host_only_secure_session_cookie(handler, http_event, context):
    response = handler(http_event("GET", "/", claims={CLAIM: "E3"}), context)
    assert response["statusCode"] == 200
    assert response["headers"]["content-type"].startswith("text/html")
    assert "Alan Turing" in response["body"]
    # payload 2.0 returns Set-Cookie values in `cookies`, never as a header
    assert "set-cookie" not in response["headers"]
    (cookie,) = response["cookies"]
    name_value, *attributes = [part.strip() for part in cookie.split(";")]
    assert name_value.startswith("__Host-session=")
    assert {"Secure", "HttpOnly", "SameSite=Lax", "Path=/"} <= set(attributes)
    assert not [a for a in attributes if a.lower().startswith("domain=")]  # __Host- forbids Domain


def test_a_cookie_in_the_events_cookies_array_reaches_the_session(handler, http_event, context):
    first = handler(http_event("GET", "/", claims={CLAIM: "E3"}), context)
    session_cookie = first["cookies"][0].split(";")[0]
    token = csrf_in(first["body"])

    second = handler(http_event("GET", "/", claims={CLAIM: "E3"}, cookies=[session_cookie]), context)

    assert second["statusCode"] == 200
    assert csrf_in(second["body"]) == token  # the session came back: same CSRF token
    assert second["cookies"] == []  # nothing changed, so nothing is set again


def test_unknown_person_is_a_404_in_the_error_shape(handler, http_event, context):
    response = handler(http_event("GET", "/api/people/NOPE", claims={CLAIM: "E2"}), context)
    assert response["statusCode"] == 404
    error = body_json(response)
    assert set(error) == {"code", "status", "message", "errors"}
    assert error["code"] == "not_found"
    assert error["status"] == 404


@pytest.mark.parametrize("claims", [None, {}, {CLAIM: "E404"}], ids=["no-authorizer", "no-claim", "not-in-directory"])
def test_without_a_known_employee_claim_the_api_answers_401(handler, http_event, context, claims):
    response = handler(http_event("GET", "/api/me", claims=claims), context)
    assert response["statusCode"] == 401
    error = body_json(response)
    assert set(error) == {"code", "status", "message", "errors"}
    assert error["code"] == "not_authenticated"
    assert error["status"] == 401


def test_the_local_sign_in_page_is_absent(handler, http_event, context):
    response = handler(http_event("GET", "/signin", claims={CLAIM: "E2"}), context)
    assert response["statusCode"] == 404
