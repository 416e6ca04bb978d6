"""Reading requests and writing answers of the JSON API, once for every blueprint.

A body or query string is loaded through the marshmallow schema its view declares in `api_doc` (unknown fields
refused, errors mapped to the one error shape by `web/errors.py`); an answer is JSON, dumped through its output
schema when one is given, with its status and, for a versioned thing, the ETag a client sends back as If-Match
(`web/versioning.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema, ValidationError

from service.web.docs import api_change
from service.web.versioning import expected_version, with_etag

A = TypeVar("A", bound=StrEnum)


def declared(kind: str) -> type[Schema]:
    """The `body`, `query` or `response` schema the current view declares in its `api_doc`: declared once, for the
    document and for the loading (or dumping), so the two cannot drift apart."""
    schema = getattr(current_app.view_functions[request.endpoint], "api_doc", {}).get(kind)
    if schema is None:
        raise LookupError(f"{request.endpoint} loads a {kind} it does not declare in api_doc")
    return schema


def load_body() -> dict[str, Any]:
    """The JSON body, loaded through the view's declared body schema (an empty body loads as `{}`, so required
    fields are named). A JSON body that is not an object (`null`, a list, a number, `false`, a string) is
    refused as it is, never read as an empty one."""
    body = request.get_json(silent=True) if request.get_data(cache=True).strip() else {}
    if not isinstance(body, dict):
        raise ValidationError({"_schema": [NOT_AN_OBJECT]})
    return declared("body")().load(body)


NOT_AN_OBJECT = "The request body must be a JSON object."


def load_query() -> dict[str, Any]:
    """The query string, loaded through the view's declared query schema."""
    return declared("query")().load(request.args)


def answer(data: Any, status: int = 200, version: int | None = None, schema: type[Schema] | None = None) -> Response:
    """A JSON answer: `data` (dumped through `schema` when given), its status, and its ETag when versioned."""
    resp = jsonify(schema().dump(data) if schema is not None else data)
    resp.status_code = status
    return with_etag(resp, version) if version is not None else resp


def respond(data: Any, status: int = 200, version: int | None = None) -> Response:
    """`answer` dumped through the response schema the view declares in its `api_doc` (flask-smorest's
    `@blp.response`): declared once, for the document and for the dumping."""
    return answer(data, status, version, declared("response"))


def versioned(thing: Any, schema: type[Schema] | None = None, status: int = 200) -> Response:
    """`answer` for a versioned thing, a mapping or an object with a `version`: its ETag is that version."""
    version = thing["version"] if isinstance(thing, Mapping) else thing.version
    return answer(thing, status, version, schema)


def action_routes(
    bp: Blueprint,
    path: str,
    noun: str,
    schema: type[Schema],
    summaries: Mapping[A, str],
    act: Callable[[str, A, int], Response],
) -> None:
    """Register `POST path/<action>` (If-Match) for each action of a workflow (archive and restore, pause and
    resume, …) as `<action>_<noun>`: each answers `act(id, action, version)`, the id being `path`'s one argument."""
    for action, summary in summaries.items():

        @api_change(summary, schema)
        def acted(chosen: A = action, **path_args: str) -> Response:
            """Take one step of the thing's workflow."""
            (thing_id,) = path_args.values()
            return act(thing_id, chosen, expected_version())

        bp.add_url_rule(f"{path}/{action.value}", f"{action.value}_{noun}", acted, methods=["POST"])
