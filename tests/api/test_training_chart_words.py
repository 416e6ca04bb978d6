"""The training report's charts say what the tables beside them say (issue 25): a category reads as the domain
names it in both, and the topic chart names last cycle only when it draws last cycle."""

from __future__ import annotations

import re

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.reviews import OBSTACLE_CATEGORY_LABELS, ObstacleCategory
from service.services import cycles
from tests.conftest import AuthActions


@pytest.fixture(scope="module")
def pages() -> dict[str, str]:
    """The leadership report page of the demo's newest cycle (it has a previous one) and of its first cycle."""
    from datetime import UTC, datetime

    from service.adapters.clock import FixedClock
    from service.config import Settings
    from service.web import create_app

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = MemoryTable()
    load_demo(table, clock)
    newest, *_, first = cycles.list_cycles(UnitOfWork(table))
    client = create_app(Settings(), table=table, clock=clock).test_client()
    AuthActions(client).login("E005")  # HR: the running cycle live (report_release)
    return {
        name: client.get(f"/reports/training?cycle={c.cycle_id}").get_data(as_text=True)
        for name, c in (("newest", newest), ("first", first))
    }


def chart_titles(page: str) -> list[str]:
    return re.findall(r'<title id="chart\d+-title">([^<]*)</title>', page)


def test_an_obstacle_category_reads_the_same_in_the_chart_and_in_the_table(pages):
    label = OBSTACLE_CATEGORY_LABELS[ObstacleCategory.MANAGEMENT]
    assert label == "Management and leadership"
    obstacles = next(t for t in chart_titles(pages["newest"]) if t.startswith("Obstacles by category"))
    assert f"{label} 5" in obstacles and "Management, leadership" not in pages["newest"]
    assert f'<th scope="row">{label}</th>' in pages["newest"]
    assert "Resources" in obstacles.partition("withheld:")[2]  # a withheld category is named alike


def test_the_topic_chart_names_last_cycle_only_when_it_draws_it(pages):
    with_previous = next(t for t in chart_titles(pages["newest"]) if t.startswith("Training needs by topic"))
    assert with_previous.startswith("Training needs by topic: people this cycle and last: ")
    assert "Previous cycle" in pages["newest"]  # its legend
    alone = next(t for t in chart_titles(pages["first"]) if t.startswith("Training needs by topic"))
    assert alone.startswith("Training needs by topic: people this cycle: ")
    first_chart = next(svg for svg in re.findall(r"<svg.*?</svg>", pages["first"], re.S) if alone in svg)
    assert "last" not in first_chart and "Previous cycle" not in first_chart and "outlined bars" not in first_chart
