"""Goals in the review (issue 9): the manager rates each goal on the scale, or its progress counts by declared rule."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from service.services import review_goals
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def world(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    ids = []
    for title, weight, current in (("Ship importer", 60, 5), ("Cut CI time", 40, 10)):
        data = {
            "level": "individual",
            "title": title,
            "weight": weight,
            "cycle_id": cycle.cycle_id,
            "key_results": [{"id": "kr", "title": title, "start": 0, "target": 10, "current": current}],
        }
        ids.append(goal_svc.create_goal(UnitOfWork(table), f.principal(table, "E4"), data, clock).goal_id)
    return table, cycle, ids


def submit(table, cycle, clock, goal_ratings):
    uow = UnitOfWork(table)
    v = review_svc.open_review(uow, f.principal(table, "E4"), cycle.cycle_id, "E4").version
    v = review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle.cycle_id, "E4", f.self_content(), v, True, clock
    ).version
    content = f.manager_content(goal_ratings=goal_ratings)
    return review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle.cycle_id, "E4", content, v, True, clock
    ).score


def goals_part(score):
    return {p["name"]: p for p in score["parts"]}["goals"]


def test_rated_goals_count_by_their_rating_and_the_others_by_progress(world, clock):
    table, cycle, (importer, _ci) = world
    score = submit(table, cycle, clock, [{"goal_id": importer, "title": "Ship importer", "rating": 1}])
    part = goals_part(score)
    # importer: rating 1 → 0; CI: progress 100% → weighted (60 × 0 + 40 × 100) / 100 = 40
    assert part["value"] == pytest.approx(40)
    assert part["basis"] == "2 goal(s) by weight: 1 rated by the manager, 1 by key-result progress"


def test_without_ratings_the_goals_part_is_their_weighted_progress(world, clock):
    table, cycle, _ = world
    part = goals_part(submit(table, cycle, clock, []))
    assert part["value"] == pytest.approx(60 * 50 / 100 + 40 * 100 / 100)


def test_the_manager_form_rows_follow_the_persons_goals_keeping_what_was_saved(world):
    table, cycle, (importer, ci) = world
    goals = review_goals.review_goals(UnitOfWork(table), "E4", cycle.cycle_id)
    rows = review_goals.goal_rows(goals, [{"goal_id": ci, "rating": 3, "comment": "Good"}, {"title": "Other"}])
    assert [(r.get("goal_id"), r.get("rating")) for r in rows] == [(importer, None), (ci, 3), (None, None)]
    assert goals[0].key_results[0].progress == 50
