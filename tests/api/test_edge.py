"""The web edge: OpenAPI, health, headers, CSRF, sign-in pages."""

from __future__ import annotations

import re

from openapi_spec_validator import validate

from tests.conftest import ORG_CSV


def test_openapi_document_validates_and_lists_the_api(client):
    resp = client.get("/api/openapi.json")
    doc = resp.get_json()
    validate(doc)
    assert doc["openapi"].startswith("3.")
    assert "/api/people/{employee_id}/chain" in doc["paths"]
    post = doc["paths"]["/api/org/imports"]["post"]
    assert set(post["requestBody"]["content"]) == {"text/csv", "multipart/form-data", "application/json"}
    assert post["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    assert "Person" in doc["components"]["schemas"]


def test_every_api_route_is_documented(app, client):
    doc = client.get("/api/openapi.json").get_json()
    routes = {r.rule for r in app.url_map.iter_rules() if r.rule.startswith("/api/") and r.rule != "/api/openapi.json"}
    documented = {p.replace("{", "<").replace("}", ">") for p in doc["paths"]}
    assert {re.sub(r"<[a-z]+:", "<", r) for r in routes} == documented


def test_healthz_needs_no_sign_in(client):
    health = client.get("/healthz").get_json()
    assert health["status"] == "ok"
    assert {name: d["state"] for name, d in health["dependencies"].items()} == {
        "table": "ok",
        "session_secret": "not_used",
        "email": "ok",
    }


def test_pages_send_security_headers(auth, client):
    auth.login("E4")
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in resp.headers  # only when deployed


def test_session_cookie_is_httponly_and_lax(client):
    page = client.get("/signin")
    cookie = page.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_post_without_csrf_token_is_refused(auth, client):
    auth.login("E2")
    resp = client.post("/api/org/imports", data=ORG_CSV, content_type="text/csv")
    assert resp.status_code == 403 and resp.get_json()["code"] == "csrf_refused"
    resp = client.post("/signout")
    assert resp.status_code == 403


def test_signin_page_lists_people_by_department(client):
    page = client.get("/signin").get_data(as_text=True)
    assert page.index("<h2>Engineering</h2>") < page.index("<h2>Leadership</h2>") < page.index("<h2>People</h2>")
    assert "Grace Hopper" in page and "hr" in page


def test_home_redirects_to_signin_and_shows_the_team_after(auth, client):
    resp = client.get("/")
    assert resp.status_code == 302 and "/signin" in resp.headers["Location"]
    auth.login("E3")
    page = client.get("/").get_data(as_text=True)
    assert "Hello, Alan Turing" in page
    assert "Katherine Johnson" in page and "Ada Lovelace" in page


def test_signin_refuses_unknown_person_with_a_message(auth, client):
    auth.login("E4")
    resp = client.post("/signin", data={"csrf_token": auth.csrf, "employee_id": "NOPE"})
    assert resp.status_code == 404


def test_signout_forgets_the_session(auth, client):
    auth.login("E4")
    resp = client.post("/signout", data={"csrf_token": auth.csrf})
    assert resp.status_code == 302
    assert client.get("/api/me").status_code == 401


def test_html_errors_render_a_page(client):
    resp = client.get("/no-such-page", headers={"Accept": "text/html"})
    assert resp.status_code == 404 and b"<h1>" in resp.data


def test_signin_redirect_cannot_leave_the_site(auth, client):
    auth.login("E4")
    resp = client.post("/signin", data={"csrf_token": auth.csrf, "employee_id": "E4", "next": "//evil.example"})
    assert resp.headers["Location"] == "/"


def test_signin_redirect_refuses_control_characters(auth, client):
    auth.login("E4")
    for target in ("/\t/evil.example/x", "/\\evil.example", "https://evil.example"):
        resp = client.post("/signin", data={"csrf_token": auth.csrf, "employee_id": "E4", "next": target})
        assert resp.headers["Location"] == "/", target
