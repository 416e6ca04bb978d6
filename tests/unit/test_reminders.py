"""Reminders: overdue tasks emailed at most once a day; managers told once a task is 3 days overdue."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime, timedelta

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def world():
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock, participant_mode="list", employee_ids=["E4", "E5"])
    return table, clock, cycle


def at(clock, day: str) -> None:
    clock.at = datetime.fromisoformat(day + "T08:00:00+00:00")


def test_nothing_is_sent_before_a_deadline(world):
    table, clock, _ = world
    mailer = MemoryMailer()
    assert asdict(send_reminders(UnitOfWork(table), mailer, clock))["reminded"] == 0
    assert mailer.sent == []


def test_overdue_self_assessments_are_reminded_once_a_day(world):
    table, clock, _ = world
    mailer = MemoryMailer()
    at(clock, "2026-03-11")  # self assessment was due 2026-03-10
    send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    assert sorted(m.to[0] for m in mailer.sent) == ["edsger@example.com", "katherine@example.com"]
    assert "Self assessment" in mailer.sent[0].text and "1 day overdue" in mailer.sent[0].text
    send_reminders(UnitOfWork(table), mailer, clock)
    assert len(mailer.sent) == 2  # same day: nothing more
    clock.at += timedelta(days=1)
    send_reminders(UnitOfWork(table), mailer, clock)
    assert len(mailer.sent) == 4


def test_manager_is_told_once_when_three_days_overdue(world):
    table, clock, _ = world
    mailer = MemoryMailer()
    at(clock, "2026-03-12")
    assert asdict(send_reminders(UnitOfWork(table), mailer, clock))["escalations"] == 0
    at(clock, "2026-03-13")
    result = asdict(send_reminders(UnitOfWork(table), mailer, clock))
    assert result["escalations"] == 1
    to_manager = [m for m in mailer.sent if m.to == ("alan@example.com",)]
    assert len(to_manager) == 1
    assert "Katherine Johnson" in to_manager[0].text and "Edsger Dijkstra" in to_manager[0].text
    at(clock, "2026-03-14")
    send_reminders(UnitOfWork(table), mailer, clock)
    assert len([m for m in mailer.sent if m.to == ("alan@example.com",)]) == 1


def test_manager_tasks_go_to_the_manager_and_escalate_to_theirs(world):
    table, clock, cycle = world
    emp = f.principal(table, "E4")
    review_svc.save_self_assessment(UnitOfWork(table), emp, cycle.cycle_id, "E4", f.self_content(), 1, True, clock)
    mailer = MemoryMailer()
    at(clock, "2026-04-04")  # manager assessment due 2026-03-31
    send_reminders(UnitOfWork(table), mailer, clock)
    alan = [m for m in mailer.sent if m.to == ("alan@example.com",)]
    assert any("Manager assessment for Katherine Johnson" in m.text for m in alan)
    ada = [m for m in mailer.sent if m.to == ("ada@example.com",)]
    assert len(ada) == 1 and "Alan Turing: Manager assessment" in ada[0].text


def test_a_closed_cycle_sends_nothing(world):
    from service.services import cycles as cycle_svc

    table, clock, cycle = world
    cycle_svc.close_cycle(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, cycle.version, clock)
    mailer = MemoryMailer()
    at(clock, "2026-03-20")
    assert asdict(send_reminders(UnitOfWork(table), mailer, clock))["overdue_tasks"] == 0


def test_outbox_mailer_writes_readable_messages(tmp_path):
    from email import message_from_bytes

    from service.adapters.mailer import Email, OutboxMailer

    OutboxMailer(tmp_path, "reviews@example.com").send(Email(("a@example.com",), "Hello there", "Body text"))
    files = sorted(tmp_path.glob("*.eml"))
    assert [p.name for p in files] == ["00001-hello-there.eml"]
    msg = message_from_bytes(files[0].read_bytes())
    assert msg["To"] == "a@example.com" and msg.get_payload().strip() == "Body text"


def test_ses_mailer_hands_the_message_to_ses(settings):
    from moto import mock_aws
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.ses.models import ses_backends

    from service.adapters.aws import client
    from service.adapters.mailer import Email, SesMailer

    with mock_aws():
        ses = client("ses", settings)
        ses.verify_email_identity(EmailAddress="reviews@example.com")
        SesMailer(ses, "reviews@example.com").send(Email(("a@example.com",), "Subject", "Text"))
        sent = ses_backends[DEFAULT_ACCOUNT_ID][settings.region].sent_messages
        assert len(sent) == 1 and sent[0].destinations["ToAddresses"] == ["a@example.com"]


def test_an_overdue_calibration_reminds_its_sessions_facilitators_by_name(world):
    """Issue 23: reviews still in calibration after its deadline (halfway between the manager assessments' 31 March
    and the discussions' 15 April) are the open session's facilitators' task, reminded like the others."""
    from service.services import calibration as cal

    table, clock, _ = world
    cycle = f.launched_cycle(table, clock, template={"calibration": True}, participant_mode="list", employee_ids=["E4"])
    v = UnitOfWork(table).reviews.get(cycle.cycle_id, "E4").version
    e4, e3, e2 = (f.principal(table, p) for p in ("E4", "E3", "E2"))
    review_svc.save_self_assessment(UnitOfWork(table), e4, cycle.cycle_id, "E4", f.self_content(), v, True, clock)
    review_svc.save_manager_assessment(
        UnitOfWork(table), e3, cycle.cycle_id, "E4", f.manager_content(), v + 1, True, clock
    )
    data = {"name": "Engineering", "group": "list", "employee_ids": ["E4"]}
    cal.create_session(UnitOfWork(table), e2, cycle.cycle_id, data, clock)
    mailer = MemoryMailer()
    at(clock, "2026-04-07")  # the calibration's deadline: not overdue yet
    send_reminders(UnitOfWork(table), mailer, clock)
    assert not [m for m in mailer.sent if "Calibration" in m.text]
    at(clock, "2026-04-08")
    send_reminders(UnitOfWork(table), mailer, clock)
    (sent,) = [m for m in mailer.sent if "Calibration" in m.text]
    assert sent.to == ("grace@example.com",)
    assert "Calibration (close its session) for Katherine Johnson" in sent.text and "1 day overdue" in sent.text
