"""Identity at the edge: who is behind this request.

- local mode: a signed session cookie set by the demo sign-in page, or a Bearer token minted by
  the CLI (`python -m service.cli mint-token`);
- jwt mode (deployed): API clients on /api/* send a Cognito token that the API Gateway JWT authorizer
  has already verified (its claims arrive in the request context and name the employee); browsers sign
  in through the hosted UI (web/signin.py) and carry the session cookie that sign-in started, which
  ends after `session_minutes` idle and `session_max_hours` in all.
"""

from __future__ import annotations

import secrets
import time
from typing import TYPE_CHECKING, Any

from flask import Flask, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer

from service.config import Settings
from service.domain.errors import NotAuthenticated, PermissionDenied
from service.web.wiring import wiring

if TYPE_CHECKING:
    from service.services.auth import Principal

TOKEN_SALT = "api-token"  # noqa: S105 - a salt, not a secret
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
# Unsafe requests that establish an identity keep the CSRF check even without one (no login CSRF).
IDENTITY_ENDPOINTS = {"local_signin.signin_post"}


class CsrfRefused(PermissionDenied):
    """An unsafe request without this session's CSRF token."""

    code = "csrf_refused"


def _serializer(settings: Settings) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(settings.secret_key, salt=TOKEN_SALT)


def mint_token(settings: Settings, employee_id: str) -> str:
    """A signed API token for the local run (checked against the directory on every use)."""
    if settings.auth_mode != "local":
        raise PermissionDenied("API tokens are minted only by the local run; deployed, use Cognito")
    return _serializer(settings).dumps({"sub": employee_id})


def _token_subject(settings: Settings, token: str) -> str:
    try:
        data = _serializer(settings).loads(token, max_age=settings.token_days * 86400)
    except BadSignature as exc:
        raise NotAuthenticated("the API token is invalid or expired") from exc
    return str(data["sub"])


def _jwt_claims() -> dict[str, Any]:
    context = request.environ.get("apig_wsgi.request_context") or {}
    return ((context.get("authorizer") or {}).get("jwt") or {}).get("claims") or {}


def _identify() -> tuple[str | None, str]:
    """(employee id or None, how it was established)."""
    settings = wiring().settings
    if settings.auth_mode == "jwt":
        claims = _jwt_claims()
        if claims:
            return (claims.get(settings.employee_id_claim) or None), "jwt"
        return _cognito_session(settings), "session"
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return _token_subject(settings, header[7:].strip()), "token"
    return session.get("employee_id"), "session"


def session_expired(now: float, max_hours: int) -> bool:
    """True when the signed-in session is older than the absolute limit (`auth_at`, set by web/signin.py)."""
    started = session.get("auth_at")
    return started is None or now - float(started) > max_hours * 3600


def _cognito_session(settings: Settings) -> str | None:
    """The employee of a session started by the Cognito sign-in, unless it passed its absolute limit."""
    if session.get("employee_id") is None:
        return None
    if session_expired(time.time(), settings.session_max_hours):
        session.clear()
        return None
    return session["employee_id"]


def claimed_identity() -> str | None:
    """Who the request says it is (not yet checked against the directory); None when nobody or invalid."""
    try:
        return _identify()[0]
    except NotAuthenticated:
        return None


def current_principal() -> Principal:
    """The principal of this request; raises NotAuthenticated when there is none."""
    if "principal" not in g:
        from service.services import directory as directory_svc  # loaded by the first signed-in request

        employee_id, how = _identify()
        g.auth_method = how
        if employee_id is None:
            raise NotAuthenticated("sign in first")
        g.principal = directory_svc.principal_for(wiring().uow(), employee_id)
    return g.principal


def optional_principal() -> Principal | None:
    """The principal, or None when nobody is signed in."""
    try:
        return current_principal()
    except NotAuthenticated:
        return None


def csrf_token() -> str:
    """This session's CSRF token (created on first use)."""
    if "csrf" not in session:
        session["csrf"] = secrets.token_urlsafe(32)
    return session["csrf"]


def install(app: Flask) -> None:
    """Refuse unsafe requests without a CSRF token, unless they carry their own credentials."""

    @app.before_request
    def _check_csrf() -> None:
        if request.method in SAFE_METHODS:
            return
        if request.headers.get("Authorization", "").lower().startswith("bearer "):
            return  # a token is not sent automatically by the browser: no CSRF risk
        jwt_mode = app.extensions["reviews"].settings.auth_mode == "jwt"
        if jwt_mode and _jwt_claims():
            return  # the authorizer verified an Authorization header
        anonymous = session.get("employee_id") is None
        if anonymous and request.endpoint not in IDENTITY_ENDPOINTS:
            return  # no identity for a forged request to ride on: authentication answers (401), not CSRF (403)
        sent = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
        expected = session.get("csrf")
        if not expected or not sent or not secrets.compare_digest(sent, expected):
            raise CsrfRefused("the form has expired or did not come from this site; reload and try again")

    @app.before_request
    def _authenticate_api() -> None:
        # Who asks comes before what they sent: an anonymous request is a 401 whatever its body.
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, "api_doc", None) is not None:
            current_principal()

    app.jinja_env.globals["csrf_token"] = csrf_token
    app.jinja_env.globals["current_user"] = optional_principal
