"""One batch read at the start of a request about one review or one cycle.

The signed-in person, the review, its cycle and its employee (or the cycle and its counters) are
read in one BatchGetItem into the request's unit of work, before authentication needs the person:
every later read of them in the request is served from it (docs/ARCHITECTURE.md, "The unit of work").
"""

from __future__ import annotations

from flask import Flask, request

from service.web.auth import claimed_identity
from service.web.wiring import wiring


def install(app: Flask) -> None:
    """Prefetch before the other request hooks (install it first)."""

    @app.before_request
    def _prefetch() -> None:
        args = request.view_args or {}
        if "cycle_id" not in args:
            return
        from service.services import cycles as cycle_svc  # the use cases load with the first request about a cycle
        from service.services import reviews as review_svc

        if "employee_id" in args:
            writing = request.method not in ("GET", "HEAD")
            review_svc.prefetch(wiring().uow(), claimed_identity(), args["cycle_id"], args["employee_id"], writing)
        else:
            cycle_svc.prefetch(wiring().uow(), claimed_identity(), args["cycle_id"])
