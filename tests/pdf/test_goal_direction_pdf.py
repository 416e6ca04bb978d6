"""The summary PDF says a key result by its direction (issue 25, point 5): lower is better reads as such."""

from __future__ import annotations

from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from tests import factories as f
from tests.pdf.conftest import pdf_text


def test_a_decrease_key_result_reads_as_lower_is_better_in_the_summary(world, tmp_path):
    kr = {"id": "p95", "title": "p95 latency", "start": 450, "target": 200, "current": 300, "unit": "ms"}
    data = {
        "level": "individual",
        "title": "Cut p95 latency",
        "weight": 0,
        "cycle_id": world.cycle_id,
        "key_results": [{**kr, "direction": "decrease"}],
    }
    goal_svc.create_goal(UnitOfWork(world.table), f.principal(world.table, "E5"), data, world.clock)
    resp = world.pdf("E2", "E5")
    assert resp.status_code == 200
    body = " ".join(pdf_text(resp.data, tmp_path).split())
    assert "p95 latency: 300 ms now, target 200 ms or less, from 450 ms: 60% of the way" in body
