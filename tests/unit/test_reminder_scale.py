"""Issue 24 (scale): the daily reminders and the directory import read what they act on, not the whole organisation."""

from __future__ import annotations

from datetime import date, timedelta

from service.adapters.delegation_store import DELEGATION
from service.adapters.store import MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.delegation import Delegation
from service.services.delegation import acting_managers_on

TODAY = date(2026, 3, 2)


def _delegation(n: int, manager: str, acting: str, starts: date, ends: date) -> Delegation:
    return Delegation(f"D{n:04d}", manager, acting, starts, ends, "E2", "2026-01-01T00:00:00Z", version=1)


def test_the_reminders_see_a_running_delegation_behind_hundreds_of_newer_ones():
    table = MemoryTable(page_size=50)  # several pages
    running = _delegation(0, "E3", "E6", TODAY - timedelta(days=40), TODAY + timedelta(days=5))
    later = [
        _delegation(n, f"M{n}", f"A{n}", TODAY + timedelta(days=n), TODAY + timedelta(days=n + 3))
        for n in range(1, 260)
    ]
    too_old = _delegation(999, "E4", "E7", TODAY - timedelta(days=400), TODAY - timedelta(days=380))
    table.transact([Put(DELEGATION.to_item(d)) for d in [running, too_old]])
    for start in range(0, len(later), 90):
        table.transact([Put(DELEGATION.to_item(d)) for d in later[start : start + 90]])
    assert acting_managers_on(UnitOfWork(table), TODAY) == {"E3": "E6"}
    assert acting_managers_on(UnitOfWork(table), TODAY + timedelta(days=7)) == {f"M{n}": f"A{n}" for n in (4, 5, 6, 7)}
