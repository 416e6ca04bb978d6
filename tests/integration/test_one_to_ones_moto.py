"""One-to-ones on moto (issue 28): the store's items read back from DynamoDB as written (numbers, nested points and
actions, the pairs' index), and the invitation through SES: SendEmail carries no files, so a message with the ICS
attached goes as SendRawEmail."""

from __future__ import annotations

import email
from datetime import date

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import one_to_ones as svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def test_ses_sends_the_invitation_as_a_raw_message_with_the_ics_attached(settings, clock):
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from service.adapters.aws import client
    from service.adapters.mailer import SesMailer

    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    rhythm = {"rhythm": "monthly", "first_date": date(2026, 3, 31), "time": "16:30", "minutes": 60}
    with mock_aws():
        ses = client("ses", settings)
        ses.verify_email_identity(EmailAddress="reviews@example.com")
        mailer = SesMailer(ses, "reviews@example.com")
        svc.set_rhythm(UnitOfWork(table), f.principal(table, "E4"), "E4", rhythm, 0, clock, mailer, "https://r.example")
        [sent] = ses_backends[DEFAULT_ACCOUNT_ID][settings.region].sent_messages
        assert set(sent.destinations) == {"alan@example.com", "katherine@example.com"}
        message = email.message_from_string(sent.raw_data)
        [invite] = [p for p in message.walk() if p.get_filename() == "invite.ics"]
        assert (invite.get_content_type(), invite.get_param("method")) == ("text/calendar", "REQUEST")
        assert "DTSTART:20260331T163000Z" in invite.get_payload(decode=True).decode()


def test_the_pair_its_meetings_and_private_notes_read_back_from_dynamodb(seeded, clock):
    manager, report = f.principal(seeded, "E3"), f.principal(seeded, "E4")
    rhythm = {"rhythm": "fortnightly", "first_date": date(2026, 3, 2), "time": "08:15", "minutes": 45}
    svc.set_rhythm(UnitOfWork(seeded), manager, "E4", rhythm, 0, clock)
    svc.add_point(UnitOfWork(seeded), report, "E4", {"text": "Tooling"}, clock)
    m = svc.add_action(UnitOfWork(seeded), manager, "E4", {"text": "Order the laptop", "owner_id": "E3"}, clock)
    svc.save_private_notes(UnitOfWork(seeded), report, "E4", m.date, "mine", 0, clock)
    svc.hold_meeting(UnitOfWork(seeded), report, "E4", m.date, m.version, clock)
    [pair] = UnitOfWork(seeded).one_to_ones.pairs()
    assert (pair.minutes, pair.held, pair.last_held, pair.version) == (45, 1, "2026-03-02", 2)
    held, nxt = UnitOfWork(seeded).one_to_ones.meetings("E3", "E4")
    assert [p.text for p in held.points] == ["Tooling"] and held.state.value == "held"
    assert nxt.date == "2026-03-16" and [a.text for a in nxt.actions] == ["Order the laptop"]
    view = svc.one_to_one(UnitOfWork(seeded), report, "E4", clock.now().date())
    assert view.history_private_notes == {"2026-03-02": "mine"}
