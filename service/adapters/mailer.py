"""Sending email: SES deployed, a readable outbox folder locally, a list in tests."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any


class SendFailed(Exception):
    """The message could not be handed over (rejected, throttled, unreachable); it was not sent."""


@dataclass(frozen=True)
class Email:
    """One plain-text message."""

    to: tuple[str, ...]
    subject: str
    text: str


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
        msg = EmailMessage()
        msg["From"] = self.sender
        msg["To"] = ", ".join(email.to)
        msg["Subject"] = email.subject
        msg.set_content(email.text)
        n = len(list(self.folder.glob("*.eml"))) + 1
        slug = re.sub(r"[^a-z0-9]+", "-", email.subject.lower()).strip("-")[:40]
        tmp = self.folder / f".{n:05d}.tmp"
        tmp.write_bytes(bytes(msg))
        tmp.replace(self.folder / f"{n:05d}-{slug}.eml")


class SesMailer(Mailer):
    """Amazon SES."""

    def __init__(self, client: Any, sender: str) -> None:
        self.client = client
        self.sender = sender

    def send(self, email: Email) -> None:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.client.send_email(
                Source=self.sender,
                Destination={"ToAddresses": list(email.to)},
                Message={
                    "Subject": {"Data": email.subject, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": email.text, "Charset": "UTF-8"}},
                },
            )
        except ClientError as exc:  # MessageRejected, throttling past retries, 5xx…
            raise SendFailed(f"SES refused the message: {exc.response.get('Error', {}).get('Code')}") from exc
        except BotoCoreError as exc:  # timeouts, endpoint unreachable
            raise SendFailed(f"SES could not be reached: {exc}") from exc
