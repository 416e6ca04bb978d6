"""Bulk export of appraisal summaries: HR asks, the worker makes the ZIP, HR downloads it.

`request_export` stores a queued job (once per Idempotency-Key) and queues it; the worker's `run_export`
renders each review's summary (HR's copy, through the same visibility rules as a single download) and
streams the ZIP to the blob store in parts, never holding more than one PDF and one part; `mark_failed` is
what a message that exhausted its retries (the dead-letter queue) does; `retry_export` queues a failed job
again; `download_link` mints a short-lived link when asked for; `resume_unfinished` queues again the jobs a
lost queue left stranded (the local run's restart).
"""

from __future__ import annotations

import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from datetime import datetime, timedelta
from typing import Any

from service.adapters.blobs import LINK_SECONDS, BlobStore, PartStream
from service.adapters.clock import Clock, iso
from service.adapters.queue import Queue
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle
from service.domain.errors import Conflict, DomainError, StaleWrite, Unavailable, ValidationFailed
from service.domain.exports import ExportAction, ExportJob, ExportState, check_request, next_export_state
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.directory import principal_for
from service.services.summaries import Summary, summary_for

log = logging.getLogger(__name__)

KIND = "export_summaries"
RETENTION_DAYS = 2  # template.yaml: the ExportBucket lifecycle rule's ExpirationInDays
PROGRESS_EVERY = 10  # write the running count after this many PDFs (a page of progress, not a write per PDF)
PAGE = 25  # reviews read per query: the worker holds one page of reviews, one PDF and one part at a time
RESUME_WINDOW = 100  # newest jobs looked at for unfinished ones (one Query and one BatchGetItem)
# Issue 21: each export holds a PdfFunction instance for up to 15 minutes (2 GB); one person may have this many
# waiting or running at once: one slot item each, taken in the job's transaction (see export_store).
MAX_UNFINISHED_PER_PERSON = 3
SLOT_TRIES = MAX_UNFINISHED_PER_PERSON + 1  # looks at the slots again after another request took the one picked
NOT_QUEUED = "the export could not be queued (the queue was unavailable): retry it"
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
    size: int
    error: str
    attempts: int
    updated_at: str
    finished_at: str | None
    version: int
    filename: str
    percent: int
    kept_until: str | None


@dataclass(frozen=True)
class DownloadLink:
    """A presigned link to a finished export's ZIP, minted now."""

    url: str
    expires_in: int
    filename: str


_SHOWN = [f.name for f in fields(ExportJob) if f.name not in ("audit_head", "object_key")]


def export_json(job: ExportJob) -> ExportView:
    """A job as the API and pages show it."""
    percent = round(100 * job.done / job.total) if job.total else (100 if job.state is ExportState.DONE else 0)
    shown = {name: getattr(job, name) for name in _SHOWN}
    return ExportView(**shown, filename=job.filename, percent=percent, kept_until=_kept_until(job))


def _kept_until(job: ExportJob) -> str | None:
    """When the bucket's lifecycle rule deletes a finished export's ZIP (S3 may take up to a day longer)."""
    if job.state is not ExportState.DONE or not job.finished_at:
        return None
    return iso(datetime.fromisoformat(job.finished_at) + timedelta(days=RETENTION_DAYS))  # 3.11 reads the Z


def _message(job: ExportJob) -> dict[str, Any]:
    return {"kind": KIND, "export_id": job.export_id, "attempt": job.attempts}


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
        replay = _replay(uow, principal, idempotency_key, fingerprint)
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
            slot, held = _free_slot(uow, job.requested_by)
        except Conflict:
            replay = _replay(uow, principal, idempotency_key, fingerprint) if idempotency_key else None
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
            replay = _replay(uow, principal, idempotency_key, fingerprint) if idempotency_key else None
            if replay is None:
                raise
            return replay, False  # the same request, made twice at once: the first one's job
    _enqueue(uow, queue, stored, clock)
    return export_json(stored), True


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


def _free_slot(uow: UnitOfWork, requested_by: str) -> tuple[int, dict[str, Any] | None]:
    """A slot the person's next unfinished export may take: (slot, what it holds now, None if free). A slot held
    by a job no longer queued or running (finished without freeing it, or gone) is taken back; with every slot
    held by a job still waiting or being made, the request is refused (MAX_UNFINISHED_PER_PERSON at once)."""
    held = uow.exports.slots(requested_by, MAX_UNFINISHED_PER_PERSON)
    for n, slot in enumerate(held):
        if slot is None:
            return n, None
        job = uow.exports.get(slot["export_id"], consistent=True)
        if job is None or job.state not in (ExportState.QUEUED, ExportState.RUNNING):
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


def _replay(uow: UnitOfWork, principal: Principal, key: str, fingerprint: str) -> ExportView | None:
    found = uow.exports.by_key(principal.employee_id, key)
    if found is None:
        return None
    if found["fingerprint"] != fingerprint:
        raise Conflict("this Idempotency-Key was already used for a different export; use a new key")
    return export_json(uow.exports.existing(found["export_id"], consistent=True))


def export_choices(uow: UnitOfWork, principal: Principal) -> tuple[list[Cycle], list[str]]:
    """What HR may export (HR): the launched cycles, and the departments with reviews in them (from the
    cycles' counters, not the directory: the page costs the same for 50 people or 50,000)."""
    _require_hr(principal)
    cycles = [c for c in uow.cycles.list() if c.template_snapshot]
    # Kept on the cycle at launch; the counters only of a cycle launched before that (issue 24).
    kept = {d for c in cycles for d in c.participant_departments or []}
    older = [c.cycle_id for c in cycles if c.participant_departments is None]
    return cycles, sorted(kept | set(uow.cycles.departments(older)))


def get_export(uow: UnitOfWork, principal: Principal, export_id: str) -> ExportView:
    """One export with its progress (HR)."""
    _require_hr(principal)
    return export_json(uow.exports.existing(export_id))


def list_exports(uow: UnitOfWork, principal: Principal) -> list[ExportView]:
    """The newest exports first (HR)."""
    _require_hr(principal)
    return [export_json(j) for j in uow.exports.recent()]


def retry_export(
    uow: UnitOfWork, principal: Principal, export_id: str, expected_version: int, clock: Clock, queue: Queue
) -> ExportView:
    """Queue a failed export again (HR); the new attempt starts the ZIP afresh."""
    _require_hr(principal)
    job = uow.exports.existing(export_id, consistent=True)
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
        total=0,
        done=0,
        failures=[],
    )
    for attempt in range(SLOT_TRIES):
        # The job counts against its requester's limit again (whoever of HR retries it).
        slot, held = _free_slot(uow, job.requested_by)
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
    return export_json(stored)


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
    """Queue again every recent job still queued or running (the system, when a restart lost the queue's
    messages): each runs afresh, as a redelivered message would; the export ids queued."""
    unfinished = [j for j in uow.exports.recent(limit=window) if j.state in (ExportState.QUEUED, ExportState.RUNNING)]
    queue.send_many([_message(j) for j in unfinished])
    return [j.export_id for j in unfinished]


def _move(table: Table, job: ExportJob, action: ExportAction, at: str, **changes: Any) -> ExportJob:
    """One audited state change of a job, by the worker (the job is read again inside the unit of work)."""
    uow = UnitOfWork(table)
    current = uow.exports.existing(job.export_id, consistent=True)
    after = replace(current, state=next_export_state(current.state, action), updated_at=at, **changes)
    with uow:
        stored = uow.exports.save(after, new=False, actor="worker", action=action.value, at=at)
        if after.state in (ExportState.DONE, ExportState.FAILED):  # the person's slot is free again
            uow.exports.release_slot(after.requested_by, after.export_id, MAX_UNFINISHED_PER_PERSON)
        uow.commit()
    stored.total, stored.done, stored.failures = job.total, job.done, job.failures
    return stored


@dataclass(frozen=True)
class RunSkipped:
    """An export message that was stale or repeated: nothing done."""

    export_id: str
    skipped: bool = True


@dataclass(frozen=True)
class ExportMade:
    """An export message that made its ZIP: summaries made, summaries that failed, and the ZIP's bytes."""

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
    if job.attempts != message.get("attempt") or job.state not in (ExportState.QUEUED, ExportState.RUNNING):
        return FailMarked(job.export_id, job.state.value, False)
    failed = _move(table, job, ExportAction.FAIL, iso(clock.now()), error=reason, finished_at=iso(clock.now()))
    return FailMarked(failed.export_id, failed.state.value, True)


def run_export(
    table: Table, message: dict[str, Any], clock: Clock, blobs: BlobStore, render: Render
) -> RunSkipped | ExportMade:
    """Make one export's ZIP: each review's HR copy rendered and streamed into the blob store in parts.

    A review that cannot be rendered is listed in the job and in the ZIP's FAILED.txt, and the rest go on;
    anything else fails the message, which SQS delivers again (the ZIP is then made afresh) and finally
    sends to the dead-letter queue, whose consumer marks the job failed.
    """
    job = UnitOfWork(table).exports.existing(message["export_id"], consistent=True)
    if job.attempts != message.get("attempt") or job.state in (ExportState.DONE, ExportState.FAILED):
        return RunSkipped(job.export_id)  # a stale or repeated message
    principal = principal_for(UnitOfWork(table), job.requested_by)
    _require_hr(principal)  # still HR when the work is done
    now = clock.now()
    job = _move(table, job, ExportAction.START, iso(now))
    job.total = _expected(table, job)
    job.done, job.failures = 0, []
    UnitOfWork(table).exports.write_progress(job)
    key = f"exports/{job.export_id}/{job.attempts}/{job.filename}"
    upload = blobs.start_upload(key, "application/zip")
    stream = PartStream(upload)
    try:
        with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_STORED) as archive:
            for employee_id in _review_ids(table, job):
                _add_summary(table, archive, job, principal, employee_id, now, render)
                if (job.done + len(job.failures)) % PROGRESS_EVERY == 0:
                    UnitOfWork(table).exports.write_progress(job)
            if job.failures:
                lines = [f"{f['employee_id']}\t{f['employee_name']}\t{f['reason']}" for f in job.failures]
                archive.writestr("FAILED.txt", "Summaries that could not be made:\n" + "\n".join(lines) + "\n")
        size = stream.finish()
    except BaseException:
        upload.abort()
        raise
    UnitOfWork(table).exports.write_progress(job)
    done = _move(
        table, job, ExportAction.FINISH, iso(clock.now()), object_key=key, size=size, finished_at=iso(clock.now())
    )
    return ExportMade(done.export_id, done.done, len(done.failures), size)


def _expected(table: Table, job: ExportJob) -> int:
    """How many summaries the export will hold, from the cycle's counters (no read of the reviews)."""
    per_state, per_dept, _launched, _expected_total = UnitOfWork(table).cycles.counts(job.cycle_id)
    if job.department:
        return sum(per_dept.get(job.department.replace("#", " "), {}).values())
    return sum(per_state.values())


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


def _add_summary(
    table: Table,
    archive: zipfile.ZipFile,
    job: ExportJob,
    principal: Principal,
    employee_id: str,
    now: datetime,
    render: Render,
) -> None:
    """Render one review into the ZIP, or note why it could not be (a fresh unit of work each: memory stays flat)."""
    try:
        summary = summary_for(UnitOfWork(table), principal, job.cycle_id, employee_id, now)
        pdf = render(summary)
    except Exception as exc:  # one review that cannot be made must not sink the others: it is listed instead
        if isinstance(exc, DomainError):
            reason = str(exc)[:200]  # written for people: "not found", "unavailable", ...
        else:  # a fault of ours: HR reads a sentence, the log keeps the trace
            log.exception("export %s: the summary of %s could not be made", job.export_id, employee_id)
            reason = f"an error in the service stopped this summary (logged with export {job.export_id})"
        job.failures.append({"employee_id": employee_id, "employee_name": _name(table, employee_id), "reason": reason})
        return
    archive.writestr(summary.filename, pdf)
    job.done += 1


def _name(table: Table, employee_id: str) -> str:
    person = UnitOfWork(table).directory.get(employee_id)
    return person.name if person else employee_id
