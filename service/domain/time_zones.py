"""Time zones (issue 28): a person's zone is an IANA name (zoneinfo), from their own setting, the directory's
optional `time_zone` column, or else the organisation's (ORG_TIME_ZONE). Instants are kept in UTC; a zone only says
how one is read and written by a person."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, tzinfo
from functools import lru_cache

UTC_NAME = "UTC"


@lru_cache(maxsize=1)
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this system knows, sorted (the choices a person picks from)."""
    from zoneinfo import available_timezones

    return tuple(sorted(available_timezones() | {UTC_NAME}))


def is_zone(name: str) -> bool:
    """Whether `name` is an IANA zone name this system knows (case as written, e.g. Europe/Berlin)."""
    return name in zone_names()


def zone_error(name: str) -> str | None:
    """A field message for a name that is not a time zone, or None."""
    return None if is_zone(name) else f"{name!r} is not a time zone: use an IANA name such as Europe/Berlin"


def zone(name: str | None) -> tzinfo:
    """The zone of a name; UTC for none, or for one this system no longer knows (stored before its data changed).
    UTC is datetime's own: an organisation and its people on UTC never load zoneinfo (its import and the system
    paths it reads cost a cold start about 1.5 ms)."""
    if not name or name == UTC_NAME:
        return UTC
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def instant(day: date, wall: time, name: str | None) -> datetime:
    """The UTC instant of a wall-clock time on a day in a zone (a time skipped by a clock change is read with the
    offset before it, as zoneinfo does)."""
    return datetime.combine(day, wall, zone(name)).astimezone(UTC)


def local(at: datetime, name: str | None) -> datetime:
    """An instant as the wall clock of a zone reads it."""
    return at.astimezone(zone(name))
