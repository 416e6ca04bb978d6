"""A rehearsal cycle (issue 21): HR marks one cycle a rehearsal and every email of that cycle goes to the HR people
of the directory only, marked, with a banner naming whom it was for; the other cycles stay live.

Driven as deployed: the app and the scheduled jobs build their mailer with `build_mailer` from settings (the
local outbox standing in for SES) over the in-memory table; the cycle is set up on HR's page, people nominate,
approve and are reminded, HR presses "Remind now", the daily run and the training report go out.
"""

from __future__ import annotations

import email
import re
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path

import pytest

from service.adapters.clock import FixedClock
from service.adapters.factory import build_mailer
from service.adapters.mailer import Email, MemoryMailer, SendFailed
from service.adapters.rehearsal import CycleRehearsalMailer, RehearsalLookup
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import load_settings
from service.domain.errors import Unavailable
from service.services import cycles as cycle_svc
from service.services.directory import import_organisation
from service.services.reminders import remind_cycle_now, send_reminders
from service.services.training_delivery import deliver_training_reports
from tests import factories as f
from tests.conftest import ORG_CSV, AuthActions

HR = "grace@example.com"  # the one HR person of ORG_CSV
BASE = "https://reviews.example"
WOULD_HAVE = re.compile(r"It would have gone to: (.+)")


class World:
    """The app over a memory table, its outbox, and HR signed in."""

    def __init__(self, tmp_path: Path) -> None:
        from service.web import create_app

        self.clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
        self.table = MemoryTable()
        import_organisation(UnitOfWork(self.table), None, ORG_CSV, self.clock)
        self.outbox = tmp_path / "outbox"
        self.settings = load_settings({"OUTBOX_DIR": str(self.outbox), "BASE_URL": BASE}).with_overrides(
            secret_key="test-secret-key-" + "x" * 20
        )
        self.app = create_app(self.settings, table=self.table, clock=self.clock)
        self.clients: dict[str, AuthActions] = {}
        self.template = f.template_data()

    def as_(self, employee_id: str) -> AuthActions:
        if employee_id not in self.clients:
            self.clients[employee_id] = AuthActions(self.app.test_client())
            self.clients[employee_id].login(employee_id)
        return self.clients[employee_id]

    def mailer(self):
        return build_mailer(self.settings, self.table)

    def sent(self) -> list[email.message.Message]:
        return [email.message_from_string(p.read_text()) for p in sorted(self.outbox.glob("*.eml"))]

    def cycle_form(self, template_id: str, rehearsal: bool, **overrides: str) -> dict[str, str]:
        data = {
            "csrf_token": self.as_("E2").csrf,
            "name": "2026 annual review",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "template_id": template_id,
            "phases.goal_setting": "2026-03-01",
            "phases.self_assessment": "2026-03-10",
            "phases.feedback": "2026-03-20",
            "phases.manager_assessment": "2026-03-31",
            "phases.discussion": "2026-04-15",
            "participant_mode": "everyone",
            **overrides,
        }
        if rehearsal:
            data["rehearsal"] = "on"
        return data


@pytest.fixture
def world(tmp_path) -> World:
    return World(tmp_path)


def _template(world: World) -> str:
    from service.services import templates as template_svc

    hr = f.principal(world.table, "E2")
    return template_svc.create_template(UnitOfWork(world.table), hr, f.template_data(), world.clock).template_id


def _journey(world: World, rehearsal: bool) -> str:
    """Every email journey of one cycle, from its set-up on HR's page to the training report; returns its id."""
    hr = world.as_("E2")
    resp = hr.client.post("/hr/cycles/new", data=world.cycle_form(_template(world), rehearsal))
    assert resp.status_code == 302, resp.get_data(as_text=True)
    cycle_id = resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    version = cycle_svc.get_cycle(UnitOfWork(world.table), cycle_id).version
    launched = hr.client.post(f"/hr/cycles/{cycle_id}/launch", data={"csrf_token": hr.csrf, "version": version})
    assert launched.status_code == 302
    review = f"/api/cycles/{cycle_id}/reviews/E4/nominations"
    employee, manager = world.as_("E4"), world.as_("E3")
    nominated = employee.client.put(review, json={"reviewer_ids": ["E5", "E6", "E1"]}, headers=employee.headers())
    assert nominated.status_code == 200, nominated.get_json()  # the manager is asked to approve
    decided = manager.client.post(
        f"{review}/decisions", json={"approve": ["E5", "E6", "E1"]}, headers=manager.headers()
    )
    assert decided.status_code == 200, decided.get_json()  # the three reviewers are asked for feedback
    world.clock.at = datetime(2026, 3, 11, 8, tzinfo=UTC)  # the self assessments were due the day before
    reminded = hr.client.post(f"/hr/cycles/{cycle_id}/remind", data={"csrf_token": hr.csrf})
    assert reminded.status_code == 302
    assert "Reminder sent to 6 people." in hr.client.get(f"/hr/cycles/{cycle_id}/overdue").get_data(as_text=True)
    world.clock.at = datetime(2026, 3, 14, 8, tzinfo=UTC)  # 4 days overdue: the managers hear of it too
    daily = asdict(send_reminders(UnitOfWork(world.table), world.mailer(), world.clock, BASE))
    assert daily["reminded"] == 6 and daily["escalations"] == 3 and daily["failed"] == 0
    cycle = cycle_svc.get_cycle(UnitOfWork(world.table), cycle_id)
    cycle_svc.close_cycle(UnitOfWork(world.table), f.principal(world.table, "E2"), cycle_id, cycle.version, world.clock)
    report = asdict(deliver_training_reports(UnitOfWork(world.table), world.mailer(), world.clock, BASE))
    assert report["sent"] == 1  # to Ada, leadership
    return cycle_id


# Who each journey mails, live: everyone with an overdue self assessment (HR's "Remind now", then the daily run,
# whose email also carries the manager's nominations and the three reviewers' requests, kept for their digest),
# the three managers of the late, and leadership's report.
SENT = 6 + 6 + 3 + 1
NAMED = {
    "alan@example.com",
    "edsger@example.com",
    "barbara@example.com",
    "ada@example.com",
    "katherine@example.com",
    "grace@example.com",
}


def test_every_email_of_a_rehearsal_cycle_goes_to_hr_only_marked_and_naming_whom_it_was_for(world):
    cycle_id = _journey(world, rehearsal=True)
    sent = world.sent()
    assert len(sent) == SENT
    assert {m["To"] for m in sent} == {HR}
    assert all(m["Subject"].startswith("[Rehearsal] ") for m in sent)
    assert all(m.get_payload().startswith("REHEARSAL - this message was sent to HR") for m in sent)
    named = {WOULD_HAVE.search(m.get_payload()).group(1) for m in sent}
    assert named == NAMED
    subjects = [m["Subject"] for m in sent]
    texts = [m.get_payload() for m in sent]
    assert sum("Peer reviewers to approve for Katherine Johnson" in t for t in texts) == 1
    assert sum("Your feedback on Katherine Johnson" in t for t in texts) == 3
    assert "[Rehearsal] Training-need report: 2026 annual review (cycle closed)" in subjects
    assert any(f"{BASE}/feedback/{cycle_id}/E4" in m.get_payload() for m in sent)  # the message follows the banner


def test_the_same_journeys_on_a_live_cycle_mail_the_people(world):
    _journey(world, rehearsal=False)
    sent = world.sent()
    assert len(sent) == SENT
    assert {m["To"] for m in sent} == NAMED
    assert not any("Rehearsal" in m["Subject"] or "REHEARSAL" in m.get_payload() for m in sent)
    to_alan = [m.get_payload() for m in sent if m["To"] == "alan@example.com"]
    assert sum("Peer reviewers to approve for Katherine Johnson" in t for t in to_alan) == 1


def test_a_reminder_mixing_a_rehearsal_and_a_live_cycle_is_split(world):
    people = {"participant_mode": "list", "employee_ids": ["E4", "E5"]}
    live = f.launched_cycle(world.table, world.clock, name="Live review", **people)
    rehearsal = f.launched_cycle(world.table, world.clock, name="Rehearsed review", rehearsal=True, **people)
    world.clock.at = datetime(2026, 3, 14, 8, tzinfo=UTC)
    hr = f.principal(world.table, "E2")
    now = asdict(remind_cycle_now(UnitOfWork(world.table), hr, rehearsal.cycle_id, world.mailer(), world.clock, BASE))
    assert now["reminded"] == 2  # HR's "Remind now" on the rehearsal: to HR, and the people's day is not taken
    result = asdict(send_reminders(UnitOfWork(world.table), world.mailer(), world.clock, BASE))
    assert result["reminded"] == 2 and result["failed"] == 0  # the live part; the rehearsal's was sent today
    sent = world.sent()
    to_katherine = [m for m in sent if m["To"] == "katherine@example.com"]
    assert len(to_katherine) == 1
    assert "Live review" in to_katherine[0].get_payload() and "Rehearsed review" not in to_katherine[0].get_payload()
    to_alan = [m for m in sent if m["To"] == "alan@example.com"]  # the escalation is split the same way
    assert len(to_alan) == 1 and "Rehearsed review" not in to_alan[0].get_payload()
    to_hr = [m for m in sent if m["To"] == HR]
    assert sorted(WOULD_HAVE.search(m.get_payload()).group(1) for m in to_hr) == [
        "alan@example.com",
        "edsger@example.com",
        "katherine@example.com",
    ]
    assert all("Rehearsed review" in m.get_payload() and "Live review" not in m.get_payload() for m in to_hr)
    assert live.cycle_id != rehearsal.cycle_id


def test_hr_sets_the_rehearsal_on_the_draft_sees_it_and_the_change_is_audited(world):
    hr = world.as_("E2")
    template_id = _template(world)
    resp = hr.client.post("/hr/cycles/new", data=world.cycle_form(template_id, rehearsal=True))
    cycle_id = resp.headers["Location"].rstrip("/").rsplit("/", 1)[-1]
    assert cycle_svc.get_cycle(UnitOfWork(world.table), cycle_id).rehearsal is True
    page = hr.client.get(f"/hr/cycles/{cycle_id}").get_data(as_text=True)
    assert "This cycle is a rehearsal" in page
    assert "Rehearsal" in hr.client.get("/hr/cycles").get_data(as_text=True)
    form = hr.client.get(f"/hr/cycles/{cycle_id}/edit").get_data(as_text=True)
    assert re.search(r'name="rehearsal"[^>]* checked', form)
    edit = world.cycle_form(template_id, rehearsal=False, version="1")
    assert hr.client.post(f"/hr/cycles/{cycle_id}/edit", data=edit).status_code == 302
    assert cycle_svc.get_cycle(UnitOfWork(world.table), cycle_id).rehearsal is False
    body = hr.client.get(f"/api/cycles/{cycle_id}").get_json()
    assert body["rehearsal"] is False
    audit = hr.client.get(f"/api/cycles/{cycle_id}/audit").get_json()["records"]
    edits = [r for r in audit if r["action"] == "edit_cycle"]
    assert len(edits) == 1 and "rehearsal" in str(edits[0]["changes"])
    assert "This cycle is a rehearsal" not in hr.client.get(f"/hr/cycles/{cycle_id}").get_data(as_text=True)


def test_the_json_api_takes_the_flag_and_refuses_a_value_that_is_not_a_boolean(world):
    hr = world.as_("E2")
    data = f.cycle_data(_template(world))
    body = {**data, "period_start": "2026-01-01", "period_end": "2026-12-31"}
    body["phases"] = {k: v.isoformat() for k, v in data["phases"].items()}
    refused = hr.client.post("/api/cycles", json={**body, "rehearsal": "yes"}, headers=hr.headers())
    assert refused.status_code == 422
    assert "rehearsal" in refused.get_json()["errors"]
    assert cycle_svc.list_cycles(UnitOfWork(world.table)) == []
    created = hr.client.post("/api/cycles", json={**body, "rehearsal": True}, headers=hr.headers())
    assert created.status_code == 201 and created.get_json()["rehearsal"] is True
    assert cycle_svc.get_cycle(UnitOfWork(world.table), created.get_json()["cycle_id"]).rehearsal is True


def test_the_scheduled_training_report_is_about_the_live_cycle_when_a_rehearsal_runs_beside_it(world):
    from service.services import training

    people = {"participant_mode": "list", "employee_ids": ["E4", "E5"]}
    f.launched_cycle(world.table, world.clock, name="Live review", **people)
    rehearsal = f.launched_cycle(world.table, world.clock, name="Rehearsed review", rehearsal=True, **people)
    training.set_schedule(UnitOfWork(world.table), f.principal(world.table, "E2"), "weekly", 0, world.clock)
    assert asdict(deliver_training_reports(UnitOfWork(world.table), world.mailer(), world.clock, BASE))["sent"] == 1
    [report] = world.sent()
    assert report["To"] == "ada@example.com" and report["Subject"] == "Training-need report: Live review"
    page = world.as_("E2").client.get(f"/hr/cycles/{rehearsal.cycle_id}/overdue")
    assert "This cycle is a rehearsal" in page.get_data(as_text=True)


class _Lookup(RehearsalLookup):
    def __init__(self, rehearsal: bool | Exception, hr: tuple[str, ...]) -> None:
        self.rehearsal, self.hr = rehearsal, hr

    def is_rehearsal(self, cycle_id: str) -> bool:
        if isinstance(self.rehearsal, Exception):
            raise self.rehearsal
        return self.rehearsal

    def hr_addresses(self) -> tuple[str, ...]:
        return self.hr


@pytest.mark.parametrize(
    "lookup",
    [_Lookup(Unavailable("table unreachable"), (HR,)), _Lookup(True, ())],
    ids=["cannot-tell", "no-hr-address"],
)
def test_a_rehearsal_message_that_cannot_reach_hr_is_not_sent_to_the_person(lookup):
    sent = MemoryMailer()
    with pytest.raises(SendFailed, match="not sent"):
        CycleRehearsalMailer(sent, lookup).send(Email(("ada@example.com",), "Hello", "text", cycle_id="C1"))
    assert sent.sent == []
