"""Charts drawn as SVG on the server (no charting dependency): horizontal bars, one or two series.

Each chart is an <svg role="img"> with a <title> and <desc> it is labelled by, and the page shows the
same figures as a table beside it (the text alternative). The markup is plain SVG 1.1, so WeasyPrint
draws it in a PDF as the browser does on the page.
"""

from __future__ import annotations

import itertools
from html import escape
from typing import Any

from markupsafe import Markup

from service.domain.reviews import OBSTACLE_CATEGORY_LABELS

_ids = itertools.count(1)
ROW = 26
LABEL_W = 200
BAR_W = 300
COLORS = ("#1f5f99", "#9a6700")  # ≥ 4.5:1 on white; the second series also differs in pattern (outlined)


def _num(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def bar_chart(
    title: str,
    desc: str,
    rows: list[tuple[str, float]],
    unit: str = "",
    series: tuple[str, ...] = (),
    second: list[float | None] | None = None,
    withheld: tuple[str, ...] = (),
) -> Markup:
    """A horizontal bar chart of (label, value) rows; `second` adds an outlined bar per row (e.g. last cycle).

    Its <title> (the PDF's alternative text, the page's accessible name) carries every figure it draws and names
    the rows `withheld`, so a reader who cannot see the bars is told what they show."""
    n = next(_ids)
    tid, did = f"chart{n}-title", f"chart{n}-desc"
    values = [v for _, v in rows] + [v for v in (second or []) if v is not None]
    top = max(values, default=0) or 1
    per_row = ROW * (2 if second is not None else 1) + 8
    legend = 22 if series else 0
    height = legend + per_row * max(len(rows), 1) + 8
    width = LABEL_W + BAR_W + 80
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" aria-labelledby="{tid} {did}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" font-family="sans-serif" font-size="13">',
        f'<title id="{tid}">{escape(_alt(title, rows, unit, series, second, withheld))}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
    ]
    if series:
        for i, name in enumerate(series):
            x = LABEL_W + i * 150
            fill = COLORS[0] if i == 0 else "none"
            parts.append(
                f'<rect x="{x}" y="4" width="12" height="12" fill="{fill}" stroke="{COLORS[i]}" stroke-width="2"/>'
                f'<text x="{x + 18}" y="15" fill="#1a1a1a">{escape(name)}</text>'
            )
    if not rows:
        parts.append(f'<text x="0" y="{legend + 18}" fill="#1a1a1a">Nothing to show.</text>')
    for i, (label, value) in enumerate(rows):
        y = legend + i * per_row + 4
        # ~7 px a character at 13 px: 26 fit the label column ("Management and leadership" whole)
        short = label if len(label) <= 26 else label[:25] + "…"
        parts.append(f'<text x="{LABEL_W - 8}" y="{y + 17}" text-anchor="end" fill="#1a1a1a">{escape(short)}</text>')
        w = max(1.0, BAR_W * value / top) if value else 0
        parts.append(f'<rect x="{LABEL_W}" y="{y + 3}" width="{w:.1f}" height="{ROW - 8}" fill="{COLORS[0]}"/>')
        parts.append(f'<text x="{LABEL_W + w + 6:.1f}" y="{y + 17}" fill="#1a1a1a">{_num(value)}{unit}</text>')
        if second is not None:
            other = second[i]
            y2 = y + ROW
            if other is None:
                parts.append(f'<text x="{LABEL_W}" y="{y2 + 15}" fill="#4a4a4a">withheld</text>')
            else:
                w2 = max(1.0, BAR_W * other / top) if other else 0
                parts.append(
                    f'<rect x="{LABEL_W + 1}" y="{y2 + 2}" width="{max(w2 - 2, 0):.1f}" height="{ROW - 10}" '
                    f'fill="none" stroke="{COLORS[1]}" stroke-width="2"/>'
                    f'<text x="{LABEL_W + w2 + 6:.1f}" y="{y2 + 15}" fill="#1a1a1a">{_num(other)}{unit}</text>'
                )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it went through escape() above


def _alt(
    title: str,
    rows: list[tuple[str, float]],
    unit: str,
    series: tuple[str, ...],
    second: list[float | None] | None,
    withheld: tuple[str, ...],
) -> str:
    """'People with training needs by department: Engineering 11, People 5; withheld: Finance'."""
    other = series[1].lower() if len(series) > 1 else "second"
    figures = []
    for i, (label, value) in enumerate(rows):
        text = f"{label} {_num(value)}{unit}"
        if second is not None:
            text += f" ({other} {'withheld' if second[i] is None else _num(second[i]) + unit})"
        figures.append(text)
    alt = f"{title}: {', '.join(figures) if figures else 'nothing to show'}"
    return f"{alt}; withheld: {', '.join(withheld)}" if withheld else alt


def _label(category: str) -> str:
    """An obstacle category as the domain names it (the table beside the chart reads the same)."""
    return OBSTACLE_CATEGORY_LABELS.get(category) or category.replace("_", " ").capitalize()


def training_charts(report: Any) -> dict[str, Markup]:
    """The report's charts (of a `TrainingReport`): topics by score (with last cycle's people), departments,
    obstacles by category."""
    topics = [t for t in report.topics if not t.suppressed][:10]
    charts: dict[str, Markup] = {}
    # The title says only what is drawn: last cycle's bars exist only when there is a previous cycle.
    previous = report.previous_cycle is not None
    charts["topics"] = bar_chart(
        "Training needs by topic: people this cycle" + (" and last" if previous else ""),
        "People naming each topic this cycle"
        + (f" (filled bars) and in {report.previous_cycle.name} (outlined bars)" if previous else "")
        + ", largest priority-weighted score first. The table below gives the same figures.",
        [(t.topic, t.people) for t in topics],
        # None in a previous cycle's figures: withheld there; with no previous cycle, no second series at all.
        series=("This cycle", "Previous cycle") if previous else (),
        second=[t.previous_people for t in topics] if previous else None,
        withheld=tuple(t.topic for t in report.topics if t.suppressed),
    )
    depts = [d for d in report.departments if not d.suppressed]
    charts["departments"] = bar_chart(
        "People with training needs by department",
        "People with at least one training need in each department shown; smaller groups are not shown.",
        [(d.department, d.people) for d in depts],
        withheld=tuple(d.department for d in report.departments if d.suppressed),
    )
    cats = [o for o in report.obstacles.by_category if not o.suppressed]
    charts["obstacles"] = bar_chart(
        "Obstacles by category",
        "Obstacles recorded by managers, by category; categories named by fewer people are not shown.",
        [(_label(o.category), o.obstacles) for o in cats],
        withheld=tuple(_label(o.category) for o in report.obstacles.by_category if o.suppressed),
    )
    return charts
