"""Jinja rendering of documents outside Flask (emails now; PDFs and reports later), in the organisation's formats."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from service.domain import formats

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"

# The organisation's locale and currency (ORG_LOCALE, ORG_CURRENCY), set once by each process that renders (the web
# app, the PDF and mail functions): what an email is written in, and a page for a person whose browser has no format.
# Issue 28: and its time zone (ORG_TIME_ZONE), for people with none of their own.
_organisation = {"locale": formats.DEFAULT_LOCALE, "currency": formats.DEFAULT_CURRENCY, "time_zone": "UTC"}


def use_organisation_formats(locale: str, currency: str, time_zone: str = "UTC") -> None:
    """Write dates and amounts in the organisation's locale and currency, and read times in its zone, from now on
    (this process)."""
    _organisation["locale"] = locale if locale in formats.FORMATS else formats.DEFAULT_LOCALE
    _organisation["currency"] = currency or formats.DEFAULT_CURRENCY
    _organisation["time_zone"] = time_zone or "UTC"


def organisation_time_zone() -> str:
    """The organisation's time zone, an IANA name (UTC unless ORG_TIME_ZONE said otherwise)."""
    return _organisation["time_zone"]


def organisation_locale() -> str:
    """The organisation's locale (en-GB unless ORG_LOCALE said otherwise)."""
    return _organisation["locale"]


def organisation_currency() -> str:
    """The organisation's currency, an ISO 4217 code (EUR unless ORG_CURRENCY said otherwise)."""
    return _organisation["currency"]


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # An email has no browser: its dates and amounts are the organisation's, as the pages write them.
    env.filters.update(formats.filters(organisation_locale, organisation_currency, organisation_time_zone))
    return env


def render(name: str, **context: Any) -> str:
    """Render a template under templates/ (HTML templates are autoescaped)."""
    return _environment().get_template(name).render(**context)
