"""Issue 28, point 4: the reminders function's daily run, under its role, makes the day of a schedule rule and
(issue 24) hands its reviews to the worker function in chunks through the work queue; the worker, under its role,
creates them once, however often a chunk is delivered, and the new review's email goes out in the digest."""

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
from tests.handlers.test_every_function_starts import scheduler_event, sqs_event


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
    # Issue 24: the day's reviews go to the worker function in chunks, one message each, under its role.
    assert (result["schedules"]["queued"], result["schedules"]["reviews"], result["failed"]) == (1, 0, 0)
    cycle_id = f"sched-{rule.rule_id}-{date.today():%Y%m%d}"
    [message] = stack.sqs.receive_message(QueueUrl=stack.queue_url("WorkQueue"), MaxNumberOfMessages=10)["Messages"]
    worker = start(stack, "WorkerFunction", monkeypatch)
    event = sqs_event([message], stack.queue_arn("WorkQueue"))
    assert worker(event, LambdaContext()) == {"batchItemFailures": []}
    assert worker(event, LambdaContext()) == {"batchItemFailures": []}  # delivered twice: made once
    stack.sqs.delete_message(QueueUrl=stack.queue_url("WorkQueue"), ReceiptHandle=message["ReceiptHandle"])
    assert [r.employee_id for r in UnitOfWork(stack.table).reviews.of_cycle(cycle_id)] == ["E4"]

    reminders = start(stack, "RemindersFunction", monkeypatch)
    again = reminders(scheduler_event(), LambdaContext())  # the next run: nothing made twice, the email in the digest
    assert again["schedules"]["queued"] == 0
    assert [r.employee_id for r in UnitOfWork(stack.table).reviews.of_cycle(cycle_id)] == ["E4"]
    to_katherine = [m for m in stack.sent_emails() if "katherine@example.com" in m.destinations["ToAddresses"]]
    assert len(to_katherine) == 1 and f"{API_URL}/cycles/{cycle_id}/reviews/E4" in to_katherine[0].body
