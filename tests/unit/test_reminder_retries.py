"""A failed send is never lost: sent only once the mailer took it, the run goes on, the next run retries it."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

import pytest

from service.adapters import keys
from service.adapters.clock import FixedClock
from service.adapters.mailer import Email, MemoryMailer, SendFailed
from service.adapters.metrics import MemoryMetrics
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services.directory import import_organisation
from service.services.reminders import LEASE, send_reminders
from tests import factories as f
from tests.conftest import ORG_CSV


@dataclass
class FlakyMailer(MemoryMailer):
    """Refuses the first message to each address in `refuse` (as SES does when it rejects or throttles)."""

    refuse: set[str] = field(default_factory=set)

    def send(self, email: Email) -> None:
        if email.to[0] in self.refuse:
            self.refuse.discard(email.to[0])
            raise SendFailed("MessageRejected")
        super().send(email)


class Died(BaseException):
    """The function was stopped (a timeout, out of memory): nothing after it runs."""


class CrashingMailer(MemoryMailer):
    """The function dies mid-send: no chance to record anything."""

    def send(self, email: Email) -> None:
        raise Died


@pytest.fixture
def world():
    clock = FixedClock(datetime(2026, 3, 11, 8, tzinfo=UTC))  # self assessments were due 2026-03-10
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    f.launched_cycle(table, clock, participant_mode="list", employee_ids=["E4", "E5"])
    return table, clock


def to(mailer: MemoryMailer, address: str) -> list[Email]:
    return [m for m in mailer.sent if m.to == (address,)]


def test_a_refused_reminder_does_not_stop_the_run_and_the_next_run_sends_it(world):
    table, clock = world
    mailer = FlakyMailer(refuse={"katherine@example.com"})

    first = asdict(send_reminders(UnitOfWork(table), mailer, clock))
    assert (first["reminded"], first["failed"]) == (1, 1)
    assert to(mailer, "edsger@example.com") and not to(mailer, "katherine@example.com")
    log = table.get(keys.reminder_day("E4", "2026-03-11"))
    assert log["status"] == "failed" and "MessageRejected" in log["error"]

    clock.at += timedelta(minutes=2)  # Lambda runs the failed invocation again
    second = asdict(send_reminders(UnitOfWork(table), mailer, clock))
    assert (second["reminded"], second["failed"]) == (1, 0)
    assert len(to(mailer, "katherine@example.com")) == 1 and len(to(mailer, "edsger@example.com")) == 1
    assert table.get(keys.reminder_day("E4", "2026-03-11"))["status"] == "sent"

    assert asdict(send_reminders(UnitOfWork(table), mailer, clock))["reminded"] == 0  # each once a day, no more
    assert len(mailer.sent) == 2


def test_a_refused_escalation_is_sent_by_the_next_run_once(world):
    table, clock = world
    clock.at = datetime(2026, 3, 13, 8, tzinfo=UTC)  # 3 days overdue: Alan hears of both reports
    mailer = FlakyMailer(refuse={"alan@example.com"})

    first = asdict(send_reminders(UnitOfWork(table), mailer, clock))
    assert (first["escalations"], first["failed"]) == (0, 1)
    assert first["reminded"] == 2  # the reports' own reminders went out regardless

    second = asdict(send_reminders(UnitOfWork(table), mailer, clock))
    assert second["escalations"] == 1
    (escalation,) = to(mailer, "alan@example.com")
    assert "Katherine Johnson" in escalation.text and "Edsger Dijkstra" in escalation.text
    assert asdict(send_reminders(UnitOfWork(table), mailer, clock))["escalations"] == 0


def test_a_run_that_died_mid_send_is_taken_over_after_the_lease(world):
    table, clock = world
    with pytest.raises(Died):
        send_reminders(UnitOfWork(table), CrashingMailer(), clock)
    mailer = MemoryMailer()
    assert (
        asdict(send_reminders(UnitOfWork(table), mailer, clock))["reminded"] == 1
    )  # E4's claim may still be in flight: left alone
    clock.at += LEASE
    assert asdict(send_reminders(UnitOfWork(table), mailer, clock))["reminded"] == 1  # now it is not: sent
    assert sorted(m.to[0] for m in mailer.sent) == ["edsger@example.com", "katherine@example.com"]


def test_sends_and_failures_are_counted_as_metrics(world):
    table, clock = world
    metrics = MemoryMetrics()
    send_reminders(UnitOfWork(table), FlakyMailer(refuse={"katherine@example.com"}), clock, metrics=metrics)
    assert metrics.counts == {"RemindersSent": 1, "ReminderSendsFailed": 1}


def test_ses_rejecting_a_message_is_a_failed_send(settings):
    from moto import mock_aws

    from service.adapters.aws import client
    from service.adapters.mailer import SesMailer

    with mock_aws():
        ses = client("ses", settings)  # the sender was never verified: SES rejects the message
        with pytest.raises(SendFailed, match="MessageRejected"):
            SesMailer(ses, "reviews@example.com").send(Email(("a@example.com",), "Subject", "Text"))
