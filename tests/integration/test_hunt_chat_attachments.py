"""A message with a file (the one-to-one's ICS invitation) to someone who chose Slack goes by email: a chat message
cannot carry the file, and the invitation its words announce ("attached") would be lost."""

from __future__ import annotations

from datetime import UTC, date, datetime

from service.adapters.chat import ChatSender, Http
from service.adapters.clock import FixedClock
from service.adapters.factory import channel_mailer, sends_each
from service.adapters.mailer import DigestingMailer, MemoryMailer
from service.adapters.notification_settings_store import MemorySecrets
from service.adapters.reminder_store import keep_for_digest
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import notifications as notification_svc
from service.services import one_to_ones as svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.chat_fake import BOT_TOKEN
from tests.conftest import ORG_CSV
from tests.integration.test_chat_delivery import chat  # noqa: F401 - the fake Slack, Katherine known to it

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


def test_a_slack_choice_still_gets_the_invitation_file_by_email(chat):  # noqa: F811 - the imported fixture
    table, clock = MemoryTable(), FixedClock(NOW)
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    outbox, secrets = MemoryMailer(), MemorySecrets()
    sender = ChatSender(Http(base_url=chat.url, timeout=2.0))
    inner = channel_mailer(outbox, table, secrets, sender, Settings(base_url="https://reviews.example"))
    mailer = DigestingMailer(inner, keep_for_digest(table), sends_each(table))
    hr, kath = f.principal(table, "E2"), f.principal(table, "E4")
    bot = {"mode": "bot", "secret": BOT_TOKEN}
    notification_svc.connect_channel(UnitOfWork(table), hr, secrets, "slack", bot, clock)
    notification_svc.set_my_notifications(UnitOfWork(table), kath, {"channel": "slack", "timing": "each"}, None, clock)

    rhythm = {"rhythm": "weekly", "first_date": date(2026, 3, 4), "time": "10:00", "minutes": 30}
    svc.set_rhythm(UnitOfWork(table), f.principal(table, "E3"), "E4", rhythm, 0, clock, mailer=mailer)

    assert chat.posted("chat.postMessage") == []
    with_file = [m for m in outbox.sent if m.attachments]
    assert {a for m in with_file for a in m.to} == {"alan@example.com", "katherine@example.com"}
    assert all(m.attachments[0].filename == "invite.ics" for m in with_file)
