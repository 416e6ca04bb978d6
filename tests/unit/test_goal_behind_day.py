"""The day a goal falls behind (domain/goals.falls_behind_on): the day `pace` first says behind, stored on each
write so the organisation's alignment report can count goals behind without reading them all (issue 25)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.domain.goals import GoalStatus, Pace, falls_behind_on, pace

START = date(2026, 1, 1)


@pytest.mark.parametrize("progress", [0.0, 5.0, 33.3, 50.0, 89.9])
@pytest.mark.parametrize("days", [0, 1, 7, 30, 365])
def test_the_day_is_the_first_on_which_the_pace_says_behind(progress, days):
    period = (START, START + timedelta(days=days))
    day = falls_behind_on(progress, GoalStatus.ON_TRACK, period)
    assert day is not None
    assert pace(progress, GoalStatus.ON_TRACK, period, day).pace is Pace.BEHIND
    if day > START:
        assert pace(progress, GoalStatus.ON_TRACK, period, day - timedelta(days=1)).pace is Pace.ON_TRACK


def test_ten_percent_done_of_twenty_days_falls_behind_once_a_quarter_of_them_is_gone():
    assert falls_behind_on(10.0, GoalStatus.ON_TRACK, (START, START + timedelta(days=20))) == date(
        2026, 1, 6
    )  # 5 of 20 days: 25% > 10% + 10


def test_a_goal_within_the_tolerance_of_done_never_falls_behind():
    assert falls_behind_on(90.0, GoalStatus.ON_TRACK, (START, START + timedelta(days=30))) is None


@pytest.mark.parametrize("status", [GoalStatus.AT_RISK, GoalStatus.OFF_TRACK, GoalStatus.DONE, GoalStatus.DROPPED])
def test_only_a_goal_on_track_by_its_owners_word_has_a_day(status):
    assert falls_behind_on(0.0, status, (START, START + timedelta(days=30))) is None


def test_a_goal_without_a_period_has_no_day():
    assert falls_behind_on(0.0, GoalStatus.ON_TRACK, None) is None
