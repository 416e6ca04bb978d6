"""Many export requests of one person at the same moment: the limit of unfinished exports holds.

Each round fires THREADS requests for E2 released by a barrier. Exactly MAX_UNFINISHED_PER_PERSON are stored
and queued; every other request is refused with a Conflict (409, never a stale write) and stores nothing: no
job, no Idempotency-Key, no message. The round then fails the jobs (the last attempt's `mark_failed`), which frees the
slots for the next round. The in-memory table runs MEMORY_ROUNDS rounds, moto RACE_ROUNDS (default 3, at most
50: `RACE_ROUNDS=50 pytest tests/integration/test_export_limit_races.py` for a longer run).
"""

from __future__ import annotations

import os
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict
from typing import Any

import pytest

from service.adapters.queue import InlineQueue
from service.adapters.store import MemoryTable, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, StaleWrite
from service.domain.exports import ExportState
from service.services import exports as svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.integration.test_races import TickingClock

THREADS = 8
MEMORY_ROUNDS = 50
MOTO_ROUNDS = min(int(os.environ.get("RACE_ROUNDS", "3")), 50)


class UniqueIds(TickingClock):
    """Ids that stay unique when threads ask at once."""

    def new_id(self) -> str:
        return uuid.uuid4().hex


def limit_races(table: Table, rounds: int) -> None:
    clock = UniqueIds()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle_id = f.launched_cycle(table, clock).cycle_id
    hr = f.principal(table, "E2")
    sent: list[dict[str, Any]] = []
    lock = threading.Lock()

    def keep(message: dict[str, Any]) -> None:
        with lock:
            sent.append(message)

    for r in range(rounds):
        barrier = threading.Barrier(THREADS)

        def ask(n: int, r: int = r) -> Any:
            barrier.wait()
            try:
                job, _created = svc.request_export(
                    UnitOfWork(table), hr, cycle_id, None, f"r{r}-{n}", clock, InlineQueue(keep)
                )
                return asdict(job)
            except Conflict as exc:
                return exc

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(ask, range(THREADS)))

        made = [j for j in results if isinstance(j, dict)]
        refused = [e for e in results if isinstance(e, Exception)]
        assert len(made) == svc.MAX_UNFINISHED_PER_PERSON, (r, results)
        assert all(not isinstance(e, StaleWrite) for e in refused), refused  # 409, never a 412
        assert all("waiting or being made" in str(e) or "same moment" in str(e) for e in refused), refused
        uow = UnitOfWork(table)
        unfinished = [j for j in uow.exports.recent(limit=100) if j.state in (ExportState.QUEUED, ExportState.RUNNING)]
        assert sorted(j.export_id for j in unfinished) == sorted(j["export_id"] for j in made)
        for n, result in enumerate(results):  # a refused request claimed no Idempotency-Key
            assert (uow.exports.by_key("E2", f"r{r}-{n}") is None) == isinstance(result, Exception)
        assert sorted(m["export_id"] for m in sent) == sorted(j["export_id"] for j in made)
        for message in sent:  # the last attempt's path frees the slots for the next round
            svc.mark_failed(table, message, "failed on every attempt", clock)
        sent.clear()


def same_key_races(table: Table, rounds: int) -> None:
    """The same request (one Idempotency-Key) sent many times at once for the last free slot: one job is made,
    and every copy answers with it, none with the limit."""
    clock = UniqueIds()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle_id = f.launched_cycle(table, clock).cycle_id
    hr = f.principal(table, "E2")
    sent: list[dict[str, Any]] = []
    queue = InlineQueue(sent.append)
    for r in range(rounds):
        for n in range(svc.MAX_UNFINISHED_PER_PERSON - 1):
            svc.request_export(UnitOfWork(table), hr, cycle_id, None, f"held-{r}-{n}", clock, queue)
        barrier = threading.Barrier(THREADS)

        def ask(_n: int, r: int = r) -> Any:
            barrier.wait()
            try:
                job, created = svc.request_export(UnitOfWork(table), hr, cycle_id, None, f"same-{r}", clock, queue)
                return asdict(job), created
            except Conflict as exc:
                return exc

        with ThreadPoolExecutor(THREADS) as pool:
            results = list(pool.map(ask, range(THREADS)))
        assert all(isinstance(x, tuple) for x in results), results
        assert len({job["export_id"] for job, _created in results}) == 1
        assert [created for _job, created in results].count(True) == 1
        for message in list(sent):
            svc.mark_failed(table, message, "failed on every attempt", clock)
        sent.clear()


def test_the_same_request_many_times_at_once_on_memory_makes_one_job():
    same_key_races(MemoryTable(), MEMORY_ROUNDS)


def test_many_requests_at_once_on_memory_store_at_most_the_limit():
    limit_races(MemoryTable(), MEMORY_ROUNDS)


@pytest.mark.skipif(MOTO_ROUNDS < 1, reason="RACE_ROUNDS=0")
def test_many_requests_at_once_on_moto_store_at_most_the_limit(table):
    limit_races(table, MOTO_ROUNDS)


@pytest.mark.skipif(MOTO_ROUNDS < 1, reason="RACE_ROUNDS=0")
def test_the_same_request_many_times_at_once_on_moto_makes_one_job(table):
    same_key_races(table, MOTO_ROUNDS)
