"""The training-need report by email: on a cycle's close and on HR's schedule, once per recipient and tick
however often the job runs, read back from the local outbox and from moto's SES."""

from __future__ import annotations

import email
from dataclasses import asdict
from datetime import timedelta

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import Email, Mailer, MemoryMailer, OutboxMailer, SendFailed, SesMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from service.services import training
from service.services.directory import import_organisation
from service.services.training_delivery import deliver_training_reports
from tests import factories as f
from tests.conftest import ORG_CSV

LEADERS = ORG_CSV.replace("Engineering Manager,Engineering,E1,", "Engineering Manager,Engineering,E1,leadership")
BASE = "https://reviews.example.com"


@pytest.fixture
def closed(clock) -> MemoryTable:
    """Six people named "Public speaking"; the cycle is then closed (Ada and Alan are leadership)."""
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, LEADERS, clock)
    cycle = f.launched_cycle(table, clock)
    for e in ("E1", "E2", "E3", "E4", "E5", "E6"):
        uow = UnitOfWork(table)
        content = f.self_content(training_needs=[{"topic": "Public speaking", "priority": "high"}])
        v = uow.reviews.get(cycle.cycle_id, e).version
        review_svc.save_self_assessment(uow, f.principal(table, e), cycle.cycle_id, e, content, v, True, clock)
    c = cycle_svc.get_cycle(UnitOfWork(table), cycle.cycle_id)
    cycle_svc.close_cycle(UnitOfWork(table), f.principal(table, "E2"), c.cycle_id, c.version, clock)
    return table


def test_a_closed_cycle_report_lands_in_the_outbox_once_per_leader_however_often_the_job_runs(closed, clock, tmp_path):
    mailer = OutboxMailer(tmp_path / "outbox", "reviews@example.com")
    first = asdict(deliver_training_reports(UnitOfWork(closed), mailer, clock, BASE))
    again = asdict(deliver_training_reports(UnitOfWork(closed), mailer, clock, BASE))
    assert (first["sent"], again["sent"], again["skipped"]) == (2, 0, 2)
    messages = [email.message_from_bytes(p.read_bytes()) for p in sorted((tmp_path / "outbox").glob("*.eml"))]
    assert sorted(m["To"] for m in messages) == ["ada@example.com", "alan@example.com"]
    body = messages[0].get_payload(decode=True).decode()
    assert "(cycle closed)" in messages[0]["Subject"]
    assert "Public speaking: 6 people, score 18" in body
    assert f"{BASE}/reports/training?cycle=" in body and f"{BASE}/reports/training.pdf?cycle=" in body


class FailsOnce(Mailer):
    """Refuses the first message to one address, like SES throttling, then takes everything."""

    def __init__(self, address: str) -> None:
        self.address, self.failed, self.sent = address, False, []

    def send(self, message: Email) -> None:
        if self.address in message.to and not self.failed:
            self.failed = True
            raise SendFailed("throttled")
        self.sent.append(message)


def test_a_failed_send_is_retried_by_the_next_run_and_nobody_gets_two(closed, clock):
    mailer = FailsOnce("alan@example.com")
    assert asdict(deliver_training_reports(UnitOfWork(closed), mailer, clock, BASE))["failed"] == 1
    assert asdict(deliver_training_reports(UnitOfWork(closed), mailer, clock, BASE)) == {
        "sent": 1,
        "skipped": 1,
        "failed": 0,
    }
    assert sorted(m.to[0] for m in mailer.sent) == ["ada@example.com", "alan@example.com"]


def test_hrs_schedule_sends_one_report_a_week(closed, clock):
    uow = UnitOfWork(closed)
    training.set_schedule(uow, f.principal(closed, "E2"), "weekly", 0, clock)
    later = FixedClock(clock.now() + timedelta(days=10))  # the close is past its week; a new week is due
    mailer = MemoryMailer()
    assert asdict(deliver_training_reports(UnitOfWork(closed), mailer, later, BASE))["sent"] == 2
    assert (
        asdict(
            deliver_training_reports(UnitOfWork(closed), mailer, FixedClock(later.now() + timedelta(hours=1)), BASE)
        )["sent"]
        == 0
    )
    assert all("cycle closed" not in m.subject for m in mailer.sent)


def test_the_emailed_report_is_read_back_from_moto_ses(closed, clock, settings):
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from service.adapters.aws import client

    with mock_aws():
        ses = client("ses", settings)
        ses.verify_email_identity(EmailAddress="reviews@example.com")
        result = asdict(
            deliver_training_reports(UnitOfWork(closed), SesMailer(ses, "reviews@example.com"), clock, BASE)
        )
        assert result["sent"] == 2
        attempts = sum(p["DeliveryAttempts"] for p in ses.get_send_statistics()["SendDataPoints"])
        assert attempts == 2
        sent = ses_backends[DEFAULT_ACCOUNT_ID][settings.region].sent_messages
        assert sorted(m.destinations["ToAddresses"][0] for m in sent) == ["ada@example.com", "alan@example.com"]
        assert all("Public speaking: 6 people" in m.body and "/reports/training?cycle=" in m.body for m in sent)
