"""Notifications where people work (issue 28, point 5): the channels a person may choose, when they hear, how HR
connects a chat workspace, and the one content model every message is rendered from (pure: no I/O).

A message is built once, as the email (subject and text), and `message_of` reads that email into a `Message`:
its title, its paragraphs and the links it carries. Each chat channel renders that `Message` (adapters/chat.py),
so a chat message says what the email says and nothing more. A shared channel (an incoming webhook posts into one
channel everybody in it reads) gets only a `knock`: the address it is for and the link to their tasks, never the
content, because the content may name whom a person is asked about (feedback anonymity).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from service.domain.errors import ValidationFailed
from service.domain.workflow import Labelled


class Channel(Labelled):
    """Where a person's notifications go."""

    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class Timing(Labelled):
    """When a person hears of what may wait: in the daily digest, or one message per event."""

    DIGEST = "digest", "In a daily digest"
    EACH = "each", "One message per event"


class ChatMode(Labelled):
    """How the organisation's workspace is reached.

    bot: the Slack app's bot token, a direct message to the person's Slack user found by their email;
    workflow: a Microsoft Teams Workflows webhook whose flow posts the card to the person named in it;
    webhook: an incoming webhook into one shared channel (Slack or Teams), which gets a knock only.
    """

    BOT = "bot", "Slack app (bot token): a direct message to each person"
    WORKFLOW = "workflow", "Teams Workflows webhook: a chat message to each person"
    WEBHOOK = "webhook", "Incoming webhook into one channel: a notice only, the email still goes"


CHAT_CHANNELS = (Channel.SLACK, Channel.TEAMS)
MODES: dict[Channel, tuple[ChatMode, ...]] = {
    Channel.SLACK: (ChatMode.BOT, ChatMode.WEBHOOK),
    Channel.TEAMS: (ChatMode.WORKFLOW, ChatMode.WEBHOOK),
}
PRIVATE_MODES = (ChatMode.BOT, ChatMode.WORKFLOW)  # a message reaches the person alone: the content may go
# Hosts a webhook may point at (anything else is refused: the secret would be sent to it).
WEBHOOK_HOSTS: dict[Channel, tuple[str, ...]] = {
    Channel.SLACK: ("hooks.slack.com",),
    Channel.TEAMS: (".webhook.office.com", ".logic.azure.com", ".powerplatform.com", ".powerautomate.com"),
}
MAX_SECRET = 500
BOT_TOKEN = re.compile(r"xoxb-[A-Za-z0-9-]{10,200}")


@dataclass(frozen=True)
class Preference:
    """A person's choice: where their notifications go and when; `version` 0 until they first save one."""

    employee_id: str
    channel: Channel = Channel.EMAIL
    timing: Timing = Timing.DIGEST
    version: int = 0


@dataclass(frozen=True)
class Workspace:
    """A chat channel HR connected: how, when and by whom. The secret itself lives in Secrets Manager only."""

    channel: Channel
    mode: ChatMode
    configured_at: str
    configured_by: str
    configured_by_name: str
    version: int = 0


@dataclass(frozen=True)
class Message:
    """What a notification says, channel-neutral: the email's subject, its paragraphs and the links it carries."""

    title: str
    paragraphs: tuple[str, ...]
    links: tuple[str, ...]


URL = re.compile(r"https?://[^\s<>\"']+")


def message_of(subject: str, text: str) -> Message:
    """The content model of an email: its subject, its non-blank paragraphs (as written) and its links in order."""
    paragraphs = tuple(p.strip() for p in re.split(r"\n\s*\n", text) if p.strip())
    links = tuple(dict.fromkeys(u.rstrip(".,;:)") for u in URL.findall(text)))
    return Message(subject, paragraphs, links)


def knock(address: str, home: str) -> Message:
    """What a shared channel gets instead of the content: whom it is for and where their tasks are."""
    return Message(
        "New in Review cycles",
        (f"For {address}: a new message is in your email.", f"Your tasks: {home}"),
        (home,),
    )


def check_preference(channel: Channel, configured: set[Channel]) -> None:
    """A person may choose email, or a chat channel HR has connected."""
    if channel is not Channel.EMAIL and channel not in configured:
        raise ValidationFailed(
            "that channel is not connected", errors={"channel": [f"{channel.label} is not set up by HR yet"]}
        )


def check_workspace(channel: Channel, mode: ChatMode, secret: str) -> None:
    """Refuse a mode the channel has not, a bot token that is not one, or a webhook that is not the channel's own
    https address (the secret is sent there)."""
    if channel not in MODES:
        raise ValidationFailed("email needs no set-up", errors={"channel": ["choose Slack or Teams"]})
    if mode not in MODES[channel]:
        allowed = ", ".join(m.value for m in MODES[channel])
        raise ValidationFailed("that mode is not offered", errors={"mode": [f"{channel.value} offers {allowed}"]})
    secret = secret.strip()
    if not secret or len(secret) > MAX_SECRET:
        raise ValidationFailed("the secret is missing", errors={"secret": ["paste the token or webhook address"]})
    if mode is ChatMode.BOT:
        if not BOT_TOKEN.fullmatch(secret):
            raise ValidationFailed("not a bot token", errors={"secret": ["a Slack bot token starts with xoxb-"]})
        return
    parts = urlsplit(secret)
    host = (parts.hostname or "").lower()
    hosts = WEBHOOK_HOSTS[channel]
    if parts.scheme != "https" or not any(host == h or (h.startswith(".") and host.endswith(h)) for h in hosts):
        raise ValidationFailed(
            "not a webhook address",
            errors={"secret": [f"the webhook must be an https address on {', '.join(h.lstrip('.') for h in hosts)}"]},
        )
