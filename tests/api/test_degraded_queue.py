"""SQS unreachable, throttling or failing while HR launches a cycle: a 503 that says what happened, never a 500,
and launching again once the queue answers creates every review (the launch's batches are idempotent)."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from service.adapters.aws import client
from service.adapters.queue import SqsQueue
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.domain.cycles import CycleState
from service.domain.errors import Unavailable
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def world(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    hr = f.principal(table, "E2")
    template = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
    return table, hr, cycle


@pytest.mark.parametrize("fault", ["refused", "timeout", "throttled", "5xx"])
def test_a_launch_whose_batches_cannot_be_queued_answers_unavailable_and_a_relaunch_finishes_it(
    world, clock, down, fault
):
    table, hr, cycle = world
    down("sqs", fault)
    queue = SqsQueue(client("sqs", Settings(region="eu-west-1")), "https://sqs.eu-west-1.amazonaws.com/1/work")

    with pytest.raises(Unavailable) as refused:
        cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, queue)

    assert "launch it again" in str(refused.value)
    stored = cycle_svc.get_cycle(UnitOfWork(table), cycle.cycle_id)
    assert stored.state is CycleState.ACTIVE
    assert cycle_svc.launch_progress(UnitOfWork(table), cycle.cycle_id).created == 0

    progress = asdict(
        cycle_svc.launch_cycle(
            UnitOfWork(table), hr, cycle.cycle_id, stored.version, clock, f.inline_queue(table, clock)
        )
    )
    assert progress["created"] == progress["expected"] == stored.headcount
    assert progress["done"]


def test_an_export_that_cannot_be_queued_is_listed_as_failed_and_retried_once_the_queue_answers(world, clock, down):
    from service.adapters.queue import Queue
    from service.services import exports as export_svc

    table, hr, cycle = world
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    down("sqs", "refused")
    queue = SqsQueue(client("sqs", Settings(region="eu-west-1")), "https://sqs.eu-west-1.amazonaws.com/1/exports")

    with pytest.raises(Unavailable) as refused:
        export_svc.request_export(UnitOfWork(table), hr, cycle.cycle_id, None, None, clock, queue)

    assert "listed as failed: retry it" in str(refused.value)
    (job,) = UnitOfWork(table).exports.recent(limit=10)
    assert job.state.value == "failed"
    assert job.error == export_svc.NOT_QUEUED

    class Kept(Queue):
        def __init__(self) -> None:
            self.sent: list[dict] = []

        def send_many(self, messages: list[dict]) -> None:
            self.sent += messages

    kept = Kept()
    again = asdict(export_svc.retry_export(UnitOfWork(table), hr, job.export_id, job.version, clock, kept))
    assert again["state"] == "queued"
    assert [m["export_id"] for m in kept.sent] == [job.export_id]
