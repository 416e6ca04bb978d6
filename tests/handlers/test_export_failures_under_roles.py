"""Issue 24: no trigger polls the export dead-letter queue, so PdfFunction's own last attempt fails the job, and a
job whose attempts all died without saying so (a timeout, a crash) reads as failed once it has made no progress for
longer than the queue retries a message; each under the deployed roles (template.yaml), pages read by the web
function. The clock is moved by moving the functions' `Clock` (the web and PDF functions read the real time)."""

from __future__ import annotations

import json
import sys
from datetime import timedelta

import pytest

from service.adapters.clock import Clock
from service.adapters.export_settings import load_export_settings
from service.adapters.unit_of_work import UnitOfWork
from service.domain.exports import ExportState
from tests import factories as f
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import REGION, deployed, start
from tests.handlers.test_every_function_starts import deliver_all
from tests.handlers.test_journeys_under_roles import sign_in


@pytest.fixture
def stack(monkeypatch, clock):
    """The stack on moto: each function runs with its template environment and role."""
    with deployed(monkeypatch, clock) as made:
        yield made


@pytest.fixture
def later(monkeypatch):
    """Move the functions' clock on: `later(seconds)` (the real time plus that)."""
    real = Clock.now
    moved = {"by": 0.0}
    monkeypatch.setattr(Clock, "now", lambda self: real(self) + timedelta(seconds=moved["by"]))
    return lambda seconds: moved.update(by=seconds)


def receive(stack, queue: str = "ExportQueue") -> dict:
    """The next message of a queue as Lambda's SQS event source hands it over: its receive count included."""
    got = stack.sqs.receive_message(
        QueueUrl=stack.queue_url(queue), MaxNumberOfMessages=1, AttributeNames=["ApproximateReceiveCount"]
    ).get("Messages", [])
    records = [
        {
            "messageId": m["MessageId"],
            "receiptHandle": m["ReceiptHandle"],
            "body": m["Body"],
            "attributes": m["Attributes"],
            "eventSource": "aws:sqs",
            "eventSourceARN": stack.queue_arn(queue),
            "awsRegion": REGION,
        }
        for m in got
    ]
    return {"Records": records}


def requested(stack, monkeypatch, http_event, clock):
    """A launched cycle, HR signed in on the web function, an export of it asked for on the page, its plan run by
    PdfFunction (one chunk queued, not run yet); (web browser, pdf handler, job id, cycle)."""
    cycle = f.launched_cycle(stack.table, clock)
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    asked = hr.post("/hr/exports", [("cycle_id", cycle.cycle_id), ("department", "People")], token_from="/hr/exports")
    assert "The export is under way" in asked["body"]
    pdf = start(stack, "PdfFunction", monkeypatch)
    plan = receive(stack)
    assert pdf(plan, LambdaContext()) == {"batchItemFailures": []}
    stack.sqs.delete_message(QueueUrl=stack.queue_url("ExportQueue"), ReceiptHandle=plan["Records"][0]["receiptHandle"])
    (job,) = UnitOfWork(stack.table).exports.recent()
    assert job.state is ExportState.RUNNING and job.chunks == 1
    return hr, pdf, job.export_id, cycle


def stored(stack, export_id: str):
    return UnitOfWork(stack.table).exports.get(export_id, consistent=True)


def test_the_last_attempt_of_a_failing_chunk_fails_its_job_and_the_message_still_reaches_the_dead_letters(
    stack, monkeypatch, http_event, clock
):
    hr, pdf, export_id, _cycle = requested(stack, monkeypatch, http_event, clock)
    handler_module = sys.modules["service.handlers.pdf"]
    monkeypatch.setattr(handler_module, "RETRY_SECONDS", 0)  # handed out again at once
    exports = sys.modules["service.services.exports"]
    monkeypatch.setattr(exports, "_make_piece", lambda *a: (_ for _ in ()).throw(RuntimeError("out of memory")))
    for attempt in ("1", "2", "3"):
        event = receive(stack)
        assert event["Records"][0]["attributes"]["ApproximateReceiveCount"] == attempt
        assert pdf(event, LambdaContext())["batchItemFailures"]  # reported failed every time
        job = stored(stack, export_id)
        assert job.state is (ExportState.FAILED if attempt == "3" else ExportState.RUNNING)
    assert "every attempt" in job.error and job.chunk_retries == 3
    assert receive(stack)["Records"] == []  # SQS moved it on: to the dead letters, which nothing polls
    dead = stack.sqs.receive_message(QueueUrl=stack.queue_url("ExportDeadLetterQueue"))["Messages"]
    assert [json.loads(m["Body"])["kind"] for m in dead] == ["export_chunk"]

    page = hr.get(f"/hr/exports/{export_id}")["body"]
    assert "The export failed." in page and "Retry the export" in page and 'http-equiv="refresh"' not in page
    monkeypatch.undo()  # the chunk renders again
    retried = hr.post(f"/hr/exports/{export_id}/retry", [("version", str(job.version))], f"/hr/exports/{export_id}")
    assert "The export is queued again" in retried["body"]


def test_a_job_whose_attempts_all_died_silently_reads_as_failed_once_the_queue_gave_up_and_is_retried(
    stack, monkeypatch, http_event, clock, later
):
    hr, pdf, export_id, _cycle = requested(stack, monkeypatch, http_event, clock)
    give_up = load_export_settings(stack.environment("WebFunction")).give_up_seconds
    assert give_up == 5400 * 3 + 900  # the template's queue: 3 deliveries 90 minutes apart, and one timeout more
    # The chunk's message is never run to the end (each attempt timed out): nothing is written.
    later(give_up - 60)
    page = hr.get(f"/hr/exports/{export_id}")["body"]
    assert "Running" in page and "Retry the export" not in page
    later(give_up + 60)
    page = hr.get(f"/hr/exports/{export_id}")["body"]
    assert "The export failed." in page and "stopped making progress" in page and "Retry the export" in page
    assert 'http-equiv="refresh"' not in page  # nothing left to follow
    listed = hr.get("/hr/exports")["body"]
    assert "Failed" in listed
    api = hr.handler(http_event("GET", f"/api/exports/{export_id}", claims={"custom:employee_id": "E2"}), None)
    answer = json.loads(api["body"])
    assert (answer["state"], answer["percent"]) == ("failed", 0) and "stopped making progress" in answer["error"]
    assert stored(stack, export_id).state is ExportState.RUNNING  # decided when read: nothing was written

    version = stored(stack, export_id).version
    retried = hr.post(f"/hr/exports/{export_id}/retry", [("version", str(version))], f"/hr/exports/{export_id}")
    assert "The export is queued again" in retried["body"]
    deliver_all(stack, "ExportQueue", pdf)  # the retried plan, the chunk (the dead attempt's message too), the ZIP
    done = stored(stack, export_id)
    assert done.state is ExportState.DONE and done.done == done.total > 0


def test_a_late_chunk_cannot_bring_back_a_job_that_read_as_failed(stack, monkeypatch, http_event, clock, later):
    hr, pdf, export_id, _cycle = requested(stack, monkeypatch, http_event, clock)
    give_up = load_export_settings(stack.environment("WebFunction")).give_up_seconds
    exports = sys.modules["service.services.exports"]
    made = exports._make_piece

    def slow(*args):  # the chunk began in time and finished after the job read as failed
        piece = made(*args)
        later(give_up + 60)
        return piece

    monkeypatch.setattr(exports, "_make_piece", slow)
    assert deliver_all(stack, "ExportQueue", pdf) == 1
    job = stored(stack, export_id)
    assert job.state is ExportState.FAILED and "stopped making progress" in job.error  # written now, for good
    assert (job.chunks_done, job.done) == (0, 0)  # the late chunk counted nothing
    assert UnitOfWork(stack.table).exports.chunk(export_id, 0)["state"] == "pending"
    page = hr.get(f"/hr/exports/{export_id}")["body"]
    assert "The export failed." in page and "Retry the export" in page

    monkeypatch.setattr(exports, "_make_piece", made)
    retried = hr.post(f"/hr/exports/{export_id}/retry", [("version", str(job.version))], f"/hr/exports/{export_id}")
    assert "The export is queued again" in retried["body"]
    assert deliver_all(stack, "ExportQueue", pdf) == 3  # the plan queues the chunk not made, it the assembly
    done = stored(stack, export_id)
    assert done.state is ExportState.DONE and done.done == done.total > 0
