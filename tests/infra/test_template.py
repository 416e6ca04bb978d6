"""template.yaml: it lints, transforms, names importable handlers, matches the code's keys, grants
little, and cannot switch the local sign-in on in a deployed stack."""

from __future__ import annotations

import importlib
import json
import sys
from typing import Any

import pytest
from flask import session

from service.adapters import keys
from service.adapters.store import INDEXES, MemoryTable
from service.adapters.table_setup import TEMPLATE, load_template
from service.adapters.unit_of_work import UnitOfWork
from service.config import ConfigError, Settings, load_settings
from tests.conftest import ORG_CSV
from tests.infra.conftest import sam_functions

SECRET = "deployed-secret-key-" + "s" * 24
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "review-cycles-web",
    "AUTH_MODE": "jwt",
    "SECRET_KEY": SECRET,
    "TABLE_NAME": "reviews-infra-test",
}
HANDLERS = sorted({f["Properties"]["Handler"] for f in sam_functions(load_template(TEMPLATE)).values()})


def of_type(resources: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    """Resources of one CloudFormation type, by logical id."""
    return {k: r for k, r in resources.items() if r["Type"] == kind}


def role_of(resources: dict[str, Any], function_id: str) -> dict[str, Any]:
    """The IAM role resource a transformed function runs as."""
    role = resources[function_id]["Properties"]["Role"]
    return resources[role["Fn::GetAtt"][0]]


def statements(role: dict[str, Any]) -> list[dict[str, Any]]:
    """The inline policy statements of a role."""
    found = []
    for policy in role["Properties"].get("Policies", []):
        body = policy["PolicyDocument"]["Statement"]
        found.extend(body if isinstance(body, list) else [body])
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the template is valid -------------------------------------------------------------------


def test_cfn_lint_finds_nothing():
    from cfnlint.api import lint_file

    matches = lint_file(TEMPLATE)
    assert [str(m) for m in matches] == []


# --- what SAM makes of it --------------------------------------------------------------------


def test_http_api_authorizes_with_a_cognito_jwt(resources):
    (api,) = of_type(resources, "AWS::ApiGatewayV2::Api").values()
    schemes = api["Properties"]["Body"]["components"]["securitySchemes"]
    authorizers = {n: s["x-amazon-apigateway-authorizer"] for n, s in schemes.items()}
    jwt = {n: a for n, a in authorizers.items() if a["type"] == "jwt"}
    assert len(jwt) == 1
    ((name, authorizer),) = jwt.items()
    assert authorizer["identitySource"] == "$request.header.Authorization"
    assert "cognito-idp" in authorizer["jwtConfiguration"]["issuer"]["Fn::Sub"][0]
    assert authorizer["jwtConfiguration"]["audience"] == [{"Ref": "ApiClient"}]
    security = {
        path: [next(iter(s)) for op in ops.values() for s in op["security"]]
        for path, ops in api["Properties"]["Body"]["paths"].items()
    }
    # The JSON API needs the JWT; pages, sign-in and static files are reached without one (the app signs
    # browsers in through the hosted UI and a session cookie), like the liveness probe and the API's description.
    # The summary PDFs go to PdfFunction: the page like every page, the API route behind the JWT.
    assert security == {
        "/healthz": ["NONE"],
        "/": ["NONE"],
        "/{proxy+}": ["NONE"],
        "/api/{proxy+}": [name],
        "/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf": ["NONE"],
        "/api/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf": [name],
        "/reports/training.pdf": ["NONE"],  # issue 10: the training-need report as PDF, also PdfFunction's
        "/api/reports/training.pdf": [name],
        "/calibration/{session_id}/report.pdf": ["NONE"],  # issue 23: calibration's reports, PdfFunction's
        "/api/calibration-sessions/{session_id}/report.pdf": [name],
        "/cycles/{cycle_id}/ratings.pdf": ["NONE"],
        "/api/cycles/{cycle_id}/rating-report.pdf": [name],
        "/learning/record.pdf": ["NONE"],  # issue 27: the learning record, PdfFunction's
        "/api/learning/record.pdf": [name],
        "/api/openapi.json": ["NONE"],
    }


def test_http_api_is_served_on_the_default_stage(resources, transformed):
    # A named stage ("prod") is prefixed to rawPath in payload 2.0, and apig-wsgi passes rawPath
    # through as PATH_INFO: every Flask route (and the root-relative links and the __Host- cookie,
    # which must have Path=/) would miss. The $default stage is served at the root of the URL.
    stages = of_type(resources, "AWS::ApiGatewayV2::Stage").values()
    assert [s["Properties"]["StageName"] for s in stages] == ["$default"]
    assert "${Stage}" not in transformed["Outputs"]["ApiUrl"]["Value"]["Fn::Sub"]


def test_web_function_is_python_313_with_the_named_handler(resources):
    function = resources["WebFunction"]
    assert function["Type"] == "AWS::Lambda::Function"
    assert function["Properties"]["Runtime"] == "python3.13"
    assert function["Properties"]["Handler"] == "service.handlers.web.lambda_handler"


def test_table_is_on_demand_recoverable_encrypted_and_kept(resources):
    table = resources["Table"]
    props = table["Properties"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["DeletionProtectionEnabled"] is True
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"


def test_parameters_and_outputs_exist(transformed):
    expected = {"Stage", "ExistingUserPoolId", "MailFrom", "AlarmEmail", "LogRetentionDays"}
    assert expected <= set(transformed["Parameters"])
    assert not [n for n in transformed["Parameters"] if "secret" in n.lower()]  # the template makes the key
    assert {"ApiUrl", "AppUrl", "TableName", "UserPoolId", "ApiClientId"} <= set(transformed["Outputs"])
    assert transformed["Outputs"]["TableName"]["Value"] == {"Ref": "Table"}


# --- handlers ------------------------------------------------------------------------------


@pytest.mark.parametrize("handler", HANDLERS)
def test_every_named_handler_imports_and_is_callable(handler, monkeypatch):
    module_name, _, attr = handler.rpartition(".")
    for name, value in LAMBDA_ENV.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, module_name, raising=False)  # built fresh from this env
    module = importlib.import_module(module_name)
    assert callable(getattr(module, attr))


# --- the table matches the keys the code builds -------------------------------------------------


def key_schema(schema: list[dict[str, str]]) -> tuple[str, str]:
    """(hash attribute, range attribute) of a KeySchema."""
    by_type = {k["KeyType"]: k["AttributeName"] for k in schema}
    return by_type["HASH"], by_type["RANGE"]


def test_primary_key_is_what_keys_builds(template):
    props = template["Resources"]["Table"]["Properties"]
    assert key_schema(props["KeySchema"]) == tuple(keys.employee("E1"))
    assert tuple(keys.org_import("2026-01-01T00:00:00.000Z", "i1")) == ("pk", "sk")


def test_indexes_are_what_keys_builds(template):
    gsis = {g["IndexName"]: g for g in template["Resources"]["Table"]["Properties"]["GlobalSecondaryIndexes"]}
    assert set(gsis) == set(INDEXES)
    for name, attributes in INDEXES.items():
        assert key_schema(gsis[name]["KeySchema"]) == attributes
        assert gsis[name]["Projection"]["ProjectionType"] == "ALL"
    assert set(keys.employee_gsi1("E1", "E2")) == set(INDEXES["gsi1"])
    assert set(keys.employee_gsi1(None, "E1")) == set(INDEXES["gsi1"])
    assert set(keys.employee_gsi2("Engineering", "Alan", "E3")) == set(INDEXES["gsi2"])
    assert keys.reports_index("E1")[0] in gsis
    assert keys.department_index("Engineering")[0] in gsis


def test_attribute_definitions_are_the_key_attributes_as_strings(template):
    props = template["Resources"]["Table"]["Properties"]
    declared = {a["AttributeName"]: a["AttributeType"] for a in props["AttributeDefinitions"]}
    used = {"pk", "sk", *(a for pair in INDEXES.values() for a in pair)}
    assert declared == dict.fromkeys(used, "S")


def test_stored_items_carry_key_attributes_as_strings(template, clock):
    from service.services.directory import import_organisation

    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    declared = {a["AttributeName"] for a in template["Resources"]["Table"]["Properties"]["AttributeDefinitions"]}
    items = table.all_items()
    assert items
    for item in items:
        assert {"pk", "sk"} <= set(item)
        assert all(isinstance(item[a], str) for a in declared if a in item), item
    employees = [i for i in items if i["sk"].startswith("EMP#")]
    employee_keys = {"pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk"}
    assert employees and all(employee_keys <= set(i) for i in employees)


# --- least privilege ----------------------------------------------------------------------------

ALLOWED_MANAGED = {
    "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",  # its own logs
    "arn:aws:iam::aws:policy/AWSXrayWriteOnlyAccess",  # Tracing: Active
}


TABLE_ACTIONS = {
    "dynamodb:GetItem",
    "dynamodb:BatchGetItem",
    "dynamodb:Query",
    "dynamodb:PutItem",
    "dynamodb:UpdateItem",
    "dynamodb:DeleteItem",
    "dynamodb:ConditionCheckItem",
}


def _is_table_arn(resource) -> bool:
    return resource in (
        {"Fn::GetAtt": "Table.Arn"},
        {"Fn::GetAtt": ["Table", "Arn"]},
        {"Fn::Sub": "${Table.Arn}/index/*"},
    )


def _table_statements(role) -> list[dict]:
    return [st for st in statements(role) if any(a.startswith("dynamodb:") for a in as_list(st["Action"]))]


def test_table_access_is_explicit_and_never_scans(resources):
    for name in ("WebFunction", "WorkerFunction", "RemindersFunction", "TrainingReportFunction", "BounceFunction"):
        role = role_of(resources, name)
        # Issue 21: no AWSLambdaSQSQueueExecutionRole (every queue); the SQS triggers poll with SQSPollerPolicy.
        assert set(role["Properties"].get("ManagedPolicyArns", [])) <= ALLOWED_MANAGED
        found = _table_statements(role)
        assert found, name
        for statement in found:
            assert set(as_list(statement["Action"])) <= TABLE_ACTIONS, (name, statement)
            assert all(_is_table_arn(r) for r in as_list(statement["Resource"])), (name, statement)


def test_web_function_may_only_use_the_table_and_send_to_the_queue(resources):
    role = role_of(resources, "WebFunction")
    for statement in statements(role):
        for action in as_list(statement["Action"]):
            assert action in TABLE_ACTIONS or action in (
                "sqs:SendMessage",
                "sqs:GetQueueAttributes",
                "sqs:GetQueueUrl",
                "sqs:SendMessageBatch",
                "sqs:SendMessage*",
                "secretsmanager:GetSecretValue",
                "secretsmanager:PutSecretValue",  # issue 28: HR connects Slack or Teams (its own secret only)
                "ses:SendEmail",  # issue 21: feedback requests, nominations, "Remind now"
                "ses:SendRawEmail",
            ), action
        for resource in as_list(statement["Resource"]):
            assert resource != "*", statement


def test_only_the_mailing_functions_send_email_and_only_from_the_sender(resources):
    for role_name, role in of_type(resources, "AWS::IAM::Role").items():
        text = json.dumps(role)
        assert "AdministratorAccess" not in text and "PowerUserAccess" not in text
        for statement in statements(role):
            for action in as_list(statement["Action"]):
                assert action != "*" and not action.startswith("iam:"), action
                if action.startswith("s3:"):  # only PdfFunction: export ZIPs, their pieces, kept summaries
                    assert role_name.startswith("PdfFunction") and action in PDF_S3_ACTIONS, (role_name, action)
                if action.startswith("ses:"):
                    senders = ("WebFunction", "RemindersFunction", "TrainingReportFunction", "WorkerFunction")
                    assert role_name.startswith(senders) and action in ("ses:SendEmail", "ses:SendRawEmail")
                    assert statement["Condition"]["StringEquals"]["ses:FromAddress"] == {"Ref": "MailFrom"}
                    # the sender's own identity (address or domain) and the configuration set, never identity/*
                    assert "identity/*" not in json.dumps(statement["Resource"]), role_name


def test_reminders_run_daily_and_the_worker_reads_the_queue(template):
    functions = sam_functions(template)
    daily = functions["RemindersFunction"]["Properties"]["Events"]["Daily"]
    assert daily["Type"] == "ScheduleV2" and daily["Properties"]["ScheduleExpression"].startswith("cron(")
    work = template["Resources"]["WorkerQueueTrigger"]["Properties"]  # issue 21: not a SAM SQS event
    assert work["FunctionName"] == {"Ref": "WorkerFunction"} and work["EventSourceArn"]["Fn::GetAtt"] == "WorkQueue.Arn"
    assert "ReportBatchItemFailures" in work["FunctionResponseTypes"]
    queue = template["Resources"]["WorkQueue"]["Properties"]
    assert queue["SqsManagedSseEnabled"] is True and "deadLetterTargetArn" in queue["RedrivePolicy"]


PDF_S3_ACTIONS = (
    "s3:PutObject",
    "s3:AbortMultipartUpload",
    "s3:GetObject",
    "s3:ListBucket",
)  # + kept summaries (issue 24)


# --- the local sign-in cannot be switched on in the deployed stack -------------------------------


def test_auth_mode_is_the_literal_jwt_in_globals(template):
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    assert variables["AUTH_MODE"] == "jwt"


def test_no_function_overrides_auth_mode(template):
    for function in sam_functions(template).values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert "AUTH_MODE" not in variables


def test_every_deployed_function_runs_with_auth_mode_jwt(resources):
    functions = of_type(resources, "AWS::Lambda::Function")
    assert functions
    for function in functions.values():
        assert function["Properties"]["Environment"]["Variables"]["AUTH_MODE"] == "jwt"


def test_no_parameter_can_reach_auth_mode(template):
    assert not [n for n in template["Parameters"] if "auth" in n.lower() and "mode" in n.lower()]
    value = template["Globals"]["Function"]["Environment"]["Variables"]["AUTH_MODE"]
    assert isinstance(value, str), "AUTH_MODE must be a literal, not a !Ref / !Sub / !If of a parameter"


def test_settings_refuse_the_local_sign_in_inside_lambda():
    with pytest.raises(ConfigError):
        load_settings({"AWS_LAMBDA_FUNCTION_NAME": "x", "AUTH_MODE": "local", "SECRET_KEY": "y" * 40})


@pytest.fixture
def deployed_app(clock):
    """The web app as the deployed stack builds it, over an in-memory directory."""
    from service.services.directory import import_organisation
    from service.web import create_app

    settings = Settings(auth_mode="jwt", deployed=True, secret_key=SECRET)
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return create_app(settings, table=table, clock=clock)


def test_deployed_app_has_no_sign_in_page(deployed_app):
    client = deployed_app.test_client()
    assert client.get("/signin").status_code == 404
    assert client.post("/signin", data={"employee_id": "E2"}).status_code in (403, 404)


@pytest.mark.parametrize("signing_key", [SECRET, "a-forger-s-guess-" + "g" * 24])
def test_a_session_cookie_naming_an_employee_does_not_authenticate(deployed_app, signing_key):
    # A cookie that did not come from the Cognito sign-in (no sign-in time) is not an identity in jwt mode,
    # even signed with the real key (the strongest forgery); it is dropped.
    forger = deployed_app.session_interface.get_signing_serializer(_app_with_key(signing_key))
    cookie = forger.dumps({"employee_id": "E2", "_permanent": True})
    client = deployed_app.test_client()
    client.set_cookie("__Host-session", cookie, secure=True)
    with client:
        resp = client.get("/api/me", base_url="https://localhost")
        assert session.get("employee_id") is None
    assert resp.status_code == 401
    assert resp.get_json()["code"] == "not_authenticated"


def _app_with_key(key: str):
    from flask import Flask

    app = Flask(__name__)
    app.secret_key = key
    return app
