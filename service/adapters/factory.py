"""Builds the real adapters from settings (the factory wires; nothing is built at import)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from service.adapters.mailer import DigestingMailer, Mailer, OutboxMailer, SesMailer, SkipBouncing
from service.adapters.store import Table
from service.config import Settings, require_mail

if TYPE_CHECKING:
    from service.adapters.chat import ChatSender
    from service.adapters.notification_settings_store import ChatSecrets


def build_table(settings: Settings) -> Table:
    """The DynamoDB table (imports boto3 when called)."""
    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable

    return DynamoTable(client("dynamodb", settings), settings.table_name)


def build_mailer(
    settings: Settings, table: Table | None = None, secrets: ChatSecrets | None = None, sender: ChatSender | None = None
) -> Mailer:
    """SES when deployed; the outbox folder when OUTBOX_DIR is set (the local run); during a rehearsal of the
    deployment (MAIL_REHEARSAL_TO), either one redirected to those addresses; otherwise the messages of a cycle
    HR marked a rehearsal redirected to the directory's HR people (read from `table`).

    Either way an address SES reported as bouncing or complaining is skipped (`AddressBouncing`), read from
    `table` (built from settings when not given): in a rehearsal too, as it would be live. Deployed, a missing
    sender or a loopback link is refused. A message that may wait (`Email.digest_key`) is kept in the table for
    the recipient's daily digest, which the reminders function sends through the rest (redirected when its cycle
    is a rehearsal, skipped when the address bounces), unless its recipient chose one message per event. Last,
    each message goes where its recipient chose (issue 28: `ChannelMailer`, email when their chat fails).
    """
    from service.adapters.bounces import BounceList
    from service.adapters.rehearsal import CycleRehearsalMailer, TableRehearsalLookup, rehearsing
    from service.adapters.reminder_store import keep_for_digest

    require_mail(settings)
    table = table if table is not None else build_table(settings)
    bounces = BounceList(table)
    transport = channel_mailer(_transport(settings), table, secrets or chat_secrets(settings), sender, settings)
    if settings.mail_rehearsal_to:  # the whole deployment rehearses: every message, whatever its cycle
        sending = SkipBouncing(rehearsing(transport, settings.mail_rehearsal_to), bounces.is_bouncing)
    else:
        sending = SkipBouncing(CycleRehearsalMailer(transport, TableRehearsalLookup(table)), bounces.is_bouncing)
    return DigestingMailer(sending, keep_for_digest(table), sends_each(table))


def channel_mailer(
    inner: Mailer, table: Table, secrets: ChatSecrets, sender: ChatSender | None, settings: Settings
) -> Mailer:
    """`inner` behind each recipient's choice of channel (issue 28): their chat, else email."""
    from service.adapters.chat import ChannelMailer, ChatSender
    from service.adapters.notification_settings_store import PreferenceLookup, WorkspaceLookup

    home = f"{settings.base_url}/"
    return ChannelMailer(inner, PreferenceLookup(table), WorkspaceLookup(table), secrets, sender or ChatSender(), home)


def sends_each(table: Table) -> Callable[[str], bool]:
    """Whether the person with this address chose one message per event over the daily digest."""
    from service.adapters.notification_settings_store import PreferenceLookup
    from service.domain.errors import Unavailable
    from service.domain.notifications import Timing

    lookup = PreferenceLookup(table)

    def each(address: str) -> bool:
        try:
            found = lookup(address)
        except Unavailable:  # the table cannot tell now: the message waits for the digest, as it always did
            return False
        return found is not None and found.timing is Timing.EACH

    return each


_LOCAL_SECRETS: dict[str, ChatSecrets] = {}


def chat_secrets(settings: Settings) -> ChatSecrets:
    """The chat channels' secrets: Secrets Manager when NOTIFICATION_SECRET_ID names the secret (deployed), else
    kept in this process's memory (the local run: connect the channel again after a restart)."""
    from service.adapters.notification_settings_store import MemorySecrets, SecretsManagerSecrets

    if settings.notification_secret_id:
        from service.adapters.aws import client

        return SecretsManagerSecrets(client("secretsmanager", settings), settings.notification_secret_id)
    return _LOCAL_SECRETS.setdefault(settings.table_name, MemorySecrets())


def _transport(settings: Settings) -> Mailer:
    if settings.outbox_dir:
        return OutboxMailer(Path(settings.outbox_dir), settings.mail_from)
    from service.adapters.aws import client

    return SesMailer(client("ses", settings), settings.mail_from, settings.ses_configuration_set)
