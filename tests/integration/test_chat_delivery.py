"""Notifications where people work (issue 28, point 5): each message goes where its recipient chose, through the
whole mailer chain, against a local server playing Slack and Teams; a failed chat falls back to email, counted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.adapters import metrics
from service.adapters.chat import CHAT_FALLBACKS, CHAT_SENT, ChatSender, Http
from service.adapters.clock import FixedClock
from service.adapters.factory import channel_mailer, sends_each
from service.adapters.mailer import DigestingMailer, Email, MemoryMailer
from service.adapters.notification_settings_store import MemorySecrets
from service.adapters.reminder_store import keep_for_digest
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import goals as goal_svc
from service.services import notifications as svc
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.chat_fake import BOT_TOKEN, SLACK_WEBHOOK, TEAMS_WEBHOOK, TEAMS_WORKFLOW, fake_chat
from tests.conftest import ORG_CSV

NOW = datetime(2026, 3, 2, 9, tzinfo=UTC)


@pytest.fixture
def chat():
    with fake_chat() as fake:
        fake.slack_users = {"katherine@example.com": "U_KATHERINE"}
        yield fake


@pytest.fixture
def org():
    table, clock = MemoryTable(), FixedClock(NOW)
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return table, clock


@pytest.fixture
def counts():
    sink = metrics.MemoryMetrics()
    previous = metrics.use(sink)
    yield sink.counts
    metrics.use(previous)


def _chain(table, chat, timeout: float = 2.0):
    """The mailer the functions build (build_mailer's digest and channel steps) over an outbox list."""
    outbox, secrets = MemoryMailer(), MemorySecrets()
    sender = ChatSender(Http(base_url=chat.url, timeout=timeout))
    settings = Settings(base_url="https://reviews.example")
    inner = channel_mailer(outbox, table, secrets, sender, settings)
    return DigestingMailer(inner, keep_for_digest(table), sends_each(table)), outbox, secrets


def _connect(table, clock, secrets, channel: str, mode: str, secret: str) -> None:
    hr = f.principal(table, "E2")
    svc.connect_channel(UnitOfWork(table), hr, secrets, channel, {"mode": mode, "secret": secret}, clock)


def _choose(table, clock, employee_id: str, channel: str, timing: str = "each") -> None:
    me = f.principal(table, employee_id)
    svc.set_my_notifications(UnitOfWork(table), me, {"channel": channel, "timing": timing}, None, clock)


def _email(to: str = "katherine@example.com") -> Email:
    return Email((to,), "Overdue review tasks (1)", "Hello Katherine,\n\nOpen your tasks: https://reviews.example/\n")


def test_a_slack_choice_gets_a_direct_message_with_the_emails_words_and_no_email(org, chat, counts):
    table, clock = org
    mailer, outbox, secrets = _chain(table, chat)
    _connect(table, clock, secrets, "slack", "bot", BOT_TOKEN)
    _choose(table, clock, "E4", "slack")
    mailer.send(_email())
    [dm] = chat.posted("chat.postMessage")
    assert dm["channel"] == "U_KATHERINE" and dm["text"] == "Overdue review tasks (1)"
    assert [b["text"]["text"] for b in dm["blocks"][1:]] == [
        "Hello Katherine,",
        "Open your tasks: https://reviews.example/",
    ]
    assert outbox.sent == [] and counts[CHAT_SENT] == 1


@pytest.mark.parametrize(
    ("case", "users", "status", "delay"),
    [
        ("unknown user", {}, 200, 0.0),
        ("HTTP error", None, 500, 0.0),
        ("timeout", None, 200, 1.0),
        ("connection dropped", None, 0, 0.0),
    ],
)
def test_a_failed_chat_falls_back_to_email_and_is_counted(org, chat, counts, case, users, status, delay):
    table, clock = org
    mailer, outbox, secrets = _chain(table, chat, timeout=0.3)
    _connect(table, clock, secrets, "slack", "bot", BOT_TOKEN)
    _choose(table, clock, "E4", "slack")
    chat.slack_users = users if users is not None else chat.slack_users
    chat.status, chat.delay, chat.drop = status or 200, delay, status == 0
    mailer.send(_email())
    assert [m.to for m in outbox.sent] == [("katherine@example.com",)], case
    assert counts[CHAT_FALLBACKS] == 1 and counts[CHAT_SENT] == 0


def test_a_channel_hr_never_connected_is_refused_to_people(org):
    table, clock = org
    with pytest.raises(Exception, match="not connected") as refused:
        _choose(table, clock, "E4", "teams")
    assert refused.value.errors == {"channel": ["Microsoft Teams is not set up by HR yet"]}
    assert svc.my_notifications(UnitOfWork(table), f.principal(table, "E4")).channel == "email"


def test_a_teams_workflow_gets_an_adaptive_card_for_the_person(org, chat):
    table, clock = org
    mailer, outbox, secrets = _chain(table, chat)
    _connect(table, clock, secrets, "teams", "workflow", TEAMS_WORKFLOW)
    _choose(table, clock, "E5", "teams")
    mailer.send(_email("edsger@example.com"))
    [card] = chat.posted("/workflows/")
    assert card["recipient"] == "edsger@example.com"
    texts = [b["text"] for b in card["attachments"][0]["content"]["body"]]
    assert texts == ["Overdue review tasks (1)", "Hello Katherine,", "Open your tasks: https://reviews.example/"]
    assert outbox.sent == []


@pytest.mark.parametrize(
    ("channel", "hook", "path"), [("slack", SLACK_WEBHOOK, "/services/"), ("teams", TEAMS_WEBHOOK, "/webhookb2/")]
)
def test_a_shared_channel_gets_a_knock_only_and_the_email_still_goes(org, chat, channel, hook, path):
    table, clock = org
    mailer, outbox, secrets = _chain(table, chat)
    _connect(table, clock, secrets, channel, "webhook", hook)
    _choose(table, clock, "E4", channel)
    mailer.send(
        Email(
            ("katherine@example.com",), "Your feedback on Alan Turing", "Answer: https://reviews.example/feedback/c/E3"
        )
    )
    [posted] = chat.posted(path)
    assert "Alan" not in str(posted) and "/feedback/" not in str(posted)
    assert "For katherine@example.com: a new message is in your email." in str(posted)
    assert [m.subject for m in outbox.sent] == ["Your feedback on Alan Turing"]


def test_one_message_per_event_is_sent_at_once_a_digest_waits(org, chat):
    table, clock = org
    mailer, outbox, secrets = _chain(table, chat)
    _connect(table, clock, secrets, "slack", "bot", BOT_TOKEN)
    _choose(table, clock, "E4", "slack", timing="each")
    _choose(table, clock, "E5", "email", timing="digest")
    for to in ("katherine@example.com", "edsger@example.com"):
        mailer.send(Email((to,), "Your feedback on Alan Turing", "Answer or decline: https://r/x", digest_key="/x"))
    assert len(chat.posted("chat.postMessage")) == 1 and outbox.sent == []
    assert [n.address for ns in UnitOfWork(table).reminders.notices().values() for n in ns] == ["edsger@example.com"]


def test_a_check_in_reminder_reaches_slack_through_the_daily_run(org, chat):
    table, clock = org
    mailer, outbox, secrets = _chain(table, chat)
    cycle = f.launched_cycle(table, clock, participant_mode="list", employee_ids=["E4", "E5"])
    data = {"level": "individual", "title": "Ship the parser", "cycle_id": cycle.cycle_id, "weight": 100}
    goal_svc.create_goal(UnitOfWork(table), f.principal(table, "E4"), {**data, "checkin_rhythm": "weekly"}, clock)
    _connect(table, clock, secrets, "slack", "bot", BOT_TOKEN)
    _choose(table, clock, "E4", "slack", timing="digest")
    clock.at = datetime(2026, 3, 9, 8, tzinfo=UTC)
    run = send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    [dm] = chat.posted("chat.postMessage")
    assert dm["text"] == "Goal check-ins due (1)" and "Ship the parser: due 9 Mar 2026" in str(dm["blocks"])
    assert run.reminded == 1 and outbox.sent == []


def test_the_preference_and_the_connection_are_audited_and_the_secret_is_not_in_the_table(org):
    table, clock = org
    secrets = MemorySecrets()
    _connect(table, clock, secrets, "slack", "bot", BOT_TOKEN)
    _choose(table, clock, "E4", "slack")
    stored = str(table.all_items())
    assert BOT_TOKEN not in stored and secrets.read() == {"slack": BOT_TOKEN}
    trail = UnitOfWork(table).audit.of_entity("NOTIFYPREF#E4")
    assert [(r["action"], r["actor"]) for r in trail] == [("set_notifications", "E4")]
    [status] = [s for s in svc.channel_statuses(UnitOfWork(table), f.principal(table, "E2")) if s.connected]
    assert (status.channel, status.mode, status.configured_by_name) == ("slack", "bot", "Grace Hopper")


def test_while_the_choice_cannot_be_read_the_message_goes_by_email(org, chat):
    from service.adapters.chat import ChannelMailer
    from service.domain.errors import Unavailable

    def unreadable(address: str):
        raise Unavailable("throttled")

    outbox = MemoryMailer()
    mailer = ChannelMailer(outbox, unreadable, dict, MemorySecrets(), ChatSender(Http(base_url=chat.url)), "https://r/")
    mailer.send(_email())
    assert [m.to for m in outbox.sent] == [("katherine@example.com",)] and chat.received == []


def test_a_slack_user_is_looked_up_once_per_process(org, chat):
    # Someone who joined Slack after the process listed its members is looked up by email, once.
    table, clock = org
    mailer, _, secrets = _chain(table, chat)
    _connect(table, clock, secrets, "slack", "bot", BOT_TOKEN)
    _choose(table, clock, "E4", "slack")
    _choose(table, clock, "E5", "slack")
    mailer.send(_email())
    chat.slack_users = chat.slack_users | {"edsger@example.com": "U_EDSGER"}
    mailer.send(_email("edsger@example.com"))
    mailer.send(_email("edsger@example.com"))
    lookups = [r for r in chat.received if r.path == "/api/users.lookupByEmail"]
    assert len(lookups) == 1 and len(chat.posted("chat.postMessage")) == 3


def test_slack_members_are_listed_in_pages_once_whatever_the_number_of_people(org, chat):
    # Issue 24: Slack limits lookups per minute; a process reads the members 200 at a time instead of one per person.
    table, clock = org
    chat.slack_users = {f"p{n:04d}@example.com": f"U{n:04d}" for n in range(450)} | chat.slack_users
    mailer, _, secrets = _chain(table, chat)
    _connect(table, clock, secrets, "slack", "bot", BOT_TOKEN)
    _choose(table, clock, "E4", "slack")
    mailer.send(_email())
    mailer.send(_email())
    paths = [r.path for r in chat.received if r.method == "GET"]
    assert paths == ["/api/users.list"] * 3
    assert [b["channel"] for b in chat.posted("chat.postMessage")] == ["U_KATHERINE", "U_KATHERINE"]


def test_a_shared_channel_never_learns_who_is_asked_for_feedback_or_who_answered(org, chat):
    """Limits of issue 28: a knock that comes, or stops, with a feedback request would name its reviewer to everyone
    in the channel (the person reviewed included): requests and the daily emails that list them knock nobody."""
    from service.services import feedback_nominations

    table, clock = org
    mailer, outbox, secrets = _chain(table, chat)
    cycle = f.launched_cycle(table, clock)
    _connect(table, clock, secrets, "slack", "webhook", SLACK_WEBHOOK)
    for person in ("E5", "E6", "E2", "E3"):
        _choose(table, clock, person, "slack", timing="each")
    kath, alan = f.principal(table, "E4"), f.principal(table, "E3")
    c = cycle.cycle_id
    feedback_nominations.nominate_peers(
        UnitOfWork(table), kath, c, "E4", ["E5", "E6", "E2"], clock, mailer, "https://r"
    )
    knocked = len(chat.posted("/services/"))  # Alan's knock for the nominations to decide: nobody's answer in it
    feedback_nominations.decide_nominations(
        UnitOfWork(table), alan, c, "E4", ["E5", "E6", "E2"], [], [], clock, mailer, "https://r"
    )
    assert len(chat.posted("/services/")) == knocked  # nobody knocked for being asked
    asked = {m.to[0] for m in outbox.sent if m.subject == "Your feedback on Katherine Johnson"}
    assert asked == {"edsger@example.com", "barbara@example.com", "grace@example.com"}  # the requests went by email
    clock.at = datetime(2026, 3, 18, 7, tzinfo=UTC)  # the last days before the feedback deadline: listed daily
    send_reminders(UnitOfWork(table), mailer, clock, "https://r")
    posted = str(chat.posted("/services/"))
    assert "edsger@" not in posted and "barbara@" not in posted  # their daily emails list the request: no knock
    daily = {m.to[0] for m in outbox.sent if m.subject != "Your feedback on Katherine Johnson"}
    assert {"edsger@example.com", "barbara@example.com", "grace@example.com"} <= daily  # by email
