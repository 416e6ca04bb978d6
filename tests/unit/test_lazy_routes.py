"""Routes are registered cheaply (their URL builders compiled on first use) and build what werkzeug would."""

from __future__ import annotations

import pytest
from werkzeug.routing import Map, Rule

from service.adapters.store import MemoryTable
from service.config import load_settings
from service.web import create_app
from service.web.lazy_routes import LazyBuildRule

SAMPLE = {"int": 7, "path": "a/b c", "default": "x y/é"}


@pytest.fixture(scope="module")
def app():
    return create_app(load_settings({}), table=MemoryTable())


def arguments(rule: Rule) -> dict[str, object]:
    """A value for each of the rule's arguments, by converter, plus one the rule does not know (a query)."""
    names = {"IntegerConverter": "int", "PathConverter": "path"}
    values = {arg: SAMPLE[names.get(type(conv).__name__, "default")] for arg, conv in rule._converters.items()}
    return values | {"cycle": "C 1&2"}


def test_every_route_is_registered_without_compiling_its_url_builders(app):
    lazy = [r for r in app.url_map.iter_rules() if isinstance(r, LazyBuildRule)]
    assert len(lazy) > 100
    builders = {r._build.__name__ for r in lazy} | {r._build_unknown.__name__ for r in lazy}
    # a rule with arguments compiles on first use; one without needs no compiled function (its path is a constant)
    assert builders == {"build_once", "build_constant"}


def test_every_url_built_equals_werkzeugs_own(app):
    eager = Map([Rule(r.rule, endpoint=r.endpoint, methods=r.methods) for r in app.url_map.iter_rules()])
    ours, theirs = app.url_map.bind("reviews.example.com"), eager.bind("reviews.example.com")
    for rule in app.url_map.iter_rules():
        values = arguments(rule)
        method = sorted(rule.methods or {"GET"})[0]
        assert ours.build(rule.endpoint, values, method=method) == theirs.build(rule.endpoint, values, method=method)
        assert ours.build(rule.endpoint, values, method=method, force_external=True) == theirs.build(
            rule.endpoint, values, method=method, force_external=True
        )


def test_a_builder_is_compiled_once_then_reused(app):
    with app.test_request_context():
        from flask import url_for

        first = url_for("pages_goals.edit", goal_id="G1", cycle="C1")
        (rule,) = [r for r in app.url_map.iter_rules() if r.endpoint == "pages_goals.edit"]
        builder = rule._build_unknown
        assert url_for("pages_goals.edit", goal_id="G2", cycle="C2") == "/goals/G2?cycle=C2"
        assert rule._build_unknown is builder and builder.__name__ != "build_once"
    assert first == "/goals/G1?cycle=C1"
