"""The one mapping from errors to HTTP: JSON `{code, status, message, errors}` under /api, a page elsewhere."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, jsonify, render_template, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed

from service.domain import errors as e
from service.web.auth import optional_principal
from service.web.untrusted import MalformedRequest

STATUS: dict[type[e.DomainError], int] = {
    MalformedRequest: 400,
    e.ImportRejected: 422,
    e.ValidationFailed: 422,
    e.NotFound: 404,
    e.PermissionDenied: 403,
    e.NotAuthenticated: 401,
    e.StaleWrite: 412,
    e.Conflict: 409,
    e.TooLarge: 413,
    e.Unavailable: 503,
    e.TooManyAttempts: 429,
}


def status_of(error: e.DomainError) -> int:
    """The HTTP status for a domain error (most specific class wins)."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def wants_json() -> bool:
    """True for the JSON API (and for clients that ask for JSON)."""
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def json_error(code: str, status: int, message: str, errors: Any = None, **extra: Any) -> Response:
    """The one JSON error shape `{code, status, message, errors}` (plus an error's structured fields)."""
    resp = jsonify({"code": code, "status": status, "message": message, "errors": errors or {}, **extra})
    resp.status_code = status
    return resp


def error_response(
    code: str, status: int, message: str, errors: Any = None, retry_after: int | None = None, **extra: Any
) -> Any:
    """Render one error in the shape the client speaks."""
    if wants_json():
        return json_error(code, status, message, errors, **extra)
    page = render_template(
        "pages/error.html",
        code=code,
        status=status,
        message=message,
        errors=errors,
        retry_after=retry_after,
        bare=status >= 500 or not _chrome_available(),
    )
    return page, status


def _chrome_available() -> bool:
    """True when the page may show who is signed in and their menus.

    A 5xx page never asks (it is drawn without the session, the user or the table); a 4xx page asks once, and is
    drawn bare when that fails too (e.g. a 404 while the table or the session secret is unavailable)."""
    try:
        optional_principal()
    except e.DomainError:
        return False
    return True


def register_error_handlers(app: Flask, views: bool = True) -> None:
    """Install the mapping on an app (`views=False`: all but `register_view_errors`, installed with the views)."""
    if views:
        register_view_errors(app)

    @app.errorhandler(e.DomainError)
    def _domain(error: e.DomainError):
        return error_response(error.code, status_of(error), error.message, error.errors)

    @app.errorhandler(e.Unavailable)
    def _unavailable(error: e.Unavailable):
        # Nothing was changed: tell the client (and the browser's user) when to try the same request again.
        resp = app.make_response(error_response(error.code, 503, error.message, error.errors, error.retry_after))
        resp.headers["Retry-After"] = str(error.retry_after)
        return resp

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        errors = {"body": ["larger than the service accepts"]} if error.code == 413 else None
        response = error_response(code, error.code or 500, error.description or error.name, errors)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:
            allow = ", ".join(sorted(error.valid_methods))
            if isinstance(response, tuple):
                return response[0], response[1], {"Allow": allow}
            response.headers["Allow"] = allow
        return response


def register_view_errors(app: Flask) -> None:
    """What only views raise: a form's answer (`Respond`) and marshmallow's refusal of a body or query.

    Installed with the blueprints (web/blueprints.py), so a cold start that serves none imports neither."""
    from marshmallow import ValidationError

    from service.web.form_flow import Respond

    @app.errorhandler(Respond)
    def _respond(answer: Respond):
        return answer.response

    @app.errorhandler(ValidationError)
    def _invalid(error: ValidationError):
        return error_response("invalid_request", 422, "The request has invalid fields.", error.messages)
