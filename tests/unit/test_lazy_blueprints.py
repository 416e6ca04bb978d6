"""The Lambda handler's app registers its blueprints when a request first needs them, and then serves exactly what
the app built at once serves (web/blueprints.py)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from flask import url_for
from werkzeug.exceptions import HTTPException

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services.directory import import_organisation
from service.web import create_app
from service.web.generated import route_table
from service.web.route_table import ROUTES
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


def test_the_home_page_registers_only_the_blueprints_its_requests_reach(lazy):
    client = lazy.test_client()
    assert client.get("/healthz").status_code == 200

    sign_in(client, "E3")
    home = client.get("/")

    assert home.status_code == 200
    assert "Alan Turing" in home.get_data(as_text=True)
    assert set(lazy.blueprints) == {"local_signin", "pages"}  # the sign-in page and form, then the home page


def test_an_api_call_first_registers_its_blueprint_and_answers_in_the_error_shape(lazy):
    response = lazy.test_client().get("/api/me")

    assert response.status_code == 401
    assert set(response.get_json()) == {"code", "status", "message", "errors"}
    assert "api_directory" not in lazy.extensions["blueprints"].pending
    assert "api_reviews" in lazy.extensions["blueprints"].pending


def test_url_for_an_endpoint_not_yet_registered_builds_without_registering_it(lazy):
    pending = list(lazy.extensions["blueprints"].pending)
    with lazy.test_request_context("/healthz"):
        assert url_for("pages_goals.edit", goal_id="G1", cycle="C1") == "/goals/G1?cycle=C1"
        assert url_for("api_reviews.get_review", cycle_id="C1", employee_id="E3", _external=True).startswith("http")
    assert lazy.extensions["blueprints"].pending == pending


def test_a_path_nobody_serves_is_a_404_once_everything_is_registered(lazy):
    response = lazy.test_client().get("/no/such/page")

    assert response.status_code == 404
    assert lazy.extensions["blueprints"].pending == []


def test_the_route_table_is_the_routes_of_the_app_built_at_once():
    """web/route_table.py is generated: after adding or changing a route, run `make routes`."""
    assert route_table() == ROUTES


def test_a_lazy_app_matches_and_builds_every_route_of_the_eager_app_before_registering_any(lazy):
    eager = build(lazy=False)
    with lazy.test_request_context("/healthz"):
        assert url_for("pages_goals.edit", goal_id="G1") == "/goals/G1"  # a url_for adds its endpoint's rules
    assert {r.endpoint for r in lazy.url_map.iter_rules() if "." in r.endpoint} == {"pages_goals.edit"}
    with lazy.test_request_context("/goals/G1"):
        lazy.extensions["blueprints"]._add_table_rules()  # what a request no rule without arguments serves adds

    assert routes(lazy) == routes(eager)
    assert "pages.home" not in lazy.view_functions


def test_the_home_page_parses_only_the_rules_of_the_links_it_builds(lazy):
    eager = build(lazy=False)
    answers = []
    for app in (lazy, eager):
        client = app.test_client()
        sign_in(client, "E3")
        home = client.get("/")
        if app is lazy:  # its own blueprint's rules and those of the links on the page, not the whole table
            assert len(routes(lazy)) < len(routes(eager)) / 2
        # then a path with an argument: the whole table is added, to match it as the eager app does
        page = re.sub(r'name="csrf_token" value="[^"]+"', "", home.get_data(as_text=True))  # each session's own
        answers.append((home.status_code, page, client.get("/goals/no-such-goal").status_code))

    assert answers[0] == answers[1]
    assert routes(lazy) == routes(eager)


def test_no_blueprints_url_is_served_by_a_rule_of_the_apps_own(lazy):
    """Until the table's rules are added, a request matched by one of the app's own rules is served at once: no
    URL of a blueprint may match one of those (or it would reach the wrong view)."""
    eager = build(lazy=False)
    own = lazy.url_map.bind("reviews.example.com")
    adapter = eager.url_map.bind("reviews.example.com")
    served = []
    for rule in eager.url_map.iter_rules():
        if "." not in rule.endpoint:
            continue  # the app's own
        values = {name: 7 if "Integer" in type(c).__name__ else "x1" for name, c in rule._converters.items()}
        for method in sorted(rule.methods or ()):
            url = adapter.build(rule.endpoint, values, method=method)
            try:
                found, _ = own.match(url, method=method, return_rule=True)
            except HTTPException:
                continue
            served.append((url, method, found.endpoint))
    assert served == []


def test_a_blueprint_registered_later_keeps_one_rule_per_route(lazy):
    eager = build(lazy=False)
    lazy.test_client().get("/no/such/page")  # registers everything

    assert sorted(map(str, lazy.url_map.iter_rules())) == sorted(map(str, eager.url_map.iter_rules()))


def test_once_registered_a_lazy_app_serves_what_the_eager_app_serves(lazy):
    eager = build(lazy=False)
    lazy.test_client().get("/no/such/page")  # registers everything

    assert routes(lazy) == routes(eager)
    assert set(lazy.jinja_env.filters) == set(eager.jinja_env.filters)
    assert set(lazy.jinja_env.globals) == set(eager.jinja_env.globals)
    assert handlers(lazy) == handlers(eager)
    assert set(lazy.before_request_funcs) == set(eager.before_request_funcs)


def test_the_other_sign_ins_endpoint_is_not_served_and_registers_nothing(lazy):
    pending = list(lazy.extensions["blueprints"].pending)
    with lazy.test_request_context("/"):
        from service.web.page_helpers import has_endpoint

        assert has_endpoint("cognito_signin.login") is False
        assert has_endpoint("pages_goals.index") is True
    assert lazy.extensions["blueprints"].pending == pending


def test_the_view_errors_are_installed_when_a_view_first_raises_one(lazy):
    """A form's answer (`Respond`) and marshmallow's refusal are handled by `errors.register_view_errors`, which the
    lazy app installs only when a view raises an error no handler takes (so no page pays for marshmallow first)."""
    from flask import redirect
    from marshmallow import ValidationError

    from service.web.form_flow import Respond

    @lazy.get("/answers-with-a-form")
    def answers_with_a_form():
        raise Respond(redirect("/elsewhere"))

    @lazy.get("/api/refuses-a-field")
    def refuses_a_field():
        raise ValidationError({"name": ["Unknown field."]})

    assert "Respond" not in {name for _, name, _ in handlers(lazy)}
    client = lazy.test_client()
    answer = client.get("/answers-with-a-form")
    refusal = client.get("/api/refuses-a-field")

    assert (answer.status_code, answer.headers["Location"]) == (302, "/elsewhere")
    assert refusal.status_code == 422
    assert refusal.get_json()["errors"] == {"name": ["Unknown field."]}
