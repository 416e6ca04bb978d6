"""The home page ("my tasks", computed by services/tasks.py: this view only words and links it) and moving one
of my actions along.

The home page is a cold start's usual first signed-in page: what only leadership's overview or the action form
needs (report cycles, marshmallow through form_flow) is imported by the code that uses it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service.domain.directory import Role
from service.services import directory as svc
from service.services import tasks as task_svc
from service.services.auth import Principal
from service.views.labels import ACTION_STATUS_LABELS, TASK_TITLES
from service.web.auth import claimed_identity
from service.web.page_helpers import back_to, due_info, page_principal, today
from service.web.wiring import wiring

bp = Blueprint("pages", __name__)


@dataclass
class TaskRow:
    """A task as the home page lists it."""

    title: str
    detail: str
    url: str
    due: dict[str, Any] | None = None
    progress: str = ""  # how far a started draft is, e.g. "Continue: 4 of 7 sections done"

    @property
    def sort_key(self) -> tuple[int, str]:
        """Overdue and soonest first; undated last."""
        return (0, self.due["date"].isoformat()) if self.due else (1, self.title)


def _continue(done: tuple[int, int] | None) -> str:
    return f"Continue: {done[0]} of {done[1]} sections done" if done else ""


def peers_to_approve(count: int) -> str:
    """How many nominated peer reviewers wait for a decision, in words ("3 peer reviewers to approve")."""
    return f"{count} peer reviewer{'s' if count != 1 else ''} to approve"


def _task_row(t: task_svc.Task, principal: Principal) -> TaskRow:
    """A task in words, with the page that does it."""
    due = due_info(t.due)
    if t.kind == task_svc.TaskKind.ACTION:
        a = t.action
        kind = "Agreed action" if a.kind == "agreed" else "Remove an obstacle"
        about = "" if t.employee_id == principal.employee_id else f" for {t.employee_name}"
        detail = f"{kind} · {t.cycle_name}" if t.cycle_name else kind
        return TaskRow(f"Action{about}: {a.description}", detail, "#action-" + a.action_id, due)
    if t.kind == task_svc.TaskKind.GIVE_FEEDBACK:
        return TaskRow(
            f"Give {'upward' if t.feedback_kind == 'upward' else 'peer'} feedback on {t.employee_name}",
            f"{t.cycle_name}: only shown as a group, never with your name",
            url_for("pages_feedback.answer", cycle_id=t.cycle_id, subject_id=t.employee_id),
            due,
        )
    if t.kind == task_svc.TaskKind.GIVE_CONTRIBUTION:  # issue 28
        return TaskRow(
            f"Give your contribution to {t.employee_name}'s review",
            f"{t.cycle_name}: read by the manager only",
            url_for("pages_delegation.contributions"),
            due,
        )
    if t.kind == task_svc.TaskKind.SET_UP_CYCLE:
        return TaskRow(
            f"Set up and launch “{t.cycle_name}”", "Draft cycle", url_for("pages_hr.cycle", cycle_id=t.cycle_id)
        )
    if t.kind == task_svc.TaskKind.FINALISE_REVIEWS:
        return TaskRow(
            f"Finalise {t.count} acknowledged review{'s' if t.count > 1 else ''}",
            t.cycle_name,
            url_for("pages_hr.to_finalise", cycle_id=t.cycle_id),
        )
    if t.kind == task_svc.TaskKind.CHECK_LAUNCH:
        return TaskRow(
            "Check the launch",
            f"{t.cycle_name}: {t.count} of {t.expected} reviews created",
            url_for("pages_hr.launch_progress", cycle_id=t.cycle_id),
        )
    if t.kind == task_svc.TaskKind.APPROVE_NOMINATIONS:
        return TaskRow(
            f"Approve peer reviewers for {t.employee_name}",
            f"{peers_to_approve(t.count)} · {t.cycle_name}",
            url_for("pages_feedback.nominations", cycle_id=t.cycle_id, employee_id=t.employee_id),
            due,
        )
    if t.kind == task_svc.TaskKind.APPROVE_DECISION:  # issue 27
        people = f"{t.count} {'person' if t.count == 1 else 'people'}"
        return TaskRow(
            f"Approve or leave waiting: {t.summary}",
            f"A decision against the review record · {people}",
            url_for("pages_decisions.show", decision_id=t.decision_id),
        )
    if t.kind == task_svc.TaskKind.DECIDE_NEEDS:
        return TaskRow(
            f"Confirm or dismiss suggested training needs: {t.employee_name}",
            f"{t.count} suggested by low ratings · {t.cycle_name}",
            url_for("pages_reviews.manager_form", cycle_id=t.cycle_id, employee_id=t.employee_id) + "#s-training",
            due,
        )
    if t.team:
        endpoint = "pages_reviews.manager_form" if t.kind == "manager_assessment" else "pages_reviews.discussion_form"
        return TaskRow(
            f"{TASK_TITLES[t.kind]}: {t.employee_name}",
            f"{t.employee_title} · {t.cycle_name}" if t.employee_title else t.cycle_name,
            url_for(endpoint, cycle_id=t.cycle_id, employee_id=t.employee_id),
            due,
            _continue(t.done),
        )
    endpoint = "pages_reviews.self_form" if t.kind == "self_assessment" else "pages_reviews.review"
    url = url_for(endpoint, cycle_id=t.cycle_id, employee_id=principal.employee_id)
    return TaskRow(TASK_TITLES[t.kind], t.cycle_name, url, due, _continue(t.done))


def _own_row(r: task_svc.OwnReview, principal: Principal) -> dict[str, Any]:
    """One of my reviews: where it stands and, when someone else owes its next step, whom I wait for."""
    mine = r.owner == "employee"
    self_form = mine and r.task == "self_assessment"
    endpoint = "pages_reviews.self_form" if self_form else "pages_reviews.review"
    return {
        "cycle": r.cycle,
        "state": r.state,
        "started": f"Self assessment started: {r.done[0]} of {r.done[1]} sections done" if r.done else "",
        "url": url_for(endpoint, cycle_id=r.cycle.cycle_id, employee_id=principal.employee_id),
        "waiting": {"manager": "your manager", "hr": "HR"}.get(r.owner, r.owner) if r.task and not mine else None,
        "due": due_info(r.due) if r.task and not mine else None,
    }


@bp.get("/")
def home():
    """My tasks: what this person must do next in the active cycles, with deadlines; then who they are."""
    uow = wiring().uow()
    claimed = claimed_identity()  # the reads that need only an id start while the sign-in reads the person
    first = task_svc.start_reads(uow, claimed) if claimed else None
    principal = page_principal()
    me = svc.get_person(uow, principal.employee_id)
    found = task_svc.my_tasks(uow, principal, today(), wiring().clock.now(), first)
    tasks = sorted((_task_row(t, principal) for t in found.tasks), key=lambda t: t.sort_key)
    action_due = {a.action_id: due_info(a.due) for a in found.actions}
    leading = status = None
    if principal.has(Role.LEADERSHIP):  # their reports, for the cycle chosen or the newest with data
        leading, status = _leadership_overview(uow, principal)
    page = render_template(
        "pages/home.html",
        leading=leading,
        me=me,
        chain=found.chain,
        reports=found.reports,
        tasks=tasks,
        own=[_own_row(r, principal) for r in found.own],
        teams=found.teams,
        steer=found.steer,
        actions=found.actions,
        action_due=action_due,
        statuses=ACTION_STATUS_LABELS,
        names=svc.people_names(uow, [a.subject_id for a in found.actions]),
        cycle_names=found.cycle_names,
    )
    return page, status or 200


def _leadership_overview(uow: Any, principal: Principal) -> tuple[Any, int]:
    """The overview of leadership's reports on the home page, and the page's status for the cycle chosen."""
    from service.domain.report_views import ReportView
    from service.services import report_cycles
    from service.web.cycle_choice import report_cycle
    from service.web.cycle_choice import status as cycle_status

    leading = report_cycles.leadership_overview(
        uow, principal, report_cycle(ReportView.HOME), today(), wiring().clock.zone
    )
    return leading, cycle_status(leading.choice)


@bp.post("/actions/<action_id>/status")
def action_status(action_id: str):
    """Move one of my actions along (open → in progress → done, or dropped)."""
    from service.services import actions as action_svc
    from service.web.form_flow import OnRefusal, attempt
    from service.web.versioning import expected_version

    principal = page_principal()
    w = wiring()
    status = request.form.get("status", "")
    back = back_to(url_for("pages.home")) + f"#action-{action_id}"

    def stale(_exc: Exception):
        flash("Someone else changed this action meanwhile; it is shown as it is now.", "error")
        return redirect(back)

    stored = attempt(
        lambda: action_svc.update_action_status(w.uow(), principal, action_id, status, expected_version(), w.clock),
        OnRefusal(back=back, stale=stale, prefix="Not changed"),
    )
    flash(f"Action marked “{ACTION_STATUS_LABELS[stored.status]}”.", "success")
    return redirect(back)
