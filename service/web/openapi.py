"""The OpenAPI 3 document, generated from the views' schemas (apispec imported only when asked)."""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify

from service.web.schemas import ErrorSchema
from service.web.untrusted import ID_MAX, ID_PATTERN, NAME_MAX

bp = Blueprint("openapi", __name__)
IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "description": "the ETag of the version you read (a stale one gets 412)",
    "schema": {"type": "string", "pattern": '^(W/)?"[0-9]{1,15}"$'},
}
ERROR_TEXT = {
    400: "Unreadable body (not JSON, or nested too deeply)",
    401: "Not signed in",
    403: "Not allowed",
    404: "Not found",
    409: "Conflict",
    412: "Changed by someone else (stale version)",
    413: "Too large",
    422: "Invalid input",
    503: "Storage busy or unreachable; nothing changed, retry after the Retry-After seconds",
}
# Any operation reaches the table, so any may answer 503 (throttled, 5xx or timed out), with Retry-After.
ALWAYS = (503,)


def build_spec(app: Flask) -> dict[str, Any]:
    """Walk the app's /api routes and describe each from its `api_doc` metadata."""
    from apispec import APISpec
    from apispec.ext.marshmallow import MarshmallowPlugin

    spec = APISpec(
        title="Review cycles service",
        version="1.0.0",
        openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": "Performance-review cycles: directory, cycles, reviews, goals, training needs."},
    )
    spec.components.schema("Error", schema=ErrorSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    paths: dict[str, dict[str, Any]] = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        view = app.view_functions[rule.endpoint]
        doc = getattr(view, "api_doc", None)
        if doc is None:
            continue
        path = re.sub(r"<(?:[a-z]+:)?([a-z_]+)>", r"{\1}", rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = _operation(rule, doc, method, view)
    for path, operations in paths.items():
        spec.path(path=path, operations=operations)
    return spec.to_dict()


def _path_parameter(rule: Any, name: str) -> dict[str, Any]:
    """A path parameter with the rule `untrusted.check_view_args` applies (anything else is a 404)."""
    if type(rule._converters.get(name)).__name__ == "IntegerConverter":
        schema: dict[str, Any] = {"type": "integer", "minimum": 0}
    elif name == "name":
        schema = {"type": "string", "minLength": 1, "maxLength": NAME_MAX}
    else:
        schema = {"type": "string", "minLength": 1, "maxLength": ID_MAX, "pattern": ID_PATTERN}
    return {"in": "path", "name": name, "required": True, "schema": schema}


def _checks_version(view: Any) -> bool:
    """True when the view reads If-Match (it calls `versioning.expected_version`)."""
    return "expected_version" in getattr(getattr(view, "__code__", None), "co_names", ())


def _error_statuses(rule: Any, doc: dict[str, Any], method: str, view: Any) -> set[int]:
    """The error statuses a view declares, plus those the edge itself answers for every such operation."""
    statuses = set(doc["errors"]) | {401, *ALWAYS}  # every operation needs a principal and reaches the table
    if _checks_version(view):
        statuses.update((412, 422, 428))  # stale, malformed or missing If-Match
    if rule.arguments:
        statuses.add(404)  # an id that names nothing, or cannot name anything
    if doc["query"] is not None:
        statuses.add(422)
    if method not in ("GET", "HEAD"):
        statuses.add(403)  # a signed-in browser without the CSRF token
    if doc["body"] is not None:
        statuses.update((400, 413, 422))  # unreadable or too deep JSON; too large; invalid fields
    return statuses


def _operation(rule: Any, doc: dict[str, Any], method: str, view: Any) -> dict[str, Any]:
    op: dict[str, Any] = {
        "summary": doc["summary"],
        "operationId": rule.endpoint.replace(".", "_"),
        "security": [{"bearer": []}],
        "parameters": [_path_parameter(rule, name) for name in sorted(rule.arguments)],
        "responses": {},
    }
    if doc["query"] is not None:
        op["parameters"].append({"in": "query", "schema": doc["query"]})
    ok: dict[str, Any] = {"description": "OK"}
    if doc["response"] is not None:
        ok["content"] = {"application/json": {"schema": doc["response"]}}
    elif doc.get("response_content", "application/json") != "application/json":  # a file: a PDF, a ZIP
        ok["content"] = {doc["response_content"]: {"schema": {"type": "string", "format": "binary"}}}
    for status in (doc["status"], *doc.get("also", ())):
        op["responses"][str(status)] = ok
    if doc.get("accepted") is not None:
        op["responses"]["202"] = {
            "description": "Under way: ask the Location again after Retry-After seconds",
            "content": {"application/json": {"schema": doc["accepted"]}},
            "headers": {
                "Location": {"description": "Where to ask again", "schema": {"type": "string"}},
                "Retry-After": {"description": "Seconds to wait before asking", "schema": {"type": "integer"}},
            },
        }
    if _checks_version(view):
        op["parameters"].append(IF_MATCH)
    for status in sorted(_error_statuses(rule, doc, method, view)):
        op["responses"][str(status)] = {
            "description": ERROR_TEXT.get(status, "Error"),
            "content": {"application/json": {"schema": "Error"}},
        }
    op["responses"]["503"]["headers"] = {
        "Retry-After": {"description": "Seconds to wait before trying again", "schema": {"type": "integer"}}
    }
    if doc["body"] is not None:
        content: dict[str, Any] = {}
        for mime in doc["body_content"]:
            if mime == "application/json":
                content[mime] = {"schema": doc["body"]}
            elif mime == "multipart/form-data":
                content[mime] = {
                    "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                }
            else:
                content[mime] = {"schema": {"type": "string"}}
        op["requestBody"] = {"required": True, "content": content}
    return op


@bp.get("/api/openapi.json")
def openapi_json():
    """The OpenAPI 3 description of the JSON API."""
    cache = current_app.extensions.setdefault("openapi", {})
    if "doc" not in cache:
        cache["doc"] = build_spec(current_app)
    return jsonify(cache["doc"])
