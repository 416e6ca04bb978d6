"""The worker function over moto, driven by SQS events: each message logged under its id, a failed one
logged with its error and reported back, a message delivered twice creating nothing twice."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from tests import factories as f
from tests.handlers.conftest import fresh_handler, metric_totals, output_lines


class KeptQueue:
    """Keeps the launch's messages, to hand them to the worker as SQS would."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []

    def send_many(self, messages: list[dict[str, Any]]) -> None:
        self.sent.extend(messages)


@pytest.fixture
def worker(template, deployed_table, monkeypatch):
    """The worker function's handler, as template.yaml names it, imported afresh (it builds its own table)."""
    monkeypatch.setenv("AWS_LAMBDA_FUNCTION_NAME", "review-cycles-worker")
    return fresh_handler(template, "WorkerFunction", monkeypatch)


@pytest.fixture
def hooked_worker(worker, deployed_table, monkeypatch):
    """The worker handler over `deployed_table`, whose client the test hooks botocore events on."""
    monkeypatch.setattr(sys.modules["service.handlers.worker"], "_table", lambda: deployed_table)
    return worker


@pytest.fixture
def launch(deployed_table, clock):
    """(cycle id, the launch's batch messages): a cycle over everyone, launched, its reviews not yet created."""
    hr = f.principal(deployed_table, "E2")
    template_id = template_svc.create_template(UnitOfWork(deployed_table), hr, f.template_data(), clock).template_id
    cycle = cycle_svc.create_cycle(UnitOfWork(deployed_table), hr, f.cycle_data(template_id), clock)
    queue = KeptQueue()
    cycle_svc.launch_cycle(UnitOfWork(deployed_table), hr, cycle.cycle_id, cycle.version, clock, queue)  # type: ignore[arg-type]
    return cycle.cycle_id, queue.sent


def sqs_event(*bodies: tuple[str, dict[str, Any]]) -> dict[str, Any]:
    """An SQS event of (message id, body) records, as Lambda's event source mapping sends it."""
    return {
        "Records": [
            {
                "messageId": message_id,
                "receiptHandle": f"AQEB{message_id}",
                "body": json.dumps(body),
                "attributes": {"ApproximateReceiveCount": "1", "SentTimestamp": "1772442000000"},
                "messageAttributes": {},
                "md5OfBody": "0" * 32,
                "eventSource": "aws:sqs",
                "eventSourceARN": "arn:aws:sqs:eu-west-1:123456789012:review-cycles-WorkQueue",
                "awsRegion": "eu-west-1",
            }
            for message_id, body in bodies
        ]
    }


def reviews(table, cycle_id: str) -> list[dict[str, Any]]:
    return list(table.query(f"CYCLE#{cycle_id}", "REVIEW#"))


def stats(table, cycle_id: str) -> dict[str, Any]:
    return table.get({"pk": f"CYCLE#{cycle_id}", "sk": "STATS"})


def test_each_message_is_logged_under_its_message_id(worker, launch, context, capsys):
    _, messages = launch
    assert worker(sqs_event(("m-1", messages[0])), context) == {"batchItemFailures": []}

    logs, metrics = output_lines(capsys.readouterr().out)
    (done,) = [r for r in logs if r["message"] == "message done"]
    assert done["correlation_id"] == done["message_id"] == "m-1"
    assert done["result"] == 6 and done["level"] == "INFO"
    assert metric_totals(metrics) == {"ReviewsCreated": 6}


def test_a_failed_message_is_logged_with_its_id_and_error_then_reported(worker, launch, context, capsys):
    _, messages = launch
    broken = {**messages[0], "cycle_id": "no-such-cycle"}
    event = sqs_event(("m-bad", broken), ("m-good", messages[0]))

    assert worker(event, context) == {"batchItemFailures": [{"itemIdentifier": "m-bad"}]}

    logs, metrics = output_lines(capsys.readouterr().out)
    (failed,) = [r for r in logs if r["level"] == "ERROR"]
    assert failed["correlation_id"] == failed["message_id"] == "m-bad"
    assert failed["message"].startswith("message failed") and "no-such-cycle" in failed["message"]
    assert failed["exception_name"] == "NotFound" and "Traceback" in failed["exception"]
    (done,) = [r for r in logs if r["message"] == "message done"]
    assert done["correlation_id"] == "m-good"  # the next message is tagged with its own id
    assert metric_totals(metrics) == {"ReviewsCreated": 6}


def test_a_message_delivered_twice_creates_each_review_once(worker, launch, deployed_table, context, capsys):
    cycle_id, messages = launch
    event = sqs_event(("m-1", messages[0]))
    assert worker(event, context) == {"batchItemFailures": []}
    first = reviews(deployed_table, cycle_id)

    assert worker(event, context) == {"batchItemFailures": []}  # SQS delivers at least once

    assert reviews(deployed_table, cycle_id) == first and len(first) == 6
    assert stats(deployed_table, cycle_id)["launched"] == 6
    audit = [a for r in first for a in deployed_table.query(f"AUDIT#REVIEW#{cycle_id}#{r['employee_id']}")]
    assert len(audit) == 6
    _, metrics = output_lines(capsys.readouterr().out)
    assert metric_totals(metrics) == {"ReviewsCreated": 6}  # the second delivery made (and counted) nothing


def test_two_deliveries_racing_create_each_review_once(hooked_worker, launch, deployed_table, context):
    """The second copy runs between the first's read and its write: the first's transaction is refused whole."""
    cycle_id, messages = launch
    event = sqs_event(("m-1", messages[0]))
    raced: list[Any] = []

    def run_the_other_copy(**_: Any) -> None:
        if not raced:
            raced.append("running")  # once: the other copy's own read must not start a third
            raced[0] = worker(event, context)

    worker = hooked_worker
    deployed_table.client.meta.events.register("after-call.dynamodb.BatchGetItem", run_the_other_copy)

    assert worker(event, context) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert raced == [{"batchItemFailures": []}]
    assert len(reviews(deployed_table, cycle_id)) == 6 and stats(deployed_table, cycle_id)["launched"] == 6

    assert worker(event, context) == {"batchItemFailures": []}  # SQS delivers the refused copy again
    assert len(reviews(deployed_table, cycle_id)) == 6 and stats(deployed_table, cycle_id)["launched"] == 6


def test_a_throttled_batch_is_retried_whole(hooked_worker, launch, deployed_table, context, capsys):
    cycle_id, messages = launch
    worker = hooked_worker

    def throttle(**_: Any):
        response = AWSResponse("https://dynamodb.eu-west-1.amazonaws.com", 400, {}, None)
        return response, {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}

    events = deployed_table.client.meta.events
    events.register("before-call.dynamodb.TransactWriteItems", throttle, unique_id="throttle")
    event = sqs_event(("m-1", messages[0]))
    assert worker(event, context) == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert reviews(deployed_table, cycle_id) == [] and stats(deployed_table, cycle_id)["launched"] == 0
    logs, _ = output_lines(capsys.readouterr().out)
    (failed,) = [r for r in logs if r["level"] == "ERROR"]
    assert failed["message_id"] == "m-1" and failed["exception_name"] == "Unavailable"

    events.unregister("before-call.dynamodb.TransactWriteItems", unique_id="throttle")
    assert worker(event, context) == {"batchItemFailures": []}
    assert len(reviews(deployed_table, cycle_id)) == 6 and stats(deployed_table, cycle_id)["launched"] == 6
