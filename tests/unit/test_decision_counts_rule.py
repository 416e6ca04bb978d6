"""The rule of leadership's decision counts over time (domain/decisions.py), on its own: quarters, when one reaches
leadership, and properties of `counts_as_read` over generated counters (DECISION_COUNT_EXAMPLES examples, 40 by
default, about a second; `DECISION_COUNT_EXAMPLES=1000` for a long run). Also the counters kept before periods: read
as one period, never added to again."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from service.adapters import keys
from service.adapters.store import MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.decisions import (
    EARLIER,
    RELEASE_AFTER,
    Decision,
    DecisionKind,
    period_end,
    period_label,
    period_of,
    period_released,
)
from service.domain.suppression import SUPPRESS_BELOW
from service.services.decisions import counts_as_read

EXAMPLES = int(os.environ.get("DECISION_COUNT_EXAMPLES", "40"))
PERIODS = [EARLIER] + [f"{y}-Q{q}" for y in (2025, 2026) for q in (1, 2, 3, 4)]
DEPARTMENTS = ["Engineering", "Sales", "People"]


def test_a_stored_instant_falls_in_its_calendar_quarter_in_utc_by_default():
    assert period_of("2026-03-31T23:59:59.999Z") == "2026-Q1"
    assert period_of("2026-04-01T00:00:00.000Z") == "2026-Q2"
    assert period_of(datetime(2026, 12, 31, 23, 0, tzinfo=UTC)) == "2026-Q4"
    assert period_end("2026-Q4") == datetime(2027, 1, 1, tzinfo=UTC)
    assert period_label("2026-Q2") == "April to June 2026"


def test_a_quarter_reaches_leadership_an_hour_after_it_ends_and_the_old_counters_always():
    end = period_end("2026-Q1")
    assert not period_released("2026-Q1", end - timedelta(seconds=1))
    assert not period_released("2026-Q1", end + RELEASE_AFTER - timedelta(seconds=1))
    assert period_released("2026-Q1", end + RELEASE_AFTER)
    assert period_released(EARLIER, datetime(2020, 1, 1, tzinfo=UTC))


counters = st.dictionaries(
    st.sampled_from(PERIODS),
    st.dictionaries(
        st.sampled_from(DEPARTMENTS),
        st.fixed_dictionaries({k: st.integers(0, 12) for k in DecisionKind}),
        min_size=1,
    ),
)
moments = st.datetimes(datetime(2025, 1, 1), datetime(2027, 2, 1), timezones=st.just(UTC))
additions = st.lists(
    st.tuples(st.sampled_from(DEPARTMENTS), st.sampled_from(list(DecisionKind)), st.integers(1, 50)), max_size=5
)


def with_added(found, period: str, added) -> dict:
    """The counters after decisions communicated in `period` (a copy)."""
    out = {p: {d: dict(c) for d, c in depts.items()} for p, depts in found.items()}
    for department, kind, people in added:
        cell = out.setdefault(period, {}).setdefault(department, dict.fromkeys(DecisionKind, 0))
        cell[kind] += people
    return out


@settings(max_examples=EXAMPLES, deadline=None)
@given(counters, moments, additions)
def test_decisions_told_in_a_running_quarter_change_nothing_leadership_reads(found, now, added):
    before = counts_as_read(found, now, live=False)
    after = counts_as_read(with_added(found, period_of(now), added), now, live=False)
    assert after == before
    assert all(period_released(p.period, now) and not p.live for p in after.periods)


@settings(max_examples=EXAMPLES, deadline=None)
@given(counters, moments, st.integers(0, 400), additions)
def test_a_quarter_leadership_has_read_never_changes_and_shows_no_small_group(found, now, days, added):
    # Decisions keep being told from `now` on; whatever leadership read at `now` reads the same later.
    later = now + timedelta(days=days)
    grown = with_added(found, period_of(later), added)
    first = {p.period: p for p in counts_as_read(found, now, live=False).periods}
    second = {p.period: p for p in counts_as_read(grown, later, live=False).periods}
    assert all(second[p] == table for p, table in first.items())
    for table in second.values():
        figures = [c for r in table.rows for c in (*r.counts, r.total)] + [*table.totals, table.total]
        assert all(c is None or c == 0 or c >= SUPPRESS_BELOW for c in figures)
        assert not small_by_subtraction(table)


def small_by_subtraction(table) -> list[str]:
    """Row and column totals minus the figures shown beside them, where that leaves 1 to 4 people. The tables of
    two periods share no decision and neither changes once read, so one table is all the arithmetic there is."""
    columns = [[r.counts[i] for r in table.rows] for i in range(len(table.kinds))]
    lines = [(r.total, r.counts) for r in table.rows] + list(zip(table.totals, columns, strict=True))
    lines += [(table.total, table.totals), (table.total, [r.total for r in table.rows])]
    found = []
    for total, parts in lines:
        left = None if total is None else total - sum(p for p in parts if p is not None)
        if left is not None and 0 < left < SUPPRESS_BELOW:
            found.append(f"{total} - {parts} = {left}")
    return found


@settings(max_examples=EXAMPLES, deadline=None)
@given(counters, moments, additions)
def test_hr_reads_the_running_quarter_live(found, now, added):
    live = counts_as_read(with_added(found, period_of(now), added), now, live=True)
    (current,) = [p for p in live.periods if p.period == period_of(now)]
    assert live.live and current.live
    people = sum(n for _, _, n in added) + sum(found.get(period_of(now), {}).get(d, {}).get(k, 0)
                                               for d in DEPARTMENTS for k in DecisionKind)  # fmt: skip
    assert current.total in (None, people)


def test_counters_kept_before_periods_are_read_as_one_period_and_never_added_to():
    table = MemoryTable()
    old = {**keys.decision_counts("Sales"), "type": "decision_counts", "department": "Sales", "promotion": 7}
    table.transact([Put(old)])
    _count(table, _promotion("2026-03-02T09:00:00.000Z", "2026-03-02T09:00:00.000Z"))
    found = UnitOfWork(table).decisions.counts()
    assert found[EARLIER]["Sales"][DecisionKind.PROMOTION] == 7  # as it was
    assert found["2026-Q1"]["Sales"][DecisionKind.PROMOTION] == 1
    read = counts_as_read(found, datetime(2026, 3, 2, tzinfo=UTC), live=False)
    assert [(p.label, p.total) for p in read.periods] == [("Counted before quarterly periods", 7)]


def test_quarters_are_the_organisations_calendar_quarters():
    """New York: 21:00 on 31 March is 1 April in UTC, yet the decision told then counts in January to March, and
    that quarter reaches leadership an hour after New York's midnight, not UTC's."""
    from zoneinfo import ZoneInfo

    new_york = ZoneInfo("America/New_York")
    told_at = datetime(2026, 3, 31, 21, 0, tzinfo=new_york)
    assert period_of(told_at) == "2026-Q1" and period_of(told_at.astimezone(UTC)) == "2026-Q2"
    assert period_of("2026-04-01T01:00:00.000Z", new_york) == "2026-Q1"
    assert period_end("2026-Q1", new_york) == datetime(2026, 4, 1, tzinfo=new_york)
    assert not period_released("2026-Q1", datetime(2026, 4, 1, 0, 30, tzinfo=new_york))
    assert period_released("2026-Q1", datetime(2026, 4, 1, 1, 0, tzinfo=new_york))

    table = MemoryTable()
    _count(table, _promotion("2026-03-31T20:00:00.000Z", "2026-04-01T01:00:00.000Z"), new_york)
    found = UnitOfWork(table).decisions.counts()
    assert found["2026-Q1"]["Sales"][DecisionKind.PROMOTION] == 1
    read = counts_as_read(found, datetime(2026, 4, 1, 1, 0, tzinfo=new_york), live=False)
    assert [p.label for p in read.periods] == ["January to March 2026"]


def _promotion(recorded_at: str, communicated_at: str) -> Decision:
    """One person in Sales promoted, recorded and told at these instants."""
    return Decision(
        decision_id="d1",
        kind=DecisionKind.PROMOTION,
        summary="Promoted",
        people=("E1",),
        departments=("Sales",),
        recorded_by="E5",
        recorded_at=recorded_at,
        communicated_at=communicated_at,
    )


def _count(table: MemoryTable, told: Decision, zone=None) -> None:
    """The communicate step's counting, on its own (`stage_counts`), committed."""
    uow = UnitOfWork(table)
    with uow:
        uow.decisions.stage_counts(told, zone)
        uow.commit()
