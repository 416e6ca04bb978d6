"""Check-in reminders (issue 28, point 2): a goal's rhythm puts it in its owner's daily reminder once due."""

from __future__ import annotations

from datetime import UTC, datetime

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import checkins as checkin_svc
from service.services import goals as goal_svc
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.conftest import ORG_CSV


def test_a_goal_due_a_check_in_is_in_the_owners_reminder_until_checked_in():
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock, participant_mode="list", employee_ids=["E4", "E5"])
    me = f.principal(table, "E4")
    data = {"level": "individual", "title": "Ship the parser", "cycle_id": cycle.cycle_id, "weight": 100}
    goal = goal_svc.create_goal(UnitOfWork(table), me, {**data, "checkin_rhythm": "weekly"}, clock)
    mailer = MemoryMailer()
    clock.at = datetime(2026, 3, 8, 8, tzinfo=UTC)  # six days on: not due yet (and no review task is overdue)
    send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    assert mailer.sent == []
    clock.at = datetime(2026, 3, 9, 8, tzinfo=UTC)
    send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    [mail] = mailer.sent
    assert mail.to == ("katherine@example.com",) and mail.subject == "Goal check-ins due (1)"
    assert f"- Ship the parser: due 9 Mar 2026 — check in at https://reviews.example/goals/{goal.goal_id}" in mail.text
    checkin_svc.check_in(UnitOfWork(table), me, goal.goal_id, {"confidence": "on_track", "comment": "Fine."}, 1, clock)
    assert checkin_svc.due_check_ins(UnitOfWork(table), clock.now().date()) == {}
