"""Calibration on moto's DynamoDB (issue 23): the one-open-session rule is the claim's condition in the
transaction, the claims are deleted in the close's transaction, and an adjustment at a stale version is refused,
as on the in-memory table."""

from __future__ import annotations

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, StaleWrite
from service.domain.reviews import ReviewState
from service.services import calibration as cal
from service.services import reviews as review_svc
from tests import factories as f

LOWER = {"competency_ratings": {"delivery": 2, "collaboration": 2}}


def submitted(table, clock) -> str:
    c = f.launched_cycle(table, clock, template={"calibration": True}).cycle_id
    for person in ("E4", "E5"):
        v = UnitOfWork(table).reviews.get(c, person).version
        me, mgr = f.principal(table, person), f.principal(table, "E3")
        review_svc.save_self_assessment(UnitOfWork(table), me, c, person, f.self_content(), v, True, clock)
        review_svc.save_manager_assessment(UnitOfWork(table), mgr, c, person, f.manager_content(), v + 1, True, clock)
    return c


def test_claims_adjustments_and_closing_hold_on_dynamodb(seeded, clock, counter):
    cycle_id = submitted(seeded, clock)
    hr = f.principal(seeded, "E2")
    first = cal.create_session(
        UnitOfWork(seeded), hr, cycle_id, {"name": "A", "group": "list", "employee_ids": ["E5"]}, clock
    )
    with pytest.raises(Conflict):
        cal.create_session(
            UnitOfWork(seeded), hr, cycle_id, {"name": "B", "group": "list", "employee_ids": ["E4", "E5"]}, clock
        )
    assert UnitOfWork(seeded).calibration.claims(cycle_id, ["E4", "E5"]) == {"E5": first.session_id}
    cal.adjust(UnitOfWork(seeded), hr, first.session_id, "E5", LOWER, "evidence", 0, clock)
    with pytest.raises(StaleWrite):
        cal.adjust(UnitOfWork(seeded), hr, first.session_id, "E5", LOWER, "again", 0, clock)
    counter.reset()
    cal.close_session(UnitOfWork(seeded), hr, first.session_id, first.version, clock)
    assert counter.calls["TransactWriteItems"] == 2  # the session with its claims released, then the one review
    assert UnitOfWork(seeded).calibration.claims(cycle_id, ["E5"]) == {}
    review = UnitOfWork(seeded).reviews.get(cycle_id, "E5")
    assert review.state is ReviewState.MANAGER_SUBMITTED
    assert review.manager_assessment["competency_ratings"]["delivery"]["rating"] == 2
