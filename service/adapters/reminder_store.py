"""Claims on reminder and escalation emails in the table: `uow.reminders`."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Item, Put
from service.domain.errors import Conflict


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

    def settle(self, claim: Item, at: str, error: str | None = None) -> bool:
        """Record how the send went: sent, or failed (the next run sends it again). False: taken over meanwhile."""
        if error:
            status = {"status": CLAIM_FAILED, "error": error[:500]}
        else:
            status = {"status": CLAIM_SENT, "sent_at": at, "error": None}
        item = {**claim, **status, "version": claim["version"] + 1}
        try:
            self._write_now(Put(item, expect_version=claim["version"]))
        except Conflict:  # a later run took the claim over (this one outlived the lease): that run settles it
            return False
        return True


CLAIM_SENDING, CLAIM_SENT, CLAIM_FAILED = "sending", "sent", "failed"


def _nonce() -> str:
    return uuid.uuid4().hex


def _claim_open(item: Item, now: datetime, lease: timedelta) -> bool:
    """True when a claim's message was not sent: its send failed, or its sender stopped before saying."""
    status = item.get("status", CLAIM_SENT)  # logs written before sends were settled count as sent
    if status == CLAIM_FAILED:
        return True
    return status == CLAIM_SENDING and datetime.fromisoformat(item["at"]) <= now - lease
