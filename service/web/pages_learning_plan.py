"""Pages of the learning plan people own (issue 27, point 4): my plan with a form to plan an item, one item (edit,
start, drop, resume, mark done: it moves into the learning log), the learning record's choices (a GET form to the
PDF), and the manager's read of the items shared with them. No JavaScript needed; the same use cases as the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service.domain.errors import ValidationFailed
from service.domain.learning_plan import PlanKind, PlanStep
from service.services import interviews
from service.services import learning as learning_svc
from service.services import learning_plan as svc
from service.services.auth import Principal
from service.views.labels import options
from service.web import forms
from service.web.api_learning_plan import (
    LearningPlanDoneSchema,
    LearningPlanItemInSchema,
    LearningPlanItemPatchSchema,
    dated,
)
from service.web.form_flow import attempt, form_again, form_with_message, saved_from
from service.web.page_helpers import form_sent, page_principal, today
from service.web.pages_learning import LABELS as LOG_LABELS
from service.web.versioning import form_version
from service.web.wiring import wiring

bp = Blueprint("pages_learning_plan", __name__, url_prefix="/learning")
KINDS = options(PlanKind)
LABELS = {  # the log's field names (a done item becomes an activity of the log), and the plan's own
    **LOG_LABELS,
    "kind": "Kind of learning",
    "title": "What you plan",
    "target_date": "Target date",
    "contact_id": "Person from your interview planner",
    "done_on": "Done on",
    "activity_ids": "Learning activities",
    "item_ids": "Plan items",
    "action": "Action",
}
ACTION_WORDS = {  # one button per PlanStep (done is the completion form)
    PlanStep.START: ("Start", "Started: it stays in your plan until you mark it done."),
    PlanStep.DROP: ("Drop", "Dropped: it leaves your reminders; you can resume it later."),
    PlanStep.RESUME: ("Resume", "Back in your plan."),
}


def _loaded(schema: Any, raw: dict[str, Any], message: str) -> dict[str, Any]:
    """A form through the API's schema, dates as ISO text; refused like the use case would (the form again)."""
    return dated(forms.load_or_refuse(schema, raw, message))


def _item_data(form: Any, done: bool) -> dict[str, Any]:
    """The item form's fields as the API's body (a done item's form sends its notes and sharing only)."""
    data: dict[str, Any] = {"notes": form.get("notes", ""), "shared_with_manager": "shared_with_manager" in form}
    if not done:
        data.update({k: form.get(k, "").strip() for k in ("kind", "title", "target_date")})
        data.update({k: form.get(k, "").strip() or None for k in ("need_id", "contact_id")})
        if not data["target_date"]:
            del data["target_date"]  # named by the use case ("required"), not by the date parser
    return data


def _choices(principal: Principal) -> dict[str, Any]:
    """The form's choices: my training needs and my planner's contacts (chosen, never typed as ids)."""
    uow = wiring().uow()
    return {
        "kinds": KINDS,
        "needs": [(n.need_id, n.label) for n in learning_svc.need_choices(uow, principal)],
        "contacts": [(c.contact_id, c.name) for c in interviews.planner(uow, principal).contacts],
    }


# --- my plan --------------------------------------------------------------------------------------------


@bp.get("/plan")
def plan():
    """My learning plan, with a form to plan an item."""
    return _render_plan(page_principal(), {}, 200)


def _render_plan(principal: Principal, errors: dict[str, Any], status: int):
    items = svc.my_plan(wiring().uow(), principal, today())
    blank = {"kind": "course", "target_date": ""}
    return form_with_message(
        "pages/learning_plan.html",
        errors,
        status,
        blank,
        LABELS,
        items=items,
        **_choices(principal),
    )


@bp.post("/plan")
def add():
    """Plan an item; the form comes back with its messages when refused."""
    principal = page_principal()
    w = wiring()

    raw = _item_data(request.form, False)
    return saved_from(
        url_for("pages_learning_plan.plan"),
        partial(_render_plan, principal),
        lambda: svc.add_item(
            w.uow(), principal, _loaded(LearningPlanItemInSchema(), raw, "The item was not planned."), w.clock
        ),
        lambda made: f"“{made.title}” is in your learning plan.",
    )


@bp.route("/plan/<item_id>", methods=["GET", "POST"])
def item(item_id: str):
    """One item of my plan: change it, move it along, or mark it done (it moves into my learning log)."""
    principal = page_principal()
    if not form_sent():
        return _render_item(principal, item_id, {}, 200)
    step = request.form.get("do", "save")
    if step not in STEPS:
        raise ValidationFailed("Unknown step.", {"do": ["not a step of the plan"]})
    here = url_for("pages_learning_plan.item", item_id=item_id)
    version = form_version(request.form.get("version"))
    refused = form_again(here, lambda errors, status: _render_item(principal, item_id, errors, status, step))
    flash(attempt(lambda: STEPS[step](principal, item_id, version), refused), "success")
    return redirect(here)


def _mark_done(principal: Principal, item_id: str, version: int) -> str:
    form, w = request.form, wiring()
    raw = {k: form[k].strip() for k in ("done_on", "hours", "provider", "learnt") if form.get(k, "").strip()}
    data = _loaded(LearningPlanDoneSchema(), raw, "Not marked done.")
    done = svc.complete_item(w.uow(), principal, item_id, data, version, w.clock)
    return f"Done: “{done.title}” is now in your learning log."


def _save(principal: Principal, item_id: str, version: int) -> str:
    w = wiring()
    raw = _item_data(request.form, request.form.get("done") == "1")
    data = _loaded(LearningPlanItemPatchSchema(), raw, "The item was not saved.")
    svc.update_item(w.uow(), principal, item_id, data, version, w.clock)
    return "Plan item saved."


def _mover(action: PlanStep) -> Callable[[Principal, str, int], str]:
    def move(principal: Principal, item_id: str, version: int) -> str:
        w = wiring()
        svc.act(w.uow(), principal, item_id, action.value, version, w.clock)
        return ACTION_WORDS[action][1]

    return move


# What each of the item page's forms (`do`) does; each answers the sentence flashed on success.
STEPS: dict[str, Callable[[Principal, str, int], str]] = {
    "done": _mark_done,
    "save": _save,
    **{a.value: _mover(a) for a in ACTION_WORDS},
}


def _render_item(principal: Principal, item_id: str, errors: dict[str, Any], status: int, step: str = ""):
    found = svc.get_item(wiring().uow(), principal, item_id, today())
    blank = {**asdict(found), "done_on": today().isoformat()}
    return form_with_message(
        "pages/learning_plan_item.html",
        errors,
        status,
        blank,
        LABELS,
        i=found,
        step=step,
        actions=[(a.value, ACTION_WORDS[a][0]) for a in ACTION_WORDS if found.can.get(a.value)],
        **_choices(principal),
    )


# --- the learning record --------------------------------------------------------------------------------


@bp.get("/record")
def record():
    """Choose what my learning record holds, then download it as PDF."""
    return render_record(page_principal(), {}, 200)


def render_record(principal: Principal, errors: dict[str, Any], status: int):
    """The record page: my log entries and plan items to pick, and whether needs and comments are shown."""
    return form_with_message(
        "pages/learning_record.html",
        errors,
        status,
        {},
        LABELS,
        picked={"activity": request.args.getlist("activity"), "item": request.args.getlist("item")},
        flags={"needs": "needs" in request.args, "comments": "comments" in request.args},
        choices=svc.record_choices(wiring().uow(), principal, today()),
    )


# --- the manager ----------------------------------------------------------------------------------------


@bp.get("/people/<employee_id>/plan")
def shared(employee_id: str):
    """The manager: the plan items one of their reports shared (anyone else: not found)."""
    data = svc.shared_plan(wiring().uow(), page_principal(), employee_id)
    return render_template("pages/learning_plan_shared.html", shared=data)
