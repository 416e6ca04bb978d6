"""Issue 21: each function's role, as SAM's transform makes it, read against the stack on moto: what Lambda does
with the role (SQS triggers, dead letters, destinations, logs), each function's own queues only, mail only as the
sender, no Scan. The journeys that exercise the roles are in test_journeys_under_roles.py."""

from __future__ import annotations

import pytest

from tests.handlers.deployed import MAIL_FROM, Untaught, deployed, functions, requirements


@pytest.fixture(scope="module")
def roles():
    """One stack for the tests that only read the roles (nothing runs in it)."""
    from datetime import UTC, datetime

    from service.adapters.clock import FixedClock

    with (
        pytest.MonkeyPatch.context() as monkeypatch,
        deployed(monkeypatch, FixedClock(datetime(2026, 3, 2, tzinfo=UTC))) as made,
    ):
        yield made


def test_lambda_can_do_for_each_function_what_its_triggers_need(roles):
    for function in functions(roles.template):
        for source, need in roles.lambda_service_needs(function):
            assert roles.allowed(function, need), (function, source, str(need))


def test_each_function_reads_only_its_own_queues(roles):
    own = {"WorkerFunction": {"WorkQueue"}, "PdfFunction": {"ExportQueue", "ExportDeadLetterQueue"}}
    queues = [k for k, r in roles.template["Resources"].items() if r["Type"] == "AWS::SQS::Queue"]
    for function in functions(roles.template):
        for queue in queues:
            url = roles.queue_url(queue)
            for need in requirements("sqs", "ReceiveMessage", {"QueueUrl": url}) + requirements(
                "sqs", "DeleteMessage", {"QueueUrl": url, "ReceiptHandle": "r"}
            ):
                assert roles.allowed(function, need) == (queue in own.get(function, set())), (function, queue)


def test_no_role_gets_the_managed_sqs_policy_or_sends_mail_as_anyone_else(roles):
    resources = roles.template["Resources"]
    for name, role in resources.items():
        if role["Type"] == "AWS::IAM::Role":
            assert "AWSLambdaSQSQueueExecutionRole" not in str(role["Properties"].get("ManagedPolicyArns")), name
    senders = {"WebFunction", "RemindersFunction", "TrainingReportFunction"}
    for function in functions(roles.template):
        theirs = requirements("ses", "SendEmail", {"Source": "ceo@example.com"})
        config_set = roles.names["MailConfigurationSet"]
        ours = requirements(
            "ses", "SendEmail", {"Source": f"Reviews <{MAIL_FROM}>", "ConfigurationSetName": config_set}
        )
        assert all(roles.allowed(function, n) for n in ours) == (function in senders), function
        assert not any(roles.allowed(function, n) for n in theirs), function


def test_no_function_may_scan_the_table_and_each_index_query_is_placed(roles):
    for function in functions(roles.template):
        (scan,) = requirements("dynamodb", "Scan", {"TableName": roles.table_name})
        assert not roles.allowed(function, scan), function
    (query,) = requirements("dynamodb", "Query", {"TableName": roles.table_name, "IndexName": "gsi1"})
    assert str(query).endswith(f"table/{roles.table_name}/index/gsi1") and roles.allowed("WebFunction", query)
    with pytest.raises(Untaught):
        requirements("sns", "Publish", {"TopicArn": "t", "Message": "m"})  # a call nobody taught it: a failure
