"""Builds the real adapters from settings (the factory wires; nothing is built at import)."""

from __future__ import annotations

from pathlib import Path

from service.adapters.mailer import DigestingMailer, Mailer, OutboxMailer, SesMailer, SkipBouncing
from service.adapters.store import Table
from service.config import Settings, require_mail


def build_table(settings: Settings) -> Table:
    """The DynamoDB table (imports boto3 when called)."""
    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable

    return DynamoTable(client("dynamodb", settings), settings.table_name)


def build_mailer(settings: Settings, table: Table | None = None) -> Mailer:
    """SES when deployed; the outbox folder when OUTBOX_DIR is set (the local run); during a rehearsal of the
    deployment (MAIL_REHEARSAL_TO), either one redirected to those addresses; otherwise the messages of a cycle
    HR marked a rehearsal redirected to the directory's HR people (read from `table`).

    Either way an address SES reported as bouncing or complaining is skipped (`AddressBouncing`), read from
    `table` (built from settings when not given): in a rehearsal too, as it would be live. Deployed, a missing
    sender or a loopback link is refused. A message that may wait (`Email.digest_key`) is kept in the table for
    the recipient's daily digest, which the reminders function sends through the rest (redirected when its cycle
    is a rehearsal, skipped when the address bounces).
    """
    from service.adapters.bounces import BounceList
    from service.adapters.rehearsal import CycleRehearsalMailer, TableRehearsalLookup, rehearsing
    from service.adapters.reminder_store import keep_for_digest

    require_mail(settings)
    table = table if table is not None else build_table(settings)
    bounces = BounceList(table)
    if settings.mail_rehearsal_to:  # the whole deployment rehearses: every message, whatever its cycle
        sending = SkipBouncing(rehearsing(_transport(settings), settings.mail_rehearsal_to), bounces.is_bouncing)
    else:
        sending = SkipBouncing(
            CycleRehearsalMailer(_transport(settings), TableRehearsalLookup(table)), bounces.is_bouncing
        )
    return DigestingMailer(sending, keep_for_digest(table))


def _transport(settings: Settings) -> Mailer:
    if settings.outbox_dir:
        return OutboxMailer(Path(settings.outbox_dir), settings.mail_from)
    from service.adapters.aws import client

    return SesMailer(client("ses", settings), settings.mail_from, settings.ses_configuration_set)
