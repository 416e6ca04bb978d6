"""Issue 27: the DynamoDB requests of the diagnosis at 200 people, on the memory table counting each call as the
request it stands for. The cycle's reviews are one paginated Query, the training figures the training-need report's
few reads, upward feedback one paginated Query of the cycle's upward summaries (each upward answer moves its
manager's summary): the count grows neither with the people nor with the managers. Printed with `-s`.
`make bench ARGS=requests` measures the diagnosis on moto at 200 and 10,000 people too (benchmarks/request_counts.py).
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import cycles as cycle_svc
from service.services import feedback_answers, feedback_nominations
from service.services.directory import import_organisation
from tests import factories as f
from tests.integration.test_calibration_request_counts import CountingTable, organisation

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RELEASED = datetime(2026, 3, 21, 0, 15, tzinfo=UTC)  # the feedback deadline released every group: figures show
PEOPLE = 200
# The diagnosis of a cycle with one before it (13 requests; 36 at 10 managers, one more per manager, before issue
# 27's last part): the signed-in person, the cycle, the cycles list (read once for every part), the training
# report's reads (this cycle and the one before), one Query of each cycle's reviews, each cycle's feedback settings
# and one Query of its upward summaries, the improvement plan's Query.
PINNED = {"GetItem": 5, "BatchGetItem": 1, "Query": 7}  # the cycles list read once for every part (9 before)


def world(managers: int):
    """200 people (and their managers) under `managers` managers, two cycles, every report's upward answer in the
    current one."""
    clock = FixedClock(NOW)
    table = CountingTable()
    import_organisation(UnitOfWork(table), None, organisation(managers), clock)
    phases = {
        "goal_setting": date(2025, 3, 1),
        "self_assessment": date(2025, 3, 10),
        "feedback": date(2025, 3, 20),
        "manager_assessment": date(2025, 3, 31),
        "discussion": date(2025, 4, 15),
    }
    before = f.launched_cycle(
        table, clock, name="2025", period_start=date(2025, 1, 1), period_end=date(2025, 12, 31), phases=phases
    ).cycle_id
    cycle_id = f.launched_cycle(table, clock).cycle_id
    feedback_nominations.request_upward(UnitOfWork(table), f.principal(table, "E2"), cycle_id, clock)
    for n in range(PEOPLE):
        answer = {"ratings": {"delivery": 1 + n % 4, "collaboration": 2}, "answers": {}}
        who = f.principal(table, f"P{n:03d}")
        feedback_answers.submit_answer(UnitOfWork(table), who, cycle_id, f"M{n % managers}", answer, clock)
    clock.at = RELEASED
    close_cycles(table, clock, before, cycle_id)
    from service.web import create_app

    settings = Settings(table_name="reviews-diag-counts", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    app = create_app(settings, table=table, clock=clock)
    app.config["TESTING"] = True
    client = app.test_client()
    page = client.get("/signin")
    csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
    assert client.post("/signin", data={"csrf_token": csrf, "employee_id": "E1"}).status_code == 302
    return table, client, cycle_id


def close_cycles(table, clock, *cycle_ids: str) -> None:
    """HR closes the cycles: leadership reads their figures from then on (services/report_release.py)."""
    hr = f.principal(table, "E2")
    for cycle_id in cycle_ids:
        version = cycle_svc.get_cycle(UnitOfWork(table), cycle_id).version
        cycle_svc.close_cycle(UnitOfWork(table), hr, cycle_id, version, clock)


@pytest.fixture(scope="module")
def measured() -> dict[int, tuple[dict[str, int], dict]]:
    """The diagnosis's requests with 10 and with 40 managers (200 people each), and its answer."""
    found = {}
    for managers in (10, 40):
        table, client, cycle_id = world(managers)
        table.calls.clear()
        resp = client.get(f"/api/cycles/{cycle_id}/diagnosis")
        assert resp.status_code == 200, resp.get_json()
        found[managers] = (dict(table.calls), resp.get_json())
        print(f"\ndiagnosis: {PEOPLE} people, {managers} managers, 2 cycles: {sum(table.calls.values())} {table.calls}")
    return found


def test_the_diagnosis_reads_the_same_requests_with_10_or_40_managers(measured):
    (ten, answer), (forty, answer40) = measured[10], measured[40]
    assert ten == forty == PINNED, (ten, forty)
    assert [t["cycle_name"] for t in answer["trend"]] == ["2025", "2026 annual review"]
    # The upward figures were read: every manager's group counts (the 200 people's answers at level 2).
    assert [(lv["level"], lv["managers"], lv["respondents"]) for lv in answer["levels"]] == [(2, 10, 200)]
    assert [(lv["level"], lv["managers"], lv["respondents"]) for lv in answer40["levels"]] == [(2, 40, 200)]
