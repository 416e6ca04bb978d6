"""JSON API of notifications (issue 28, point 5): a person's channel and timing; HR's chat connections (the secret
is written, never read back) and their test message."""

from __future__ import annotations

from typing import Any

from flask import Blueprint
from marshmallow import Schema, fields, validate

from service.domain.notifications import MAX_SECRET, Channel, ChatMode, Timing
from service.services import notifications as svc
from service.web.api_io import answer, load_body, versioned
from service.web.auth import current_principal
from service.web.docs import api_doc, api_report
from service.web.fields import Choice, Text
from service.web.schemas import list_of, schema_of
from service.web.versioning import expected_version
from service.web.wiring import Wiring, wiring

bp = Blueprint("api_notifications", __name__, url_prefix="/api")

# The choices' codes as enums in the document (each answer's schema is still derived from its dataclass).
MyNotificationsSchema = schema_of(
    svc.MyNotifications,
    "MyNotificationsSchema",
    channel=Choice(Channel),
    timing=Choice(Timing),
    available=fields.List(Choice(Channel)),
)
ChannelStatusSchema = schema_of(
    svc.ChannelStatus,
    "ChannelStatusSchema",
    channel=Choice(Channel),
    mode=Choice(ChatMode, allow_none=True),
    modes=fields.List(Choice(ChatMode)),
)
ChannelListSchema = list_of("channels", ChannelStatusSchema)
TestResultSchema = schema_of(svc.TestResult, "TestResultSchema", channel=Choice(Channel))


class PreferenceInSchema(Schema):
    """Where and when I hear: email, or a chat channel HR connected; the daily digest or one message per event."""

    channel = Choice(Channel, required=True)
    timing = Choice(Timing, required=True)


class ConnectInSchema(Schema):
    """How the workspace is reached, and its secret (a Slack bot token, or the webhook's https address)."""

    mode = Choice(ChatMode, required=True)
    secret = Text(required=True, max_length=MAX_SECRET, validate=validate.Length(min=1))


def chat_secrets(w: Wiring) -> Any:
    """The chat channels' secrets (Secrets Manager deployed; tests install their own)."""
    if "chat_secrets" not in w.extras:
        from service.adapters.factory import chat_secrets as build

        w.extras["chat_secrets"] = build(w.settings)
    return w.extras["chat_secrets"]


def chat_sender(w: Wiring) -> Any:
    """What posts to Slack and Teams (tests install one aimed at their local server)."""
    if "chat_sender" not in w.extras:
        from service.adapters.chat import ChatSender

        w.extras["chat_sender"] = ChatSender()
    return w.extras["chat_sender"]


@bp.get("/me/notifications")
@api_doc("My notification choice: channel, timing, and the channels I may choose", response=MyNotificationsSchema)
def mine_api():
    """The signed-in person's choice (ETag: its version)."""
    return versioned(svc.my_notifications(wiring().uow(), current_principal()), MyNotificationsSchema)


@bp.put("/me/notifications")
@api_doc("Choose where and when I hear (audited)", response=MyNotificationsSchema, body=PreferenceInSchema)
def set_mine_api():
    """Save the signed-in person's channel and timing."""
    w = wiring()
    saved = svc.set_my_notifications(w.uow(), current_principal(), load_body(), expected_version(), w.clock)
    return versioned(saved, MyNotificationsSchema)


@bp.get("/notifications/channels")
@api_report("HR: the chat channels, connected or not, by whom and when (never the secret)", ChannelListSchema)
def channels_api():
    """Each chat channel's connection."""
    return answer({"channels": svc.channel_statuses(wiring().uow(), current_principal())}, schema=ChannelListSchema)


@bp.put("/notifications/channels/<channel>")
@api_doc(
    "HR: connect Slack or Teams (the secret goes to Secrets Manager and is never shown again; audited)",
    response=ChannelStatusSchema,
    body=ConnectInSchema,
)
def connect_api(channel: str):
    """Connect (or reconnect) one chat channel."""
    w, principal = wiring(), current_principal()
    svc.require_hr(principal)  # before the body is judged: no answer tells a non-HR caller more
    status = svc.connect_channel(w.uow(), principal, chat_secrets(w), channel, load_body(), w.clock)
    return answer(status, schema=ChannelStatusSchema)


@bp.post("/notifications/channels/<channel>/test")
@api_doc(
    "HR: send a test message on a connected channel (to yourself; a webhook: into its channel)",
    response=TestResultSchema,
    errors=(422,),  # the channel is not connected
)
def test_api(channel: str):
    """Send a test message and say whether it arrived."""
    w = wiring()
    result = svc.send_test_message(w.uow(), current_principal(), chat_secrets(w), chat_sender(w), channel)
    return answer(result, schema=TestResultSchema)
