"""The home page's tasks come from the use cases: what each person owes next, typed, in one read of each."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import reviews as review_svc
from service.services import tasks
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def launched(clock):
    """The organisation on the in-memory table, with a launched cycle."""
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return table, f.launched_cycle(table, clock)


def test_the_employee_owes_the_self_assessment_and_their_manager_waits_for_it(launched, clock):
    table, cycle = launched
    today, now = clock.now().date(), clock.now()

    mine = tasks.my_tasks(UnitOfWork(table), f.principal(table, "E4"), today, now)
    assert [(t.kind, t.cycle_id, t.team) for t in mine.tasks] == [("self_assessment", cycle.cycle_id, False)]
    assert [(r.state, r.task, r.owner) for r in mine.own] == [("not_started", "self_assessment", "employee")]
    assert mine.teams == [] and mine.steer == []

    manager = tasks.my_tasks(UnitOfWork(table), f.principal(table, "E3"), today, now)
    assert [t.kind for t in manager.tasks if t.team] == []  # nothing of the team's is theirs yet
    assert [(t.cycle.cycle_id, t.count, t.waiting) for t in manager.teams] == [(cycle.cycle_id, 2, 0)]


def test_a_submitted_self_assessment_becomes_the_managers_task_about_that_report(launched, clock):
    table, cycle = launched
    emp = f.principal(table, "E4")
    review_svc.save_self_assessment(UnitOfWork(table), emp, cycle.cycle_id, "E4", f.self_content(), 1, True, clock)

    manager = tasks.my_tasks(UnitOfWork(table), f.principal(table, "E3"), clock.now().date(), clock.now())
    team = [t for t in manager.tasks if t.team]
    assert [(t.kind, t.employee_id, t.employee_name, t.employee_title) for t in team] == [
        ("manager_assessment", "E4", "Katherine Johnson", "Engineer")
    ]
    assert [(t.count, t.waiting) for t in manager.teams] == [(2, 1)]
    mine = tasks.my_tasks(UnitOfWork(table), emp, clock.now().date(), clock.now())
    assert [t.kind for t in mine.tasks] == [] and [(r.state, r.owner) for r in mine.own] == [
        ("self_submitted", "manager")
    ]


def test_reads_started_for_another_id_than_the_principals_are_not_used(launched, clock):
    """The home page starts its first reads with the id its session claims; the tasks are always the principal's."""
    table, cycle = launched
    today, now = clock.now().date(), clock.now()
    uow = UnitOfWork(table, identity_map=True)
    started_for_someone_else = tasks.start_reads(uow, "E3")  # E3 manages E4 and one more

    mine = tasks.my_tasks(uow, f.principal(table, "E4"), today, now, started_for_someone_else)

    assert mine.reports == [] and mine.teams == []
    assert [(t.kind, t.cycle_id, t.team) for t in mine.tasks] == [("self_assessment", cycle.cycle_id, False)]
