"""Notifications where people work (issue 28, point 5) through the JSON API and the pages (in-memory table, a local
server playing Slack and Teams): a person's own choice, HR's connections and the test message."""

from __future__ import annotations

import re

import pytest

from service.adapters.chat import ChatSender, Http
from service.adapters.notification_settings_store import MemorySecrets
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services.directory import import_organisation
from tests.chat_fake import BOT_TOKEN, SLACK_WEBHOOK, fake_chat
from tests.conftest import ORG_CSV, AuthActions


@pytest.fixture
def table(clock) -> MemoryTable:
    t = MemoryTable()
    import_organisation(UnitOfWork(t), None, ORG_CSV, clock)
    return t


@pytest.fixture
def chat():
    with fake_chat() as fake:
        fake.slack_users = {"grace@example.com": "U_GRACE"}
        yield fake


@pytest.fixture
def app(settings, table, clock, chat):
    from service.web import create_app

    application = create_app(settings, table=table, clock=clock)
    extras = application.extensions["reviews"].extras
    extras["chat_secrets"] = MemorySecrets()
    extras["chat_sender"] = ChatSender(Http(base_url=chat.url, timeout=2))
    return application


def signed_in(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth


def _connect_slack(app, secret: str = BOT_TOKEN, mode: str = "bot"):
    client, auth = signed_in(app, "E2")
    return client.put(
        "/api/notifications/channels/slack", json={"mode": mode, "secret": secret}, headers=auth.headers()
    )


def test_a_person_reads_and_sets_their_choice_with_versions_and_field_messages(app, table):
    client, auth = signed_in(app, "E4")
    mine = client.get("/api/me/notifications")
    assert mine.get_json() == {"channel": "email", "timing": "digest", "version": 0, "available": ["email"]}
    assert mine.headers["ETag"] == '"0"'
    headers = {**auth.headers(), "If-Match": '"0"'}
    bad = client.put("/api/me/notifications", json={"channel": "fax", "timing": "each"}, headers=headers)
    assert bad.status_code == 422 and "channel" in bad.get_json()["errors"]
    unconnected = client.put("/api/me/notifications", json={"channel": "slack", "timing": "each"}, headers=headers)
    assert unconnected.status_code == 422
    assert unconnected.get_json()["errors"] == {"channel": ["Slack is not set up by HR yet"]}
    assert _connect_slack(app).status_code == 200
    saved = client.put("/api/me/notifications", json={"channel": "slack", "timing": "each"}, headers=headers)
    assert saved.status_code == 200 and saved.headers["ETag"] == '"1"'
    assert saved.get_json()["available"] == ["email", "slack"]
    stale = client.put("/api/me/notifications", json={"channel": "email", "timing": "each"}, headers=headers)
    assert stale.status_code == 412
    assert client.get("/api/me/notifications").get_json()["channel"] == "slack"


def test_hr_connects_a_channel_the_secret_never_comes_back_and_others_may_not(app, table):
    client, auth = signed_in(app, "E4")
    refused = client.put(
        "/api/notifications/channels/slack", json={"mode": "bot", "secret": BOT_TOKEN}, headers=auth.headers()
    )
    assert refused.status_code == 403 and client.get("/api/notifications/channels").status_code == 403
    bad = _connect_slack(app, secret="https://evil.example/hook", mode="webhook")
    assert bad.status_code == 422 and "secret" in bad.get_json()["errors"]
    assert _connect_slack(app, mode="workflow").status_code == 422  # Slack has no workflow
    assert _connect_slack(app, mode="bot").status_code == 200
    hr, _ = signed_in(app, "E2")
    [slack, teams] = hr.get("/api/notifications/channels").get_json()["channels"]
    assert (slack["connected"], slack["mode"], slack["configured_by_name"]) == (True, "bot", "Grace Hopper")
    assert teams["connected"] is False
    page = hr.get("/hr/notifications").get_data(as_text=True)
    assert "Connected on" in page and "by Grace Hopper" in page
    assert BOT_TOKEN not in page and BOT_TOKEN not in str(table.all_items())
    assert app.extensions["reviews"].extras["chat_secrets"].read() == {"slack": BOT_TOKEN}
    assert [r["action"] for r in UnitOfWork(table).audit.of_entity("NOTIFYWORKSPACE#slack")] == ["connect_chat"]
    assert client.put(
        "/api/notifications/channels/fax", json={"mode": "bot", "secret": BOT_TOKEN}, headers=auth.headers()
    ).status_code in (403, 404)


def test_the_test_message_says_whether_it_arrived(app, chat):
    _connect_slack(app)
    client, auth = signed_in(app, "E2")
    sent = client.post("/api/notifications/channels/slack/test", headers=auth.headers())
    assert sent.get_json() == {"channel": "slack", "delivered": True, "detail": "Delivered to Slack (bot)."}
    [dm] = chat.posted("chat.postMessage")
    assert dm["channel"] == "U_GRACE" and dm["text"] == "Test message from Review cycles"
    chat.status = 500
    failed = client.post("/api/notifications/channels/slack/test", headers=auth.headers()).get_json()
    assert failed["delivered"] is False and failed["detail"] == "Not delivered: HTTP 500."
    unconnected = client.post("/api/notifications/channels/teams/test", headers=auth.headers())
    assert unconnected.status_code == 422


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_the_pages_save_a_choice_and_redisplay_a_bad_one_with_its_message(app, table):
    assert _connect_slack(app, secret=SLACK_WEBHOOK, mode="webhook").status_code == 200
    client, _ = signed_in(app, "E4")
    page = client.get("/me/notifications").get_data(as_text=True)
    assert '<option value="slack">Slack</option>' in page and 'class="hint next-step"' in page
    form = {"csrf_token": _csrf(page), "version": "0", "channel": "teams", "timing": "each"}
    refused = client.post("/me/notifications", data=form)
    assert refused.status_code == 422 and "Teams is not set up by HR yet" in refused.get_data(as_text=True)
    saved = client.post("/me/notifications", data={**form, "channel": "slack"}, follow_redirects=True)
    text = saved.get_data(as_text=True)
    assert "Saved: your messages go by Slack, one message per event." in text
    assert '<option value="slack" selected>' in text
    hr, _ = signed_in(app, "E2")
    settings = hr.get("/hr/notifications").get_data(as_text=True)
    bad = hr.post("/hr/notifications/teams", data={"csrf_token": _csrf(settings), "mode": "webhook", "secret": "nope"})
    assert bad.status_code == 422 and "The webhook must be an https address on" in bad.get_data(as_text=True)
    assert "nope" not in bad.get_data(as_text=True)
    tested = hr.post("/hr/notifications/slack/test", data={"csrf_token": _csrf(settings)}, follow_redirects=True)
    assert "Delivered to Slack (webhook)." in tested.get_data(as_text=True)
