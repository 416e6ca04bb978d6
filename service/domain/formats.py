"""One way to write a date, a time, an instant, a score and an amount, per locale and currency (issue 25).

Pure functions of a value, a locale and a currency, so every layer writes them alike: pages and PDFs (through
service/views/labels.py, with the person's locale) and emails (through service/adapters/documents.py, with the
organisation's, since an email has no browser).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from service.domain import time_zones


@dataclass(frozen=True)
class Format:
    """How one locale writes a date ('3 Dec 2026' or 'Dec 3, 2026') and a time of day ('14:02' or '2:02 PM')."""

    code: str
    day_first: bool
    hours_24: bool


# The locales texts are written in: English to start (ORG_LOCALE picks the organisation's default).
FORMATS: dict[str, Format] = {  # one per config.LOCALES
    "en-GB": Format("en-GB", day_first=True, hours_24=True),
    "en-US": Format("en-US", day_first=False, hours_24=False),
}
DEFAULT_LOCALE = "en-GB"
DEFAULT_CURRENCY = "EUR"
# Currencies written with their sign; any other is written with its ISO code ('CHF 4,800').
CURRENCY_SIGNS = {"EUR": "€", "GBP": "£", "USD": "US$"}


def format_of(locale: str) -> Format:
    """The format of a locale (the default's for one without a format)."""
    return FORMATS.get(locale) or FORMATS[DEFAULT_LOCALE]


def _zone(zone: tzinfo | str | None) -> tzinfo:
    return time_zones.zone(zone) if isinstance(zone, str) else zone or UTC


def day_of(value: date | datetime | str | None, zone: tzinfo | str | None = UTC) -> date | None:
    """The organisation's date of a stored value: an instant (stored in UTC, `...Z` or `+00:00`) is read on the
    wall of `zone` (2026-03-01T02:30Z is 28 Feb in New York); a plain date, or a wall-clock time without an
    offset (a 'datetime-local'), is the date it says. None for none; ValueError for text that is neither. The
    one turn of an instant into a date: never cut the string (`[:10]` is the UTC date)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = date.fromisoformat(value) if len(value) == 10 else datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        return value
    if value.tzinfo is None:
        return value.date()
    return value.astimezone(_zone(zone)).date()


def day(value: date | str | None, locale: str = DEFAULT_LOCALE, zone: tzinfo | str | None = None) -> str:
    """A date: '3 Dec 2026' (en-GB) or 'Dec 3, 2026' (en-US); an instant's is its date on the wall of `zone` (the
    organisation's, `day_of`; without a zone, a stored instant's UTC date and a datetime's own)."""
    if not value:
        return "—"
    try:
        d = value.date() if isinstance(value, datetime) and zone is None else day_of(value, zone)
    except ValueError:
        try:  # stored by an earlier version that took any text: its date if it starts with one, else as written
            d = date.fromisoformat(str(value)[:10])
        except ValueError:
            return str(value)
    if d is None:
        return "—"
    if format_of(locale).day_first:
        return f"{d.day} {d:%b %Y}"
    return f"{d:%b} {d.day}, {d.year}"


def clock(value: datetime | str | None, locale: str = DEFAULT_LOCALE) -> str:
    """A time of day: '14:02' (en-GB) or '2:02 PM' (en-US)."""
    if not value:
        return "—"
    text = value.isoformat() if isinstance(value, datetime) else value
    try:
        hour, minute = int(text[11:13]), int(text[14:16])
    except ValueError:
        return str(value)
    if format_of(locale).hours_24:
        return f"{hour:02d}:{minute:02d}"
    return f"{(hour - 1) % 12 + 1}:{minute:02d} {'AM' if hour < 12 else 'PM'}"


def _instant(value: datetime | str | None, locale: str, zone: str) -> str:
    if not value:
        return "—"
    text = value.isoformat() if isinstance(value, datetime) else value
    if len(text) < 16:
        return day(text, locale)
    return f"{day(text, locale)}, {clock(text, locale)}{zone}"


def when(value: datetime | str | None, locale: str = DEFAULT_LOCALE, zone: tzinfo | str | None = UTC) -> str:
    """An instant on the wall of `zone` (the organisation's), its zone named: '3 Dec 2026, 14:02 UTC',
    '2 Dec 2026, 21:02 EST'; a date alone reads as a date. Stored instants are UTC (one without an offset too)."""
    if isinstance(value, str) and len(value) >= 16:
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return _instant(value, locale, " UTC")  # stored by an earlier version: as written
    if not isinstance(value, datetime):
        return _instant(value, locale, " UTC")
    moment = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(_zone(zone))
    return f"{day(moment.date(), locale)}, {clock(moment, locale)} {moment.tzname() or 'UTC'}"


def local_time(value: datetime | str | None, locale: str = DEFAULT_LOCALE) -> str:
    """A wall-clock time with no zone (a meeting's 'datetime-local'): '10 Dec 2026, 15:00'."""
    return _instant(value, locale, "")


def score(value: float | None) -> str:
    """The one rounding rule of scores: whole points, halves up ('70.5' → '71'); '—' for no score."""
    if value is None or value == "":
        return "—"
    # Whole points: a decimal on a 0–100 score claims a precision no rating has.
    return str(int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def score_of_100(value: float | None) -> str:
    """'70 of 100', or 'no score yet'."""
    return "no score yet" if value is None or value == "" else f"{score(value)} of 100"


def amount(value: Any) -> float | None:
    """A stored amount as a number (None: nothing stored, or text that is no number)."""
    if value is None or value == "":
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def number(value: Any) -> str:
    """A stored amount without a spurious decimal: 800.0 → '800', 1250.5 → '1,250.5'."""
    figure = amount(value)
    if figure is None:
        return "—" if value is None or value == "" else str(value)
    return f"{figure:,.0f}" if figure.is_integer() else f"{figure:,.2f}".rstrip("0")


def money(value: Any, currency: str = DEFAULT_CURRENCY) -> str:
    """An amount in a currency, named: '€4,800', 'CHF 1,250.50'; '—' for none."""
    figure = amount(value)
    if figure is None:
        return "—" if value is None or value == "" else str(value)
    text = f"{figure:,.0f}" if figure.is_integer() else f"{figure:,.2f}"
    sign = CURRENCY_SIGNS.get(currency or DEFAULT_CURRENCY)
    return f"{sign}{text}" if sign else f"{currency} {text}"


def in_currency(label: str, currency: str = DEFAULT_CURRENCY) -> str:
    """A label with the currency named: 'Estimated cost (EUR)'."""
    return f"{label} ({currency or DEFAULT_CURRENCY})"


def filters(
    locale: Callable[[], str], currency: Callable[[], str], zone: Callable[[], str] = lambda: "UTC"
) -> dict[str, Callable[..., str]]:
    """The Jinja filters of these formats by name, with the locale, currency and time zone (an instant's date and
    time are the organisation's) asked for when a value is written."""
    return {
        "day": lambda v: day(v, locale(), zone()),
        "clock": lambda v: clock(v, locale()),
        "when": lambda v: when(v, locale(), zone()),
        "local_time": lambda v: local_time(v, locale()),
        "money": lambda v: money(v, currency()),
        "in_currency": lambda label: in_currency(label, currency()),
        "score": score,
        "score_of_100": score_of_100,
        "number": number,
    }
