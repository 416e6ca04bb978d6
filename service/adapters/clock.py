"""Time and identifiers, behind a port so tests can fix them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


class Clock:
    """The real clock: timezone-aware UTC."""

    def now(self) -> datetime:
        """Now, in UTC."""
        return datetime.now(UTC)

    def new_id(self) -> str:
        """A fresh unique identifier."""
        return uuid.uuid4().hex


class FixedClock(Clock):
    """A clock that stands still until moved (tests)."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self._n = 0

    def now(self) -> datetime:
        return self.at

    def new_id(self) -> str:
        self._n += 1
        return f"id{self._n:06d}"


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, the one format used in storage and JSON."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
