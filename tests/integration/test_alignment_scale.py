"""The organisation-wide alignment report reads the same number of DynamoDB items for 200 and
2,000 people with 5 goals each: it reads roll-ups kept up to date on write, never the goals."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

import pytest

from benchmarks.seed import goal_organisation, load_into_moto
from service.adapters.unit_of_work import UnitOfWork
from service.services.auth import Principal
from service.services.directory import get_person
from service.services.goals import alignment_report

ON = date(2026, 6, 1)  # five months into the seeded cycle: many goals have fallen behind by then


def measure(n: int, settings, dynamo, table) -> tuple[dict[str, int], int, dict]:
    _client, counter = dynamo
    memory, cycle_id = goal_organisation(n)
    load_into_moto(memory.all_items(), settings.table_name, settings.region, table.encode)
    ceo = Principal.of(get_person(UnitOfWork(table), "P0000"))
    counter.reset()
    report = asdict(alignment_report(UnitOfWork(table), ceo, cycle_id, ON))
    return dict(counter.calls), counter.items_read, report


@pytest.fixture(params=[200, 2000], ids=["200 people", "2000 people"])
def measured(request, settings, dynamo, table):
    return request.param, *measure(request.param, settings, dynamo, table)


RESULTS: dict[int, tuple[dict[str, int], int]] = {}


def test_report_reads_do_not_grow_with_the_organisation(measured):
    n, calls, items_read, report = measured
    assert report["organisation_goals"][0]["aligned_goals"] > n  # the roll-ups saw every goal
    assert report["orphans"]["count"] > 0 and len(report["orphans"]["goals"]) == 50
    RESULTS[n] = (calls, items_read)
    if len(RESULTS) == 2:
        assert RESULTS[200] == RESULTS[2000], RESULTS
    assert report["at_risk"]["count"] > n  # goals behind by the day stored on their writes (issue 25)
    # the cycle + 3 organisation goals + 3 roll-ups + 5 departments + totals + ≤ 50 orphans + ≤ 50 at risk
    # + ≤ 10 counters of goals behind + ≤ 50 roll-ups behind and their ≤ 50 goals
    assert items_read <= 1 + 3 + 3 + 5 + 1 + 50 + 50 + 10 + 50 + 50
    assert sum(calls.values()) <= 15
