"""Every value the domain parses (into an enum, a number, a date, a point of the template's scale) is checked
before it gets there: a request carrying a value the parse would refuse is answered 422 naming the field, and
nothing is stored.

`parse_points()` walks the AST of service/domain/ (and of the use cases in service/services/) for calls of the
domain's StrEnums, of a parameter typed `type[...]` (a parse through a passed-in enum), of int, float, Decimal,
fromisoformat and strptime, and of `Scale.normalise`.
`POINTS` says, for each, either which probes reach it with a bad value (each probe is sent through the JSON
API, and the review ones through the page forms too, as a draft and as a submission) or why no request can
carry an unchecked value to it (it reads what the domain itself wrote). A new parse point without an entry
fails `test_every_parse_point_of_the_domain_has_an_entry`.
"""

from __future__ import annotations

import ast
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import service.domain
from service.adapters.clock import FixedClock
from service.domain.changes import flatten
from service.web import forms
from tests import factories as f
from tests.api import memory_org
from tests.conftest import AuthActions

DOMAIN = Path(service.domain.__file__).parent
# The use cases parse too (the ids of states and kinds a request names): walked with the domain.
WALKED = {"domain": DOMAIN, "services": DOMAIN.parent / "services"}
PARSERS = {"int", "float", "Decimal", "fromisoformat", "strptime", "normalise"}


def _enum_names() -> set[str]:
    """The domain's StrEnums, those derived from one too (`workflow.Labelled`'s choices)."""
    classes = [
        node
        for path in DOMAIN.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ClassDef)
    ]
    names = {"StrEnum"}
    while True:
        more = {c.name for c in classes if any(getattr(b, "id", None) in names for b in c.bases)} - names
        if not more:
            return names - {"StrEnum"}
        names |= more


def parse_points() -> set[str]:
    """'package.module.function: call' for every parse in service/domain/ and service/services/."""
    enums = _enum_names()
    found: set[str] = set()

    def visit(node: ast.AST, scope: str, typed: frozenset[str]) -> None:
        for child in ast.iter_child_nodes(node):
            inner, inner_typed = scope, typed
            if isinstance(child, ast.FunctionDef | ast.ClassDef):
                inner = f"{scope}.{child.name}"
            if isinstance(child, ast.FunctionDef):
                params = child.args.posonlyargs + child.args.args + child.args.kwonlyargs
                enum_params = {a.arg for a in params if a.annotation and ast.unparse(a.annotation).startswith("type[")}
                inner_typed = typed | enum_params
            if isinstance(child, ast.Call):
                fn = child.func
                name = fn.id if isinstance(fn, ast.Name) else fn.attr if isinstance(fn, ast.Attribute) else ""
                if name in enums or name in PARSERS or name in inner_typed:
                    found.add(f"{inner}: {ast.unparse(child)}")
                if name == "edits":  # `edits(data, EDITABLE, field=Enum)` parses each field named with an enum
                    for kw in child.keywords:
                        if isinstance(kw.value, ast.Name) and kw.value.id in enums:
                            found.add(f"{inner}: {kw.value.id}(changes[{kw.arg!r}])")
            visit(child, inner, inner_typed)

    for package, folder in WALKED.items():
        for path in sorted(folder.glob("*.py")):
            visit(ast.parse(path.read_text()), f"{package}.{path.stem}", frozenset())
    return found


# --- probes: a bad value sent where a request can carry it ------------------------------------------------


@dataclass(frozen=True)
class Probe:
    """One request with one bad value, and the field the 422 must name."""

    who: str
    method: str
    url: str  # {cycle} is the launched cycle
    body: Any
    field: str  # the dotted field, as the domain names it (the JSON error nests it under the body's keys)
    version: int | None = None
    csv: bool = False
    # Review forms: the part whose page form carries the same value (posted as a draft and as a submission).
    form: str | None = None
    form_content: dict[str, Any] = field(default_factory=dict)
    # Creates what the request names (when its view reads that before the body): (table, clock, cycle) → {name: id}.
    setup: Callable[[Any, Any, str], dict[str, str]] | None = None


REVIEW = "/api/cycles/{cycle}/reviews/E4"
_O2O = {"rhythm": "weekly", "first_date": "2026-03-04", "time": "10:00", "minutes": 30}  # issue 28


def _team_goal(table: Any, clock: Any, cycle_id: str) -> dict[str, str]:
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import goals

    data = {"level": "team", "title": "Faster releases", "weight": 50, "cycle_id": cycle_id}
    return {"goal": goals.create_goal(UnitOfWork(table), f.principal(table, "E3"), data, clock).goal_id}


_KR_SIDEWAYS = {"id": "k1", "title": "Latency", "start": 450, "target": 200, "direction": "sideways"}


def _self(submit: bool = False, **content: Any) -> dict[str, Any]:
    content = {"competency_ratings": memory_org.ratings([3, 3, 3, 3, 3]), **content}
    return {"content": f.self_content(**content), "submit": submit}


def _manager(submit: bool = False, **content: Any) -> dict[str, Any]:
    content = {"competency_ratings": memory_org.ratings([3, 3, 3, 3, 3]), **content}
    return {"content": f.manager_content(**content), "submit": submit}


def _need(**row: Any) -> list[dict[str, Any]]:
    return [{"topic": "Public speaking", "priority": "high", "format": "course", **row}]


def _obstacle(**row: Any) -> list[dict[str, Any]]:
    base = {"description": "Slow CI", "remediation": "Faster runners", "owner_id": "E3", "due": "2026-05-01"}
    return [{**base, **row}]


def _review_probe(part: str, who: str, field_name: str, **content: Any) -> Probe:
    body = _self(**content) if part == "self" else _manager(**content) if part == "manager" else None
    if part == "discussion":
        body = {"content": f.discussion_content(**content), "submit": False}
    return Probe(who, "PUT", f"{REVIEW}/{part}", body, field_name, version=1, form=part, form_content=body["content"])


PROBES: dict[str, Probe] = {
    "self need priority": _review_probe(
        "self", "E4", "training_needs.0.priority", training_needs=_need(priority="urgent")
    ),
    "self need format": _review_probe("self", "E4", "training_needs.0.format", training_needs=_need(format="webinar")),
    "self need cost": _review_probe(
        "self", "E4", "training_needs.0.estimated_cost", training_needs=_need(estimated_cost="lots")
    ),
    "manager need priority": _review_probe(
        "manager", "E3", "training_needs.0.priority", training_needs=_need(priority="asap")
    ),
    "manager need format": _review_probe(
        "manager", "E3", "training_needs.0.format", training_needs=_need(format="coachng")
    ),
    "manager obstacle due": _review_probe("manager", "E3", "obstacles.0.due", obstacles=_obstacle(due="2026-02-30")),
    "discussion date": _review_probe("discussion", "E3", "date", date="next week"),
    # Points of the template's scale (1 to 5 here): refused by the domain's own check, before anything is stored.
    "self rating off the scale": _review_probe(
        "self", "E4", "competency_ratings.c1.rating", competency_ratings=memory_org.ratings([6, 3, 3, 3, 3])
    ),
    "self goal rating off the scale": _review_probe(
        "self", "E4", "goal_results.0.rating", goal_results=[{"title": "Ship", "result": "Shipped", "rating": 0}]
    ),
    "manager rating off the scale": _review_probe(
        "manager", "E3", "competency_ratings.c2.rating", competency_ratings=memory_org.ratings([3, 9, 3, 3, 3])
    ),
    "manager goal rating off the scale": _review_probe(
        "manager", "E3", "goal_ratings.0.rating", goal_ratings=[{"title": "Ship", "rating": 6, "comment": ""}]
    ),
    # Ids the domain looks up or keys items by (no parse call: the Id field and the domain's lookups check them).
    "manager obstacle owner id": _review_probe(
        "manager", "E3", "obstacles.0.owner_id", obstacles=_obstacle(owner_id="../E3")
    ),
    "manager obstacle unknown owner": _review_probe(
        "manager", "E3", "obstacles.0.owner_id", obstacles=_obstacle(owner_id="E99")
    ),
    # The form offers the learning log's own activities as checkboxes: JSON only.
    "self learning ref": replace(
        _review_probe("self", "E4", "learning_refs.0", learning_refs=["a#1"]), form=None, form_content={}
    ),
    "activity date": Probe(
        "E4", "POST", "/api/learning/activities", {"type": "course", "title": "AWS", "date": "2026-02-30"}, "date"
    ),
    "activity hours": Probe(
        "E4", "POST", "/api/learning/activities", {"type": "course", "title": "AWS", "hours": "lots"}, "hours"
    ),
    "activity type": Probe("E4", "POST", "/api/learning/activities", {"type": "webinar", "title": "AWS"}, "type"),
    "interview completed on": Probe(
        "E4",
        "POST",
        "/api/learning/contacts/c1/complete",
        {"completed_on": "yesterday", "learnt": "x"},
        "completed_on",
        version=1,
    ),
    "feedback rating": Probe(
        "E5", "PUT", "/api/feedback/{cycle}/E4/draft", {"ratings": {"c1": "four"}}, "ratings.c1", version=0
    ),
    "feedback release rule": Probe(
        "E2",
        "PUT",
        "/api/cycles/{cycle}/feedback/settings",
        {"min_peers": 0, "max_peers": 5, "threshold": 3, "upward": True, "release": "whenever"},
        "release",
        version=0,
    ),
    "goal weight": Probe(
        "E4",
        "POST",
        "/api/goals",
        {"level": "individual", "title": "Ship", "weight": "heavy", "cycle_id": "{cycle}"},
        "weight",
    ),
    "goal level": Probe(
        "E4", "POST", "/api/goals", {"level": "galaxy", "title": "Ship", "cycle_id": "{cycle}"}, "level"
    ),
    "goal status": Probe(
        "E4",
        "POST",
        "/api/goals",
        {"level": "individual", "title": "Ship", "status": "meh", "cycle_id": "{cycle}"},
        "status",
    ),
    "goal status change": Probe(
        "E3", "PATCH", "/api/goals/{goal}", {"status": "meh"}, "status", version=1, setup=_team_goal
    ),
    "goal assign weight": Probe(
        "E3", "POST", "/api/goals/{goal}/assign", {"weight": "heavy"}, "weight", setup=_team_goal
    ),
    "goal key result direction": Probe(
        "E4",
        "POST",
        "/api/goals",
        {"level": "individual", "title": "Ship", "cycle_id": "{cycle}", "key_results": [_KR_SIDEWAYS]},
        "key_results.0.direction",
    ),
    "goal key result direction change": Probe(
        "E3",
        "PATCH",
        "/api/goals/{goal}",
        {"key_results": [_KR_SIDEWAYS]},
        "key_results.0.direction",
        version=1,
        setup=_team_goal,
    ),
    "cycle participant mode": Probe(
        "E2", "POST", "/api/cycles", {**f.cycle_data("t1"), "participant_mode": "some"}, "participant_mode"
    ),
    "cycle phase": Probe(
        "E2",
        "POST",
        "/api/cycles",
        {**f.cycle_data("t1"), "phases": {**f.cycle_data("t1")["phases"], "lunch": "2026-03-01"}},
        "phases.lunch",
    ),
    "return to state": Probe(
        "E2", "POST", f"{REVIEW}/return", {"to_state": "limbo", "reason": "x"}, "to_state", version=1
    ),
    "action status": Probe("E3", "PATCH", "/api/actions/a1", {"status": "blocked"}, "status", version=1),
    "note kind": Probe("E4", "POST", "/api/notes", {"to_id": "E5", "kind": "rant", "text": "Hm"}, "kind"),
    "activity type change": Probe("E4", "PATCH", "/api/learning/activities/a1", {"type": "webinar"}, "type", version=1),
    "contact found via": Probe("E4", "POST", "/api/learning/contacts", {"name": "Ann", "found_via": "tv"}, "found_via"),
    "contact format": Probe("E4", "POST", "/api/learning/contacts", {"name": "Ann", "format": "pigeon"}, "format"),
    "contact found via change": Probe(
        "E4", "PATCH", "/api/learning/contacts/c1", {"found_via": "tv"}, "found_via", version=1
    ),
    "contact format change": Probe(
        "E4", "PATCH", "/api/learning/contacts/c1", {"format": "pigeon"}, "format", version=1
    ),
    "interview action": Probe(
        "E4", "POST", "/api/learning/contacts/c1/actions", {"action": "complete"}, "action", version=1
    ),
    # issue 27: the learning plan
    "plan kind": Probe(
        "E4", "POST", "/api/learning/plan", {"kind": "webinar", "title": "x", "target_date": "2026-04-01"}, "kind"
    ),
    "plan target date": Probe(
        "E4", "POST", "/api/learning/plan", {"kind": "course", "title": "x", "target_date": "2026-02-30"}, "target_date"
    ),
    "plan kind change": Probe("E4", "PATCH", "/api/learning/plan/lp1", {"kind": "webinar"}, "kind", version=1),
    "plan action": Probe("E4", "POST", "/api/learning/plan/lp1/actions", {"action": "complete"}, "action", version=1),
    "plan done on": Probe("E4", "POST", "/api/learning/plan/lp1/done", {"done_on": "2026-02-30"}, "done_on", version=1),
    "interview hours": Probe(
        "E4", "POST", "/api/learning/contacts/c1/complete", {"learnt": "x", "hours": "lots"}, "hours", version=1
    ),
    "calibration group": Probe(
        "E2", "POST", "/api/cycles/{cycle}/calibration-sessions", {"name": "x", "group": "team"}, "group"
    ),
    "import role": Probe(
        "E2",
        "POST",
        "/api/org/imports",
        "employee_id,name,email,title,department,manager_id,roles\nE9,Zed,zed@example.com,Eng,Eng,,wizard\n",
        "roles",
        csv=True,
    ),
    "import start date": Probe(
        "E2",
        "POST",
        "/api/org/imports",
        "employee_id,name,email,title,department,manager_id,roles,start_date\nE9,Zed,zed@example.com,Eng,Eng,,,2026-02-30\n",
        "start_date",
        csv=True,
    ),
    # Scheduled reviews (issue 28): a kind of rule the domain does not know.
    "schedule rule kind": Probe("E2", "POST", "/api/schedules", {"name": "x", "kind": "weekly"}, "kind"),
    # Personnel decisions (issue 27): a kind and a pay direction the domain does not know.
    "decision kind": Probe(
        "E2", "POST", "/api/decisions", {"kind": "firing", "summary": "x", "people": ["E4"]}, "kind"
    ),
    "decision pay direction": Probe(
        "E2",
        "POST",
        "/api/decisions",
        {"kind": "pay_change", "pay_direction": "sideways", "summary": "x", "people": ["E4"]},
        "pay_direction",
    ),
    # Issue 27: an improvement-plan item from a source the domain does not know.
    "plan source": Probe(
        "E2",
        "POST",
        "/api/improvement-plan",
        {
            "source": "rumour",
            "cycle_id": "{cycle}",
            "finding_key": "x",
            "title": "x",
            "owner_id": "E4",
            "due": "2026-12-01",
        },
        "source",
    ),
    "process time taken": Probe(
        "E4", "POST", "/api/cycles/c1/process-feedback", {"fair": 4, "useful": 4, "time_taken": "ages"}, "time_taken"
    ),
    # issue 28: one-to-ones (E3 manages E4)
    "one-to-one rhythm": Probe("E3", "PUT", "/api/one-to-ones/E4/rhythm", {**_O2O, "rhythm": "daily"}, "rhythm", 0),
    "one-to-one time": Probe("E4", "PUT", "/api/one-to-ones/E4/rhythm", {**_O2O, "time": "29:00"}, "time", 0),
    "one-to-one point source": Probe("E4", "POST", "/api/one-to-ones/E4/points", {"source": "rumour"}, "source"),
    # issue 28: notifications
    "notification channel": Probe(
        "E4", "PUT", "/api/me/notifications", {"channel": "fax", "timing": "each"}, "channel", version=0
    ),
    "notification timing": Probe(
        "E4", "PUT", "/api/me/notifications", {"channel": "email", "timing": "hourly"}, "timing", version=0
    ),
    "chat mode": Probe("E2", "PUT", "/api/notifications/channels/slack", {"mode": "pigeon", "secret": "x"}, "mode"),
}

STORED = "stored"  # reads back what the domain itself wrote (typed before it was stored), or an enum re-wrapped

# Each parse point: the probes that carry a bad value towards it, or why no request can.
POINTS: dict[str, tuple[str, ...] | tuple[str, str]] = {
    "domain.training.needs_from_content: Priority(row.get('priority') or 'medium')": (
        "self need priority",
        "manager need priority",
    ),
    "domain.training.needs_from_content: NeedFormat(row.get('format') or 'course')": (
        "self need format",
        "manager need format",
    ),
    "domain.training.needs_from_content: float(cost)": ("self need cost",),
    "domain.reviews._non_negative: float(value)": ("self need cost",),
    "domain.reviews._check_date: date.fromisoformat(value)": ("manager obstacle due", "discussion date"),
    "domain.reviews._competency_part: template.scale.normalise(r['rating'])": ("manager rating off the scale",),
    "services.calibration.create_session: GroupKind(data['group'])": ("calibration group",),
    "domain.calibration.band: int(share * 3 + 1e-09)": (STORED, "a third of a scale, from whole ratings checked"),
    "domain.decisions.period_of: datetime.fromisoformat(moment.replace('Z', '+00:00'))": (
        STORED,
        "a decision's communicated_at, written by iso(clock.now())",
    ),
    "domain.decisions.period_start: int(year)": (STORED, "a period period_of made, or a stored counter's"),
    "domain.decisions.period_start: int(quarter)": (STORED, "a period period_of made, or a stored counter's"),
    "services.calibration._distributions: Box(r.box)": (STORED, "the Box value box_of itself chose"),
    "domain.reviews.compute_score: scale.normalise(g['rating'])": ("manager goal rating off the scale",),
    "domain.learning.check_activity: date.fromisoformat(str(when))": ("activity date",),
    "domain.learning.check_activity: float(hours)": ("activity hours",),
    "domain.learning.check_completion: date.fromisoformat(held)": ("interview completed on",),
    "domain.feedback.answer_content: int(v)": ("feedback rating",),
    "domain.goals.contribution: float(goal.weight)": ("goal weight",),
    "domain.directory.parse_roles: Role(word)": ("import role",),
    "services.actions.update_action_status: ItemStatus(status)": ("action status",),
    "services.cycles._cycle_from_data: ParticipantMode(data.get('participant_mode', 'everyone'))": (
        "cycle participant mode",
    ),
    "services.cycles._cycle_from_data: Phase(k)": ("cycle phase",),
    "services.feedback_notes.send_note: NoteKind(data['kind'])": ("note kind",),
    "services.feedback_settings.save_settings: ReleaseRule(data.get('release') or current.release)": (
        "feedback release rule",
    ),
    "services.goals._give_copies.work: int(data.get('weight', 0))": ("goal assign weight",),
    "services.goals._goal_from_data: GoalLevel(data['level'])": ("goal level",),
    "services.goals._goal_from_data: GoalStatus(data.get('status', 'on_track'))": ("goal status",),
    "services.goals._goal_from_data: int(data.get('weight', 0))": ("goal weight",),
    "services.goals.update_goal.work: GoalStatus(changes['status'])": ("goal status change",),
    "domain.goals.KeyResult.__post_init__: Direction(self.direction)": (
        "goal key result direction",
        "goal key result direction change",
    ),
    "services.interviews._new_contact: ContactSource(data.get('found_via') or 'professional_network')": (
        "contact found via",
    ),
    "services.interviews._new_contact: InterviewFormat(data.get('format') or 'video')": ("contact format",),
    "services.interviews.act: InterviewAction(action)": ("interview action",),
    "services.interviews.complete: float(data.get('hours') or 0.5)": ("interview hours",),
    "services.interviews.update_contact: ContactSource(changes['found_via'])": ("contact found via change",),
    "services.interviews.update_contact: InterviewFormat(changes['format'])": ("contact format change",),
    "services.learning.stage_new_activity: ActivityType(data['type'])": ("activity type",),
    "services.learning.stage_new_activity: float(data.get('hours') or 0)": ("activity hours",),
    "services.learning.update_activity: ActivityType(changes['type'])": ("activity type change",),
    "domain.learning_plan.check_done_on: date.fromisoformat(done_on)": ("plan done on",),
    "domain.learning_plan.check_item: date.fromisoformat(str(target))": ("plan target date",),
    "services.learning_plan.act: PlanAction(PlanStep(action))": ("plan action",),
    "services.learning_plan.add_item: PlanKind(data['kind'])": ("plan kind",),
    "services.learning_plan.update_item: PlanKind(changes['kind'])": ("plan kind change",),
    "domain.learning_plan.remind_on: date.fromisoformat(target_date[:10])": (STORED, "target dates add_item checked"),
    "domain.exports.stalled: datetime.fromisoformat(job.last_progress)": (STORED, "times the service stored (iso)"),
    "services.learning_plan.due_plan_items: date.fromisoformat(line['target_date'][:10])": (
        STORED,
        "target dates add_item checked",
    ),
    "services.review_goals.goal_part: scale.normalise(ratings[g])": ("manager goal rating off the scale",),
    "services.reviews.return_review: ReviewState(to_state)": ("return to state",),
    # What the domain wrote itself, read back (point 3 of issue 22: tests/api/test_choices.py writes old values).
    "domain.reviews.compute_score: scale.normalise(r)": (
        STORED,
        "feedback ratings from stored answers (answer_content: int)",
    ),
    "domain.audit.canonical: int(value)": (STORED, "numbers of a stored item, for the audit hash"),
    "services.review_goals.goal_part: float(w)": (STORED, "a goal's weight, kept by the goal's own save"),
    "services.reminders._remind_today: date.fromisoformat(request.due)": (
        STORED,
        "a feedback request's due date, written by the domain when the request was made",
    ),
    "domain.content_hash._canonical: Decimal(str(value))": (STORED, "numbers of a stored review, for its hash"),
    "domain.content_hash._canonical: int(number)": (STORED, "numbers of a stored review, for its hash"),
    "domain.content_hash._canonical: float(number)": (STORED, "numbers of a stored review, for its hash"),
    "domain.feedback.answer_form: Form(kind.value)": (
        STORED,
        "a FeedbackKind member re-wrapped as the template's Form",
    ),
    "domain.feedback.group_result: Form(kind.value)": (
        STORED,
        "a FeedbackKind member re-wrapped as the template's Form",
    ),
    "domain.feedback.group_result: int(a['ratings'][c.id])": (STORED, "stored answers' ratings (answer_content: int)"),
    "domain.feedback.score_ratings: float(p)": (STORED, "a position in a distribution the domain computed"),
    "domain.learning.follow_up_on: date.fromisoformat(contact.sent_on[:10])": (
        STORED,
        "the clock's time, stored on send",
    ),
    "domain.learning.thank_you_by: date.fromisoformat(contact.completed_on[:10])": (
        STORED,
        "a date validated on complete",
    ),
    "domain.formats.amount: float(value)": (STORED, "a stored amount; text that is no number reads as none"),
    "domain.formats.clock: int(text[11:13])": (STORED, "a stored time; text that is no time is shown as written"),
    "domain.formats.clock: int(text[14:16])": (STORED, "a stored time; text that is no time is shown as written"),
    "domain.formats.day: date.fromisoformat(str(value)[:10])": (STORED, "a stored date; other text shown as written"),
    "domain.formats.day_of: date.fromisoformat(value)": (
        STORED,
        "a stored date or instant; a scheduled time typed as text (learning.held_on) is caught: no day",
    ),
    "domain.formats.day_of: datetime.fromisoformat(value)": (
        STORED,
        "a stored date or instant; a scheduled time typed as text (learning.held_on) is caught: no day",
    ),
    "domain.formats.when: datetime.fromisoformat(value)": (STORED, "a stored instant; other text is shown as written"),
    "domain.formats.score: Decimal(1)": (STORED, "a constant: the whole point scores are rounded to"),
    "domain.formats.score: Decimal(str(value))": (STORED, "a score the domain computed"),
    "domain.formats.score: int(Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP))": (
        STORED,
        "a score the domain computed",
    ),
    "domain.learning.suppress: int(c.get('people', 0))": (STORED, "counters the store adds up"),
    "services.report_cycles.has_training_figures: int(uow.training.aggregate(cycle_id, 'ORG').get('people', 0))": (
        STORED,
        "counters the store adds up",
    ),
    "domain.learning._needs_people: int(cell.get('needs', 0))": (STORED, "counters the store adds up"),
    "domain.learning._needs_people: int(cell['needs_people'])": (STORED, "counters the store adds up"),
    "domain.suppression.rest_size: int(sizes.get(inner, 0))": (STORED, "group sizes a report computed"),
    "domain.suppression.rest_size: int(sizes.get(outer, 0))": (STORED, "group sizes a report computed"),
    "domain.suppression.withheld.people: int(size.get(k, 0))": (STORED, "group sizes a report computed"),
    "services.training_reports._figures: int(item.get('counted|people', 0))": (STORED, "counters the store adds up"),
    "domain.reviews._check_answers: Form(form)": (STORED, "the part's own name ('self', 'manager'), never input"),
    "domain.templates.template_from_dict: Form(f)": (STORED, "a stored template (TemplateInSchema validated it)"),
    "domain.templates.template_from_dict: int(v)": (STORED, "a stored template's weights (Whole in TemplateInSchema)"),
    "domain.templates.template_from_dict: int(d.get('version', 0))": (STORED, "the stored version"),
    "domain.training.TrainingNeed.from_record: NeedSource(item['source'])": (STORED, "the need id's own source"),
    "domain.training.TrainingNeed.from_record: float(cost)": (STORED, "a cost needs_from_content made a float"),
    "domain.training.TrainingNeed.from_record: int(item.get('version', 0))": (STORED, "the stored version"),
    "domain.training._stored: choices(value)": (STORED, "only when the value is one of the enum's (else the default)"),
    "domain.training.Contribution.from_dict: int(v)": (STORED, "counters the domain computed"),
    "domain.training._plain: int(f['w'])": (STORED, "counters the domain computed"),
    "domain.training._plain: float(f['cost'])": (STORED, "counters the domain computed"),
    "domain.training._plain: int(f['needs'])": (STORED, "counters the domain computed"),
    "domain.training._plain: int(v)": (STORED, "counters the domain computed"),
    "domain.training.deltas: int(v)": (STORED, "counters the domain computed"),
    "services.exports._kept_until: datetime.fromisoformat(job.finished_at)": (STORED, "the clock's time"),
    "services.goals.goal_progress_for_score: float(g.weight)": (STORED, "a stored goal's weight (a Whole)"),
    "services.goals.may_edit: GoalLevel(goal.level)": (STORED, "a stored goal's level"),
    "domain.goals.number: float(value)": (STORED, "a key result's number (a Number of the schema)"),
    "services.reviews._commit: ReviewState(s)": (STORED, "the states _commit itself recorded"),
    "services.signin_throttle._window: int(clock.now().timestamp())": (STORED, "the clock"),
    "services.signin_throttle.record_failure: int(window)": (STORED, "the window _window computed"),
    "services.training.stage_review_needs: NeedSource(source)": (STORED, "the part's own name, never input"),
    "services.training_delivery.due_ticks: datetime.fromisoformat(c.closed_at)": (STORED, "the clock's time"),
    "services.feedback_answers.AnswerForm.closed_sentence: date.fromisoformat(self.closed_on or '')": (
        STORED,
        "the ISO day open_request itself wrote",
    ),
    "services.training_reports._figures: int(item.get('obstacle_people', 0))": (STORED, "counters"),
    "services.training_reports._figures: int(item.get('people', 0))": (STORED, "counters"),
    "services.training_reports._figures: int(value)": (STORED, "counters"),
    "services.worker.dispatch: int(getattr(result, 'reviews', result))": (
        STORED,
        "a count the worker's own job returned (issue 24: a scheduled chunk's reviews made)",
    ),
    "services.checkins.due_check_ins: date.fromisoformat(str(m['due']))": (
        STORED,
        "a check-in mark's day, written by the goal's save from next_check_in (issue 24)",
    ),
    "services.decisions.record_decision: DecisionKind(data['kind'])": ("decision kind",),
    "services.schedules._rule_from_data: RuleKind(data['kind'])": ("schedule rule kind",),
    "domain.directory._start_date: date.fromisoformat(text)": ("import start date",),
    "services.decisions.record_decision: PayDirection(pay)": ("decision pay direction",),
    "services.process_feedback.give: TimeTaken(data['time_taken'])": ("process time taken",),
    "services.improvement_plan.create_item: PlanSource(data['source'])": ("plan source",),
    "domain.improvement_plan.PlanItem.overdue: date.fromisoformat(self.due)": (STORED, "the ISO day create_item wrote"),
    "domain.diagnosis.upward_groups: int(s.get('answers', 0))": (STORED, "a counter the upward answers add to"),
    "domain.diagnosis.upward_groups: int(s.get('level') or 0)": (STORED, "a level set from the chain's length"),
    "domain.diagnosis.upward_groups: int(s.get(f's#{cid}', 0))": (STORED, "a sum of ratings checked on the scale"),
    "domain.diagnosis.upward_groups: int(s.get(f'n#{cid}', 0))": (STORED, "a counter the upward answers add to"),
    "domain.diagnosis.upward_groups: float(total)": (STORED, "a sum of those stored counters"),
    "services.diagnosis._gaps: int(value)": (STORED, "a rating checked on the scale when the assessment was saved"),
    "services.one_to_ones.set_rhythm: Rhythm(data['rhythm'])": ("one-to-one rhythm",),
    "domain.one_to_ones.parse_time: int(parts[0])": ("one-to-one time",),
    "domain.one_to_ones.parse_time: int(parts[1])": ("one-to-one time",),
    "services.one_to_ones.set_rhythm: int(x)": ("one-to-one time",),  # the HH:MM parse_time checked first
    "services.one_to_ones.add_point: PointSource(data.get('source') or PointSource.OWN)": ("one-to-one point source",),
    "services.one_to_ones._current: date.fromisoformat(held[-1].date)": (STORED, "a stored meeting's own date"),
    "services.one_to_ones.due_meetings: date.fromisoformat(p.last_held)": (STORED, "a held meeting's date"),
    "services.one_to_ones.hr_counts: date.fromisoformat(p.last_held)": (STORED, "a held meeting's date"),
    "services.one_to_ones.my_one_to_ones: date.fromisoformat(pair.last_held)": (STORED, "a held meeting's date"),
    "services.one_to_ones.set_rhythm: date.fromisoformat(pair.last_held)": (STORED, "a held meeting's date"),
    "services.one_to_ones.hold_meeting: date.fromisoformat(day)": (
        STORED,
        "the path's day names a stored meeting (read first: any other day is 404)",
    ),
    "domain.one_to_ones.starts_at: date.fromisoformat(day)": (STORED, "a meeting's own date"),
    "domain.one_to_ones.starts_at: int(x)": (STORED, "the HH:MM that parse_time wrote"),
    "services.notifications.set_my_notifications: Channel(data['channel'])": ("notification channel",),
    "services.notifications.set_my_notifications: Timing(data['timing'])": ("notification timing",),
    "services.notifications.connect_channel: ChatMode(data['mode'])": ("chat mode",),
    "services.notifications._chat_channel: Channel(value)": (
        STORED,
        "a path's channel, checked against CHAT_CHANNELS first (else 404)",
    ),
}


def test_every_parse_point_of_the_domain_has_an_entry():
    found = parse_points()
    assert found - POINTS.keys() == set(), "a new parse point: add it to POINTS with a probe (or why it is safe)"
    assert POINTS.keys() - found == set(), "an entry of POINTS names a parse point that no longer exists"


def test_every_probe_is_used_and_every_entry_names_known_probes():
    used = {p for v in POINTS.values() if v[0] != STORED for p in v}
    assert used <= PROBES.keys()
    # Checks without a parse call of their own: points of the scale the self assessment gives (the manager's
    # reach Scale.normalise and are in POINTS), and ids.
    no_parse_call = {
        "self rating off the scale",
        "self goal rating off the scale",
        "manager obstacle owner id",
        "manager obstacle unknown owner",
        "self learning ref",
    }
    assert PROBES.keys() - used == no_parse_call


# --- the probes, through the JSON API and the page forms ------------------------------------------------


@pytest.fixture(scope="module")
def app():
    return memory_org.module_app(FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC)))


@pytest.fixture
def memory(app):
    """(table, cycle id): a new world behind the module's app."""
    return memory_org.fresh(app)


@pytest.fixture
def clock(app):
    return app.extensions["reviews"].clock


def _signed_in(app, who: str) -> tuple[Any, AuthActions]:
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(who)
    return client, auth


def _fill(value: Any, ids: dict[str, str]) -> Any:
    if isinstance(value, str):
        for name, found in ids.items():
            value = value.replace("{" + name + "}", found)
        return value
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, ids) for v in value]
    return value


@pytest.mark.parametrize("name", sorted(PROBES))
def test_a_bad_value_sent_through_the_api_is_refused_naming_its_field_and_nothing_is_stored(app, memory, clock, name):
    table, cycle_id = memory
    probe = PROBES[name]
    ids = {"cycle": cycle_id, **(probe.setup(table, clock, cycle_id) if probe.setup else {})}
    client, auth = _signed_in(app, probe.who)
    headers = auth.headers()
    if probe.version is not None:
        headers["If-Match"] = f'"{probe.version}"'
    before = table.all_items()
    url = _fill(probe.url, ids)
    if probe.csv:
        resp = client.open(url, method=probe.method, data=probe.body, headers=headers, content_type="text/csv")
    else:
        resp = client.open(url, method=probe.method, json=_fill(probe.body, ids), headers=headers)
    assert resp.status_code == 422, (resp.status_code, resp.get_data(as_text=True)[:500])
    body = resp.get_json()
    assert body["code"] and body["status"] == 422
    if probe.csv:  # an import's errors are rows: [{row, field, message}]
        named = {e["field"]: [e["message"]] for e in body["errors"]}
    else:
        named = forms.flatten_errors(body["errors"])
    assert any(k == probe.field or k.endswith("." + probe.field) or k.startswith(probe.field) for k in named), named
    assert table.all_items() == before


FORM_PROBES = sorted(n for n, p in PROBES.items() if p.form)


@pytest.mark.parametrize("action", ["save", "submit"])
@pytest.mark.parametrize("name", FORM_PROBES)
def test_a_bad_value_posted_by_a_review_form_redisplays_it_with_the_message_and_stores_nothing(
    app, memory, name, action
):
    table, cycle_id = memory
    probe = PROBES[name]
    client, auth = _signed_in(app, probe.who)
    data = {k: "" if v is None else str(v) for k, v in flatten(probe.form_content).items()}
    data |= {"csrf_token": auth.csrf, "version": "1", "action": action}
    before = table.all_items()
    resp = client.post(f"/cycles/{cycle_id}/reviews/E4/{probe.form}", data=data)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422, (resp.status_code, page[:300])
    assert f'href="#{forms.field_id(probe.field)}"' in page  # the error summary links to the field
    assert table.all_items() == before
