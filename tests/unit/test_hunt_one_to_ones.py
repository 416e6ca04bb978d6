"""One-to-ones (issue 28): a rhythm changed and changed back moves the upcoming meeting back to a date it was at
before; its agenda and each side's private notes follow, and every trail stays one verifiable chain (the second
move was refused as a conflict: "This audit already exists"); and private notes written before anything shared
follow a new rhythm too (they stayed at the old date, out of their author's sight)."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.adapters import keys
from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.audit import verify_chain
from service.services import one_to_ones as svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

TODAY = date(2026, 3, 2)


def rhythm(first: date) -> dict:
    return {"rhythm": "weekly", "first_date": first, "time": "10:00", "minutes": 30}


def test_a_meeting_moved_away_and_back_keeps_its_agenda_notes_and_trails():
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    alan, kath = f.principal(table, "E3"), f.principal(table, "E4")
    pair = svc.set_rhythm(UnitOfWork(table), alan, "E4", rhythm(date(2026, 3, 4)), 0, clock)
    meeting = svc.add_point(UnitOfWork(table), kath, "E4", {"text": "Conference budget"}, clock)
    svc.save_private_notes(UnitOfWork(table), alan, "E4", meeting.date, "Ask about the team move", 0, clock)

    pair = svc.set_rhythm(UnitOfWork(table), alan, "E4", rhythm(date(2026, 3, 6)), pair.version, clock)  # Fridays
    svc.set_rhythm(UnitOfWork(table), alan, "E4", rhythm(date(2026, 3, 4)), pair.version, clock)  # back

    view = svc.one_to_one(UnitOfWork(table), alan, "E4", TODAY)
    assert view.meeting.date == "2026-03-04" and [p.text for p in view.meeting.points] == ["Conference budget"]
    assert view.private_notes == "Ask about the team move"
    assert svc.one_to_one(UnitOfWork(table), kath, "E4", TODAY).private_notes == ""
    audit = UnitOfWork(table).audit
    for day in ("2026-03-04", "2026-03-06"):
        for entity in (
            keys.entity_one_to_one("E3", "E4", day),
            keys.entity_one_to_one("E3", "E4", f"PRIVATE.{day}.E3"),
        ):
            assert verify_chain(audit.of_entity(entity)) == [], entity
    stored = [i for i in table.all_items() if i.get("type") == "one_to_one_meeting"]
    assert [i["sk"] for i in stored] == ["MEET#2026-03-04"]


def test_private_notes_of_a_meeting_nothing_else_was_written_on_follow_a_new_rhythm():
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    alan = f.principal(table, "E3")
    pair = svc.set_rhythm(UnitOfWork(table), alan, "E4", rhythm(date(2026, 3, 4)), 0, clock)
    svc.save_private_notes(UnitOfWork(table), alan, "E4", "2026-03-04", "Ask about the team move", 0, clock)

    svc.set_rhythm(UnitOfWork(table), alan, "E4", rhythm(date(2026, 3, 6)), pair.version, clock)

    view = svc.one_to_one(UnitOfWork(table), alan, "E4", TODAY)
    assert view.meeting.date == "2026-03-06" and view.private_notes == "Ask about the team move"
    notes = [i["sk"] for i in table.all_items() if i.get("type") == "one_to_one_private_note"]
    assert notes == ["PRIVATE#2026-03-06#E3"]
