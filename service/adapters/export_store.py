"""Export jobs in the table: `uow.exports`.

The job (`EXPORT#id / EXPORT`) changes state through audited saves; its progress (`EXPORT#id / PROGRESS`)
is a separate item the worker overwrites as it goes, so counting PDFs leaves no audit records and never
races the job's version. One Query on the job's partition reads both. An Idempotency-Key is an item of its
own (`EXPORTKEY#person#key / KEY`), created in the job's transaction.

A person's limit of unfinished jobs is a few slot items (`EXPORTSLOT#person / SLOT#n`): queuing a job takes a
free slot in the job's own transaction (absent, or held by a job no longer queued or running: reclaimed at its
version), and the transaction that finishes or fails the job frees it. Two requests that pick the same slot
cannot both commit, so the limit holds however many arrive at once.
"""

from __future__ import annotations

from typing import Any

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Delete, Item, Put
from service.domain.errors import NotFound
from service.domain.exports import ExportJob, ExportState

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


def export_from_items(item: Item, progress: Item | None = None) -> ExportJob:
    """Item (and its progress item) → ExportJob."""
    job = ExportJob(
        **{f: item.get(f) for f in JOB_FIELDS if f not in ("size", "attempts", "error")},
        size=int(item.get("size") or 0),
        attempts=int(item.get("attempts") or 0),
        error=item.get("error") or "",
        state=ExportState(item["state"]),
        version=int(item.get("version", 0)),
        audit_head=item.get("audit_head", ""),
    )
    if progress and int(progress.get("attempt", 0)) == job.attempts:  # a previous run's count is not this one's
        job.total = int(progress.get("total") or 0)
        job.done = int(progress.get("done") or 0)
        job.failures = list(progress.get("failures") or [])
    return job


class ExportRepository(Repository):
    """Export jobs: audited state changes, progress written as the worker goes, Idempotency-Keys."""

    def get(self, export_id: str, consistent: bool = False) -> ExportJob | None:
        """One job with its progress (one Query), or None."""
        key = keys.export_job(export_id)
        if consistent:
            job = self._table.get(key, consistent=True)
            progress = self._table.get(keys.export_progress(export_id), consistent=True)
        else:
            items = {i["sk"]: i for i in self._table.query(key["pk"])}
            job, progress = items.get("EXPORT"), items.get("PROGRESS")
        if job is None:
            return None
        self._uow.remember(job)
        return export_from_items(job, progress)

    def existing(self, export_id: str, consistent: bool = False) -> ExportJob:
        """One job; NotFound if there is none."""
        job = self.get(export_id, consistent=consistent)
        if job is None:
            raise NotFound(f"no export {export_id!r}")
        return job

    def recent(self, limit: int = 25) -> list[ExportJob]:
        """The newest jobs, newest first (their progress read in one batch)."""
        index, pk = keys.exports_index()
        jobs = self._table.query_page(pk, index=index, limit=limit, descending=True).items
        progress = {p["pk"]: p for p in self._table.get_many([keys.export_progress(j["export_id"]) for j in jobs])}
        return [export_from_items(j, progress.get(j["pk"])) for j in jobs]

    def save(self, job: ExportJob, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> ExportJob:
        """Stage the audited job; returns it as stored."""
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
        saved.total, saved.done, saved.failures = job.total, job.done, job.failures
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

    def write_progress(self, job: ExportJob) -> None:
        """Write the job's progress now (outside any transaction: the worker's running count)."""
        item = {
            **keys.export_progress(job.export_id),
            "type": "export_progress",
            "attempt": job.attempts,
            "total": job.total,
            "done": job.done,
            "failures": job.failures[:200],  # enough to act on; the ZIP's list holds them all
        }
        self._table.transact([Put(item)])

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
