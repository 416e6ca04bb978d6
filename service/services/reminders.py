"""Reminders: email people about overdue review tasks (at most once a day), tell managers at 3 days."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from service.adapters import keys
from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import Email, Mailer, SendFailed
from service.adapters.metrics import ESCALATIONS_SENT, REMINDER_SENDS_FAILED, REMINDERS_SENT, Metrics, current
from service.adapters.repositories import Directory, cycle_from_item, review_from_item
from service.adapters.store import Item, Put, Table
from service.domain.cycles import CycleState
from service.domain.directory import Employee
from service.domain.errors import Conflict

ESCALATE_AFTER_DAYS = 3
SENDING, SENT, FAILED = "sending", "sent", "failed"
# A claim still "sending" after this long belongs to a run that stopped (the function times out at 5 minutes).
LEASE = timedelta(minutes=10)
log = logging.getLogger(__name__)
TASK_LABELS = {
    "self_assessment": "Self assessment",
    "manager_assessment": "Manager assessment",
    "discussion": "Review discussion",
    "acknowledgement": "Acknowledge your review",
}


@dataclass(frozen=True)
class OverdueTask:
    """A task past its deadline: who owes it, for whom, and by how much."""

    cycle_id: str
    cycle_name: str
    task: str
    owner_id: str
    subject_id: str
    subject_name: str
    due: date
    days: int

    @property
    def label(self) -> str:
        """Human name of the task."""
        return TASK_LABELS.get(self.task, self.task)


def overdue_tasks(table: Table, today: date) -> list[OverdueTask]:
    """Every overdue task of every active cycle (a background job: queries each cycle's reviews)."""
    directory = Directory(table)
    found: list[OverdueTask] = []
    for item in table.query("CYCLES", index="gsi1"):
        cycle = cycle_from_item(item)
        if cycle.state is not CycleState.ACTIVE:
            continue
        reviews = [review_from_item(i) for i in table.query(keys.cycle(cycle.cycle_id)["pk"], "REVIEW#")]
        people = directory.get_many([r.employee_id for r in reviews])
        for r in reviews:
            task = cycle.task_for(r.state)
            if task is None or task[2] is None or today <= task[2]:
                continue
            name, owner_kind, due = task
            person = people.get(r.employee_id)
            owner = r.employee_id if owner_kind == "employee" else (person.manager_id if person else r.manager_id)
            if owner is None or owner_kind == "hr":
                continue
            found.append(
                OverdueTask(
                    cycle.cycle_id, cycle.name, name, owner, r.employee_id, r.employee_name, due, (today - due).days
                )
            )
    return found


def _claim(table: Table, key: dict[str, str], at: str, now: datetime) -> Item | None:
    """Take the right to send one message: the claim as stored, or None when it was sent or is being sent.

    A send that failed (or a run that stopped mid-send, after LEASE) leaves its claim open to the next run.
    """
    claim = {**key, "type": "reminder_log", "status": SENDING, "at": at, "version": 1}
    try:
        table.transact([Put(claim, must_not_exist=True)])
        return claim
    except Conflict:
        pass
    item = table.get(key, consistent=True)
    if item is None or not _open(item, now):
        return None
    claim = {**item, "status": SENDING, "at": at, "version": int(item["version"]) + 1}
    try:
        table.transact([Put(claim, expect_version=int(item["version"]))])
    except Conflict:  # another run took it first
        return None
    return claim


def _open(item: Item, now: datetime) -> bool:
    """True when a claim's message was not sent: its send failed, or its sender stopped before saying."""
    status = item.get("status", SENT)  # logs written before sends were settled count as sent
    if status == FAILED:
        return True
    return status == SENDING and datetime.fromisoformat(item["at"]) <= now - LEASE


def _settle(table: Table, claim: Item, at: str, error: str | None = None) -> None:
    """Record how the send of a claimed message went: sent, or failed (then the next run sends it again)."""
    status = {"status": FAILED, "error": error[:500]} if error else {"status": SENT, "sent_at": at, "error": None}
    try:
        table.transact([Put({**claim, **status, "version": claim["version"] + 1}, expect_version=claim["version"])])
    except Conflict:  # a later run took the claim over (this one outlived LEASE): that run settles it
        log.warning("claim %s %s was taken over before it was settled", claim["pk"], claim["sk"])


def _send(table: Table, mailer: Mailer, claims: list[Item], email: Email, at: str) -> bool:
    """Send one message for its claims; True when it was handed over. A failure is logged and left for a retry."""
    try:
        mailer.send(email)
    except SendFailed as exc:
        log.warning("sending %r to %s failed, the next run retries: %s", email.subject, ", ".join(email.to), exc)
        for claim in claims:
            _settle(table, claim, at, error=str(exc) or type(exc).__name__)
        return False
    for claim in claims:
        _settle(table, claim, at)
    return True


def send_reminders(
    table: Table, mailer: Mailer, clock: Clock, base_url: str = "", metrics: Metrics | None = None
) -> dict[str, int]:
    """Email each person with overdue tasks once today; tell managers once a task is 3 days overdue.

    A message counts as sent only once the mailer took it; a failed one does not stop the run and is sent
    again by the next run (the handler fails the invocation, so Lambda runs it again).
    """
    metrics = metrics if metrics is not None else current()
    now = clock.now()
    today, at = now.date(), iso(now)
    tasks = overdue_tasks(table, today)
    directory = Directory(table)
    by_owner: dict[str, list[OverdueTask]] = {}
    for t in tasks:
        by_owner.setdefault(t.owner_id, []).append(t)
    people = directory.get_many(sorted(by_owner))
    reminded = failed = 0
    for owner_id, owned in sorted(by_owner.items()):
        person = people.get(owner_id)
        if person is None or not person.active:
            continue
        claim = _claim(table, keys.reminder_day(owner_id, today.isoformat()), at, now)
        if claim is None:
            continue
        text = render("email/reminder.txt", person=person, tasks=owned, base_url=base_url)
        email = Email((person.email,), f"Overdue review tasks ({len(owned)})", text)
        if _send(table, mailer, [claim], email, at):
            reminded += 1
        else:
            failed += 1
    late = [t for t in tasks if t.days >= ESCALATE_AFTER_DAYS]
    escalated, escalations_failed = _escalate(table, mailer, directory, late, at, now, people)
    metrics.add(REMINDERS_SENT, reminded)
    metrics.add(ESCALATIONS_SENT, escalated)
    metrics.add(REMINDER_SENDS_FAILED, failed + escalations_failed)
    return {
        "overdue_tasks": len(tasks),
        "reminded": reminded,
        "escalations": escalated,
        "failed": failed + escalations_failed,
    }


def _escalate(
    table: Table,
    mailer: Mailer,
    directory: Directory,
    late: list[OverdueTask],
    at: str,
    now: datetime,
    people: dict[str, Employee],
) -> tuple[int, int]:
    """(escalation emails sent, failed): one per manager, over the tasks not yet escalated."""
    owners = {**people, **directory.get_many(sorted({t.owner_id for t in late} - set(people)))}
    late_owners = [owners[t.owner_id] for t in late if t.owner_id in owners]
    managers = directory.get_many(sorted({o.manager_id for o in late_owners if o.manager_id}))
    by_manager: dict[str, list[dict[str, Any]]] = {}
    claims: dict[str, list[Item]] = {}
    for t in late:
        owner = owners.get(t.owner_id)
        manager = managers.get(owner.manager_id) if owner and owner.manager_id else None
        if owner is None or manager is None or not manager.active:
            continue
        claim = _claim(table, keys.escalation(t.cycle_id, t.subject_id, t.task), at, now)
        if claim is None:
            continue
        claims.setdefault(manager.employee_id, []).append(claim)
        by_manager.setdefault(manager.employee_id, []).append(
            {**t.__dict__, "label": t.label, "owner_name": owner.name}
        )
    sent = failed = 0
    for manager_id, rows in sorted(by_manager.items()):
        manager = managers[manager_id]
        text = render("email/escalation.txt", person=manager, tasks=rows)
        email = Email((manager.email,), f"Review tasks 3+ days overdue in your team ({len(rows)})", text)
        if _send(table, mailer, claims[manager_id], email, at):
            sent += 1
        else:
            failed += 1
    return sent, failed
