"""The reminders function over moto (DynamoDB and SES): JSON logs tagged per invocation, reminders counted as
EMF metrics, and a message SES refused sent again when Lambda retries the failed invocation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests import factories as f
from tests.handlers.conftest import fresh_handler, metric_totals, output_lines

SENDER = "reviews@example.com"


@pytest.fixture
def reminders(template, deployed_table, clock, monkeypatch):
    """The reminders handler, imported afresh, over a cycle whose self assessments were due 5 days ago."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "review-cycles-reminders")
    monkeypatch.setenv("MAIL_FROM", SENDER)
    monkeypatch.setenv("BASE_URL", "https://abc123.execute-api.eu-west-1.amazonaws.com")
    today = date.today()  # the function reads the real clock
    phases = {"goal_setting": -10, "self_assessment": -5, "feedback": 10, "manager_assessment": 20, "discussion": 30}
    f.launched_cycle(
        deployed_table,
        clock,
        period_start=today - timedelta(days=200),
        period_end=today + timedelta(days=100),
        phases={name: today + timedelta(days=days) for name, days in phases.items()},
    )
    return fresh_handler(template, "RemindersFunction", monkeypatch)


def ses(settings_region: str = "eu-west-1"):
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    return ses_backends[DEFAULT_ACCOUNT_ID][settings_region]


def verify_sender() -> None:
    import boto3

    boto3.client("ses", region_name="eu-west-1").verify_email_identity(EmailAddress=SENDER)


def test_a_run_logs_json_tagged_with_its_invocation_and_counts_what_it_sent(reminders, context, capsys):
    verify_sender()
    result = reminders({}, context)

    assert result["reminded"] == 6 and result["failed"] == 0
    logs, metrics = output_lines(capsys.readouterr().out)
    (line,) = [r for r in logs if r["message"] == "reminders run"]
    assert line["correlation_id"] == context.aws_request_id and line["reminded"] == 6
    assert metric_totals(metrics) == {"RemindersSent": 6, "EscalationsSent": result["escalations"]}
    assert len(ses().sent_messages) == 6 + result["escalations"]


def test_a_message_ses_refused_is_sent_when_lambda_retries_the_run(reminders, context, capsys):
    from service.handlers.reminders import RemindersIncomplete

    event = {"id": "4a2f1d7c-5b8e-4f7a-9c1d-2e3f4a5b6c7d"}
    with pytest.raises(RemindersIncomplete):  # the sender is not verified yet: SES rejects every message
        reminders(event, context)
    logs, metrics = output_lines(capsys.readouterr().out)
    refused = [r for r in logs if r["level"] == "WARNING" and "failed" in r["message"]]
    assert len(refused) >= 6 and all(r["correlation_id"] == event["id"] for r in refused)
    assert "MessageRejected" in refused[0]["message"]
    assert metric_totals(metrics)["ReminderSendsFailed"] == len(refused)
    assert ses().sent_messages == []

    verify_sender()
    result = reminders(event, context)  # Lambda's retry of the failed asynchronous invocation
    assert result["reminded"] == 6 and result["failed"] == 0
    to = sorted(m.destinations["ToAddresses"][0] for m in ses().sent_messages)
    assert len(to) == 6 + result["escalations"]
    assert to.count("katherine@example.com") == 1  # each reminder once

    assert reminders(event, context)["reminded"] == 0  # a third run the same day sends nothing more
