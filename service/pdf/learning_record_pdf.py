"""The personal learning record as PDF bytes (issue 27, point 4): service.services.learning_plan's LearningRecord
through templates/pdf/learning_record.html and the renderer (tagged PDF/UA, the deny-by-default URL fetcher,
metadata without people). Importing this module does not load WeasyPrint."""

from __future__ import annotations

from typing import Any

from service.pdf.documents import environment

TITLE = "Learning record"


def learning_record_html(context: dict[str, Any]) -> str:
    """The record as HTML, ready for the renderer (every text autoescaped)."""
    return environment().get_template("pdf/learning_record.html").render(**context)


def learning_record_pdf(context: dict[str, Any]) -> bytes:
    """The PDF of a learning record; its metadata holds a title and the service's name only."""
    from service.pdf.render import render_pdf

    return render_pdf(learning_record_html(context), TITLE)
