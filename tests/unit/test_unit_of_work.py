"""The commit path: one transaction per use case, idempotent when an attempt that committed is reported failed."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.audit import verify_chain
from service.domain.errors import Clash, Conflict, StaleWrite, Unavailable
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


class FlakyTable(MemoryTable):
    """A memory table whose next transactions misbehave the way a network and botocore's retries do.

    - "lost-answer": the write commits, then the answer is lost (a read timeout after the commit);
    - "retried": the write commits, the answer is lost, and a retry without the token is sent again
      (moto ignores ClientRequestToken, so its retry fails the write's own condition);
    - "timeout": the request times out before anything is written.
    """

    def __init__(self) -> None:
        super().__init__()
        self.faults: list[str] = []

    def transact(self, ops, token=None):
        fault = self.faults.pop(0) if self.faults else None
        if fault == "timeout":
            raise Unavailable()
        super().transact(ops, token)
        if fault == "lost-answer":
            raise Unavailable()
        if fault == "retried":
            super().transact(ops, None)


def _item(n: int = 1, version: int = 1) -> dict:
    return {"pk": "T#1", "sk": "X", "type": "review", "n": n, "version": version}


@pytest.mark.parametrize("fault", ["lost-answer", "retried"])
def test_a_write_that_committed_is_a_success_even_when_its_answer_is_lost(fault):
    table = FlakyTable()
    table.faults.append(fault)
    with UnitOfWork(table) as uow:
        uow.add(Put(_item(), must_not_exist=True))
        uow.commit()
    assert uow.committed
    assert table.get({"pk": "T#1", "sk": "X"})["n"] == 1
    assert table.transactions == 1  # written once: a retry refused by its own condition writes nothing


def test_a_write_that_timed_out_before_committing_is_an_error_and_writes_nothing():
    table = FlakyTable()
    table.faults.append("timeout")
    with pytest.raises(Unavailable), UnitOfWork(table) as uow:
        uow.add(Put(_item(), must_not_exist=True))
        uow.commit()
    assert table.all_items() == []


def test_a_real_conflict_is_still_refused_with_fields_and_no_key_in_the_message():
    table = MemoryTable()
    table.load([_item(n=1, version=2)])
    with pytest.raises(StaleWrite) as caught, UnitOfWork(table) as uow:
        uow.add(Put(_item(n=5, version=2), expect_version=1))
        uow.commit()
    assert caught.value.entity == "review" and caught.value.clash is Clash.STALE
    assert "T#1" not in caught.value.message and "#" not in caught.value.message
    assert table.get({"pk": "T#1", "sk": "X"})["n"] == 1


def test_creating_what_exists_says_so_in_its_fields():
    table = MemoryTable()
    table.load([_item()])
    with pytest.raises(Conflict) as caught, UnitOfWork(table) as uow:
        uow.add(Put(_item(n=2), must_not_exist=True))
        uow.commit()
    assert caught.value.clash is Clash.EXISTS and caught.value.data() == {"entity": "review", "clash": "exists"}


def test_the_same_token_is_answered_once_like_dynamodb_does():
    table = MemoryTable()
    ops = [Put(_item(), must_not_exist=True)]
    table.transact(ops, token="t-1")
    table.transact(ops, token="t-1")  # botocore's retry of a request that had committed
    assert table.transactions == 1 and table.get({"pk": "T#1", "sk": "X"})["n"] == 1


def test_leaving_the_block_without_commit_writes_nothing():
    table = MemoryTable()
    with UnitOfWork(table) as uow:
        uow.add(Put(_item(), must_not_exist=True))
    assert table.all_items() == [] and not uow.committed


@pytest.mark.parametrize("fault", ["lost-answer", "retried"])
def test_a_draft_save_whose_answer_was_lost_is_answered_as_saved_and_the_audit_chain_holds(fault, clock):
    table = FlakyTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    table.faults.append(fault)
    content = f.self_content(achievements="Kept through a lost answer")
    view = review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle.cycle_id, "E4", content, 1, False, clock
    )
    stored = UnitOfWork(table).reviews.get(cycle.cycle_id, "E4")
    assert view.version == 2 and stored.version == 2
    assert stored.self_assessment["achievements"] == "Kept through a lost answer"
    trail = UnitOfWork(table).audit.of_review(cycle.cycle_id, "E4")
    assert [r["version"] for r in trail] == [1, 2]
    assert verify_chain(trail, head=stored.audit_head) == []


def test_a_draft_save_that_timed_out_is_reported_and_changes_nothing(clock):
    table = FlakyTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    table.faults.append("timeout")
    with pytest.raises(Unavailable):
        review_svc.save_self_assessment(
            UnitOfWork(table), f.principal(table, "E4"), cycle.cycle_id, "E4", f.self_content(), 1, False, clock
        )
    stored = UnitOfWork(table).reviews.get(cycle.cycle_id, "E4")
    assert stored.version == 1 and stored.self_assessment is None


def test_the_same_change_made_twice_by_two_requests_in_one_millisecond_is_refused_the_second_time():
    from service.adapters.audited import stage_audited

    table = MemoryTable()
    answers = []
    for _ in range(2):  # two requests: same person, same content, same moment
        with UnitOfWork(table) as uow:
            stage_audited(
                uow,
                entity="REVIEW#c#e",
                before=None,
                after={"pk": "T#1", "sk": "X", "type": "review", "n": 1},
                actor="E2",
                action="create_review",
                at="2026-03-02T09:00:00.000Z",
            )
            try:
                uow.commit()
                answers.append("ok")
            except Conflict:
                answers.append("refused")
    assert answers == ["ok", "refused"]  # its read-back tells the first request's audit record from its own


def test_a_managers_reports_are_read_once_until_the_unit_of_work_changes_the_directory(clock):
    from dataclasses import replace

    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    uow = UnitOfWork(table, identity_map=True)
    before = [p.employee_id for p in uow.directory.reports("E3")]
    newcomer = replace(uow.directory.get("E4"), employee_id="E9", email="e9@example.com", name="Zoe Newcomer")
    other = UnitOfWork(table)
    with other:  # another request adds a report: this unit of work has read the reports already
        other.directory.save(newcomer, new=True)
        other.commit()
    assert [p.employee_id for p in uow.directory.reports("E3")] == before
    with uow:  # this unit of work changes the directory: its next read goes to the table
        uow.directory.save(replace(newcomer, employee_id="E10", email="e10@example.com", name="Zed Newer"), new=True)
        uow.commit()
    assert [p.employee_id for p in uow.directory.reports("E3")] == [*before, "E10", "E9"]


class SlowRepository:
    """A repository whose building takes a while (an import on a cold start), counting how many were built."""

    built: list[SlowRepository] = []

    def __init__(self, uow: UnitOfWork) -> None:
        import time

        time.sleep(0.05)
        SlowRepository.built.append(self)


def test_threads_reaching_a_repository_at_once_share_the_one_built():
    """The home page reads on threads: two reaching the same repository first must not build two (the second copy
    would lose what the first keeps of its reads, and read again)."""
    from concurrent.futures import ThreadPoolExecutor

    from service.adapters.unit_of_work import _Repository

    class SlowUnitOfWork(UnitOfWork):
        slow = _Repository(f"{__name__}.SlowRepository")

    SlowRepository.built.clear()
    uow = SlowUnitOfWork(MemoryTable())
    with ThreadPoolExecutor(max_workers=4) as pool:
        seen = list(pool.map(lambda _: uow.slow, range(4)))
    assert len(SlowRepository.built) == 1 and all(r is SlowRepository.built[0] for r in seen)
