"""The web function logs JSON lines tagged with API Gateway's request id, and writes its counts as one line."""

from __future__ import annotations

import json
import logging

import pytest

from service.adapters.logs import log_level
from service.handlers.observability import observed
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


def test_the_first_request_of_a_process_is_marked_cold_and_carries_its_trace(
    handler, http_event, context, capsys, monkeypatch
):
    monkeypatch.setenv("_X_AMZN_TRACE_ID", "Root=1-6753c0de-0123456789abcdef01234567;Parent=53995c3f42cd8ad8;Sampled=1")
    handler(http_event("GET", "/healthz"), context)
    monkeypatch.delenv("_X_AMZN_TRACE_ID")
    handler(http_event("GET", "/healthz"), context)

    logs, _ = output_lines(capsys.readouterr().out)
    first, second = [r for r in logs if r["message"] == "request"]
    assert first["cold_start"] is True and second["cold_start"] is False
    assert first["xray_trace_id"] == "1-6753c0de-0123456789abcdef01234567"
    assert "xray_trace_id" not in second


@pytest.mark.parametrize(
    ("env", "level"),
    [
        ({}, "INFO"),
        ({"LOG_LEVEL": "warning"}, "WARNING"),
        ({"AWS_LAMBDA_LOG_LEVEL": "WARN"}, "WARNING"),  # Lambda's name (LoggingConfig), Python's spelling
        ({"AWS_LAMBDA_LOG_LEVEL": "TRACE"}, "DEBUG"),
        ({"LOG_LEVEL": "LOUD", "AWS_LAMBDA_LOG_LEVEL": "ERROR"}, "ERROR"),  # a typo does not stop the function
        ({"LOG_LEVEL": "LOUD"}, "INFO"),
    ],
)
def test_the_log_level_is_the_one_the_environment_asks_for(env, level):
    assert log_level(env) == level


def test_an_error_line_carries_the_exception_and_is_written_once(context, capsys):
    def failing(event, context):
        try:
            raise KeyError("missing")
        except KeyError:
            logging.getLogger("service.somewhere").exception("could not %s", "go on")
        logging.getLogger("service.somewhere").debug("not at INFO")
        return {}

    observed(failing, lambda event, context: "corr-7")({}, context)
    (line,) = [json.loads(x) for x in capsys.readouterr().out.splitlines()]
    assert (line["level"], line["message"], line["correlation_id"]) == ("ERROR", "could not go on", "corr-7")
    assert line["exception_name"] == "KeyError" and "Traceback" in line["exception"]
    assert line["name"] == "service.somewhere"


def test_a_request_line_does_not_repeat_what_the_log_group_says(handler, http_event, context, capsys):
    """Issue 24: log bytes per request; the function's name, ARN and memory are the log group's and REPORT's."""
    handler(http_event("GET", "/api/me", claims={CLAIM: "E2"}), context)
    logs, _ = output_lines(capsys.readouterr().out)
    (line,) = [r for r in logs if r["message"] == "request"]
    assert not {"function_name", "function_arn", "function_memory_size", "location"} & set(line)
    assert len(json.dumps(line)) < 400


def test_the_first_invocation_freezes_what_the_import_made_once_per_process():
    """gc.freeze on the first invocation: the init phase's objects leave the collector's full passes (once)."""
    import subprocess
    import sys

    code = (
        "import gc\n"
        "from service.handlers.observability import observed\n"
        "first = observed(lambda e, c: gc.get_freeze_count(), lambda e, c: None)\n"
        "before = gc.get_freeze_count()\n"
        "during = first({}, None)\n"
        "made_later = [[i] for i in range(1000)]\n"
        "second = observed(lambda e, c: gc.get_freeze_count(), lambda e, c: None)\n"
        "print(before, during, second({}, None))\n"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    before, during, after_second = map(int, found.stdout.split()[-3:])
    assert before == 0 and during > 1000  # the modules, classes and functions the import made
    assert after_second == during  # a second handler in the process freezes nothing more
