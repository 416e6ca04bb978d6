"""Rehearsal mode (issue 21): emails that go to HR instead of the people they name.

Two ways to rehearse, one redirection (subject marked, text opened by a banner naming who it would have gone to):

- A whole deployment: with `MAIL_REHEARSAL_TO` set (template parameter RehearsalRecipients), every message is sent
  to those addresses only. Clearing the parameter and deploying again makes the stack live.
- One cycle: HR ticks "Rehearse this cycle" while it is a draft. Every message carrying that cycle's id
  (`Email.cycle_id`: feedback requests, nomination emails, reminders, "Remind now", the training report) goes to
  the HR people of the directory; the other cycles stay live. `CycleRehearsalMailer` decides, reading the cycle
  through a `RehearsalLookup` the factory builds on the table.
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from service.adapters.mailer import Email, Mailer, SendFailed
from service.adapters.store import Table

SUBJECT_MARK = "[Rehearsal] "
LOOKUP_TTL = 60.0  # seconds a process trusts what it read (a cycle's flag only changes while it is a draft)


def banner(original: tuple[str, ...]) -> str:
    """The lines that open a redirected message."""
    return (
        "REHEARSAL - this message was sent to HR instead of the people it names.\n"
        f"It would have gone to: {', '.join(original)}\n"
        "----------------------------------------------------------------------\n\n"
    )


def redirected(email: Email, hr_addresses: tuple[str, ...]) -> Email:
    """The message as HR receives it in a rehearsal."""
    return replace(email, to=hr_addresses, subject=SUBJECT_MARK + email.subject, text=banner(email.to) + email.text)


class RehearsalMailer(Mailer):
    """Sends every message to HR's addresses, with a banner saying whom it was for."""

    def __init__(self, inner: Mailer, hr_addresses: tuple[str, ...]) -> None:
        if not hr_addresses:
            raise ValueError("a rehearsal needs at least one HR address")
        self.inner = inner
        self.hr_addresses = hr_addresses

    def send(self, email: Email) -> None:
        """Hand the message, redirected and marked, to the real mailer."""
        self.inner.send(redirected(email, self.hr_addresses))


def rehearsing(mailer: Mailer, hr_addresses: tuple[str, ...]) -> Mailer:
    """The mailer itself when live; during a rehearsal, the same mailer redirected to HR."""
    return RehearsalMailer(mailer, hr_addresses) if hr_addresses else mailer


class RehearsalLookup(ABC):
    """Port: is a cycle a rehearsal, and who is HR."""

    @abstractmethod
    def is_rehearsal(self, cycle_id: str) -> bool:
        """True when the cycle is marked a rehearsal (an unknown cycle is not)."""

    @abstractmethod
    def hr_addresses(self) -> tuple[str, ...]:
        """The addresses of the active HR people of the directory."""


class TableRehearsalLookup(RehearsalLookup):
    """Reads the cycle and the directory through a unit of work; remembers each answer for `ttl` seconds."""

    def __init__(self, table: Table, ttl: float = LOOKUP_TTL, clock: Callable[[], float] = time.monotonic) -> None:
        self.table = table
        self.ttl = ttl
        self.clock = clock
        self._cache: dict[str, tuple[float, Any]] = {}

    def _cached(self, key: str, read: Callable[[], Any]) -> Any:
        hit = self._cache.get(key)
        if hit is not None and self.clock() - hit[0] < self.ttl:
            return hit[1]
        value = read()
        self._cache[key] = (self.clock(), value)
        return value

    def is_rehearsal(self, cycle_id: str) -> bool:
        from service.adapters.unit_of_work import UnitOfWork

        def read() -> bool:
            cycle = UnitOfWork(self.table).cycles.get(cycle_id)
            return bool(cycle and cycle.rehearsal)

        return bool(self._cached(f"cycle:{cycle_id}", read))

    def hr_addresses(self) -> tuple[str, ...]:
        from service.adapters.unit_of_work import UnitOfWork
        from service.domain.directory import Role

        def read() -> tuple[str, ...]:
            people = UnitOfWork(self.table).directory.all()
            return tuple(sorted({p.email for p in people if p.active and p.email and Role.HR in p.roles}))

        return tuple(self._cached("hr", read))


class CycleRehearsalMailer(Mailer):
    """Sends a rehearsal cycle's messages to HR only, redirected and marked; every other message as it is.

    When it cannot tell (the table unreachable) or there is no HR address, the message is not sent (`SendFailed`,
    retried like any failed send): a real person is never mailed about a rehearsal cycle.
    """

    def __init__(self, inner: Mailer, lookup: RehearsalLookup) -> None:
        self.inner = inner
        self.lookup = lookup

    def send(self, email: Email) -> None:
        """Redirect the message when its cycle is a rehearsal, then hand it to the real mailer."""
        from service.domain.errors import Unavailable

        if email.cycle_id is None:
            self.inner.send(email)
            return
        try:
            rehearsal = self.lookup.is_rehearsal(email.cycle_id)
            hr = self.lookup.hr_addresses() if rehearsal else ()
        except Unavailable as exc:
            raise SendFailed(f"not sent: could not read whether the cycle is a rehearsal ({exc})") from exc
        if not rehearsal:
            self.inner.send(email)
            return
        if not hr:
            raise SendFailed("not sent: the cycle is a rehearsal and the directory has no HR person with an address")
        self.inner.send(redirected(email, hr))
