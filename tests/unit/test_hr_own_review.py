"""HR people are employees too: their own review's drafts stay hidden from them."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import NotFound
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def test_hr_cannot_read_their_managers_draft_through_audit_or_history(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    ceo, hr = f.principal(table, "E1"), f.principal(table, "E2")
    content = f.manager_content(owner_id="E1", narrative="Considering a plan")
    review_svc.save_manager_assessment(UnitOfWork(table), ceo, cycle.cycle_id, "E2", content, 1, False, clock)
    with pytest.raises(NotFound):
        review_svc.review_audit(UnitOfWork(table), hr, cycle.cycle_id, "E2")
    assert "Considering a plan" not in str(review_svc.cycle_audit(UnitOfWork(table), hr, cycle.cycle_id))
    assert all(r.score is None and r.ratings == {} for r in review_svc.history(UnitOfWork(table), hr, "E2").reviews)
