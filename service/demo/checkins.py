"""The demo's goal check-ins (issue 28, point 2): a few people check in on their personal goal on a rhythm, so the
goal page draws a timeline and a chart against the expected line, the alignment report shows the latest check-in,
and a goal whose check-in is due reaches its owner's daily reminder (the digest, or their chat).

Each story ends where the goal tree left the goal (its final value and status), so every other figure of the demo
is the same with or without it; `_goal_tree` starts these goals at their key result's start value instead."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import checkins as checkin_svc
from service.services import goals as goal_svc
from service.services.auth import Principal

# owner → (the personal goal's title, its rhythm, [(share of the time since the goals were set, new value,
# confidence, comment)]); the last check-in's value and confidence are the goal tree's.
CHECK_INS: dict[str, tuple[str, str, list[tuple[float, float, str, str]]]] = {
    "E008": (
        "Blue-green deploys for the API",
        "fortnightly",
        [
            (0.25, 3, "on_track", "Staging switches colours on every merge."),
            (0.55, 5, "on_track", "Half the API services deploy blue-green."),
            (0.85, 8, "on_track", "Only the two legacy services are left."),
        ],
    ),
    "E009": (
        "Cut p95 latency to 200 ms",
        "weekly",
        [
            (0.3, 400, "on_track", "Query cache in front of the search service."),
            (0.6, 340, "at_risk", "Cold starts eat the gain at peak; looking at provisioned capacity."),
            (0.9, 300, "on_track", "Provisioned capacity on the two hot paths; on course again."),
        ],
    ),
    "E011": (
        "Automate database failover",
        "monthly",
        [
            (0.4, 1, "on_track", "Failover of the reporting database rehearsed and automated."),
            (0.8, 1, "at_risk", "The main cluster waits for the new network segment from IT."),
        ],
    ),
}


class SetAt(Clock):
    """The real clock's identifiers, at a moment of the story."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def load_checkins(table: Table, who: Callable[[str], Principal], cycle_id: str, today: date, clock: Clock) -> None:
    """Give each story's goal its rhythm and check-ins, dated across the time since the goals were set."""
    start = min(clock.now(), datetime.combine(date(today.year, 1, 15), time(9), UTC))
    span = max(clock.now() - start, start - start)
    for owner, (title, rhythm, steps) in CHECK_INS.items():
        person = who(owner)
        (goal,) = [g for g in goal_svc.person_goals(UnitOfWork(table), owner, cycle_id) if g.title == title]
        at = SetAt(start)
        version = goal_svc.update_goal(
            UnitOfWork(table), person, goal.goal_id, {"checkin_rhythm": rhythm}, goal.version, at
        ).version
        (kr,) = goal.key_results
        for share, value, confidence, comment in steps:
            at = SetAt(start + span * share)
            data = {"values": {kr.id: value}, "confidence": confidence, "comment": comment}
            version = checkin_svc.check_in(UnitOfWork(table), person, goal.goal_id, data, version, at).version
