"""Notifications in a real browser (issue 28, point 5): HR connects Slack and sends a test message to a local server
playing Slack; a person then chooses Slack and one message per event. Each page at 1280 and 390 px, screenshotted
and checked with axe-core (0 serious or critical), and no wider than the phone."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.adapters.chat import ChatSender, Http
from service.adapters.notification_settings_store import MemorySecrets
from tests.browser.test_hr_goal_pages import WIDTHS, check
from tests.chat_fake import BOT_TOKEN, fake_chat

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
def test_hr_connects_slack_tests_it_and_a_person_chooses_it(live, open_as, width):
    problems: list[str] = []
    viewport = WIDTHS[width]
    with fake_chat() as chat:
        chat.slack_users = {"grace@example.com": "U_GRACE"}
        extras = live.app.extensions["reviews"].extras
        extras["chat_secrets"], extras["chat_sender"] = MemorySecrets(), ChatSender(Http(base_url=chat.url, timeout=2))

        hr = open_as(live, "E2", viewport)
        hr.goto("/hr/notifications")
        check(hr, f"notification-settings-empty-{width}", problems)
        hr.locator("summary", has_text="Connect Slack").click()
        hr.locator("#mode-slack").select_option("bot")
        hr.locator("#secret-slack").fill(BOT_TOKEN)
        hr.get_by_role("button", name="Connect Slack").click()
        expect(hr.get_by_text("Slack is connected")).to_be_visible()
        expect(hr.get_by_text("by Grace Hopper")).to_be_visible()
        hr.get_by_role("button", name="Send a test message").click()
        expect(hr.get_by_text("Delivered to Slack (bot).")).to_be_visible()
        assert BOT_TOKEN not in hr.content()
        check(hr, f"notification-settings-connected-{width}", problems)
        assert hr.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
        assert [m["channel"] for m in chat.posted("chat.postMessage")] == ["U_GRACE"]

        person = open_as(live, "E4", viewport)
        person.goto("/me/notifications")
        person.get_by_label("Channel", exact=True).select_option("slack")
        person.get_by_label("When", exact=True).select_option("each")
        person.get_by_role("button", name="Save my choice").click()
        expect(person.get_by_text("Saved: your messages go by Slack, one message per event.")).to_be_visible()
        check(person, f"notifications-mine-{width}", problems)
        assert person.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    assert not problems, "\n".join(problems)
