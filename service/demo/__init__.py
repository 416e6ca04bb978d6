"""Demo data for the local run: a small, realistic organisation."""

from __future__ import annotations

from importlib import resources

ORGANISATION_CSV = "organisation.csv"


def organisation_csv() -> str:
    """The demo organisation as CSV text (the same columns HR's import takes)."""
    return resources.files(__name__).joinpath(ORGANISATION_CSV).read_text(encoding="utf-8")
