"""Route metadata for the OpenAPI document: views declare their schemas next to their code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema


def api_doc(
    summary: str,
    response: type[Schema] | None = None,
    body: type[Schema] | None = None,
    query: type[Schema] | None = None,
    status: int = 200,
    errors: tuple[int, ...] = (),
    body_content: tuple[str, ...] = ("application/json",),
    response_content: str = "application/json",
    also: tuple[int, ...] = (),
    accepted: type[Schema] | None = None,
    not_modified: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach OpenAPI facts to a view (read by service.web.openapi).

    `errors` names only what the route cannot tell: openapi.py derives 401 and 503 (every operation), 404 (a path
    id), 403 (an unsafe method: CSRF), 400/413/422 (a body), 422 (a query), 412/422/428 (the view reads If-Match).
    """

    def mark(view: Callable[..., Any]) -> Callable[..., Any]:
        view.api_doc = {  # type: ignore[attr-defined]
            "summary": summary,
            "response": response,
            "body": body,
            "query": query,
            "status": status,
            "errors": errors,
            "body_content": body_content,
            "response_content": response_content,
            "also": also,  # other success statuses, with the same body (e.g. an idempotent replay's 200)
            "not_modified": not_modified,  # If-None-Match with the ETag read: 304, nothing sent again
            "accepted": accepted,  # a 202 with this body, a Location to ask again and a Retry-After (work under way)
        }
        return view

    return mark


def api_change(
    summary: str, response: type[Schema], body: type[Schema] | None = None, status: int = 200
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`api_doc` of a change the state of things may refuse (409: a closed cycle, a workflow that forbids it, …)."""
    return api_doc(summary, response=response, body=body, status=status, errors=(409,))


def api_create(
    summary: str, response: type[Schema], body: type[Schema]
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`api_doc` of a create: a body in, 201 with the thing made (the refusals the edge derives: its body, CSRF)."""
    return api_doc(summary, response=response, body=body, status=201)


def api_report(
    summary: str, response: type[Schema], query: type[Schema] | None = None
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`api_doc` of a read only some people may make (403 for the others: a report, another person's record)."""
    return api_doc(summary, response=response, query=query, errors=(403,))
