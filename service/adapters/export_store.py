"""Export jobs in the table: `uow.exports`.

The job (`EXPORT#id / EXPORT`) changes state through audited saves; beside it, its plan (`PLAN`: how many
chunks and summaries, written once when the fan-out has queued every chunk), its progress (`PROGRESS`:
counters each finished chunk adds to, in the transaction that marks that chunk done, so a chunk counts once
however often SQS delivers it), when a chunk was last made (`ALIVE`, in the same transaction, which also checks
the job is still at the version the chunk's worker read: a job failed or retried meanwhile counts nothing) and the
latest failed chunk attempt (`RETRY`). One Query on the job's partition
reads them all. The chunks (`EXPORTCHUNK#id / CHUNK#n`) have a partition of their own: the reviews of each,
and once made, the entries of its ZIP piece (issue 24). An Idempotency-Key is an item of its own
(`EXPORTKEY#person#key / KEY`), created in the job's transaction.

A person's limit of unfinished jobs is a few slot items (`EXPORTSLOT#person / SLOT#n`): queuing a job takes a
free slot in the job's own transaction (absent, or held by a job no longer queued or running: reclaimed at its
version), and the transaction that finishes or fails the job frees it. Two requests that pick the same slot
cannot both commit, so the limit holds however many arrive at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Check, Delete, Increment, Item, Put
from service.domain.errors import Conflict, NotFound
from service.domain.exports import ChunkState, ExportJob, ExportState

CHUNKS_PER_PAGE = 100  # chunk items read per query: the assembly holds one page of entries at a time

JOB_FIELDS = (
    "export_id",
    "cycle_id",
    "cycle_name",
    "department",
    "requested_by",
    "requested_at",
    "object_key",
    "size",
    "error",
    "attempts",
    "updated_at",
    "finished_at",
)


def export_to_item(job: ExportJob) -> Item:
    """ExportJob → item (progress lives in its own item)."""
    return {
        **keys.export_job(job.export_id),
        "type": "export_job",
        **{f: getattr(job, f) for f in JOB_FIELDS},
        "state": job.state.value,
        "version": job.version,
        "audit_head": job.audit_head,
        **keys.export_job_gsi1(job.requested_at, job.export_id),
    }


def export_from_items(
    item: Item,
    progress: Item | None = None,
    plan: Item | None = None,
    retry: Item | None = None,
    alive: Item | None = None,
) -> ExportJob:
    """Item (and its progress, plan, retry and alive items) → ExportJob."""
    job = ExportJob(
        **{f: item.get(f) for f in JOB_FIELDS if f not in ("size", "attempts", "error")},
        size=int(item.get("size") or 0),
        attempts=int(item.get("attempts") or 0),
        error=item.get("error") or "",
        state=ExportState(item["state"]),
        version=int(item.get("version", 0)),
        audit_head=item.get("audit_head", ""),
    )
    if plan:
        job.total, job.chunks, job.planned = int(plan.get("total") or 0), int(plan.get("chunks") or 0), True
    if progress:  # counts of chunks made, which a retried job keeps
        job.done = int(progress.get("done") or 0)
        job.failed = int(progress.get("failed") or 0)
        job.chunks_done = int(progress.get("chunks_done") or 0)
        job.chunk_retries = int(progress.get("chunk_retries") or 0)
        job.failures = list(progress.get("failures") or [])
    if retry:
        job.last_retry = {k: retry.get(k) for k in ("chunk", "tries", "error", "at")}
    if alive:
        job.chunk_made_at = alive.get("at") or ""
    return job


PARTS = ("PROGRESS", "PLAN", "RETRY", "ALIVE")  # export_from_items' order
PARTS_LISTED = ("EXPORT", *PARTS)  # the items of a job listed in the exports index


def _listed(requested_at: str, export_id: str) -> dict[str, str]:
    """The exports index's keys, which a job's progress, plan and retry items carry beside the job's own, so the
    newest exports are read with their progress in one Query (issue 24)."""
    return keys.export_job_gsi1(requested_at, export_id)


def _parts(export_id: str) -> dict[str, dict[str, str]]:
    return {
        "PROGRESS": keys.export_progress(export_id),
        "PLAN": keys.export_plan(export_id),
        "RETRY": keys.export_retry(export_id),
        "ALIVE": keys.export_alive(export_id),
    }


class ExportRepository(Repository):
    """Export jobs: audited state changes, progress written as the worker goes, Idempotency-Keys."""

    def get(self, export_id: str, consistent: bool = False) -> ExportJob | None:
        """One job with its progress (one Query), or None."""
        key = keys.export_job(export_id)
        if consistent:
            items = {"EXPORT": self._table.get(key, consistent=True)}
            items |= {sk: self._table.get(k, consistent=True) for sk, k in _parts(export_id).items()}
        else:
            items = {i["sk"]: i for i in self._table.query(key["pk"])}
        job = items.get("EXPORT")
        if job is None:
            return None
        self._uow.remember(job)
        return export_from_items(job, *(items.get(sk) for sk in PARTS))

    def existing(self, export_id: str, consistent: bool = False) -> ExportJob:
        """One job; NotFound if there is none."""
        job = self.get(export_id, consistent=consistent)
        if job is None:
            raise NotFound(f"no export {export_id!r}")
        return job

    def recent(self, limit: int = 25) -> list[ExportJob]:
        """The newest jobs, newest first, with their progress, plan and retry items, which are listed beside the
        job in the same index (issue 24: one Query). A job listed without its progress item (made before the
        progress was listed beside it) has its parts read in one batch."""
        index, pk = keys.exports_index()
        groups: dict[str, dict[str, Item]] = {}
        cursor = None
        while True:  # one page, unless a page ends (1 MB) before a job past the `limit` shown has begun
            # One item over a full page of jobs: a page ending inside a job ends after the `limit` jobs shown.
            size = limit * len(PARTS_LISTED) + 1
            page = self._table.query_page(pk, index=index, limit=size, cursor=cursor, descending=True)
            for item in page.items:
                groups.setdefault(item["pk"], {})[item["sk"]] = item
            cursor = page.cursor
            if cursor is None or len(groups) > limit:
                break
        jobs = [g for g in groups.values() if "EXPORT" in g][:limit]
        unlisted = [g["EXPORT"]["export_id"] for g in jobs if "PROGRESS" not in g]
        wanted = [k for export_id in unlisted for k in _parts(export_id).values()]
        for i in self._table.get_many(wanted) if wanted else []:
            groups[i["pk"]][i["sk"]] = i
        return [export_from_items(g["EXPORT"], *(g.get(sk) for sk in PARTS)) for g in jobs]

    def save(self, job: ExportJob, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> ExportJob:
        """Stage the audited job (a new one with its progress item, listed beside it); returns it as stored."""
        if new:
            progress = {**keys.export_progress(job.export_id), "type": "export_progress", "done": 0}
            self._uow.add(Put(progress | _listed(job.requested_at, job.export_id), must_not_exist=True))
        stored = self._audited(
            keys.entity_export(job.export_id),
            export_to_item(job),
            new,
            actor=actor,
            action=action,
            at=at,
            reason=reason,
        )
        saved = export_from_items(stored)
        for name in (
            "total",
            "done",
            "failed",
            "failures",
            "planned",
            "chunks",
            "chunks_done",
            "chunk_retries",
            "chunk_made_at",
        ):
            setattr(saved, name, getattr(job, name))
        saved.last_retry = job.last_retry
        return saved

    def claim_key(self, requested_by: str, idempotency_key: str, export_id: str, fingerprint: str, at: str) -> None:
        """Stage the Idempotency-Key's item: the commit fails with Conflict if the key was used before."""
        item = {
            **keys.export_request(requested_by, idempotency_key),
            "type": "export_request",
            "export_id": export_id,
            "fingerprint": fingerprint,
            "at": at,
        }
        self._uow.add(Put(item, must_not_exist=True))

    def by_key(self, requested_by: str, idempotency_key: str) -> dict[str, Any] | None:
        """What an Idempotency-Key created: {export_id, fingerprint}, or None."""
        item = self._table.get(keys.export_request(requested_by, idempotency_key), consistent=True)
        return {"export_id": item["export_id"], "fingerprint": item["fingerprint"]} if item else None

    def add_chunk(self, export_id: str, n: int, employee_ids: list[str]) -> bool:
        """Store chunk n with its reviews, unless a previous run of the fan-out stored it (False then)."""
        item = {
            **keys.export_chunk(export_id, n),
            "type": "export_chunk",
            "export_id": export_id,
            "chunk": n,
            "employee_ids": employee_ids,
            "state": ChunkState.PENDING.value,
            "tries": 0,
            "version": 1,
        }
        try:
            self._table.transact([Put(item, must_not_exist=True)])
        except Conflict:
            return False
        return True

    def chunk(self, export_id: str, n: int) -> Item | None:
        """Chunk n as stored now (a consistent read), or None."""
        return self._table.get(keys.export_chunk(export_id, n), consistent=True)

    def chunks(self, export_id: str) -> Iterator[Item]:
        """The export's chunks in order, a page of CHUNKS_PER_PAGE at a time (never all at once)."""
        cursor = None
        while True:
            page = self._table.query_page(keys.export_chunks(export_id), limit=CHUNKS_PER_PAGE, cursor=cursor)
            yield from page.items
            if page.cursor is None:
                return
            cursor = page.cursor

    def finish_chunk(
        self, job: ExportJob, chunk: Item, piece: dict[str, Any], made: int, failures: list[dict[str, Any]], at: str
    ) -> None:
        """Mark a chunk made, with its piece (object key, size, entries) and failures, add its counts to the job's
        progress and note when, in one transaction conditional on the chunk's version read and the job's (`job` as
        the worker read it last): a duplicate delivery of the same chunk, or a late one of a job failed or retried
        since, is refused (StaleWrite) instead of counting."""
        export_id = chunk["export_id"]
        version = int(chunk["version"])
        done = {**chunk, **piece, "state": ChunkState.DONE.value, "failures": failures, "version": version + 1}
        counts = {"chunks_done": 1, "done": made, "failed": len(failures)}
        alive = {**keys.export_alive(export_id), "type": "export_alive", "at": at}
        self._table.transact(
            [
                Put(done, expect_version=version),
                Check(keys.export_job(export_id), expect_version=job.version),
                Increment(keys.export_progress(export_id), counts, {"type": "export_progress"}),
                Put(alive | _listed(job.requested_at, export_id)),
            ]
        )

    def reopen_chunk(self, chunk: Item) -> None:
        """Put a made chunk back to pending (its piece is gone: the bucket's 2-day rule, a local restart) and take
        its counts back off the progress, in one transaction at the version read."""
        export_id = chunk["export_id"]
        version = int(chunk["version"])
        made = {k: v for k, v in chunk.items() if k not in ("piece_key", "piece_size", "entries", "failures")}
        counts = {
            "chunks_done": -1,
            "done": -len(chunk.get("entries") or []),
            "failed": -len(chunk.get("failures") or []),
        }
        self._table.transact(
            [
                Put({**made, "state": ChunkState.PENDING.value, "version": version + 1}, expect_version=version),
                Increment(keys.export_progress(export_id), counts, {"type": "export_progress"}),
            ]
        )

    def note_retry(self, job: ExportJob, n: int, tries: int, error: str, at: str) -> None:
        """Record a failed attempt of chunk n (SQS delivers it again): on the chunk, and as the job's latest."""
        export_id = job.export_id
        note = {**keys.export_retry(export_id), "type": "export_retry", "chunk": n, "tries": tries, "error": error}
        note |= _listed(job.requested_at, export_id)
        self._table.transact(
            [
                Increment(keys.export_chunk(export_id, n), {"tries": 1}),
                Increment(keys.export_progress(export_id), {"chunk_retries": 1}, {"type": "export_progress"}),
                Put({**note, "at": at}),
            ]
        )

    def save_plan(self, job: ExportJob, chunks: int, total: int, at: str) -> None:
        """Write how the export was cut, once (a redelivered fan-out finds it and keeps it)."""
        export_id = job.export_id
        item = {**keys.export_plan(export_id), "type": "export_plan", "chunks": chunks, "total": total, "at": at}
        item |= _listed(job.requested_at, export_id)
        try:
            self._table.transact([Put(item, must_not_exist=True)])
        except Conflict:
            pass

    def write_failures(self, export_id: str, failures: list[dict[str, Any]]) -> None:
        """Keep the first failures on the progress item for the pages (once every chunk is done, so no chunk's
        count can race this write; the ZIP's FAILED.txt lists them all)."""
        progress = self._table.get(keys.export_progress(export_id), consistent=True) or {
            **keys.export_progress(export_id),
            "type": "export_progress",
        }
        self._table.transact([Put({**progress, "failures": failures[:200]})])

    def slots(self, requested_by: str, count: int) -> list[Item | None]:
        """A person's slots 0..count-1 as stored now (consistent reads): each {export_id, version} or None."""
        found = [self._table.get(keys.export_slot(requested_by, n), consistent=True) for n in range(count)]
        return [{"export_id": i["export_id"], "version": int(i["version"])} if i else None for i in found]

    def take_slot(self, requested_by: str, n: int, export_id: str, at: str, held: Item | None) -> None:
        """Stage taking slot n for a job: the commit fails with Conflict (entity "export_slot") if anyone took or
        freed it since `held` (None: it was free) was read."""
        version = int(held["version"]) + 1 if held else 1
        item = {
            **keys.export_slot(requested_by, n),
            "type": "export_slot",
            "export_id": export_id,
            "at": at,
            "version": version,
        }
        if held is None:
            self._uow.add(Put(item, must_not_exist=True))
        else:
            self._uow.add(Put(item, expect_version=int(held["version"])))

    def release_slot(self, requested_by: str, export_id: str, count: int) -> None:
        """Stage freeing the slot a job holds, if it holds one (at the version read: a slot taken meanwhile by
        another job is not freed)."""
        for n, held in enumerate(self.slots(requested_by, count)):
            if held is not None and held["export_id"] == export_id:
                self._uow.add(Delete(keys.export_slot(requested_by, n), expect_version=int(held["version"])))
