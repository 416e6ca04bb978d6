"""The app's blueprints, named by module: registered when the app is built, or (`lazy`) when a request needs them.

A cold Lambda start pays for what its first request uses. The web function's first request is often the health
check, which no blueprint serves: importing the ~20 blueprint modules (their use cases, schemas and marshmallow)
cost more than Flask itself. Lazily, blueprints are registered by group the first time a request asks for a path
no registered rule serves with its method: a path under /api/ registers the API's group (`api_*`, `openapi` and
the PDF and export modules), any other path the pages' group (`pages*`, `signin`); when that group does not serve
it either, every blueprint. A module of neither group (`errors`' view errors, or a new one) comes with the first
group. A `url_for` naming an endpoint not yet registered registers every blueprint. So links between pages,
template globals and filters (all in the pages' group), and every hook a blueprint adds are there before anything
that may use them runs. The Lambda handler's app is lazy (one request at a time per process); the local run and
the tests build every blueprint at once. Registration holds a lock all the same.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import BuildError

API_MODULES = frozenset({"openapi", "exports", "summaries", "training_pdf", "calibration_pdf"})


def group_of(module: str) -> str | None:
    """The group a blueprint module is registered with: "pages", "api", or None (with whichever comes first)."""
    if module.startswith("pages") or module == "signin":
        return "pages"
    if module.startswith("api_") or module in API_MODULES:
        return "api"
    return None


class Blueprints:
    """Blueprints added by module name (`service.web.<module>`, attribute `bp` unless told)."""

    def __init__(self, app: Flask, lazy: bool = False) -> None:
        self.app = app
        self.lazy = lazy
        self._pending: list[tuple[str, str]] = []
        self._lock = threading.RLock()
        if lazy:
            app.url_build_error_handlers.append(self._build_error)
            app.wsgi_app = self._registering(app.wsgi_app)  # type: ignore[method-assign]

    def add(self, module: str, attribute: str = "bp") -> None:
        """One blueprint: `add("pages_goals")` registers `service.web.pages_goals.bp` (now, or when needed)."""
        if self.lazy:
            self._pending.append((module, attribute))
        else:
            self._register([(module, attribute)])

    @property
    def pending(self) -> list[str]:
        """Modules whose blueprints are not registered yet."""
        return [module for module, _ in self._pending]

    def register_all(self) -> None:
        """Register every pending blueprint (tests that walk all routes need them)."""
        self.register(None)

    def register(self, group: str | None) -> None:
        """Register the pending blueprints of `group` (and those of no group); every pending one when None."""
        if not self._pending:
            return
        with self._lock:
            chosen = [b for b in self._pending if group is None or group_of(b[0]) in (group, None)]
            if not chosen:
                return  # another thread registered them while this one waited
            started = self.app._got_first_request
            # Flask refuses setup once a request was handled, to protect apps that register routes by accident
            # mid-flight; here every route is registered at once, under the lock, before any request uses one.
            self.app._got_first_request = False
            try:
                self._register(chosen)
                # only now: other threads wait on the lock until every route of the group is there
                self._pending = [b for b in self._pending if b not in chosen]
            finally:
                self.app._got_first_request = started

    def _register(self, blueprints: Iterable[tuple[str, str]]) -> None:
        for module, attribute in blueprints:
            found = getattr(importlib.import_module(f"service.web.{module}"), attribute)
            if callable(getattr(found, "register", None)) and hasattr(found, "name"):
                self.app.register_blueprint(found)
            else:
                found(self.app)  # an install function: it registers its blueprint and whatever goes with it

    def _served(self, environ: dict[str, Any]) -> bool:
        """Does a registered rule already answer this path with this method?"""
        try:
            self.app.url_map.bind_to_environ(environ).match()
        except HTTPException:  # not found, another method, a redirect: a pending blueprint may serve it
            return False
        return True

    def _registering(self, wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if self._pending:
                with self._lock:  # no request matches against the rules while another registers some
                    if self._pending and not self._served(environ):
                        path = environ.get("PATH_INFO") or ""
                        self.register("api" if path.startswith("/api/") else "pages")
                        if not self._served(environ):
                            self.register_all()
            return wsgi_app(environ, start_response)

        return serve

    def _build_error(self, error: BuildError, endpoint: str, values: dict[str, Any]) -> str | None:
        if not self._pending:
            return None
        self.register_all()
        return url_for(endpoint, **values)
