"""Browser sign-in when deployed: the authorization-code flow with PKCE against Cognito's hosted UI.

`/auth/login` starts it (state and code verifier kept in the pre-sign-in session), `/auth/callback`
exchanges the code, verifies the ID token against the pool's JWKS and starts a fresh session (nothing of
the earlier one survives: no fixation), `/signout` (pages_session.py) ends the session and sends the browser
to the hosted UI's logout, which comes back to `/auth/signed-out`. Tokens never reach the browser:
only the employee id and two times live in the HttpOnly `__Host-` session cookie.

Sessions end after `session_minutes` without a request (the cookie's signed timestamp) and
`session_max_hours` after signing in, whatever happens (web/auth.py's `session_expired`). Failed sign-ins are
counted per source address and window; past the limit the callback answers 429 until the window ends.
"""

from __future__ import annotations

import secrets
import time
from typing import Any

from flask import Blueprint, Flask, redirect, render_template, request, session, url_for

from service.adapters.cognito import CognitoHostedUi, HostedUi, SignInFailed, TokenVerifier, pkce_pair
from service.adapters.secrets import web_secret
from service.domain.errors import NotAuthenticated
from service.services import directory as directory_svc
from service.services import signin_throttle
from service.services.auth import employee_id_from_claims, federated_provider
from service.web.untrusted import safe_next
from service.web.wiring import Wiring, wiring

bp = Blueprint("cognito_signin", __name__, url_prefix="/auth")

PENDING = "signin_pending"  # the pre-sign-in session's state, verifier and target


def hosted_ui(w: Wiring) -> HostedUi:
    """The hosted UI (tests put their own in `wiring.extras["hosted_ui"]`)."""
    if "hosted_ui" not in w.extras:
        secret = web_secret(w.settings, w.extras.get("secret_fetch"))
        if not (w.settings.hosted_ui_domain and secret.client_id):
            raise NotAuthenticated("sign-in is not configured for this deployment")
        w.extras["hosted_ui"] = CognitoHostedUi(w.settings.hosted_ui_domain, secret.client_id)
    return w.extras["hosted_ui"]


def verifier(w: Wiring) -> TokenVerifier:
    """The ID-token verifier of the pool and the web app client (its JWKS fetched once per process)."""
    if "token_verifier" not in w.extras:
        secret = web_secret(w.settings, w.extras.get("secret_fetch"))
        if not (w.settings.user_pool_id and secret.client_id):
            raise NotAuthenticated("sign-in is not configured for this deployment")
        extra: dict[str, Any] = {"fetch": w.extras["jwks_fetch"]} if "jwks_fetch" in w.extras else {}
        pool = w.settings.user_pool_id
        w.extras["token_verifier"] = TokenVerifier(w.settings.region, pool, secret.client_id, **extra)
    return w.extras["token_verifier"]


def _base_url() -> str:
    # The host API Gateway answered on (its own domain or the custom one): the client's callback URL.
    return f"https://{request.host}"


def callback_url() -> str:
    """The redirect URI registered on the app client."""
    return _base_url() + url_for("cognito_signin.callback")


def signed_out_url() -> str:
    """The sign-out URL registered on the app client."""
    return _base_url() + url_for("cognito_signin.signed_out")


@bp.get("/login")
def login():
    """Start signing in: remember state and verifier in this (pre-sign-in) session, go to the hosted UI."""
    state = secrets.token_urlsafe(32)
    code_verifier, challenge = pkce_pair()
    target = safe_next(request.args.get("next"), "/")
    session.clear()
    session[PENDING] = {"state": state, "verifier": code_verifier, "next": target}
    return redirect(hosted_ui(wiring()).authorize_url(callback_url(), state, challenge))


@bp.get("/callback")
def callback():
    """Finish signing in: check the state, exchange the code, verify the ID token, start a fresh session."""
    w = wiring()
    source = request.remote_addr or "unknown"
    signin_throttle.refuse_if_blocked(w.uow(), source, w.clock, w.settings.signin_failures_allowed)
    pending = session.pop(PENDING, None)
    try:
        employee_id = _verified_employee(w, pending)
        principal = directory_svc.principal_for(w.uow(), employee_id)  # an inactive person is refused here
    except NotAuthenticated:
        session.clear()
        signin_throttle.record_failure(w.uow(), source, w.clock)
        raise
    csrf = secrets.token_urlsafe(32)
    session.clear()  # nothing of the pre-sign-in session survives into the signed-in one
    session.permanent = True
    now = time.time()
    session.update({"employee_id": principal.employee_id, "auth_at": now, "sid": secrets.token_urlsafe(16)})
    session["csrf"] = csrf
    return redirect(pending["next"] if pending else "/")


def _verified_employee(w: Wiring, pending: dict[str, str] | None) -> str:
    state, code = request.args.get("state", ""), request.args.get("code", "")
    if request.args.get("error"):
        raise SignInFailed("the sign-in was cancelled or refused; try again")
    if not pending or not state or not secrets.compare_digest(state, pending["state"]) or not code:
        raise SignInFailed("this sign-in link is not the one this browser started; start again")
    answer = hosted_ui(w).exchange(code, callback_url(), pending["verifier"])
    token = answer.get("id_token")
    if not isinstance(token, str):
        raise SignInFailed("the sign-in did not return an identity")
    claims = verifier(w).verify_id_token(token)
    employee_id = employee_id_from_claims(claims, w.settings.employee_id_claim)
    if employee_id is None:
        if federated_provider(claims):
            raise SignInFailed(
                "your organisation's sign-in did not send an employee id; ask HR to check the identity provider"
            )
        raise SignInFailed("this account is not linked to anyone in the organisation")
    return employee_id


@bp.get("/signed-out")
def signed_out():
    """Where the hosted UI's logout comes back to: both sessions have ended."""
    session.clear()
    return render_template("pages/signed_out.html")


def install(app: Flask) -> None:
    """Register the Cognito sign-in (deployed configuration only)."""
    app.register_blueprint(bp)
