"""Issue 28, point 4, the kind of rule the role tests had not run: the reminders function's daily run, under its
role, adds a person who joined while a cycle runs to that cycle (a joiners rule) and mails them in the digest."""

from __future__ import annotations

from datetime import date

from service.adapters.unit_of_work import UnitOfWork
from service.services import schedules as schedule_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import start
from tests.handlers.test_every_function_starts import scheduler_event, sqs_event
from tests.handlers.test_schedules_under_role import Yesterday, stack  # noqa: F401 - the stack fixture


def test_the_daily_run_adds_a_joiner_to_the_running_cycle_under_its_role(stack, monkeypatch, clock):  # noqa: F811
    import_organisation(UnitOfWork(stack.table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(stack.table, clock)
    hr = f.principal(stack.table, "E2")
    rule = {"name": "Joiners", "kind": "joiners", "cycle_id": cycle.cycle_id}
    schedule_svc.create_rule(UnitOfWork(stack.table), hr, rule, Yesterday())
    org = ORG_CSV.replace("roles\n", "roles,start_date\n", 1).replace(",E3,\n", ",E3,,\n")
    org += f"E7,Mary Jackson,mary@example.com,Engineer,Engineering,E3,,{date.today()}\n"  # she starts today
    import_organisation(UnitOfWork(stack.table), None, org, clock)

    reminders = start(stack, "RemindersFunction", monkeypatch)
    result = reminders(scheduler_event(), LambdaContext())
    # Issue 24: the joiner's review goes to the worker function as one chunk, made there under its role.
    assert result["schedules"]["queued"] == 1 and result["failed"] == 0
    [message] = stack.sqs.receive_message(QueueUrl=stack.queue_url("WorkQueue"), MaxNumberOfMessages=10)["Messages"]
    worker = start(stack, "WorkerFunction", monkeypatch)
    assert worker(sqs_event([message], stack.queue_arn("WorkQueue")), LambdaContext()) == {"batchItemFailures": []}
    assert UnitOfWork(stack.table).reviews.get(cycle.cycle_id, "E7") is not None
    reminders = start(stack, "RemindersFunction", monkeypatch)
    reminders(scheduler_event(), LambdaContext())  # the next run sends the digest the worker kept the email for
    to_mary = [m for m in stack.sent_emails() if "mary@example.com" in m.destinations["ToAddresses"]]
    assert len(to_mary) == 1 and f"/cycles/{cycle.cycle_id}/reviews/E7" in to_mary[0].body
