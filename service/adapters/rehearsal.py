"""Rehearsal mode (issue 21): a deployment whose every email goes to HR instead of the people it names.

HR rehearses a cycle end to end (launch, feedback requests, nominations, "Remind now", daily reminders, the
training report) without mailing anyone else: with `MAIL_REHEARSAL_TO` set (template parameter
RehearsalRecipients), every message is sent to those addresses only, its subject marked and its text opened by a
banner naming who it would have gone to. Clearing the parameter and deploying again makes the stack live.
"""

from __future__ import annotations

from service.adapters.mailer import Email, Mailer

SUBJECT_MARK = "[Rehearsal] "


def banner(original: tuple[str, ...]) -> str:
    """The lines that open a redirected message."""
    return (
        "REHEARSAL - this message was sent to HR instead of the people it names.\n"
        f"It would have gone to: {', '.join(original)}\n"
        "----------------------------------------------------------------------\n\n"
    )


class RehearsalMailer(Mailer):
    """Sends every message to HR's addresses, with a banner saying whom it was for."""

    def __init__(self, inner: Mailer, hr_addresses: tuple[str, ...]) -> None:
        if not hr_addresses:
            raise ValueError("a rehearsal needs at least one HR address")
        self.inner = inner
        self.hr_addresses = hr_addresses

    def send(self, email: Email) -> None:
        """Hand the message, redirected and marked, to the real mailer."""
        self.inner.send(Email(self.hr_addresses, SUBJECT_MARK + email.subject, banner(email.to) + email.text))


def rehearsing(mailer: Mailer, hr_addresses: tuple[str, ...]) -> Mailer:
    """The mailer itself when live; during a rehearsal, the same mailer redirected to HR."""
    return RehearsalMailer(mailer, hr_addresses) if hr_addresses else mailer
