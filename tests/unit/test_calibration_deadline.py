"""The calibration deadline (issue 23): a cycle whose template calibrates has a calibration phase between the manager
assessments and the discussions, in order with the others; one HR leaves out falls halfway; a cycle whose template
does not calibrate has none. Overdue calibrations count against it on HR's cycle page."""

from __future__ import annotations

from datetime import date

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Phase, progress
from service.domain.errors import ValidationFailed
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.unit.test_calibration_usecases import ORG


@pytest.fixture
def table(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG, clock)
    return table


def template_id(table, clock, calibrates: bool) -> str:
    data = f.template_data(calibration=calibrates)
    return template_svc.create_template(UnitOfWork(table), f.principal(table, "E2"), data, clock).template_id


def create(table, clock, calibrates: bool, **phases) -> cycle_svc.Cycle:
    data = f.cycle_data(template_id(table, clock, calibrates))
    data["phases"] = {**data["phases"], **phases}
    return cycle_svc.create_cycle(UnitOfWork(table), f.principal(table, "E2"), data, clock)


def test_a_calibrating_cycle_keeps_the_deadline_hr_gives_between_its_neighbours(table, clock):
    cycle = create(table, clock, True, calibration=date(2026, 4, 7))
    stored = cycle_svc.get_cycle(UnitOfWork(table), cycle.cycle_id)
    assert stored.phases[Phase.CALIBRATION] == date(2026, 4, 7)
    assert list(stored.phases) == list(Phase)  # in the order of the phases


def test_a_calibration_deadline_out_of_order_is_refused_and_nothing_is_stored(table, clock):
    with pytest.raises(ValidationFailed) as refused:
        create(table, clock, True, calibration=date(2026, 4, 20))  # after the discussions' deadline
    assert refused.value.errors == {"phases": ["phase deadlines must follow the order of the phases"]}
    assert cycle_svc.list_cycles(UnitOfWork(table)) == []


def test_a_calibrating_cycle_left_without_one_gets_it_halfway(table, clock):
    cycle = create(table, clock, True)  # manager assessments by 31 March, discussions by 15 April
    assert cycle_svc.get_cycle(UnitOfWork(table), cycle.cycle_id).phases[Phase.CALIBRATION] == date(2026, 4, 7)


def test_a_cycle_whose_template_does_not_calibrate_has_no_calibration_deadline(table, clock):
    cycle = create(table, clock, False, calibration=date(2026, 4, 7))
    assert Phase.CALIBRATION not in cycle_svc.get_cycle(UnitOfWork(table), cycle.cycle_id).phases


def test_reviews_still_in_calibration_after_its_deadline_are_overdue(table, clock):
    cycle = f.launched_cycle(table, clock, template={"calibration": True})
    counts = {"in_calibration": 2, "manager_submitted": 1}
    assert progress(cycle, counts, {}, date(2026, 4, 7))["overdue"].get("calibration") is None
    assert progress(cycle, counts, {}, date(2026, 4, 8))["overdue"]["calibration"] == 2
