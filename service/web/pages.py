"""Server-rendered pages for everyone: sign-in (local), "my tasks" home, history, actions, the session."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from itertools import groupby
from typing import TYPE_CHECKING, Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    session,
    url_for,
)

from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Role
from service.domain.errors import NotAuthenticated, ValidationFailed
from service.domain.reviews import OPEN_STATUSES, ReviewState
from service.services import actions as action_svc
from service.services import cycles as cycle_svc
from service.services import directory as svc
from service.services import feedback_answers, policy
from service.services import goals as goal_svc
from service.services import reviews as review_svc
from service.services.auth import Principal
from service.web import forms, labels
from service.web.auth import csrf_token, optional_principal
from service.web.fields import is_id
from service.web.form_flow import OnRefusal, attempt
from service.web.versioning import expected_version
from service.web.wiring import wiring

if TYPE_CHECKING:
    from service.adapters.unit_of_work import UnitOfWork

bp = Blueprint("pages", __name__)
local_bp = Blueprint("local_signin", __name__)

STATE_LABELS = {
    "not_started": "Not started",
    "self_submitted": "Self assessment submitted",
    "manager_submitted": "Manager assessment submitted",
    "discussed": "Discussed",
    "acknowledged": "Acknowledged",
    "finalised": "Finalised",
}
TASK_TITLES = {
    "self_assessment": "Write your self assessment",
    "manager_assessment": "Write the manager assessment",
    "discussion": "Hold and record the review discussion",
    "acknowledgement": "Read and acknowledge your review",
    "finalisation": "Finalise the review",
}
ACTION_STATUS_LABELS = {"open": "Open", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}
# Who a goal page would be for; the navigation shows it only once such a page exists (no dead link).
GOALS_ENDPOINT = "pages_goals.index"


# --- helpers the page modules share --------------------------------------------------------------


def page_principal() -> Principal:
    """The signed-in person; a page asked for without one goes to the sign-in and comes back (?next=)."""
    principal = optional_principal()
    if principal is None:
        if request.method == "GET":
            target = request.full_path.rstrip("?")
            local = wiring().settings.auth_mode == "local"
            abort(redirect(url_for("local_signin.signin" if local else "cognito_signin.login", next=target)))
        raise NotAuthenticated("sign in first")
    return principal


def today() -> date:
    """Today by the app's clock (UTC)."""
    return wiring().clock.now().date()


def due_info(due: date | str | None, on: date | None = None) -> dict[str, Any] | None:
    """A deadline for display: the date, days left, overdue or not, and a phrase."""
    if due is None or due == "":
        return None
    day = date.fromisoformat(due) if isinstance(due, str) else due
    days = (day - (on or today())).days
    if days < 0:
        phrase = f"overdue by {-days} day{'s' if days != -1 else ''}"
    elif days == 0:
        phrase = "due today"
    else:
        phrase = f"due in {days} day{'s' if days != 1 else ''}"
    return {"date": day, "days": days, "overdue": days < 0, "phrase": phrase}


def safe_next(target: str | None, default: str) -> str:
    """A same-site path, or the default: no scheme, no host, no `//`, backslash or control characters."""
    from urllib.parse import urlsplit

    t = target or ""
    if not t.startswith("/") or t.startswith("//") or "\\" in t or any(ord(c) < 0x20 or ord(c) == 0x7F for c in t):
        return default
    parts = urlsplit(t)
    return default if parts.scheme or parts.netloc else t


def back_to(default: str) -> str:
    """A same-site path from the form's `next` field, or the default."""
    return safe_next(request.form.get("next"), default)


bp.add_app_template_filter(labels.day, "day")


@bp.app_template_filter("moment")
def moment_filter(value: str | None) -> str:
    """An ISO timestamp as '7 Mar 2026, 14:05 UTC'."""
    if not value:
        return "—"
    return f"{labels.day(value)}, {value[11:16]} UTC"


@bp.app_template_filter("state_label")
def state_label(value: str) -> str:
    """A review state for people."""
    return STATE_LABELS.get(value, value.replace("_", " ").capitalize())


@bp.app_template_filter("state_choice")
def state_choice(value: str) -> tuple[str, str]:
    """(state, label) for a select."""
    return value, state_label(value)


@bp.app_template_filter("enumerate_from1")
def enumerate_from1(labels: Any) -> list[tuple[int, str]]:
    """Scale labels as (point, "point · label") choices."""
    return [(n, f"{n} · {label}") for n, label in enumerate(labels, start=1)]


@bp.app_template_filter("audit_value")
def audit_value(value: Any) -> str:
    """A value of an audit record, short enough for a table cell."""
    if value is None or value == "":
        return "(empty)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:300] + "…"


@bp.app_template_filter("humanise")
def humanise_filter(message: str) -> str:
    """A field message as a sentence."""
    return forms.humanise(message)


@bp.app_context_processor
def page_globals() -> dict[str, Any]:
    """What every page template may use."""
    return {
        # The expiry warning is for the cookie session of the local sign-in; deployed, Cognito's tokens decide.
        "session_seconds": int(current_app.permanent_session_lifetime.total_seconds())
        if wiring().settings.auth_mode == "local"
        else 0,
        "has_endpoint": lambda name: name in current_app.view_functions,
        "goals_endpoint": GOALS_ENDPOINT,
        "Role": Role,
        "fid": forms.field_id,
        "reports_menu": reports_menu,
    }


def reports_menu() -> list[tuple[str, str]]:
    """The Reports menu of the signed-in person: (label, url) of each report they may see (none: no menu)."""
    principal = optional_principal()
    if principal is None or not policy.may_see_reports(principal):
        return []
    items = [("Goal alignment", url_for("pages_goals.alignment"))]
    if "pages_training.report" in current_app.view_functions:
        items.append(("Training needs", url_for("pages_training.report")))
    if principal.has(Role.HR):
        items.append(("Cycle progress", url_for("pages_hr.cycles")))
    return items


# --- home: my tasks ------------------------------------------------------------------------------


@dataclass
class Task:
    """Something this person must do next."""

    title: str
    detail: str
    url: str
    due: dict[str, Any] | None = None
    progress: str = ""  # how far a started draft is, e.g. "Continue: 4 of 7 sections done"

    @property
    def sort_key(self) -> tuple[int, str]:
        """Overdue and soonest first; undated last."""
        return (0, self.due["date"].isoformat()) if self.due else (1, self.title)


def _own_reviews(uow: UnitOfWork, principal: Principal, cycles: dict[str, Cycle], tasks: list[Task]) -> list[dict]:
    rows = []
    for r in review_svc.history(uow, principal, principal.employee_id)["reviews"]:
        cycle = cycles.get(r["cycle_id"])
        if cycle is None or cycle.state is not CycleState.ACTIVE:
            continue
        task = cycle.task_for(ReviewState(r["state"]))
        url = url_for("pages_reviews.review", cycle_id=cycle.cycle_id, employee_id=principal.employee_id)
        waiting = None
        started = ""
        if task:
            name, owner, due = task
            if owner == "employee":
                progress = ""
                if name == "self_assessment":
                    url = url_for("pages_reviews.self_form", cycle_id=cycle.cycle_id, employee_id=principal.employee_id)
                    done = review_svc.draft_progress(uow, principal, cycle, principal.employee_id, "self", today())
                    progress = f"Continue: {done[0]} of {done[1]} sections done" if done else ""
                    started = f"Self assessment started: {done[0]} of {done[1]} sections done" if done else ""
                tasks.append(Task(TASK_TITLES[name], cycle.name, url, due_info(due), progress))
            else:
                waiting = {"manager": "your manager", "hr": "HR"}.get(owner, owner)
        rows.append(
            {
                "cycle": cycle,
                "state": r["state"],
                "started": started,
                "url": url,
                "waiting": waiting,
                "due": due_info(task[2]) if task and task[1] != "employee" else None,
            }
        )
    return rows


def _team(
    uow: UnitOfWork, principal: Principal, active: list[Cycle], tasks: list[Task], titles: dict[str, str]
) -> list[dict]:
    teams = []
    for cycle in active:
        rows = review_svc.team_reviews(uow, principal, cycle.cycle_id)
        if not rows:
            continue
        for row in rows:
            task = cycle.task_for(ReviewState(row["state"]))
            if task and task[1] == "manager":
                endpoint = (
                    "pages_reviews.manager_form"
                    if task[0] == "manager_assessment"
                    else ("pages_reviews.discussion_form")
                )
                url = url_for(endpoint, cycle_id=cycle.cycle_id, employee_id=row["employee_id"])
                title = f"{TASK_TITLES[task[0]]}: {row['employee_name']}"
                # The review was read by team_reviews just now: its draft costs no further request.
                part = "manager" if task[0] == "manager_assessment" else "discussion"
                done = review_svc.draft_progress(uow, principal, cycle, row["employee_id"], part, today())
                progress = f"Continue: {done[0]} of {done[1]} sections done" if done else ""
                who = titles.get(row["employee_id"])
                detail = f"{who} · {cycle.name}" if who else cycle.name
                tasks.append(Task(title, detail, url, due_info(task[2]), progress))
        waiting = sum(1 for r in rows if (cycle.task_for(ReviewState(r["state"])) or ("", ""))[1] == "manager")
        teams.append({"cycle": cycle, "count": len(rows), "waiting": waiting})
    return teams


def _steer(uow: UnitOfWork, principal: Principal, cycles: list[Cycle], tasks: list[Task]) -> list[dict]:
    steer = []
    for cycle in cycles:
        if cycle.state is CycleState.CLOSED:
            continue
        url = url_for("pages_hr.cycle", cycle_id=cycle.cycle_id)
        if cycle.state is CycleState.DRAFT:
            tasks.append(Task(f"Set up and launch “{cycle.name}”", "Draft cycle", url))
            steer.append({"cycle": cycle, "progress": None})
            continue
        progress = cycle_svc.cycle_progress(uow, principal, cycle.cycle_id, today())
        to_finalise = progress["by_state"].get("acknowledged", 0)
        overdue = sum(progress["overdue"].values())
        if to_finalise:
            tasks.append(
                Task(
                    f"Finalise {to_finalise} acknowledged review{'s' if to_finalise > 1 else ''}",
                    cycle.name,
                    url_for("pages_hr.to_finalise", cycle_id=cycle.cycle_id),
                )
            )
        if not progress["launch"]["done"]:
            tasks.append(
                Task(
                    "Check the launch",
                    f"{cycle.name}: {progress['launch']['created']} of "
                    f"{progress['launch']['expected']} reviews created",
                    url_for("pages_hr.launch_progress", cycle_id=cycle.cycle_id),
                )
            )
        steer.append({"cycle": cycle, "progress": progress, "overdue": overdue, "to_finalise": to_finalise})
    return steer


@bp.get("/")
def home():
    """My tasks: what this person must do next in the active cycles, with deadlines; then who they are."""
    principal = page_principal()
    uow = wiring().uow()
    me = svc.get_person(uow, principal.employee_id)
    chain = svc.management_chain(uow, principal.employee_id)
    reports = svc.direct_reports(uow, principal.employee_id)
    all_cycles = cycle_svc.list_cycles(uow)
    cycles = {c.cycle_id: c for c in all_cycles}
    active = [c for c in all_cycles if c.state is CycleState.ACTIVE]
    tasks: list[Task] = []
    own = _own_reviews(uow, principal, cycles, tasks)
    titles = {p.employee_id: p.title for p in reports if p.title}
    teams = _team(uow, principal, active, tasks, titles) if (reports or principal.has(Role.MANAGER)) else []
    steer = _steer(uow, principal, all_cycles, tasks) if principal.has(Role.HR) else []
    actions = [a for a in action_svc.my_actions(uow, principal) if a["status"] in OPEN_STATUSES]
    for a in actions:
        a["due_info"] = due_info(a.get("due"))
        tasks.append(
            Task(
                f"Action: {a['description']}",
                "Agreed action" if a["kind"] == "agreed" else "Remove an obstacle",
                "#action-" + a["action_id"],
                a["due_info"],
            )
        )
    # issue 9: feedback colleagues asked me for
    for r in feedback_answers.my_requests(uow, principal, wiring().clock.now()):
        if r["open"]:
            tasks.append(
                Task(
                    f"Give {'upward' if r['kind'] == 'upward' else 'peer'} feedback on {r['subject_name']}",
                    f"{r['cycle_name']}: only shown as a group, never with your name",
                    url_for("pages_feedback.answer", cycle_id=r["cycle_id"], subject_id=r["subject_id"]),
                    due_info(r["due"]),
                )
            )
    tasks.sort(key=lambda t: t.sort_key)
    leading = _leadership(uow, principal, active) if principal.has(Role.LEADERSHIP) else None
    return render_template(
        "pages/home.html",
        leading=leading,
        me=me,
        chain=chain,
        reports=reports,
        tasks=tasks,
        own=own,
        teams=teams,
        steer=steer,
        actions=actions,
        statuses=ACTION_STATUS_LABELS,
        names=_names(uow, [a["subject_id"] for a in actions]),
    )


def _leadership(uow: UnitOfWork, principal: Principal, active: list[Cycle]) -> dict[str, Any]:
    """Leadership's home: the reports that exist today (goal alignment, review progress) for the active cycle."""
    cycle = active[0] if active else None
    if cycle is None:
        return {"cycle": None, "alignment": None, "progress": None, "names": {}}
    alignment = goal_svc.alignment_report(uow, principal, cycle.cycle_id)
    progress = cycle_svc.cycle_progress(uow, principal, cycle.cycle_id, today())
    return {"cycle": cycle, "alignment": alignment, "progress": progress}


def _names(uow: UnitOfWork, ids: list[str]) -> dict[str, str]:
    return svc.people_names(uow, ids)


@bp.post("/actions/<action_id>/status")
def action_status(action_id: str):
    """Move one of my actions along (open → in progress → done, or dropped)."""
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
    flash(f"Action marked “{ACTION_STATUS_LABELS[stored['status']]}”.", "success")
    return redirect(back)


# --- history --------------------------------------------------------------------------------------


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
    labels = [c["cycle_name"] for c in trend["cycles"]]
    score_chart = chart(trend["scores"], 100, labels) if any(v is not None for v in trend["scores"]) else None
    competency_charts = [
        {
            **c,
            "chart": chart([p["value"] if p else None for p in c["values"]], max(len(c["scale"]), 1), labels),
        }
        for c in trend["competencies"]
    ]
    data = {"reviews": sorted(trend["reviews"], key=lambda r: r.get("period_start") or "", reverse=True)}
    return render_template(
        "pages/history.html",
        person=person,
        data=data,
        trend=trend,
        score_chart=score_chart,
        competency_charts=competency_charts,
        owners=_names(uow, [a["owner_id"] for a in trend["actions"]]),
        own=person.employee_id == principal.employee_id,
        statuses=ACTION_STATUS_LABELS,
    )


# --- the session: expiry warning, extension, signing in again -----------------------------------


def _session_seconds() -> int:
    return int(current_app.permanent_session_lifetime.total_seconds())


@bp.get("/session")
def session_state():
    """For the page script: am I still signed in, this session's CSRF token, and how long it lasts."""
    principal = optional_principal()
    body = {
        "signed_in": principal is not None,
        "employee_id": principal.employee_id if principal else None,
        "expires_in": _session_seconds() if principal else 0,
    }
    if principal is not None:
        body["csrf_token"] = csrf_token()
    return jsonify(body)


@bp.post("/session/extend")
def session_extend():
    """Stay signed in: the session cookie is issued again with a fresh lifetime."""
    page_principal()
    session.modified = True
    if request.accept_mimetypes.best == "application/json":
        return jsonify({"signed_in": True, "expires_in": _session_seconds()})
    flash("You stay signed in.", "success")
    return redirect(back_to(url_for("pages.home")))


@bp.get("/session/resumed")
def session_resumed():
    """Shown in the tab where someone signed in again: go back to the page you were working on."""
    page_principal()
    return render_template("pages/session_resumed.html")


# --- sign-in (local demo) and sign-out -------------------------------------------------------------


@bp.post("/signout")
def signout():
    """Forget the session."""
    session.clear()
    if wiring().settings.auth_mode == "local":
        return redirect(url_for("local_signin.signin"))
    from service.web import signin  # the Cognito session ends too: the hosted UI's logout comes back here

    return redirect(signin.hosted_ui(wiring()).logout_url(signin.signed_out_url()))


@local_bp.get("/signin")
def signin():
    """The local demo's sign-in: choose a person (registered only in local mode)."""
    people = svc.people_for_signin(wiring().uow())
    departments = [(d, list(ps)) for d, ps in groupby(people, key=lambda p: p.department)]
    return render_template("pages/signin.html", departments=departments, next=request.args.get("next", "/"))


@local_bp.post("/signin")
def signin_post():
    """Sign in as the chosen demo person."""
    employee_id = request.form.get("employee_id", "")
    person = svc.get_person(wiring().uow(), employee_id) if is_id(employee_id) else None
    if person is None or not person.active:
        raise ValidationFailed("Choose an active person to sign in as.", {"employee_id": ["unknown person"]})
    csrf = session.get("csrf")
    session.clear()  # a new identity gets a fresh session (no fixation)
    session.permanent = True
    session["employee_id"] = person.employee_id
    if csrf:
        session["csrf"] = csrf
    target = request.form.get("next", "/")
    return redirect(safe_next(target, "/"))
