"""The team overview follows the current directory, like the right to write the manager assessment."""

from __future__ import annotations

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import StaleWrite
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def test_after_a_move_the_new_manager_sees_the_review_and_the_old_one_does_not(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    moved = ORG_CSV.replace(
        "E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E3,",
        "E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E2,",
    )
    import_organisation(UnitOfWork(table), None, moved, clock)
    old = [r.employee_id for r in review_svc.team_reviews(UnitOfWork(table), f.principal(table, "E3"), cycle.cycle_id)]
    new = [r.employee_id for r in review_svc.team_reviews(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id)]
    assert old == ["E5"] and new == ["E6", "E4"]  # by name: Barbara Liskov, Katherine Johnson


def test_a_stale_draft_is_refused_before_its_content_is_judged(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    emp = f.principal(table, "E4")
    review_svc.save_self_assessment(UnitOfWork(table), emp, cycle.cycle_id, "E4", f.self_content(), 1, False, clock)
    try:
        review_svc.save_self_assessment(
            UnitOfWork(table), emp, cycle.cycle_id, "E4", {"achievements": ""}, 1, True, clock
        )
    except StaleWrite:
        return
    raise AssertionError("a stale, incomplete submission must be refused as stale (412), not as invalid (422)")
