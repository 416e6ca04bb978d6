"""Issue 23 meets issue 27: a personnel decision is weighed against the calibrated rating where a closed calibration
changed it, and never against a provisional one (a rating waiting in calibration, or back in it after a reopen)."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.decisions import rating_from_score
from service.services import calibration as cal
from service.services import decisions
from service.services.directory import import_organisation
from tests import factories as f
from tests.unit.test_calibration_usecases import ORG, adjust, new_session, review, submit, who


@pytest.fixture
def table(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG, clock)
    return table


@pytest.fixture
def cycle_id(table, clock) -> str:
    """A calibrating cycle; E4 and E5 have their manager assessments submitted (in calibration)."""
    c = f.launched_cycle(table, clock, template={"calibration": True}).cycle_id
    for person in ("E4", "E5"):
        submit(table, clock, c, person)
    return c


def evidence(table, person="E4"):
    (rated,) = decisions.person_evidence(UnitOfWork(table), UnitOfWork(table).directory.get(person)).rated
    return rated


def scale(table, cycle_id):
    return list(UnitOfWork(table).cycles.get(cycle_id).template_snapshot["scale"])


def test_a_rating_waiting_in_calibration_is_no_evidence(table, clock, cycle_id):
    person = UnitOfWork(table).directory.get("E4")
    waiting = review(table, cycle_id)
    assert waiting.score["value"] is not None  # provisional: scored, and still no rating to weigh
    assert decisions.review_rating(waiting, UnitOfWork(table).cycles.get(cycle_id)) is None
    assert decisions.person_evidence(UnitOfWork(table), person).rated == []


def test_the_evidence_is_the_calibrated_rating_once_the_session_closes(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    proposed = rating_from_score(review(table, cycle_id).score["value"], scale(table, cycle_id))
    lowered = {"competency_ratings": {"delivery": 1, "collaboration": 2}, "potential": None}  # from 4 and 3
    cal.adjust(UnitOfWork(table), who(table, "E2"), s.session_id, "E4", lowered, "Missed two releases", 0, clock)
    cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    calibrated = review(table, cycle_id)
    rated = evidence(table)
    assert rated.score == calibrated.score["value"] < calibrated.calibration["original_score"]
    assert rated.rating == rating_from_score(calibrated.score["value"], scale(table, cycle_id)).value < proposed.value
    assert rated.gaps == ("Delivery",)  # the calibrated competency rating below "Meets", not the proposed 4


def test_a_reopened_session_takes_the_rating_out_of_the_evidence_again(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    adjust(table, clock, s.session_id)
    closed = cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    assert evidence(table).rating is not None
    cal.reopen_session(UnitOfWork(table), who(table, "E2"), s.session_id, "One more look", closed.version, clock)
    person = UnitOfWork(table).directory.get("E4")
    assert decisions.person_evidence(UnitOfWork(table), person).rated == []
