"""Goal pages: my goals with an alignment picker, team goals and giving one to the whole team,
organisation goals, and the alignment report. They call the same services as the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from marshmallow import ValidationError

from service.domain.cycles import CycleState
from service.domain.directory import Role
from service.domain.errors import PermissionDenied, StaleWrite, ValidationFailed
from service.domain.goals import GoalLevel, GoalStatus
from service.services import cycles as cycle_svc
from service.services import goals as svc
from service.services.auth import Principal
from service.web import forms
from service.web.api_goals import GoalInSchema, GoalPatchSchema
from service.web.pages import page_principal
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_goals", __name__, url_prefix="/goals")
KR_ROWS = 3
STATUS_CHOICES = [(s.value, s.value.replace("_", " ").capitalize()) for s in GoalStatus]
LABELS = {
    "title": "Title",
    "weight": "Weight",
    "parent_id": "Aligned to",
    "key_results": "Key results",
    "due": "Due date",
    "description": "Description",
    "status": "Status",
    "cycle_id": "Cycle",
}


def _cycle_choice(cycle_id: str | None, include_closed: bool = False) -> tuple[list[Any], Any]:
    """Cycles that take goals (draft and active, newest first; closed too for reports) and the one chosen."""
    cycles = [c for c in cycle_svc.list_cycles(wiring().table) if include_closed or c.state is not CycleState.CLOSED]
    chosen = next((c for c in cycles if c.cycle_id == cycle_id), None)
    if chosen is None:
        chosen = next((c for c in cycles if c.state is CycleState.ACTIVE), cycles[0] if cycles else None)
    return cycles, chosen


def _label(goal: dict[str, Any], chain: list[dict[str, Any]]) -> str:
    above = " › ".join(g["title"] for g in reversed(chain))
    return f"{goal['title']}" + (f" (under {above})" if above else "")


def align_options(
    principal: Principal, level: GoalLevel, owner_id: str, cycle_id: str, exclude: str | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The goals this one may align to, grouped for a <select>: the picker shows each chain upward."""
    from service.adapters.repositories import Directory

    table = wiring().table
    owner = Directory(table).get(owner_id)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if owner is None:
        return groups
    if level is GoalLevel.INDIVIDUAL and owner.manager_id:
        team = [g for g in svc.person_goals(table, owner.manager_id, cycle_id) if g["level"] == "team"]
        groups.append(("Your manager's team goals", [(g["goal_id"], _label(g, g["alignment_chain"])) for g in team]))
    if level is GoalLevel.TEAM:
        higher = [
            g for boss in reversed(owner.chain) for g in svc.person_goals(table, boss, cycle_id) if g["level"] == "team"
        ]
        groups.append(("Team goals higher up", [(g["goal_id"], _label(g, g["alignment_chain"])) for g in higher]))
    org = svc.organisation_goals(table, cycle_id)
    groups.append(("Organisation goals", [(g["goal_id"], g["title"]) for g in org]))
    return [(name, [o for o in opts if o[0] != exclude]) for name, opts in groups if opts]


def _form_to_data(form: Any, creating: bool) -> dict[str, Any]:
    """Form fields → the JSON API's goal body (validated by the same schema)."""
    data: dict[str, Any] = {}
    for name in ("title", "description", "status", "due", "weight", "parent_id"):
        if name in form:
            value = form.get(name, "").strip()
            if name == "parent_id":
                data[name] = value or None
            elif name == "due":
                data[name] = value or None
            elif value != "":
                data[name] = value
    krs = []
    for n in range(KR_ROWS + 10):
        title = form.get(f"kr.{n}.title", "").strip()
        if not title:
            continue
        krs.append(
            {
                "id": form.get(f"kr.{n}.id") or f"kr{n + 1}",
                "title": title,
                "start": form.get(f"kr.{n}.start") or 0,
                "target": form.get(f"kr.{n}.target") or "",
                "current": form.get(f"kr.{n}.current") or None,
                "unit": form.get(f"kr.{n}.unit", "").strip(),
            }
        )
    if krs or "kr.0.title" in form:
        data["key_results"] = krs
    if creating:
        data["level"] = form.get("level", "individual")
        data["cycle_id"] = form.get("cycle_id") or None
    return data


def _load(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    try:
        loaded = schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed("Please correct the goal.", exc.messages) from exc
    for kr in loaded.get("key_results", []):
        if kr.get("current") is None:
            kr["current"] = kr["start"]
    return loaded


def _summary(errors: dict[str, Any]) -> list[dict[str, str]]:
    flat = forms.flatten_errors(errors)
    return forms.summary(flat, lambda name: LABELS.get(name.split(".")[0], name))


@bp.get("")
def index():
    """My goals (and my team's, for managers) in a cycle, with forms to add them."""
    principal = page_principal()
    cycles, cycle = _cycle_choice(request.args.get("cycle"))
    return _render_index(principal, cycles, cycle)


def _render_index(
    principal: Principal,
    cycles: list[Any],
    cycle: Any,
    errors: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    form_level: str = "individual",
    status: int = 200,
):
    table = wiring().table
    mine, team, options = [], [], {}
    if cycle is not None:
        goals = svc.person_goals(table, principal.employee_id, cycle.cycle_id)
        mine = [g for g in goals if g["level"] == "individual"]
        team = [g for g in goals if g["level"] == "team"]
        options = {"picker": align_options(principal, GoalLevel.INDIVIDUAL, principal.employee_id, cycle.cycle_id)}
        if principal.has(Role.MANAGER):
            # One picker for both kinds without script: the groups say which goals each kind may align to.
            team_groups = align_options(principal, GoalLevel.TEAM, principal.employee_id, cycle.cycle_id)
            options["picker"] = [
                (name + (" (for your own goals)" if name.startswith("Your manager") else ""), opts)
                for name, opts in options["picker"]
                if name != "Organisation goals"
            ] + [
                (name + (" (for team goals)" if name.startswith("Team goals") else ""), opts)
                for name, opts in team_groups
            ]
    active = [g for g in mine if g["status"] != "dropped"]
    total = sum(g["weight"] for g in active)
    return render_template(
        "pages/goals.html",
        cycles=cycles,
        cycle=cycle,
        mine=mine,
        team=team,
        options=options,
        weight_total=total if active else None,
        errors=forms.flatten_errors(errors or {}),
        summary=_summary(errors or {}),
        values=values or {},
        form_level=form_level,
        is_manager=principal.has(Role.MANAGER),
        kr_rows=KR_ROWS,
        statuses=STATUS_CHOICES,
        sees_report=principal.has(Role.LEADERSHIP) or principal.has(Role.HR) or principal.has(Role.MANAGER),
    ), status


@bp.post("")
def create():
    """Add a goal (individual, or a team goal for managers); errors come back on the same page."""
    principal = page_principal()
    cycles, cycle = _cycle_choice(request.form.get("cycle_id"))
    data = _form_to_data(request.form, creating=True)
    try:
        goal = svc.create_goal(wiring().table, principal, _load(GoalInSchema(), data), wiring().clock)
    except ValidationFailed as exc:
        return _render_index(principal, cycles, cycle, exc.errors, request.form, data.get("level", "individual"), 422)
    for warning in goal["warnings"]:
        flash(warning.replace(f" of {principal.employee_id}", " of your").capitalize() + ".", "info")
    flash(f"Goal “{goal['title']}” added.", "success")
    return redirect(url_for("pages_goals.index", cycle=goal["cycle_id"]))


@bp.route("/<goal_id>", methods=["GET", "POST"])
def edit(goal_id: str):
    """One goal: update progress, status, weight, or its alignment (the picker shows each chain)."""
    principal = page_principal()
    table = wiring().table
    errors: dict[str, Any] = {}
    stale = False
    if request.method == "POST":
        data = _form_to_data(request.form, creating=False)
        try:
            version = form_version(request.form.get("version"))
            svc.update_goal(table, principal, goal_id, _load(GoalPatchSchema(), data), version, wiring().clock)
            flash("Goal saved.", "success")
            return redirect(url_for("pages_goals.edit", goal_id=goal_id))
        except StaleWrite:
            stale = True
            errors = {
                "": [
                    "Someone else changed this goal since you opened it. Your text is kept below; "
                    "check the saved values and save again."
                ]
            }
        except ValidationFailed as exc:
            errors = exc.errors
    goal = svc.get_goal(table, principal, goal_id)
    if goal["level"] == "organisation" and goal["cycle_id"] is None:
        _, cycle = _cycle_choice(request.args.get("cycle"))
        if cycle is not None:
            goal = svc.get_goal(table, principal, goal_id, cycle.cycle_id)
    can_edit = _can_edit(principal, goal)
    options = []
    if goal["level"] != "organisation" and goal["cycle_id"]:
        options = align_options(principal, GoalLevel(goal["level"]), goal["owner_id"], goal["cycle_id"], goal_id)
    kids = svc.children(table, goal_id)
    values = request.form if request.method == "POST" else None
    status = 409 if stale else (422 if errors else 200)
    return render_template(
        "pages/goal.html",
        goal=goal,
        options=options,
        children=kids,
        can_edit=can_edit,
        errors=forms.flatten_errors(errors),
        summary=_summary({k: v for k, v in errors.items() if k}),
        message=(errors.get("") or [None])[0],
        values=values,
        statuses=STATUS_CHOICES,
        kr_rows=max(KR_ROWS, len(goal["key_results"]) + 1),
        version=goal["version"],
    ), status


def _can_edit(principal: Principal, goal: dict[str, Any]) -> bool:
    from service.adapters.repositories import Directory

    owner = Directory(wiring().table).get(goal["owner_id"])
    if owner is None:
        return False
    try:
        svc._may_edit(principal, GoalLevel(goal["level"]), owner)
    except PermissionDenied:
        return False
    return True


@bp.post("/<goal_id>/assign")
def assign(goal_id: str):
    """Give a team goal to every direct report: a personal copy each, aligned to it."""
    principal = page_principal()
    try:
        weight = int(request.form.get("weight", "")[:4])
        if not 0 <= weight <= 100:
            raise ValueError(weight)
    except ValueError:
        flash("Give the weight each person's copy gets (0–100).", "error")
        return redirect(url_for("pages_goals.index", cycle=request.form.get("cycle_id")))
    result = svc.assign_to_team(wiring().table, principal, goal_id, {"weight": weight}, wiring().clock)
    made, skipped = len(result["created"]), len(result["skipped"])
    flash(
        f"Given to {made} {'person' if made == 1 else 'people'}" + (f"; {skipped} already had it." if skipped else "."),
        "success",
    )
    return redirect(url_for("pages_goals.index", cycle=request.form.get("cycle_id")))


@bp.route("/organisation", methods=["GET", "POST"])
def organisation():
    """Organisation goals: everyone sees them; leadership and HR add them."""
    principal = page_principal()
    cycles, cycle = _cycle_choice(request.values.get("cycle"))
    errors: dict[str, Any] = {}
    may_add = principal.has(Role.LEADERSHIP) or principal.has(Role.HR)
    if request.method == "POST":
        data = _form_to_data(request.form, creating=True)
        data["level"] = "organisation"
        if request.form.get("scope") != "cycle":
            data["cycle_id"] = None
        try:
            svc.create_goal(wiring().table, principal, _load(GoalInSchema(), data), wiring().clock)
            flash("Organisation goal added.", "success")
            return redirect(url_for("pages_goals.organisation", cycle=cycle.cycle_id if cycle else None))
        except ValidationFailed as exc:
            errors = exc.errors
    goals = svc.organisation_goals(wiring().table, cycle.cycle_id if cycle else None)
    return render_template(
        "pages/goals_organisation.html",
        goals=goals,
        cycles=cycles,
        cycle=cycle,
        may_add=may_add,
        errors=forms.flatten_errors(errors),
        summary=_summary(errors),
        values=request.form if errors else {},
        kr_rows=KR_ROWS,
    ), 422 if errors else 200


@bp.get("/alignment")
def alignment():
    """The alignment report: leadership and HR see the organisation, managers their subtree."""
    principal = page_principal()
    cycles, cycle = _cycle_choice(request.args.get("cycle"), include_closed=True)
    report = svc.alignment_report(wiring().table, principal, cycle.cycle_id) if cycle else None
    return render_template("pages/alignment.html", report=report, cycles=cycles, cycle=cycle)
