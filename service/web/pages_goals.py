"""Goal pages: my goals with an alignment picker, team goals and giving one to the whole team,
organisation goals, and the alignment report. They call the same services as the JSON API."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service.domain.checkins import CONFIDENCE, Rhythm
from service.domain.cycles import CycleState
from service.domain.directory import Role
from service.domain.errors import ValidationFailed
from service.domain.goals import DIRECTION_LABELS, PACE_TOLERANCE, Direction, GoalLevel, GoalStatus
from service.domain.report_views import ReportView
from service.services import cycles as cycle_svc
from service.services import directory as directory_svc
from service.services import goals as svc
from service.services import reviews as review_svc
from service.services.auth import Principal
from service.services.goal_views import ChainLink, GoalView
from service.services.report_cycles import CycleChoice
from service.views import labels
from service.views.progress_chart import progress_chart
from service.web import forms
from service.web.api_goals import GoalInSchema, GoalPatchSchema
from service.web.cycle_choice import report_cycle
from service.web.cycle_choice import status as cycle_status
from service.web.form_flow import OnRefusal, attempt
from service.web.page_helpers import page_principal, today
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_goals", __name__, url_prefix="/goals")
KR_ROWS = 3
STATUS_CHOICES = labels.options(GoalStatus)
DIRECTION_CHOICES = [(d.value, DIRECTION_LABELS[d]) for d in Direction]
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


@bp.app_template_filter("kr_input")
def kr_input(value: Any) -> str:
    """A key result's number as a form field's value: 10 rather than 10.0, no grouping (a number input)."""
    if isinstance(value, bool) or not isinstance(value, int | float | str) or value == "":
        return ""
    try:
        number = float(value)
    except ValueError:
        return str(value)  # what was typed, shown again with its error
    return f"{number:.0f}" if number.is_integer() else f"{number}"


def _cycle_choice(cycle_id: str | None, include_closed: bool = False) -> tuple[list[Any], Any]:
    """Cycles that take goals (draft and active, newest first; closed too for reports) and the one chosen."""
    cycles = [c for c in cycle_svc.list_cycles(wiring().uow()) if include_closed or c.state is not CycleState.CLOSED]
    chosen = next((c for c in cycles if c.cycle_id == cycle_id), None)
    if chosen is None:
        chosen = next((c for c in cycles if c.state is CycleState.ACTIVE), cycles[0] if cycles else None)
    return cycles, chosen


def _label(goal: GoalView, chain: list[ChainLink]) -> str:
    above = " › ".join(g.title for g in reversed(chain))
    return f"{goal.title}" + (f" (under {above})" if above else "")


def align_options(
    principal: Principal, level: GoalLevel, owner_id: str, cycle_id: str, exclude: str | None = None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The goals this one may align to, grouped for a <select>: the picker shows each chain upward."""
    uow = wiring().uow()
    owner = svc.owner(uow, owner_id)
    groups: list[tuple[str, list[tuple[str, str]]]] = []
    if owner is None:
        return groups
    if level is GoalLevel.INDIVIDUAL and owner.manager_id:
        team = [g for g in svc.person_goals(uow, owner.manager_id, cycle_id) if g.level == "team"]
        groups.append(("Your manager's team goals", [(g.goal_id, _label(g, g.alignment_chain)) for g in team]))
    if level is GoalLevel.TEAM:
        higher = [
            g for boss in reversed(owner.chain) for g in svc.person_goals(uow, boss, cycle_id) if g.level == "team"
        ]
        groups.append(("Team goals higher up", [(g.goal_id, _label(g, g.alignment_chain)) for g in higher]))
    org = svc.organisation_goals(uow, cycle_id)
    groups.append(("Organisation goals", [(g.goal_id, g.title) for g in org]))
    return [(name, [o for o in opts if o[0] != exclude]) for name, opts in groups if opts]


def _form_to_data(form: Any, creating: bool) -> dict[str, Any]:
    """Form fields → the JSON API's goal body (validated by the same schema)."""
    data: dict[str, Any] = {}
    for name in ("title", "description", "status", "due", "weight", "parent_id", "checkin_rhythm"):
        if name in form:
            value = form.get(name, "").strip()
            if name in ("parent_id", "checkin_rhythm"):
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
                "direction": form.get(f"kr.{n}.direction") or Direction.INCREASE.value,
            }
        )
    if krs or "kr.0.title" in form:
        data["key_results"] = krs
    if creating:
        data["level"] = form.get("level", "individual")
        data["cycle_id"] = form.get("cycle_id") or None
    return data


def _load(schema: Any, data: dict[str, Any]) -> dict[str, Any]:
    loaded, errors = forms.load(schema, data)
    if errors:  # answered like the use case's own refusal: the form again with its messages
        raise ValidationFailed("Please correct the goal.", errors)
    assert loaded is not None
    for kr in loaded.get("key_results", []):
        if kr.get("current") is None:
            kr["current"] = kr["start"]
    return loaded


KR_LABELS = {
    "title": "what is measured",
    "start": "start",
    "target": "target",
    "current": "now",
    "unit": "unit",
    "direction": "which way is better",
}


def _field_errors(errors: dict[str, Any]) -> dict[str, list[str]]:
    """Errors by form field: a key result's (`key_results.N.x`, N counting the filled rows) on its row's field."""
    flat = forms.flatten_errors(errors)
    rows = [n for n in range(KR_ROWS + 10) if request.form.get(f"kr.{n}.title", "").strip()]
    out: dict[str, list[str]] = {}
    for name, messages in flat.items():
        parts = name.split(".")
        if parts[0] == "key_results" and len(parts) == 3 and parts[1].isdigit() and int(parts[1]) < len(rows):
            name = f"kr.{rows[int(parts[1])]}.{parts[2]}"
        out.setdefault(name, []).extend(messages)
    return out


def _label_of(name: str) -> str:
    parts = name.split(".")
    if parts[0] == "kr" and len(parts) == 3:
        return f"Key result {int(parts[1]) + 1}: {KR_LABELS.get(parts[2], parts[2])}"
    return LABELS.get(parts[0], name)


def _summary(errors: dict[str, Any]) -> list[dict[str, str]]:
    return forms.summary(_field_errors(errors), _label_of)


@bp.get("")
def index():
    """My goals (and my team's, for managers) in a cycle, with forms to add them."""
    principal = page_principal()
    cycles, cycle = _cycle_choice(request.args.get("cycle"))
    return _render_index(principal, cycles, cycle)


def _self_to_submit(principal: Principal, cycle_id: str) -> bool:
    """Whether the person has a review in the cycle whose self assessment is not submitted yet."""
    reviews = review_svc.history(wiring().uow(), principal, principal.employee_id).reviews
    return any(r.cycle_id == cycle_id and r.state == "not_started" for r in reviews)


def _render_index(
    principal: Principal,
    cycles: list[Any],
    cycle: Any,
    errors: dict[str, Any] | None = None,
    values: dict[str, Any] | None = None,
    form_level: str = "individual",
    status: int = 200,
):
    mine, team, options = [], [], {}
    if cycle is not None:
        goals = svc.person_goals(
            wiring().uow(), principal.employee_id, cycle.cycle_id, on=today(), zone=wiring().clock.zone
        )
        mine = [g for g in goals if g.level == "individual"]
        team = [g for g in goals if g.level == "team"]
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
    active = [g for g in mine if g.status != "dropped"]
    total = sum(g.weight for g in active)
    reports = (
        svc.reports_goals(wiring().uow(), principal, cycle.cycle_id, today(), wiring().clock.zone)
        if cycle and principal.has(Role.MANAGER)
        else []
    )
    return render_template(
        "pages/goals.html",
        cycles=cycles,
        cycle=cycle,
        mine=mine,
        team=team,
        options=options,
        weight_total=total if active else None,
        # Issue 25: "before you submit your self assessment" only while that is still to come.
        self_to_submit=cycle is not None and _self_to_submit(principal, cycle.cycle_id),
        errors=_field_errors(errors or {}),
        summary=_summary(errors or {}),
        values=values or {},
        form_level=form_level,
        is_manager=principal.has(Role.MANAGER),
        kr_rows=KR_ROWS,
        statuses=STATUS_CHOICES,
        directions=DIRECTION_CHOICES,
        pace_tolerance=f"{PACE_TOLERANCE:.0f}",
        sees_report=principal.has(Role.LEADERSHIP) or principal.has(Role.HR) or principal.has(Role.MANAGER),
        reports=reports,
    ), status


def _warning_for_me(warning: str, employee_id: str) -> str:
    """A weight warning about the signed-in person's own goals, as a sentence to them."""
    for kind in ("team goal", "goal"):
        mine = f"{kind} weights of {employee_id} "
        if warning.startswith(mine):
            return f"Your {kind} weights " + warning.removeprefix(mine) + "."
    return warning[:1].upper() + warning[1:] + "."


@bp.post("")
def create():
    """Add a goal (individual, or a team goal for managers); errors come back on the same page."""
    principal = page_principal()
    cycles, cycle = _cycle_choice(request.form.get("cycle_id"))
    data = _form_to_data(request.form, creating=True)
    level = data.get("level", "individual")

    def again(errors: dict[str, Any], message: str, status: int):
        return _render_index(principal, cycles, cycle, errors or {"": [message]}, request.form, level, status)

    w = wiring()
    goal = attempt(
        lambda: svc.create_goal(w.uow(), principal, _load(GoalInSchema(), data), w.clock),
        OnRefusal(back=url_for("pages_goals.index"), form=again),
    )
    for warning in goal.warnings:
        flash(_warning_for_me(warning, principal.employee_id), "info")
    flash(f"Goal “{goal.title}” added.", "success")
    return redirect(url_for("pages_goals.index", cycle=goal.cycle_id))


STALE_GOAL = (
    "Someone else changed this goal since you opened it. Your text is kept below; "
    "check the saved values and save again."
)


@bp.route("/<goal_id>", methods=["GET", "POST"])
def edit(goal_id: str):
    """One goal: update progress, status, weight, or its alignment (the picker shows each chain)."""
    principal = page_principal()
    if request.method == "POST":
        data = _form_to_data(request.form, creating=False)

        def again(errors: dict[str, Any], message: str, status: int):
            return _render_goal(principal, goal_id, errors or {"": [message]}, status)

        w = wiring()
        before = svc.get_goal(w.uow(), principal, goal_id, visibility=w.settings.goal_visibility).progress
        saved = attempt(
            lambda: svc.update_goal(
                w.uow(), principal, goal_id, _load(GoalPatchSchema(), data), expected_version(), w.clock
            ),
            OnRefusal(
                back=url_for("pages_goals.edit", goal_id=goal_id),
                form=again,
                stale=lambda _exc: _render_goal(principal, goal_id, {"": [STALE_GOAL]}, 409),
            ),
        )
        flash("Goal saved." + _progress_change(before, saved), "success")
        return redirect(url_for("pages_goals.edit", goal_id=goal_id))
    return _render_goal(principal, goal_id, {}, 200)


def _progress_change(before: float, saved: dict[str, Any]) -> str:
    """A sentence saying how and why progress moved with this save (empty when it did not)."""
    after = saved.progress
    if round(before) == round(after):
        return ""
    why = (
        "it is the average of the key results"
        if saved.key_results
        else ("it follows the goals aligned to it" if saved.status != "done" else "the goal is marked done")
    )
    return f" Progress went from {before:.0f}% to {after:.0f}%: {why}."


def _render_goal(principal: Principal, goal_id: str, errors: dict[str, Any], status: int):
    uow = wiring().uow()
    zone, visibility = wiring().clock.zone, wiring().settings.goal_visibility
    goal = svc.get_goal(uow, principal, goal_id, visibility=visibility, on=today(), zone=zone)
    if goal.level == "organisation" and goal.cycle_id is None:
        _, cycle = _cycle_choice(request.args.get("cycle"))
        if cycle is not None:
            goal = svc.get_goal(uow, principal, goal_id, cycle.cycle_id, visibility, today(), zone)
    can_edit = svc.may_edit(uow, principal, goal)
    options = []
    if goal.level != "organisation" and goal.cycle_id:
        options = align_options(principal, GoalLevel(goal.level), goal.owner_id, goal.cycle_id, goal_id)
    kids = svc.children(uow, goal_id)
    checked_in_by = [h["by"] for h in goal.history if h.get("by")]  # issue 28: check-ins name who made them
    names = directory_svc.people_names(uow, [goal.owner_id, *(k.owner_id for k in kids), *checked_in_by])
    values = request.form if request.method == "POST" else None
    return render_template(
        "pages/goal.html",
        goal=goal,
        options=options,
        children=kids,
        can_edit=can_edit,
        errors=_field_errors(errors),
        summary=_summary({k: v for k, v in errors.items() if k}),
        message=(errors.get("") or [None])[0],
        values=values,
        statuses=STATUS_CHOICES,
        confidences=[(v, w) for v, w in STATUS_CHOICES if v in CONFIDENCE],
        rhythms=labels.options(Rhythm),
        directions=DIRECTION_CHOICES,
        kr_rows=max(KR_ROWS, len(goal.key_results) + 1),
        version=goal.version,
        names=names,
        history_rows=[{**h, "prev": goal.history[i - 1] if i else None} for i, h in enumerate(goal.history)][::-1],
        chart=progress_chart(goal.history, (goal.pace.period_start, goal.pace.period_end) if goal.pace else None, zone),
        explained=svc.progress_explained(uow, goal),
    ), status


@bp.route("/<goal_id>/assign", methods=["GET", "POST"])
def assign(goal_id: str):
    """Give a team goal to the team: choose who gets a copy and its weight, confirm, then each gets their own."""
    principal = page_principal()
    uow = wiring().uow()
    goal = svc.get_goal(uow, principal, goal_id, visibility=wiring().settings.goal_visibility)
    team = directory_svc.direct_reports(uow, principal.employee_id)
    form = request.form if request.method == "POST" else None
    chosen = form.getlist("people") if form is not None else [p.employee_id for p in team]
    weight = (form.get("weight", "") if form is not None else "20").strip()
    step = form.get("step", "choose") if form is not None else "choose"
    errors: dict[str, list[str]] = {}
    if form is not None:
        if not chosen:
            errors["people"] = ["Choose at least one person."]
        if not (weight.isascii() and weight.isdigit()) or len(weight) > 3 or int(weight) > 100:
            errors["weight"] = ["Give the weight of each person's copy, a whole number from 0 to 100."]
    if form is None or errors or step != "confirm":
        confirming = step == "choose" and form is not None and not errors  # "edit": back to the choice
        return render_template(
            "pages/goal_assign.html",
            goal=goal,
            team=team,
            chosen=set(chosen),
            chosen_people=[p for p in team if p.employee_id in chosen],
            weight=weight,
            confirming=confirming,
            errors=errors,
            summary=forms.summary(errors, lambda n: {"people": "Who gets it", "weight": "Weight"}.get(n, n)),
        ), (422 if errors else 200)
    w = wiring()
    back = url_for("pages_goals.index", cycle=goal.cycle_id)
    result = attempt(
        lambda: svc.assign_to_chosen(w.uow(), principal, goal_id, {"weight": int(weight)}, chosen, w.clock),
        OnRefusal(back=url_for("pages_goals.assign", goal_id=goal_id), prefix="Not given to the team"),
    )
    made, skipped = len(result.created), len(result.skipped)
    flash(
        f"“{goal.title}” given to {made} {'person' if made == 1 else 'people'}"
        + (f"; {skipped} already had it." if skipped else "."),
        "success",
    )
    return redirect(back)


@bp.route("/organisation", methods=["GET", "POST"])
def organisation():
    """Organisation goals: everyone sees them; leadership and HR add them."""
    principal = page_principal()
    choice = report_cycle(ReportView.GOALS, request.values.get("cycle"))
    cycle = choice.cycle
    if request.method == "POST":
        data = _form_to_data(request.form, creating=True)
        data["level"] = "organisation"
        if request.form.get("scope") != "cycle":
            data["cycle_id"] = None

        def again(errors: dict[str, Any], message: str, status: int):
            return _render_organisation(principal, choice, errors or {"": [message]}, status)

        w = wiring()
        attempt(
            lambda: svc.create_goal(w.uow(), principal, _load(GoalInSchema(), data), w.clock),
            OnRefusal(back=url_for("pages_goals.organisation"), form=again),
        )
        flash("Organisation goal added.", "success")
        return redirect(url_for("pages_goals.organisation", cycle=cycle.cycle_id if cycle else None))
    return _render_organisation(principal, choice, {}, cycle_status(choice))


def _render_organisation(principal: Principal, choice: CycleChoice, errors: dict[str, Any], status: int):
    cycle = choice.cycle
    goals = svc.organisation_goals(wiring().uow(), cycle.cycle_id if cycle else None)
    return render_template(
        "pages/goals_organisation.html",
        goals=goals,
        choice=choice,
        cycle=cycle,
        may_add=principal.has(Role.LEADERSHIP) or principal.has(Role.HR),
        errors=forms.flatten_errors(errors),
        summary=_summary(errors),
        values=request.form if errors else {},
        kr_rows=KR_ROWS,
        directions=DIRECTION_CHOICES,
    ), status


@bp.get("/alignment")
def alignment():
    """The alignment report: leadership and HR see the organisation, managers their subtree."""
    principal = page_principal()
    choice = report_cycle(ReportView.GOALS)
    cycle = choice.cycle
    uow = wiring().uow()
    report = svc.alignment_report(uow, principal, cycle.cycle_id, today(), wiring().clock.zone) if cycle else None
    ids = [g.owner_id for listed in (report.orphans, report.at_risk) for g in listed.goals] if report else []
    names = directory_svc.people_names(uow, sorted(set(ids)))
    page = render_template("pages/alignment.html", report=report, choice=choice, cycle=cycle, names=names)
    return page, cycle_status(choice)
