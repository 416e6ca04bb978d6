"""Check-in reminders (issue 28, point 2): a goal's rhythm puts it in its owner's daily reminder once due."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.goals import GoalStatus, falls_behind_on
from service.services import checkins as checkin_svc
from service.services import goals as goal_svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.conftest import ORG_CSV


def test_a_goal_due_a_check_in_is_in_the_owners_reminder_until_checked_in():
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock, participant_mode="list", employee_ids=["E4", "E5"])
    me = f.principal(table, "E4")
    data = {"level": "individual", "title": "Ship the parser", "cycle_id": cycle.cycle_id, "weight": 100}
    goal = goal_svc.create_goal(UnitOfWork(table), me, {**data, "checkin_rhythm": "weekly"}, clock)
    mailer = MemoryMailer()
    clock.at = datetime(2026, 3, 8, 8, tzinfo=UTC)  # six days on: not due yet (and no review task is overdue)
    send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    assert mailer.sent == []
    clock.at = datetime(2026, 3, 9, 8, tzinfo=UTC)
    send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    [mail] = mailer.sent
    assert mail.to == ("katherine@example.com",) and mail.subject == "Goal check-ins due (1)"
    assert f"- Ship the parser: due 9 Mar 2026 — check in at https://reviews.example/goals/{goal.goal_id}" in mail.text
    checkin_svc.check_in(UnitOfWork(table), me, goal.goal_id, {"confidence": "on_track", "comment": "Fine."}, 1, clock)
    assert checkin_svc.due_check_ins(UnitOfWork(table), clock.now().date()) == {}


# --- the organisation's day: a goal made or checked in near midnight UTC counts from its day on the organisation's
# wall (1 March, 21:30 in New York is 2 March in UTC; 2 March, 01:30 in Auckland is 1 March in UTC).
NEAR_MIDNIGHT = [
    datetime(2026, 3, 1, 21, 30, tzinfo=ZoneInfo("America/New_York")),
    datetime(2026, 3, 2, 1, 30, tzinfo=ZoneInfo("Pacific/Auckland")),
]


def made_near_midnight(at: datetime, rhythm: str | None = "weekly", made_in=None):
    """A table with E4's goal made at `at` (its clock on the wall of `made_in`, else of `at`); (table, goal id)."""
    table = MemoryTable()
    setup = FixedClock(datetime(2026, 2, 20, 9, tzinfo=UTC))
    import_organisation(UnitOfWork(table), None, ORG_CSV, setup)
    cycle = f.launched_cycle(table, setup, participant_mode="list", employee_ids=["E4", "E5"])
    data = {"level": "individual", "title": "Ship the parser", "cycle_id": cycle.cycle_id, "weight": 100}
    clock = FixedClock(at.astimezone(made_in) if made_in else at)
    goal = goal_svc.create_goal(UnitOfWork(table), f.principal(table, "E4"), {**data, "checkin_rhythm": rhythm}, clock)
    return table, goal.goal_id


@pytest.mark.parametrize("at", NEAR_MIDNIGHT, ids=["new-york", "auckland"])
def test_a_check_in_falls_due_a_rhythm_after_the_organisations_day_the_goal_was_made(at):
    table, goal_id = made_near_midnight(at)
    zone, made = at.tzinfo, at.date()
    due = made + timedelta(days=7)
    seen = goal_svc.get_goal(UnitOfWork(table), None, goal_id, on=made, zone=zone)
    assert seen.next_check_in == due
    assert checkin_svc.due_check_ins(UnitOfWork(table), due - timedelta(days=1), zone) == {}  # the stored marks
    assert [d.due for d in checkin_svc.due_check_ins(UnitOfWork(table), due, zone)["E4"]] == [due]


@pytest.mark.parametrize("at", NEAR_MIDNIGHT, ids=["new-york", "auckland"])
def test_a_goals_period_starts_on_the_organisations_day_it_was_made(at):
    table, goal_id = made_near_midnight(at, rhythm=None)
    seen = goal_svc.get_goal(UnitOfWork(table), None, goal_id, on=date(2026, 3, 20), zone=at.tzinfo)
    assert (seen.pace.period_start, seen.pace.period_end) == (at.date(), date(2026, 12, 31))
    behind = falls_behind_on(0.0, GoalStatus.ON_TRACK, (at.date(), date(2026, 12, 31)))
    stored = UnitOfWork(table).rollups.get(goal_id, seen.cycle_id).behind_on
    assert stored == behind.isoformat()  # the day the organisation's report counts it behind
    ctx = review_svc.ReviewContext(UnitOfWork(table), f.principal(table, "E4"), seen.cycle_id, "E4")
    (in_review,) = review_svc.review_view(ctx, on=date(2026, 3, 20), zone=at.tzinfo).goals
    assert in_review.pace == seen.pace  # the review shows the goal's standing as the goal page does


def test_a_check_in_mark_stored_on_the_utc_day_moves_to_the_organisations_day_at_the_next_check_in():
    new_york = ZoneInfo("America/New_York")
    table, goal_id = made_near_midnight(NEAR_MIDNIGHT[0], made_in=UTC)  # marked before: due 9 March (UTC's)
    assert list(checkin_svc.due_check_ins(UnitOfWork(table), date(2026, 3, 9), new_york)) == ["E4"]
    evening = FixedClock(datetime(2026, 3, 4, 22, 0, tzinfo=new_york))  # 5 March in UTC
    checkin_svc.check_in(
        UnitOfWork(table), f.principal(table, "E4"), goal_id, {"confidence": "on_track", "comment": "Ok"}, 1, evening
    )
    assert checkin_svc.due_check_ins(UnitOfWork(table), date(2026, 3, 10), new_york) == {}  # the old mark is gone
    assert [d.due for d in checkin_svc.due_check_ins(UnitOfWork(table), date(2026, 3, 11), new_york)["E4"]] == [
        date(2026, 3, 11)
    ]
