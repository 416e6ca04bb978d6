"""Cold start to the first answer (issue 24 point 5): a fresh process, the web function's handler, one request.

Each subject runs in a fresh interpreter that imports a Lambda handler and answers one API Gateway HTTP API 2.0
event through apig-wsgi, as the Lambda runtime would; the parent times from the spawn to the line the child
prints once it holds the answer. AWS is moto's server on loopback, with the moto patches of the local run, the
tests and the other benchmarks (`emulated_aws`), seeded here: the session secret in Secrets
Manager and the table of template.yaml holding a small organisation, plus a second table with the same people and
a cycle running for everyone (the manager's home during a cycle; the children point TABLE_NAME at it).
The baseline (`bare_app.py`) is a bare Flask app behind the same adapter making the same AWS calls: it reads the
secret and does one GetItem for `/healthz`, and for a signed-in page it also reads the signed session cookie and
renders a small template. The web function runs as packaged (infra/build-function.sh): its page templates compiled
(`templates_compiled/`, made here for the run and removed after) and its modules byte-compiled (the bare app's
bytecode is cached alike by the warm-up).
"""

from __future__ import annotations

import json
import logging
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

from benchmarks.run import ROOT, lambda_env

SECRET_ID = "review-cycles/web"
SESSION_KEY = "cold-start-benchmark-session-key-" + "s" * 16
SIGNED_IN, SIGNED_IN_NAME = "P0005", "Manager 5"  # a manager of the seeded organisation (benchmarks/seed.py)
PEOPLE = 30
ACTIVE_CYCLE = "Cold start 2026"  # the cycle running in the second organisation (`active_table`)
CREDENTIALS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")
ANSWERED = "ANSWERED "
HANDLERS = {"service": "service.handlers.web", "bare": "benchmarks.bare_app"}

# Runs in a fresh interpreter: import a handler, answer one event, say how it went and when.
CHILD = """
import json, sys, time
start = time.perf_counter()
module, event, expect, WATCHED = sys.argv[1], json.loads(sys.argv[2]), sys.argv[3], sys.argv[4].split(",")
handler = __import__(module, fromlist=["lambda_handler"]).lambda_handler
imported = time.perf_counter()

class Context:
    function_name = "review-cycles-web"
    function_version = "$LATEST"
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:review-cycles-web"
    memory_limit_in_mb = 1024
    aws_request_id = "cold-start"
    log_group_name = "/aws/lambda/review-cycles-web"
    log_stream_name = "cold-start"

    def get_remaining_time_in_millis(self):
        return 29000

response = handler(event, Context())
done = time.perf_counter()
cpu = time.process_time()
print("ANSWERED", json.dumps({"status": response["statusCode"], "import_ms": (imported - start) * 1000,
                  "cpu_ms": cpu * 1000,
                  "request_ms": (done - imported) * 1000, "found": expect in response["body"],
                  "body": response["body"][:300], "loaded": [m for m in WATCHED if m in sys.modules]}), flush=True)
"""
# Modules the first answer should not need (checked in the child once it has answered, outside the timing).
WATCHED = ("marshmallow", "weasyprint", "service.web.signin", "service.adapters.calibration_store", "boto3", "zoneinfo")


def http_event(path: str, cookie: str | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API payload 2.0 GET of a browser, as the template's `$default` stage sends it."""
    from benchmarks.cost_journey import _http_event

    name, _, value = (cookie or "").partition("=")
    return _http_event("GET", path, "", {"accept": "text/html"}, {name: value} if cookie else {}, "")


def session_cookie(employee_id: str = SIGNED_IN) -> str:
    """A session cookie as the deployed sign-in leaves it, signed with the secret's key by Flask's own serializer."""
    from flask import Flask

    app = Flask("cookie")
    app.secret_key = SESSION_KEY
    serializer = app.session_interface.get_signing_serializer(app)
    value = serializer.dumps({"employee_id": employee_id, "auth_at": time.time(), "csrf": "c" * 43})
    return f"__Host-session={value}"


class Calls:
    """The AWS operations moto's server answered (`X-Amz-Target`), as a WSGI middleware in front of it."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.seen: list[str] = []

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        self.seen.append(target.rpartition(".")[2] or environ.get("PATH_INFO", ""))
        return self.app(environ, start_response)

    def taken(self) -> list[str]:
        """The operations since the last call, in order."""
        seen, self.seen = self.seen, []
        return seen


CALLS: Calls | None = None  # the running server's, while `emulated_aws` runs


@contextmanager
def emulated_aws(patched: bool = True) -> Iterator[dict[str, str]]:
    """moto's server on loopback with the secret and the seeded table; yields the children's environment.

    `patched`: moto's DynamoDB as the local run, the tests and the other benchmarks run it (service/adapters/
    moto_patches.py: a Query reads its partition, as DynamoDB does, where moto alone sorts the whole table for each
    one). `python -m benchmarks.cold_start N --vanilla` measures against moto alone."""
    from moto.server import ThreadedMotoServer

    from service.adapters import moto_patches

    global CALLS
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # moto's server logs every request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    if patched:
        moto_patches.install()
    server.start()
    wsgi = server._server  # moto's werkzeug server: count what each child asks of it
    CALLS = wsgi.app = Calls(wsgi.app)
    try:
        host, port = server.get_host_and_port()
        env = lambda_env() | {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "cold-start",
            "AWS_SECRET_ACCESS_KEY": "cold-start",
            "SESSION_SECRET_ID": SECRET_ID,
            "BASE_URL": "https://reviews.example.com",
        }
        env.pop("AWS_SESSION_TOKEN", None)
        env.pop("AWS_PROFILE", None)
        _seed(env)
        yield env
    finally:
        CALLS = None
        server.stop()
        if patched:
            moto_patches.uninstall()


def _seed(env: dict[str, str]) -> None:
    """The secret, and the table holding the organisation, written through the children's settings."""
    from service.config import load_settings

    settings = load_settings(env)
    with mock.patch.dict(os.environ, {name: env[name] for name in CREDENTIALS}):  # boto3 reads them from here
        _write(settings)


def _write(settings: Any) -> None:
    from benchmarks.seed import organisation_csv
    from service.adapters.aws import client
    from service.adapters.clock import Clock
    from service.adapters.dynamo import DynamoTable
    from service.adapters.table_setup import create_table
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.directory import import_organisation

    client("secretsmanager", settings).create_secret(
        Name=SECRET_ID, SecretString=json.dumps({"session_key": SESSION_KEY, "client_id": "cold-start-client"})
    )
    dynamodb = client("dynamodb", settings)
    for name in (settings.table_name, active_table(settings.table_name)):
        create_table(dynamodb, name)
        import_organisation(UnitOfWork(DynamoTable(dynamodb, name)), None, organisation_csv(PEOPLE), Clock())
    _launch(DynamoTable(dynamodb, active_table(settings.table_name)))


def active_table(table_name: str) -> str:
    """The second organisation's table: the same people, with a cycle running for everyone."""
    return f"{table_name}-active"


def _launch(table: Any) -> None:
    """A template and a cycle for everyone, launched through the use cases (reviews created by the worker)."""
    from datetime import timedelta

    from benchmarks.seed import annual_template
    from service.adapters.clock import Clock
    from service.adapters.queue import InlineQueue
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import cycles as cycle_svc
    from service.services.auth import Principal
    from service.services.directory import get_person
    from service.services.worker import dispatch

    clock = Clock()
    hr = Principal.of(get_person(UnitOfWork(table), "P0000"))
    template = annual_template(table, hr, clock)
    today = clock.now().date()
    phases = ("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion")
    cycle = cycle_svc.create_cycle(
        UnitOfWork(table),
        hr,
        {
            "name": ACTIVE_CYCLE,
            "period_start": today - timedelta(days=30),
            "period_end": today + timedelta(days=300),
            "template_id": template.template_id,
            "phases": {p: today + timedelta(days=14 * (i + 1)) for i, p in enumerate(phases)},
        },
        clock,
    )
    queue = InlineQueue(lambda message: dispatch(table, message, clock))
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, queue)


@contextmanager
def packaged_templates() -> Iterator[None]:
    """The page templates compiled as the build compiles them (web/precompiled.py), for the run only."""
    import shutil

    from service.web.precompiled import COMPILED

    subprocess.run([sys.executable, "-m", "service.web.generated", "templates", str(COMPILED)], cwd=ROOT, check=True)
    try:
        yield
    finally:
        shutil.rmtree(COMPILED, ignore_errors=True)


def first_answer(env: dict[str, str], module: str, event: dict[str, Any], expect: str) -> dict[str, Any]:
    """Spawn a fresh interpreter that answers `event` with `module`'s handler: ms from spawn to its answer, which
    must be a 200 holding `expect`."""
    if CALLS is not None:
        CALLS.taken()
    start = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, module, json.dumps(event), expect, ",".join(WATCHED)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = ""
    for line in child.stdout or ():  # the handler's own log lines come first
        if line.startswith(ANSWERED):
            break
    elapsed = (time.perf_counter() - start) * 1000
    _, err = child.communicate()
    if child.returncode != 0 or not line.startswith(ANSWERED):
        raise RuntimeError(f"{module} did not answer: {err[-2000:]}")
    answer = json.loads(line.removeprefix(ANSWERED))
    if answer["status"] != 200 or not answer["found"]:
        raise RuntimeError(f"{module} answered {answer['status']} for a cold start: {answer['body']}")
    return answer | {"ms": elapsed, "aws": CALLS.taken() if CALLS is not None else []}


def measure(runs: int = 10, warm_up: bool = True, patched: bool = True) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """Interleaved whole-process pairs (service, bare; then bare, service) for `/healthz` and a signed-in page."""
    cookie = session_cookie()
    requests = {
        "/healthz": (http_event("/healthz"), '"ok"', {}),
        "signed-in /": (http_event("/", cookie), SIGNED_IN_NAME, {}),
        "signed-in / (active cycle)": (http_event("/", cookie), SIGNED_IN_NAME, {"active": True}),
    }
    found: dict[str, dict[str, list[dict[str, Any]]]] = {r: {s: [] for s in HANDLERS} for r in requests}
    LOAD.clear()
    LOAD.append(os.getloadavg()[0])
    with emulated_aws(patched) as env, packaged_templates():
        # warm-up: bytecode written, moto's first answers, not counted (a smoke test skips it)
        for event, expect, where in requests.values() if warm_up else ():
            for module in HANDLERS.values():
                first_answer(_env(env, where), module, event, _expect(module, expect, where))
        for run in range(runs):
            for name, (event, expect, where) in requests.items():
                order = list(HANDLERS) if run % 2 == 0 else list(reversed(HANDLERS))
                for subject in order:
                    found[name][subject].append(
                        first_answer(
                            _env(env, where), HANDLERS[subject], event, _expect(HANDLERS[subject], expect, where)
                        )
                    )
    LOAD.append(os.getloadavg()[0])
    return found


def _expect(module: str, expect: str, where: dict[str, bool]) -> str:
    """What the answer must hold: the web function's home during a cycle names the cycle (the bare app cannot)."""
    return ACTIVE_CYCLE if where.get("active") and module == HANDLERS["service"] else expect


def _env(env: dict[str, str], where: dict[str, bool]) -> dict[str, str]:
    """The children's environment, pointed at the organisation with the running cycle when asked."""
    return env | {"TABLE_NAME": active_table(env["TABLE_NAME"])} if where.get("active") else env


LOAD: list[float] = []  # the machine's 1-minute load average before and after the last `measure`


def spread(ratios: list[float]) -> str:
    """The pair ratios' median and quartiles, as printed beside the target."""
    if len(ratios) < 2:
        return f"{ratios[0]:.2f}x (1 pair)"
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return f"{statistics.median(ratios):.2f}x (quartiles {q1:.2f}-{q3:.2f}, {len(ratios)} pairs)"


def in_child(samples: list[dict[str, Any]], key: str) -> float:
    return round(statistics.median(s[key] for s in samples), 1)


def facts_of(found: dict[str, dict[str, list[dict[str, Any]]]]) -> dict[str, Any]:
    """Per request: the pair ratios' spread, and where the child spent its time (import, then the request)."""
    facts: dict[str, Any] = {}
    for name, subjects in found.items():
        ratios = [s["ms"] / b["ms"] for s, b in zip(subjects["service"], subjects["bare"], strict=True)]
        facts[f"{name} pair ratios"] = spread(ratios)
        cpu = [s["cpu_ms"] / b["cpu_ms"] for s, b in zip(subjects["service"], subjects["bare"], strict=True)]
        facts[f"{name} CPU time ratios (the child's CPU to its answer: less sensitive to machine load)"] = spread(cpu)
        facts[f"{name} in the child"] = {
            subject: f"import {in_child(samples, 'import_ms')} ms + request {in_child(samples, 'request_ms')} ms"
            for subject, samples in subjects.items()
        }
        facts[f"{name} AWS requests"] = {subject: samples[-1]["aws"] for subject, samples in subjects.items()}
        facts[f"{name} loaded of {', '.join(WATCHED)}"] = {
            subject: sorted({m for s in samples for m in s["loaded"]}) for subject, samples in subjects.items()
        }
    facts["emulated AWS"] = (
        "moto's server with service/adapters/moto_patches.py, as the local run and the other benchmarks "
        "(a Query reads its partition); moto alone: python -m benchmarks.cold_start 10 --vanilla"
    )
    if LOAD:
        facts["machine load (1-minute average, before and after)"] = [round(x, 2) for x in LOAD]
    return facts


if __name__ == "__main__":  # a quick look: python -m benchmarks.cold_start [runs]
    numbers = [a for a in sys.argv[1:] if a.isdigit()]
    result = measure(int(numbers[0]) if numbers else 3, patched="--vanilla" not in sys.argv)
    for key, value in facts_of(result).items():
        print(key, value)
    for name, subjects in result.items():
        print(name, {s: round(statistics.median(x["ms"] for x in v), 1) for s, v in subjects.items()})
