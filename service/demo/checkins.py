"""The demo's goal check-ins (issue 28, point 2): a few people check in on their personal goal on a rhythm, so the
goal page draws a timeline and a chart against the expected line, the alignment report shows the latest check-in,
and a goal whose check-in is due reaches its owner's daily reminder (the digest, or their chat).

Each story ends where the goal tree left the goal (its final value and status), so every other figure of the demo
is the same with or without it; `_goal_tree` starts these goals at their key result's start value instead."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.demo import data_file
from service.services import checkins as checkin_svc
from service.services import goals as goal_svc
from service.services.auth import Principal

CHECKINS_CSV = "checkins.csv"  # a row per check-in: owner, goal, rhythm, share of the time, value, confidence, comment


@dataclass(frozen=True)
class Story:
    """One person's personal goal as its check-ins tell it; the last check-in's value and confidence are the goal
    tree's."""

    goal: str
    rhythm: str
    steps: list[tuple[float, int, str, str]]  # (share of the time since the goals were set, value, confidence, comment)


def stories() -> dict[str, Story]:
    """Each owner's story, in the file's order."""
    told: dict[str, Story] = {}
    for row in csv.DictReader(io.StringIO(data_file(CHECKINS_CSV))):
        story = told.setdefault(row["owner"], Story(row["goal"], row["rhythm"], []))
        story.steps.append((float(row["share"]), int(row["value"]), row["confidence"], row["comment"]))
    return told


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
    for owner, story in stories().items():
        person = who(owner)
        (goal,) = [g for g in goal_svc.person_goals(UnitOfWork(table), owner, cycle_id) if g.title == story.goal]
        at = SetAt(start)
        version = goal_svc.update_goal(
            UnitOfWork(table), person, goal.goal_id, {"checkin_rhythm": story.rhythm}, goal.version, at
        ).version
        (kr,) = goal.key_results
        for share, value, confidence, comment in story.steps:
            at = SetAt(start + span * share)
            data = {"values": {kr.id: value}, "confidence": confidence, "comment": comment}
            version = checkin_svc.check_in(UnitOfWork(table), person, goal.goal_id, data, version, at).version
