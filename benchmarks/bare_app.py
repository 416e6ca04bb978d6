"""The cold-start baseline (benchmarks/cold_start.py): a bare Flask app behind apig-wsgi with the same AWS calls.

Like the web function, it builds its clients on the first request, reads the session secret from Secrets
Manager once per process, and reads the table with one GetItem: `/healthz` answers JSON, `/` reads the signed
session cookie and the signed-in person and renders a small page.
"""

from __future__ import annotations

import json
import os
from typing import Any

from apig_wsgi import make_lambda_handler
from flask import Flask, abort, jsonify, render_template_string, session
from flask.sessions import SecureCookieSessionInterface

app = Flask(__name__)
app.config.update(SESSION_COOKIE_NAME="__Host-session", SESSION_COOKIE_SECURE=True)
_clients: dict[str, Any] = {}

PAGE = """<!doctype html><html lang="en"><head><title>My tasks</title></head>
<body><h1>My tasks</h1><p>Signed in as {{ person.name }} ({{ person.title }})</p>
<ul>{% for task in tasks %}<li>{{ task }}</li>{% else %}<li>Nothing to do.</li>{% endfor %}</ul></body></html>"""


def client(service: str) -> Any:
    """A boto3 client, built on first use from boto3's default session (one session for both clients, as the web
    function has one botocore session for its clients)."""
    if service not in _clients:
        import boto3

        _clients[service] = boto3.client(service, region_name=os.environ["AWS_REGION"])
    return _clients[service]


def secret_key() -> str:
    """The session key from Secrets Manager, read once per process."""
    if not app.secret_key:
        text = client("secretsmanager").get_secret_value(SecretId=os.environ["SESSION_SECRET_ID"])["SecretString"]
        app.secret_key = json.loads(text)["session_key"]
    return app.secret_key


def get_item(pk: str, sk: str) -> dict[str, Any] | None:
    """One GetItem on the table."""
    key = {"pk": {"S": pk}, "sk": {"S": sk}}
    return client("dynamodb").get_item(TableName=os.environ["TABLE_NAME"], Key=key).get("Item")


class SecretSession(SecureCookieSessionInterface):
    """Flask's signed cookie keyed by the secret (the session opens before any before_request hook)."""

    def get_signing_serializer(self, app: Flask) -> Any:
        secret_key()
        return super().get_signing_serializer(app)


app.session_interface = SecretSession()


@app.get("/healthz")
def healthz() -> Any:
    """The table answers and the secret was read."""
    secret_key()
    get_item("HEALTH", "PROBE")
    return jsonify({"status": "ok", "dependencies": {"table": "ok", "session_secret": "ok"}})


@app.get("/")
def home() -> Any:
    """The signed-in person's page."""
    employee_id = session.get("employee_id")
    item = get_item("ORG", f"EMP#{employee_id}") if employee_id else None
    if item is None:
        abort(401)
    person = {"name": item.get("name", {}).get("S", employee_id), "title": item.get("title", {}).get("S", "")}
    return render_template_string(PAGE, person=person, tasks=[])


lambda_handler = make_lambda_handler(app, binary_support=True)
