"""The goal page's check-in form (issue 28, point 2): key results' new values, a confidence and a comment, posted
as a plain form and answered by a redirect to the goal with a message."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, url_for

from service.domain.errors import PermissionDenied
from service.services import checkins as checkin_svc
from service.services import goals as goal_svc
from service.web import forms
from service.web.api_goals import CheckInSchema
from service.web.form_flow import OnRefusal, attempt
from service.web.page_helpers import page_principal
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_checkins", __name__)
VALUE = "value."  # a key result's new value: value.<key result id>


@bp.post("/goals/<goal_id>/check-in")
def check_in(goal_id: str):
    """Record a check-in on a goal, then show the goal with it in the timeline."""
    principal, w = page_principal(), wiring()
    back = url_for("pages_goals.edit", goal_id=goal_id)
    goal = goal_svc.get_goal(w.uow(), principal, goal_id, visibility=w.settings.goal_visibility)  # unseen: 404
    if not goal_svc.may_edit(w.uow(), principal, goal):  # before the form is judged: no answer tells more
        raise PermissionDenied("only whoever may edit the goal checks in on it")
    raw = {
        "values": {k[len(VALUE) :]: v.strip() for k, v in request.form.items() if k.startswith(VALUE) and v.strip()},
        "confidence": request.form.get("confidence", ""),
        "comment": request.form.get("comment", ""),
    }
    data, errors = forms.load(CheckInSchema(), raw)
    if errors:
        named = {f: f"the new value of key result {f[len('values.') :]!r}" for f in errors if f.startswith("values.")}
        details = "; ".join(f"{named.get(f, f)}: {' '.join(m).rstrip('.')}" for f, m in errors.items())
        flash(f"Not checked in: {details}.", "error")
        return redirect(back + "#h-checkin")
    saved = attempt(
        lambda: checkin_svc.check_in(w.uow(), principal, goal_id, data, expected_version(), w.clock),
        OnRefusal(back=back + "#h-checkin", prefix="Not checked in"),
    )
    flash(f"Checked in: {saved.progress:.0f}% done, {saved.status.replace('_', ' ')}.", "success")
    return redirect(back)
