"""Builds the real adapters from settings (the factory wires; nothing is built at import)."""

from __future__ import annotations

from pathlib import Path

from service.adapters.mailer import Mailer, OutboxMailer, SesMailer, SkipBouncing
from service.adapters.store import Table
from service.config import Settings, require_mail


def build_table(settings: Settings) -> Table:
    """The DynamoDB table (imports boto3 when called)."""
    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable

    return DynamoTable(client("dynamodb", settings), settings.table_name)


def build_mailer(settings: Settings, table: Table | None = None) -> Mailer:
    """SES when deployed; the outbox folder when OUTBOX_DIR is set (the local run).

    Either way an address SES reported as bouncing or complaining is skipped (`AddressBouncing`), read from
    `table` (built from settings when not given). Deployed, a missing sender or a loopback link is refused.
    """
    from service.adapters.bounces import BounceList

    require_mail(settings)
    bounces = BounceList(table if table is not None else build_table(settings))
    if settings.outbox_dir:
        return SkipBouncing(OutboxMailer(Path(settings.outbox_dir), settings.mail_from), bounces.is_bouncing)
    from service.adapters.aws import client

    ses = SesMailer(client("ses", settings), settings.mail_from, settings.ses_configuration_set)
    return SkipBouncing(ses, bounces.is_bouncing)
