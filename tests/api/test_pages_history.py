"""History as a trend: the score and each competency across cycles as small SVG charts with a text
alternative, and each tracked action once with its cycle named."""

from __future__ import annotations

import re

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from tests import factories as f

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    """One app per module; each test gets the organisation and one launched cycle afresh."""
    return module_app


@pytest.fixture
def table(app):
    return app.extensions["reviews"].table


@pytest.fixture
def clock(app):
    return app.extensions["reviews"].clock


def assessed(table, clock, cycle_id: str, delivery: int) -> None:
    """E4's self and manager assessments submitted, delivery rated as given."""
    me, boss = f.principal(table, "E4"), f.principal(table, "E3")
    review_svc.save_self_assessment(UnitOfWork(table), me, cycle_id, "E4", f.self_content(), 1, True, clock)
    ratings = {"delivery": {"rating": delivery, "comment": "Fine"}, "collaboration": {"rating": 3, "comment": "Ok"}}
    # A low rating suggests a training need: the manager dismisses it (a submission must decide it).
    content = f.manager_content(competency_ratings=ratings, need_suggestions={"delivery": "dismissed"})
    review_svc.save_manager_assessment(UnitOfWork(table), boss, cycle_id, "E4", content, 2, True, clock)


def test_history_charts_the_score_and_each_competency_across_cycles(as_, table, clock, launched_cycle_id):
    assessed(table, clock, launched_cycle_id, delivery=2)
    hr = f.principal(table, "E2")
    first = cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id)
    cycle_svc.close_cycle(UnitOfWork(table), hr, launched_cycle_id, first.version, clock)
    from datetime import date

    second = f.launched_cycle(
        table, clock, name="2027 annual review", period_start=date(2027, 1, 1), period_end=date(2027, 12, 31)
    )
    assessed(table, clock, second.cycle_id, delivery=4)
    html = as_("E4").get("/history").get_data(as_text=True)
    trend = html[html.index('id="h-trend"') : html.index('id="h-reviews"')]
    assert trend.count('<svg class="spark"') == 3  # the score, Delivery, Collaboration
    assert "Delivery rating per cycle" in trend and "Collaboration rating per cycle" in trend
    # the text alternative names each cycle with the scale's words, oldest first
    assert re.search(r"2026 annual review: 2 of 4 \(Meets\); 2027 annual review: 4 of 4 \(Outstanding\)", trend)
    assert "delivery:" not in html
    actions = html[html.index('id="h-actions"') :]
    assert actions.count("Buy faster runners") == 2  # one obstacle per cycle, each once
    assert "2026 annual review" in actions and "2027 annual review" in actions and "owner Alan Turing" in actions
