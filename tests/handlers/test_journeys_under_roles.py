"""Issue 21: the journeys of every function, each function with exactly its template environment and under its role.

The web function is driven as a browser drives it (hosted-UI sign-in, pages, forms with their CSRF token and
session cookie, redirects followed); the worker, the PDF function and the bounce function get the events their
triggers send; every AWS call is checked against the role CloudFormation would give the function
(tests/handlers/deployed.py), and every email's links must point at the app's https URL.
"""

from __future__ import annotations

import re
import urllib.parse
from datetime import date, timedelta
from typing import Any

import pytest

from service.adapters.unit_of_work import UnitOfWork
from tests import factories as f
from tests.cognito_support import MotoHostedUi, moto_jwks
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import (
    API_URL,
    MAIL_FROM,
    deployed,
    deployed_template,
    functions,
    start,
)
from tests.handlers.test_every_function_starts import deliver_all, scheduler_event, ses_bounce, sns_event, sqs_event

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
def stack(monkeypatch, clock):
    """The stack on moto: each function runs with its template environment and role."""
    with deployed(monkeypatch, clock) as made:
        yield made


class Browser:
    """One person's browser on the web (or PDF) function: cookies kept, redirects within the app followed."""

    def __init__(self, handler, http_event) -> None:
        self.handler = handler
        self.http_event = http_event
        self.cookies: dict[str, str] = {}

    def _send(self, method: str, path: str, body: str | None = None, headers: dict[str, str] | None = None):
        path, _, query = path.split("#")[0].partition("?")  # a browser keeps the fragment to itself
        event = self.http_event(
            method,
            path,
            query=query,
            cookies=[f"{k}={v}" for k, v in self.cookies.items()],
            body=body,
            headers=headers,
        )
        response = self.handler(event, LambdaContext())
        for cookie in response.get("cookies", []):
            name, _, rest = cookie.partition("=")
            value = rest.split(";")[0]
            if "Max-Age=0" in cookie or "expires=Thu, 01 Jan 1970" in cookie:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return response

    def get(self, path: str, follow: bool = True):
        """GET, following redirects that stay in the app."""
        response = self._send("GET", path)
        while follow and response["statusCode"] in (301, 302, 303) and response["headers"]["location"].startswith("/"):
            response = self._send("GET", response["headers"]["location"])
        return response

    def post(self, path: str, form: list[tuple[str, str]], token_from: str):
        """Submit a form of the page at `token_from` (its CSRF token added), following the redirect."""
        page = self.get(token_from)
        (token,) = set(re.findall(r'name="csrf_token" value="([^"]+)"', page["body"]))
        body = urllib.parse.urlencode([*form, ("csrf_token", token)])
        response = self._send("POST", path, body=body, headers=FORM)
        if response["statusCode"] in (302, 303) and response["headers"]["location"].startswith("/"):
            return self.get(response["headers"]["location"])
        return response


def sign_in(stack, handler, http_event, employee_id: str) -> Browser:
    """Through the hosted UI (moto's pool) and the app's callback, as a browser does."""
    import service.handlers.web as web

    wiring = web.app.extensions["reviews"]
    hosted = wiring.extras.setdefault("hosted_ui", MotoHostedUi(stack.pool))
    wiring.extras["jwks_fetch"] = moto_jwks
    browser = Browser(handler, http_event)
    login = browser._send("GET", "/auth/login?next=/")
    path = hosted.sign_in(login["headers"]["location"], employee_id)
    home = browser.get(path)
    assert home["statusCode"] == 200, home
    return browser


def overdue_cycle(stack, clock):
    """A launched cycle whose self assessment was due 5 days ago (the functions read the real date)."""
    today = date.today()
    days = {"goal_setting": -10, "self_assessment": -5, "feedback": 10, "manager_assessment": 20, "discussion": 30}
    return f.launched_cycle(
        stack.table,
        clock,
        period_start=today - timedelta(days=200),
        period_end=today + timedelta(days=100),
        phases={name: today + timedelta(days=d) for name, d in days.items()},
    )


def mails_to(stack, address: str) -> list[Any]:
    """What SES accepted for one address."""
    return [m for m in stack.sent_emails() if address in m.destinations["ToAddresses"]]


# --- the web function sends mail ---------------------------------------------------------------------------------


def test_nominations_and_approval_reach_people_in_the_reminders_function_s_daily_email(
    stack, monkeypatch, http_event, clock
):
    cycle = overdue_cycle(stack, clock)
    web = start(stack, "WebFunction", monkeypatch)
    review = f"/cycles/{cycle.cycle_id}/reviews/E4"

    employee = sign_in(stack, web, http_event, "E4")
    form = [("reviewer_ids", r) for r in ("E5", "E6", "E2")]
    saved = employee.post(f"{review}/nominations", form, token_from=f"{review}/nominations")
    assert "Your nominations are saved" in saved["body"]
    manager = sign_in(stack, web, http_event, "E3")
    decisions = [(f"decision.{r}", "approve") for r in ("E5", "E6", "E2")]
    decided = manager.post(f"{review}/nominations/decisions", decisions, token_from=f"{review}/nominations")
    assert "Everyone newly asked gets an email" in decided["body"]
    assert stack.sent_emails() == []  # kept for the day's digest (issue 24)

    reminders = start(stack, "RemindersFunction", monkeypatch)
    assert reminders(scheduler_event(), LambdaContext())["failed"] == 0
    # E3, Katherine's manager: one daily email (their overdue task and the nominations), and an escalation
    (to_manager,) = [m for m in mails_to(stack, "alan@example.com") if "Overdue review tasks" in m.subject]
    assert f"{API_URL}{review}/nominations" in to_manager.body and MAIL_FROM in to_manager.source
    for reviewer in ("edsger@example.com", "barbara@example.com", "grace@example.com"):
        daily = [m for m in mails_to(stack, reviewer) if "Overdue review tasks" in m.subject]
        assert len(daily) == 1 and f"{API_URL}/feedback/{cycle.cycle_id}/E4" in daily[0].body


def test_a_one_to_one_invitation_goes_as_raw_mail_and_the_daily_email_announces_the_meeting(
    stack, monkeypatch, http_event, clock
):
    from tests.handlers.deployed import text_of

    web = start(stack, "WebFunction", monkeypatch)
    manager = sign_in(stack, web, http_event, "E3")
    from datetime import UTC, datetime

    # Issue 28: the manager keeps one-to-one times in their own zone (their directory item, under the web's role).
    (version,) = re.findall(r'name="version" value="(\d+)"', manager.get("/one-to-ones")["body"])
    zone = [("time_zone", "Europe/Berlin"), ("version", version)]
    assert (
        "Saved: times are shown in Europe/Berlin"
        in manager.post("/me/time-zone", zone, token_from="/one-to-ones")["body"]
    )
    tomorrow = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()  # the functions run on the real clock
    form = [("rhythm", "weekly"), ("first_date", tomorrow), ("time", "10:00"), ("minutes", "30"), ("version", "0")]
    page = manager.post("/one-to-ones/E4/rhythm", form, token_from="/one-to-ones/E4")
    assert "Saved: you meet weekly" in page["body"]
    assert "ses:SendRawEmail" in stack.recorder.actions("WebFunction")
    [invitation] = stack.sent_emails()
    assert f"{API_URL}/one-to-ones/E4" in text_of(invitation) and "invite.ics" in invitation.raw_data
    assert "at 10:00 (Europe/Berlin) for Alan Turing" in text_of(invitation)

    reminders = start(stack, "RemindersFunction", monkeypatch)
    assert reminders(scheduler_event(), LambdaContext())["failed"] == 0
    daily = [
        m
        for m in stack.sent_emails()
        if hasattr(m, "body") and "katherine@example.com" in m.destinations["ToAddresses"]
    ]
    assert len(daily) == 1 and "One-to-one with Alan Turing tomorrow" in daily[0].body


def test_a_person_downloads_their_own_data_under_the_web_function_s_role(stack, monkeypatch, http_event, clock):
    import json

    web = start(stack, "WebFunction", monkeypatch)
    employee = sign_in(stack, web, http_event, "E4")
    assert "Download my data" in employee.get("/me/notifications")["body"]
    file = employee.get("/me/personal-data")
    assert file["statusCode"] == 200 and json.loads(file["body"])["employee"]["email"] == "katherine@example.com"
    assert [r["action"] for r in UnitOfWork(stack.table).audit.of_entity("PDATA#E4")] == ["download_personal_data"]


def test_remind_now_emails_from_the_web_function(stack, monkeypatch, http_event, clock):
    cycle = overdue_cycle(stack, clock)
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    overdue = f"/hr/cycles/{cycle.cycle_id}/overdue"
    page = hr.post(f"/hr/cycles/{cycle.cycle_id}/remind", [], token_from=overdue)
    assert "Reminder sent to 6 people" in page["body"] and "could not be sent" not in page["body"]
    (reminder,) = [m for m in mails_to(stack, "katherine@example.com") if "Overdue" in m.subject]
    assert f"{API_URL}/" in reminder.body
    assert "ses:SendEmail" in stack.recorder.actions("WebFunction")


def test_the_diagnosis_and_an_improvement_plan_step_under_the_web_function_s_role(
    stack, monkeypatch, http_event, clock
):
    from service.domain.improvement_plan import PlanItem, PlanSource
    from service.domain.workflow import Progress

    cycle = overdue_cycle(stack, clock)
    at = clock.now().isoformat()
    item = PlanItem(
        "plan1", "Faster CI", PlanSource.DIAGNOSIS, "obstacles:tools_and_processes", "Most obstacles sit with tools.",
        cycle.cycle_id, cycle.name, "E2", "2099-01-01", Progress.PLANNED, at, "E2", at,
    )  # fmt: skip
    uow = UnitOfWork(stack.table)
    with uow:
        uow.plan.save(item, new=True, actor="E2", action="create", at=at)
        uow.commit()
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    assert hr.get(f"/reports/diagnosis?cycle={cycle.cycle_id}")["statusCode"] == 200
    page = hr.post(
        "/improvement-plan/plan1/status", [("action", "start"), ("version", "1")], token_from="/improvement-plan/plan1"
    )
    assert "Started." in page["body"]
    assert UnitOfWork(stack.table).plan.get("plan1").status is Progress.IN_PROGRESS
    assert "Faster CI" in hr.get("/improvement-plan")["body"]


def test_an_upward_answer_moves_its_summary_and_a_final_cycle_s_summaries_are_read_under_the_web_role(
    stack, monkeypatch, http_event, clock
):
    # Issue 27: the answer reads the manager's chain and adds to their upward summary in its transaction; the
    # diagnosis reads a cycle's summaries in one Query once its upward feedback is final (here: a cycle closed under
    # the manager-only release rule).
    from service.services import cycles as cycle_svc
    from service.services import feedback_nominations, feedback_settings

    cycle = overdue_cycle(stack, clock)
    hr_principal = f.principal(stack.table, "E2")
    rules = {"min_peers": 3, "max_peers": 8, "threshold": 3, "upward": True, "release": "manager"}
    feedback_settings.save_settings(UnitOfWork(stack.table), hr_principal, cycle.cycle_id, rules, 0, clock)
    feedback_nominations.request_upward(UnitOfWork(stack.table), hr_principal, cycle.cycle_id, clock)
    web = start(stack, "WebFunction", monkeypatch)
    report = sign_in(stack, web, http_event, "E4")
    url = f"/feedback/{cycle.cycle_id}/E3"
    form = [("ratings.delivery", "3"), ("ratings.collaboration", "4"), ("version", "0"), ("action", "submit")]
    assert "is submitted" in report.post(url, form, token_from=url)["body"]
    (summary,) = UnitOfWork(stack.table).feedback.upward_summaries(cycle.cycle_id)
    assert (summary["answers"], summary["level"], summary["n#delivery"], summary["s#collaboration"]) == (1, 2, 1, 4)

    closed = cycle_svc.get_cycle(UnitOfWork(stack.table), cycle.cycle_id)
    cycle_svc.close_cycle(UnitOfWork(stack.table), hr_principal, cycle.cycle_id, closed.version, clock)
    hr = sign_in(stack, web, http_event, "E2")
    page = hr.get(f"/reports/diagnosis?cycle={cycle.cycle_id}")
    assert page["statusCode"] == 200 and "No upward feedback counts in these cycles yet" in page["body"]  # 1 answer
    assert "dynamodb:Query" in stack.recorder.actions("WebFunction")


def test_chat_settings_are_kept_and_read_under_the_roles_and_a_chat_that_fails_goes_by_email(
    stack, monkeypatch, http_event, clock
):
    overdue_cycle(stack, clock)
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    token = "xoxb-1234567890-abcdefghij"
    connected = hr.post("/hr/notifications/slack", [("mode", "bot"), ("secret", token)], token_from="/hr/notifications")
    assert "Slack is connected" in connected["body"] and token not in connected["body"]
    person = sign_in(stack, web, http_event, "E4")
    form = [("version", "0"), ("channel", "slack"), ("timing", "digest")]
    assert "your messages go by Slack" in person.post("/me/notifications", form, token_from="/me/notifications")["body"]
    reminders = start(stack, "RemindersFunction", monkeypatch)
    assert reminders(scheduler_event(), LambdaContext())["failed"] == 0
    # No network here, so Slack cannot be reached: Katherine's reminder comes by email instead (issue 28).
    assert [m for m in mails_to(stack, "katherine@example.com") if "Overdue" in m.subject]
    assert "secretsmanager:PutSecretValue" in stack.recorder.actions("WebFunction")
    assert "secretsmanager:GetSecretValue" in stack.recorder.actions("RemindersFunction")


def test_a_bounced_address_is_recorded_skipped_and_shown_to_hr(stack, monkeypatch, http_event, clock):
    cycle = overdue_cycle(stack, clock)
    bounces = start(stack, "BounceFunction", monkeypatch)
    topic = stack.names["MailFeedbackTopic"]
    assert bounces(sns_event(topic, ses_bounce("Katherine@Example.com")), LambdaContext()) == {"recorded": 1}
    complaint = {
        "notificationType": "Complaint",
        "complaint": {
            "complainedRecipients": [{"emailAddress": "edsger@example.com"}],
            "complaintFeedbackType": "abuse",
        },
        "mail": {"source": MAIL_FROM, "destination": ["edsger@example.com"]},
    }
    transient = ses_bounce("alan@example.com", bounce_type="Transient")  # a full mailbox: still mailed
    assert bounces(sns_event(topic, complaint), LambdaContext()) == {"recorded": 1}
    assert bounces(sns_event(topic, transient), LambdaContext()) == {"recorded": 0}

    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    overdue = f"/hr/cycles/{cycle.cycle_id}/overdue"
    page = hr.post(f"/hr/cycles/{cycle.cycle_id}/remind", [], token_from=overdue)
    assert "Reminder sent to 4 people" in page["body"]
    assert "2 not emailed: their address bounces" in page["body"]
    assert not mails_to(stack, "katherine@example.com") and not mails_to(stack, "edsger@example.com")
    assert mails_to(stack, "alan@example.com")
    assert 'id="bouncing"' not in page["body"]  # the overdue list links to them (issue 24: three requests)
    listing = f"/hr/cycles/{cycle.cycle_id}/bouncing"
    listed = hr.get(listing)["body"]
    listed = listed[listed.index('id="bouncing"') :]
    assert "Katherine Johnson" in listed and "550 5.1.1 user unknown" in listed
    assert "Edsger Dijkstra" in listed and "complaint (abuse)" in listed

    cleared = hr.post(
        f"/hr/cycles/{cycle.cycle_id}/bouncing/clear", [("address", "katherine@example.com")], token_from=listing
    )
    assert "katherine@example.com is emailed again from now on" in cleared["body"]
    listed = cleared["body"][cleared["body"].index('id="bouncing"') :]
    assert "Katherine Johnson" not in listed and "Edsger Dijkstra" in listed


def test_the_daily_run_skips_a_bounced_address_without_failing(stack, monkeypatch, clock):
    overdue_cycle(stack, clock)
    bounces = start(stack, "BounceFunction", monkeypatch)
    bounces(sns_event(stack.names["MailFeedbackTopic"], ses_bounce("katherine@example.com")), LambdaContext())
    reminders = start(stack, "RemindersFunction", monkeypatch)
    result = reminders(scheduler_event(), LambdaContext())  # a failed run would be retried by Lambda for nothing
    assert (result["reminded"], result["bouncing"], result["failed"]) == (5, 1, 0)
    assert not mails_to(stack, "katherine@example.com") and mails_to(stack, "ada@example.com")


# --- launch, worker, summary PDF, bulk export ----------------------------------------------------------------


def test_a_launch_from_the_page_is_done_by_the_worker(stack, monkeypatch, http_event, clock):
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc

    hr_principal = f.principal(stack.table, "E2")
    template_id = template_svc.create_template(UnitOfWork(stack.table), hr_principal, f.template_data(), clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(stack.table), hr_principal, f.cycle_data(template_id.template_id), clock)
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    page = hr.post(
        f"/hr/cycles/{cycle.cycle_id}/launch",
        [("version", str(cycle.version))],
        token_from=f"/hr/cycles/{cycle.cycle_id}",
    )
    assert page["statusCode"] == 200
    queue = stack.queue_url("WorkQueue")
    messages = stack.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    worker = start(stack, "WorkerFunction", monkeypatch)
    assert worker(sqs_event(messages, stack.queue_arn("WorkQueue")), LambdaContext()) == {"batchItemFailures": []}
    reviews = list(stack.table.query(f"CYCLE#{cycle.cycle_id}", "REVIEW#"))
    assert len(reviews) == 6
    assert "sqs:SendMessage" in stack.recorder.actions("WebFunction")


def test_a_summary_pdf_and_a_bulk_export_from_the_pages(stack, monkeypatch, http_event, clock):
    from service.domain.exports import ExportState

    cycle = f.launched_cycle(stack.table, clock)
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    pdf = start(stack, "PdfFunction", monkeypatch)
    hr_on_pdf = Browser(pdf, http_event)
    hr_on_pdf.cookies = dict(hr.cookies)  # API Gateway routes the summary to PdfFunction; the same cookie signs in
    summary = hr_on_pdf.get(f"/cycles/{cycle.cycle_id}/reviews/E4/summary.pdf")
    assert summary["statusCode"] == 200 and summary["headers"]["content-type"] == "application/pdf"

    asked = hr.post("/hr/exports", [("cycle_id", cycle.cycle_id), ("department", "People")], token_from="/hr/exports")
    assert "The export is under way" in asked["body"]
    assert deliver_all(stack, "ExportQueue", pdf) == 3  # under its role: the plan queues the chunk, it the assembly
    (job,) = UnitOfWork(stack.table).exports.recent()
    assert job.state is ExportState.DONE
    download = hr.get(f"/hr/exports/{job.export_id}/download", follow=False)
    assert download["statusCode"] == 303
    link = urllib.parse.urlsplit(download["headers"]["location"])
    assert link.scheme == "https" and link.path.endswith(".zip") and "Signature" in link.query
    assert "s3:GetObject" in stack.recorder.actions("WebFunction")  # the existence check and the signed link


def test_a_finalised_summary_is_kept_and_a_long_one_prepared_by_the_pdf_function(stack, monkeypatch, http_event, clock):
    """Issue 24 under PdfFunction's role: the PDF kept in the export bucket by its hash, read back on the second
    download; a long summary queued on the export queue, rendered by the same function, then served."""
    import base64

    import boto3

    from service.pdf import stored_summary
    from tests.pdf.conftest import finalise_e4

    cycle = f.launched_cycle(stack.table, clock)
    finalise_e4(stack.table, cycle.cycle_id, clock)
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    pdf = start(stack, "PdfFunction", monkeypatch)
    hr_on_pdf = Browser(pdf, http_event)
    hr_on_pdf.cookies = dict(hr.cookies)
    s3 = boto3.client("s3", region_name="eu-west-1")

    path = f"/cycles/{cycle.cycle_id}/reviews/E4/summary.pdf"
    first = hr_on_pdf.get(path)
    assert first["statusCode"] == 200 and first["headers"]["content-type"] == "application/pdf"
    key = "summaries/" + first["headers"]["etag"].strip('"') + ".pdf"
    stored = s3.get_object(Bucket=stack.bucket(), Key=key)
    assert stored["ServerSideEncryption"] == "AES256" and stored["Metadata"]["rendered-at"]
    s3.put_object(Bucket=stack.bucket(), Key=key, Body=b"%PDF-1.7 kept")
    second = hr_on_pdf.get(path)
    assert base64.b64decode(second["body"]) == b"%PDF-1.7 kept"  # the second download reads the stored file

    monkeypatch.setattr(stored_summary, "INLINE_PAGES", 0)  # any summary is "long" now: the background path
    asked = hr_on_pdf.get(f"/cycles/{cycle.cycle_id}/reviews/E5/summary.pdf")
    assert asked["statusCode"] == 202 and "being prepared" in asked["body"]
    queue = stack.queue_url("ExportQueue")
    messages = stack.sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=1)["Messages"]
    assert pdf(sqs_event(messages, stack.queue_arn("ExportQueue")), LambdaContext()) == {"batchItemFailures": []}
    ready = hr_on_pdf.get(f"/cycles/{cycle.cycle_id}/reviews/E5/summary.pdf")
    assert ready["statusCode"] == 200 and ready["headers"]["content-type"] == "application/pdf"
    assert {"s3:GetObject", "s3:PutObject", "sqs:SendMessage"} <= stack.recorder.actions("PdfFunction")


def test_a_fourth_unfinished_export_is_refused_with_a_message_and_nothing_stored(stack, monkeypatch, http_event, clock):
    import json

    cycle = f.launched_cycle(stack.table, clock)
    web = start(stack, "WebFunction", monkeypatch)
    body = json.dumps({"cycle_id": cycle.cycle_id})
    headers = {"content-type": "application/json"}

    def ask():
        event = http_event("POST", "/api/exports", claims={"custom:employee_id": "E2"}, body=body, headers=headers)
        return web(event, LambdaContext())

    assert [ask()["statusCode"] for _ in range(3)] == [201, 201, 201]  # nothing runs them: all still queued
    queued = stack.sqs.get_queue_attributes(
        QueueUrl=stack.queue_url("ExportQueue"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    refused = ask()
    assert refused["statusCode"] == 409
    error = json.loads(refused["body"])
    assert error["code"] == "conflict" and "at most 3 at once" in error["message"]
    assert len(UnitOfWork(stack.table).exports.recent()) == 3
    after = stack.sqs.get_queue_attributes(
        QueueUrl=stack.queue_url("ExportQueue"), AttributeNames=["ApproximateNumberOfMessages"]
    )
    assert after["Attributes"] == queued["Attributes"] == {"ApproximateNumberOfMessages": "3"}

    hr = sign_in(stack, web, http_event, "E2")
    page = hr.post("/hr/exports", [("cycle_id", cycle.cycle_id)], token_from="/hr/exports")
    assert page["statusCode"] == 409 and "at most 3 at once" in page["body"]


# --- the roles themselves ---------------------------------------------------------------------------------------


def test_a_call_the_role_does_not_allow_is_refused_and_fails_the_journey(monkeypatch, clock):
    """The harness itself: take PutItem away from the reminders role and its run is refused, and reported."""
    with pytest.raises(AssertionError, match=r"RemindersFunction: dynamodb.TransactWriteItems needs dynamodb:PutItem"):
        with deployed(monkeypatch, clock) as stack:
            overdue_cycle(stack, clock)
            granted = stack.statements("RemindersFunction")
            without_put = [
                {**s, "Action": [a for a in s["Action"] if a != "dynamodb:PutItem"]}
                if isinstance(s["Action"], list)
                else s
                for s in granted
            ]
            monkeypatch.setattr(stack.recorder, "policies", lambda function: without_put)
            reminders = start(stack, "RemindersFunction", monkeypatch)
            with pytest.raises(Exception, match="AccessDenied"):
                reminders(scheduler_event(), LambdaContext())


def test_a_loopback_link_in_an_email_fails_the_journey(monkeypatch, clock):
    """The harness itself: a function whose BASE_URL were loopback is refused before it mails, and an email that
    links to a loopback host fails the test even if it was sent."""
    import boto3

    from service.config import ConfigError
    from tests.handlers.deployed import REGION

    with pytest.raises(AssertionError, match=r"links to a loopback host: http://127\.0\.0\.1:8000/feedback"):
        with deployed(monkeypatch, clock) as stack:
            overdue_cycle(stack, clock)
            reminders = start(stack, "RemindersFunction", monkeypatch)
            monkeypatch.setenv("BASE_URL", "http://127.0.0.1:8000")
            with pytest.raises(ConfigError, match="BASE_URL"):
                reminders(scheduler_event(), LambdaContext())
            assert stack.sent_emails() == []
            boto3.client("ses", region_name=REGION).send_email(
                Source=MAIL_FROM,
                Destination={"ToAddresses": ["ada@example.com"]},
                Message={
                    "Subject": {"Data": "s"},
                    "Body": {"Text": {"Data": "Answer: http://127.0.0.1:8000/feedback"}},
                },
            )


@pytest.mark.parametrize(
    ("missing", "journey"),
    [
        ("MAIL_FROM", "remind"),  # the finding of issue 21: the web function had none
        ("QUEUE_URL", "launch"),  # would have created the reviews inside the web request
        ("EXPORT_QUEUE_URL", "export"),  # would have rendered the PDFs in the function without WeasyPrint
    ],
)
def test_a_variable_missing_from_the_template_fails_the_journey(monkeypatch, http_event, clock, missing, journey):
    """The harness itself: the web function started without one variable of its template does not do the journey
    quietly some other way; it refuses (ConfigError, a 500 in the test) and nothing is sent or queued."""
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc

    with deployed(monkeypatch, clock) as stack:
        cycle = overdue_cycle(stack, clock)
        hr_principal = f.principal(stack.table, "E2")
        template = template_svc.create_template(UnitOfWork(stack.table), hr_principal, f.template_data(), clock)
        draft = cycle_svc.create_cycle(UnitOfWork(stack.table), hr_principal, f.cycle_data(template.template_id), clock)
        web = start(stack, "WebFunction", monkeypatch, without=(missing,))
        hr = sign_in(stack, web, http_event, "E2")
        if journey == "remind":
            path, form, page = f"/hr/cycles/{cycle.cycle_id}/remind", [], f"/hr/cycles/{cycle.cycle_id}/overdue"
        elif journey == "launch":
            path, form, page = f"/hr/cycles/{draft.cycle_id}/launch", [("version", str(draft.version))], "/hr/cycles"
        else:
            path, form, page = "/hr/exports", [("cycle_id", cycle.cycle_id)], "/hr/exports"
        assert hr.post(path, form, token_from=page)["statusCode"] == 500
        assert stack.sent_emails() == []
        assert cycle_svc.get_cycle(UnitOfWork(stack.table), draft.cycle_id).template_snapshot is None
        assert UnitOfWork(stack.table).exports.recent() == []


def test_every_function_of_the_template_has_a_journey_here_or_in_the_smoke_tests():
    covered = {"WebFunction", "WorkerFunction", "PdfFunction", "BounceFunction", "RemindersFunction"}
    covered |= {"TrainingReportFunction"}  # tests/handlers/test_every_function_starts.py
    assert set(functions(deployed_template())) <= covered
