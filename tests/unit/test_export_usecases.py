"""Bulk exports on the in-memory table: the job's life, idempotency, the fan-out in chunks and the streamed ZIP,
partial failures, the last attempt's mark and a silent job read as failed, retries and the download link (the
renderer is a stand-in here; `drain` hands queued messages over one at a time, in order, as SQS would)."""

from __future__ import annotations

import io
import json
import zipfile
from collections import deque
from dataclasses import asdict

import pytest

from service.adapters.blobs import MIN_PART, MemoryBlobStore, PartStream
from service.adapters.queue import InlineQueue, Queue
from service.adapters.store import Delete, MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, PermissionDenied, StaleWrite, Unavailable, ValidationFailed
from service.domain.exports import ExportAction, ExportState, next_export_state
from service.services import exports as svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def fake_render(summary) -> bytes:
    """A stand-in PDF naming the review and its copy."""
    return f"%PDF fake {summary.context['view'].employee_id} {summary.context['copy']}".encode()


@pytest.fixture
def world(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    blobs = MemoryBlobStore()
    sent: list[dict] = []
    queue = InlineQueue(sent.append)  # collects: the test runs the worker itself
    return table, cycle, blobs, sent, queue


def request(world, clock, department=None, key=None, who="E2"):
    table, cycle, _blobs, _sent, queue = world
    job, created = svc.request_export(
        UnitOfWork(table), f.principal(table, who), cycle.cycle_id, department, key, clock, queue
    )
    return asdict(job), created


class Fifo(Queue):
    """The export queue: messages kept in order until `drain` hands them over."""

    def __init__(self) -> None:
        self.waiting: deque[dict] = deque()

    def send_many(self, messages: list[dict]) -> None:
        self.waiting.extend(json.loads(json.dumps(m)) for m in messages)


def drain(world, clock, messages, render=fake_render, blobs=None) -> list[dict]:
    """Run `messages` and every message they queue, in order, until none is left; each one's result."""
    table, _cycle, world_blobs, _sent, _queue = world
    queue = Fifo()
    queue.send_many(messages)
    results = []
    while queue.waiting:
        message = queue.waiting.popleft()
        results.append(asdict(svc.run_export(table, message, clock, blobs or world_blobs, render, queue)))
    return results


def work(world, clock, render=fake_render):
    """Run the requested exports to the end; the results of their assemblies."""
    _table, _cycle, _blobs, sent, _queue = world
    return [r for r in drain(world, clock, sent, render) if "size" in r]


def test_the_transition_table_refuses_what_it_does_not_list():
    assert next_export_state(ExportState.FAILED, ExportAction.RETRY) is ExportState.QUEUED
    with pytest.raises(Conflict):
        next_export_state(ExportState.DONE, ExportAction.START)


def test_hr_requests_an_export_and_it_is_queued(world, clock):
    job, created = request(world, clock)
    assert created and job["state"] == "queued" and job["attempts"] == 1
    table, _c, _b, sent, _q = world
    assert sent == [{"kind": "export_summaries", "export_id": job["export_id"], "attempt": 1}]
    assert UnitOfWork(table).exports.get(job["export_id"]).state is ExportState.QUEUED


def test_only_hr_exports(world, clock):
    with pytest.raises(PermissionDenied):
        request(world, clock, who="E3")


def test_the_same_idempotency_key_answers_with_the_same_job(world, clock):
    first, created = request(world, clock, key="k-1")
    again, created_again = request(world, clock, key="k-1")
    assert created and not created_again and again["export_id"] == first["export_id"]
    assert len(world[3]) == 1  # queued once
    assert len(UnitOfWork(world[0]).exports.recent()) == 1


def test_a_reused_key_for_another_export_is_refused(world, clock):
    request(world, clock, key="k-2")
    with pytest.raises(Conflict):
        request(world, clock, department="Engineering", key="k-2")


def test_an_unknown_department_is_a_field_error(world, clock):
    with pytest.raises(ValidationFailed) as exc:
        request(world, clock, department="Astronomy")
    assert "department" in exc.value.errors


def test_the_worker_zips_every_reviews_hr_copy(world, clock):
    job, _ = request(world, clock)
    (result,) = work(world, clock)
    table, _c, blobs, _s, _q = world
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert stored.state is ExportState.DONE and stored.done == stored.total == 6 and result["failed"] == 0
    archive = zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key]))
    names = archive.namelist()
    assert len(names) == 6 and all(n.endswith("-hr.pdf") for n in names if "grace" not in n)
    assert archive.read(next(n for n in names if "-e4-" in n)) == b"%PDF fake E4 hr"
    assert any(n.endswith("-employee.pdf") for n in names if "grace-hopper" in n)  # HR's own review: her copy


def test_a_department_export_holds_only_that_department(world, clock):
    job, _ = request(world, clock, department="Engineering")
    work(world, clock)
    table, _c, blobs, _s, _q = world
    stored = UnitOfWork(table).exports.get(job["export_id"])
    names = zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key])).namelist()
    assert stored.total == 3 and sorted(n.split("-")[-2] for n in names) == ["e3", "e4", "e5"]
    assert stored.filename == "appraisal-summaries-2026-annual-review-engineering.zip"


def test_a_review_that_cannot_be_rendered_is_listed_and_the_rest_exported(world, clock, caplog):
    def flaky(summary):
        if summary.context["view"].employee_id == "E5":
            raise RuntimeError("object of type 'NoneType' has no len()")
        if summary.context["view"].employee_id == "E6":
            raise Unavailable("the PDF function is busy")
        return fake_render(summary)

    job, _ = request(world, clock)
    work(world, clock, flaky)
    table, _c, blobs, _s, _q = world
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert stored.state is ExportState.DONE and stored.done == 4
    internal = f"an error in the service stopped this summary (logged with export {stored.export_id})"
    assert stored.failures == [  # HR reads sentences; Python's own words stay in the log
        {"employee_id": "E5", "employee_name": "Edsger Dijkstra", "reason": internal},
        {"employee_id": "E6", "employee_name": "Barbara Liskov", "reason": "the PDF function is busy"},
    ]
    assert "NoneType" in caplog.text and stored.export_id in caplog.text
    archive = zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key]))
    assert f"E5\tEdsger Dijkstra\t{internal}" in archive.read("FAILED.txt").decode()


def test_a_failure_outside_one_review_fails_the_message_and_leaves_no_object(world, clock):
    class Broken(MemoryBlobStore):
        def start_upload(self, key, content_type):
            upload = super().start_upload(key, content_type)
            upload.complete = lambda: (_ for _ in ()).throw(OSError("bucket gone"))
            return upload

    job, _ = request(world, clock)
    table, _c, _b, sent, _q = world
    broken = Broken()
    with pytest.raises(OSError):
        drain(world, clock, [sent[0]], blobs=broken)
    assert broken.objects == {} and broken.aborted
    assert UnitOfWork(table).exports.get(job["export_id"]).state is ExportState.RUNNING  # SQS delivers it again


def test_a_dead_lettered_message_marks_the_job_failed_and_hr_retries_it(world, clock):
    job, _ = request(world, clock)
    table, _c, _blobs, sent, queue = world
    assert asdict(svc.mark_failed(table, sent[0], "the export failed on every attempt", clock))["changed"] is True
    failed = UnitOfWork(table).exports.get(job["export_id"])
    assert failed.state is ExportState.FAILED and "every attempt" in failed.error
    hr = f.principal(table, "E2")
    again = asdict(svc.retry_export(UnitOfWork(table), hr, job["export_id"], failed.version, clock, queue))
    assert again["state"] == "queued" and again["attempts"] == 2
    # The old message, delivered late, changes nothing; the new one makes the ZIP.
    assert drain(world, clock, [sent[0]]) == [{"export_id": job["export_id"], "skipped": True}]
    drain(world, clock, [sent[1]])
    assert UnitOfWork(table).exports.get(job["export_id"]).state is ExportState.DONE


def test_a_retry_needs_the_version_read_and_a_failed_job(world, clock):
    job, _ = request(world, clock)
    table, _c, _b, _s, queue = world
    hr = f.principal(table, "E2")
    with pytest.raises(Conflict):
        svc.retry_export(UnitOfWork(table), hr, job["export_id"], job["version"], clock, queue)  # queued
    with pytest.raises(StaleWrite):
        svc.retry_export(UnitOfWork(table), hr, job["export_id"], job["version"] + 5, clock, queue)


def test_the_download_link_is_minted_for_a_finished_export_only(world, clock):
    job, _ = request(world, clock)
    table, _c, blobs, _s, _q = world
    hr = f.principal(table, "E2")
    with pytest.raises(Conflict):
        svc.download_link(UnitOfWork(table), hr, job["export_id"], blobs)
    work(world, clock)
    link = asdict(svc.download_link(UnitOfWork(table), hr, job["export_id"], blobs))
    assert link["expires_in"] == 300 and "expires=300" in link["url"]
    assert link["filename"] == "appraisal-summaries-2026-annual-review.zip"


def test_only_queued_and_running_jobs_are_queued_again_after_a_restart(world, clock):
    table, _c, _blobs, sent, _q = world
    done, _ = request(world, clock, key="done")
    drain(world, clock, [sent[0]])
    failed, _ = request(world, clock, key="failed")
    svc.mark_failed(table, sent[1], "the export failed on every attempt", clock)
    running, _ = request(world, clock, key="running")
    queued, _ = request(world, clock, key="queued")
    stopped = MemoryBlobStore()
    stopped.start_upload = lambda key, content_type: (_ for _ in ()).throw(OSError("the run stopped"))
    with pytest.raises(OSError):
        drain(world, clock, [sent[2]], blobs=stopped)  # started, then its messages were lost
    lost = InlineQueue(lambda m: None)  # the restarted run's new queue
    resumed = svc.resume_unfinished(UnitOfWork(table), lost)
    assert sorted(resumed) == sorted([running["export_id"], queued["export_id"]])
    assert sorted(m["export_id"] for m in lost.sent) == sorted(resumed)
    drain(world, clock, lost.sent)
    states = {j.export_id: j.state for j in UnitOfWork(table).exports.recent()}
    assert states == {
        done["export_id"]: ExportState.DONE,
        failed["export_id"]: ExportState.FAILED,
        running["export_id"]: ExportState.DONE,
        queued["export_id"]: ExportState.DONE,
    }


def test_the_part_stream_uploads_full_parts_and_holds_at_most_one():
    blobs = MemoryBlobStore()
    stream = PartStream(blobs.start_upload("k", "application/zip"))
    chunk = b"x" * (1024 * 1024)
    for _ in range(12):
        stream.write(chunk)
    assert stream.finish() == 12 * len(chunk)
    assert blobs.part_sizes == [MIN_PART, MIN_PART, 2 * len(chunk)]
    assert stream.peak_buffer <= MIN_PART
    assert blobs.objects["k"] == chunk * 12


def test_a_person_has_at_most_three_unfinished_exports_and_the_fourth_stores_nothing(world, clock):
    table, _c, _b, sent, _q = world
    for n in range(svc.MAX_UNFINISHED_PER_PERSON):
        request(world, clock, key=f"k-{n}")
    before = (table.all_items(), list(sent))
    with pytest.raises(Conflict, match="already have 3 exports waiting or being made"):
        request(world, clock, key="k-4")
    assert (table.all_items(), sent) == before  # no job, no Idempotency-Key claimed, nothing queued
    drain(world, clock, [sent[0]], blobs=MemoryBlobStore())  # one is done: room for the next
    job, created = request(world, clock, key="k-4")
    assert created and job["state"] == "queued"


def test_retrying_a_failed_export_counts_against_the_limit(world, clock):
    table, _c, _b, sent, queue = world
    failed, _ = request(world, clock)
    svc.mark_failed(table, sent[0], "the export failed on every attempt", clock)
    for n in range(svc.MAX_UNFINISHED_PER_PERSON):
        request(world, clock, key=f"k-{n}")
    stored = UnitOfWork(table).exports.get(failed["export_id"])
    with pytest.raises(Conflict, match="at most 3 at once"):
        svc.retry_export(UnitOfWork(table), f.principal(table, "E2"), failed["export_id"], stored.version, clock, queue)
    assert UnitOfWork(table).exports.get(failed["export_id"]).state is ExportState.FAILED


def _slots(table) -> list:
    """The slot items of E2's limit (what the table holds)."""
    return [i for i in table.all_items() if i.get("type") == "export_slot" and "E2" in i["pk"]]


def test_a_failed_export_frees_its_slot_for_the_next_request(world, clock):
    table, _c, _b, sent, _q = world
    for n in range(svc.MAX_UNFINISHED_PER_PERSON):
        request(world, clock, key=f"k-{n}")
    assert len(_slots(table)) == svc.MAX_UNFINISHED_PER_PERSON
    svc.mark_failed(table, sent[1], "the export failed on every attempt", clock)
    assert {s["export_id"] for s in _slots(table)} == {sent[0]["export_id"], sent[2]["export_id"]}
    job, created = request(world, clock, key="k-next")
    assert created and job["export_id"] in {s["export_id"] for s in _slots(table)}


def test_a_finished_export_frees_its_slot(world, clock):
    table, _c, _blobs, sent, _q = world
    job, _ = request(world, clock)
    assert [s["export_id"] for s in _slots(table)] == [job["export_id"]]
    drain(world, clock, [sent[0]])
    assert _slots(table) == []


def test_an_export_the_queue_could_not_take_frees_its_slot(world, clock):
    table, cycle, _b, _s, _q = world

    def refuse(message):
        raise Unavailable("the queue is down")

    with pytest.raises(Unavailable):
        svc.request_export(
            UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, None, None, clock, InlineQueue(refuse)
        )
    (job,) = UnitOfWork(table).exports.recent()
    assert job.state is ExportState.FAILED and _slots(table) == []


def test_a_retried_export_takes_a_slot_again_and_frees_it_when_it_fails_again(world, clock):
    table, _c, _b, sent, queue = world
    job, _ = request(world, clock)
    svc.mark_failed(table, sent[0], "the export failed on every attempt", clock)
    assert _slots(table) == []
    stored = UnitOfWork(table).exports.get(job["export_id"])
    svc.retry_export(UnitOfWork(table), f.principal(table, "E2"), job["export_id"], stored.version, clock, queue)
    assert [s["export_id"] for s in _slots(table)] == [job["export_id"]]
    svc.mark_failed(table, sent[1], "the export failed on every attempt", clock)
    assert _slots(table) == []


def test_a_slot_whose_job_ended_without_freeing_it_or_vanished_is_taken_back(world, clock):
    from service.adapters import keys

    table, _c, _b, sent, _q = world
    jobs = [request(world, clock, key=f"k-{n}")[0] for n in range(svc.MAX_UNFINISHED_PER_PERSON)]
    held = {s["sk"]: s for s in _slots(table)}
    svc.mark_failed(table, sent[0], "the export failed on every attempt", clock)  # frees slot 0 ...
    table.load([held["SLOT#0"]])  # ... which stays held as if the release had been lost
    gone = keys.export_job(jobs[1]["export_id"])
    table.transact([Delete(gone)])  # a job that vanished still holds slot 1
    first, _ = request(world, clock, key="k-a")
    second, _ = request(world, clock, key="k-b")
    by_slot = {s["sk"]: s["export_id"] for s in _slots(table)}
    assert by_slot == {"SLOT#0": first["export_id"], "SLOT#1": second["export_id"], "SLOT#2": jobs[2]["export_id"]}
    with pytest.raises(Conflict, match="already have 3 exports waiting or being made"):
        request(world, clock, key="k-c")


# --- issue 24: the fan-out in chunks, each retried alone, counted once, assembled into one ZIP ----------


@pytest.fixture
def small_chunks(monkeypatch):
    """Chunks of 2 summaries: the 6 reviews make 3 chunks."""
    monkeypatch.setattr(svc, "CHUNK_SIZE", 2)


class Sqs(Fifo):
    """The export queue as SQS treats a failed message: made visible again (at the back here) and handed over
    again, up to `receives` times, then moved to the dead-letter list."""

    def __init__(self, receives: int = 3, duplicate: bool = False) -> None:
        super().__init__()
        self.receives, self.duplicate = receives, duplicate
        self.dead: list[dict] = []

    def send_many(self, messages: list[dict]) -> None:
        super().send_many(messages * (2 if self.duplicate else 1))  # at-least-once: every message twice

    def run(self, world, clock, render=fake_render, blobs=None) -> list[dict]:
        table, _cycle, world_blobs, _sent, _queue = world
        results, tries = [], {}
        while self.waiting:
            message = self.waiting.popleft()
            seen = json.dumps(message, sort_keys=True)
            try:
                results.append(asdict(svc.run_export(table, message, clock, blobs or world_blobs, render, self)))
            except OSError:
                tries[seen] = tries.get(seen, 0) + 1
                (self.dead if tries[seen] >= self.receives else self.waiting).append(message)
        return results


def _pieces(blobs) -> list[str]:
    return sorted(k for k in blobs.objects if k.endswith(svc.PIECE_SUFFIX))


def _chunk_items(table, export_id) -> list[dict]:
    return list(UnitOfWork(table).exports.chunks(export_id))


def test_an_export_is_cut_into_chunks_and_the_zip_holds_every_summary_exactly_once(world, clock, small_chunks):
    table, _c, blobs, sent, _q = world
    job, _ = request(world, clock)
    sqs = Sqs()
    sqs.send_many(sent)
    results = sqs.run(world, clock)
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert (stored.state, stored.chunks, stored.chunks_done, stored.done, stored.total) == (
        ExportState.DONE,
        3,
        3,
        6,
        6,
    )
    assert [r.get("chunk") for r in results if "counted" in r] == [0, 1, 2]
    archive = zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key]))
    assert archive.testzip() is None  # every CRC and offset of the assembled directory holds
    ids = sorted(n.split("-")[-2] for n in archive.namelist())
    assert ids == ["e1", "e2", "e3", "e4", "e5", "e6"]  # each summary once
    assert archive.read(next(n for n in archive.namelist() if "-e4-" in n)) == b"%PDF fake E4 hr"


class ChunkRefused(MemoryBlobStore):
    """A bucket that refuses the piece of one chunk `times` times (None: every time)."""

    def __init__(self, chunk: int, times: int | None = None) -> None:
        super().__init__()
        self.chunk, self.left = chunk, times

    def start_upload(self, key, content_type):
        if f"/chunks/{self.chunk:06d}-" in key and (self.left is None or self.left > 0):
            self.left = None if self.left is None else self.left - 1
            raise OSError("the bucket did not answer")
        return super().start_upload(key, content_type)


def exported(world, clock, blobs) -> tuple[dict, Sqs]:
    """Request an export and run its messages as SQS would, against `blobs`: (the job, the queue)."""
    _table, _c, _b, sent, _q = world
    job, _ = request(world, clock)
    sqs = Sqs()
    sqs.send_many(sent)
    sqs.run(world, clock, blobs=blobs)
    return job, sqs


def test_a_failed_chunk_is_retried_alone_and_the_others_are_not_made_again(world, clock, small_chunks):
    table = world[0]
    blobs = ChunkRefused(1, times=1)
    job, _sqs = exported(world, clock, blobs)
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert stored.state is ExportState.DONE and stored.done == 6 and stored.chunk_retries == 1
    assert stored.last_retry["chunk"] == 1 and stored.last_retry["tries"] == 1
    assert "an error in the service" in stored.last_retry["error"]  # the OSError's own words stay in the log
    chunks = _chunk_items(table, job["export_id"])
    assert [c["tries"] for c in chunks] == [0, 1, 0]  # only the failed chunk was tried again
    assert sorted(c["piece_key"] for c in chunks) == _pieces(blobs)  # one piece each: none made twice
    names = zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key])).namelist()
    assert len(names) == len(set(names)) == 6


def test_a_chunk_that_fails_every_time_fails_the_job_and_the_retry_runs_only_the_chunks_not_made(
    world, clock, small_chunks
):
    table = world[0]
    blobs = ChunkRefused(2)
    job, sqs = exported(world, clock, blobs)
    (dead,) = sqs.dead
    svc.mark_failed(table, dead, "the export failed on every attempt", clock)
    failed = UnitOfWork(table).exports.get(job["export_id"])
    assert failed.state is ExportState.FAILED and (failed.chunks_done, failed.chunk_retries) == (2, 3)
    made_before = _pieces(blobs)
    assert len(made_before) == 2

    blobs.left = 0  # the bucket answers again
    retry_queue = Sqs()
    svc.retry_export(UnitOfWork(table), f.principal(table, "E2"), job["export_id"], failed.version, clock, retry_queue)
    results = retry_queue.run(world, clock, blobs=blobs)
    assert [r["chunk"] for r in results if "counted" in r] == [2]  # the two made chunks are kept, not made again
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert stored.state is ExportState.DONE and stored.done == 6 and stored.attempts == 2
    assert set(made_before) < set(_pieces(blobs)) and len(_pieces(blobs)) == 3
    assert len(zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key])).namelist()) == 6


def test_the_exports_list_shows_each_jobs_progress_plan_and_latest_retry_as_its_own_page_does(
    world, clock, small_chunks
):
    table = world[0]
    hr = f.principal(table, "E2")
    failing, _sqs = exported(world, clock, ChunkRefused(2))  # planned, 2 chunks made, retried, still running
    world[3].clear()
    waiting, _ = request(world, clock)  # queued: no plan yet
    listed = svc.list_exports(UnitOfWork(table), hr, clock)
    each = [svc.get_export(UnitOfWork(table), hr, j["export_id"], clock) for j in (waiting, failing)]
    assert listed == each
    assert (listed[1].done, listed[1].total, listed[1].last_retry["chunk"]) == (4, 6, 2)
    assert listed[1].percent == 67 and listed[0].total == 0


def test_a_job_whose_progress_is_not_listed_beside_it_is_still_listed_with_its_progress(world, clock, small_chunks):
    from service.adapters import keys
    from service.adapters.store import Put

    table = world[0]
    hr = f.principal(table, "E2")
    job, _sqs = exported(world, clock, ChunkRefused(2))
    for key in (keys.export_progress(job["export_id"]), keys.export_plan(job["export_id"])):
        item = table.get(key)  # as stored before the progress was listed with the job
        table.transact([Put({k: v for k, v in item.items() if not k.startswith("gsi1")})])
    (listed,) = svc.list_exports(UnitOfWork(table), hr, clock)
    assert listed == svc.get_export(UnitOfWork(table), hr, job["export_id"], clock) and listed.done == 4


def test_every_message_delivered_twice_counts_each_chunk_once(world, clock, small_chunks):
    table, _c, blobs, sent, _q = world
    job, _ = request(world, clock)
    sqs = Sqs(duplicate=True)
    sqs.send_many(sent)
    results = sqs.run(world, clock)
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert (stored.state, stored.done, stored.chunks_done, stored.failed) == (ExportState.DONE, 6, 3, 0)
    assert sorted(r["chunk"] for r in results if r.get("counted")) == [0, 1, 2]  # each chunk counted by one delivery
    assert len([r for r in results if "size" in r]) == 1  # one assembly finished the job; its duplicates skipped
    names = zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key])).namelist()
    assert len(names) == len(set(names)) == 6


def test_a_duplicate_that_read_the_chunk_before_the_first_delivery_finished_is_refused(world, clock, small_chunks):
    table, _c, _b, sent, _q = world
    job, _ = request(world, clock)
    queue = Fifo()
    svc.run_export(table, sent[0], clock, world[2], fake_render, queue)  # the plan: three chunk messages
    repo = UnitOfWork(table).exports
    read_early = repo.chunk(job["export_id"], 0)  # the duplicate's read, while the chunk is still pending
    first = svc.run_export(table, queue.waiting[0], clock, world[2], fake_render, queue)
    assert first.counted
    running = repo.get(job["export_id"], consistent=True)
    with pytest.raises(StaleWrite):
        repo.finish_chunk(running, read_early, {"piece_key": "exports/x", "piece_size": 0, "entries": []}, 2, [], "now")
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert (stored.chunks_done, stored.done) == (1, 2)


def test_a_retried_export_makes_again_the_chunks_whose_piece_is_gone(world, clock, small_chunks):
    """A job retried after the bucket's 2-day rule (or a local restart) deleted some pieces: those chunks are made
    again and counted once more, the others kept."""
    table = world[0]
    blobs = ChunkRefused(2)
    job, sqs = exported(world, clock, blobs)
    svc.mark_failed(table, sqs.dead[0], "the export failed on every attempt", clock)
    (gone, kept) = _pieces(blobs)
    del blobs.objects[gone]
    blobs.left = 0
    failed = UnitOfWork(table).exports.get(job["export_id"])
    assert failed.chunks_done == 2
    retry_queue = Sqs()
    svc.retry_export(UnitOfWork(table), f.principal(table, "E2"), job["export_id"], failed.version, clock, retry_queue)
    results = retry_queue.run(world, clock, blobs=blobs)
    assert sorted(r["chunk"] for r in results if "counted" in r) == [0, 2]  # chunk 0's piece was the one gone
    stored = UnitOfWork(table).exports.get(job["export_id"])
    assert (stored.state, stored.done, stored.chunks_done) == (ExportState.DONE, 6, 3)
    assert kept in blobs.objects
    assert len(set(zipfile.ZipFile(io.BytesIO(blobs.objects[stored.object_key])).namelist())) == 6


def test_a_silent_job_reads_as_failed_frees_its_persons_slot_and_a_late_plan_fails_it_for_good(world, clock):
    """Issue 24: no dead-letter consumer; a job with no progress for longer than the queue retries its messages
    reads as failed (not written), holds no slot of its person's limit, and the next worker to meet it writes it."""
    from datetime import timedelta

    from service.adapters.export_settings import load_export_settings

    table, _c, _b, sent, _q = world
    for n in range(svc.MAX_UNFINISHED_PER_PERSON):
        request(world, clock, key=f"k-{n}")
    give_up = load_export_settings({}).give_up_seconds
    clock.at += timedelta(seconds=give_up - 1)
    with pytest.raises(Conflict, match="already have 3 exports"):
        request(world, clock, key="k-late")
    clock.at += timedelta(seconds=2)
    hr = f.principal(table, "E2")
    listed = svc.list_exports(UnitOfWork(table), hr, clock)
    assert [(j.state, j.unfinished) for j in listed] == [(ExportState.FAILED, False)] * 3
    assert all("stopped making progress" in j.error for j in listed)
    assert {i["state"] for i in table.all_items() if i.get("type") == "export_job"} == {"queued"}  # nothing written
    job, created = request(world, clock, key="k-late")  # a slot of a silent job is taken back
    assert created and job["state"] == "queued"
    assert asdict(svc.run_export(table, sent[0], clock, world[2], fake_render, Fifo()))["skipped"]
    assert UnitOfWork(table).exports.get(sent[0]["export_id"]).state is ExportState.FAILED  # written now
