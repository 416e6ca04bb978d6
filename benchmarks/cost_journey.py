"""A whole review cycle for N people on the emulated stack, each request and message through its Lambda handler.

The stack: moto (DynamoDB from template.yaml, SQS queues, SES, the export bucket) in this process; the handlers
template.yaml names (web, worker, PDF, reminders, training report), imported afresh with the environment the
template gives them and one shared clock that walks through an 8-week cycle. A browser is a cookie jar sending
API Gateway HTTP API (payload 2.0) events to the web function, or to the PDF function for the routes the template
sends there; SQS messages reach the worker and the PDF function in batches of their event source mapping's size.
`benchmarks/cost_meter.py` counts what each of these would be billed.

The journeys (in the order of a cycle; days from the launch, deadlines at day 7, 21, 28, 42 and 56):
import (the operator's first CLI import, then HR's re-import through the API), launch, goals (2 each), nominations
(3 peers from the same manager where there are 3) and the manager's approval, peer and upward feedback (every
request answered: form, one draft, answer), self assessment, manager assessment (page, 2 autosaved drafts, submit;
one person in 10 late, so reminders and escalations go out), discussion, acknowledgement, finalise, reports
(leadership's training report and alignment, HR's dashboard, the cycle closed and its training report mailed),
summary PDFs (each person downloads their own) and one export of the cycle. Everyone signs in for each journey
they take part in; a browser loads the static files once (they are cached for a year).
The reminders function runs every day of the cycle; the training-report function's hourly runs are measured
idle (fixed cost) and once delivering the report at close.
"""

from __future__ import annotations

import base64
import contextlib
import importlib
import json
import os
import re
import sys
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from unittest import mock

from benchmarks.cost_meter import Meter
from benchmarks.load_journey import TEMPLATE, discussion_content, manager_content, self_content
from benchmarks.load_support import CEO, HEAD_OF_PEOPLE, HR_PARTNER, managers_of, organisation_csv

REGION = "us-east-1"
TABLE = "reviews-cost"
MAIL_FROM = "reviews@example.com"
BUCKET = "reviews-cost-exports"
LAUNCH = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CYCLE_DAYS = 56
DEADLINES = {"goal_setting": 7, "self_assessment": 21, "feedback": 28, "manager_assessment": 42, "discussion": 56}
DRAFTS = 2  # autosaves before a form is submitted
ANSWER_AFTER_DAYS = 4  # feedback reviewers answer this many days after they are asked
PDF_SAMPLE = 10  # people whose summary download is measured (the journey's cost scaled to everyone)
EXPORT_DEPARTMENT = "Finance"  # the export measured (scaled to a whole cycle's export by people per summary)
LATE_EVERY = 10  # one person in 10 submits after the deadline
HANDLERS = {
    "WebFunction": "service.handlers.web",
    "WorkerFunction": "service.handlers.worker",
    "PdfFunction": "service.handlers.pdf",
    "RemindersFunction": "service.handlers.reminders",
    "TrainingReportFunction": "service.handlers.training_report",
}
FRESH = ("service.handlers.scheduled", *HANDLERS.values())


@dataclass
class Stack:
    """The emulated stack: queues, handlers, the shared clock, the meter."""

    meter: Meter
    clock: Any
    template: dict[str, Any]
    queues: dict[str, str] = field(default_factory=dict)
    handlers: dict[str, Any] = field(default_factory=dict)
    pdf_routes: list[re.Pattern[str]] = field(default_factory=list)
    access_log_format: str = ""
    static_loaded: set[str] = field(default_factory=set)

    def function_for(self, path: str) -> str:
        """Which function the HTTP API sends a path to (template.yaml's routes)."""
        return "PdfFunction" if any(p.fullmatch(path) for p in self.pdf_routes) else "WebFunction"

    def access_log(self, method: str, path: str, status: int, length: int, ms: float) -> str:
        """The access log line the HTTP API writes for a request, in the template's format."""
        values = {
            "requestId": "Tz1ZuiYmjoEEJQA=",
            "identity.sourceIp": "203.0.113.7",
            "requestTime": "02/Mar/2026:09:00:00 +0000",
            "httpMethod": method,
            "routeKey": "ANY /{proxy+}",
            "status": str(status),
            "responseLength": str(length),
            "responseLatency": str(int(ms) + 5),
            "integrationErrorMessage": "-",
            "authorizer.error": "-",
        }
        return re.sub(r"\$context\.([A-Za-z.]+[A-Za-z])", lambda m: values.get(m.group(1), "-"), self.access_log_format)

    def invoke(self, function: str, event: dict[str, Any]) -> Any:
        """One invocation of a function's handler, metered."""
        with self.meter.invoke(function):
            return self.handlers[function](event, LambdaContext(function, self.meter.memory_mb.get(function, 1024)))

    def drain(self, queue: str, function: str, batch_size: int) -> int:
        """Deliver a queue's messages to `function` in batches, as its event source mapping does; messages run."""
        from service.adapters.aws import client
        from service.config import Settings

        sqs = client("sqs", Settings(region=REGION))
        url, ran = self.queues[queue], 0
        while True:
            params = {"QueueUrl": url, "MaxNumberOfMessages": batch_size, "WaitTimeSeconds": 0}
            self.meter.on_behalf(
                "sqs", "ReceiveMessage", params
            )  # Lambda's poller asks; the harness's own call is not billed
            messages = sqs.receive_message(**params).get("Messages", [])
            if not messages:
                return ran
            records = [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "eventSource": "aws:sqs",
                    "eventSourceARN": f"arn:aws:sqs:{REGION}:123456789012:{queue}",
                }
                for m in messages
            ]
            result = self.invoke(function, {"Records": records})
            failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
            if failed:
                raise RuntimeError(f"{function} failed messages {failed} of {queue}")
            entries = [{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(messages)]
            self.meter.on_behalf("sqs", "DeleteMessageBatch", {"QueueUrl": url, "Entries": entries})
            sqs.delete_message_batch(QueueUrl=url, Entries=entries)
            ran += len(messages)

    def scheduled(self, function: str) -> Any:
        """One run of a scheduled function, as EventBridge Scheduler starts it."""
        event = {"id": str(uuid.uuid4()), "detail-type": "Scheduled Event", "source": "aws.scheduler", "detail": {}}
        return self.invoke(function, event)


class LambdaContext:
    """What a handler reads of the Lambda context."""

    def __init__(self, function: str, memory: int) -> None:
        self.function_name = f"review-cycles-{function}"
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:123456789012:function:{self.function_name}"
        self.memory_limit_in_mb = memory
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = "2026/03/02/[$LATEST]0123456789abcdef"

    def get_remaining_time_in_millis(self) -> int:
        return 29_000


@dataclass
class Answer:
    """What a function answered over HTTP."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def etag(self) -> int:
        return int(self.headers["etag"].strip('"'))


class Browser:
    """One person's browser: cookies kept, CSRF token of the signed-in session, redirects in the app followed."""

    def __init__(self, stack: Stack, employee_id: str) -> None:
        self.stack = stack
        self.employee_id = employee_id
        self.cookies: dict[str, str] = {}
        self.csrf = ""
        page = self.get("/signin")
        self.csrf = _csrf(page.body)
        self.send("POST", "/signin", form={"csrf_token": self.csrf, "employee_id": employee_id})

    def send(
        self, method: str, path: str, body: Any = None, form: dict[str, str] | None = None, version: int | None = None
    ) -> Answer:
        """One request (JSON body, or a form), following redirects within the app as a browser does."""
        headers = {"accept": "application/json" if path.startswith("/api/") else "text/html"}
        data = ""
        if body is not None:
            data, headers["content-type"] = json.dumps(body), "application/json"
        if form is not None:
            data, headers["content-type"] = urllib.parse.urlencode(form), "application/x-www-form-urlencoded"
        if method != "GET":
            headers["x-csrf-token"] = self.csrf
        if version is not None:
            headers["if-match"] = f'"{version}"'
        path_only, _, query = path.partition("?")
        function = self.stack.function_for(path_only)
        began = time.perf_counter()
        raw = self.stack.invoke(function, _http_event(method, path_only, query, headers, self.cookies, data))
        answer = _answer(raw)
        self.stack.meter.api_request(
            self.stack.access_log(
                method, path_only, answer.status, len(answer.body), (time.perf_counter() - began) * 1000
            ),
            max(len(answer.body), len(data.encode())),
        )
        for cookie in raw.get("cookies", []):
            name, _, rest = cookie.partition("=")
            if "Max-Age=0" in cookie or "01 Jan 1970" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = rest.split(";")[0]
        if answer.status in (301, 302, 303) and answer.headers.get("location", "").startswith("/"):
            return self.get(answer.headers["location"])
        if answer.status >= 400:
            raise RuntimeError(f"{method} {path} as {self.employee_id}: {answer.status} {answer.body[:300]!r}")
        return answer

    def get(self, path: str) -> Answer:
        """GET a page or a resource; a page's static files load on this browser's first visit only."""
        answer = self.send("GET", path)
        if (
            answer.headers.get("content-type", "").startswith("text/html")
            and self.employee_id not in self.stack.static_loaded
        ):
            self.stack.static_loaded.add(self.employee_id)
            for asset in sorted(set(re.findall(rb'(?:href|src)="(/static/[^"]+)"', answer.body))):
                self.send("GET", asset.decode())
        return answer


def _csrf(page: bytes) -> str:
    found = re.search(rb'name="csrf_token" value="([^"]+)"', page)
    if found is None:
        raise RuntimeError("no CSRF token on the sign-in page")
    return found.group(1).decode()


def _http_event(
    method: str, path: str, query: str, headers: dict[str, str], cookies: dict[str, str], body: str
) -> dict[str, Any]:
    """An HTTP API payload 2.0 event for the $default stage."""
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": "ANY /{proxy+}",
        "rawPath": path,
        "rawQueryString": query,
        "headers": {
            "host": "abc123.execute-api.us-east-1.amazonaws.com",
            "x-forwarded-proto": "https",
            "x-forwarded-port": "443",
            "x-forwarded-for": "203.0.113.7",
            "user-agent": "Mozilla/5.0 (X11; Linux x86_64)",
            "content-length": str(len(body.encode())),
            **headers,
        },
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123",
            "domainName": "abc123.execute-api.us-east-1.amazonaws.com",
            "http": {"method": method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "203.0.113.7"},
            "requestId": uuid.uuid4().hex[:16],
            "routeKey": "ANY /{proxy+}",
            "stage": "$default",
            "timeEpoch": 1772442000000,
        },
        "isBase64Encoded": False,
    }
    if query:
        event["queryStringParameters"] = dict(urllib.parse.parse_qsl(query))
    if cookies:
        event["cookies"] = [f"{k}={v}" for k, v in cookies.items()]
    if body:
        event["body"] = body
    return event


def _answer(raw: dict[str, Any]) -> Answer:
    body = raw.get("body") or ""
    data = base64.b64decode(body) if raw.get("isBase64Encoded") else body.encode()
    return Answer(raw["statusCode"], {k.lower(): v for k, v in (raw.get("headers") or {}).items()}, data)


# --- the stack --------------------------------------------------------------------------------------------------


def function_memory(template: dict[str, Any]) -> dict[str, int]:
    """MemorySize of each function of the template (its own, else the Globals')."""
    default = template.get("Globals", {}).get("Function", {}).get("MemorySize", 128)
    return {
        name: resource["Properties"].get("MemorySize", default)
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::Serverless::Function"
    }


def traced_functions(template: dict[str, Any]) -> set[str]:
    """The functions whose Tracing is Active (their own setting, else Globals')."""
    default = template.get("Globals", {}).get("Function", {}).get("Tracing")
    return {
        name
        for name, r in template["Resources"].items()
        if r["Type"] == "AWS::Serverless::Function" and r["Properties"].get("Tracing", default) == "Active"
    }


def _pdf_routes(template: dict[str, Any]) -> list[re.Pattern[str]]:
    events = template["Resources"]["PdfFunction"]["Properties"].get("Events", {})
    paths = [e["Properties"]["Path"] for e in events.values() if e["Type"] == "HttpApi"]
    return [re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(p))) for p in paths]


def _access_log_format(template: dict[str, Any]) -> str:
    (api,) = [r for r in template["Resources"].values() if r["Type"] == "AWS::Serverless::HttpApi"]
    return " ".join(api["Properties"]["AccessLogSettings"]["Format"].split())


@contextlib.contextmanager
def emulated_stack(meter: Meter) -> Iterator[Stack]:
    """moto with the template's table, queues, bucket and SES sender; each function's handler imported afresh."""
    from moto import mock_aws

    from service.adapters import metrics
    from service.adapters.aws import client
    from service.adapters.clock import FixedClock
    from service.adapters.logs import APP_LOGGER
    from service.adapters.table_setup import TEMPLATE as TEMPLATE_PATH
    from service.adapters.table_setup import create_table, load_template
    from service.config import Settings
    from service.handlers import observability

    template = load_template(TEMPLATE_PATH)
    meter.memory_mb = function_memory(template)
    meter.traced = traced_functions(template)
    clock = FixedClock(LAUNCH)
    stack = Stack(
        meter, clock, template, pdf_routes=_pdf_routes(template), access_log_format=_access_log_format(template)
    )
    env = {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_REGION": REGION,
        "AWS_DEFAULT_REGION": REGION,
        "TABLE_NAME": TABLE,
        "AUTH_MODE": "local",  # the browser signs in on the local page: the hosted UI is Cognito's, billed per MAU
        "SECRET_KEY": "cost-benchmark-session-key-" + "c" * 20,
        "MAIL_FROM": MAIL_FROM,
        "BASE_URL": "https://reviews.example.com",
        "EXPORT_BUCKET": BUCKET,
    }
    app_logger = logging_state(APP_LOGGER)
    sink, saved_logger = metrics.current(), observability._logger
    saved_modules = {name: sys.modules.get(name) for name in FRESH}
    with contextlib.ExitStack() as exits:
        exits.enter_context(mock.patch.dict(os.environ, env))
        for name in ("AWS_ENDPOINT_URL", "AWS_LAMBDA_FUNCTION_NAME", "QUEUE_URL", "EXPORT_QUEUE_URL", "OUTBOX_DIR"):
            os.environ.pop(name, None)
        exits.enter_context(mock_aws())
        from service.adapters import moto_patches

        exits.enter_context(moto_patches.patched())
        settings = Settings(region=REGION)
        create_table(client("dynamodb", settings), TABLE)
        sqs = client("sqs", settings)
        for queue in ("WorkQueue", "ExportQueue"):
            stack.queues[queue] = sqs.create_queue(QueueName=queue)["QueueUrl"]
        client("s3", settings).create_bucket(Bucket=BUCKET)
        client("ses", settings).verify_email_identity(EmailAddress=MAIL_FROM)
        os.environ["QUEUE_URL"] = stack.queues["WorkQueue"]
        os.environ["EXPORT_QUEUE_URL"] = stack.queues["ExportQueue"]
        try:
            for name in FRESH:
                sys.modules.pop(name, None)
            modules = {function: importlib.import_module(module) for function, module in HANDLERS.items()}
            scheduled = sys.modules["service.handlers.scheduled"]
            for module in (modules["WorkerFunction"], modules["PdfFunction"], scheduled):
                module.Clock = lambda zone="UTC": clock  # type: ignore[attr-defined] # the cycle's days, not today's
            modules["WebFunction"].app.extensions["reviews"].clock = clock
            stack.handlers = {function: module.lambda_handler for function, module in modules.items()}
            _pdf_app_on(modules["PdfFunction"], clock)
            with meter.installed(REGION):
                yield stack
        finally:
            for name, module in saved_modules.items():
                if module is None:
                    sys.modules.pop(name, None)
                else:
                    sys.modules[name] = module
            app_logger()
            metrics.use(sink)
            observability._logger = saved_logger


def _pdf_app_on(pdf_module: Any, clock: Any) -> None:
    """The PDF function's Flask app, built as its handler builds it, on the cycle's clock."""
    from apig_wsgi import make_lambda_handler

    from service.web import create_app

    app = create_app()
    app.extensions["reviews"].clock = clock
    pdf_module._parts["http"] = make_lambda_handler(app, binary_support=True)


def logging_state(name: str) -> Any:
    """Save a logger's handlers, propagation and level; the function returned puts them back."""
    import logging

    logger = logging.getLogger(name)
    saved = (list(logger.handlers), logger.propagate, logger.level)

    def restore() -> None:
        logger.handlers, logger.propagate = saved[0], saved[1]
        logger.setLevel(saved[2])

    return restore


# --- the cycle ----------------------------------------------------------------------------------------------------


@dataclass
class Cycle:
    """Who is who, and the state the journeys carry from one to the next."""

    stack: Stack
    people: list[str]
    managers: dict[str, str | None]
    cycle_id: str = ""
    versions: dict[str, int] = field(default_factory=dict)
    day: int = 0
    daily_reminders: bool = True
    reminder_runs: int = 0

    def manager(self, employee_id: str) -> str:
        """Who writes a person's manager assessment (HR for the CEO)."""
        return self.managers[employee_id] or HEAD_OF_PEOPLE

    def finaliser(self, employee_id: str) -> str:
        """Who finalises a person's review (not themselves)."""
        return HR_PARTNER if employee_id == HEAD_OF_PEOPLE else HEAD_OF_PEOPLE

    def review(self, employee_id: str, part: str = "") -> str:
        return f"/api/cycles/{self.cycle_id}/reviews/{employee_id}" + (f"/{part}" if part else "")

    def page(self, employee_id: str) -> str:
        return f"/cycles/{self.cycle_id}/reviews/{employee_id}"

    def late(self, employee_id: str) -> bool:
        """One person in LATE_EVERY submits after the deadline."""
        return self.people.index(employee_id) % LATE_EVERY == LATE_EVERY - 1

    @staticmethod
    def _after_deadline(day: int) -> bool:
        """The days a late task is reminded or escalated: up to 4 days after a deadline."""
        return any(0 < day - d <= 4 for d in DEADLINES.values())

    def journey(self, name: str, day: int) -> None:
        """Move the clock to `day` (the reminders run every day passed) and start counting under `name`."""
        meter, stack = self.stack.meter, self.stack
        while self.day < day:
            self.day += 1
            if not (self.daily_reminders or self._after_deadline(self.day)):
                continue
            stack.clock.at = LAUNCH.replace(hour=7) + timedelta(days=self.day)
            meter.journey = "reminders"
            stack.scheduled("RemindersFunction")
            self.reminder_runs += 1
        stack.clock.at = LAUNCH + timedelta(days=day)
        meter.journey = name


def run_cycle(
    stack: Stack,
    people: int,
    pdf_sample: int = PDF_SAMPLE,
    drafts: int = DRAFTS,
    daily_reminders: bool = True,
) -> dict[str, Any]:
    """Every journey of a cycle for `people`; facts about what it did, and by how much the sampled journeys
    (summary downloads of `pdf_sample` people, the export of one department) scale to everyone.

    `daily_reminders=False` runs the reminders only in the 4 days after each deadline (a quick check, not a cost)."""
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.directory import import_organisation

    csv_text = organisation_csv(people)
    managers = managers_of(csv_text)
    departments = {row.split(",")[0]: row.split(",")[4] for row in csv_text.strip().splitlines()[1:]}
    cycle = Cycle(stack, list(managers), managers, daily_reminders=daily_reminders)
    meter = stack.meter

    cycle.journey("import", 0)
    from service.adapters.dynamo import DynamoTable
    from service.adapters.factory import build_table
    from service.config import load_settings

    table: DynamoTable = build_table(load_settings())  # type: ignore[assignment]
    with meter.billed_as("operator CLI"):  # `import-org` from the operator's machine: DynamoDB is billed
        import_organisation(UnitOfWork(table), None, csv_text, stack.clock)
    hr = Browser(stack, HEAD_OF_PEOPLE)
    hr.send("POST", "/api/org/imports", body={"csv": csv_text})  # HR's re-import of the same file: nothing changes

    cycle.journey("launch", 0)
    template = hr.send("POST", "/api/templates", body=TEMPLATE).json()
    phases = {p: (LAUNCH.date() + timedelta(days=d)).isoformat() for p, d in DEADLINES.items()}
    body = {
        "name": "Annual review",
        "period_start": date(2026, 1, 1).isoformat(),
        "period_end": date(2026, 12, 31).isoformat(),
        "template_id": template["template_id"],
        "phases": phases,
        "participant_mode": "everyone",
    }
    created = hr.send("POST", "/api/cycles", body=body).json()
    cycle.cycle_id = created["cycle_id"]
    hr.send("POST", f"/api/cycles/{cycle.cycle_id}/launch", version=created["version"])
    stack.drain("WorkQueue", "WorkerFunction", _batch_size(stack.template, "WorkerQueueTrigger"))
    hr.get(f"/hr/cycles/{cycle.cycle_id}")

    cycle.journey("goals", 2)
    for e in cycle.people:
        b = Browser(stack, e)
        b.get("/")
        for n, weight in enumerate((60, 40)):
            kr = [{"id": "k", "title": "measure", "start": 0, "target": 10, "current": 3 + n}]
            goal = {"level": "individual", "title": f"Goal {n}", "cycle_id": cycle.cycle_id, "weight": weight}
            b.send("POST", "/api/goals", body=goal | {"key_results": kr})

    cycle.journey("nominations", 8)
    teams: dict[str | None, list[str]] = {}
    for e, m in managers.items():
        teams.setdefault(m, []).append(e)
    nominated = []
    for e in cycle.people:
        peers = [p for p in teams[managers[e]] if p != e][:3]
        if len(peers) < 3 or managers[e] is None:
            continue
        b = Browser(stack, e)
        b.get(cycle.page(e))
        b.send("PUT", cycle.review(e, "nominations"), body={"reviewer_ids": peers})
        nominated.append((e, peers))
    deciders: dict[str, list[tuple[str, list[str]]]] = {}
    for e, peers in nominated:
        deciders.setdefault(cycle.manager(e), []).append((e, peers))
    for m, subjects in deciders.items():
        b = Browser(stack, m)
        for e, peers in subjects:
            b.get(f"{cycle.page(e)}/nominations")
            b.send("POST", cycle.review(e, "nominations/decisions"), body={"approve": peers})
    hr = Browser(stack, HEAD_OF_PEOPLE)
    hr.send("POST", f"/api/cycles/{cycle.cycle_id}/feedback/upward")

    cycle.journey("peer and upward feedback", 8 + ANSWER_AFTER_DAYS)
    answered = 0
    for e in cycle.people:
        b = Browser(stack, e)
        for request in b.send("GET", "/api/feedback/requests").json()["requests"]:
            if not request.get("open"):
                continue
            form = f"/api/feedback/{request['cycle_id']}/{request['subject_id']}"
            b.send("GET", form)
            b.send("PUT", f"{form}/draft", body={"ratings": {"delivery": 2}}, version=0)
            b.send("POST", f"{form}/answer", body={"ratings": {"delivery": 3, "collaboration": 3}})
            answered += 1

    def assess(name: str, part: str, actor, content, day: int, late_day: int) -> None:
        for on_time in (True, False):
            cycle.journey(name, day if on_time else late_day)
            for e in cycle.people:
                if cycle.late(e) == on_time:
                    continue
                b = Browser(stack, actor(e))
                page = b.get(cycle.page(e))
                version = cycle.versions.get(e) or _version_on(page.body) or b.send("GET", cycle.review(e)).etag
                for n in range(drafts):
                    body = {"content": content(e, f"draft {n}"), "submit": False}
                    version = b.send("PUT", cycle.review(e, part), body=body, version=version).etag
                body = {"content": content(e, ""), "submit": True}
                cycle.versions[e] = b.send("PUT", cycle.review(e, part), body=body, version=version).etag

    assess("self assessment", "self", lambda e: e, lambda e, note: self_content(note), 14, 25)
    assess(
        "manager assessment",
        "manager",
        cycle.manager,
        lambda e, note: manager_content(cycle.manager(e)) | {"narrative": f"A strong year. {note}".strip()},
        32,
        45,
    )

    def step(name: str, day: int, actor, method: str, part: str, body_of) -> None:
        cycle.journey(name, day)
        for e in cycle.people:
            b = Browser(stack, actor(e))
            b.get(cycle.page(e))
            answer = b.send(method, cycle.review(e, part), body=body_of(e), version=cycle.versions[e])
            cycle.versions[e] = answer.etag

    step(
        "discussion",
        47,
        cycle.manager,
        "PUT",
        "discussion",
        lambda e: {"content": discussion_content(e), "submit": True},
    )
    step("acknowledgement", 50, lambda e: e, "POST", "acknowledge", lambda e: {"agreement": "agree", "response": ""})
    step("finalise", 53, cycle.finaliser, "POST", "finalise", lambda e: None)

    cycle.journey("summary PDFs", 54)
    pdf_bytes, sampled = 0, cycle.people[: max(1, min(pdf_sample, people))]
    for e in sampled:
        b = Browser(stack, e)
        b.get(cycle.page(e))
        pdf_bytes += len(b.get(f"{cycle.page(e)}/summary.pdf").body)

    cycle.journey("export", 54)
    hr = Browser(stack, HEAD_OF_PEOPLE)
    hr.get("/hr/exports")
    department = [e for e in cycle.people if departments[e] == EXPORT_DEPARTMENT]
    job = hr.send("POST", "/api/exports", body={"cycle_id": cycle.cycle_id, "department": EXPORT_DEPARTMENT}).json()
    stack.drain("ExportQueue", "PdfFunction", _batch_size(stack.template, "PdfExportTrigger"))
    hr.get(f"/hr/exports/{job['export_id']}")
    link = hr.send("GET", f"/api/exports/{job['export_id']}/link").json()
    meter.on_behalf("s3", "GetObject")  # HR's browser follows the presigned link

    cycle.journey("reports", 56)
    leader = Browser(stack, CEO)
    leader.get(f"/reports/training?cycle_id={cycle.cycle_id}")
    leader.send("GET", f"/api/cycles/{cycle.cycle_id}/alignment")
    hr = Browser(stack, HEAD_OF_PEOPLE)
    hr.get(f"/hr/cycles/{cycle.cycle_id}")
    closing = hr.send("GET", f"/api/cycles/{cycle.cycle_id}").etag
    hr.send("POST", f"/api/cycles/{cycle.cycle_id}/close", version=closing)
    delivered = stack.scheduled("TrainingReportFunction")

    states = hr.send("GET", f"/api/cycles/{cycle.cycle_id}/progress").json()
    finalised = sum(d.get("finalised", 0) for d in states["by_department"].values())
    return {
        "people": people,
        "finalised": finalised,
        "reminder_runs": cycle.reminder_runs,
        "cycle_days": CYCLE_DAYS,
        "nominated": len(nominated),
        "feedback_answers": answered,
        "summary_downloads_measured": len(sampled),
        "pdf_bytes_measured": pdf_bytes,
        "export_summaries_measured": len(department),
        "export_link": bool(link.get("url")),
        "training_report_run": delivered,
        "scale": {"summary PDFs": people / len(sampled), "export": people / max(1, len(department))},
    }


def idle_runs(stack: Stack, function: str, runs: int = 3) -> list[Any]:
    """Runs of a scheduled function with nothing to do (after the cycle closed), under the journey `idle`."""
    stack.meter.journey = f"idle {function}"
    stack.clock.at = LAUNCH + timedelta(days=CYCLE_DAYS + 30)
    return [stack.scheduled(function) for _ in range(runs)]


def _version_on(page: bytes) -> int | None:
    found = re.search(rb'name="version" value="(\d+)"', page)
    return int(found.group(1)) if found else None


def _batch_size(template: dict[str, Any], mapping: str) -> int:
    return int(template["Resources"][mapping]["Properties"].get("BatchSize", 10))
