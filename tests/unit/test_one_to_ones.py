"""One-to-ones (issue 28, point 1): the rhythm's dates, actions carried, the ICS text, and the daily reminder the
day before a meeting, on the in-memory table."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain import ics
from service.domain import one_to_ones as o2o
from service.domain.checkins import Rhythm
from service.domain.errors import Conflict, ValidationFailed
from service.services import one_to_ones as svc
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.conftest import ORG_CSV


def _pair(rhythm: Rhythm, first: date) -> o2o.Pair:
    return o2o.Pair("M", "R", rhythm, first, "10:00")


@pytest.mark.parametrize(
    ("rhythm", "first", "today", "last", "expected"),
    [
        (Rhythm.WEEKLY, date(2026, 3, 4), date(2026, 3, 2), None, date(2026, 3, 4)),
        (Rhythm.WEEKLY, date(2026, 3, 4), date(2026, 3, 4), None, date(2026, 3, 4)),
        (Rhythm.WEEKLY, date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 4), date(2026, 3, 11)),
        (Rhythm.FORTNIGHTLY, date(2026, 1, 5), date(2026, 3, 3), None, date(2026, 3, 16)),
        (Rhythm.MONTHLY, date(2026, 1, 31), date(2026, 2, 1), None, date(2026, 2, 28)),
        (Rhythm.MONTHLY, date(2026, 1, 31), date(2026, 3, 1), None, date(2026, 3, 31)),
        (Rhythm.MONTHLY, date(2025, 12, 15), date(2027, 1, 16), None, date(2027, 2, 15)),
    ],
)
def test_the_next_meeting_follows_the_rhythm_from_the_first_date(rhythm, first, today, last, expected):
    assert o2o.next_meeting_date(_pair(rhythm, first), today, last) == expected


def test_holding_carries_only_the_open_actions_once_and_a_held_meeting_takes_no_more():
    done = o2o.MeetingAction("a1", "Send the slides", "M", "2026-03-04", done=True)
    open_ = o2o.MeetingAction("a2", "Book the course", "R", "2026-03-04")
    held = o2o.hold(o2o.Meeting("M", "R", "2026-03-04", actions=(done, open_)))
    nxt = o2o.carried_actions(held, o2o.carried_actions(held, o2o.Meeting("M", "R", "2026-03-11")))
    assert [a.action_id for a in nxt.actions] == ["a2"]
    with pytest.raises(Conflict):
        o2o.add_point(held, o2o.TalkingPoint("p", "late", "M"))


def test_the_invitation_is_rfc_5545_text_escaped_and_folded_with_a_stable_uid():
    event = ics.Event(
        uid="one-to-one-M-R-2026-03-04@review-cycles",
        start=datetime(2026, 3, 4, 10, 0, tzinfo=UTC),
        minutes=45,
        summary="One-to-one: Zoë, Ana; and \\ co\nnext",
        description="é" * 80,
        organizer=ics.Attendee('Ana "A" B', "ana@example.com"),
        attendees=(ics.Attendee("Zoë", "zoe@example.com"),),
        stamp=datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
    )
    text = ics.calendar(event)
    lines = text.split("\r\n")
    assert all(len(line.encode()) <= 75 for line in lines)
    assert "SUMMARY:One-to-one: Zoë\\, Ana\\; and \\\\ co\\nnext" in lines
    assert "DTSTART:20260304T100000Z" in lines and "DTEND:20260304T104500Z" in lines
    assert 'ORGANIZER;CN="Ana A B":mailto:ana@example.com' in lines
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "é" * 80 + "\r\n" in unfolded  # folded between characters, never inside one
    assert unfolded.count("UID:one-to-one-M-R-2026-03-04@review-cycles\r\n") == 1


def test_the_daily_email_the_day_before_lists_the_meeting_for_both_once():
    table, clock = MemoryTable(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    rhythm = {"rhythm": "weekly", "first_date": date(2026, 3, 4), "time": "10:00", "minutes": 30}
    svc.set_rhythm(UnitOfWork(table), f.principal(table, "E3"), "E4", rhythm, 0, clock)
    mailer = MemoryMailer()
    send_reminders(UnitOfWork(table), mailer, clock)
    assert mailer.sent == []  # two days before: nothing yet
    day_before = FixedClock(datetime(2026, 3, 3, 7, 0, tzinfo=UTC))
    send_reminders(UnitOfWork(table), mailer, day_before)
    assert sorted(m.to[0] for m in mailer.sent) == ["alan@example.com", "katherine@example.com"]
    to_alan = next(m for m in mailer.sent if m.to == ("alan@example.com",))
    assert to_alan.subject == "Your one-to-one tomorrow"
    assert "One-to-one with Katherine Johnson tomorrow" in to_alan.text and "/one-to-ones/E4" in to_alan.text
    send_reminders(UnitOfWork(table), mailer, day_before)
    assert len(mailer.sent) == 2


def test_the_demo_pair_has_two_meetings_held_one_in_the_review_and_the_next_tomorrow():
    from service.demo.scenario import load_demo

    table, clock = MemoryTable(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    load_demo(table, clock)
    kwame = svc.one_to_one(UnitOfWork(table), f.principal(table, "E009"), "E009", clock.now().date())
    assert [h.date for h in kwame.history] == ["2026-02-24", "2026-02-17"] and kwame.meeting.date == "2026-03-03"
    assert [a.text for a in kwame.meeting.actions] == ["Write the on-call runbook draft"]  # carried twice
    assert kwame.history_private_notes == {} and kwame.private_notes == ""
    lukas = svc.one_to_one(UnitOfWork(table), f.principal(table, "E007"), "E009", clock.now().date())
    assert lukas.history_private_notes == {"2026-02-17": "Watch for signs of overload."}
    [cycle_id] = lukas.history[0].evidence
    [evidence] = svc.review_evidence(UnitOfWork(table), f.principal(table, "E007"), cycle_id, "E009")
    assert evidence.shared_notes.startswith("The incident write-up")


def test_a_new_rhythm_moves_the_upcoming_meeting_with_its_agenda_and_private_notes():
    table, clock = MemoryTable(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    alan, kath = f.principal(table, "E3"), f.principal(table, "E4")
    m = svc.add_point(UnitOfWork(table), kath, "E4", {"text": "Before any rhythm"}, clock)
    assert m.date == "2026-03-02"
    svc.save_private_notes(UnitOfWork(table), kath, "E4", m.date, "my worry", 0, clock)
    rhythm = {"rhythm": "monthly", "first_date": date(2026, 3, 10), "time": "10:00", "minutes": 30}
    svc.set_rhythm(UnitOfWork(table), alan, "E4", rhythm, 0, clock)
    [moved] = UnitOfWork(table).one_to_ones.meetings("E3", "E4")
    assert (moved.date, [p.text for p in moved.points]) == ("2026-03-10", ["Before any rhythm"])
    view = svc.one_to_one(UnitOfWork(table), kath, "E4", clock.now().date())
    assert (view.meeting.date, view.private_notes) == ("2026-03-10", "my worry")
    assert svc.one_to_one(UnitOfWork(table), alan, "E4", clock.now().date()).private_notes == ""
    assert UnitOfWork(table).one_to_ones.private_note("E3", "E4", "2026-03-02", "E4") is None


def test_an_open_review_action_is_offered_for_the_agenda_and_taken_by_reference():
    from service.services import reviews as review_svc

    table, clock = MemoryTable(), FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    kath, alan = f.principal(table, "E4"), f.principal(table, "E3")
    v = UnitOfWork(table).reviews.get(cycle.cycle_id, "E4").version
    review_svc.save_self_assessment(UnitOfWork(table), kath, cycle.cycle_id, "E4", f.self_content(), v, True, clock)
    content = f.manager_content(owner_id="E3")
    review_svc.save_manager_assessment(UnitOfWork(table), alan, cycle.cycle_id, "E4", content, v + 1, True, clock)
    view = svc.one_to_one(UnitOfWork(table), alan, "E4", clock.now().date())
    [offered] = [s for s in view.suggestions if s.source is o2o.PointSource.ACTION]
    assert offered.text == "Action: Buy faster runners"
    data = {"source": "action", "ref": offered.ref}
    meeting = svc.add_point(UnitOfWork(table), alan, "E4", data, clock)
    assert [(p.source, p.text) for p in meeting.points] == [(o2o.PointSource.ACTION, "Action: Buy faster runners")]


# --- time zones (issue 28) ---------------------------------------------------------------------------------------


def test_a_meeting_keeps_its_local_hour_across_a_clock_change_and_is_stored_as_utc():
    pair = o2o.Pair("M", "R", Rhythm.WEEKLY, date(2026, 3, 25), "10:00", zone="Europe/Berlin")
    assert o2o.starts_at(pair, "2026-03-25") == datetime(2026, 3, 25, 9, 0, tzinfo=UTC)  # CET, UTC+1
    assert o2o.starts_at(pair, "2026-04-01") == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)  # CEST since 29 March


def _zoned_org(manager_zone: str, report_zone: str, clock) -> MemoryTable:
    """The small organisation, with Alan (E3) and Katherine (E4) in the directory's time_zone column."""
    table = MemoryTable()
    csv = ORG_CSV.replace("roles\n", "roles,time_zone\n", 1)
    csv = csv.replace("Engineering,E1,\n", f"Engineering,E1,,{manager_zone}\n", 1)
    csv = csv.replace("Engineer,Engineering,E3,\n", f"Engineer,Engineering,E3,,{report_zone}\n", 1)
    import_organisation(UnitOfWork(table), None, csv, clock)
    return table


def test_the_time_is_entered_in_the_setters_zone_and_each_side_reads_it_in_their_own():
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = _zoned_org("Europe/Berlin", "America/New_York", clock)
    mailer = MemoryMailer()
    rhythm = {"rhythm": "weekly", "first_date": date(2026, 3, 4), "time": "10:00", "minutes": 30}
    pair = svc.set_rhythm(UnitOfWork(table), f.principal(table, "E3"), "E4", rhythm, 0, clock, mailer)
    assert (pair.time, pair.zone) == ("10:00", "Europe/Berlin")
    alan = svc.one_to_one(UnitOfWork(table), f.principal(table, "E3"), "E4", clock.now().date())
    kath = svc.one_to_one(UnitOfWork(table), f.principal(table, "E4"), "E4", clock.now().date())
    assert alan.starts_at == kath.starts_at == datetime(2026, 3, 4, 9, 0, tzinfo=UTC)
    assert (alan.zone, alan.form_time) == ("Europe/Berlin", "10:00")
    assert (kath.zone, kath.form_time) == ("America/New_York", "04:00")
    (invite,) = mailer.sent
    assert "DTSTART:20260304T090000Z" in invite.attachments[0].data.decode()
    assert "2026-03-04 at 10:00 (Europe/Berlin) for Alan Turing" in invite.text
    assert "2026-03-04 at 04:00 (America/New_York) for Katherine Johnson" in invite.text


def test_the_reminder_comes_the_day_before_on_each_attendees_own_clock():
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = _zoned_org("Pacific/Auckland", "UTC", clock)
    rhythm = {"rhythm": "weekly", "first_date": date(2026, 3, 5), "time": "09:00", "minutes": 30}
    svc.set_rhythm(UnitOfWork(table), f.principal(table, "E3"), "E4", rhythm, 0, clock)  # 4 March 20:00 UTC

    def reminded(day: int) -> dict[str, str]:
        mailer = MemoryMailer()
        send_reminders(UnitOfWork(table), mailer, FixedClock(datetime(2026, 3, day, 7, 0, tzinfo=UTC)))
        return {m.to[0]: m.text for m in mailer.sent if m.subject == "Your one-to-one tomorrow"}

    on_3rd = reminded(3)  # Katherine's 3 March; Alan's evening of 3 March, two days before his 5 March
    assert set(on_3rd) == {"katherine@example.com"}
    assert "at 20:00 (UTC)" in on_3rd["katherine@example.com"]
    on_4th = reminded(4)
    assert set(on_4th) == {"alan@example.com"}
    assert "at 09:00 (Pacific/Auckland)" in on_4th["alan@example.com"]


def test_a_person_without_a_zone_reads_the_organisations_and_their_own_setting_survives_an_import(monkeypatch):
    from service.adapters import documents

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    monkeypatch.setitem(documents._organisation, "time_zone", "Asia/Tokyo")
    kath = f.principal(table, "E4")
    assert svc.my_time_zone(UnitOfWork(table), kath).effective == "Asia/Tokyo"
    found = svc.my_time_zone(UnitOfWork(table), kath)
    svc.set_my_time_zone(UnitOfWork(table), kath, "Europe/Lisbon", found.version, clock)
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)  # the file has no time_zone column
    assert UnitOfWork(table).directory.get("E4").time_zone == "Europe/Lisbon"
    with pytest.raises(ValidationFailed) as refused:
        svc.set_my_time_zone(UnitOfWork(table), kath, "Mars/Olympus", found.version + 1, clock)
    assert "time_zone" in refused.value.errors
    assert UnitOfWork(table).directory.get("E4").time_zone == "Europe/Lisbon"


def test_an_import_with_an_unknown_time_zone_is_rejected_with_the_row():
    from service.domain.errors import ImportRejected

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    with pytest.raises(ImportRejected) as rejected:
        _zoned_org("Europe/Berlin", "Nowhere/Land", clock)
    assert [(e["row"], e["field"]) for e in rejected.value.errors] == [(5, "time_zone")]


def test_the_rhythm_form_offers_the_first_meeting_on_the_readers_own_calendar_day():
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = _zoned_org("UTC", "Pacific/Auckland", clock)
    rhythm = {"rhythm": "weekly", "first_date": date(2026, 3, 5), "time": "20:00", "minutes": 30}
    svc.set_rhythm(UnitOfWork(table), f.principal(table, "E3"), "E4", rhythm, 0, clock)
    kath = svc.one_to_one(UnitOfWork(table), f.principal(table, "E4"), "E4", clock.now().date())
    assert (kath.form_first_date, kath.form_time) == ("2026-03-06", "09:00")  # saved as is, nothing moves
    assert svc.one_to_one(UnitOfWork(table), f.principal(table, "E3"), "E4", clock.now().date()).form_first_date == (
        "2026-03-05"
    )


def test_the_other_side_saving_the_rhythm_as_shown_to_them_moves_nothing():
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    table = _zoned_org("UTC", "Pacific/Auckland", clock)
    rhythm = {"rhythm": "weekly", "first_date": date(2026, 3, 5), "time": "20:00", "minutes": 30}
    pair = svc.set_rhythm(UnitOfWork(table), f.principal(table, "E3"), "E4", rhythm, 0, clock)
    svc.add_point(UnitOfWork(table), f.principal(table, "E4"), "E4", {"text": "Kept on its day"}, clock)
    shown = {**rhythm, "first_date": date(2026, 3, 6), "time": "09:00"}  # as Katherine's form offers it
    again = svc.set_rhythm(UnitOfWork(table), f.principal(table, "E4"), "E4", shown, pair.version, clock)
    assert (again.first_date, again.time, again.zone) == (date(2026, 3, 5), "20:00", "UTC")
    assert [m.date for m in UnitOfWork(table).one_to_ones.meetings("E3", "E4")] == ["2026-03-05"]
