"""The web function logs JSON lines tagged with API Gateway's request id, and writes its counts as one line."""

from __future__ import annotations

import json

from benchmarks.run import probe
from tests import factories as f
from tests.handlers.conftest import metric_totals, output_lines

CLAIM = "custom:employee_id"


def test_each_request_logs_one_json_line_tagged_with_the_api_request_id(handler, http_event, context, capsys):
    event = http_event("GET", "/api/me", claims={CLAIM: "E2"})
    assert handler(event, context)["statusCode"] == 200

    logs, _ = output_lines(capsys.readouterr().out)
    (line,) = [r for r in logs if r["message"] == "request"]
    assert line["correlation_id"] == event["requestContext"]["requestId"] == "Tz1ZuiYmjoEEJQA="
    assert (line["method"], line["path"], line["status"]) == ("GET", "/api/me", 200)
    assert line["level"] == "INFO" and line["service"] == "review-cycles"
    assert line["function_request_id"] == context.aws_request_id
    assert line["name"] == "service.handlers.web"  # a module's own logger writes through the function's JSON


def test_each_invocation_carries_its_own_request_id(handler, http_event, context, capsys):
    first = http_event("GET", "/healthz")
    second = http_event("GET", "/api/people/E404", claims={CLAIM: "E2"})
    second["requestContext"]["requestId"] = "Uz2AvjZnkpFFKRB="
    handler(first, context)
    assert handler(second, context)["statusCode"] == 404

    logs, _ = output_lines(capsys.readouterr().out)
    assert [(r["correlation_id"], r["status"]) for r in logs if r["message"] == "request"] == [
        ("Tz1ZuiYmjoEEJQA=", 200),
        ("Uz2AvjZnkpFFKRB=", 404),
    ]


def test_a_request_that_counts_nothing_writes_no_metrics(handler, http_event, context, capsys):
    handler(http_event("GET", "/healthz"), context)
    _, metrics = output_lines(capsys.readouterr().out)
    assert metrics == []


def test_a_submitted_self_assessment_is_counted(handler, http_event, context, deployed_table, clock, capsys):
    cycle = f.launched_cycle(deployed_table, clock)
    body = json.dumps({"content": f.self_content(), "submit": True})
    event = http_event(
        "PUT",
        f"/api/cycles/{cycle.cycle_id}/reviews/E4/self",
        claims={CLAIM: "E4"},
        headers={"content-type": "application/json", "if-match": '"1"'},
        body=body,
    )
    assert handler(event, context)["statusCode"] == 200
    _, metrics = output_lines(capsys.readouterr().out)
    assert metric_totals(metrics) == {"SelfAssessmentsSubmitted": 1}


def test_importing_the_web_handler_does_not_load_powertools():
    # Powertools costs ~80 ms to import (and loads botocore): the first invocation pays it, the cold import not.
    assert probe("import service.handlers.web", ("aws_lambda_powertools",))["loaded"]["aws_lambda_powertools"] is False


def test_a_request_line_does_not_repeat_what_the_log_group_says(handler, http_event, context, capsys):
    """Issue 24: log bytes per request; the function's name, ARN and memory are the log group's and REPORT's."""
    handler(http_event("GET", "/api/me", claims={CLAIM: "E2"}), context)
    logs, _ = output_lines(capsys.readouterr().out)
    (line,) = [r for r in logs if r["message"] == "request"]
    assert not {"function_name", "function_arn", "function_memory_size", "location"} & set(line)
    assert len(json.dumps(line)) < 400
