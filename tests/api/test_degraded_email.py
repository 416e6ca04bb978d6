"""Email from the web function with SES unreachable (issue 21): the write a mail belongs to is kept, the person
sees what was not sent, `/healthz` says email is down, and once SES answers again the mail goes out.

SES is made unreachable at its endpoint (tests/api/aws_faults.py); the table is moto's.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.adapters import keys
from service.adapters.clock import FixedClock
from service.adapters.reminder_store import CLAIM_FAILED, CLAIM_SENT
from service.web import health as web_health
from tests.api.conftest import NOW, TABLE, ok

pytestmark = pytest.mark.usefixtures("launched_state")

OVERDUE_OWNERS = ("E1", "E2", "E3", "E4", "E5", "E6")  # everyone with a self assessment due on 2026-03-11
LATER = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)


@pytest.fixture
def app(_module_moto, settings):
    """A fresh app (its own mailer, as a new Lambda sandbox has) over the module's moto table."""
    from service.adapters.dynamo import DynamoTable
    from service.web import create_app

    application = create_app(settings, table=DynamoTable(_module_moto, TABLE), clock=FixedClock(NOW))
    application.config["TESTING"] = True
    return application


@pytest.fixture
def ses_down(down):
    return lambda fault: down("ses", fault)


def remind(actor, cycle_id: str):
    return actor.client.post(
        f"/hr/cycles/{cycle_id}/remind", data={"csrf_token": actor.auth.csrf, "phase": "self_assessment"}
    )


def claims(app, day: str = "2026-03-12") -> dict[str, str]:
    """Each overdue owner's reminder claim of the day: its status (sent, failed)."""
    table = app.extensions["reviews"].table
    return {e: (table.get(keys.reminder_day(e, day)) or {}).get("status", "-") for e in OVERDUE_OWNERS}


def email_health(app) -> tuple[int, dict]:
    resp = app.test_client().get("/healthz")
    return resp.status_code, resp.get_json()["dependencies"]


@pytest.mark.parametrize("fault", ["refused", "throttled"])
def test_remind_now_with_ses_down_keeps_each_claim_and_says_what_was_not_sent(
    app, as_, launched_cycle_id, ses_down, fault
):
    ses_down(fault)
    hr = as_("E2")
    app.extensions["reviews"].clock.at = LATER
    resp = remind(hr, launched_cycle_id)
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/overdue")
    page = hr.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Reminder sent to 0 people; 6 could not be sent (they are retried by the daily run)." in page
    assert "Saved, but" not in page  # counted once, in the view's own message
    assert claims(app) == dict.fromkeys(OVERDUE_OWNERS, CLAIM_FAILED)  # the daily run sends them again

    status, found = email_health(app)
    assert status == 503 and found["email"]["state"] == "down" and found["table"]["state"] == "ok"
    expected = {"refused": "EndpointConnectionError", "throttled": "Throttling"}[fault]
    assert found["email"]["detail"].endswith(f"failed: {expected}")


def test_once_ses_answers_again_the_failed_reminders_go_out(app, as_, launched_cycle_id, ses_down, monkeypatch):
    from moto import mock_aws

    from service.adapters.aws import client

    now = [0.0]
    mailer = app.extensions["reviews"].extras["mailer"]
    monkeypatch.setattr(mailer, "clock", lambda: now[0])
    ses_down("refused")
    hr = as_("E2")
    app.extensions["reviews"].clock.at = LATER
    remind(hr, launched_cycle_id)
    assert set(claims(app).values()) == {CLAIM_FAILED}

    monkeypatch.delenv("AWS_ENDPOINT_URL_SES")
    with mock_aws():  # SES answers again (moto's, with the sender verified)
        client("ses", app.extensions["reviews"].settings).verify_email_identity(EmailAddress="reviews@example.com")
        now[0] += web_health.EMAIL_PAUSE - 1  # while paused, nothing is tried: the mails fail at once
        remind(hr, launched_cycle_id)
        assert set(claims(app).values()) == {CLAIM_FAILED}
        now[0] += 1
        resp = remind(hr, launched_cycle_id)
        page = hr.get(resp.headers["Location"]).get_data(as_text=True)
        assert "Reminder sent to 6 people." in page
        assert claims(app) == dict.fromkeys(OVERDUE_OWNERS, CLAIM_SENT)
        status, found = email_health(app)
    assert status == 200 and found["email"]["state"] == "ok"


def waiting_for_digest(app) -> list[str]:
    """The addresses of the messages kept for the daily digest."""
    table = app.extensions["reviews"].table
    return sorted(i["address"] for n in range(keys.DIGEST_SHARDS) for i in table.query(keys.digest_partition(n)))


def test_nominations_and_approvals_do_not_need_ses_their_messages_wait_for_the_digest(
    app, as_, launched_cycle_id, ses_down
):
    ses_down("timeout")
    base = f"/api/cycles/{launched_cycle_id}/reviews/E4"
    employee, manager = as_("E4"), as_("E3")
    nominated = ok(employee.put(f"{base}/nominations", {"reviewer_ids": ["E5", "E6", "E2"]}))  # the manager's
    assert [p["state"] for p in nominated["peers"]] == ["nominated"] * 3
    ok(manager.post(f"{base}/nominations/decisions", {"approve": ["E5", "E6", "E2"]}))  # each reviewer's
    stored = ok(employee.get(f"{base}/nominations"))
    assert {p["state"] for p in stored["peers"]} == {"asked"} and len(stored["peers"]) == 3
    assert waiting_for_digest(app) == sorted(
        ["alan@example.com", "edsger@example.com", "barbara@example.com", "grace@example.com"]
    )
    assert email_health(app)[1]["email"]["state"] == "ok"  # nothing was sent, so nothing failed


def test_a_page_that_saved_nominations_while_ses_is_down_says_nothing_failed(app, as_, launched_cycle_id, ses_down):
    ses_down("5xx")
    employee = as_("E4")
    here = f"/cycles/{launched_cycle_id}/reviews/E4/nominations"
    form = {"csrf_token": employee.auth.csrf, "reviewer_ids": ["E5", "E6", "E2"]}
    resp = employee.client.post(here, data=form)
    assert resp.status_code == 302 and resp.headers["Location"] == here
    page = employee.get(here).get_data(as_text=True)
    assert "Your nominations are saved." in page
    assert "could not be sent" not in page  # the manager's message waits for their daily email
    stored = ok(employee.get(f"/api/cycles/{launched_cycle_id}/reviews/E4/nominations"))
    assert [p["state"] for p in stored["peers"]] == ["nominated"] * 3
    assert waiting_for_digest(app) == ["alan@example.com"]
