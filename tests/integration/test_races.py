"""Two writers race on the same object through the use cases: exactly one wins, nothing is lost.

Each round both writers read the same version, wait at a barrier, and write. The round must end with
one success and one refusal (a stale write, or "already done"), the winner's content stored, and the
object's audit chain verifying. The in-memory table runs 1,000 rounds per race; moto runs fewer in
the suite (its requests are slower), and `make races` runs 1,000 there too.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.audit import verify_chain
from service.domain.errors import Conflict
from service.services import cycles as cycle_svc
from service.services import goals as goal_svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

MEMORY_ROUNDS = 1000
MOTO_ROUNDS = int(os.environ.get("RACE_ROUNDS", "20"))


class TickingClock(FixedClock):
    """Each reading is a millisecond later: two writers never write the very same audit record.

    (The same change by the same person in the same millisecond is one change: the commit's read-back
    answers both as applied, which is right, but is not a race.)
    """

    def __init__(self) -> None:
        super().__init__(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            self.at += timedelta(milliseconds=1)
            return self.at


@pytest.fixture
def ticking() -> TickingClock:
    """A clock that moves on with every reading."""
    return TickingClock()


def race(write: Callable[[int], Any]) -> list[Any]:
    """Run `write(0)` and `write(1)` at once; return what each returned or raised."""
    barrier = threading.Barrier(2)
    results: list[Any] = [None, None]

    def run(n: int) -> None:
        barrier.wait()
        try:
            results[n] = write(n)
        except Conflict as exc:  # StaleWrite included
            results[n] = exc

    threads = [threading.Thread(target=run, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def winners(results: list[Any]) -> list[int]:
    """Which writers succeeded."""
    return [n for n, r in enumerate(results) if not isinstance(r, Exception)]


def _setup(table: Table, clock) -> str:
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return f.launched_cycle(table, clock).cycle_id


def _chain_verifies(table: Table, cycle_id: str, employee_id: str) -> None:
    uow = UnitOfWork(table)
    review = uow.reviews.get(cycle_id, employee_id)
    trail = uow.audit.of_review(cycle_id, employee_id)
    assert verify_chain(trail, head=review.audit_head) == []
    assert trail[-1]["version"] == review.version


def draft_races(table: Table, clock, rounds: int) -> None:
    """Two saves of the same self-assessment draft from the same version."""
    cycle_id = _setup(table, clock)
    me = f.principal(table, "E4")
    for n in range(rounds):
        version = UnitOfWork(table).reviews.get(cycle_id, "E4").version
        texts = [f"round {n} writer A", f"round {n} writer B"]
        results = race(
            lambda w, v=version, t=texts: review_svc.save_self_assessment(
                UnitOfWork(table), me, cycle_id, "E4", f.self_content(achievements=t[w]), v, False, clock
            )
        )
        won = winners(results)
        assert len(won) == 1, results
        stored = UnitOfWork(table).reviews.get(cycle_id, "E4")
        assert stored.version == version + 1
        assert stored.self_assessment["achievements"] == texts[won[0]]
    _chain_verifies(table, cycle_id, "E4")


def submission_races(table: Table, clock, rounds: int) -> None:
    """The employee submits from two tabs; then HR returns the review and it goes again."""
    cycle_id = _setup(table, clock)
    me, hr = f.principal(table, "E4"), f.principal(table, "E2")
    for n in range(rounds):
        version = UnitOfWork(table).reviews.get(cycle_id, "E4").version
        texts = [f"round {n} tab A", f"round {n} tab B"]
        results = race(
            lambda w, v=version, t=texts: review_svc.save_self_assessment(
                UnitOfWork(table), me, cycle_id, "E4", f.self_content(achievements=t[w]), v, True, clock
            )
        )
        won = winners(results)
        assert len(won) == 1, results
        stored = UnitOfWork(table).reviews.get(cycle_id, "E4")
        assert stored.state.value == "self_submitted" and stored.version == version + 1
        assert stored.self_assessment["achievements"] == texts[won[0]]
        review_svc.return_review(UnitOfWork(table), hr, cycle_id, "E4", "not_started", "again", stored.version, clock)
    _chain_verifies(table, cycle_id, "E4")
    progress = cycle_svc.cycle_progress(UnitOfWork(table), hr, cycle_id, clock.now().date())
    assert progress.by_state["self_submitted"] == 0 and progress.by_state["not_started"] == 6


def cycle_races(table: Table, clock, rounds: int) -> None:
    """Two HR people close the same cycle at once, then one reopens it; the cycle's chain holds."""
    cycle_id = _setup(table, clock)
    hr = f.principal(table, "E2")
    for _ in range(rounds):
        version = cycle_svc.get_cycle(UnitOfWork(table), cycle_id).version
        results = race(lambda w, v=version: cycle_svc.close_cycle(UnitOfWork(table), hr, cycle_id, v, clock))
        assert len(winners(results)) == 1, results
        closed = cycle_svc.get_cycle(UnitOfWork(table), cycle_id)
        assert closed.state.value == "closed" and closed.version == version + 1
        cycle_svc.reopen_cycle(UnitOfWork(table), hr, cycle_id, closed.version, "race", clock)
    uow = UnitOfWork(table)
    cycle = uow.cycles.get(cycle_id)
    trail = [r for r in uow.audit.of_cycle(cycle_id) if r["entity"].startswith("CYCLE#")]
    assert verify_chain(trail, head=cycle.audit_head) == []
    assert len(trail) == cycle.version


def goal_races(table: Table, clock, rounds: int) -> None:
    """Two tabs update the progress of the same aligned goal; the team goal's roll-up follows the winner only."""
    cycle_id = _setup(table, clock)
    me, manager = f.principal(table, "E4"), f.principal(table, "E3")
    team = goal_svc.create_goal(
        UnitOfWork(table), manager, {"level": "team", "title": "Platform", "weight": 100, "cycle_id": cycle_id}, clock
    )
    mine = {"level": "individual", "title": "Importer", "weight": 100, "cycle_id": cycle_id}
    kr = [{"id": "k1", "title": "done", "start": 0, "target": 1000, "current": 0, "unit": ""}]
    goal = goal_svc.create_goal(UnitOfWork(table), me, {**mine, "parent_id": team.goal_id, "key_results": kr}, clock)
    for n in range(rounds):
        version = goal_svc.get_goal(UnitOfWork(table), me, goal.goal_id).version
        values = [1 + (2 * n) % 998, 2 + (2 * n) % 998]  # distinct, and within the target
        results = race(
            lambda w, v=version, c=values: goal_svc.update_goal(
                UnitOfWork(table), me, goal.goal_id, {"key_results": [{**kr[0], "current": c[w]}]}, v, clock
            )
        )
        won = winners(results)
        assert len(won) == 1, results
        stored = goal_svc.get_goal(UnitOfWork(table), me, goal.goal_id)
        assert stored.version == version + 1
        assert stored.key_results[0].current == values[won[0]]
        rolled = goal_svc.get_goal(UnitOfWork(table), manager, team.goal_id)
        assert rolled.progress == pytest.approx(values[won[0]] / 10)  # no update lost in the roll-up
    uow = UnitOfWork(table)
    stored = uow.goals.get(goal.goal_id)
    trail = uow.audit.of_entity(keys_entity_goal(goal.goal_id))
    assert verify_chain(trail, head=stored.audit_head) == [] and len(trail) == stored.version


def keys_entity_goal(goal_id: str) -> str:
    """The audit name of a goal (the adapters' naming, used here to read its trail)."""
    from service.adapters import keys

    return keys.entity_goal(goal_id)


RACES = {"draft": draft_races, "submission": submission_races, "cycle": cycle_races, "goal": goal_races}


@pytest.mark.parametrize("kind", RACES)
def test_two_writers_on_memory_have_exactly_one_winner_and_lose_nothing(kind, ticking):
    RACES[kind](MemoryTable(), ticking, MEMORY_ROUNDS)


@pytest.mark.parametrize("kind", RACES)
def test_two_writers_on_moto_have_exactly_one_winner_and_lose_nothing(kind, table, ticking):
    RACES[kind](table, ticking, MOTO_ROUNDS)
