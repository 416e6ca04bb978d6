"""Issue 28, point 4: the DynamoDB requests of the daily schedule run, counted on the memory table as the requests
its calls would be (tests/integration/test_calibration_request_counts.py's CountingTable), with Query pages cut at
DynamoDB's 1 MB (by the stored items' size).

The run reads the rules and cursors in one Query and the directory in one paginated Query: never a person at a
time. What grows with the organisation is the directory's pages and the reviews due that day (one cycle per rule
and day: a few requests; then one BatchGetItem and one transaction per 40 reviews). 200 people by default;
SCHEDULE_COUNTS_PEOPLE=10000 measures the large organisation (about a minute). Printed with `-s`.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, date, datetime, timedelta

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.unit_of_work import UnitOfWork
from service.domain.schedules import add_months
from service.services import schedules
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.integration.test_calibration_request_counts import CountingTable

PEOPLE = int(os.environ.get("SCHEDULE_COUNTS_PEOPLE", "200"))
RUN_DAY = date(2026, 3, 2)
PAGE_BYTES = 1_000_000


def organisation(people: int) -> str:
    """E1 (CEO), E2 (HR), 20 managers, and people whose start dates spread over the last 8 years: one in 365 has
    an anniversary on the run's day, and 3 end their probation (90 days) that day."""
    rows = [
        "employee_id,name,email,title,department,manager_id,roles,start_date",
        "E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership,2015-01-05",
        "E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr,2016-05-04",
    ]
    rows += [f"M{m},Manager {m},m{m}@example.com,Manager,Dept {m % 5},E1,,2017-02-0{1 + m % 9}" for m in range(20)]
    for n in range(people):
        start = RUN_DAY - timedelta(days=90) if n < 3 else add_months(RUN_DAY - timedelta(days=n), -12 * (1 + n % 7))
        rows.append(f"P{n:05d},Person {n},p{n}@example.com,Engineer,Dept {n % 5},M{n % 20},,{start}")
    return "\n".join(rows) + "\n"


def test_the_daily_run_reads_the_directory_in_pages_never_person_by_person():
    clock = FixedClock(datetime(2026, 2, 1, 9, 0, tzinfo=UTC))
    table = CountingTable()
    import_organisation(UnitOfWork(table), None, organisation(PEOPLE), clock)
    employee_bytes = max(len(json.dumps(i, default=str)) for i in table.all_items() if i.get("type") == "employee")
    table.page_size = PAGE_BYTES // employee_bytes
    hr = f.principal(table, "E2")
    template_id = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock).template_id
    for rule in (
        {"name": "Probation", "kind": "probation", "template_id": template_id, "days": 90},
        {"name": "Anniversary", "kind": "anniversary", "template_id": template_id},
    ):
        schedules.create_rule(UnitOfWork(table), hr, rule, clock)
    # the runs of the days before, so the measured run evaluates one day
    schedules.run_schedules(UnitOfWork(table), MemoryMailer(), FixedClock(datetime(2026, 3, 1, 6, tzinfo=UTC)))

    table.calls.clear()
    run = schedules.run_schedules(UnitOfWork(table), MemoryMailer(), FixedClock(datetime(2026, 3, 2, 6, tzinfo=UTC)))
    total = sum(table.calls.values())
    pages = -(-(PEOPLE + 22) // table.page_size)
    print(f"\n{PEOPLE} people: {run.reviews} reviews, {total} requests {dict(table.calls)}, {pages} directory pages")
    assert run.reviews == 3 + len([n for n in range(3, PEOPLE) if n % 365 == 0])
    assert table.calls["Scan"] == 0 and table.calls["GetItem"] <= 12  # the rules' templates and cycles, not people
    # 1 Query of the rules, the directory's pages, and (as at a launch) the actions about each new reviewee, once
    assert table.calls["Query"] <= 1 + pages + run.reviews
    # per rule and day: the cycle and its template, one write; per 40 reviews: a batch read and a transaction
    assert total <= 1 + pages + run.reviews + 2 * 6 + 4 * -(-run.reviews // 40)
