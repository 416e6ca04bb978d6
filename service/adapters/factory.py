"""Builds the real adapters from settings (the factory wires; nothing is built at import)."""

from __future__ import annotations

from pathlib import Path

from service.adapters.mailer import Mailer, OutboxMailer, SesMailer
from service.adapters.store import Table
from service.config import Settings


def build_table(settings: Settings) -> Table:
    """The DynamoDB table (imports boto3 when called)."""
    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable

    return DynamoTable(client("dynamodb", settings), settings.table_name)


def build_mailer(settings: Settings) -> Mailer:
    """SES when deployed; the outbox folder when OUTBOX_DIR is set (the local run); during a rehearsal
    (MAIL_REHEARSAL_TO), either one redirected to HR."""
    from service.adapters.rehearsal import rehearsing

    return rehearsing(_transport(settings), settings.mail_rehearsal_to)


def _transport(settings: Settings) -> Mailer:
    if settings.outbox_dir:
        return OutboxMailer(Path(settings.outbox_dir), settings.mail_from)
    from service.adapters.aws import client

    return SesMailer(client("ses", settings), settings.mail_from)
