"""Training pages: the report for leadership, HR and managers (with SVG charts and a CSV), the topic
catalogue and the report's email schedule for HR, and an individual's needs with a way to log training."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from service.domain.errors import ValidationFailed
from service.domain.filenames import slug
from service.domain.report_views import ReportView
from service.services import training as svc
from service.services import training_reports as reports
from service.services.auth import Principal
from service.services.directory import get_person
from service.views import labels
from service.web.cycle_choice import report_cycle, status
from service.web.form_flow import OnRefusal, attempt
from service.web.page_helpers import page_principal
from service.web.versioning import expected_version
from service.web.wiring import Wiring, wiring

bp = Blueprint("pages_training", __name__)
T = TypeVar("T")


def _n() -> int:
    raw = request.args.get("n", "3")
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= reports.MAX_PROGRAMME else 3


@bp.get("/reports/training")
def report():
    """The training-need report: by topic, department, competency, obstacles, trend and a suggested programme.
    Its cycle: `?cycle=`, else the one chosen on a report before, else the newest with figures (report_cycles)."""
    principal = page_principal()
    choice = report_cycle(ReportView.TRAINING)
    cycle = choice.cycle
    context = None
    if cycle is not None:
        context = reports.report_context(wiring().uow(), principal, cycle.cycle_id, _n())
    page = render_template(
        "pages/training_report.html", choice=choice, cycle=cycle, ctx=context, n=_n(), max_n=reports.MAX_PROGRAMME
    )
    return page, status(choice)


@bp.get("/reports/training.csv")
def report_csv():
    """The report as CSV (suppressed groups say so; no cell runs as a formula in a spreadsheet)."""
    principal = page_principal()
    choice = report_cycle(ReportView.TRAINING)
    cycle = choice.cycle
    if cycle is None or choice.unknown:
        return redirect(url_for("pages_training.report", cycle=choice.unknown))
    data = reports.training_report(wiring().uow(), principal, cycle.cycle_id, _n())
    name = slug(cycle.name)
    return Response(
        reports.report_csv(data, labels.word, labels.currency()),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="training-needs-{name}.csv"'},
    )


@bp.get("/reports/training/topics")
def topics():
    """HR's topic catalogue: topics with synonyms, merging (with the free text of the cycle shown, chosen by the
    reports' one rule, report_cycles), and the report's email schedule."""
    principal = page_principal()
    uow = wiring().uow()
    listed = svc.list_topics(uow, principal)
    choice = report_cycle(ReportView.TRAINING)
    free = []
    if choice.cycle is not None:
        free = reports.free_text_topics(uow, principal, choice.cycle.cycle_id)
    page = render_template(
        "pages/training_topics.html",
        choice=choice,
        topics=[t for t in listed if not t.merged_into],
        merged=[t for t in listed if t.merged_into],
        names={t.topic_id: t.name for t in listed},
        free=free,
        schedule=svc.report_schedule(uow, principal),
        frequencies=svc.FREQUENCIES,
    )
    return page, status(choice)


@bp.post("/reports/training/topics")
def create_topic():
    """Add a topic with its synonyms (one per line or comma-separated)."""
    words = [s for line in request.form.get("synonyms", "").splitlines() for s in line.split(",")]
    data = {"name": request.form.get("name", "")[:120], "synonyms": [s[:120] for s in words][:30]}
    return _on_topics(
        lambda w, principal: svc.create_topic(w.uow(), principal, data, w.clock),
        "Not added",
        lambda topic: f"“{topic.name}” is in the catalogue.",
    )


@bp.post("/reports/training/topics/merge")
def merge_topics():
    """Merge one topic into another."""
    source, target = request.form.get("source_id", "")[:200], request.form.get("target_id", "")[:200]
    return _on_topics(
        lambda w, principal: svc.merge_topics(w.uow(), principal, source, target, w.clock),
        "Not merged",
        lambda topic: f"Merged into “{topic.name}”.",
    )


@bp.post("/reports/training/schedule")
def schedule():
    """Set how often leadership gets the report by email."""
    frequency = request.form.get("frequency", "")[:20]
    return _on_topics(
        lambda w, principal: svc.set_schedule(w.uow(), principal, frequency, expected_version(), w.clock),
        "Not saved",
        lambda _: "The report's schedule is saved.",
    )


def _on_topics(call: Callable[[Wiring, Principal], T], refused: str, done: Callable[[T], str]):
    """Do `call` from the topics page and come back to it, saying what was done (or, prefixed by `refused`, why
    not)."""
    principal = page_principal()
    w = wiring()
    back = url_for("pages_training.topics")
    result = attempt(lambda: call(w, principal), OnRefusal(back=back, prefix=refused))
    flash(done(result), "success")
    return redirect(back)


@bp.get("/people/<employee_id>/training-needs")
def person_needs(employee_id: str):
    """An individual's training needs (the person, their management chain, HR), with training logged."""
    principal = page_principal()
    uow = wiring().uow()
    needs = svc.person_needs(uow, principal, employee_id)
    person = get_person(uow, employee_id)
    listed = uow.cycles.list()  # newest first
    names = {c.cycle_id: c.name for c in listed}
    order = {c.cycle_id: i for i, c in enumerate(listed)}
    needs.sort(key=lambda n: (order.get(n.cycle_id, len(order)), n.need_id))
    return render_template(
        "pages/training_needs.html", person=person, needs=needs, me=principal.employee_id, cycle_names=names
    )


@bp.post("/training-needs/<need_id>/training")
def log_training(need_id: str):
    """Log a training against a need: it becomes addressed."""
    principal = page_principal()
    w = wiring()
    back = request.form.get("back", "")
    back = back if back.startswith("/people/") and "//" not in back else url_for("pages.home")
    raw_date = request.form.get("date", "")
    try:
        on = date.fromisoformat(raw_date) if raw_date else None
    except ValueError:
        on = None
        flash("Not logged: the date is not a date.", "error")
        return redirect(back)

    def call():
        if not request.form.get("title", "").strip():
            raise ValidationFailed("Name the training.", {"title": ["required"]})
        return svc.log_training(w.uow(), principal, need_id, request.form.get("title", "")[:200], on, w.clock)

    attempt(call, OnRefusal(back=back, prefix="Not logged"))
    flash("The training is logged; the need is addressed.", "success")
    return redirect(back)
