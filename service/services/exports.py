"""Bulk export of appraisal summaries: HR asks, the worker makes the ZIP, HR downloads it.

`request_export` stores a queued job (once per Idempotency-Key) and queues its plan message. The PDF
function's `run_export` then takes three kinds of message from the export queue (issue 24: SQS does the
fan-out, one message per chunk, so a chunk is retried alone and many run at once):

- the plan (`KIND`): the job's reviews cut into chunks of CHUNK_SIZE, each stored and queued;
- a chunk (`CHUNK_KIND`): its reviews rendered (HR's copy, through the same visibility rules as a single
  download) into a ZIP piece in the bucket, then the chunk marked made and counted in one conditional
  transaction (a duplicate delivery counts nothing); the chunk that finds every chunk made moves the job to
  assembling and queues
- the assembly (`ASSEMBLE_KIND`): the pieces copied one after another into the ZIP, streamed to the bucket in
  parts, and the central directory written from the chunks' entries: never the whole ZIP in memory.

`mark_failed` is what the last attempt SQS makes of a message does when it fails (the PDF function knows it
from the record's receive count; SQS then moves the message to the dead-letter queue, which nothing polls). A job
whose last attempt died without saying so (a timeout, a crash) reads as failed once it has made no progress for
longer than the queue retries a message (`domain.exports.stalled`, decided at read time: pages, API, list, retry,
a person's limit), and a worker that finds it so marks it failed instead of going on; `retry_export`
queues a failed job again, and only the chunks not made yet run again; `download_link` mints a short-lived
link when asked for; `resume_unfinished` queues again the jobs a lost queue left stranded (the local run's
restart).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from service.adapters.blobs import LINK_SECONDS, BlobStore, PartStream
from service.adapters.clock import Clock, iso
from service.adapters.export_settings import load_export_settings
from service.adapters.export_store import ExportRepository
from service.adapters.export_zip import Entry, FragmentWriter, dos_stamp, write_directory
from service.adapters.queue import Queue
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle
from service.domain.errors import Conflict, DomainError, StaleWrite, Unavailable, ValidationFailed
from service.domain.exports import (
    CHUNK_SIZE,
    UNFINISHED,
    ChunkState,
    ExportAction,
    ExportJob,
    ExportState,
    check_request,
    next_export_state,
    stalled,
)
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.directory import principal_for
from service.services.summaries import Summary, summary_for

log = logging.getLogger(__name__)

KIND = "export_summaries"  # the plan: cut the job into chunks
CHUNK_KIND = "export_chunk"
ASSEMBLE_KIND = "export_assemble"
RETENTION_DAYS = 2  # template.yaml: the ExportBucket lifecycle rule's ExpirationInDays
PAGE = 100  # reviews read per query by the plan: it holds one page of reviews and one chunk's ids at a time
PIECE_SUFFIX = ".zippart"  # a chunk's piece of a ZIP in the bucket (the local run keeps only whole ZIPs)
SEND_EVERY = 100  # chunk messages queued at once by the plan (10 SQS batches)
RESUME_WINDOW = 100  # newest jobs looked at for unfinished ones (one Query and one BatchGetItem)
# Issue 21: each export holds a PdfFunction instance for up to 15 minutes (2 GB); one person may have this many
# waiting or running at once: one slot item each, taken in the job's transaction (see export_store).
MAX_UNFINISHED_PER_PERSON = 3
SLOT_TRIES = MAX_UNFINISHED_PER_PERSON + 1  # looks at the slots again after another request took the one picked
NOT_QUEUED = "the export could not be queued (the queue was unavailable): retry it"
# The page shows when (its `finished_at`: the last progress); the sentence says what happened and what to do.
STALLED = (
    "the export stopped making progress (an attempt timed out or crashed): retry it; the parts already made are kept"
)
Render = Callable[[Summary], bytes]


def _require_hr(principal: Principal) -> None:
    policy.require(policy.may_export_summaries(principal), "only HR exports appraisal summaries")


@dataclass(frozen=True)
class ExportView:
    """A job as the API and pages show it (no storage keys, no object key): its progress in percent, the
    ZIP's download name and, once done, until when the ZIP is kept."""

    export_id: str
    cycle_id: str
    cycle_name: str
    department: str | None
    requested_by: str
    requested_at: str
    state: ExportState
    total: int
    done: int
    failures: list[dict[str, Any]]
    failed: int
    chunks: int
    chunks_done: int
    chunk_retries: int
    last_retry: dict[str, Any] | None
    size: int
    error: str
    attempts: int
    updated_at: str
    finished_at: str | None
    version: int
    filename: str
    percent: int
    kept_until: str | None
    unfinished: bool  # queued, running or assembling: the page follows it


@dataclass(frozen=True)
class DownloadLink:
    """A presigned link to a finished export's ZIP, minted now."""

    url: str
    expires_in: int
    filename: str


_SHOWN = [f.name for f in fields(ExportJob) if f.name not in ("audit_head", "object_key", "planned", "chunk_made_at")]


def as_read(job: ExportJob, now: datetime) -> ExportJob:
    """The job as everyone reads and acts on it: one stalled (no progress for longer than the export queue retries a
    message) is failed, with why, and may be retried; the stored item is not written."""
    if not stalled(job, now, load_export_settings().give_up_seconds):
        return job
    at = job.last_progress
    return replace(job, state=ExportState.FAILED, error=STALLED, finished_at=at)


def export_json(job: ExportJob, now: datetime) -> ExportView:
    """A job as the API and pages show it (as read at `now`): its percent is of the summaries made or given up on."""
    job = as_read(job, now)
    finished = job.done + job.failed
    percent = round(100 * finished / job.total) if job.total else (100 if job.state is ExportState.DONE else 0)
    shown = {name: getattr(job, name) for name in _SHOWN}
    return ExportView(
        **shown,
        filename=job.filename,
        percent=percent,
        kept_until=_kept_until(job),
        unfinished=job.state in UNFINISHED,
    )


def _kept_until(job: ExportJob) -> str | None:
    """When the bucket's lifecycle rule deletes a finished export's ZIP (S3 may take up to a day longer)."""
    if job.state is not ExportState.DONE or not job.finished_at:
        return None
    return iso(datetime.fromisoformat(job.finished_at) + timedelta(days=RETENTION_DAYS))  # 3.11 reads the Z


def _message(job: ExportJob, kind: str = KIND, **more: Any) -> dict[str, Any]:
    return {"kind": kind, "export_id": job.export_id, "attempt": job.attempts, **more}


def request_export(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    department: str | None,
    idempotency_key: str | None,
    clock: Clock,
    queue: Queue,
) -> tuple[ExportView, bool]:
    """Create and queue an export (HR); the same Idempotency-Key answers with the job it made: (job, created)."""
    _require_hr(principal)
    check_request(cycle_id, department)
    department = department.strip() if department else None
    fingerprint = f"{cycle_id}\n{department or ''}"
    if idempotency_key:
        replay = _replay(uow, principal, idempotency_key, fingerprint, clock)
        if replay is not None:
            return replay, False
    cycle = get_cycle(uow, cycle_id)
    if not cycle.template_snapshot:
        raise Conflict("the cycle has not been launched: it has no reviews to export")
    if department and not uow.directory.department(department):
        raise ValidationFailed("No such department.", {"department": [f"no department named {department!r}"]})
    at = iso(clock.now())
    job = ExportJob(
        export_id=clock.new_id(),
        cycle_id=cycle.cycle_id,
        cycle_name=cycle.name,
        department=department,
        requested_by=principal.employee_id,
        requested_at=at,
        updated_at=at,
        attempts=1,
    )
    for attempt in range(SLOT_TRIES):
        try:
            slot, held = _free_slot(uow, job.requested_by, clock.now())
        except Conflict:
            replay = _replay(uow, principal, idempotency_key, fingerprint, clock) if idempotency_key else None
            if replay is None:
                raise
            return replay, False  # the same request, made at once, took the last slot: its job
        try:
            with uow:
                stored = uow.exports.save(job, new=True, actor=principal.employee_id, action="request", at=at)
                if idempotency_key:
                    uow.exports.claim_key(principal.employee_id, idempotency_key, job.export_id, fingerprint, at)
                uow.exports.take_slot(job.requested_by, slot, job.export_id, at, held)  # last: a key clash shows first
                uow.commit()
            break
        except Conflict as exc:
            if exc.entity == "export_slot":  # another request of this person's took or freed it: look again
                _slot_lost(attempt)
                continue
            replay = _replay(uow, principal, idempotency_key, fingerprint, clock) if idempotency_key else None
            if replay is None:
                raise
            return replay, False  # the same request, made twice at once: the first one's job
    _enqueue(uow, queue, stored, clock)
    return export_json(stored, clock.now()), True


def _enqueue(uow: UnitOfWork, queue: Queue, job: ExportJob, clock: Clock) -> None:
    """Queue a stored job; when the queue cannot take it, the job shows as failed (so Retry is offered and it
    does not hold the person's limit) and the request answers 503 saying so."""
    try:
        queue.send_many([_message(job)])
    except Unavailable as exc:
        at = iso(clock.now())
        _move(uow.table, job, ExportAction.FAIL, at, error=NOT_QUEUED, finished_at=at)
        raise Unavailable(
            "The export could not be queued just now; it is listed as failed: retry it in a moment.",
            retry_after=exc.retry_after,
        ) from exc


def _free_slot(uow: UnitOfWork, requested_by: str, now: datetime) -> tuple[int, dict[str, Any] | None]:
    """A slot the person's next unfinished export may take: (slot, what it holds now, None if free). A slot held
    by a job no longer queued or running (finished without freeing it, or gone) is taken back; with every slot
    held by a job still waiting or being made, the request is refused (MAX_UNFINISHED_PER_PERSON at once)."""
    held = uow.exports.slots(requested_by, MAX_UNFINISHED_PER_PERSON)
    for n, slot in enumerate(held):
        if slot is None:
            return n, None
        job = uow.exports.get(slot["export_id"], consistent=True)
        if job is None or as_read(job, now).state not in UNFINISHED:  # a stalled job holds no slot
            return n, slot
    raise Conflict(
        f"You already have {len(held)} exports waiting or being made (at most {MAX_UNFINISHED_PER_PERSON} at"
        " once): wait until one is done, then ask again.",
        entity="export_job",
    )


def _slot_lost(attempt: int) -> None:
    """After a slot was taken from under a request: look again, a few times, then ask the person to retry."""
    if attempt + 1 >= SLOT_TRIES:
        raise Conflict(
            "Several exports of yours were being requested at the same moment: ask again in a moment.",
            entity="export_job",
        )


def _replay(uow: UnitOfWork, principal: Principal, key: str, fingerprint: str, clock: Clock) -> ExportView | None:
    found = uow.exports.by_key(principal.employee_id, key)
    if found is None:
        return None
    if found["fingerprint"] != fingerprint:
        raise Conflict("this Idempotency-Key was already used for a different export; use a new key")
    return export_json(uow.exports.existing(found["export_id"], consistent=True), clock.now())


def export_choices(uow: UnitOfWork, principal: Principal) -> tuple[list[Cycle], list[str]]:
    """What HR may export (HR): the launched cycles, and the departments with reviews in them (from the
    cycles' counters, not the directory: the page costs the same for 50 people or 50,000)."""
    _require_hr(principal)
    cycles = [c for c in uow.cycles.list() if c.template_snapshot]
    # Kept on the cycle at launch; the counters only of a cycle launched before that (issue 24).
    kept = {d for c in cycles for d in c.participant_departments or []}
    older = [c.cycle_id for c in cycles if c.participant_departments is None]
    return cycles, sorted(kept | set(uow.cycles.departments(older)))


def get_export(uow: UnitOfWork, principal: Principal, export_id: str, clock: Clock) -> ExportView:
    """One export with its progress (HR), as read now."""
    _require_hr(principal)
    return export_json(uow.exports.existing(export_id), clock.now())


def list_exports(uow: UnitOfWork, principal: Principal, clock: Clock) -> list[ExportView]:
    """The newest exports first (HR), as read now."""
    _require_hr(principal)
    now = clock.now()
    return [export_json(j, now) for j in uow.exports.recent()]


def retry_export(
    uow: UnitOfWork, principal: Principal, export_id: str, expected_version: int, clock: Clock, queue: Queue
) -> ExportView:
    """Queue a failed export again (HR); the chunks already made are kept, the others run again."""
    _require_hr(principal)
    job = as_read(uow.exports.existing(export_id, consistent=True), clock.now())  # a stalled job may be retried
    if job.version != expected_version:
        raise StaleWrite(f"the export changed meanwhile (now version {job.version}); reload it")
    at = iso(clock.now())
    again = replace(
        job,
        state=next_export_state(job.state, ExportAction.RETRY),
        attempts=job.attempts + 1,
        error="",
        updated_at=at,
        finished_at=None,
    )
    for attempt in range(SLOT_TRIES):
        # The job counts against its requester's limit again (whoever of HR retries it).
        slot, held = _free_slot(uow, job.requested_by, clock.now())
        try:
            with uow:
                stored = uow.exports.save(again, new=False, actor=principal.employee_id, action="retry", at=at)
                uow.exports.take_slot(job.requested_by, slot, job.export_id, at, held)
                uow.commit()
            break
        except Conflict as exc:
            if exc.entity != "export_slot":
                raise
            _slot_lost(attempt)
    _enqueue(uow, queue, stored, clock)
    return export_json(stored, clock.now())


def download_link(uow: UnitOfWork, principal: Principal, export_id: str, blobs: BlobStore) -> DownloadLink:
    """A fresh presigned link to a finished export's ZIP, valid five minutes (HR)."""
    _require_hr(principal)
    job = uow.exports.existing(export_id)
    if job.state is not ExportState.DONE or not job.object_key:
        raise Conflict(f"the export is {job.state.value}: there is nothing to download yet")
    if not blobs.exists(job.object_key):
        raise Conflict(
            f"the ZIP of this export is no longer kept (ZIPs are deleted {RETENTION_DAYS} days after they are made):"
            " export the summaries again"
        )
    return DownloadLink(blobs.download_link(job.object_key, job.filename, LINK_SECONDS), LINK_SECONDS, job.filename)


def resume_unfinished(uow: UnitOfWork, queue: Queue, window: int = RESUME_WINDOW) -> list[str]:
    """Queue again every recent unfinished job (the system, when a restart lost the queue's messages): its plan
    (which queues again the chunks not made) or its assembly, as a redelivered message would; the ids queued."""
    unfinished = [j for j in uow.exports.recent(limit=window) if j.state in UNFINISHED]
    queue.send_many([_message(j, ASSEMBLE_KIND if j.state is ExportState.ASSEMBLING else KIND) for j in unfinished])
    return [j.export_id for j in unfinished]


def _move(
    table: Table, job: ExportJob, action: ExportAction, at: str, *, same: bool = False, **changes: Any
) -> ExportJob:
    """One audited state change of a job, by the worker (the job is read again inside the unit of work; `same`:
    only if it is still the version `job` is, else Conflict)."""
    uow = UnitOfWork(table)
    current = uow.exports.existing(job.export_id, consistent=True)
    if same and current.version != job.version:
        raise Conflict(f"the export changed meanwhile (now version {current.version})", entity="export_job")
    after = replace(current, state=next_export_state(current.state, action), updated_at=at, **changes)
    with uow:
        stored = uow.exports.save(after, new=False, actor="worker", action=action.value, at=at)
        if after.state in (ExportState.DONE, ExportState.FAILED):  # the person's slot is free again
            uow.exports.release_slot(after.requested_by, after.export_id, MAX_UNFINISHED_PER_PERSON)
        uow.commit()
    return stored


def _stopped(table: Table, job: ExportJob, clock: Clock) -> bool:
    """Whether a worker must leave its job alone because it stalled (everyone reads it as failed already): then it is
    marked failed for good, at the version read (a job retried or moved meanwhile is left to that change)."""
    now = clock.now()
    if not stalled(job, now, load_export_settings().give_up_seconds):
        return False
    at = job.last_progress
    try:
        _move(table, job, ExportAction.FAIL, iso(now), same=True, error=STALLED, finished_at=at)
    except Conflict:
        pass
    return True


@dataclass(frozen=True)
class RunSkipped:
    """An export message that was stale or repeated: nothing done."""

    export_id: str
    skipped: bool = True


@dataclass(frozen=True)
class Planned:
    """A plan message that cut its job into chunks (or found them cut) and queued those not made."""

    export_id: str
    chunks: int
    total: int
    queued: int


@dataclass(frozen=True)
class ChunkMade:
    """A chunk message: its chunk's summaries made and failed, and whether this delivery counted them."""

    export_id: str
    chunk: int
    done: int
    failed: int
    counted: bool


@dataclass(frozen=True)
class ExportMade:
    """An export whose ZIP was assembled: summaries made, summaries that failed, and the ZIP's bytes."""

    export_id: str
    done: int
    failed: int
    size: int


@dataclass(frozen=True)
class FailMarked:
    """A dead-lettered export message: its job's state now, and whether this message failed it."""

    export_id: str
    state: str
    changed: bool


def mark_failed(table: Table, message: dict[str, Any], reason: str, clock: Clock) -> FailMarked:
    """A message that used up its retries: its job shows as failed, with a retry offered (idempotent)."""
    job = UnitOfWork(table).exports.existing(message["export_id"], consistent=True)
    if job.attempts != message.get("attempt") or job.state not in UNFINISHED:
        return FailMarked(job.export_id, job.state.value, False)
    failed = _move(table, job, ExportAction.FAIL, iso(clock.now()), error=reason, finished_at=iso(clock.now()))
    return FailMarked(failed.export_id, failed.state.value, True)


def run_export(
    table: Table, message: dict[str, Any], clock: Clock, blobs: BlobStore, render: Render, queue: Queue
) -> RunSkipped | Planned | ChunkMade | ExportMade:
    """Handle one export message: a plan, a chunk or the assembly (see the module's docstring).

    A review that cannot be rendered is listed in the job and in the ZIP's FAILED.txt, and the rest go on;
    anything else fails the message, which SQS delivers again (that chunk alone); its last attempt marks the job
    failed (the PDF function's handler), and SQS moves it to the dead-letter queue.
    """
    kind = message.get("kind", KIND)
    if kind == CHUNK_KIND:
        return _run_chunk(table, message, clock, blobs, render, queue)
    if kind == ASSEMBLE_KIND:
        return _assemble(table, message, clock, blobs)
    return _plan(table, message, clock, queue, blobs)


def _plan(table: Table, message: dict[str, Any], clock: Clock, queue: Queue, blobs: BlobStore) -> RunSkipped | Planned:
    """Cut the job's reviews into chunks, store and queue each; a redelivered plan (or a retried job's) queues the
    chunks not made, and those whose piece is gone."""
    job = UnitOfWork(table).exports.existing(message["export_id"], consistent=True)
    if job.attempts != message.get("attempt") or job.state not in (ExportState.QUEUED, ExportState.RUNNING):
        return RunSkipped(job.export_id)  # a stale or repeated message
    if _stopped(table, job, clock):
        return RunSkipped(job.export_id)
    _require_hr(principal_for(UnitOfWork(table), job.requested_by))  # still HR when the work is done
    job = _move(table, job, ExportAction.START, iso(clock.now()))
    repo = UnitOfWork(table).exports
    queued = 0
    if job.planned:  # cut before (a retried job, a redelivered plan): only the chunks not made go again
        pending = (c["chunk"] for c in repo.chunks(job.export_id) if _to_make(repo, blobs, c))
        for numbers in _batches(pending, SEND_EVERY):
            queue.send_many([_message(job, CHUNK_KIND, chunk=n) for n in numbers])
            queued += len(numbers)
        chunks, total = job.chunks, job.total
    else:
        chunks = total = 0
        for page in _batches(_batches(_review_ids(table, job), CHUNK_SIZE), SEND_EVERY):
            for n, ids in enumerate(page):
                repo.add_chunk(job.export_id, chunks + n, ids)
            queue.send_many([_message(job, CHUNK_KIND, chunk=chunks + n) for n in range(len(page))])
            chunks, total, queued = chunks + len(page), total + sum(len(ids) for ids in page), queued + len(page)
        repo.save_plan(job, chunks, total, iso(clock.now()))
    _assemble_when_made(table, job.export_id, queue, clock)  # every chunk may be made already (or there are none)
    return Planned(job.export_id, chunks, total, queued)


def _to_make(repo: ExportRepository, blobs: BlobStore, chunk: dict[str, Any]) -> bool:
    """Whether a chunk must be (made) again: pending, or made but its piece is no longer in the bucket (then it is
    reopened, its counts taken back)."""
    if chunk["state"] == ChunkState.PENDING.value:
        return True
    if blobs.exists(chunk["piece_key"]):
        return False
    try:
        repo.reopen_chunk(chunk)
    except StaleWrite:
        return False  # changed meanwhile by another delivery: that one decides
    return True


def _batches(items, size: int) -> Iterator[list]:
    """Lists of `size` items (the last shorter), read lazily."""
    batch: list = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _run_chunk(
    table: Table, message: dict[str, Any], clock: Clock, blobs: BlobStore, render: Render, queue: Queue
) -> RunSkipped | ChunkMade:
    """Make one chunk's ZIP piece and count it once; the chunk that completes the set starts the assembly."""
    repo = UnitOfWork(table).exports
    job = repo.existing(message["export_id"], consistent=True)
    n = message["chunk"]
    chunk = repo.chunk(job.export_id, n)
    if job.state is not ExportState.RUNNING or chunk is None or _stopped(table, job, clock):
        return RunSkipped(job.export_id)  # the job failed, was assembled, or this is not one of its chunks
    counted, made, failures = False, 0, list(chunk.get("failures") or [])
    if chunk["state"] == ChunkState.PENDING.value:
        try:
            piece, failures = _make_piece(table, job, chunk, clock, blobs, render)
            job = UnitOfWork(table).exports.existing(job.export_id, consistent=True)  # as it is now, not when begun
            if job.state is not ExportState.RUNNING or _stopped(table, job, clock):
                return RunSkipped(job.export_id)  # a late chunk of a job failed meanwhile: it counts nothing
            made = len(piece["entries"])
            repo.finish_chunk(job, chunk, piece, made, failures, iso(clock.now()))
            counted = True
        except StaleWrite:
            # Another delivery of this chunk made and counted it meanwhile (its piece is the one kept), or the job
            # was failed or retried since it was read (the chunk stays to make: a retry makes it).
            made = 0
        except Exception as exc:
            at = iso(clock.now())
            reason = str(exc)[:200] if isinstance(exc, DomainError) else "an error in the service (logged)"
            repo.note_retry(job, n, (chunk.get("tries") or 0) + 1, reason, at)
            raise  # SQS delivers this chunk again, alone
    else:
        made = len(chunk.get("entries") or [])
    _assemble_when_made(table, job.export_id, queue, clock)
    return ChunkMade(job.export_id, n, made, len(failures), counted)


def _make_piece(
    table: Table, job: ExportJob, chunk: dict[str, Any], clock: Clock, blobs: BlobStore, render: Render
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Render a chunk's reviews into a ZIP piece in the bucket (under a key of this delivery's own, so a
    duplicate delivery never overwrites the piece another one counted); (piece, failures)."""
    principal = principal_for(UnitOfWork(table), job.requested_by)
    _require_hr(principal)
    now = clock.now()
    key = f"exports/{job.export_id}/chunks/{chunk['chunk']:06d}-{clock.new_id()}{PIECE_SUFFIX}"
    upload = blobs.start_upload(key, "application/octet-stream")
    stream = PartStream(upload)
    writer = FragmentWriter(stream, *dos_stamp(job.requested_at))
    failures: list[dict[str, Any]] = []
    try:
        for employee_id in chunk["employee_ids"]:
            made = _summary(table, job, principal, employee_id, now, render, failures)
            if made is not None:
                writer.add(*made)
        size = stream.finish()
    except BaseException:
        upload.abort()
        raise
    return {"piece_key": key, "piece_size": size, "entries": [e.row() for e in writer.entries]}, failures


def _assemble_when_made(table: Table, export_id: str, queue: Queue, clock: Clock) -> None:
    """Once every chunk is made (and the plan says how many there are), move the job to assembling (one caller
    wins the versioned write) and queue its assembly; a repeat queues it again (assembling twice is harmless)."""
    job = UnitOfWork(table).exports.existing(export_id, consistent=True)
    if job.state is ExportState.RUNNING and job.planned and job.chunks_done >= job.chunks:
        try:
            job = _move(table, job, ExportAction.ASSEMBLE, iso(clock.now()))
        except Conflict:  # another chunk's delivery moved it first
            job = UnitOfWork(table).exports.existing(export_id, consistent=True)
    if job.state is ExportState.ASSEMBLING:
        queue.send_many([_message(job, ASSEMBLE_KIND)])


def _assemble(table: Table, message: dict[str, Any], clock: Clock, blobs: BlobStore) -> RunSkipped | ExportMade:
    """Copy the chunks' pieces into the ZIP in order, then FAILED.txt and the central directory, streamed to the
    bucket part by part; the job is done when the object is complete."""
    repo = UnitOfWork(table).exports
    job = repo.existing(message["export_id"], consistent=True)
    if job.attempts != message.get("attempt") or job.state is not ExportState.ASSEMBLING or _stopped(table, job, clock):
        return RunSkipped(job.export_id)
    key = f"exports/{job.export_id}/{job.attempts}/{job.filename}"
    upload = blobs.start_upload(key, "application/zip")
    stream = PartStream(upload)
    failures: list[dict[str, Any]] = []
    try:
        for chunk in repo.chunks(job.export_id):
            for data in blobs.read(chunk["piece_key"]):
                stream.write(data)
            failures += chunk.get("failures") or []  # one line each: the one list held whole (usually empty)
        listed = _failed_list(stream, job, failures)
        write_directory(stream, _placed(repo.chunks(job.export_id), listed), stream.size)
        size = stream.finish()
    except BaseException:
        upload.abort()
        raise
    repo.write_failures(job.export_id, failures)
    try:
        done = _move(
            table, job, ExportAction.FINISH, iso(clock.now()), object_key=key, size=size, finished_at=iso(clock.now())
        )
    except Conflict:
        return RunSkipped(job.export_id)  # a duplicate assembly finished first (the same bytes, the same key)
    return ExportMade(done.export_id, done.done, done.failed, size)


def _failed_list(stream: PartStream, job: ExportJob, failures: list[dict[str, Any]]) -> tuple[Entry, int] | None:
    """FAILED.txt after the pieces, when some summaries could not be made: (its entry, its offset)."""
    if not failures:
        return None
    at = stream.size
    lines = [f"{f['employee_id']}\t{f['employee_name']}\t{f['reason']}" for f in failures]
    text = "Summaries that could not be made:\n" + "\n".join(lines) + "\n"
    entry = FragmentWriter(stream, *dos_stamp(job.requested_at)).add("FAILED.txt", text.encode())
    return entry, at


def _placed(chunks: Iterator[dict[str, Any]], listed: tuple[Entry, int] | None) -> Iterator[tuple[Entry, int]]:
    """Every entry of the ZIP with its offset: each piece's entries moved by where the piece landed."""
    base = 0
    for chunk in chunks:
        for row in chunk.get("entries") or []:
            entry = Entry.of(row)
            yield entry, base + entry.offset
        base += chunk["piece_size"]
    if listed is not None:
        yield listed[0], listed[1]


def _review_ids(table: Table, job: ExportJob):
    """The ids of the reviews to export, a page of reviews at a time."""
    cursor = None
    while True:
        reviews, cursor = UnitOfWork(table).reviews.page(job.cycle_id, cursor=cursor, limit=PAGE)
        for r in reviews:
            if job.department is None or r.department == job.department:
                yield r.employee_id
        if cursor is None:
            return


def _summary(
    table: Table,
    job: ExportJob,
    principal: Principal,
    employee_id: str,
    now: datetime,
    render: Render,
    failures: list[dict[str, Any]],
) -> tuple[str, bytes] | None:
    """One review's (file name, PDF), or None with why it could not be made noted in `failures` (a fresh unit
    of work each: memory stays flat)."""
    try:
        summary = summary_for(UnitOfWork(table), principal, job.cycle_id, employee_id, now)
        return summary.filename, render(summary)
    except Exception as exc:  # one review that cannot be made must not sink the others: it is listed instead
        if isinstance(exc, DomainError):
            reason = str(exc)[:200]  # written for people: "not found", "unavailable", ...
        else:  # a fault of ours: HR reads a sentence, the log keeps the trace
            log.exception("export %s: the summary of %s could not be made", job.export_id, employee_id)
            reason = f"an error in the service stopped this summary (logged with export {job.export_id})"
        failures.append({"employee_id": employee_id, "employee_name": _name(table, employee_id), "reason": reason})
        return None


def _name(table: Table, employee_id: str) -> str:
    person = UnitOfWork(table).directory.get(employee_id)
    return person.name if person else employee_id
