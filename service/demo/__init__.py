"""Demo data for the local run: a small, realistic organisation."""

from __future__ import annotations

from importlib import resources

ORGANISATION_CSV = "organisation.csv"


def data_file(name: str) -> str:
    """The text of one of the demo's data files (beside this module)."""
    return resources.files(__name__).joinpath(name).read_text(encoding="utf-8")


def organisation_csv() -> str:
    """The demo organisation as CSV text (the same columns HR's import takes)."""
    return data_file(ORGANISATION_CSV)
