"""Bulk exports on moto, the deployed flow in one process: the job queued on SQS, the PDF function's record
handler run by the local poller (the plan, one message per chunk, the assembly: `drain` polls until the queues
are empty), the ZIP uploaded to S3 in multipart parts, a presigned link, and a job
whose every attempt fails moved by SQS to the dead-letter queue and shown as failed. And the local run's
restart: finished ZIPs kept on disk and uploaded again, unfinished jobs queued again."""

from __future__ import annotations

import io
import json
import os
import threading
import zipfile
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from service.adapters.blobs import MIN_PART
from service.adapters.queue import SqsQueue
from service.adapters.unit_of_work import UnitOfWork
from service.domain.exports import ExportState
from service.local_exports import BUCKET, DEAD_LETTERS, MAX_RECEIVES, ExportPoller, SavedExports, provision, resume
from service.services import exports as svc
from tests import factories as f

PDF_SIZE = 2 * 1024 * 1024


def big_render(summary) -> bytes:
    """A stand-in PDF of 2 MiB that does not compress: six of them make a ZIP of three parts."""
    return b"%PDF " + summary.context["view"].employee_id.encode() + os.urandom(PDF_SIZE)


@pytest.fixture
def stack(seeded, settings, clock):
    """The export queue, dead-letter queue and bucket in moto, a launched cycle, and the poller."""
    from service.adapters.aws import client

    exports = provision(settings)
    cycle = f.launched_cycle(seeded, clock)
    poller = ExportPoller(settings, exports, render=big_render, clock=clock)
    queue = SqsQueue(client("sqs", settings), exports.queue_url)
    return seeded, cycle, poller, queue, client("s3", settings)


def test_an_export_goes_through_sqs_and_lands_in_s3_in_parts(stack, clock):
    table, cycle, poller, queue, s3 = stack
    job, _ = svc.request_export(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, "k", clock, queue)
    assert poller.drain() == 3  # the plan, its one chunk (6 reviews), the assembly
    stored = UnitOfWork(table).exports.get(job.export_id)
    assert stored.state is ExportState.DONE and stored.done == 6 and (stored.chunks, stored.chunks_done) == (1, 1)
    head = s3.head_object(Bucket=BUCKET, Key=stored.object_key)
    assert head["ETag"].strip('"').endswith("-3")  # a multipart object of three parts
    assert head["ContentLength"] == stored.size > 2 * MIN_PART
    assert (
        MIN_PART <= s3.head_object(Bucket=BUCKET, Key=stored.object_key, PartNumber=1)["ContentLength"] < 2 * MIN_PART
    )
    body = s3.get_object(Bucket=BUCKET, Key=stored.object_key)["Body"].read()
    assert len(zipfile.ZipFile(io.BytesIO(body)).namelist()) == 6
    assert poller.poll_once() == 0  # the message was deleted


def test_the_download_link_is_presigned_for_five_minutes_as_an_attachment(stack, clock):
    table, cycle, poller, queue, _s3 = stack
    job, _ = svc.request_export(
        UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, "People", None, clock, queue
    )
    poller.drain()
    link = svc.download_link(UnitOfWork(table), f.principal(table, "E2"), job.export_id, poller.blobs)
    query = parse_qs(urlsplit(link.url).query)
    assert query["X-Amz-Expires"] == ["300"]
    assert query["response-content-disposition"] == [
        'attachment; filename="appraisal-summaries-2026-annual-review-people.zip"'
    ]


def test_a_job_failing_every_attempt_reaches_the_dead_letter_queue_and_shows_failed(stack, clock):
    table, cycle, poller, queue, s3 = stack
    job, _ = svc.request_export(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, None, clock, queue)
    s3.delete_bucket(Bucket=BUCKET)  # every attempt now fails to start its upload
    assert poller.drain() == 1 + MAX_RECEIVES  # the plan, its chunk three times: the third fails the job itself
    failed = UnitOfWork(table).exports.get(job.export_id)
    assert failed.state is ExportState.FAILED and "every attempt" in failed.error
    assert failed.chunk_retries == MAX_RECEIVES and failed.last_retry["tries"] == MAX_RECEIVES
    assert poller.poll_once() == 0  # nothing left in the queue; SQS moved the chunk to the dead letters, unpolled
    dead_letters = poller.sqs.get_queue_url(QueueName=DEAD_LETTERS)["QueueUrl"]
    (dead,) = poller.sqs.receive_message(QueueUrl=dead_letters, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(dead["Body"])["kind"] == "export_chunk"
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    svc.retry_export(UnitOfWork(table), f.principal(table, "E2"), job.export_id, failed.version, clock, queue)
    assert poller.drain() == 3
    assert UnitOfWork(table).exports.get(job.export_id).state is ExportState.DONE


def test_the_pdf_function_reports_only_the_failed_records(stack, clock):
    from service.handlers.pdf import process_records

    table, cycle, poller, queue, _s3 = stack
    job, _ = svc.request_export(
        UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, "People", None, clock, queue
    )
    records = [
        {
            "messageId": "good",
            "body": f'{{"kind": "export_summaries", "export_id": "{job.export_id}", "attempt": 1}}',
        },
        {"messageId": "bad", "body": '{"kind": "export_summaries", "export_id": "no-such-export", "attempt": 1}'},
    ]
    result = process_records(records, table, poller.blobs, poller.exports.max_receives, clock, queue, big_render)
    assert result == {"batchItemFailures": [{"itemIdentifier": "bad"}]}
    assert UnitOfWork(table).exports.get(job.export_id).chunks == 1  # the good plan queued its chunk
    poller.drain()
    assert UnitOfWork(table).exports.get(job.export_id).state is ExportState.DONE


def keeping(poller: ExportPoller, settings, clock, root) -> ExportPoller:
    """A poller like `poller` that keeps the bucket's ZIPs under `root`, as the local run's does."""
    saved = SavedExports(poller.blobs.client, BUCKET, root)
    return ExportPoller(settings, poller.exports, render=big_render, clock=clock, saved=saved)


def drop_bucket(s3) -> None:
    """The bucket and its objects gone, as when moto stops."""
    for item in s3.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        s3.delete_object(Bucket=BUCKET, Key=item["Key"])
    s3.delete_bucket(Bucket=BUCKET)


def test_a_finished_zip_is_kept_on_disk_and_downloadable_again_after_a_restart(stack, settings, clock, tmp_path):
    table, cycle, poller, queue, s3 = stack
    poller = keeping(poller, settings, clock, tmp_path / "exports")
    job, _ = svc.request_export(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, None, clock, queue)
    poller.drain()
    key = UnitOfWork(table).exports.get(job.export_id).object_key
    original = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    kept = tmp_path / "exports" / key
    assert kept.read_bytes() == original
    assert [p for p in (tmp_path / "exports").rglob("*") if p.is_file()] == [kept]  # no temporary file left

    drop_bucket(s3)  # the restart: moto's objects are gone, the bucket is made anew
    exports = provision(settings)
    assert s3.list_objects_v2(Bucket=BUCKET).get("KeyCount") == 0
    restored, requeued = resume(settings, exports, SavedExports(s3, BUCKET, tmp_path / "exports"))
    assert restored == [key] and requeued == []
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == original
    link = svc.download_link(UnitOfWork(table), f.principal(table, "E2"), job.export_id, poller.blobs)
    response = requests.get(link.url, timeout=10)
    assert response.status_code == 200 and response.content == original


def test_a_zip_finished_by_the_last_poll_is_kept_when_the_poller_stops(stack, settings, clock, tmp_path):
    table, cycle, poller, queue, s3 = stack
    job, _ = svc.request_export(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, None, clock, queue)
    poller.drain()  # a poller that keeps nothing: the ZIP is only in the bucket
    assert not (tmp_path / "exports").exists()
    stopped = threading.Event()
    stopped.set()
    keeping(poller, settings, clock, tmp_path / "exports").run(stopped)
    key = UnitOfWork(table).exports.get(job.export_id).object_key
    assert (tmp_path / "exports" / key).read_bytes() == s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()


def test_jobs_left_queued_or_running_are_queued_again_at_start_and_finished(stack, settings, clock, tmp_path):
    table, cycle, poller, queue, s3 = stack
    hr = f.principal(table, "E2")
    done, _ = svc.request_export(UnitOfWork(table), hr, cycle.cycle_id, "People", None, clock, queue)
    poller.drain()
    running, _ = svc.request_export(UnitOfWork(table), hr, cycle.cycle_id, None, None, clock, queue)
    drop_bucket(s3)  # the job started and queued its chunk; then the restart loses that message
    poller.poll_once()
    queued, _ = svc.request_export(UnitOfWork(table), hr, cycle.cycle_id, None, "again", clock, queue)
    provision(settings)  # the restart: a new bucket, and moto's messages are gone
    poller.sqs.purge_queue(QueueUrl=poller.exports.queue_url)
    states = {j.export_id: j.state for j in UnitOfWork(table).exports.recent()}
    assert states[running.export_id] is ExportState.RUNNING and states[queued.export_id] is ExportState.QUEUED
    assert poller.poll_once() == 0

    restored, requeued = resume(settings, poller.exports, SavedExports(s3, BUCKET, tmp_path / "none-yet"))
    assert restored == [] and sorted(requeued) == sorted([running.export_id, queued.export_id])
    assert poller.drain() == 6  # each: its plan (queuing the chunk not made), the chunk, the assembly
    for job in (done, running, queued):
        assert UnitOfWork(table).exports.get(job.export_id).state is ExportState.DONE


def test_a_zip_the_lifecycle_rule_deleted_is_a_conflict_not_a_dead_link(stack, clock):
    from service.domain.errors import Conflict

    table, cycle, poller, queue, s3 = stack
    hr = f.principal(table, "E2")
    job, _ = svc.request_export(UnitOfWork(table), hr, cycle.cycle_id, "People", None, clock, queue)
    poller.drain()
    key = UnitOfWork(table).exports.get(job.export_id).object_key
    assert poller.blobs.exists(key)
    s3.delete_object(Bucket=BUCKET, Key=key)  # two days later
    assert not poller.blobs.exists(key)
    with pytest.raises(Conflict, match="no longer kept"):
        svc.download_link(UnitOfWork(table), hr, job.export_id, poller.blobs)


def test_a_failed_chunk_is_handed_out_again_after_the_short_retry_not_the_queues_timeout(
    stack, settings, clock, monkeypatch
):
    """The export queue's visibility timeout is 5400 s (six times the function's); a failed chunk asks SQS to
    hand it out again after RETRY_SECONDS instead (0 here, so the next receive gets it)."""
    from service.handlers import pdf

    table, cycle, poller, queue, s3 = stack
    svc.request_export(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, None, clock, queue)

    def deliver(render) -> list[dict]:
        got = poller.sqs.receive_message(QueueUrl=poller.exports.queue_url, AttributeNames=["All"])["Messages"]
        records = [{"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"]} for m in got]
        pdf.process_records(records, table, poller.blobs, poller.exports.max_receives, clock, queue, render)
        return got

    sqs = poller.sqs
    sqs.set_queue_attributes(QueueUrl=poller.exports.queue_url, Attributes={"VisibilityTimeout": "5400"})
    deliver(big_render)  # the plan: it queues the chunk
    monkeypatch.setattr(pdf, "RETRY_SECONDS", 0)
    s3.delete_bucket(Bucket=BUCKET)  # the chunk's piece cannot be written
    (first,) = deliver(big_render)
    (again,) = deliver(big_render)  # handed out again at once, not in 90 minutes
    assert again["MessageId"] == first["MessageId"] and again["Attributes"]["ApproximateReceiveCount"] == "2"


def test_on_dynamodb_a_chunk_counts_once_and_a_reopened_one_takes_its_counts_back(stack, clock):
    from service.domain.errors import StaleWrite

    table, cycle, poller, queue, _s3 = stack
    job, _ = svc.request_export(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, None, clock, queue)
    assert poller.poll_once() == 1  # the plan: one chunk of 6
    repo = UnitOfWork(table).exports
    early = repo.chunk(job.export_id, 0)  # what a duplicate delivery read while the chunk was pending
    poller.drain()
    running = repo.get(job.export_id, consistent=True)
    with pytest.raises(StaleWrite):
        repo.finish_chunk(running, early, {"piece_key": "exports/x", "piece_size": 0, "entries": []}, 6, [], "now")
    assert (repo.get(job.export_id, consistent=True).done, repo.get(job.export_id).chunks_done) == (6, 1)
    repo.reopen_chunk(repo.chunk(job.export_id, 0))
    reopened = repo.get(job.export_id, consistent=True)
    assert (reopened.done, reopened.chunks_done, repo.chunk(job.export_id, 0)["state"]) == (0, 0, "pending")


def test_on_dynamodb_a_chunk_of_a_job_that_changed_since_its_worker_read_it_counts_nothing(stack, clock):
    """Issue 24: a late chunk (its job failed or retried meanwhile) is refused by the job's version in the chunk's
    transaction: no count, no progress time, the chunk left to make."""
    from dataclasses import replace

    from service.domain.errors import StaleWrite

    table, cycle, poller, queue, _s3 = stack
    job, _ = svc.request_export(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, None, clock, queue)
    assert poller.poll_once() == 1  # the plan: one chunk of 6, now running
    repo = UnitOfWork(table).exports
    running = repo.get(job.export_id, consistent=True)
    pending = repo.chunk(job.export_id, 0)
    piece = {"piece_key": "exports/x", "piece_size": 0, "entries": []}
    with pytest.raises(StaleWrite):
        repo.finish_chunk(replace(running, version=running.version - 1), pending, piece, 6, [], "late")
    after = repo.get(job.export_id, consistent=True)
    assert (after.done, after.chunks_done, after.chunk_made_at) == (0, 0, "")
    assert repo.chunk(job.export_id, 0)["state"] == "pending"
    repo.finish_chunk(running, pending, piece, 6, [], "2026-03-02T09:00:01.000Z")  # the job as it is: counted
    counted = repo.get(job.export_id, consistent=True)
    assert (counted.done, counted.chunk_made_at, counted.last_progress) == (
        6,
        "2026-03-02T09:00:01.000Z",
        "2026-03-02T09:00:01.000Z",
    )
