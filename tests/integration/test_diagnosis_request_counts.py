"""Issue 27: the DynamoDB requests of the diagnosis at 200 people (10 managers below the chief executive), on the
memory table counting each call as the request it stands for. The cycle's reviews are one paginated Query, the
training figures the training-need report's few reads; upward feedback is one Query per manager of the cycle, so
the count grows with the managers, never with the people. Printed with `-s`."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services.directory import import_organisation
from tests import factories as f
from tests.integration.test_calibration_request_counts import MANAGERS, CountingTable, organisation

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# The diagnosis of a cycle with one before it: the signed-in person, the cycle, the cycles list and the training
# report's reads (twice: this cycle and the one before), one Query of each cycle's reviews, the feedback settings,
# one BatchGetItem of the managers, one Query per manager's feedback group, the improvement plan's Query.
FIXED = 25
MOST = FIXED + MANAGERS + 1  # the chief executive manages the managers and HR: one more group


@pytest.fixture(scope="module")
def world():
    clock = FixedClock(NOW)
    table = CountingTable()
    import_organisation(UnitOfWork(table), None, organisation(), clock)
    phases = {
        "goal_setting": date(2025, 3, 1),
        "self_assessment": date(2025, 3, 10),
        "feedback": date(2025, 3, 20),
        "manager_assessment": date(2025, 3, 31),
        "discussion": date(2025, 4, 15),
    }
    f.launched_cycle(
        table, clock, name="2025", period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), phases=phases
    )
    cycle_id = f.launched_cycle(table, clock).cycle_id
    from service.web import create_app

    settings = Settings(table_name="reviews-diag-counts", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    app = create_app(settings, table=table, clock=clock)
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/signin")
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/signin", data={"csrf_token": csrf, "employee_id": "E1"}).status_code == 302
    return table, client, cycle_id


def test_the_diagnosis_at_200_people_reads_per_cycle_and_per_manager_never_per_person(world):
    table, client, cycle_id = world
    table.calls.clear()
    resp = client.get(f"/api/cycles/{cycle_id}/diagnosis")
    assert resp.status_code == 200, resp.get_json()
    total = sum(table.calls.values())
    print(f"\ndiagnosis: 200 people, {MANAGERS} managers, 2 cycles: {total} requests {dict(table.calls)}")
    assert table.calls["Scan"] == 0 and table.calls["TransactWriteItems"] == 0
    assert total <= MOST, dict(table.calls)
    assert [t["cycle_name"] for t in resp.get_json()["trend"]] == ["2025", "2026 annual review"]
