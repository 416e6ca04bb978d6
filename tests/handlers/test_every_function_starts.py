"""Every function starts with exactly the environment template.yaml gives it, and does its job on a real event.

Each test empties the process environment, sets what Lambda itself adds (function name, region, credentials,
runtime paths) plus the function's variables from template.yaml (Globals and its own, intrinsics resolved
against the resources made here on moto), imports the handler afresh as a cold start does, and invokes it:
the web function with API Gateway HTTP API events, the worker with the SQS batch a real launch sent, the
reminders function with an EventBridge Scheduler event. A variable one function needs but the template gives
only to another (the crash of issue 12: SECRET_KEY demanded by the worker) fails here.
"""

from __future__ import annotations

import base64
import io
import json
import os
import re
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from service.adapters.unit_of_work import UnitOfWork
from tests import factories as f
from tests.cognito_support import REGION, MotoHostedUi, create_pool, moto_jwks
from tests.conftest import ORG_CSV
from tests.handlers.conftest import LambdaContext, fresh_handler

STACK = "reviews-smoke"
MAIL_FROM = "reviews@example.com"
# What the Lambda runtime adds to every function's environment (besides its name and handler).
RUNTIME_ENV = {
    "AWS_REGION": REGION,
    "AWS_DEFAULT_REGION": REGION,
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.13",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_LAMBDA_INITIALIZATION_TYPE": "on-demand",
    "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEEXAMPLE",
    "AWS_SECRET_ACCESS_KEY": "example-secret-access-key",
    "AWS_SESSION_TOKEN": "example-session-token",
    "LAMBDA_TASK_ROOT": "/var/task",
    "LAMBDA_RUNTIME_DIR": "/var/runtime",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
}
KEEP = ("PATH", "PYTHONPATH", "PYTEST_CURRENT_TEST", "VIRTUAL_ENV")
PARAMETERS = {
    "Stage": "prod",
    "EmployeeIdClaim": "custom:employee_id",
    "MailFrom": MAIL_FROM,
    "GoalVisibility": "chain",
    "RehearsalRecipients": "",  # issue 21: live
}
CONDITIONS = {"CreateUserPool": True, "HasCustomDomain": False, "DefaultDomainPrefix": True, "HasAlarmEmail": False}


class Unresolved(AssertionError):
    """The template uses an intrinsic or a name this test does not know: teach `resolve` about it."""


def resolve(value: Any, names: dict[str, str]) -> Any:
    """A template value with Ref, Fn::Sub, Fn::If and Fn::GetAtt replaced by what the stack on moto has."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and len(value) == 1:
        ((fn, arg),) = value.items()
        if fn == "Ref":
            if arg not in names:
                raise Unresolved(f"Ref {arg}")
            return names[arg]
        if fn == "Fn::If":
            return resolve(arg[1] if CONDITIONS[arg[0]] else arg[2], names)
        if fn == "Fn::GetAtt":
            key = ".".join(arg) if isinstance(arg, list) else arg
            if key not in names:
                raise Unresolved(f"GetAtt {key}")
            return names[key]
        if fn == "Fn::Sub":
            text, local = (
                (arg, {}) if isinstance(arg, str) else (arg[0], {k: resolve(v, names) for k, v in arg[1].items()})
            )
            every = {**names, **local}

            def sub(match: re.Match[str]) -> str:
                if match.group(1) not in every:
                    raise Unresolved(f"${{{match.group(1)}}}")
                return every[match.group(1)]

            return re.sub(r"\$\{([^}]+)\}", sub, text)
    raise Unresolved(json.dumps(value))


def function_environment(template: dict[str, Any], function: str, names: dict[str, str]) -> dict[str, str]:
    """Globals' variables plus the function's own, resolved; then what Lambda adds."""
    variables = dict(template["Globals"]["Function"]["Environment"]["Variables"])
    own = template["Resources"][function]["Properties"].get("Environment", {}).get("Variables", {})
    variables.update(own)
    env = {name: str(resolve(value, names)) for name, value in variables.items()}
    handler = template["Resources"][function]["Properties"]["Handler"]
    lambda_name = f"{STACK}-{function}-AbC123"
    return {
        **RUNTIME_ENV,
        "AWS_LAMBDA_FUNCTION_NAME": lambda_name,
        "AWS_LAMBDA_LOG_GROUP_NAME": f"/aws/lambda/{lambda_name}",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/11/29/[$LATEST]0123456789abcdef",
        "_HANDLER": handler,
        **env,
    }


class Stack:
    """The stack's resources on moto, and the names template intrinsics resolve to."""

    def __init__(self, template: dict[str, Any], clock) -> None:
        import boto3

        from service.adapters.dynamo import DynamoTable
        from service.adapters.table_setup import create_table
        from service.services.directory import import_organisation

        self.template = template
        dynamo = boto3.client("dynamodb", region_name=REGION)
        self.table_name = f"{STACK}-Table-1A2B3C"
        create_table(dynamo, self.table_name)
        self.table = DynamoTable(dynamo, self.table_name)
        import_organisation(UnitOfWork(self.table), None, ORG_CSV, clock)
        self.sqs = boto3.client("sqs", region_name=REGION)
        self.queue_url = self.sqs.create_queue(QueueName=f"{STACK}-WorkQueue")["QueueUrl"]
        self.pool = create_pool(boto3.client("cognito-idp", region_name=REGION))
        for person in ("E2", "E4"):
            self.pool.add_person(person, f"{person.lower()}@example.com")
        self.domain_prefix = f"review-cycles-123456789012-{PARAMETERS['Stage']}"
        boto3.client("secretsmanager", region_name=REGION).create_secret(
            Name=f"{STACK}/web-session",
            SecretString=json.dumps({"client_id": self.pool.client_id, "session_key": "k" * 64}),
        )
        boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress=MAIL_FROM)
        # Issue 11's export queue (redriving to its dead-letter queue after three receives) and private bucket.
        self.export_dlq_url = self.sqs.create_queue(QueueName=f"{STACK}-ExportDeadLetterQueue")["QueueUrl"]
        self.export_dlq_arn = self.queue_arn(self.export_dlq_url)
        redrive = json.dumps({"deadLetterTargetArn": self.export_dlq_arn, "maxReceiveCount": 3})
        self.export_queue_url = self.sqs.create_queue(
            QueueName=f"{STACK}-ExportQueue", Attributes={"RedrivePolicy": redrive}
        )["QueueUrl"]
        self.export_queue_arn = self.queue_arn(self.export_queue_url)
        self.s3 = boto3.client("s3", region_name=REGION)
        self.export_bucket = f"{STACK}-exportbucket-1a2b3c"
        self.s3.create_bucket(Bucket=self.export_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        self.names = {
            **PARAMETERS,
            "AWS::StackName": STACK,
            "AWS::Region": REGION,
            "AWS::AccountId": "123456789012",
            "AWS::Partition": "aws",
            "Table": self.table_name,
            "WorkQueue": self.queue_url,
            "UserPool": self.pool.pool_id,
            "UserPoolDomain": self.domain_prefix,
            "WebClient": self.pool.client_id,
            "HttpApi": "abc123",
            "ExportQueue": self.export_queue_url,
            "ExportDeadLetterQueue.Arn": self.export_dlq_arn,
            "ExportBucket": self.export_bucket,
        }

    def queue_arn(self, url: str) -> str:
        """What !GetAtt <Queue>.Arn resolves to."""
        return self.sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]

    def environment(self, function: str) -> dict[str, str]:
        """The function's environment as deployed."""
        return function_environment(self.template, function, self.names)


@pytest.fixture
def stack(template, clock, monkeypatch):
    """An empty environment (as a new Lambda sandbox has), then the stack on moto."""
    from moto import mock_aws

    from service.adapters import secrets

    for name in list(os.environ):
        if name not in KEEP:
            monkeypatch.delenv(name)
    for name, value in RUNTIME_ENV.items():
        monkeypatch.setenv(name, value)
    secrets.forget()
    with mock_aws():
        yield Stack(template, clock)
    secrets.forget()


def start(stack: Stack, function: str, monkeypatch):
    """Set exactly the function's environment and import its handler afresh (a cold start)."""
    for name in list(os.environ):
        if (name not in KEEP and not name.startswith("AWS_")) or name == "AWS_ENDPOINT_URL":
            monkeypatch.delenv(name)
    for name, value in stack.environment(function).items():
        monkeypatch.setenv(name, value)
    return fresh_handler(stack.template, function, monkeypatch)


def test_every_function_of_the_template_has_a_smoke_test(template):
    functions = {k for k, r in template["Resources"].items() if r["Type"] == "AWS::Serverless::Function"}
    assert functions <= set(SMOKED), f"add a smoke test for {sorted(functions - set(SMOKED))}"


def test_the_environment_is_only_what_the_template_and_lambda_give(stack, monkeypatch):
    start(stack, "WorkerFunction", monkeypatch)
    extra = set(os.environ) - set(stack.environment("WorkerFunction")) - set(KEEP)
    assert extra <= {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}  # moto's stand-ins
    assert "SECRET_KEY" not in os.environ and "SESSION_SECRET_ID" not in os.environ


# --- the web function --------------------------------------------------------------------------


def test_web_function_answers_health_pages_and_the_api(stack, monkeypatch, http_event):
    handler = start(stack, "WebFunction", monkeypatch)
    context = LambdaContext()
    assert handler(http_event("GET", "/healthz"), context)["statusCode"] == 200
    page = handler(http_event("GET", "/"), context)
    assert page["statusCode"] == 302 and page["headers"]["location"] == "/auth/login?next=/"
    me = handler(http_event("GET", "/api/me", claims={"custom:employee_id": "E4"}), context)
    assert me["statusCode"] == 200 and json.loads(me["body"])["employee_id"] == "E4"


def test_web_function_signs_a_browser_in_through_the_hosted_ui(stack, monkeypatch, http_event):
    handler = start(stack, "WebFunction", monkeypatch)
    wiring = __import__("service.handlers.web", fromlist=["app"]).app.extensions["reviews"]
    hosted = wiring.extras["hosted_ui"] = MotoHostedUi(stack.pool)
    wiring.extras["jwks_fetch"] = moto_jwks
    context = LambdaContext()
    login = handler(http_event("GET", "/auth/login", query="next=/"), context)
    assert login["statusCode"] == 302
    authorize = login["headers"]["location"]
    assert authorize.startswith(f"https://{stack.pool.domain}/oauth2/authorize?")
    assert f"client_id={stack.pool.client_id}" in authorize and "code_challenge_method=S256" in authorize
    pending = [c.split(";")[0] for c in login["cookies"]]
    path, _, query = hosted.sign_in(authorize, "E4").partition("?")
    done = handler(http_event("GET", path, query=query, cookies=pending), context)
    assert done["statusCode"] == 302 and done["headers"]["location"] == "/"
    (cookie,) = done["cookies"]
    assert cookie.startswith("__Host-session=") and "Secure" in cookie and "HttpOnly" in cookie
    home = handler(http_event("GET", "/", cookies=[cookie.split(";")[0]]), context)
    assert home["statusCode"] == 200 and "Katherine Johnson" in home["body"]


# --- the worker function -------------------------------------------------------------------------


def sqs_event(messages: list[dict[str, Any]], source_arn: str) -> dict[str, Any]:
    """The batch Lambda's SQS event source hands the function for these received messages."""
    return {
        "Records": [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1772442000000"},
                "messageAttributes": {},
                "md5OfBody": m["MD5OfBody"],
                "eventSource": "aws:sqs",
                "eventSourceARN": source_arn,
                "awsRegion": REGION,
            }
            for m in messages
        ]
    }


def test_worker_creates_the_reviews_of_a_real_launch_from_its_sqs_batch(stack, monkeypatch, clock):
    from service.adapters.queue import SqsQueue
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc

    hr = f.principal(stack.table, "E2")
    template_id = template_svc.create_template(UnitOfWork(stack.table), hr, f.template_data(), clock).template_id
    cycle = cycle_svc.create_cycle(UnitOfWork(stack.table), hr, f.cycle_data(template_id), clock)
    queue = SqsQueue(stack.sqs, stack.queue_url)
    cycle_svc.launch_cycle(UnitOfWork(stack.table), hr, cycle.cycle_id, cycle.version, clock, queue)
    messages = stack.sqs.receive_message(QueueUrl=stack.queue_url, MaxNumberOfMessages=10)["Messages"]
    assert messages
    event = sqs_event(messages, f"arn:aws:sqs:{REGION}:123456789012:{STACK}-WorkQueue")
    handler = start(stack, "WorkerFunction", monkeypatch)
    assert handler(event, LambdaContext()) == {"batchItemFailures": []}
    reviews = list(stack.table.query(f"CYCLE#{cycle.cycle_id}", "REVIEW#"))
    assert {r["employee_id"] for r in reviews} == {"E1", "E2", "E3", "E4", "E5", "E6"}


# --- the reminders function ---------------------------------------------------------------------


def scheduler_event() -> dict[str, Any]:
    """What EventBridge Scheduler sends a Lambda target when no input is set."""
    return {
        "version": "0",
        "id": "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa",
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": "123456789012",
        "time": "2026-11-29T07:00:00Z",
        "region": REGION,
        "resources": [f"arn:aws:scheduler:{REGION}:123456789012:schedule/default/{STACK}-Daily-AbC123"],
        "detail": "{}",
    }


def test_reminders_function_emails_overdue_people_on_the_schedule(stack, monkeypatch, clock):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    today = date.today()  # the function reads the real clock
    days = {"goal_setting": -10, "self_assessment": -5, "feedback": 10, "manager_assessment": 20, "discussion": 30}
    f.launched_cycle(
        stack.table,
        clock,
        period_start=today - timedelta(days=200),
        period_end=today + timedelta(days=100),
        phases={name: today + timedelta(days=d) for name, d in days.items()},
    )
    handler = start(stack, "RemindersFunction", monkeypatch)
    result = handler(scheduler_event(), LambdaContext())
    assert result["reminded"] == 6 and result["failed"] == 0
    sent = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert len(sent) == result["reminded"] + result["escalations"]
    assert all(MAIL_FROM in m.source for m in sent)
    assert "https://abc123.execute-api.eu-west-1.amazonaws.com" in sent[0].body


# --- the PDF function (issue 11) ----------------------------------------------------------------


def jwt_claims(token: str) -> dict[str, Any]:
    """The claims of an ID token, as the API's JWT authorizer passes them on once it has verified it."""
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def pdf_text(data: bytes, tmp_path) -> str:
    """What pdftotext reads in a PDF."""
    path = tmp_path / "summary.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], check=True, capture_output=True, text=True).stdout


def test_pdf_function_answers_the_summary_api_with_a_pdf(stack, monkeypatch, clock, http_event, tmp_path):
    cycle = f.launched_cycle(stack.table, clock)
    path = f"/api/cycles/{cycle.cycle_id}/reviews/E4/summary.pdf"
    token = stack.pool.id_token("E4")
    event = http_event("GET", path, claims=jwt_claims(token), headers={"accept": "application/pdf"})
    event["headers"]["authorization"] = f"Bearer {token}"
    event["routeKey"] = event["requestContext"]["routeKey"] = (
        "GET /api/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf"
    )
    event["pathParameters"] = {"cycle_id": cycle.cycle_id, "employee_id": "E4"}
    handler = start(stack, "PdfFunction", monkeypatch)
    resp = handler(event, LambdaContext())
    assert resp["statusCode"] == 200 and resp["headers"]["content-type"] == "application/pdf"
    assert resp["isBase64Encoded"] is True
    data = base64.b64decode(resp["body"])
    assert data.startswith(b"%PDF-")
    assert "Katherine Johnson" in pdf_text(data, tmp_path)


def test_pdf_function_makes_the_zip_of_a_real_export_request_from_its_sqs_record(stack, monkeypatch, clock):
    from service.adapters.queue import SqsQueue
    from service.domain.exports import ExportState
    from service.services import exports

    cycle = f.launched_cycle(stack.table, clock)
    hr = f.principal(stack.table, "E2")
    queue = SqsQueue(stack.sqs, stack.export_queue_url)
    job, _ = exports.request_export(UnitOfWork(stack.table), hr, cycle.cycle_id, "People", None, clock, queue)
    messages = stack.sqs.receive_message(QueueUrl=stack.export_queue_url, MaxNumberOfMessages=1)["Messages"]
    handler = start(stack, "PdfFunction", monkeypatch)
    assert handler(sqs_event(messages, stack.export_queue_arn), LambdaContext()) == {"batchItemFailures": []}
    stored = UnitOfWork(stack.table).exports.get(job["export_id"])
    assert stored.state is ExportState.DONE and stored.done == 2
    body = stack.s3.get_object(Bucket=stack.export_bucket, Key=stored.object_key)["Body"].read()
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)  # People: Grace Hopper, Barbara Liskov


def test_pdf_function_marks_a_dead_lettered_export_failed(stack, monkeypatch, clock):
    from service.adapters.queue import SqsQueue
    from service.domain.exports import ExportState
    from service.services import exports

    cycle = f.launched_cycle(stack.table, clock)
    hr = f.principal(stack.table, "E2")
    queue = SqsQueue(stack.sqs, stack.export_queue_url)
    job, _ = exports.request_export(UnitOfWork(stack.table), hr, cycle.cycle_id, None, None, clock, queue)
    sent = stack.sqs.receive_message(QueueUrl=stack.export_queue_url, MaxNumberOfMessages=1)["Messages"]
    # SQS moves a message that used up its receives to the dead-letter queue, body unchanged.
    stack.sqs.send_message(QueueUrl=stack.export_dlq_url, MessageBody=sent[0]["Body"])
    messages = stack.sqs.receive_message(QueueUrl=stack.export_dlq_url, MaxNumberOfMessages=1)["Messages"]
    handler = start(stack, "PdfFunction", monkeypatch)
    assert handler(sqs_event(messages, stack.export_dlq_arn), LambdaContext()) == {"batchItemFailures": []}
    failed = UnitOfWork(stack.table).exports.get(job["export_id"])
    assert failed.state is ExportState.FAILED and "every attempt" in failed.error
    assert stack.s3.list_objects_v2(Bucket=stack.export_bucket).get("KeyCount", 0) == 0


# --- the training-report function (issue 10) ----------------------------------------------------


def test_training_report_function_emails_leadership_once_when_a_cycle_closed(stack, monkeypatch):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from service.adapters.clock import FixedClock
    from service.services import cycles as cycle_svc

    # The function reads the real clock, and mails the reports of cycles closed in the last week.
    recent = FixedClock(datetime.now(UTC) - timedelta(hours=1))
    cycle = f.launched_cycle(stack.table, recent)
    cycle_svc.close_cycle(
        UnitOfWork(stack.table), f.principal(stack.table, "E2"), cycle.cycle_id, cycle.version, recent
    )
    handler = start(stack, "TrainingReportFunction", monkeypatch)
    first = handler(scheduler_event(), LambdaContext())
    again = handler(scheduler_event(), LambdaContext())  # a retried or overlapping run
    assert (first["sent"], first["failed"], again["sent"], again["skipped"]) == (1, 0, 0, 1)
    (sent,) = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    assert MAIL_FROM in sent.source and sent.destinations["ToAddresses"] == ["ada@example.com"]  # E1, leadership
    assert "(cycle closed)" in sent.subject
    assert "https://abc123.execute-api.eu-west-1.amazonaws.com/reports/training" in sent.body


SMOKED = ("WebFunction", "WorkerFunction", "RemindersFunction", "PdfFunction", "TrainingReportFunction")
