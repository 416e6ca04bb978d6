"""Feedback on the review process itself (issue 27, point 5), on the in-memory table: once per person, only when
their review is over, anonymous as stored, and read by HR as a group of at least 5."""

from __future__ import annotations

import pytest

from service.adapters import keys
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service.services import cycles
from service.services import process_feedback as svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

PEOPLE = ["E1", "E2", "E3", "E4", "E5", "E6"]


@pytest.fixture
def table(clock) -> MemoryTable:
    t = MemoryTable()
    import_organisation(UnitOfWork(t), None, ORG_CSV, clock)
    return t


@pytest.fixture
def cycle(table, clock):
    launched = f.launched_cycle(table, clock)
    return launched


def close(table, clock, cycle):
    cycles.close_cycle(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, cycle.version, clock)


def answer(table, clock, cycle, who: str, fair: int = 4, change: str = ""):
    data = {"fair": fair, "useful": 3, "time_taken": "2_4h", "change": change}
    svc.give(UnitOfWork(table), f.principal(table, who), cycle.cycle_id, data, clock)


def test_nobody_answers_before_their_review_is_over_and_nothing_is_stored(table, clock, cycle):
    assert svc.status(UnitOfWork(table), f.principal(table, "E4"), cycle.cycle_id).open is False
    with pytest.raises(Conflict):
        answer(table, clock, cycle, "E4")
    assert UnitOfWork(table).process_feedback.answers(cycle.cycle_id) == []


def test_once_the_cycle_is_closed_each_participant_answers_once_and_the_answer_names_nobody(table, clock, cycle):
    close(table, clock, cycle)
    answer(table, clock, cycle, "E4", change="Fewer questions")
    with pytest.raises(Conflict):
        answer(table, clock, cycle, "E4")
    (stored,) = [i for i in table.all_items() if i.get("type") == "process_answer"]
    assert "E4" not in repr(stored) and not any("T" in str(v) and ":" in str(v) for v in stored.values())
    assert stored["change"] == "Fewer questions" and stored["fair"] == 4
    assert table.get(keys.process_given(cycle.cycle_id, "E4")) is not None
    assert svc.status(UnitOfWork(table), f.principal(table, "E4"), cycle.cycle_id).given is True


def test_a_rating_off_the_scale_is_refused(table, clock, cycle):
    close(table, clock, cycle)
    with pytest.raises(ValidationFailed) as refused:
        answer(table, clock, cycle, "E4", fair=9)
    assert "fair" in refused.value.errors
    assert UnitOfWork(table).process_feedback.answers(cycle.cycle_id) == []


def test_someone_outside_the_cycle_cannot_answer(table, clock):
    launched = f.launched_cycle(table, clock, participant_mode="list", employee_ids=["E4", "E5"])
    with pytest.raises(NotFound):
        svc.status(UnitOfWork(table), f.principal(table, "E6"), launched.cycle_id)


def test_hr_sees_the_group_beside_the_template_only_from_five_answers(table, clock, cycle):
    close(table, clock, cycle)
    for who in PEOPLE[:4]:
        answer(table, clock, cycle, who, change=f"idea from {who}" if who == "E3" else "")
    hr = f.principal(table, "E2")
    (summary,) = svc.of_template(UnitOfWork(table), hr, cycle.template_id).cycles
    assert summary.answers == 4 and summary.withheld and summary.changes is None and summary.fair is None
    answer(table, clock, cycle, "E5", fair=2, change="a shorter form")
    (summary,) = svc.of_template(UnitOfWork(table), hr, cycle.template_id).cycles
    assert (summary.answers, summary.withheld, summary.fair, summary.useful) == (5, False, 3.6, 3.0)
    assert summary.changes == ["a shorter form", "idea from E3"]  # sorted by text, never by arrival
    assert summary.time_taken["2_4h"] == 5
    with pytest.raises(PermissionDenied):
        svc.of_template(UnitOfWork(table), f.principal(table, "E3"), cycle.template_id)
