"""Browser sign-in as deployed, against moto's Cognito: the code flow with PKCE, the ID token checked against
the pool's JWKS, the session cookie (HttpOnly, Secure, __Host-, rotated at sign-in, 30 min idle, 12 h in all),
sign-out of both sessions, failed sign-ins rate-limited, and the demo sign-in and token minting absent.

The pool and its web client are made as template.yaml declares them (tests/cognito_support.py); the hosted
UI's pages and token endpoint, which moto lacks, are `MotoHostedUi`. The directory is an in-memory table.
"""

from __future__ import annotations

import json
import time
import urllib.parse

import pytest

from service.adapters.cognito import SignInFailed, TokenVerifier
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.domain.errors import PermissionDenied
from tests.cognito_support import REGION, MotoHostedUi, create_pool, moto_jwks
from tests.conftest import ORG_CSV

HOST = "https://abc123.execute-api.eu-west-1.amazonaws.com"
KEY = "s" * 64


@pytest.fixture
def pool():
    """A pool on moto with accounts for HR (E2) and an engineer (E4)."""
    import boto3
    from moto import mock_aws

    with mock_aws():
        made = create_pool(boto3.client("cognito-idp", region_name=REGION))
        made.add_person("E2", "grace@example.com")
        made.add_person("E4", "katherine@example.com")
        yield made


@pytest.fixture
def directory(clock) -> MemoryTable:
    """The organisation, in memory."""
    from service.services.directory import import_organisation

    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return table


@pytest.fixture
def app(pool, directory, clock):
    """The web app in its deployed configuration, its secret and hosted UI on moto."""
    from service.web import create_app

    settings = Settings(
        auth_mode="jwt",
        deployed=True,
        region=REGION,
        session_secret_id="reviews/web-session",
        user_pool_id=pool.pool_id,
        hosted_ui_domain=pool.domain,
        signin_failures_allowed=3,
    )
    application = create_app(settings, table=directory, clock=clock)
    extras = application.extensions["reviews"].extras
    extras["secret_fetch"] = lambda _id: json.dumps({"session_key": KEY, "client_id": pool.client_id})
    extras["hosted_ui"] = MotoHostedUi(pool)
    extras["jwks_fetch"] = moto_jwks
    return application


@pytest.fixture(autouse=True)
def _cold_secret():
    from service.adapters import secrets

    secrets.forget()
    yield
    secrets.forget()


def hosted(app) -> MotoHostedUi:
    return app.extensions["reviews"].extras["hosted_ui"]


def browser(app):
    return app.test_client()


def start_login(client, next_path: str = "/"):
    """GET /auth/login: the hosted UI's authorize URL."""
    resp = client.get("/auth/login", query_string={"next": next_path}, base_url=HOST)
    assert resp.status_code == 302
    return resp.headers["Location"]


def sign_in(app, client, person: str = "E4", next_path: str = "/"):
    """The whole sign-in; the callback's response."""
    callback = hosted(app).sign_in(start_login(client, next_path), person)
    return client.get(callback, base_url=HOST)


def session_of(app, client) -> dict:
    """The session cookie's content, decoded with the key."""
    cookie = client.get_cookie("__Host-session", domain="abc123.execute-api.eu-west-1.amazonaws.com")
    assert cookie is not None
    serializer = app.session_interface.get_signing_serializer(app)
    return serializer.loads(cookie.value)


# --- the flow -----------------------------------------------------------------------------------


def test_login_sends_the_browser_to_the_hosted_ui_with_pkce_and_state(app, pool):
    url = urllib.parse.urlsplit(start_login(browser(app)))
    query = dict(urllib.parse.parse_qsl(url.query))
    assert url.netloc == pool.domain and url.path == "/oauth2/authorize"
    assert query["client_id"] == pool.client_id and query["response_type"] == "code"
    assert query["redirect_uri"] == f"{HOST}/auth/callback"
    assert query["code_challenge_method"] == "S256" and len(query["code_challenge"]) == 43
    assert len(query["state"]) >= 32
    assert "verifier" not in url.query


def test_signing_in_starts_a_session_and_goes_where_the_person_was_going(app):
    client = browser(app)
    resp = sign_in(app, client, next_path="/history")
    assert resp.status_code == 302 and resp.headers["Location"] == "/history"
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    for flag in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert flag in cookie
    assert "Domain=" not in cookie
    home = client.get("/", base_url=HOST)
    assert home.status_code == 200 and "Katherine Johnson" in home.get_data(as_text=True)


def test_the_session_holds_no_token(app):
    client = browser(app)
    sign_in(app, client)
    content = session_of(app, client)
    assert set(content) == {"employee_id", "auth_at", "sid", "csrf", "_permanent"}
    assert content["employee_id"] == "E4"
    assert not any(isinstance(v, str) and v.startswith("eyJ") for v in content.values())


def test_signing_in_rotates_the_session(app):
    client = browser(app)
    start_login(client)
    planted = session_of(app, client)
    client.get("/auth/login", base_url=HOST)  # the attacker's pre-sign-in session
    authorize = start_login(client)
    before = session_of(app, client)
    resp = client.get(hosted(app).sign_in(authorize, "E4"), base_url=HOST)
    assert resp.status_code == 302
    after = session_of(app, client)
    assert "signin_pending" not in after and "signin_pending" in before
    assert after["csrf"] not in (before.get("csrf"), planted.get("csrf"))
    signed_in_again = browser(app)
    sign_in(app, signed_in_again)
    assert session_of(app, signed_in_again)["sid"] != after["sid"]


def test_a_callback_for_another_browsers_sign_in_is_refused(app, directory):
    victim, attacker = browser(app), browser(app)
    start_login(victim)
    callback = hosted(app).sign_in(start_login(attacker), "E2")
    resp = victim.get(callback, base_url=HOST)  # state does not match the victim's sign-in
    assert resp.status_code == 401
    assert victim.get("/", base_url=HOST).status_code == 302  # still signed out


def test_a_code_redeemed_without_its_pkce_verifier_is_refused(app):
    victim, attacker = browser(app), browser(app)
    stolen = hosted(app).sign_in(start_login(attacker), "E2")  # a code bound to the attacker's challenge
    code = dict(urllib.parse.parse_qsl(stolen.partition("?")[2]))["code"]
    authorize = start_login(victim)
    state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(authorize).query))["state"]
    resp = victim.get("/auth/callback", query_string={"code": code, "state": state}, base_url=HOST)
    assert resp.status_code == 401
    assert victim.get("/", base_url=HOST).status_code == 302


def test_a_cancelled_sign_in_answers_401_and_starts_nothing(app):
    client = browser(app)
    start_login(client)
    resp = client.get("/auth/callback", query_string={"error": "access_denied"}, base_url=HOST)
    assert resp.status_code == 401
    assert client.get("/api/me", base_url=HOST).status_code == 401


def test_a_person_marked_inactive_is_refused_at_once(app, directory, clock):
    from service.services.directory import import_organisation

    client = browser(app)
    sign_in(app, client)
    assert client.get("/", base_url=HOST).status_code == 200
    without_e4 = "\n".join(line for line in ORG_CSV.splitlines() if not line.startswith("E4,")) + "\n"
    import_organisation(UnitOfWork(directory), None, without_e4, clock)
    assert client.get("/api/me", base_url=HOST).status_code == 401  # the signed-in session
    assert sign_in(app, browser(app)).status_code == 401  # and a new sign-in


# --- the session's limits and sign-out ------------------------------------------------------------


def forged(app, content: dict, signed_at: float | None = None) -> str:
    """A session cookie signed with the real key (as the app would have made it at `signed_at`)."""
    import itsdangerous.timed

    serializer = app.session_interface.get_signing_serializer(app)
    if signed_at is None:
        return serializer.dumps(content)
    real = itsdangerous.timed.time.time
    itsdangerous.timed.time.time = lambda: signed_at
    try:
        return serializer.dumps(content)
    finally:
        itsdangerous.timed.time.time = real


def with_cookie(app, value: str):
    client = browser(app)
    client.set_cookie("__Host-session", value, domain="abc123.execute-api.eu-west-1.amazonaws.com", secure=True)
    return client


def test_a_session_idle_for_more_than_30_minutes_has_ended(app):
    browser(app).get("/healthz", base_url=HOST)  # the key is read
    now = time.time()
    content = {"employee_id": "E4", "auth_at": now - 3600, "sid": "x", "_permanent": True}
    fresh = with_cookie(app, forged(app, content, signed_at=now - 29 * 60))
    idle = with_cookie(app, forged(app, content, signed_at=now - 31 * 60))
    assert fresh.get("/api/me", base_url=HOST).status_code == 200
    assert idle.get("/api/me", base_url=HOST).status_code == 401


def test_a_session_ends_12_hours_after_signing_in_however_active(app):
    browser(app).get("/healthz", base_url=HOST)
    now = time.time()
    recent = {"employee_id": "E4", "auth_at": now - 11 * 3600, "sid": "x", "_permanent": True}
    old = {**recent, "auth_at": now - 12 * 3600 - 60}
    assert with_cookie(app, forged(app, recent)).get("/api/me", base_url=HOST).status_code == 200
    assert with_cookie(app, forged(app, old)).get("/api/me", base_url=HOST).status_code == 401


def test_signing_out_ends_the_app_session_and_the_cognito_session(app, pool):
    client = browser(app)
    sign_in(app, client)
    csrf = session_of(app, client)["csrf"]
    resp = client.post("/signout", data={"csrf_token": csrf}, base_url=HOST)
    assert resp.status_code == 302
    logout = urllib.parse.urlsplit(resp.headers["Location"])
    assert logout.netloc == pool.domain and logout.path == "/logout"
    assert dict(urllib.parse.parse_qsl(logout.query)) == {
        "client_id": pool.client_id,
        "logout_uri": f"{HOST}/auth/signed-out",
    }
    assert client.get("/api/me", base_url=HOST).status_code == 401
    page = client.get("/auth/signed-out", base_url=HOST)
    assert page.status_code == 200 and "signed out" in page.get_data(as_text=True)


# --- failed sign-ins ------------------------------------------------------------------------------


def test_failed_sign_ins_from_one_address_are_rate_limited(app, directory):
    attacker = browser(app)
    for _ in range(3):  # signin_failures_allowed=3
        assert attacker.get("/auth/callback?code=x&state=y", base_url=HOST).status_code == 401
    refused = sign_in(app, attacker)  # even a good sign-in waits now
    assert refused.status_code == 429 and "Too many failed sign-ins" in refused.get_data(as_text=True)
    counters = [i for i in directory.all_items() if i["pk"].startswith("SIGNIN#")]
    assert [c["failures"] for c in counters] == [3]
    other = browser(app)
    assert sign_in(app, other, person="E2").status_code == 429  # the same address (the test client's)


# --- the ID token's checks ------------------------------------------------------------------------


@pytest.fixture
def verifier(pool) -> TokenVerifier:
    return TokenVerifier(REGION, pool.pool_id, pool.client_id, fetch=moto_jwks)


def test_a_valid_id_token_yields_its_claims(verifier, pool):
    claims = verifier.verify_id_token(pool.id_token("E4"))
    assert claims["custom:employee_id"] == "E4" and claims["token_use"] == "id"


def test_an_expired_id_token_is_refused(verifier, pool):
    token = pool.id_token("E4")
    verifier.now = lambda: time.time() + 2 * 3600
    with pytest.raises(SignInFailed):
        verifier.verify_id_token(token)


def test_an_id_token_for_another_client_is_refused(pool):
    other = pool.cognito.create_user_pool_client(
        UserPoolId=pool.pool_id, ClientName="other", ExplicitAuthFlows=["ALLOW_ADMIN_USER_PASSWORD_AUTH"]
    )["UserPoolClient"]["ClientId"]
    verifier = TokenVerifier(REGION, pool.pool_id, other, fetch=moto_jwks)
    with pytest.raises(SignInFailed):
        verifier.verify_id_token(pool.id_token("E4"))


def test_an_id_token_of_another_pool_is_refused(pool):
    verifier = TokenVerifier(REGION, "eu-west-1_Other1234", pool.client_id, fetch=moto_jwks)
    with pytest.raises(SignInFailed):
        verifier.verify_id_token(pool.id_token("E4"))


def test_an_access_token_is_not_an_id_token(verifier, pool):
    answer = pool.cognito.admin_initiate_auth(
        UserPoolId=pool.pool_id,
        ClientId=pool.client_id,
        AuthFlow="ADMIN_USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "E4", "PASSWORD": "Correct-Horse-42"},
    )
    with pytest.raises(SignInFailed):
        verifier.verify_id_token(answer["AuthenticationResult"]["AccessToken"])


def test_a_tampered_id_token_is_refused(verifier, pool):
    header, payload, signature = pool.id_token("E4").split(".")
    import base64

    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["custom:employee_id"] = "E2"
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(SignInFailed):
        verifier.verify_id_token(f"{header}.{forged_payload}.{signature}")


# --- nothing of the local demo's sign-in when deployed --------------------------------------------


def test_the_demo_sign_in_and_token_minting_are_unreachable_when_deployed(app):
    from service.web.auth import mint_token

    rules = {r.rule for r in app.url_map.iter_rules()}
    assert "/signin" not in rules and not any(r.endpoint.startswith("local_signin.") for r in app.url_map.iter_rules())
    client = browser(app)
    assert client.get("/signin", base_url=HOST).status_code == 404
    assert client.post("/signin", data={"employee_id": "E2"}, base_url=HOST).status_code == 404
    with pytest.raises(PermissionDenied):
        mint_token(app.extensions["reviews"].settings, "E2")


def test_the_cli_mints_no_token_inside_lambda(monkeypatch, capsys, directory):
    from service.cli import main

    monkeypatch.setattr("service.cli._table", lambda settings: directory)
    assert main(["mint-token", "E2"]) == 0  # the local run mints
    capsys.readouterr()
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "review-cycles-web")
    monkeypatch.setenv("AUTH_MODE", "jwt")
    assert main(["mint-token", "E2"]) == 1
    out = capsys.readouterr()
    assert out.out == "" and "deployed, use Cognito" in out.err


def test_an_expiring_page_offers_to_sign_in_again_through_the_hosted_ui(app):
    client = browser(app)
    sign_in(app, client)
    page = client.get("/", base_url=HOST).get_data(as_text=True)
    assert 'data-signin-url="/auth/login?next=/session/resumed"' in page
