"""The demo's one-to-ones (issue 28): Lukas Becker and Kwame Mensah meet weekly at 10:00 in Berlin; two meetings held
(notes, a private note of Lukas's, actions and a talking point carried), the second pulled into Kwame's review, and the
next one tomorrow."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta

from service.adapters.clock import Clock, FixedClock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.one_to_ones import MeetingList
from service.services import one_to_ones as svc
from service.services.auth import Principal

MANAGER, REPORT = "E007", "E009"


def load_one_to_ones_demo(table: Table, who: Callable[[str], Principal], cycle_id: str, clock: Clock) -> None:
    """Two past meetings and an upcoming one for one pair of the platform team."""
    today = clock.now().date()
    first = today - timedelta(days=13)
    lukas, kwame = who(MANAGER), who(REPORT)

    def at(day_offset: int) -> Clock:
        return FixedClock(datetime.combine(first + timedelta(days=day_offset), time(9, 0), UTC))

    # Lukas keeps his times in Berlin's zone; Kwame reads them in the organisation's.
    mine = svc.my_time_zone(UnitOfWork(table), lukas)
    svc.set_my_time_zone(UnitOfWork(table), lukas, "Europe/Berlin", mine.version, at(0))
    rhythm = {"rhythm": "weekly", "first_date": first, "time": "10:00", "minutes": 30}
    svc.set_rhythm(UnitOfWork(table), lukas, REPORT, rhythm, 0, at(0))
    for text in ("How the on-call rotation feels", "Growing into code reviews"):
        m = svc.add_point(UnitOfWork(table), kwame, REPORT, {"text": text}, at(0))
    covered = m.points[0].point_id  # talked about; the other one is carried to the next meeting
    svc.tick(UnitOfWork(table), kwame, REPORT, MeetingList.POINTS, covered, True, m.version, at(0))
    svc.add_action(
        UnitOfWork(table), lukas, REPORT, {"text": "Pair Kwame with Mei on reviews", "owner_id": MANAGER}, at(0)
    )
    m = svc.add_action(UnitOfWork(table), kwame, REPORT, {"text": "Write the on-call runbook draft"}, at(0))
    notes = "On-call is heavy in the first week of the month. Kwame wants more review practice."
    m = svc.save_shared_notes(UnitOfWork(table), lukas, REPORT, m.date, notes, m.version, at(0))
    svc.save_private_notes(UnitOfWork(table), lukas, REPORT, m.date, "Watch for signs of overload.", 0, at(0))
    done = m.actions[0].action_id
    m = svc.tick(UnitOfWork(table), lukas, REPORT, MeetingList.ACTIONS, done, True, m.version, at(0))
    svc.hold_meeting(UnitOfWork(table), lukas, REPORT, m.date, m.version, at(0))

    m = svc.add_point(UnitOfWork(table), lukas, REPORT, {"text": "Feedback from the incident review"}, at(7))
    notes = "The incident write-up was clear and calm. The runbook draft is half done: carried."
    m = svc.save_shared_notes(UnitOfWork(table), kwame, REPORT, m.date, notes, m.version, at(7))
    svc.hold_meeting(UnitOfWork(table), kwame, REPORT, m.date, m.version, at(7))
    svc.pull_into_review(UnitOfWork(table), lukas, REPORT, m.date, cycle_id, at(7))

    svc.add_point(UnitOfWork(table), kwame, REPORT, {"text": "Conference budget for next quarter"}, at(12))
