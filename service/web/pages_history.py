"""A person's history page: their reviews across cycles as trends (the score and each competency, drawn as small
server-rendered line charts) and each tracked action once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from service.services import directory as svc
from service.services import reviews as review_svc
from service.views.labels import ACTION_STATUS_LABELS
from service.web.page_helpers import page_principal
from service.web.wiring import wiring

bp = Blueprint("pages_history", __name__)

CHART_W, CHART_H, CHART_PAD = 240, 64, 8


def chart(values: list[float | None], vmax: float, labels: list[str]) -> dict[str, Any]:
    """A small line chart's geometry (server-rendered SVG): one point per cycle, gaps where there is no value."""
    n = len(values)
    step = (CHART_W - 2 * CHART_PAD) / max(n - 1, 1)
    dots = []
    for i, v in enumerate(values):
        if v is None:
            continue
        x = CHART_PAD + (i * step if n > 1 else (CHART_W - 2 * CHART_PAD) / 2)
        y = CHART_H - CHART_PAD - (CHART_H - 2 * CHART_PAD) * (float(v) / vmax if vmax else 0)
        dots.append({"x": round(x, 1), "y": round(y, 1), "label": labels[i], "value": v})
    return {
        "width": CHART_W,
        "height": CHART_H,
        "points": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "base": CHART_H - CHART_PAD,
    }


@bp.get("/history")
@bp.get("/people/<employee_id>/history")
def history(employee_id: str | None = None):
    """A person's reviews across cycles as trends (score and each competency), and each tracked action once."""
    principal = page_principal()
    uow = wiring().uow()
    person = svc.get_person(uow, employee_id or principal.employee_id)
    trend = review_svc.history_trend(uow, principal, person.employee_id)
    labels = [c["cycle_name"] for c in trend.cycles]
    score_chart = chart(trend.scores, 100, labels) if any(v is not None for v in trend.scores) else None
    competency_charts = [
        {
            **c,
            "chart": chart([p["value"] if p else None for p in c["values"]], max(len(c["scale"]), 1), labels),
        }
        for c in trend.competencies
    ]
    data = {"reviews": sorted(trend.reviews, key=lambda r: r.period_start or "", reverse=True)}
    return render_template(
        "pages/history.html",
        person=person,
        data=data,
        trend=trend,
        score_chart=score_chart,
        competency_charts=competency_charts,
        owners=svc.people_names(uow, [a["owner_id"] for a in trend.actions]),
        own=person.employee_id == principal.employee_id,
        statuses=ACTION_STATUS_LABELS,
    )
