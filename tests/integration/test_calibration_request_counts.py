"""Issue 23: the DynamoDB requests of the calibration session view at 200 people, on the memory table counting
each call as the DynamoDB request it stands for (a batch read of up to 100 keys is one BatchGetItem).

The session's people and their managers are read in batches, its adjustments in one Query: the count grows with
the batches (200 people: 2 batches of reviews, 3 of people), not with each person. Printed with `-s`.
"""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import calibration as cal
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.api.test_calibration_phase import NOW

PEOPLE = 200
MANAGERS = 10
# The session view's whole request: the signed-in person, the session, the cycle, the reader, 2 batches of
# reviews, 3 batches of people, the adjustments' Query, the names of the facilitators and participants.
MOST = 12


class CountingTable(MemoryTable):
    """A memory table that counts the DynamoDB requests its calls would be."""

    def __init__(self) -> None:
        super().__init__()
        self.calls: Counter[str] = Counter()
        self._batch = False

    def get(self, key, consistent=False):
        if not self._batch:
            self.calls["GetItem"] += 1
        return super().get(key, consistent)

    def get_many(self, keys):
        self.calls["BatchGetItem"] += -(-len(keys) // 100)
        self._batch = True
        try:
            return super().get_many(keys)
        finally:
            self._batch = False

    def query_page(self, *args, **kwargs):
        self.calls["Query"] += 1
        return super().query_page(*args, **kwargs)

    def transact(self, ops, token=None):
        self.calls["TransactWriteItems"] += 1
        return super().transact(ops, token)


def organisation(managers: int = MANAGERS) -> str:
    rows = [
        "employee_id,name,email,title,department,manager_id,roles",
        "E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership",
        "E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr",
    ]
    rows += [f"M{m},Manager {m},m{m}@example.com,Manager,Engineering,E1," for m in range(managers)]
    rows += [
        f"P{n:03d},Person {n},p{n}@example.com,Engineer,{'Engineering' if n % 2 else 'Sales'},M{n % managers},"
        for n in range(PEOPLE)
    ]
    return "\n".join(rows) + "\n"


@pytest.fixture(scope="module")
def world():
    clock = FixedClock(NOW)
    table = CountingTable()
    import_organisation(UnitOfWork(table), None, organisation(), clock)
    cycle_id = f.launched_cycle(table, clock, template={"calibration": True}).cycle_id
    people = [f"P{n:03d}" for n in range(PEOPLE)]
    for n, p in enumerate(people):
        v = UnitOfWork(table).reviews.get(cycle_id, p).version
        review_svc.save_self_assessment(
            UnitOfWork(table), f.principal(table, p), cycle_id, p, f.self_content(), v, True, clock
        )
        content = f.manager_content(owner_id=p)
        content["competency_ratings"]["delivery"]["rating"] = 3 + n % 2  # a low one would suggest a training need
        mgr = f.principal(table, f"M{n % MANAGERS}")
        review_svc.save_manager_assessment(UnitOfWork(table), mgr, cycle_id, p, content, v + 1, True, clock)
    hr = f.principal(table, "E2")
    data = {"name": "Everyone", "group": "list", "employee_ids": people}
    session = cal.create_session(UnitOfWork(table), hr, cycle_id, data, clock)
    cal.adjust(
        UnitOfWork(table),
        hr,
        session.session_id,
        "P000",
        {"competency_ratings": {"delivery": 3, "collaboration": 3}},
        "x",
        0,
        clock,
    )
    from service.web import create_app

    settings = Settings(table_name="reviews-cal-counts", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    app = create_app(settings, table=table, clock=clock)
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/signin")
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/signin", data={"csrf_token": csrf, "employee_id": "E2"}).status_code == 302
    return table, client, session


@pytest.mark.parametrize("url", ["/api/calibration-sessions/{id}", "/calibration/{id}"])
def test_the_session_view_at_200_people_takes_a_few_batched_requests(world, url):
    table, client, session = world
    table.calls.clear()
    started = time.perf_counter()
    resp = client.get(url.format(id=session.session_id))
    elapsed = time.perf_counter() - started
    assert resp.status_code == 200
    total = sum(table.calls.values())
    print(f"\n{url}: {PEOPLE} people, {total} requests {dict(table.calls)}, {elapsed * 1000:.0f} ms in-process")
    assert table.calls["Scan"] == 0 and table.calls["TransactWriteItems"] == 0
    assert total <= MOST, dict(table.calls)
    if url.startswith("/api"):
        assert len(resp.get_json()["rows"]) == PEOPLE
