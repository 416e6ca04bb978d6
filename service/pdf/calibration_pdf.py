"""Calibration's reports as PDF bytes (issue 23): a session's report (before and after, changes per manager) and a
cycle's rating report (by department and level, withheld groups as on the page), through templates/pdf/ and the
renderer. Importing this module does not load WeasyPrint."""

from __future__ import annotations

from typing import Any

from service.pdf.documents import environment

SESSION_TITLE = "Calibration report"
RATINGS_TITLE = "Rating report"


def calibration_html(name: str, context: dict[str, Any]) -> str:
    """templates/pdf/calibration_<name>.html with its context (every text autoescaped; the chart is escaped SVG)."""
    return environment().get_template(f"pdf/calibration_{name}.html").render(**context)


def session_report_pdf(context: dict[str, Any]) -> bytes:
    """The PDF of a session's report; its metadata holds a title and the service's name only."""
    from service.pdf.render import render_pdf

    return render_pdf(calibration_html("session", context), SESSION_TITLE)


def rating_report_pdf(context: dict[str, Any]) -> bytes:
    """The PDF of a cycle's rating report; its metadata holds a title and the service's name only."""
    from service.pdf.render import render_pdf

    return render_pdf(calibration_html("ratings", context), RATINGS_TITLE)
