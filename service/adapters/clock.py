"""Time and identifiers, behind a port so tests can fix them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, tzinfo

from service.domain import time_zones


class Clock:
    """The real clock, on the organisation's wall (ORG_TIME_ZONE, `Settings.time_zone`): `now().date()` is the
    organisation's day, so a deadline ends at its midnight, not at midnight UTC. Instants are stored in UTC (`iso`)."""

    zone: tzinfo = UTC

    def __init__(self, zone: str | tzinfo = UTC) -> None:
        self.zone = time_zones.zone(zone) if isinstance(zone, str) else zone  # settings checked the name

    def now(self) -> datetime:
        """Now, on the organisation's clock (an aware datetime: compared and stored as the same instant)."""
        return datetime.now(self.zone)

    def new_id(self) -> str:
        """A fresh unique identifier."""
        return uuid.uuid4().hex


class FixedClock(Clock):
    """A clock that stands still until moved (tests)."""

    def __init__(self, at: datetime) -> None:
        self.at = at
        self.zone = at.tzinfo or UTC  # a test in another zone gives the moment on that zone's wall
        self._n = 0

    def now(self) -> datetime:
        return self.at

    def new_id(self) -> str:
        self._n += 1
        return f"id{self._n:06d}"


def iso(moment: datetime) -> str:
    """ISO-8601 in UTC with a Z, the one format used in storage and JSON."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
