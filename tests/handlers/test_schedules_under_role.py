"""Issue 28, point 4: the reminders function's daily run, under its role, creates the reviews a schedule rule makes
(once, however often it runs) and the new review's email goes out in that day's digest."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from service.adapters.clock import Clock
from service.adapters.unit_of_work import UnitOfWork
from service.services import schedules as schedule_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import API_URL, deployed, start
from tests.handlers.test_every_function_starts import scheduler_event


class Yesterday(Clock):
    """The real clock a day back: the rule exists since yesterday, so today is in its first window."""

    def now(self) -> datetime:
        return datetime.now(UTC) - timedelta(days=1)


@pytest.fixture
def stack(monkeypatch, clock):
    with deployed(monkeypatch, clock) as made:
        yield made


def test_the_daily_run_creates_a_probation_review_once_and_mails_it_in_the_digest(stack, monkeypatch, clock):
    started = date.today() - timedelta(days=90)  # the functions read the real date
    org = ORG_CSV.replace("roles\n", "roles,start_date\n", 1).replace(",E3,\n", f",E3,,{started}\n", 1)
    import_organisation(UnitOfWork(stack.table), None, org, clock)
    hr = f.principal(stack.table, "E2")
    template = template_svc.create_template(UnitOfWork(stack.table), hr, f.template_data(), clock)
    data = {"name": "Probation", "kind": "probation", "template_id": template.template_id, "days": 90}
    rule = schedule_svc.create_rule(UnitOfWork(stack.table), hr, data, Yesterday())

    reminders = start(stack, "RemindersFunction", monkeypatch)
    result = reminders(scheduler_event(), LambdaContext())
    assert result["schedules"]["reviews"] == 1 and result["failed"] == 0
    cycle_id = f"sched-{rule.rule_id}-{date.today():%Y%m%d}"
    assert UnitOfWork(stack.table).reviews.get(cycle_id, "E4") is not None
    to_katherine = [m for m in stack.sent_emails() if "katherine@example.com" in m.destinations["ToAddresses"]]
    assert len(to_katherine) == 1 and f"{API_URL}/cycles/{cycle_id}/reviews/E4" in to_katherine[0].body

    again = reminders(scheduler_event(), LambdaContext())  # Lambda's retry, or a second run the same day
    assert again["schedules"]["reviews"] == 0
    assert [r.employee_id for r in UnitOfWork(stack.table).reviews.of_cycle(cycle_id)] == ["E4"]
