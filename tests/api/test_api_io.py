"""The JSON API's one way to read a request and answer it (web/api_io.py), on a small app of its own."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Blueprint, Flask
from marshmallow import Schema, fields

from service.web.api_io import load_body, load_query, versioned
from service.web.docs import api_doc
from service.web.errors import register_error_handlers


class NameSchema(Schema):
    name = fields.String(required=True)


class ThingSchema(Schema):
    name = fields.String()
    version = fields.Integer()


@dataclass
class Thing:
    name: str
    version: int
    note: str = "not in the schema: left out of the answer"


@pytest.fixture
def client():
    bp = Blueprint("io", __name__)

    @bp.post("/api/things")
    @api_doc("Make a thing", response=ThingSchema, body=NameSchema, status=201)
    def make():
        return versioned(Thing(load_body()["name"], 3), ThingSchema, 201)

    @bp.get("/api/things")
    @api_doc("Find a thing", response=ThingSchema, query=NameSchema)
    def find():
        return versioned({"name": load_query()["name"], "version": 7})

    @bp.post("/api/undeclared")
    @api_doc("Loads a body it does not declare")
    def undeclared():
        return versioned({"name": load_body()["name"], "version": 1})

    app = Flask(__name__)
    app.testing = True  # an error of the code itself reaches the test instead of becoming a 500 page
    register_error_handlers(app)
    app.register_blueprint(bp)
    return app.test_client()


def test_an_object_is_dumped_through_its_schema_with_its_version_as_etag(client):
    resp = client.post("/api/things", json={"name": "kettle"})
    assert resp.status_code == 201
    assert resp.get_json() == {"name": "kettle", "version": 3}
    assert resp.headers["ETag"] == '"3"'


def test_a_mapping_is_answered_as_it_is_with_its_version_as_etag(client):
    resp = client.get("/api/things?name=kettle")
    assert resp.get_json() == {"name": "kettle", "version": 7}
    assert resp.headers["ETag"] == '"7"'


def test_the_body_is_loaded_through_the_declared_schema(client):
    resp = client.post("/api/things", json={"name": "kettle", "colour": "red"})
    assert resp.status_code == 422
    assert resp.get_json()["errors"] == {"colour": ["Unknown field."]}


def test_a_view_that_loads_an_undeclared_body_is_a_programming_error(client):
    with pytest.raises(LookupError, match="does not declare"):
        client.post("/api/undeclared", json={"name": "kettle"})
