"""The demo's goal check-ins (issue 28, point 2): timelines on the goal pages, the latest check-in in the alignment
report, and a goal due a check-in in its owner's daily reminder (through the digest and channel path)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.services import cycles, goals
from service.services.auth import Principal
from service.services.directory import get_person
from service.services.reminders import send_reminders


@pytest.fixture(scope="module")
def demo():
    table, clock = MemoryTable(), FixedClock(datetime(2026, 6, 1, 8, tzinfo=UTC))
    load_demo(table, clock)
    return table, clock, cycles.list_cycles(UnitOfWork(table))[0]


def test_goals_have_check_in_timelines_and_the_report_shows_the_latest(demo):
    table, _, active = demo
    (goal,) = [g for g in goals.person_goals(UnitOfWork(table), "E008", active.cycle_id) if g.title.startswith("Blue")]
    notes = [h for h in goal.history if h.get("checkin")]
    assert [h["values"] for h in notes] == [{goal.key_results[0].id: v} for v in (3, 5, 8)]
    assert notes[-1]["comment"] == "Only the two legacy services are left." and round(goal.progress) == 80
    leader = Principal.of(get_person(UnitOfWork(table), "E001"))
    report = goals.alignment_report(UnitOfWork(table), leader, active.cycle_id)
    (failover,) = [g for g in report.at_risk.goals if g.title == "Automate database failover"]
    assert failover.checked_in is not None and failover.checked_in.startswith("2026-")


def test_a_goal_due_a_check_in_reaches_its_owner_in_the_daily_reminder(demo):
    table, clock, _ = demo
    mailer = MemoryMailer()
    send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    person = get_person(UnitOfWork(table), "E009")
    (mail,) = [m for m in mailer.sent if m.to == (person.email,)]
    assert "- Cut p95 latency to 200 ms: due" in mail.text and "check in at https://reviews.example/goals/" in mail.text
