"""Key results with a direction (increase, decrease, stay within), and a goal's pace over its own period
(issue 25, point 5): progress by direction, words that fit it, and "on track" from the time elapsed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from service.adapters.clock import FixedClock
from service.adapters.goal_store import goal_from_item, goal_to_item
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import ValidationFailed
from service.domain.goals import (
    Direction,
    Goal,
    GoalLevel,
    GoalStatus,
    KeyResult,
    Pace,
    check_goal,
    goal_period,
    pace,
    standing,
)
from service.services import cycles as cycle_svc
from service.services import goals as svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def kr(start: float, target: float, current: float, direction: str = "increase", unit: str = "") -> KeyResult:
    return KeyResult("k", "Measure", start, target, current, unit, Direction(direction))


@pytest.mark.parametrize(
    ("start", "target", "current", "direction", "percent"),
    [
        (0, 30, 14, "increase", 14 / 30 * 100),
        (0, 30, 45, "increase", 100),  # past the target: done, not more
        (450, 200, 300, "decrease", 60),  # from 450 down toward 200
        (450, 200, 500, "decrease", 0),  # worse than the start: no progress, not negative
        (450, 200, 180, "decrease", 100),
        (0.5, 1, 0.8, "within", 100),
        (1, 0.5, 0.8, "within", 100),  # the range's ends in either order
        (0.5, 1, 1.2, "within", 0),
        (0.5, 1, 1, "within", 100),  # the ends belong to the range
    ],
)
def test_progress_follows_the_direction(start, target, current, direction, percent):
    assert kr(start, target, current, direction).percent == pytest.approx(percent)


def test_a_decrease_is_said_as_lower_is_better():
    assert (
        kr(450, 200, 300, "decrease", "ms").words() == "300 ms now, target 200 ms or less, from 450 ms: 60% of the way"
    )


def test_an_increase_is_said_as_higher_is_better():
    assert kr(0, 30, 14).words() == "14 now, target 30 or more, from 0: 47% of the way"


def test_stay_within_says_in_range_or_which_side():
    assert kr(0.5, 1, 0.8, "within", "%").words() == "0.8 % now, to stay within 0.5–1 %: in range"
    assert kr(0.5, 1, 1.25, "within", "%").words() == "1.25 % now, to stay within 0.5–1 %: above the range"
    assert kr(0.5, 1, 0.25, "within", "%").words().endswith(": below the range")


def test_a_target_below_the_start_is_a_decrease_even_when_stored_without_a_direction():
    # Stored key results have no direction: they read as "increase", and their numbers make it a decrease.
    assert KeyResult("k", "Build minutes", 30, 10, 20).direction is Direction.DECREASE
    assert KeyResult("k", "Pages", 0, 10, 4).direction is Direction.INCREASE


def test_a_decrease_whose_target_is_not_below_the_start_is_refused_on_the_target():
    goal = Goal("g", GoalLevel.INDIVIDUAL, "E4", "Faster", key_results=[kr(10, 20, 12, "decrease")], cycle_id="c")
    with pytest.raises(ValidationFailed) as caught:
        check_goal(goal)
    assert caught.value.errors == {"key_results.0.target": ["to decrease, the target must be below the start"]}


def test_a_stored_goal_without_a_direction_reads_back_and_keeps_its_meaning():
    goal = Goal("g", GoalLevel.INDIVIDUAL, "E4", "Faster", key_results=[kr(0, 10, 4)], cycle_id="c")
    item = goal_to_item(goal)
    for stored in item["key_results"]:
        del stored["direction"]  # as written before key results had one
    (read,) = goal_from_item(item).key_results
    assert (read.direction, read.percent) == (Direction.INCREASE, 40)


def test_the_period_runs_from_when_the_goal_was_set_to_its_due_date_or_its_cycles_end():
    jan, dec = date(2026, 1, 1), date(2026, 12, 31)
    assert goal_period(date(2026, 12, 5), jan, None, dec) == (date(2026, 12, 5), dec)
    assert goal_period(date(2025, 11, 20), jan, date(2026, 6, 30), dec) == (jan, date(2026, 6, 30))  # set early
    assert goal_period(date(2026, 3, 1), None, None, None) is None  # no end: no pace


def test_a_goal_set_today_is_on_track_whatever_the_cycle_has_used_up():
    today = date(2026, 12, 5)  # 93% of the cycle gone
    check = pace(0.0, GoalStatus.ON_TRACK, goal_period(today, date(2026, 1, 1), None, date(2026, 12, 31)), today)
    assert check is not None and (check.expected, check.pace) == (0.0, Pace.ON_TRACK)


def test_on_track_follows_the_time_elapsed_in_the_goals_period():
    period = (date(2026, 1, 1), date(2026, 1, 11))  # ten days
    on = date(2026, 1, 6)  # half way
    assert pace(45.0, GoalStatus.ON_TRACK, period, on).pace is Pace.ON_TRACK  # within the tolerance
    behind = pace(30.0, GoalStatus.ON_TRACK, period, on)
    assert (behind.expected, behind.pace) == (50.0, Pace.BEHIND)
    assert pace(30.0, GoalStatus.ON_TRACK, period, date(2025, 12, 1)).expected == 0.0  # before it starts
    assert pace(30.0, GoalStatus.ON_TRACK, period, date(2026, 3, 1)).expected == 100.0  # after it ends


def test_the_badge_says_behind_only_for_an_on_track_goal_that_trails_its_time():
    period, on = (date(2026, 1, 1), date(2026, 1, 11)), date(2026, 1, 6)
    assert standing(GoalStatus.ON_TRACK, pace(10.0, GoalStatus.ON_TRACK, period, on)) == "behind"
    assert standing(GoalStatus.AT_RISK, pace(10.0, GoalStatus.AT_RISK, period, on)) == "at_risk"  # as said
    assert pace(10.0, GoalStatus.DONE, period, on) is None  # done and dropped goals have no pace
    assert standing(GoalStatus.DONE, None) == "done"


@pytest.fixture
def world():
    table = MemoryTable()
    clock = FixedClock(datetime(2026, 12, 5, 9, tzinfo=UTC))
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return table, clock


def test_a_goal_created_seconds_ago_is_on_track_in_a_cycle_nearly_over(world):
    table, clock = world
    hr = f.principal(table, "E2")
    template = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)  # 2026
    data = {"level": "individual", "title": "Docs", "weight": 100, "cycle_id": cycle.cycle_id}
    saved = svc.create_goal(UnitOfWork(table), f.principal(table, "E4"), data, clock)
    assert saved.pace is not None and (saved.pace.expected, saved.standing) == (0.0, "on_track")
    clock.at += timedelta(days=13)  # half of what is left of the year: no progress since
    (mine,) = svc.person_goals(UnitOfWork(table), "E4", cycle.cycle_id, on=clock.now().date())
    assert (mine.pace.period_start, mine.pace.period_end) == (date(2026, 12, 5), date(2026, 12, 31))
    assert (mine.pace.expected, mine.pace.pace, mine.standing) == (50.0, "behind", "behind")
