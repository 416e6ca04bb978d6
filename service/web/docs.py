"""Route metadata for the OpenAPI document: views declare their schemas next to their code."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from marshmallow import Schema

# What a write may answer besides success (openapi.py adds what it derives: 412/428 where If-Match is read, …).
WRITE_ERRORS = (401, 403, 404, 409, 422)
VERSIONED_WRITE_ERRORS = (*WRITE_ERRORS, 412, 428)


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
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Attach OpenAPI facts to a view (read by service.web.openapi)."""

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
        }
        return view

    return mark
