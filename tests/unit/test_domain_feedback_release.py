"""When a person's feedback closes and is released (`domain/feedback.release_state`), examples with no fakes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from service.domain.feedback import ReleaseRule, release_state

DEADLINE = date(2026, 3, 20)
BEFORE = datetime(2026, 3, 20, 23, 59, tzinfo=UTC)  # the deadline's last minute: still open
CLOSING = datetime(2026, 3, 21, 0, 5, tzinfo=UTC)  # answers closed, not yet readable
AFTER = datetime(2026, 3, 21, 0, 15, tzinfo=UTC)


@pytest.mark.parametrize(
    ("rule", "manager", "now", "closed", "released"),
    [
        (ReleaseRule.FIRST, False, BEFORE, False, False),
        (ReleaseRule.FIRST, True, BEFORE, True, True),  # the manager submitted first
        (ReleaseRule.FIRST, False, CLOSING, True, False),  # an answer committing at midnight lands before any read
        (ReleaseRule.FIRST, False, AFTER, True, True),
        (ReleaseRule.DEADLINE, True, BEFORE, True, False),  # closed by the submission, read at the deadline
        (ReleaseRule.DEADLINE, True, AFTER, True, True),
        (ReleaseRule.MANAGER, False, AFTER, False, False),  # the deadline neither closes nor releases
        (ReleaseRule.MANAGER, True, BEFORE, True, True),
    ],
)
def test_release_follows_the_rule(rule, manager, now, closed, released):
    state = release_state(rule, DEADLINE, manager, now)
    assert (state.closed, state.released) == (closed, released)


def test_released_always_means_closed_so_what_is_shown_never_grows():
    for rule in ReleaseRule:
        for manager in (False, True):
            for now in (BEFORE, CLOSING, AFTER):
                state = release_state(rule, DEADLINE, manager, now)
                assert state.closed or not state.released, (rule, manager, now)


def test_the_release_day_is_announced_only_when_the_deadline_releases():
    assert release_state(ReleaseRule.FIRST, DEADLINE, False, BEFORE).release_on == date(2026, 3, 21)
    assert release_state(ReleaseRule.MANAGER, DEADLINE, False, BEFORE).release_on is None
    assert release_state(ReleaseRule.FIRST, None, False, AFTER).released is False  # no deadline: the manager only


NEW_YORK = ZoneInfo("America/New_York")  # UTC-4 on 2026-03-20 (daylight saving from 8 March)


def test_a_deadline_ends_at_midnight_on_the_organisations_clock_not_utcs():
    # 22:30 in New York on the deadline day is 02:30 UTC the next day: still open for an organisation there.
    evening = datetime(2026, 3, 20, 22, 30, tzinfo=NEW_YORK)
    assert release_state(ReleaseRule.FIRST, DEADLINE, False, evening).closed is False
    assert release_state(ReleaseRule.FIRST, DEADLINE, False, evening.astimezone(UTC)).closed is True  # a UTC one's
    after = datetime(2026, 3, 21, 0, 20, tzinfo=NEW_YORK)
    state = release_state(ReleaseRule.FIRST, DEADLINE, False, after)
    assert (state.closed, state.released, state.release_on) == (True, True, date(2026, 3, 21))
    assert (
        release_state(ReleaseRule.FIRST, DEADLINE, False, datetime(2026, 3, 21, 0, 5, tzinfo=NEW_YORK)).released
        is False
    )
