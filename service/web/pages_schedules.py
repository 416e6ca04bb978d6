"""HR's pages of scheduled reviews (issue 28, point 4): the rules with who gets a review in the next 30 days, the
rule form (new and edit), and pause, resume, archive and restore as plain form posts answered by a redirect."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from service.domain.cycles import CycleState, Phase
from service.domain.schedules import DEFAULT_OFFSETS, PREVIEW_DAYS, RuleAction, RuleKind, ScheduleRule
from service.services import cycles as cycle_svc
from service.services import schedules as svc
from service.services import templates as template_svc
from service.services.directory import people_for_signin
from service.views import labels
from service.web.api_schedules import RuleInSchema
from service.web.form_flow import OnRefusal, done, form_page
from service.web.page_helpers import today
from service.web.pages_hr import PHASE_LABELS, Editor, hr, save_edit
from service.web.versioning import expected_version
from service.web.wiring import wiring

bp = Blueprint("pages_schedules", __name__, url_prefix="/hr/schedules")

DONE = {
    RuleAction.PAUSE: "paused: it creates no reviews until resumed",
    RuleAction.RESUME: "resumed: it creates reviews again from today",
    RuleAction.ARCHIVE: "archived",
    RuleAction.RESTORE: "restored, paused: resume it to create reviews again",
}
NUMBERS = ("days", "every_months")


@bp.get("")
def index():
    """The rules in use (or archived) and who gets a review in the next 30 days."""
    principal, w = hr(), wiring()
    archived = request.args.get("archived") == "1"
    uow = w.uow()
    rules = svc.list_rules(uow, principal, archived)
    upcoming = [] if archived else svc.preview(uow, principal, today(), PREVIEW_DAYS)
    return render_template(
        "pages/hr_schedules.html",
        rules=rules,
        archived=archived,
        upcoming=upcoming,
        days=PREVIEW_DAYS,
        templates={t.template_id: t.name for t in template_svc.list_templates(uow)},
        cycles={c.cycle_id: c.name for c in cycle_svc.list_cycles(uow)},
    )


def _values(rule: ScheduleRule | None) -> dict[str, Any]:
    """A rule as its form shows it (a new one: a 90-day probation with the default phases)."""
    if rule is None:
        return {
            "kind": RuleKind.PROBATION.value,
            "days": 90,
            "offsets": {p.value: d for p, d in DEFAULT_OFFSETS.items()},
        }
    return {
        "name": rule.name,
        "kind": rule.kind.value,
        "template_id": rule.template_id,
        "days": rule.days or "",
        "every_months": rule.every_months or "",
        "first_date": rule.first_date.isoformat() if rule.first_date else "",
        "cycle_id": rule.cycle_id,
        "departments": rule.departments,
        "offsets": {p.value: d for p, d in rule.offsets.items()},
    }


def _raw(form: Any) -> dict[str, Any]:
    """The posted form → what RuleInSchema loads (a blank number or date is left out, as the API's null)."""

    def given(name: str) -> str | None:
        value = (form.get(name) or "").strip()
        return value or None

    return {
        "name": form.get("name", ""),
        "kind": form.get("kind", ""),
        "template_id": given("template_id"),
        "days": given("days"),
        "every_months": given("every_months"),
        "first_date": given("first_date"),
        "cycle_id": given("cycle_id"),
        "departments": form.getlist("departments"),
        "offsets": {p.value: given(f"offsets.{p.value}") for p in Phase},
    }


def _form(
    values: dict[str, Any], rule_id: str | None = None, *, version: Any = "", errors=None, message="", status=200
):
    uow = wiring().uow()
    label = labels.Labeller(
        extra={f"offsets.{k}": f"{v}: days after the start" for k, v in PHASE_LABELS.items()}
        | {"cycle_id": "Running cycle", "template_id": "Template", "every_months": "Every (months)"}
    )
    return form_page(
        "pages/hr_schedule_form.html",
        errors,
        status,
        label,
        values=values,
        rule_id=rule_id,
        version=version,
        message=message,
        kinds=labels.labelled_options(RuleKind),
        template_choices=[(t.template_id, t.name) for t in template_svc.list_templates(uow)],
        cycle_choices=[(c.cycle_id, c.name) for c in cycle_svc.list_cycles(uow) if c.state is CycleState.ACTIVE],
        departments=sorted({p.department for p in people_for_signin(uow)}, key=str.casefold),
        phases=PHASE_LABELS,
    )


def _form_as_typed(values: dict[str, Any], rule_id: str | None = None, **shown: Any):
    """The form again as posted (a phase left blank stays blank)."""
    return _form({**values, "offsets": {k: v or "" for k, v in values["offsets"].items()}}, rule_id, **shown)


RULE_EDITOR = Editor(
    _form_as_typed,
    _raw,
    RuleInSchema,
    lambda uow, rule_id: svc.get_rule(uow, hr(), rule_id),
    svc.create_rule,
    svc.update_rule,
    "The rule was not saved: some fields need attention.",
    "Someone else changed this rule meanwhile (now version {now.version}). Your edits are kept below; saving again "
    "replaces theirs.",
    "pages_schedules.index",
)


def _save(rule_id: str | None):
    saved = save_edit(RULE_EDITOR, rule_id)
    flash(f"Rule “{saved.name}” saved.", "success")
    return redirect(url_for("pages_schedules.index"))


@bp.route("/new", methods=["GET", "POST"])
def new():
    """Set up a rule: when it creates a review, from which template, for whom, and the phases."""
    hr()
    if request.method == "POST":
        return _save(None)
    return _form(_values(None))


@bp.route("/<rule_id>/edit", methods=["GET", "POST"])
def edit(rule_id: str):
    """Edit a rule (reviews it created stay as they are)."""
    principal = hr()
    if request.method == "POST":
        return _save(rule_id)
    rule = svc.get_rule(wiring().uow(), principal, rule_id)
    return _form(_values(rule), rule_id, version=rule.version)


@bp.post("/<rule_id>/pause", defaults={"action": "pause"})
@bp.post("/<rule_id>/resume", defaults={"action": "resume"})
@bp.post("/<rule_id>/archive", defaults={"action": "archive"})
@bp.post("/<rule_id>/restore", defaults={"action": "restore"})
def change(rule_id: str, action: str):
    """Pause, resume, archive or restore a rule, back to the list."""
    principal, w, chosen = hr(), wiring(), RuleAction(action)
    back = url_for("pages_schedules.index", archived=1 if chosen is RuleAction.RESTORE else None)
    return done(
        lambda: svc.change_rule(w.uow(), principal, rule_id, chosen, expected_version(), w.clock),
        OnRefusal(back=back, prefix="Not changed"),
        lambda rule: f"Rule “{rule.name}” {DONE[chosen]}.",
        url_for("pages_schedules.index"),
    )
