"""Pages that put things away and take them back (issue 28): archive and restore templates, draft cycles and goals,
delete a draft cycle after a confirmation. Each is a plain form post answered by a redirect with a message."""

from __future__ import annotations

from flask import Blueprint, render_template, url_for

from service.domain.archiving import ShelfAction
from service.services import cycles as cycle_svc
from service.services import goals as goal_svc
from service.services import templates as template_svc
from service.web.form_flow import OnRefusal, done
from service.web.page_helpers import page_principal
from service.web.pages_hr import hr
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_put_away", __name__)

DONE = {ShelfAction.ARCHIVE: "archived", ShelfAction.RESTORE: "restored"}
NOT_DONE = {ShelfAction.ARCHIVE: "Not archived", ShelfAction.RESTORE: "Not restored"}


@bp.post("/hr/templates/<template_id>/archive", defaults={"action": "archive"})
@bp.post("/hr/templates/<template_id>/restore", defaults={"action": "restore"})
def shelve_template(template_id: str, action: str):
    """Archive or restore a template, back to the list it left."""
    principal, w, shelf = hr(), wiring(), ShelfAction(action)
    back = url_for("pages_hr.templates", archived=1 if shelf is ShelfAction.ARCHIVE else None)
    return done(
        lambda: template_svc.shelve_template(w.uow(), principal, template_id, shelf, expected_version(), w.clock),
        OnRefusal(back=back, prefix=NOT_DONE[shelf]),
        lambda t: f"Template “{t.name}” {DONE[shelf]}.",
        lambda t: url_for("pages_hr.templates", archived=1 if t.archived else None),
    )


@bp.post("/hr/cycles/<cycle_id>/archive", defaults={"action": "archive"})
@bp.post("/hr/cycles/<cycle_id>/restore", defaults={"action": "restore"})
def shelve_cycle(cycle_id: str, action: str):
    """Archive or restore a draft cycle, back to its page."""
    principal, w, shelf = hr(), wiring(), ShelfAction(action)
    back = url_for("pages_hr.cycle", cycle_id=cycle_id)
    return done(
        lambda: cycle_svc.shelve_cycle(w.uow(), principal, cycle_id, shelf, expected_version(), w.clock),
        OnRefusal(back=back, prefix=NOT_DONE[shelf]),
        lambda c: f"Draft “{c.name}” {DONE[shelf]}.",
        back,
    )


@bp.get("/hr/cycles/<cycle_id>/delete")
def delete_cycle_confirm(cycle_id: str):
    """Ask before deleting a draft cycle (a launched one says why it cannot be deleted)."""
    hr()
    return render_template("pages/hr_cycle_delete.html", cycle=cycle_svc.get_cycle(wiring().uow(), cycle_id))


@bp.post("/hr/cycles/<cycle_id>/delete")
def delete_cycle(cycle_id: str):
    """Delete a draft cycle, then show the list of cycles."""
    principal, w = hr(), wiring()
    name = cycle_svc.get_cycle(w.uow(), cycle_id).name
    return done(
        lambda: cycle_svc.delete_cycle(w.uow(), principal, cycle_id, expected_version(), w.clock),
        OnRefusal(back=url_for("pages_hr.cycle", cycle_id=cycle_id), prefix="Not deleted"),
        lambda _: f"Draft “{name}” deleted; its audit trail is kept.",
        url_for("pages_hr.cycles"),
    )


@bp.post("/goals/<goal_id>/archive", defaults={"action": "archive"})
@bp.post("/goals/<goal_id>/restore", defaults={"action": "restore"})
def shelve_goal(goal_id: str, action: str):
    """Archive or restore a finished goal, back to its page."""
    principal, w, shelf = page_principal(), wiring(), ShelfAction(action)
    back = url_for("pages_goals.edit", goal_id=goal_id)
    goal_svc.get_goal(w.uow(), principal, goal_id, visibility=w.settings.goal_visibility)  # unseen: 404
    return done(
        lambda: goal_svc.shelve_goal(w.uow(), principal, goal_id, shelf, expected_version(), w.clock),
        OnRefusal(back=back, prefix=NOT_DONE[shelf]),
        lambda g: f"Goal “{g.title}” {DONE[shelf]}.",
        back,
    )
