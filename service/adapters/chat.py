"""Chat delivery (issue 28, point 5): a message rendered for Slack (blocks) or Microsoft Teams (a MessageCard for
a channel's incoming webhook, an Adaptive Card for a Workflows webhook), posted over HTTPS with the standard
library, and `ChannelMailer`, the mailer step that sends a person's messages where they chose.

Every failure (an HTTP error, a timeout, a Slack answer `ok: false` such as `users_not_found`, a channel not
connected, its secret unreadable) is `ChatFailed`; `ChannelMailer` then sends the email instead, logs why and
counts it (`ChatFallbacksToEmail` in the metrics log line). Only tests aim the adapter elsewhere (`Http(base_url)`:
the scheme and host of every address are replaced, so a local server plays Slack and Teams); nothing in the
settings can.
"""

from __future__ import annotations

import http.client
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from service.adapters.mailer import Email, Mailer
from service.adapters.metrics import Metrics, current
from service.adapters.notification_settings_store import ChatSecrets
from service.domain.errors import Unavailable
from service.domain.notifications import (
    PRIVATE_MODES,
    Channel,
    ChatMode,
    Message,
    Preference,
    Workspace,
    knock,
    message_of,
)

log = logging.getLogger(__name__)
SLACK_API = "https://slack.com/api/"
TIMEOUT = 5.0  # seconds per HTTP call: a slow chat service must not hold the reminders run
SLACK_PAGE = 200  # members per users.list page (Slack's advice: at most 200)
LIST_BYTES = 4_000_000  # the most of one users.list answer read (a member with a full profile is a few kB)
MAX_SLACK_USERS = 200_000  # Slack user ids a process keeps
CHAT_SENT = "ChatMessagesSent"
CHAT_FALLBACKS = "ChatFallbacksToEmail"


class ChatFailed(Exception):
    """The chat message was not delivered (the reason is in the text); the email goes instead."""


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_payload(message: Message) -> dict[str, Any]:
    """Slack blocks: the title as a header, each paragraph a section (links stay in the text, which Slack links)."""
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {"type": "plain_text", "text": message.title[:150]}}]
    blocks += [
        {"type": "section", "text": {"type": "mrkdwn", "text": _slack_escape(p)[:3000]}} for p in message.paragraphs
    ]
    return {"text": _slack_escape(message.title), "blocks": blocks[:50]}


def teams_card(message: Message) -> dict[str, Any]:
    """A MessageCard for a Teams channel's incoming webhook."""
    return {
        "@type": "MessageCard",
        "@context": "https://schema.org/extensions",
        "summary": message.title,
        "title": message.title,
        "text": "\n\n".join(message.paragraphs),
    }


def teams_adaptive(message: Message, address: str) -> dict[str, Any]:
    """An Adaptive Card for a Teams Workflows webhook; the flow posts it to `recipient` in a chat."""
    body = [{"type": "TextBlock", "text": message.title, "weight": "Bolder", "wrap": True}]
    body += [{"type": "TextBlock", "text": p, "wrap": True} for p in message.paragraphs]
    card = {"type": "AdaptiveCard", "version": "1.4", "body": body}
    return {
        "type": "message",
        "recipient": address,
        "attachments": [{"contentType": "application/vnd.microsoft.card.adaptive", "content": card}],
    }


class Http:
    """POST and GET JSON over HTTPS; `base_url` (tests only) replaces every address's scheme and host."""

    def __init__(self, base_url: str | None = None, timeout: float = TIMEOUT) -> None:
        self.base_url = base_url
        self.timeout = timeout

    def _aim(self, url: str) -> str:
        if not self.base_url:
            return url
        parts = urllib.parse.urlsplit(url)
        return self.base_url.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")

    def call(self, url: str, body: dict[str, Any] | None = None, token: str | None = None, most: int = 65536) -> str:
        """The answer's text (its first `most` bytes); `ChatFailed` on an HTTP error status, a timeout or an
        unreachable host."""
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = json.dumps(body).encode() if body is not None else None
        method = "POST" if data else "GET"
        request = urllib.request.Request(self._aim(url), data=data, headers=headers, method=method)  # noqa: S310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 - https, checked
                return response.read(most).decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            raise ChatFailed(f"HTTP {exc.code}") from exc
        except TimeoutError as exc:
            raise ChatFailed("timed out") from exc
        except urllib.error.URLError as exc:
            raise ChatFailed(f"unreachable ({exc.reason})") from exc
        except (OSError, http.client.HTTPException) as exc:  # the connection dropped, a garbled answer
            raise ChatFailed(f"connection failed ({type(exc).__name__})") from exc


class ChatSender:
    """Delivers one message to one person on one channel, the way HR connected it."""

    def __init__(self, http: Http | None = None) -> None:
        self.http = http or Http()
        self._slack_users: dict[tuple[str, str], str] = {}  # (token, address) → Slack user id, for this process
        self._slack_listed: set[str] = set()  # the tokens whose workspace members this process has listed

    def send(self, channel: Channel, mode: ChatMode, secret: str, address: str, message: Message) -> None:
        """Post it; `ChatFailed` when it did not arrive."""
        if channel is Channel.SLACK and mode is ChatMode.BOT:
            self._slack_bot(secret, address, message)
        elif channel is Channel.SLACK:
            self._expect(self.http.call(secret, slack_payload(message)), ("ok",))
        elif mode is ChatMode.WORKFLOW:
            self.http.call(secret, teams_adaptive(message, address))
        else:
            self._expect(self.http.call(secret, teams_card(message)), ("1", "", "ok"))

    def _slack_bot(self, token: str, address: str, message: Message) -> None:
        user_id = self._slack_user(token, address)
        body = {"channel": user_id, **slack_payload(message)}
        self._slack_answer(self.http.call(f"{SLACK_API}chat.postMessage", body, token))

    def _slack_user(self, token: str, address: str) -> str:
        """The Slack user with this email. Slack limits lookups per minute, so a process reads the workspace's
        members once, a page of SLACK_PAGE at a time (users.list), whatever the number of people it then messages;
        someone not found there (joined since) is looked up by email, once."""
        if token not in self._slack_listed:
            self._slack_listed.add(token)
            self._list_slack_users(token)
        known = self._slack_users.get((token, address.lower()))
        if known:
            return known
        query = urllib.parse.urlencode({"email": address})
        user = self._slack_answer(self.http.call(f"{SLACK_API}users.lookupByEmail?{query}", token=token))
        user_id = (user.get("user") or {}).get("id")
        if not user_id:
            raise ChatFailed("Slack: no user id")
        self._remember(token, address, str(user_id))
        return str(user_id)

    def _list_slack_users(self, token: str) -> None:
        """Every member of the workspace with an email, page after page; a page refused (the app may lack the
        users:read.email scope) leaves the rest to the lookups by email."""
        cursor = ""
        while True:
            query = urllib.parse.urlencode({"limit": SLACK_PAGE, **({"cursor": cursor} if cursor else {})})
            try:
                page = self._slack_answer(
                    self.http.call(f"{SLACK_API}users.list?{query}", token=token, most=LIST_BYTES)
                )
            except ChatFailed as exc:
                log.warning("the Slack members could not be listed, each is looked up by email: %s", exc)
                return
            for member in page.get("members") or []:
                email = ((member.get("profile") or {}).get("email") or "").strip()
                if email and member.get("id") and not member.get("deleted"):
                    self._remember(token, email, str(member["id"]))
            cursor = str((page.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return

    def _remember(self, token: str, address: str, user_id: str) -> None:
        if len(self._slack_users) < MAX_SLACK_USERS:
            self._slack_users[(token, address.lower())] = user_id

    @staticmethod
    def _slack_answer(text: str) -> dict[str, Any]:
        try:
            answer = json.loads(text)
        except ValueError as exc:
            raise ChatFailed("Slack: not JSON") from exc
        if not isinstance(answer, dict) or not answer.get("ok"):
            raise ChatFailed(f"Slack: {answer.get('error') if isinstance(answer, dict) else 'refused'}")
        return answer

    @staticmethod
    def _expect(text: str, accepted: tuple[str, ...]) -> None:
        if text.strip() not in accepted:
            raise ChatFailed(f"refused: {text.strip()[:80]}")


class ChannelMailer(Mailer):
    """Sends each recipient's message where they chose: their chat channel, else (or when that fails) email.

    A private channel (Slack bot, Teams workflow) carries the email's content; a shared channel (a webhook into
    one channel) only a knock, and the email still goes. A message with a file goes by email to everyone.
    `preferences` finds a person's choice by address."""

    def __init__(
        self,
        inner: Mailer,
        preferences: Callable[[str], Preference | None],
        workspaces: Callable[[], dict[Channel, Workspace]],
        secrets: ChatSecrets,
        sender: ChatSender,
        home: str,
        metrics: Callable[[], Metrics] = current,
    ) -> None:
        self.inner = inner
        self.preferences = preferences
        self.workspaces = workspaces
        self.secrets = secrets
        self.sender = sender
        self.home = home
        self.metrics = metrics

    def send(self, email: Email) -> None:
        """Chat for those who chose it, email for the rest and for every chat that failed."""
        if email.attachments:  # a chat message cannot carry the file (an ICS invitation): it goes by email
            self.inner.send(email)
            return
        chosen = {a: p.channel for a in email.to if (p := self._choice(a)) and p.channel is not Channel.EMAIL}
        if not chosen:
            self.inner.send(email)
            return
        by_email = [a for a in email.to if a not in chosen]
        for address, channel in chosen.items():
            if not email.knock and self._shared(channel):  # a knock could tell the channel who answered feedback
                by_email.append(address)
                continue
            try:
                shared = self.deliver(channel, address, message_of(email.subject, email.text))
            except ChatFailed as exc:
                log.warning("a %s message to %s failed, sent by email instead: %s", channel.value, address, exc)
                self.metrics().add(CHAT_FALLBACKS)
                by_email.append(address)
                continue
            self.metrics().add(CHAT_SENT)
            if shared:
                by_email.append(address)
        if by_email:
            self.inner.send(replace(email, to=tuple(by_email)))

    def _shared(self, channel: Channel) -> bool:
        """Whether the channel is connected as one shared channel (a webhook: only knocks go there)."""
        workspace = self.workspaces().get(channel)
        return workspace is not None and workspace.mode not in PRIVATE_MODES

    def _choice(self, address: str) -> Preference | None:
        """The recipient's choice; while the table cannot tell, email (logged)."""
        try:
            return self.preferences(address)
        except Unavailable as exc:
            log.warning("the notification choice of %s could not be read, sent by email: %s", address, exc)
            return None

    def deliver(self, channel: Channel, address: str, message: Message) -> bool:
        """Post `message` to `address` on `channel`; True when the channel is shared (only a knock went)."""
        workspace = self.workspaces().get(channel)
        if workspace is None:
            raise ChatFailed(f"{channel.value} is not connected")
        try:
            secret = self.secrets.read().get(channel.value)
        except Unavailable as exc:
            raise ChatFailed(str(exc)) from exc
        if not secret:
            raise ChatFailed(f"{channel.value} has no secret")
        private = workspace.mode in PRIVATE_MODES
        self.sender.send(channel, workspace.mode, secret, address, message if private else knock(address, self.home))
        return not private
