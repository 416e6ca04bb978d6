"""The one-to-one invitation through SES on moto (issue 28): SendEmail carries no files, so a message with the ICS
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
