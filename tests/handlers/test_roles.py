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
    own = {"WorkerFunction": {"WorkQueue"}, "PdfFunction": {"ExportQueue"}}  # no one polls the export dead letters
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
    senders = {"WebFunction", "RemindersFunction", "TrainingReportFunction", "WorkerFunction"}  # worker: issue 24
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


def _calls_in_the_adapters() -> set[tuple[str, str]]:
    """Every boto3 operation the functions' code can call: adapters/ is the only layer that does I/O."""
    import re
    from pathlib import Path

    import boto3

    operations: dict[str, set[tuple[str, str]]] = {}
    for service in ("dynamodb", "sqs", "s3", "ses", "sesv2", "secretsmanager", "cognito-idp", "sns", "lambda"):
        for method, operation in boto3.client(service, region_name="eu-west-1").meta.method_to_api_mapping.items():
            operations.setdefault(method, set()).add((service, operation))
    adapters = Path(__file__).resolve().parents[2] / "service" / "adapters"
    # Not run by a function: the directory sync and the operator's bulk tools (CLI, the operator's credentials),
    # the table's creation (tests, the local run); and documents.py, whose get_template is Jinja's, not SES's.
    outside = {"user_pool.py", "operator_tools.py", "table_setup.py", "documents.py"}
    found: set[tuple[str, str]] = set()
    for path in adapters.glob("*.py"):
        if path.name not in outside:
            for method in re.findall(r"\.([a-z][a-z0-9_]+)\(", path.read_text(encoding="utf-8")):
                found |= operations.get(method, set())
    return found


def test_every_call_the_functions_can_make_is_taught_and_some_role_allows_it(roles):
    table, bucket = roles.table_name, roles.bucket()
    key = {"Bucket": bucket, "Key": "exports/e/1/a.zip"}
    samples = {
        ("dynamodb", "GetItem"): {"TableName": table},
        ("dynamodb", "Query"): {"TableName": table, "IndexName": "gsi1"},
        ("dynamodb", "BatchGetItem"): {"RequestItems": {table: {}}},
        ("dynamodb", "TransactWriteItems"): {"TransactItems": [{"Put": {"TableName": table}}]},
        ("s3", "CreateMultipartUpload"): key,
        ("s3", "UploadPart"): key,
        ("s3", "CompleteMultipartUpload"): key,
        ("s3", "AbortMultipartUpload"): key,
        ("s3", "HeadObject"): key,
        ("s3", "GetObject"): key,
        ("s3", "PutObject"): {"Bucket": bucket, "Key": "summaries/0a1b.pdf"},  # a kept summary (issue 24, point 4)
        ("ses", "SendEmail"): {"Source": MAIL_FROM, "ConfigurationSetName": roles.names["MailConfigurationSet"]},
        ("ses", "SendRawEmail"): {
            "Source": MAIL_FROM,
            "ConfigurationSetName": roles.names["MailConfigurationSet"],
        },  # ICS (issue 28)
        ("sqs", "SendMessageBatch"): {"QueueUrl": roles.queue_url("WorkQueue")},
        ("sqs", "ChangeMessageVisibility"): {"QueueUrl": roles.queue_url("ExportQueue"), "ReceiptHandle": "r"},
        ("secretsmanager", "GetSecretValue"): {"SecretId": "reviews-smoke/web-session"},
        ("secretsmanager", "PutSecretValue"): {"SecretId": roles.names["NotificationSecret"]},  # issue 28
    }
    found = _calls_in_the_adapters()
    found.discard(("sesv2", "SendEmail"))  # the mailer's send_email is SES v1's (same IAM action)
    assert found <= set(samples), f"teach tests/handlers/deployed.py about {sorted(found - set(samples))}"
    for (service, operation), params in samples.items():
        needs = requirements(service, operation, params)
        assert any(all(roles.allowed(f, n) for n in needs) for f in functions(roles.template)), (service, operation)


def test_the_pdf_function_may_fan_out_an_export_and_read_its_pieces_and_nothing_more(roles):
    # Issue 24: it queues chunks and the assembly on its own queue, reads the chunks' pieces back, and that is all.
    bucket = roles.bucket()
    piece = {"Bucket": bucket, "Key": "exports/e/chunks/000001-x.zippart"}

    def may(service, operation, params):
        return all(roles.allowed("PdfFunction", n) for n in requirements(service, operation, params))

    assert may("sqs", "SendMessageBatch", {"QueueUrl": roles.queue_url("ExportQueue")})
    retry = {"QueueUrl": roles.queue_url("ExportQueue"), "ReceiptHandle": "r"}
    assert may("sqs", "ChangeMessageVisibility", retry)  # a failed chunk comes back in 30 s, not 90 minutes
    assert may("s3", "GetObject", piece) and may("s3", "UploadPart", piece)
    assert not may("sqs", "SendMessageBatch", {"QueueUrl": roles.queue_url("WorkQueue")})
    assert not may("sqs", "SendMessageBatch", {"QueueUrl": roles.queue_url("ExportDeadLetterQueue")})
    assert not may("s3", "GetObject", {"Bucket": bucket, "Key": "other/thing"})
    assert not may("s3", "DeleteObject", piece)
