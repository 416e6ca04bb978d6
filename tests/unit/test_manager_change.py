"""A change of manager mid-cycle (issue 28, point 3): open reviews follow the directory, the former manager's draft
waits for the new one, a submitted assessment stays, both are told, and a retried import moves nothing twice."""

from __future__ import annotations

import pytest

from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, NotFound
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

# E4 and E5 move from Alan Turing (E3) to Barbara Liskov (E6).
MOVED = ORG_CSV.replace("Engineering,E3,", "Engineering,E6,")


@pytest.fixture
def org(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    e3 = f.principal(table, "E3")
    draft = f.manager_content(narrative="Alan's draft")
    review_svc.save_manager_assessment(UnitOfWork(table), e3, cycle.cycle_id, "E4", draft, 1, False, clock)
    me = f.principal(table, "E5")
    view = review_svc.save_self_assessment(
        UnitOfWork(table), me, cycle.cycle_id, "E5", f.self_content(), 1, True, clock
    )
    content = f.manager_content(narrative="Alan's submitted words")
    review_svc.save_manager_assessment(UnitOfWork(table), e3, cycle.cycle_id, "E5", content, view.version, True, clock)
    return table, cycle


def _review(table, cycle, who):
    return UnitOfWork(table).reviews.get(cycle.cycle_id, who)


def test_open_reviews_move_with_the_draft_kept_and_both_managers_told(org, clock):
    table, cycle = org
    mailer = MemoryMailer()
    import_organisation(UnitOfWork(table), f.principal(table, "E2"), MOVED, clock, mailer=mailer)
    e4, e5 = _review(table, cycle, "E4"), _review(table, cycle, "E5")
    assert (e4.manager_id, e4.manager_draft_by, e4.manager_assessment["narrative"]) == (
        "E6",
        {"id": "E3", "name": "Alan Turing"},
        "Alan's draft",
    )
    # The submitted assessment stays as it is: moved, but no draft to take over.
    assert (e5.manager_id, e5.manager_draft_by, e5.state.value) == ("E6", None, "manager_submitted")
    assert e5.manager_assessment["narrative"] == "Alan's submitted words"
    assert [sorted(m.to) for m in mailer.sent] == [["alan@example.com", "barbara@example.com"]]
    assert "Alan Turing started is kept for Barbara Liskov" in mailer.sent[0].text
    trail = UnitOfWork(table).audit.of_review(cycle.cycle_id, "E4")
    assert (trail[-1]["action"], trail[-1]["actor"]) == ("change_manager", "E2")
    # The new manager reads it with the former manager's name on the draft; the former one no longer reads it.
    view = review_svc.open_review(UnitOfWork(table), f.principal(table, "E6"), cycle.cycle_id, "E4")
    assert view.manager_draft_by["name"] == "Alan Turing"
    with pytest.raises(NotFound):
        review_svc.open_review(UnitOfWork(table), f.principal(table, "E3"), cycle.cycle_id, "E4")


def test_a_retried_import_moves_nothing_twice(org, clock):
    table, cycle = org
    import_organisation(UnitOfWork(table), None, MOVED, clock)
    versions = (_review(table, cycle, "E4").version, _review(table, cycle, "E5").version)
    mailer = MemoryMailer()
    import_organisation(UnitOfWork(table), None, MOVED, clock, mailer=mailer)
    assert (_review(table, cycle, "E4").version, _review(table, cycle, "E5").version) == versions
    assert mailer.sent == []


def test_the_new_manager_discards_or_takes_over_the_draft(org, clock):
    table, cycle = org
    import_organisation(UnitOfWork(table), None, MOVED, clock)
    e6 = f.principal(table, "E6")
    version = _review(table, cycle, "E4").version
    kept = review_svc.settle_former_draft(UnitOfWork(table), e6, cycle.cycle_id, "E4", True, version, clock)
    assert kept.manager_draft_by is None and kept.manager_assessment["narrative"] == "Alan's draft"
    with pytest.raises(Conflict):  # nothing waits any more
        review_svc.settle_former_draft(UnitOfWork(table), e6, cycle.cycle_id, "E4", False, kept.version, clock)
    assert UnitOfWork(table).audit.of_review(cycle.cycle_id, "E4")[-1]["action"] == "take_over_draft"


def test_discarding_clears_the_draft(org, clock):
    table, cycle = org
    import_organisation(UnitOfWork(table), None, MOVED, clock)
    version = _review(table, cycle, "E4").version
    e6 = f.principal(table, "E6")
    gone = review_svc.settle_former_draft(UnitOfWork(table), e6, cycle.cycle_id, "E4", False, version, clock)
    assert (gone.manager_draft_by, gone.manager_assessment) == (None, None)
    assert UnitOfWork(table).audit.of_review(cycle.cycle_id, "E4")[-1]["action"] == "discard_draft"


def test_a_review_changed_during_the_move_is_left_for_the_next_run(org, clock, monkeypatch):
    from service.adapters import keys
    from service.adapters.review_store import ReviewRepository
    from service.adapters.store import Put
    from service.domain.directory import parse_csv, plan_import
    from service.services.directory import move_to_current_managers

    table, cycle = org
    uow = UnitOfWork(table)
    with uow:  # the directory changes, the reviews not yet (an import interrupted before its moves)
        for _, after in plan_import(uow.directory.all(), parse_csv(MOVED)).updated:
            uow.directory.note_manager_change(after.employee_id)
            uow.directory.save(after, new=False)
        uow.commit()
    real_get = ReviewRepository.get

    def get_then_someone_writes(self, cycle_id, employee_id):
        found = real_get(self, cycle_id, employee_id)
        item = table.get(keys.review(cycle_id, employee_id))
        table.transact([Put({**item, "version": item["version"] + 1}, expect_version=int(item["version"]))])
        return found

    monkeypatch.setattr(ReviewRepository, "get", get_then_someone_writes)
    assert move_to_current_managers(UnitOfWork(table), "cli", clock) == []  # nothing half done, no error
    monkeypatch.undo()
    assert _review(table, cycle, "E4").manager_id == "E3"
    assert {m.employee_id for m in move_to_current_managers(UnitOfWork(table), "cli", clock)} == {"E4", "E5"}
