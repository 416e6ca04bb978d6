"""Issue 21: SES bounces and complaints recorded from SNS notifications, never mailed again, shown to HR."""

from __future__ import annotations

from dataclasses import asdict

import pytest

from service.adapters.bounces import BounceList
from service.adapters.mailer import AddressBouncing, Email, MemoryMailer, SkipBouncing
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import ConfigError, load_settings
from service.domain.errors import NotFound, PermissionDenied, ValidationFailed
from service.services import mail_feedback
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def table(clock):
    made = MemoryTable()
    import_organisation(UnitOfWork(made), None, ORG_CSV, clock)
    return made


def bounce(address: str, bounce_type: str = "Permanent", key: str = "eventType") -> dict:
    return {
        key: "Bounce",
        "bounce": {
            "bounceType": bounce_type,
            "bounceSubType": "General",
            "bouncedRecipients": [{"emailAddress": address, "diagnosticCode": "smtp; 550 5.1.1 user unknown"}],
        },
        "mail": {"destination": [address]},
    }


@pytest.mark.parametrize("key", ["eventType", "notificationType"])  # configuration set event, identity notification
def test_a_permanent_bounce_is_recorded_whichever_way_ses_sent_it(table, clock, key):
    assert mail_feedback.record_notification(table, bounce("Alan@Example.com", key=key), clock) == ["Alan@Example.com"]
    (stored,) = BounceList(table).all()
    assert stored.kind == "bounce" and "Permanent bounce (General): smtp; 550 5.1.1 user unknown" == stored.detail
    assert BounceList(table).is_bouncing("alan@example.com")  # addresses compare without case


def test_a_transient_bounce_or_a_delivery_records_nothing(table, clock):
    assert mail_feedback.record_notification(table, bounce("alan@example.com", "Transient"), clock) == []
    assert mail_feedback.record_notification(table, {"eventType": "Delivery", "delivery": {}}, clock) == []
    assert mail_feedback.record_notification(table, {"eventType": "Bounce"}, clock) == []  # nothing named
    assert BounceList(table).all() == []


def test_a_complaint_is_recorded(table, clock):
    complaint = {
        "notificationType": "Complaint",
        "complaint": {"complainedRecipients": [{"emailAddress": "ada@example.com"}]},
    }
    assert mail_feedback.record_notification(table, complaint, clock) == ["ada@example.com"]
    (stored,) = BounceList(table).all()
    assert (stored.kind, stored.detail) == ("complaint", "complaint (marked as spam)")


def test_the_mailer_refuses_a_bouncing_address_and_sends_the_rest(table, clock):
    mail_feedback.record_notification(table, bounce("alan@example.com"), clock)
    inner = MemoryMailer()
    mailer = SkipBouncing(inner, BounceList(table).is_bouncing)
    with pytest.raises(AddressBouncing, match=r"ALAN@example\.com bounced"):
        mailer.send(Email(("ALAN@example.com",), "s", "t"))
    mailer.send(Email(("ada@example.com",), "s", "t"))
    assert [e.to for e in inner.sent] == [("ada@example.com",)]


def test_hr_sees_whose_address_bounces_and_nobody_else_does(table, clock):
    mail_feedback.record_notification(table, bounce("alan@example.com"), clock)
    mail_feedback.record_notification(table, bounce("gone@elsewhere.example"), clock)
    rows = mail_feedback.bouncing_addresses(UnitOfWork(table), f.principal(table, "E2"))
    assert [(r.address, r.name) for r in rows] == [
        ("alan@example.com", "Alan Turing"),
        ("gone@elsewhere.example", None),
    ]
    with pytest.raises(PermissionDenied):
        mail_feedback.bouncing_addresses(UnitOfWork(table), f.principal(table, "E3"))


def test_the_daily_run_counts_a_bouncing_person_once_and_does_not_retry_them(table, clock):
    from datetime import timedelta

    from service.services.reminders import send_reminders

    today = clock.now().date()
    days = {"goal_setting": -10, "self_assessment": -5, "feedback": 10, "manager_assessment": 20, "discussion": 30}
    f.launched_cycle(
        table,
        clock,
        period_start=today - timedelta(days=200),
        period_end=today + timedelta(days=100),
        phases={name: today + timedelta(days=d) for name, d in days.items()},
    )
    mail_feedback.record_notification(table, bounce("katherine@example.com"), clock)
    inner = MemoryMailer()
    mailer = SkipBouncing(inner, BounceList(table).is_bouncing)
    first = asdict(send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example.com"))
    assert (first["reminded"], first["bouncing"], first["failed"]) == (5, 1, 0)
    assert all("katherine@example.com" not in e.to for e in inner.sent)
    again = asdict(send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example.com"))
    assert (again["reminded"], again["bouncing"], again["failed"]) == (0, 0, 0)  # settled: not tried again today


DEPLOYED = {"AWS_LAMBDA_FUNCTION_NAME": "reviews-Reminders", "AUTH_MODE": "jwt"}


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"BASE_URL": "https://reviews.example.com"}, "MAIL_FROM"),
        ({"MAIL_FROM": "reviews@example.com"}, "BASE_URL"),
        ({"MAIL_FROM": "reviews@example.com", "BASE_URL": "http://127.0.0.1:8000"}, "BASE_URL"),
        ({"MAIL_FROM": "reviews@example.com", "BASE_URL": "https://localhost"}, "BASE_URL"),
    ],
)
def test_a_deployed_function_does_not_mail_without_a_sender_or_with_loopback_links(env, message):
    from service.adapters.factory import build_mailer

    with pytest.raises(ConfigError, match=message):
        build_mailer(load_settings({**DEPLOYED, **env}), MemoryTable())


def test_the_local_run_keeps_its_defaults(tmp_path):
    from service.adapters.factory import build_mailer

    settings = load_settings({"OUTBOX_DIR": str(tmp_path)})
    assert settings.base_url == "http://127.0.0.1:8000" and settings.mail_from == "reviews@example.com"
    build_mailer(settings, MemoryTable()).send(Email(("ada@example.com",), "hello", "text"))
    assert len(list(tmp_path.glob("*.eml"))) == 1


def test_hr_mails_an_address_again_and_a_bad_request_changes_nothing(table, clock):
    mail_feedback.record_notification(table, bounce("alan@example.com"), clock)
    hr, manager = f.principal(table, "E2"), f.principal(table, "E3")
    with pytest.raises(PermissionDenied):
        mail_feedback.clear_bouncing(UnitOfWork(table), manager, "alan@example.com")
    with pytest.raises(ValidationFailed):
        mail_feedback.clear_bouncing(UnitOfWork(table), hr, "not an address")
    with pytest.raises(NotFound):
        mail_feedback.clear_bouncing(UnitOfWork(table), hr, "ada@example.com")
    assert BounceList(table).is_bouncing("alan@example.com")
    assert mail_feedback.clear_bouncing(UnitOfWork(table), hr, "Alan@example.com") == "Alan@example.com"
    assert BounceList(table).all() == []
