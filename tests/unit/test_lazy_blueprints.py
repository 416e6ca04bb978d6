"""The Lambda handler's app registers its blueprints when a request first needs them, and then serves exactly what
the app built at once serves (web/blueprints.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import url_for
from werkzeug.exceptions import HTTPException
from werkzeug.routing import Map, Rule

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services.directory import import_organisation
from service.web import create_app
from service.web.blueprints import group_of
from tests.conftest import ORG_CSV

SETTINGS = Settings(table_name="reviews-test", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)


def build(lazy: bool):
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    app = create_app(SETTINGS, table=table, clock=clock, lazy_blueprints=lazy)
    app.config["TESTING"] = True
    return app


def sign_in(client, employee_id: str) -> None:
    page = client.get("/signin")
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/signin", data={"csrf_token": csrf, "employee_id": employee_id}).status_code == 302


def routes(app) -> set[tuple[str, str, frozenset[str]]]:
    return {(r.rule, r.endpoint, frozenset(r.methods or ())) for r in app.url_map.iter_rules()}


def handlers(app) -> set[tuple[object, str, str]]:
    """(blueprint, error class, handler name) of every error handler."""
    return {
        (blueprint, cls.__name__, fn.__name__)
        for blueprint, by_code in app.error_handler_spec.items()
        for classes in by_code.values()
        for cls, fn in classes.items()
    }


@pytest.fixture
def lazy():
    return build(lazy=True)


def test_the_health_check_answers_without_registering_any_blueprint(lazy):
    response = lazy.test_client().get("/healthz")

    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
    assert len(lazy.extensions["blueprints"].pending) > 15
    assert "pages.home" not in lazy.view_functions


def test_a_page_after_the_health_check_registers_the_pages_and_answers(lazy):
    client = lazy.test_client()
    assert client.get("/healthz").status_code == 200

    sign_in(client, "E3")
    home = client.get("/")

    assert home.status_code == 200
    assert "Alan Turing" in home.get_data(as_text=True)
    pending = lazy.extensions["blueprints"].pending
    assert pending and all(group_of(module) == "api" for module in pending)  # the API waits for its first call


def test_an_api_call_first_registers_the_api_and_answers_in_the_error_shape(lazy):
    response = lazy.test_client().get("/api/me")

    assert response.status_code == 401
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    pending = lazy.extensions["blueprints"].pending
    assert pending and all(group_of(module) == "pages" for module in pending)  # the pages wait for theirs


def test_url_for_an_endpoint_not_yet_registered_registers_it_and_builds(lazy):
    with lazy.test_request_context("/healthz"):
        assert url_for("pages_goals.edit", goal_id="G1", cycle="C1") == "/goals/G1?cycle=C1"
        assert url_for("api_reviews.get_review", cycle_id="C1", employee_id="E3", _external=True).startswith("http")
    assert lazy.extensions["blueprints"].pending == []


def test_a_path_nobody_serves_is_a_404_once_everything_is_registered(lazy):
    response = lazy.test_client().get("/no/such/page")

    assert response.status_code == 404
    assert lazy.extensions["blueprints"].pending == []


def test_once_registered_a_lazy_app_serves_what_the_eager_app_serves(lazy):
    eager = build(lazy=False)
    lazy.test_client().get("/no/such/page")  # registers everything

    assert routes(lazy) == routes(eager)
    assert set(lazy.jinja_env.filters) == set(eager.jinja_env.filters)
    assert set(lazy.jinja_env.globals) == set(eager.jinja_env.globals)
    assert handlers(lazy) == handlers(eager)
    assert set(lazy.before_request_funcs) == set(eager.before_request_funcs)


def test_no_url_of_one_group_is_served_by_another_groups_rule():
    """A request is matched against the rules registered so far: a URL of a blueprint still pending must not be
    answered by a rule of a group already registered (or it would reach the wrong view)."""
    app = build(lazy=False)
    groups: dict[str | None, list[Rule]] = {}
    for rule in app.url_map.iter_rules():
        module = (
            app.blueprints[rule.endpoint.split(".")[0]].import_name.rsplit(".", 1)[1] if "." in rule.endpoint else "-"
        )
        group = "core" if module == "-" else group_of(module)
        groups.setdefault(group, []).append(rule)
    maps = {
        g: Map([Rule(r.rule, endpoint=r.endpoint, methods=r.methods) for r in rules]) for g, rules in groups.items()
    }
    adapter = app.url_map.bind("reviews.example.com")
    clashes = []
    for group, rules in groups.items():
        for rule in rules:
            values = {name: 7 if "Integer" in type(c).__name__ else "x1" for name, c in rule._converters.items()}
            for method in sorted(rule.methods or ()):
                url = adapter.build(rule.endpoint, values, method=method)
                for other, rule_map in maps.items():
                    if other == group:
                        continue
                    try:
                        rule_map.bind("reviews.example.com").match(url, method=method)
                    except HTTPException:
                        continue
                    clashes.append((url, method, group, other))
    assert sorted({"pages", "api", "core"}) <= sorted(g for g in groups if g)
    assert clashes == []
