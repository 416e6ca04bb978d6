"""The HTML of a summary: templates/pdf/ rendered by Jinja with the pages' label filters (no WeasyPrint here)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from service.views import labels

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
PDF_ROOT = TEMPLATES / "pdf"


@lru_cache(maxsize=1)
def environment() -> Any:
    """Jinja over templates/ with autoescaping on: every piece of user text is escaped."""
    from jinja2 import ChainableUndefined, Environment, FileSystemLoader

    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=ChainableUndefined,  # a field an older review lacks prints as nothing, never fails an export
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(labels.FILTERS)
    return env


# The template's line breaks between tags: each would become a whitespace box for WeasyPrint to lay out.
_BETWEEN_TAGS = re.compile(r">[ \t]*\n\s*<")


def compact(html: str) -> str:
    """`html` without the layout whitespace between tags; spaces on one line (inline text) are kept."""
    return _BETWEEN_TAGS.sub("><", html)


def summary_html(context: dict[str, Any]) -> str:
    """The appraisal summary as HTML, ready for the renderer."""
    return compact(environment().get_template("pdf/summary.html").render(**context))
