"""Reading requests and writing answers of the JSON API, once for every blueprint.

A body or query string is loaded through its marshmallow schema (unknown fields refused, errors mapped to the
one error shape by `web/errors.py`); an answer is JSON, dumped through its output schema when one is given, with
its status and, for a versioned thing, the ETag a client sends back as If-Match (`web/versioning.py`).
"""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from marshmallow import Schema

from service.web.versioning import with_etag


def load_body(schema: type[Schema]) -> dict[str, Any]:
    """The JSON body loaded through `schema` (an empty body loads as `{}`, so required fields are named)."""
    return schema().load(request.get_json(silent=True) or {})


def load_query(schema: type[Schema]) -> dict[str, Any]:
    """The query string loaded through `schema`."""
    return schema().load(request.args)


def answer(data: Any, status: int = 200, version: int | None = None, schema: type[Schema] | None = None) -> Response:
    """A JSON answer: `data` (dumped through `schema` when given), its status, and its ETag when versioned."""
    resp = jsonify(schema().dump(data) if schema is not None else data)
    resp.status_code = status
    return with_etag(resp, version) if version is not None else resp
