"""The training-need report as PDF bytes (issue 10): report_context(...) through templates/pdf/training_report.html
and the renderer, the same figures and SVG charts as the page. Importing this module does not load WeasyPrint."""

from __future__ import annotations

from typing import Any

from service.pdf.documents import environment

TITLE = "Training-need report"


def training_report_html(context: dict[str, Any]) -> str:
    """The report as HTML, ready for the renderer (every text autoescaped; the charts are escaped SVG)."""
    return environment().get_template("pdf/training_report.html").render(**context)


def training_report_pdf(context: dict[str, Any]) -> bytes:
    """The PDF of a report context; its metadata holds a title and the service's name only."""
    from service.pdf.render import render_pdf

    return render_pdf(training_report_html(context), TITLE)
