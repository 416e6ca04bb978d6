"""Claims on reminder and escalation emails in the table: `uow.reminders`."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from service.adapters import keys
from service.adapters.clock import iso
from service.adapters.mailer import Email, SendFailed
from service.adapters.repository import Repository
from service.adapters.store import Delete, Item, Op, Put, Table, key_of
from service.domain.errors import Conflict, Unavailable

# Ops a settle writes in one transaction with the claim (DynamoDB takes 100); more notices are deleted before it.
SETTLE_BATCH = 99


@dataclass(frozen=True)
class Notice:
    """A message waiting for its recipient's daily digest."""

    address: str
    subject: str
    text: str
    digest_key: str
    cycle_id: str | None
    key: dict[str, str]


def keep_for_digest(table: Table) -> KeepNotice:
    """What the mailer calls to keep a message for the digest: one item in the table, written at once."""
    return KeepNotice(table)


class KeepNotice:
    """Writes a message that may wait into the digest partitions (a failed write is a failed send)."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def __call__(self, address: str, email: Email) -> None:
        at = iso(datetime.now(UTC))
        item = {
            **keys.digest_notice(address, at, _nonce()),
            "type": "digest_notice",
            "address": address,
            "subject": email.subject,
            "text": email.text,
            "digest_key": email.digest_key,
            "cycle_id": email.cycle_id,
            "at": at,
        }
        try:
            self.table.transact([Put(item, must_not_exist=True)])
        except Unavailable as exc:
            raise SendFailed(f"not kept for the digest: {exc}") from exc


class ReminderLog(Repository):
    """Claims on reminder and escalation emails: at most one reminder a person a day, one escalation a task.

    A claim is taken before a send ("sending") and settled after it ("sent" or "failed"); a failed send,
    or a claim left "sending" by a run that stopped (older than the lease), is open to the next run.
    Claims are written at once, not in the unit of work's transaction: each guards one email.
    """

    def claim_day(
        self, employee_id: str, day: str, at: str, now: datetime, lease: timedelta, rehearsal_of: str | None = None
    ) -> Item | None:
        """Take today's reminder of a person (or of a rehearsal cycle's tasks, which go to HR): the claim, or None
        when it is sent or being sent."""
        return self._claim(keys.reminder_day(employee_id, day, rehearsal_of), at, now, lease)

    def claim_escalation(
        self, cycle_id: str, employee_id: str, task: str, at: str, now: datetime, lease: timedelta
    ) -> Item | None:
        """Take the escalation of one overdue task: the claim, or None when it is sent or being sent."""
        return self._claim(keys.escalation(cycle_id, employee_id, task), at, now, lease)

    def _claim(self, key: dict[str, str], at: str, now: datetime, lease: timedelta) -> Item | None:
        # The claim id makes each claim unique, so a commit's read-back never takes another run's claim for its own.
        claim = {**key, "type": "reminder_log", "status": CLAIM_SENDING, "at": at, "version": 1, "claim_id": _nonce()}
        try:
            self._write_now(Put(claim, must_not_exist=True))
            return claim
        except Conflict:
            pass
        item = self._table.get(key, consistent=True)
        if item is None or not _claim_open(item, now, lease):
            return None
        claim = {**item, "status": CLAIM_SENDING, "at": at, "version": int(item["version"]) + 1, "claim_id": _nonce()}
        try:
            self._write_now(Put(claim, expect_version=int(item["version"])))
        except Conflict:  # another run took it first
            return None
        return claim

    def _write_now(self, op: Put) -> None:
        """One claim write, committed at once through its own unit of work (idempotent like every commit)."""
        with self._uow.another() as uow:
            uow.add(op)
            uow.commit()

    def notices(self) -> dict[str, list[Notice]]:
        """Every message waiting for a digest, by address (lower case), oldest first."""
        found: dict[str, list[Notice]] = {}
        for shard in range(keys.DIGEST_SHARDS):
            for i in self._table.query(keys.digest_partition(shard)):
                notice = Notice(i["address"], i["subject"], i["text"], i["digest_key"], i.get("cycle_id"), key_of(i))
                found.setdefault(i["address"].lower(), []).append(notice)
        return found

    def settle(self, claim: Item, at: str, error: str | None = None, delivered: tuple[Notice, ...] = ()) -> bool:
        """Record how the send went: sent, or failed (the next run sends it again). False: taken over meanwhile.

        `delivered`: the digest's notices, removed with a sent claim in its transaction (so a retried run neither
        sends them again nor loses them); a failed send leaves them for the retry."""
        if error:
            status = {"status": CLAIM_FAILED, "error": error[:500]}
            delivered = ()
        else:
            status = {"status": CLAIM_SENT, "sent_at": at, "error": None}
        item = {**claim, **status, "version": claim["version"] + 1}
        deletes: list[Op] = [Delete(n.key) for n in delivered]
        head, last = deletes[: max(0, len(deletes) - SETTLE_BATCH)], deletes[max(0, len(deletes) - SETTLE_BATCH) :]
        self._delete_now(head)
        try:
            with self._uow.another() as uow:
                uow.add(Put(item, expect_version=claim["version"]))
                for op in last:
                    uow.add(op)
                uow.commit()
        except Conflict:  # a later run took the claim over (this one outlived the lease): that run settles it
            return False
        return True

    def drop(self, stale: list[Notice]) -> None:
        """Remove notices about something no longer waiting (answered, closed) without sending them."""
        self._delete_now([Delete(n.key) for n in stale])

    def _delete_now(self, deletes: list[Op]) -> None:
        for start in range(0, len(deletes), SETTLE_BATCH):
            with self._uow.another() as uow:
                for op in deletes[start : start + SETTLE_BATCH]:
                    uow.add(op)
                uow.commit()


CLAIM_SENDING, CLAIM_SENT, CLAIM_FAILED = "sending", "sent", "failed"


def _nonce() -> str:
    return uuid.uuid4().hex


def _claim_open(item: Item, now: datetime, lease: timedelta) -> bool:
    """True when a claim's message was not sent: its send failed, or its sender stopped before saying."""
    status = item.get("status", CLAIM_SENT)  # logs written before sends were settled count as sent
    if status == CLAIM_FAILED:
        return True
    return status == CLAIM_SENDING and datetime.fromisoformat(item["at"]) <= now - lease
