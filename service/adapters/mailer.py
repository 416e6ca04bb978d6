"""Sending email: SES deployed, a readable outbox folder locally, a list in tests."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from pathlib import Path
from typing import Any


class SendFailed(Exception):
    """The message could not be handed over (rejected, throttled, unreachable); it was not sent."""


class AddressBouncing(SendFailed):
    """Not sent, on purpose: SES reported the address as bouncing or complaining (HR sees it); retrying is pointless."""


@dataclass(frozen=True)
class Attachment:
    """A file sent with a message (an ICS invitation): its name, MIME type (parameters allowed) and bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class Email:
    """One plain-text message; `cycle_id` names the cycle it belongs to (a rehearsal cycle's go to HR only).

    `digest_key` marks a message that may wait for its recipient's daily digest and says what it is about (the
    path it links to): the digest drops it once that is no longer waiting, and repeats it in no reminder. A
    message without one (a reminder, HR's "Remind now", a report) is sent at once.
    `knock`: False for a message whose sending could tell who answers feedback (a request, a daily email that lists
    them): a shared chat channel, which everybody in it reads, gets no knock for it (the email still goes).
    """

    to: tuple[str, ...]
    subject: str
    text: str
    cycle_id: str | None = None
    digest_key: str | None = None
    attachments: tuple[Attachment, ...] = ()
    knock: bool = True

    def mime(self, sender: str) -> EmailMessage:
        """The message as MIME: the text, then each attachment."""
        msg = EmailMessage()
        msg["From"] = sender
        msg["To"] = ", ".join(self.to)
        msg["Subject"] = self.subject
        msg.set_content(self.text)
        for a in self.attachments:
            kind, _, params = a.content_type.partition(";")
            maintype, subtype = kind.strip().split("/")
            extra = dict(p.strip().split("=", 1) for p in params.split(";") if "=" in p)
            msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.filename, params=extra)
        return msg


class Mailer(ABC):
    """Port for sending email."""

    @abstractmethod
    def send(self, email: Email) -> None:
        """Send one message; raises `SendFailed` when it could not be handed over."""


@dataclass
class MemoryMailer(Mailer):
    """Keeps messages in a list (tests)."""

    sent: list[Email] = field(default_factory=list)

    def send(self, email: Email) -> None:
        self.sent.append(email)


class OutboxMailer(Mailer):
    """Writes each message as an .eml file into a folder (the local run's outbox)."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, email: Email) -> None:
        try:
            self._write(email)
        except OSError as exc:
            raise SendFailed(f"could not write to the outbox: {exc}") from exc

    def _write(self, email: Email) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        msg = email.mime(self.sender)
        n = len(list(self.folder.glob("*.eml"))) + 1
        slug = re.sub(r"[^a-z0-9]+", "-", email.subject.lower()).strip("-")[:40]
        tmp = self.folder / f".{n:05d}.tmp"
        tmp.write_bytes(bytes(msg))
        tmp.replace(self.folder / f"{n:05d}-{slug}.eml")


class SkipBouncing(Mailer):
    """Sends through another mailer, except to addresses SES reported as bouncing or complaining."""

    def __init__(self, inner: Mailer, is_bouncing: Callable[[str], bool]) -> None:
        self.inner = inner
        self.is_bouncing = is_bouncing

    def send(self, email: Email) -> None:
        bouncing = [address for address in email.to if self.is_bouncing(address)]
        if bouncing:
            raise AddressBouncing(f"not sent: {', '.join(bouncing)} bounced or complained before")
        self.inner.send(email)


class DigestingMailer(Mailer):
    """Keeps each message that may wait (`Email.digest_key`) for the daily digest through `keep`, one per
    address, unless its recipient chose one message per event (`at_once`); sends the others through `inner` at
    once. The reminders function sends the digests."""

    def __init__(
        self, inner: Mailer, keep: Callable[[str, Email], None], at_once: Callable[[str], bool] = lambda _: False
    ) -> None:
        self.inner = inner
        self.keep = keep
        self.at_once = at_once  # issue 28: whoever chose one message per event gets it now

    def send(self, email: Email) -> None:
        if email.digest_key is None:
            self.inner.send(email)
            return
        now = [address for address in email.to if self.at_once(address)]
        for address in email.to:
            if address not in now:
                self.keep(address, email)
        if now:
            self.inner.send(replace(email, to=tuple(now)))


class SesMailer(Mailer):
    """Amazon SES, through the configuration set that reports bounces and complaints when one is given."""

    def __init__(self, client: Any, sender: str, configuration_set: str | None = None) -> None:
        self.client = client
        self.sender = sender
        self.configuration_set = configuration_set

    def send(self, email: Email) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        extra = {"ConfigurationSetName": self.configuration_set} if self.configuration_set else {}
        try:
            if email.attachments:  # SendEmail carries no files: the whole MIME message as SendRawEmail
                self.client.send_raw_email(
                    Source=self.sender,
                    Destinations=list(email.to),
                    RawMessage={"Data": bytes(email.mime(self.sender))},
                    **extra,
                )
                return
            self.client.send_email(
                Source=self.sender,
                Destination={"ToAddresses": list(email.to)},
                Message={
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"}},
                },
                **extra,
            )
        except ClientError as exc:  # MessageRejected, throttling past retries, 5xx…
            raise SendFailed(f"SES refused the message: {exc.response.get('Error', {}).get('Code')}") from exc
        except BotoCoreError as exc:  # timeouts, endpoint unreachable
            raise SendFailed(f"SES could not be reached: {exc}") from exc
