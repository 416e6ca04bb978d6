"""One appraisal summary as PDF bytes: the reader's summary (services/summaries.py) through the template and
the renderer. Importing this module does not load WeasyPrint; making a PDF does."""

from __future__ import annotations

from typing import Any

from service.pdf.documents import PDF_ROOT, summary_html
from service.services.summaries import Summary

TITLE = "Appraisal summary"
USER_AGENT = PDF_ROOT / "summary-ua.css"  # the elements summary.html uses, and WeasyPrint's defaults for them


def summary_pdf(summary: Summary) -> bytes:
    """The PDF of a summary; its metadata holds a title and the service's name, never a person."""
    return context_pdf(summary.context)


def context_pdf(context: dict[str, Any]) -> bytes:
    """The PDF of a summary's template context (tests render edited ones the same way)."""
    from service.pdf.render import render_pdf

    return render_pdf(summary_html(context), TITLE, user_agent=USER_AGENT, xhtml=True)
