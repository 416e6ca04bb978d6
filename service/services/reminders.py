"""Reminders: email people about overdue review tasks (at most once a day), tell managers at 3 days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service.adapters import keys
from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import Email, Mailer
from service.adapters.repositories import Directory, cycle_from_item, review_from_item
from service.adapters.store import Put, Table
from service.domain.cycles import CycleState
from service.domain.directory import Employee
from service.domain.errors import Conflict

ESCALATE_AFTER_DAYS = 3
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


def _claim(table: Table, key: dict[str, str], at: str) -> bool:
    """Record that something was sent; False when it already was (at most once)."""
    try:
        table.transact([Put({**key, "type": "reminder_log", "at": at}, must_not_exist=True)])
    except Conflict:
        return False
    return True


def send_reminders(table: Table, mailer: Mailer, clock: Clock, base_url: str = "") -> dict[str, int]:
    """Email each person with overdue tasks once today; tell managers once a task is 3 days overdue."""
    now = clock.now()
    today, at = now.date(), iso(now)
    tasks = overdue_tasks(table, today)
    directory = Directory(table)
    by_owner: dict[str, list[OverdueTask]] = {}
    for t in tasks:
        by_owner.setdefault(t.owner_id, []).append(t)
    people = directory.get_many(sorted(by_owner))
    reminded = 0
    for owner_id, owned in sorted(by_owner.items()):
        person = people.get(owner_id)
        if person is None or not person.active or not _claim(table, keys.reminder_day(owner_id, today.isoformat()), at):
            continue
        text = render("email/reminder.txt", person=person, tasks=owned, base_url=base_url)
        mailer.send(Email((person.email,), f"Overdue review tasks ({len(owned)})", text))
        reminded += 1
    escalated = _escalate(table, mailer, directory, [t for t in tasks if t.days >= ESCALATE_AFTER_DAYS], at, people)
    return {"overdue_tasks": len(tasks), "reminded": reminded, "escalations": escalated}


def _escalate(
    table: Table, mailer: Mailer, directory: Directory, late: list[OverdueTask], at: str, people: dict[str, Employee]
) -> int:
    owners = {**people, **directory.get_many(sorted({t.owner_id for t in late} - set(people)))}
    by_manager: dict[str, list[dict[str, Any]]] = {}
    for t in late:
        owner = owners.get(t.owner_id)
        if owner is None or owner.manager_id is None:
            continue
        if not _claim(table, keys.escalation(t.cycle_id, t.subject_id, t.task), at):
            continue
        by_manager.setdefault(owner.manager_id, []).append({**t.__dict__, "label": t.label, "owner_name": owner.name})
    managers = directory.get_many(sorted(by_manager))
    sent = 0
    for manager_id, rows in sorted(by_manager.items()):
        manager = managers.get(manager_id)
        if manager is None or not manager.active:
            continue
        text = render("email/escalation.txt", person=manager, tasks=rows)
        mailer.send(Email((manager.email,), f"Review tasks 3+ days overdue in your team ({len(rows)})", text))
        sent += 1
    return sent
