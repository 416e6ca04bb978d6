"""A goal's progress over time against the expected line (issue 28, point 2), drawn as SVG on the server.

The points are the goal's history (check-ins and changes); the expected line runs from 0 at the start of the goal's
period to 100 at its end (the pace rule of domain/goals.py). The <svg role="img"> is labelled by its <title> and
<desc>; the timeline beside it lists the same figures (the text alternative).
"""

from __future__ import annotations

from datetime import date, tzinfo
from html import escape
from typing import Any

from markupsafe import Markup

from service.domain.formats import day_of

W, H, PAD = 600, 220, 48


def progress_chart(
    history: list[dict[str, Any]], period: tuple[date, date] | None, zone: tzinfo | None = None
) -> Markup:
    """The chart of a goal's history, or nothing without at least one point; each point on the organisation's day
    (in `zone`) of its instant."""
    points = [(day, float(h["progress"])) for h in history if (day := day_of(h.get("at"), zone))]
    if not points:
        return Markup("")
    days = [d for d, _ in points] + (list(period) if period else [])
    first, last = min(days), max(days)
    span = max((last - first).days, 1)

    def x(d: date) -> float:
        return PAD + (W - 2 * PAD) * (d - first).days / span

    def y(p: float) -> float:
        return H - PAD - (H - 2 * PAD) * max(0.0, min(p, 100.0)) / 100

    line = " ".join(f"{x(d):.1f},{y(p):.1f}" for d, p in points)
    dots = "".join(f'<circle cx="{x(d):.1f}" cy="{y(p):.1f}" r="4" fill="#1f5f99"/>' for d, p in points)
    expected = (
        f'<line x1="{x(period[0]):.1f}" y1="{y(0):.1f}" x2="{x(period[1]):.1f}" y2="{y(100):.1f}" '
        'stroke="#6b6b6b" stroke-width="2" stroke-dasharray="6 4"/>'
        if period
        else ""
    )
    d_last, p_last = points[-1]
    desc = f"{len(points)} points; latest {p_last:.0f}% on {d_last.isoformat()}"
    if period:
        desc += f"; expected from 0% on {period[0].isoformat()} to 100% on {period[1].isoformat()} (dashed line)"
    axis = (
        f'<line x1="{PAD}" y1="{y(0):.1f}" x2="{W - PAD}" y2="{y(0):.1f}" stroke="#444"/>'
        f'<line x1="{PAD}" y1="{y(0):.1f}" x2="{PAD}" y2="{y(100):.1f}" stroke="#444"/>'
        f'<text x="{PAD - 6}" y="{y(100) + 4:.1f}" text-anchor="end" font-size="12">100%</text>'
        f'<text x="{PAD - 6}" y="{y(0) + 4:.1f}" text-anchor="end" font-size="12">0%</text>'
        f'<text x="{PAD}" y="{H - 12}" font-size="12">{first.isoformat()}</text>'
        f'<text x="{W - PAD}" y="{H - 12}" text-anchor="end" font-size="12">{last.isoformat()}</text>'
    )
    # Only numbers, ISO dates and the escaped description go into it.
    return Markup(  # noqa: S704
        f'<svg class="progress-chart" role="img" aria-labelledby="pc-title pc-desc" viewBox="0 0 {W} {H}" '
        f'width="100%" preserveAspectRatio="xMidYMid meet" xmlns="http://www.w3.org/2000/svg">'
        f'<title id="pc-title">Progress against the expected line</title><desc id="pc-desc">{escape(desc)}</desc>'
        f'{axis}{expected}<polyline points="{line}" fill="none" stroke="#1f5f99" stroke-width="3"/>{dots}</svg>'
    )
