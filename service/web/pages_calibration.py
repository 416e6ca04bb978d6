"""Calibration pages (issue 23): a cycle's sessions (HR opens one), the session view, adjusting a person with a
reason, closing and reopening. Plain forms, POST-redirect-GET; the same use cases and schemas as the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for

from service.domain.calibration import BOX_LABELS, Box, GroupKind, SortBy
from service.domain.directory import Role
from service.domain.errors import NotFound
from service.domain.filenames import slug
from service.domain.templates import template_from_dict
from service.services import calibration as svc
from service.services import cycles as cycle_svc
from service.services.policy import require, require_role
from service.web import forms
from service.web.api_calibration import AdjustmentInSchema, PeopleQuerySchema, ReopenSchema, SessionInSchema
from service.web.calibration_pdf import session_chart
from service.web.form_flow import OnRefusal, attempt, form_page, invalid
from service.web.page_helpers import form_sent, page_principal
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_calibration", __name__)

GROUP_WORDS = {
    GroupKind.DEPARTMENT: "A department",
    GroupKind.SUBTREE: "Someone's whole organisation",
    GroupKind.LIST: "A list of people",
}


def _session_url(session_id: str) -> str:
    return url_for("pages_calibration.session", session_id=session_id)


@bp.route("/cycles/<cycle_id>/calibration", methods=["GET", "POST"])
def sessions(cycle_id: str):
    """A cycle's calibration sessions; HR opens a new one here."""
    principal = page_principal()
    w = wiring()
    cycle = cycle_svc.get_cycle(w.uow(), cycle_id)
    values: dict[str, Any] = {"group": GroupKind.DEPARTMENT.value}

    def page(errors: forms.Errors | None = None, message: str = "", status: int = 200):
        found = svc.sessions_of(w.uow(), principal, cycle_id)
        choices = svc.group_choices(w.uow(), principal, cycle_id) if principal.has(Role.HR) else None
        return form_page(
            "pages/calibration_sessions.html",
            errors,
            status,
            cycle=cycle,
            sessions=found,
            choices=choices,
            groups=[(g.value, GROUP_WORDS[g]) for g in GroupKind],
            values=values,
            message=message,
            may_report=principal.has(Role.HR) or principal.has(Role.LEADERSHIP),
        )

    if not form_sent():
        return page()
    require_role(principal, Role.HR)  # who may, before what they sent
    form = request.form
    values = {
        "name": form.get("name", ""),
        "group": form.get("group", ""),
        "department": form.get("department", ""),
        "root_id": form.get("root_id", ""),
        "employee_ids": form.getlist("employee_ids"),
        "facilitators": form.getlist("facilitators"),
    }
    on = OnRefusal(back=url_for("pages_calibration.sessions", cycle_id=cycle_id), form=page, prefix="Not opened")
    data, errors = forms.load(SessionInSchema(), {k: v for k, v in values.items() if v not in ("", [])})
    invalid(errors, "The session is not valid.", on)
    s = attempt(lambda: svc.create_session(w.uow(), principal, cycle_id, data or {}, w.clock), on)
    flash(f"Session “{s.name}” is open with {len(s.people)} people.", "success")
    return redirect(_session_url(s.session_id))


@bp.get("/calibration/<session_id>")
def session(session_id: str):
    """The session: its people with the proposed and calibrated ratings; facilitators adjust, close, reopen."""
    principal = page_principal()
    w = wiring()
    view = svc.session_view(w.uow(), principal, session_id)
    template = template_from_dict(view.template)
    query, errors = forms.load(PeopleQuerySchema(), {k: v for k, v in request.args.items() if v})
    query = query or {}
    sort = SortBy(query.get("sort", SortBy.MANAGER.value))
    rows = svc.filtered(view.rows, **{**query, "sort": sort})
    managers = sorted({(r.manager_id, r.manager_name) for r in view.rows if r.manager_id}, key=lambda m: m[1])
    return render_template(
        "pages/calibration_session.html",
        view=view,
        rows=rows,
        query=query,
        managers=managers,
        departments=sorted({r.department for r in view.rows}),
        boxes=[(b.value, BOX_LABELS[b]) for b in Box],
        box_labels={b.value: BOX_LABELS[b] for b in Box},
        sorts=[(s.value, s.value.capitalize()) for s in SortBy],
        template=template,
        chart=session_chart(view, template.scale.labels),
        errors=errors,
    ), (422 if errors else 200)


@bp.get("/calibration/<session_id>.csv")
def session_csv(session_id: str):
    """The session's report as CSV: changes and their direction per manager, the distribution before and after."""
    view = svc.session_view(wiring().uow(), page_principal(), session_id)
    labels = template_from_dict(view.template).scale.labels
    name = slug(view.session.name) or "session"
    return Response(
        svc.session_csv(view, labels),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="calibration-{name}.csv"'},
    )


@bp.route("/calibration/<session_id>/people/<employee_id>", methods=["GET", "POST"])
def adjust(session_id: str, employee_id: str):
    """Adjust one person's ratings (and potential), with a reason."""
    principal = page_principal()
    w = wiring()
    view = svc.session_view(w.uow(), principal, session_id)
    row = next((r for r in view.rows if r.employee_id == employee_id), None)
    if row is None:
        raise NotFound(f"{employee_id!r} is not in this session")
    template = template_from_dict(view.template)
    values: dict[str, Any] = {**row.calibrated, "reason": ""}

    def page(errors: forms.Errors | None = None, message: str = "", status: int = 200):
        return form_page(
            "pages/calibration_adjust.html",
            errors,
            status,
            view=view,
            row=row,
            template=template,
            values=values,
            message=message,
        )

    if not form_sent():
        return page()
    require(view.may_adjust, "only the session's facilitators adjust, while it is open")
    form = request.form
    ratings = {c.id: form.get(f"competency_ratings.{c.id}", "") for c in template.competencies}
    values = {
        "competency_ratings": ratings,
        "potential": form.get("potential") or None,
        "reason": form.get("reason", ""),
    }
    raw = {**values, "competency_ratings": {k: v for k, v in ratings.items() if v}}
    on = OnRefusal(back=_session_url(session_id), form=page, prefix="Not saved")
    data, errors = forms.load(AdjustmentInSchema(), raw)
    missing = {f"competency_ratings.{k}": ["choose a rating"] for k, v in ratings.items() if not v}
    invalid({**errors, **missing}, "The adjustment is not valid.", on)
    assert data is not None
    calibrated = {"competency_ratings": data["competency_ratings"], "potential": data["potential"]}
    version = expected_version()
    attempt(
        lambda: svc.adjust(w.uow(), principal, session_id, employee_id, calibrated, data["reason"], version, w.clock),
        on,
    )
    flash(f"{row.name}'s calibration is saved.", "success")
    return redirect(_session_url(session_id) + f"#p-{employee_id}")


@bp.post("/calibration/<session_id>/close")
def close(session_id: str):
    """Close the session: ratings locked, reviews rescored and on to the discussion."""
    principal = page_principal()
    w = wiring()
    version = expected_version()
    s = attempt(
        lambda: svc.close_session(w.uow(), principal, session_id, version, w.clock),
        OnRefusal(back=_session_url(session_id), prefix="Not closed"),
    )
    flash(f"“{s.name}” is closed: the ratings are locked and the reviews go on to the discussion.", "success")
    return redirect(_session_url(session_id))


@bp.post("/calibration/<session_id>/reopen")
def reopen(session_id: str):
    """Reopen a closed session, with a reason."""
    principal = page_principal()
    w = wiring()
    data, errors = forms.load(ReopenSchema(), {"reason": request.form.get("reason", "")})
    if errors or data is None:
        flash("Not reopened: say why the session reopens.", "error")
        return redirect(_session_url(session_id))
    version = expected_version()
    s = attempt(
        lambda: svc.reopen_session(w.uow(), principal, session_id, data["reason"], version, w.clock),
        OnRefusal(back=_session_url(session_id), prefix="Not reopened"),
    )
    flash(f"“{s.name}” is open again.", "success")
    return redirect(_session_url(session_id))


@bp.get("/cycles/<cycle_id>/ratings")
def ratings(cycle_id: str):
    """Leadership's and HR's view of a cycle's overall ratings by department and level, small groups withheld."""
    report = svc.rating_report(wiring().uow(), page_principal(), cycle_id)
    return render_template("pages/calibration_ratings.html", report=report)


@bp.get("/cycles/<cycle_id>/ratings.csv")
def ratings_csv(cycle_id: str):
    """The rating report as CSV (withheld figures say so)."""
    report = svc.rating_report(wiring().uow(), page_principal(), cycle_id)
    return Response(
        svc.rating_csv(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="ratings-{slug(report.cycle_name) or "cycle"}.csv"'},
    )
