"""Use cases of notifications where people work (issue 28, point 5): each person chooses their channel and timing;
HR connects Slack or Microsoft Teams (the secret to Secrets Manager, only who and when to the table) and sends a
test message. Delivery itself is the mailer's last step (adapters/chat.ChannelMailer), so every message that goes
by email today (reminders, digests, feedback requests, nominations, escalations, reports) follows the choice."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.chat import ChatFailed, ChatSender
from service.adapters.clock import Clock, iso
from service.adapters.notification_settings_store import ChatSecrets, NotificationStore
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Role
from service.domain.errors import NotFound, ValidationFailed, expect_version
from service.domain.notifications import (
    CHAT_CHANNELS,
    MODES,
    Channel,
    ChatMode,
    Message,
    Preference,
    Timing,
    Workspace,
    check_preference,
    check_workspace,
)
from service.services.auth import Principal
from service.services.policy import require_role


@dataclass(frozen=True)
class MyNotifications:
    """A person's choice, and the channels they may choose from (email and what HR connected)."""

    channel: Channel
    timing: Timing
    version: int
    available: tuple[Channel, ...]


@dataclass(frozen=True)
class ChannelStatus:
    """A chat channel as HR's page shows it: connected or not, how, when and by whom (never the secret)."""

    channel: Channel
    connected: bool
    mode: ChatMode | None
    configured_at: str | None
    configured_by_name: str | None
    modes: tuple[ChatMode, ...]


@dataclass(frozen=True)
class TestResult:
    """What a test message did: delivered, or why not."""

    channel: Channel
    delivered: bool
    detail: str


def _mine(store: NotificationStore, employee_id: str) -> MyNotifications:
    pref = store.preference(employee_id)
    available = (Channel.EMAIL, *sorted(store.workspaces(), key=CHAT_CHANNELS.index))
    return MyNotifications(pref.channel, pref.timing, pref.version, available)


def my_notifications(uow: UnitOfWork, principal: Principal) -> MyNotifications:
    """The signed-in person's notification choice (email and the daily digest until they choose)."""
    return _mine(NotificationStore(uow), principal.employee_id)


def set_my_notifications(
    uow: UnitOfWork, principal: Principal, data: dict[str, Any], expected_version: int | None, clock: Clock
) -> MyNotifications:
    """Save where and when the signed-in person hears (audited); a chat channel HR has not connected is refused."""
    store = NotificationStore(uow)
    before = store.preference(principal.employee_id)
    if expected_version is not None:
        expect_version(before, expected_version, "your choice", by="elsewhere")
    channel, timing = Channel(data["channel"]), Timing(data["timing"])
    check_preference(channel, set(store.workspaces()))
    person = uow.directory.get(principal.employee_id)
    if person is None or not person.email:
        raise ValidationFailed("you have no address", errors={"channel": ["the directory holds no email for you"]})
    after = Preference(principal.employee_id, channel, timing, before.version + 1)
    with uow:
        store.save_preference(before, after, person.email, principal.employee_id, iso(clock.now()))
        uow.commit()
    return _mine(NotificationStore(uow), principal.employee_id)


def require_hr(principal: Principal) -> None:
    """Only HR connects chat channels and tests them (asked before the request's body is judged)."""
    require_role(principal, Role.HR)


def channel_statuses(uow: UnitOfWork, principal: Principal) -> list[ChannelStatus]:
    """HR: each chat channel, connected or not, with who connected it and when."""
    require_role(principal, Role.HR)
    spaces = NotificationStore(uow).workspaces()
    return [_status(c, spaces.get(c)) for c in CHAT_CHANNELS]


def _status(channel: Channel, space: Workspace | None) -> ChannelStatus:
    if space is None:
        return ChannelStatus(channel, False, None, None, None, MODES[channel])
    return ChannelStatus(channel, True, space.mode, space.configured_at, space.configured_by_name, MODES[channel])


def connect_channel(
    uow: UnitOfWork, principal: Principal, secrets: ChatSecrets, channel: str, data: dict[str, Any], clock: Clock
) -> ChannelStatus:
    """HR connects Slack or Teams: the token or webhook goes to Secrets Manager, who and when to the table
    (audited); connecting again replaces both."""
    require_role(principal, Role.HR)
    chosen = _chat_channel(channel)
    mode = ChatMode(data["mode"])
    check_workspace(chosen, mode, data["secret"])
    store = NotificationStore(uow)
    before = store.workspaces().get(chosen)
    after = Workspace(chosen, mode, iso(clock.now()), principal.employee_id, principal.name)
    secrets.write(chosen, data["secret"].strip())  # first: a table row never claims a secret that is not there
    with uow:
        store.save_workspace(before, after, principal.employee_id, after.configured_at)
        uow.commit()
    return _status(chosen, after)


def _chat_channel(value: str) -> Channel:
    if value not in {c.value for c in CHAT_CHANNELS}:
        raise NotFound("There is no such chat channel.")
    return Channel(value)


def send_test_message(
    uow: UnitOfWork, principal: Principal, secrets: ChatSecrets, sender: ChatSender, channel: str
) -> TestResult:
    """HR sends a test message on a connected channel, to their own address (a webhook: into its channel)."""
    require_role(principal, Role.HR)
    chosen = _chat_channel(channel)
    space = NotificationStore(uow).workspaces().get(chosen)
    if space is None:
        raise ValidationFailed("not connected", errors={"channel": [f"connect {chosen.label} first"]})
    person = uow.directory.get(principal.employee_id)
    address = person.email if person else ""
    message = Message(
        "Test message from Review cycles",
        (f"{principal.name} sent this test from the notification settings page. It arrived.",),
        (),
    )
    try:
        secret = secrets.read().get(chosen.value) or ""
        if not secret:
            raise ChatFailed("no secret is kept for it")
        sender.send(chosen, space.mode, secret, address, message)
    except ChatFailed as exc:
        return TestResult(chosen, False, f"Not delivered: {exc}.")
    return TestResult(chosen, True, f"Delivered to {chosen.label} ({space.mode.value}).")
