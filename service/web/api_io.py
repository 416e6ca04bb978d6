"""Reading requests and writing answers of the JSON API, once for every blueprint.

A body or query string is loaded through the marshmallow schema its view declares in `api_doc` (unknown fields
refused, errors mapped to the one error shape by `web/errors.py`); an answer is JSON, dumped through its output
schema when one is given, with its status and, for a versioned thing, the ETag a client sends back as If-Match
(`web/versioning.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from marshmallow import Schema

from service.domain.archiving import ShelfAction
from service.web.docs import api_change
from service.web.versioning import expected_version, with_etag


def declared(kind: str) -> type[Schema]:
    """The `body`, `query` or `response` schema the current view declares in its `api_doc`: declared once, for the
    document and for the loading (or dumping), so the two cannot drift apart."""
    schema = getattr(current_app.view_functions[request.endpoint], "api_doc", {}).get(kind)
    if schema is None:
        raise LookupError(f"{request.endpoint} loads a {kind} it does not declare in api_doc")
    return schema


def load_body() -> dict[str, Any]:
    """The JSON body, loaded through the view's declared body schema (an empty body loads as `{}`, so required
    fields are named)."""
    return declared("body")().load(request.get_json(silent=True) or {})


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


def shelf_routes(
    bp: Blueprint,
    path: str,
    noun: str,
    schema: type[Schema],
    summaries: Mapping[ShelfAction, str],
    shelve: Callable[[str, ShelfAction, int], Response],
) -> None:
    """Register `POST path/archive` and `path/restore` (If-Match) as `archive_<noun>` / `restore_<noun>`: each
    answers `shelve(id, action, version)`, the id being `path`'s one argument."""
    for action, summary in summaries.items():

        @api_change(summary, schema)
        def shelved(shelf: ShelfAction = action, **path_args: str) -> Response:
            """Archive or restore one."""
            (thing_id,) = path_args.values()
            return shelve(thing_id, shelf, expected_version())

        bp.add_url_rule(f"{path}/{action.value}", f"{action.value}_{noun}", shelved, methods=["POST"])
