"""The app's blueprints, named by module: registered when the app is built, or (`lazy`) when a request needs them.

A cold Lambda start pays for what its first request uses. Lazily, the app knows every route of the route table
(web/route_table.py, generated from the app built at once and checked against it by
tests/unit/test_lazy_blueprints.py). A request for a path the table serves by a rule without arguments (the home
page `/`) registers that rule's blueprint at once; the first other request that no rule of the app's own serves adds
every table rule as a rule without a view, and a `url_for` of a pending blueprint adds that endpoint's rules only, so
matching and `url_for` answer as the full app would, without importing any blueprint or parsing rules not used.
A request matched to a rule whose blueprint is not registered yet registers that one blueprint before Flask
dispatches it; `/healthz` needs none, the home page only `pages`. The modules that add no route (`errors`' view
errors, which import marshmallow) are installed when a view first raises an error no installed handler takes
(`App`). Registering a blueprint keeps the table's rule for each of its routes (`RouteTableMap`). Should the
table be stale, a path no rule serves (404) or a `url_for` naming an endpoint the table lacks registers every
blueprint first, as the app built at once would answer. The Lambda handler's app is lazy (one request at a time per
process); the local run and the tests build every blueprint at once. Registration holds a lock all the same.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, request, url_for
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import BuildError, Map, Rule

# (module, attribute) → its routes: (rule, endpoint, methods)
Routes = dict[tuple[str, str], tuple[tuple[str, str, tuple[str, ...]], ...]]


def rule_key(rule: Rule) -> tuple[str, str, frozenset[str]]:
    """What makes two rules the same route."""
    return rule.rule, rule.endpoint, frozenset(rule.methods or ())


class RouteTableMap(Map):
    """A URL map that keeps the route table's rule when the blueprint it stands for registers the same route."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.from_table: dict[tuple[str, str, frozenset[str]], Rule] = {}

    def add(self, rulefactory: Any) -> None:
        """Add a rule, unless the table's rule for the same route is there (it takes the new rule's options)."""
        if isinstance(rulefactory, Rule) and rule_key(rulefactory) in self.from_table:
            kept = self.from_table.pop(rule_key(rulefactory))
            kept.provide_automatic_options = getattr(rulefactory, "provide_automatic_options", False)  # type: ignore[attr-defined]
            return
        super().add(rulefactory)


class App(Flask):
    """Flask with the URL map that lazy blueprints need, installing the pending error handlers when an error finds
    no handler (`Blueprints.install_routeless`)."""

    url_map_class = RouteTableMap

    def handle_user_exception(self, e: Exception) -> Any:
        """Flask's, once the modules that add no route (error handlers) are installed, if one may handle `e`."""
        blueprints = self.extensions.get("blueprints")
        if (
            blueprints is not None
            and not isinstance(e, HTTPException)
            and self._find_error_handler(e, request.blueprints) is None
        ):
            blueprints.install_routeless()
        return super().handle_user_exception(e)


class Blueprints:
    """Blueprints added by module name (`service.web.<module>`, attribute `bp` unless told)."""

    def __init__(self, app: Flask, lazy: bool = False, routes: Routes | None = None) -> None:
        self.app = app
        self.lazy = lazy
        self._pending: list[tuple[str, str]] = []
        self._endpoints: dict[str, tuple[str, str]] = {}  # the table's endpoint → its pending blueprint
        self._lock = threading.RLock()
        self.routes = routes
        self._tabled = False  # the table's rules are in the URL map
        self._tabled_endpoints: set[str] = set()  # endpoints whose table rules are in the URL map (a url_for's)
        self._static: dict[tuple[str, str], str] | None = None  # (path, method) → endpoint, for rules without arguments
        self.recorded: Routes | None = None  # set to a dict to record each registration's routes (route_table)
        if lazy:
            if self.routes is None:
                from service.web.route_table import ROUTES

                self.routes = ROUTES
            app.url_build_error_handlers.append(self._build_error)
            app.wsgi_app = self._registering(app.wsgi_app)  # type: ignore[method-assign]

    def add(self, module: str, attribute: str = "bp") -> None:
        """One blueprint: `add("pages_goals")` registers `service.web.pages_goals.bp` (now, or when needed)."""
        if not self.lazy:
            self._register([(module, attribute)])
            return
        key = (module, attribute)
        self._pending.append(key)
        for _, endpoint, _ in (self.routes or {}).get(key, ()):
            self._endpoints[endpoint] = key

    def _add_table_rules(self, endpoint: str | None = None) -> None:
        """The route table's rules of the blueprints added (of one `endpoint`, for a url_for): when a request or a
        url_for first needs a route no registered rule serves (a cold `/healthz` parses none of ~300 rules, the
        home page only those of the links it builds)."""
        if self._tabled:
            return
        self._tabled = endpoint is None
        url_map = self.app.url_map
        for key in self._pending:
            for rule, named, methods in (self.routes or {}).get(key, ()):
                if named in self._tabled_endpoints or (endpoint is not None and named != endpoint):
                    continue
                placeholder = self.app.url_rule_class(rule, endpoint=named, methods=methods)
                url_map.add(placeholder)
                if isinstance(url_map, RouteTableMap):
                    url_map.from_table[rule_key(placeholder)] = placeholder
        if endpoint is not None:
            self._tabled_endpoints.add(endpoint)

    def _static_endpoint(self, path: str, method: str) -> str | None:
        """The pending endpoint whose route is exactly this path, without arguments (such a rule wins any match)."""
        if self._static is None:
            self._static = {
                (rule, m): endpoint
                for key in self._pending
                for rule, endpoint, methods in (self.routes or {}).get(key, ())
                if "<" not in rule
                for m in methods
            }
        return self._static.get((path, method))

    @property
    def pending(self) -> list[str]:
        """Modules whose blueprints are not registered yet."""
        return [module for module, _ in self._pending]

    def serves(self, endpoint: str) -> bool:
        """Does the app serve this endpoint (registered, or in the route table for a pending blueprint)?"""
        if endpoint in self.app.view_functions or endpoint in self._endpoints:
            return True
        tabled = any(endpoint == e for rules in (self.routes or {}).values() for _, e, _ in rules)
        if self._pending and not tabled:  # unknown to the table (one of another sign-in is not): a stale table?
            self.register_all()
        return endpoint in self.app.view_functions

    def register_all(self) -> None:
        """Register every pending blueprint (tests that walk all routes need them)."""
        self._register_pending(lambda key: True)

    def register_for(self, endpoint: str) -> None:
        """Register the blueprint serving `endpoint`."""
        key = self._endpoints.get(endpoint)
        self._register_pending(lambda k: k == key)
        if endpoint not in self.app.view_functions:  # a stale table: whoever serves it is registered
            self.register_all()

    def install_routeless(self) -> None:
        """Install the pending modules that add no route: error handlers for what only views raise (`errors`'
        marshmallow refusal and form answer), wanted first when a view raises one, so no page pays for them before."""
        routed = set(self.routes or {})
        self._register_pending(lambda k: k not in routed)

    def _register_pending(self, chosen: Callable[[tuple[str, str]], bool]) -> None:
        if not self._pending:
            return
        with self._lock:
            picked = [b for b in self._pending if chosen(b)]
            if not picked:
                return  # another thread registered them while this one waited
            started = self.app._got_first_request
            # Flask refuses setup once a request was handled, to protect apps that register routes by accident
            # mid-flight; here a blueprint's routes are registered at once, under the lock, before a request uses one.
            self.app._got_first_request = False
            try:
                self._register(picked)
                # only now: other threads wait on the lock until every route of the blueprint is there
                self._pending = [b for b in self._pending if b not in picked]
            finally:
                self.app._got_first_request = started

    def _register(self, blueprints: Iterable[tuple[str, str]]) -> None:
        for module, attribute in blueprints:
            before = set(self.app.view_functions)
            found = getattr(importlib.import_module(f"service.web.{module}"), attribute)
            if callable(getattr(found, "register", None)) and hasattr(found, "name"):
                self.app.register_blueprint(found)
            else:
                found(self.app)  # an install function: it registers its blueprint and whatever goes with it
            if self.recorded is not None:
                added = [e for e in self.app.view_functions if e not in before]
                rules = [r for e in added for r in self.app.url_map.iter_rules(e)]
                if rules:
                    self.recorded[(module, attribute)] = tuple(
                        (r.rule, r.endpoint, tuple(sorted(r.methods or ()))) for r in rules
                    )

    def _registering(self, wsgi_app: Callable[..., Any]) -> Callable[..., Any]:
        def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
            if self._pending:
                with self._lock:  # no request matches against the rules while another registers some
                    if self._pending:
                        self._register_serving(environ)
            return wsgi_app(environ, start_response)

        return serve

    def _register_serving(self, environ: dict[str, Any]) -> None:
        """Register the blueprint whose rule matches the request (every one when no rule does)."""
        if not self._tabled:
            try:
                rule, _ = self.app.url_map.bind_to_environ(environ).match(return_rule=True)
                if rule.endpoint in self.app.view_functions:
                    return  # a rule of the app's own (`/healthz`, static files) or of a registered blueprint
            except HTTPException:
                pass
            static = self._static_endpoint(environ.get("PATH_INFO") or "/", environ.get("REQUEST_METHOD", "GET"))
            if static is not None:
                self.register_for(static)  # e.g. the home page: its blueprint, no table to parse
                return
            self._add_table_rules()
        try:
            rule, _ = self.app.url_map.bind_to_environ(environ).match(return_rule=True)
        except NotFound:
            self.register_all()
            return
        except HTTPException:  # another method, a redirect: the full table answers it, no view needed
            return
        if rule.endpoint not in self.app.view_functions:
            self.register_for(rule.endpoint)

    def _build_error(self, error: BuildError, endpoint: str, values: dict[str, Any]) -> str | None:
        if not self._pending:
            return None
        if not self._tabled and endpoint in self._endpoints:
            with self._lock:
                self._add_table_rules(endpoint)
        else:
            self.register_all()
        return url_for(endpoint, **values)
