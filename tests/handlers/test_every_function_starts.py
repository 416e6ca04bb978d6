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
import subprocess
import zipfile
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from service.adapters.clock import Clock
from service.adapters.unit_of_work import UnitOfWork
from tests import factories as f
from tests.cognito_support import REGION, MotoHostedUi, moto_jwks
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import API_URL, KEEP, MAIL_FROM, STACK, deployed, start


@pytest.fixture
def stack(monkeypatch, clock):
    """The stack on moto: each function runs with its template environment and role (tests/handlers/deployed.py)."""
    with deployed(monkeypatch, clock) as made:
        yield made


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


def deliver_all(stack, queue: str, handler) -> int:
    """Hand a queue's messages to `handler` one batch of one at a time, as the export trigger does, until the
    queue is empty (an export's plan queues its chunks, the last chunk its assembly); how many ran."""
    ran = 0
    while messages := stack.sqs.receive_message(QueueUrl=stack.queue_url(queue), MaxNumberOfMessages=1).get(
        "Messages", []
    ):
        assert handler(sqs_event(messages, stack.queue_arn(queue)), LambdaContext()) == {"batchItemFailures": []}
        stack.sqs.delete_message(QueueUrl=stack.queue_url(queue), ReceiptHandle=messages[0]["ReceiptHandle"])
        ran += 1
    return ran


def test_worker_creates_the_reviews_of_a_real_launch_from_its_sqs_batch(stack, monkeypatch, clock):
    from service.adapters.queue import SqsQueue
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc

    hr = f.principal(stack.table, "E2")
    template_id = template_svc.create_template(UnitOfWork(stack.table), hr, f.template_data(), clock).template_id
    cycle = cycle_svc.create_cycle(UnitOfWork(stack.table), hr, f.cycle_data(template_id), clock)
    queue = SqsQueue(stack.sqs, stack.queue_url("WorkQueue"))
    cycle_svc.launch_cycle(UnitOfWork(stack.table), hr, cycle.cycle_id, cycle.version, clock, queue)
    messages = stack.sqs.receive_message(QueueUrl=stack.queue_url("WorkQueue"), MaxNumberOfMessages=10)["Messages"]
    assert messages
    event = sqs_event(messages, stack.queue_arn("WorkQueue"))
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
    sent = stack.sent_emails()
    assert len(sent) == result["reminded"] + result["escalations"]
    assert all(MAIL_FROM in m.source for m in sent)
    assert API_URL in sent[0].body


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
    queue = SqsQueue(stack.sqs, stack.queue_url("ExportQueue"))
    # Asked for now: the function reads the real time, and a job silent for hours reads as failed (issue 24).
    job, _ = exports.request_export(UnitOfWork(stack.table), hr, cycle.cycle_id, "People", None, Clock(), queue)
    handler = start(stack, "PdfFunction", monkeypatch)
    assert deliver_all(stack, "ExportQueue", handler) == 3  # the plan, its one chunk, the assembly
    stored = UnitOfWork(stack.table).exports.get(job.export_id)
    assert stored.state is ExportState.DONE and stored.done == 2
    body = stack.s3.get_object(Bucket=stack.bucket(), Key=stored.object_key)["Body"].read()
    names = zipfile.ZipFile(io.BytesIO(body)).namelist()
    assert len(names) == 2 and all(n.endswith(".pdf") for n in names)  # People: Grace Hopper, Barbara Liskov


def test_training_report_function_emails_leadership_once_when_a_cycle_closed(stack, monkeypatch):
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
    (sent,) = stack.sent_emails()
    assert MAIL_FROM in sent.source and sent.destinations["ToAddresses"] == ["ada@example.com"]  # E1, leadership
    assert "(cycle closed)" in sent.subject
    assert f"{API_URL}/reports/training" in sent.body


# --- the bounce function (issue 21) --------------------------------------------------------------


def sns_event(topic_arn: str, message: dict[str, Any]) -> dict[str, Any]:
    """What SNS hands a subscribed Lambda function for one published message."""
    return {
        "Records": [
            {
                "EventSource": "aws:sns",
                "EventVersion": "1.0",
                "EventSubscriptionArn": f"{topic_arn}:2bcfbf39-05c3-41de-beaa-fcfcc21c8f55",
                "Sns": {
                    "Type": "Notification",
                    "MessageId": "95df01b4-ee98-5cb9-9903-4c221d41eb5e",
                    "TopicArn": topic_arn,
                    "Subject": None,
                    "Message": json.dumps(message),
                    "Timestamp": "2026-11-29T07:00:01.000Z",
                    "MessageAttributes": {},
                },
            }
        ]
    }


def ses_bounce(address: str, bounce_type: str = "Permanent") -> dict[str, Any]:
    """The event a configuration set's SNS destination publishes for a bounce."""
    return {
        "eventType": "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [
                {
                    "emailAddress": address,
                    "action": "failed",
                    "status": "5.1.1",
                    "diagnosticCode": "smtp; 550 5.1.1 user unknown",
                }
            ],
            "timestamp": "2026-11-29T07:00:00.000Z",
            "feedbackId": "0102017d-bounce",
        },
        "mail": {"source": MAIL_FROM, "destination": [address], "messageId": "0102017d-mail"},
    }


def test_bounce_function_records_a_permanent_bounce_from_its_sns_event(stack, monkeypatch):
    from service.adapters.bounces import BounceList

    handler = start(stack, "BounceFunction", monkeypatch)
    topic = stack.names["MailFeedbackTopic"]
    assert handler(sns_event(topic, ses_bounce("katherine@example.com")), LambdaContext()) == {"recorded": 1}
    (stored,) = BounceList(stack.table).all()
    assert (stored.address, stored.kind) == ("katherine@example.com", "bounce")
    assert "550 5.1.1 user unknown" in stored.detail


SMOKED = (
    "WebFunction",
    "WorkerFunction",
    "RemindersFunction",
    "PdfFunction",
    "TrainingReportFunction",
    "BounceFunction",
)
