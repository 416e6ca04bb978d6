"""Optimistic concurrency at the edge: ETag out, If-Match in."""

from __future__ import annotations

import re

from flask import Response, request
from werkzeug.exceptions import PreconditionRequired

from service.domain.errors import ValidationFailed

VERSION_RE = re.compile(r"[0-9]{1,15}")


def expected_version() -> int:
    """The version the client read, from If-Match (a form sends it as a hidden `version` field)."""
    raw = request.headers.get("If-Match") or request.form.get("version")
    if not raw:
        raise PreconditionRequired("send If-Match with the ETag you read, so that no update is lost")
    value = raw.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    if not VERSION_RE.fullmatch(value):  # ASCII digits only: str.isdigit() also takes '²', which int() refuses
        raise ValidationFailed("If-Match must be the ETag you read.", {"If-Match": [f"{raw!r} is not a version"]})
    return int(value)


def form_version(raw: str | None) -> int:
    """The hidden `version` field of a page form (0 when absent); anything but a version is a field error."""
    value = (raw or "0").strip()
    if not VERSION_RE.fullmatch(value):
        raise ValidationFailed("The form is damaged: reload the page.", {"version": [f"{raw!r} is not a version"]})
    return int(value)


def with_etag(response: Response, version: int) -> Response:
    """Tag a response with the version it shows."""
    response.headers["ETag"] = f'"{version}"'
    return response
