"""Rehearsal mode (issue 21): with MAIL_REHEARSAL_TO set, every email of the deployment goes to HR only, marked,
with a banner naming whom it was for. Driven as deployed: settings from the environment, the mailer the factory
builds from them (the local outbox standing in for SES), the daily reminders and HR's "Remind now"."""

from __future__ import annotations

import email
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.adapters.clock import FixedClock
from service.adapters.factory import build_mailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import ConfigError, load_settings
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.conftest import ORG_CSV, AuthActions

HR_ADDRESSES = "grace@example.com, hr-team@example.com"


@pytest.fixture
def world():
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock, participant_mode="list", employee_ids=["E4", "E5"])
    clock.at = datetime(2026, 3, 11, 8, tzinfo=UTC)  # the self assessments were due the day before
    return table, clock, cycle


def outbox(folder: Path) -> list[email.message.Message]:
    return [email.message_from_string(p.read_text()) for p in sorted(folder.glob("*.eml"))]


def test_a_rehearsal_sends_every_reminder_to_hr_with_a_banner_naming_the_recipient(world, tmp_path):
    table, clock, _ = world
    settings = load_settings({"OUTBOX_DIR": str(tmp_path), "MAIL_REHEARSAL_TO": HR_ADDRESSES})
    result = asdict(send_reminders(UnitOfWork(table), build_mailer(settings, table), clock, "https://reviews.example"))
    assert result["reminded"] == 2
    sent = outbox(tmp_path)
    assert len(sent) == 2
    assert {m["To"] for m in sent} == {"grace@example.com, hr-team@example.com"}
    assert all(m["Subject"].startswith("[Rehearsal] ") for m in sent)
    named = sorted(re.search(r"It would have gone to: (.+)", m.get_payload()).group(1) for m in sent)
    assert named == ["edsger@example.com", "katherine@example.com"]
    assert all("Self assessment" in m.get_payload() for m in sent)  # the message itself follows the banner


def test_without_the_setting_the_deployment_is_live(world, tmp_path):
    table, clock, _ = world
    settings = load_settings({"OUTBOX_DIR": str(tmp_path), "MAIL_REHEARSAL_TO": " "})
    send_reminders(UnitOfWork(table), build_mailer(settings, table), clock)
    sent = outbox(tmp_path)
    assert sorted(m["To"] for m in sent) == ["edsger@example.com", "katherine@example.com"]
    assert not any("Rehearsal" in m["Subject"] or "REHEARSAL" in m.get_payload() for m in sent)


def test_a_setting_that_is_not_a_list_of_addresses_stops_the_function_at_start():
    with pytest.raises(ConfigError, match="not an address: hr-team"):
        load_settings({"MAIL_REHEARSAL_TO": "grace@example.com, hr-team"})


def test_hrs_remind_now_in_a_rehearsal_reaches_hr_only(world, tmp_path):
    from service.web import create_app

    table, clock, cycle = world
    settings = load_settings({"OUTBOX_DIR": str(tmp_path), "MAIL_REHEARSAL_TO": HR_ADDRESSES}).with_overrides(
        secret_key="test-secret-key-" + "x" * 20
    )
    app = create_app(settings, table=table, clock=clock)
    hr = AuthActions(app.test_client())
    hr.login("E2")
    resp = hr.client.post(f"/hr/cycles/{cycle.cycle_id}/remind", data={"csrf_token": hr.csrf})
    assert resp.status_code == 302
    page = hr.client.get(f"/hr/cycles/{cycle.cycle_id}/overdue").get_data(as_text=True)
    assert "Reminder sent to 2 people." in page
    sent = outbox(tmp_path)
    assert len(sent) == 2 and all(m["To"] == "grace@example.com, hr-team@example.com" for m in sent)
    assert sorted(re.search(r"It would have gone to: (.+)", m.get_payload()).group(1) for m in sent) == [
        "edsger@example.com",
        "katherine@example.com",
    ]
