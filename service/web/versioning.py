"""Optimistic concurrency at the edge: ETag out, If-Match in."""

from __future__ import annotations

from flask import Response, request
from werkzeug.exceptions import PreconditionRequired

from service.domain.errors import ValidationFailed


def expected_version() -> int:
    """The version the client read, from If-Match (a form sends it as a hidden `version` field)."""
    raw = request.headers.get("If-Match") or request.form.get("version")
    if not raw:
        raise PreconditionRequired("send If-Match with the ETag you read, so that no update is lost")
    value = raw.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not value.isdigit():
        raise ValidationFailed("If-Match must be the ETag you read.", {"If-Match": [f"{raw!r} is not a version"]})
    return int(value)


def with_etag(response: Response, version: int) -> Response:
    """Tag a response with the version it shows."""
    response.headers["ETag"] = f'"{version}"'
    return response
