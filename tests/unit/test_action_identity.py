"""Tracked actions keep their status only while they describe the same thing."""

from __future__ import annotations

import pytest

from service.adapters import keys
from service.adapters.store import MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import TooLarge
from service.services import actions as action_svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def test_a_resubmission_never_moves_a_status_to_another_action(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    c = cycle.cycle_id
    emp, mgr, hr = (f.principal(table, e) for e in ("E4", "E3", "E2"))
    v = review_svc.save_self_assessment(UnitOfWork(table), emp, c, "E4", f.self_content(), 1, True, clock).version
    two = [
        {"description": "CI", "remediation": "Faster CI", "owner_id": "E3", "due": "2026-05-01"},
        {"description": "Alone", "remediation": "Assign a mentor", "owner_id": "E3", "due": "2026-05-01"},
    ]
    v = review_svc.save_manager_assessment(
        UnitOfWork(table), mgr, c, "E4", f.manager_content(obstacles=two), v, True, clock
    ).version
    first = table.get(keys.action(f"{c}.E4.remediation.0"))
    action_svc.update_action_status(UnitOfWork(table), mgr, first["action_id"], "done", first["version"], clock)
    v = review_svc.return_review(UnitOfWork(table), hr, c, "E4", "self_submitted", "redo", v, clock).version
    review_svc.save_manager_assessment(
        UnitOfWork(table), mgr, c, "E4", f.manager_content(obstacles=two[1:]), v, True, clock
    )
    a0 = table.get(keys.action(f"{c}.E4.remediation.0"))
    a1 = table.get(keys.action(f"{c}.E4.remediation.1"))
    assert (a0["description"], a0["status"]) == ("Assign a mentor", "open")
    assert a1["status"] == "dropped"


def test_items_too_large_for_dynamodb_are_refused_by_both_tables(table):
    big = {"pk": "T", "sk": "big", "version": 1, "text": "x" * 400_000}
    for t in (MemoryTable(), table):
        with pytest.raises(TooLarge):
            t.transact([Put(big)])
