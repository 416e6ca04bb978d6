"""Issue 21: a rehearsal cycle under the deployed functions' roles and template environments. The web function's
"Remind now", the reminders function's daily run and the training-report function each read whether the cycle is a
rehearsal and who HR is through their own role, and every message of that cycle reaches moto's SES for HR only."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from tests import factories as f
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import deployed, start
from tests.handlers.test_every_function_starts import scheduler_event
from tests.handlers.test_journeys_under_roles import sign_in

HR = "grace@example.com"  # E2, the HR person of the organisation


@pytest.fixture
def stack(monkeypatch, clock):
    """The stack on moto: each function runs with its template environment and role."""
    with deployed(monkeypatch, clock) as made:
        yield made


def test_a_rehearsal_cycles_emails_from_every_function_reach_hr_only(stack, monkeypatch, http_event):
    today = date.today()
    days = {"goal_setting": -10, "self_assessment": -5, "feedback": 10, "manager_assessment": 20, "discussion": 30}
    recent = FixedClock(datetime.now(UTC) - timedelta(hours=1))  # the functions read the real clock
    cycle = f.launched_cycle(
        stack.table,
        recent,
        rehearsal=True,
        period_start=today - timedelta(days=200),
        period_end=today + timedelta(days=100),
        phases={name: today + timedelta(days=d) for name, d in days.items()},
    )

    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    overdue = f"/hr/cycles/{cycle.cycle_id}/overdue"
    page = hr.post(f"/hr/cycles/{cycle.cycle_id}/remind", [], token_from=overdue)
    assert "Reminder sent to 6 people" in page["body"] and "could not be sent" not in page["body"]

    reminders = start(stack, "RemindersFunction", monkeypatch)
    daily = reminders(scheduler_event(), LambdaContext())  # the escalations to the managers (reminded today)
    assert daily["failed"] == 0 and daily["escalations"] == 3

    current = cycle_svc.get_cycle(UnitOfWork(stack.table), cycle.cycle_id)
    principal = f.principal(stack.table, "E2")
    cycle_svc.close_cycle(UnitOfWork(stack.table), principal, cycle.cycle_id, current.version, recent)
    report = start(stack, "TrainingReportFunction", monkeypatch)(scheduler_event(), LambdaContext())
    assert (report["sent"], report["failed"]) == (1, 0)

    sent = stack.sent_emails()
    assert len(sent) == 6 + 3 + 1
    assert all(m.destinations["ToAddresses"] == [HR] for m in sent)
    assert all(m.subject.startswith("[Rehearsal] ") and "It would have gone to: " in m.body for m in sent)
    assert any("It would have gone to: ada@example.com" in m.body and "Training-need report" in m.subject for m in sent)
