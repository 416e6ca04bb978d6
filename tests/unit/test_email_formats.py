"""Every email writes its dates as the pages do, in the organisation's locale (issue 25): "20 Mar 2026", never
"2026-03-20" (an email has no browser, so ORG_LOCALE decides)."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from service.adapters.documents import use_organisation_formats
from service.adapters.mailer import MemoryMailer
from service.adapters.unit_of_work import UnitOfWork
from service.services import feedback_nominations
from service.services.reminders import send_reminders
from tests.integration.test_training_delivery import closed  # noqa: F401 - a fixture
from tests.unit.test_feedback_usecases import cycle, fresh, uow, who  # noqa: F401 - fixtures

ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@pytest.fixture(autouse=True)
def organisation_formats():
    """The organisation writes British English (the default); a test may switch, and it is put back after."""
    use_organisation_formats("en-GB", "EUR")
    yield
    use_organisation_formats("en-GB", "EUR")


def texts(mailer: MemoryMailer, to: str) -> str:
    return "\n".join(m.text for m in mailer.sent if to in m.to)


def nominated(uow, cycle, clock, mailer):  # noqa: F811 - the imported fixtures
    """Katherine (F4) nominates three peers; her manager Alan is emailed."""
    feedback_nominations.nominate_peers(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock, mailer
    )


def test_the_nomination_email_to_the_manager_dates_the_deadline_in_words(uow, cycle, clock):  # noqa: F811
    mailer = MemoryMailer()
    nominated(uow, cycle, clock, mailer)
    text = texts(mailer, "alan@example.com")
    assert "Approve, remove or add reviewers by 20 Mar 2026" in text
    assert not ISO_DATE.search(text)


def test_a_feedback_request_email_dates_its_answer_by_in_words(uow, cycle, clock):  # noqa: F811
    mailer = MemoryMailer()
    nominated(uow, cycle, clock, None)
    feedback_nominations.decide_nominations(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], [], [], clock, mailer
    )
    text = texts(mailer, "edsger@example.com")
    assert "Please answer by 20 Mar 2026." in text
    assert not ISO_DATE.search(text)


def test_reminders_and_the_managers_escalation_date_what_is_due_in_words(uow, cycle, clock):  # noqa: F811
    nominated(uow, cycle, clock, None)
    feedback_nominations.decide_nominations(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], [], [], clock, None
    )
    # Self assessments were due 10 Mar; the feedback is due 20 Mar, so its last 3 days list the waiting request.
    clock.at = datetime(2026, 3, 18, 8, tzinfo=UTC)
    mailer = MemoryMailer()
    send_reminders(fresh(uow), mailer, clock, "https://reviews.example")
    reminder, escalation = texts(mailer, "edsger@example.com"), texts(mailer, "ada@example.com")
    assert "due 10 Mar 2026, 8 days overdue" in reminder  # a task of their own
    assert "Katherine Johnson (2026 annual review): due 20 Mar 2026" in reminder  # the feedback asked of them
    assert "due 10 Mar 2026, 8 days overdue" in escalation  # Alan's own self assessment, told to Ada
    for text in (reminder, escalation):
        assert not ISO_DATE.search(text)


def test_an_organisation_writing_american_english_gets_its_emails_in_it(uow, cycle, clock):  # noqa: F811
    use_organisation_formats("en-US", "USD")
    mailer = MemoryMailer()
    nominated(uow, cycle, clock, mailer)
    assert "reviewers by Mar 20, 2026:" in texts(mailer, "alan@example.com")


def test_the_leadership_report_email_writes_no_raw_date(closed, clock):  # noqa: F811
    from service.services.training_delivery import deliver_training_reports

    mailer = MemoryMailer()
    deliver_training_reports(UnitOfWork(closed), mailer, clock, "https://reviews.example")
    text = texts(mailer, "ada@example.com")
    assert "6 people named at least one training need" in text
    assert not ISO_DATE.search(text)
