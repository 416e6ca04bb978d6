"""Reviews: the state machine (transitions as data), assessment content rules, and scoring."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from service.domain.errors import Conflict, FieldErrors
from service.domain.templates import WEIGHT_PARTS, Template
from service.domain.workflow import STAYS, Workflow, steps


class ReviewState(StrEnum):
    """Where a review stands, in order."""

    NOT_STARTED = "not_started"
    SELF_SUBMITTED = "self_submitted"
    # Issue 23: the manager has submitted, and the rating waits for calibration (a template with a calibration
    # phase): placed before MANAGER_SUBMITTED so everything that shows the manager's part "once submitted" keeps it
    # from the employee until the calibration closes.
    IN_CALIBRATION = "in_calibration"
    MANAGER_SUBMITTED = "manager_submitted"
    DISCUSSED = "discussed"
    ACKNOWLEDGED = "acknowledged"
    FINALISED = "finalised"


ORDER = list(ReviewState)


class ReviewAction(StrEnum):
    """What can be done to a review."""

    SAVE_SELF = "save_self"
    SUBMIT_SELF = "submit_self"
    WITHDRAW_SELF = "withdraw_self"
    SAVE_MANAGER = "save_manager"
    SUBMIT_MANAGER = "submit_manager"
    WITHDRAW_MANAGER = "withdraw_manager"
    SUBMIT_FOR_CALIBRATION = "submit_for_calibration"
    CALIBRATE = "calibrate"
    RECALIBRATE = "recalibrate"
    SAVE_DISCUSSION = "save_discussion"
    RECORD_DISCUSSION = "record_discussion"
    ACKNOWLEDGE = "acknowledge"
    FINALISE = "finalise"
    RETURN = "return"


S, A = ReviewState, ReviewAction

# The whole workflow: (state, action) → next state. Anything else is refused.
TRANSITIONS: dict[tuple[ReviewState, ReviewAction], ReviewState] = steps(
    (S.NOT_STARTED, A.SAVE_SELF, STAYS),
    (S.NOT_STARTED, A.SUBMIT_SELF, S.SELF_SUBMITTED),
    (S.SELF_SUBMITTED, A.WITHDRAW_SELF, S.NOT_STARTED),  # only until the manager starts (next_step_started)
    ((S.NOT_STARTED, S.SELF_SUBMITTED), A.SAVE_MANAGER, STAYS),
    (S.SELF_SUBMITTED, A.SUBMIT_MANAGER, S.MANAGER_SUBMITTED),
    (S.MANAGER_SUBMITTED, A.WITHDRAW_MANAGER, S.SELF_SUBMITTED),  # only until the discussion starts
    (S.SELF_SUBMITTED, A.SUBMIT_FOR_CALIBRATION, S.IN_CALIBRATION),
    (S.IN_CALIBRATION, A.CALIBRATE, S.MANAGER_SUBMITTED),
    (S.MANAGER_SUBMITTED, A.RECALIBRATE, S.IN_CALIBRATION),  # a closed calibration session reopened
    (S.MANAGER_SUBMITTED, A.SAVE_DISCUSSION, STAYS),
    (S.MANAGER_SUBMITTED, A.RECORD_DISCUSSION, S.DISCUSSED),
    (S.DISCUSSED, A.ACKNOWLEDGE, S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, A.FINALISE, S.FINALISED),
)
REVIEW_WORKFLOW = Workflow(
    TRANSITIONS,
    lambda state, action: f"cannot {action.replace('_', ' ')} a review that is {state.replace('_', ' ')}",
)
allows = REVIEW_WORKFLOW.allows  # whether the workflow allows `action` on a review in `state` (returns aside)
# HR may return a review to any earlier state (with a reason), but not into calibration: only a calibration
# session holds a review there (reopening a closed session puts its reviews back, RECALIBRATE).
RETURNS: dict[ReviewState, tuple[ReviewState, ...]] = {
    s: tuple(r for r in ORDER[: ORDER.index(s)] if r is not S.IN_CALIBRATION) for s in ORDER
}


def next_state(state: ReviewState, action: ReviewAction, to: ReviewState | None = None) -> ReviewState:
    """The state an action leads to, or Conflict when the workflow does not allow it."""
    if action is A.RETURN:
        if to is None or to not in RETURNS[state]:
            allowed = ", ".join(RETURNS[state]) or "nothing"
            raise Conflict(f"a review in {state} can be returned to: {allowed}")
        return to
    return REVIEW_WORKFLOW.next(state, action)


# The draft and final actions of each form of a review.
PART_ACTIONS: dict[str, tuple[ReviewAction, ReviewAction]] = {
    "self": (A.SAVE_SELF, A.SUBMIT_SELF),
    "manager": (A.SAVE_MANAGER, A.SUBMIT_MANAGER),
    "discussion": (A.SAVE_DISCUSSION, A.RECORD_DISCUSSION),
}


# What an author may take back (their form → the withdrawal), the later part whose start ends that right, and the
# sentence a refusal gives. Peer and upward answers are not here: an answer joins the anonymous group when it is
# submitted and nothing stored links it to its author, so the next step has started at submission.
WITHDRAWALS: dict[str, tuple[ReviewAction, str, str]] = {
    "self": (
        A.WITHDRAW_SELF,
        "manager_assessment",
        "the manager has started the manager assessment, so the self assessment stands; ask HR to return it",
    ),
    "manager": (
        A.WITHDRAW_MANAGER,
        "discussion",
        "the review discussion has started, so the manager assessment stands; ask HR to return it",
    ),
}


CALIBRATED_STANDS = "the rating was calibrated, so the manager assessment stands; ask HR to return it"


def next_step_started(review: Review, part: str, calibrates: bool = False) -> str:
    """Why the author of `part` can no longer withdraw it (empty when they can): the next part has a draft, saved
    or submitted (a later state's own row refuses the withdrawal already). Under a template that calibrates, a
    submitted manager assessment has been through calibration (its session closed): the rating is the session's."""
    _action, later, why = WITHDRAWALS[part]
    if part == "manager" and calibrates:
        return CALIBRATED_STANDS
    return why if getattr(review, later) else ""


def at_least(state: ReviewState, other: ReviewState) -> bool:
    """True when `state` is `other` or later in the workflow."""
    return ORDER.index(state) >= ORDER.index(other)


def manager_assessed(state: ReviewState) -> bool:
    """The manager's assessment is submitted (waiting for calibration, or past it)."""
    return at_least(state, ReviewState.IN_CALIBRATION)


def part_action(part: str, submit: bool, template: Template) -> ReviewAction:
    """The action saving or submitting a form is: a manager's submission under a template with a calibration phase
    goes to calibration, not on to the discussion."""
    save, submission = PART_ACTIONS[part]
    if not submit:
        return save
    if submission is A.SUBMIT_MANAGER and template.calibration:
        return A.SUBMIT_FOR_CALIBRATION
    return submission


def provisional(state: ReviewState) -> bool:
    """A score is provisional while its rating waits for calibration."""
    return state is ReviewState.IN_CALIBRATION


class Priority(StrEnum):
    """Priority of a training need."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class NeedFormat(StrEnum):
    """A suggested way to meet a training need (the forms offer these, in this order)."""

    COURSE = "course"
    MENTORING = "mentoring"
    ON_THE_JOB = "on_the_job"
    CONFERENCE = "conference"
    INFORMATIONAL_INTERVIEW = "informational_interview"
    DEGREE_PROGRAMME = "degree_programme"
    PROFESSIONAL_ASSOCIATION = "professional_association"
    NETWORKING = "networking"
    COACHING = "coaching"
    SELF_STUDY = "self_study"
    OTHER = "other"


class ObstacleCategory(StrEnum):
    """Where an obstacle sits (the manager picks one when recording it)."""

    RESOURCES = "resources"
    TOOLS = "tools"
    PROCESS = "process"
    MANAGEMENT = "management_and_leadership"
    TRAINING = "training"
    WORKLOAD = "workload"
    OTHER = "other"


# What each obstacle category is called wherever it is shown: forms, tables, charts, PDFs.
OBSTACLE_CATEGORY_LABELS = {
    ObstacleCategory.RESOURCES: "Resources",
    ObstacleCategory.TOOLS: "Tools",
    ObstacleCategory.PROCESS: "Process",
    ObstacleCategory.MANAGEMENT: "Management and leadership",
    ObstacleCategory.TRAINING: "Training",
    ObstacleCategory.WORKLOAD: "Workload",
    ObstacleCategory.OTHER: "Other",
}


class ItemStatus(StrEnum):
    """Status of a tracked action (remediation or agreed)."""

    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Agreement(StrEnum):
    """What the employee says on acknowledging the review (acknowledgement is not agreement)."""

    AGREE = "agree"
    DISAGREE = "disagree"


OPEN_STATUSES = (ItemStatus.OPEN, ItemStatus.IN_PROGRESS)
PRIORITY_WEIGHT = {Priority.LOW: 1, Priority.MEDIUM: 2, Priority.HIGH: 3}


def normalise_topic(topic: str) -> str:
    """A training topic in canonical form (case, spacing and punctuation folded)."""
    return re.sub(r"[^\w+#]+", " ", topic.casefold()).strip()


def _check_rating(rating: Any, template: Template, name: str, e: FieldErrors) -> None:
    # A whole number on the template's scale (a draft stored by an earlier version may hold anything).
    if rating is not None and (type(rating) is not int or not 1 <= rating <= template.scale.points):
        e.add(name, f"choose 1 to {template.scale.points}")


def _check_choice(value: Any, choices: type[StrEnum], name: str, e: FieldErrors) -> None:
    # One of the domain's codes, or nothing (the default applies): what the domain later parses into the enum.
    if value not in (None, "") and value not in {c.value for c in choices}:
        e.add(name, f"choose one of: {', '.join(c.value for c in choices)}")


def _check_date(value: Any, name: str, e: FieldErrors) -> date | None:
    # An ISO date (YYYY-MM-DD), or nothing.
    if value in (None, ""):
        return None
    try:
        if isinstance(value, str) and len(value) == 10:
            return date.fromisoformat(value)
    except ValueError:
        pass
    e.add(name, "not a date (YYYY-MM-DD)")
    return None


def _check_ratings(ratings: dict[str, Any], template: Template, field: str, e: FieldErrors, complete: bool) -> None:
    ids = set(template.competency_ids())
    for cid, entry in ratings.items():
        if cid not in ids:
            e.add(f"{field}.{cid}", "not a competency of this cycle's template")
            continue
        _check_rating((entry or {}).get("rating"), template, f"{field}.{cid}.rating", e)
    if complete:
        for cid in template.competency_ids():
            if (ratings.get(cid) or {}).get("rating") is None:
                e.add(f"{field}.{cid}.rating", "required")


def _check_answers(answers: dict[str, str], template: Template, form: str, e: FieldErrors, complete: bool) -> None:
    from service.domain.templates import Form

    questions = {q.id: q for q in template.questions.get(Form(form), ())}
    for qid in answers:
        if qid not in questions:
            e.add(f"answers.{qid}", "not a question of this form")
    if complete:
        for q in questions.values():
            if q.required and not (answers.get(q.id) or "").strip():
                e.add(f"answers.{q.id}", "required")


def _check_tracked(items: list[dict[str, Any]], field: str, e: FieldErrors, complete: bool, people: set[str]) -> None:
    for n, item in enumerate(items):
        for name in ("owner_id", "due"):
            if complete and not item.get(name):
                e.add(f"{field}.{n}.{name}", "required")
        owner = item.get("owner_id")
        if owner and owner not in people:
            e.add(f"{field}.{n}.owner_id", f"unknown person {owner!r}")
        _check_date(item.get("due"), f"{field}.{n}.due", e)
        _check_choice(item.get("status"), ItemStatus, f"{field}.{n}.status", e)


def _check_training(needs: list[dict[str, Any]], field: str, e: FieldErrors) -> None:
    for n, need in enumerate(needs):
        if not normalise_topic(need.get("topic") or ""):
            e.add(f"{field}.{n}.topic", "required")
        _check_choice(need.get("priority"), Priority, f"{field}.{n}.priority", e)
        _check_choice(need.get("format"), NeedFormat, f"{field}.{n}.format", e)
        cost = need.get("estimated_cost")
        if cost not in (None, "") and (isinstance(cost, bool) or not _non_negative(cost)):
            e.add(f"{field}.{n}.estimated_cost", "give a cost of 0 or more")


def _non_negative(value: Any) -> bool:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return False
    return math.isfinite(number) and number >= 0


def check_self(content: dict[str, Any], template: Template, submit: bool) -> None:
    """Self assessment rules: drafts must be sensible, a submission complete."""
    e = FieldErrors()
    _check_ratings(content.get("competency_ratings", {}), template, "competency_ratings", e, submit)
    _check_answers(content.get("answers", {}), template, "self", e, submit)
    _check_training(content.get("training_needs", []), "training_needs", e)
    # The goals section is optional, as on the manager form: a goal listed (the person's own are filled in)
    # may be left as it is; a goal the person rates says what was achieved.
    for n, goal in enumerate(content.get("goal_results", [])):
        _check_rating(goal.get("rating"), template, f"goal_results.{n}.rating", e)
        if submit and goal.get("rating") and not (goal.get("result") or "").strip():
            e.add(f"goal_results.{n}.result", "say what was achieved")
    if submit and not (content.get("achievements") or "").strip():
        e.add("achievements", "required")
    e.refuse("The self assessment is not complete." if submit else "The draft is not valid.")


def check_manager(content: dict[str, Any], template: Template, submit: bool, people: set[str]) -> None:
    """Manager assessment rules."""
    e = FieldErrors()
    _check_ratings(content.get("competency_ratings", {}), template, "competency_ratings", e, submit)
    _check_answers(content.get("answers", {}), template, "manager", e, submit)
    _check_training(content.get("training_needs", []), "training_needs", e)
    _check_tracked(content.get("obstacles", []), "obstacles", e, submit, people)
    for n, obstacle in enumerate(content.get("obstacles", [])):
        if submit and not (obstacle.get("remediation") or "").strip():
            e.add(f"obstacles.{n}.remediation", "say what will remove the obstacle")
        _check_choice(obstacle.get("category"), ObstacleCategory, f"obstacles.{n}.category", e)
    for n, goal in enumerate(content.get("goal_ratings", [])):
        _check_rating(goal.get("rating"), template, f"goal_ratings.{n}.rating", e)
    potential = content.get("potential")  # issue 23: optional, on the template's own potential scale
    if potential is not None and (type(potential) is not int or not 1 <= potential <= len(template.potential)):
        e.add(
            "potential",
            f"choose 1 to {len(template.potential)}" if template.potential else "this template rates no potential",
        )
    if submit:
        for name in ("strengths", "areas_to_strengthen", "narrative"):
            if not (content.get(name) or "").strip():
                e.add(name, "required")
    e.refuse("The manager assessment is not complete." if submit else "The draft is not valid.")


def check_discussion(content: dict[str, Any], submit: bool, people: set[str], today: date) -> None:
    """Discussion record rules."""
    e = FieldErrors()
    _check_tracked(content.get("agreed_actions", []), "agreed_actions", e, submit, people)
    held = content.get("date")
    if submit:
        if not held:
            e.add("date", "required")
        if not (content.get("notes") or "").strip():
            e.add("notes", "required")
    held_on = _check_date(held, "date", e)
    if held_on and held_on > today:
        e.add("date", "a discussion cannot be recorded before it happens")
    e.refuse("The discussion record is not complete." if submit else "The draft is not valid.")


@dataclass(frozen=True)
class ScorePart:
    """One part of the score: its declared weight, its 0–100 value (None: no data) and its basis."""

    name: str
    weight: int
    value: float | None
    basis: str


@dataclass(frozen=True)
class Score:
    """A review score with the parts it came from and the rule that combined them."""

    value: float | None
    parts: tuple[ScorePart, ...]
    rule: str

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "value": self.value,
            "rule": self.rule,
            "parts": [
                {"name": p.name, "weight": p.weight, "value": p.value, "basis": p.basis, "used": p.value is not None}
                for p in self.parts
            ],
        }


SCORE_RULE = (
    "score = Σ(weight × part) / Σ(weight of parts with data); each part is 0–100, a rating r on an n-point "
    "scale counts (r − 1) / (n − 1) × 100; a part with no data is left out, never counted as zero"
)


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def compute_score(
    template: Template,
    manager: dict[str, Any] | None,
    goal_progress: list[tuple[float, float]] | None = None,
    feedback_ratings: list[float] | None = None,
    goal_basis: str | None = None,
) -> Score:
    """Combine goals, competencies and feedback by the template's weights, re-normalising absent parts.

    `goal_progress` is [(weight, percent)] from the goal roll-up when goals are linked; otherwise
    the manager's goal ratings are used.
    """
    manager = manager or {}
    scale = template.scale
    if goal_progress:
        total_weight = sum(w for w, _ in goal_progress)
        goals = sum(w * p for w, p in goal_progress) / total_weight if total_weight else None
        goal_basis = goal_basis or f"weighted progress of {len(goal_progress)} goal(s)"
    else:
        ratings = [scale.normalise(g["rating"]) for g in manager.get("goal_ratings", []) if g.get("rating")]
        goals = _mean(ratings)
        goal_basis = f"manager's rating of {len(ratings)} goal(s)"
    feedback = _mean([scale.normalise(r) for r in feedback_ratings or []])
    values = {
        "goals": (goals, goal_basis),
        "competencies": _competency_part(template, manager),
        "feedback": (feedback, f"{len(feedback_ratings or [])} peer/upward rating(s)"),
    }
    return _combine(template, values)


def _competency_part(template: Template, manager: dict[str, Any]) -> tuple[float | None, str]:
    ratings = (manager.get("competency_ratings") or {}).values()
    comp = [template.scale.normalise(r["rating"]) for r in ratings if r.get("rating")]
    return _mean(comp), f"manager's rating of {len(comp)} competenc{'y' if len(comp) == 1 else 'ies'}"


def rescore(template: Template, score: dict[str, Any] | None, manager: dict[str, Any]) -> Score:
    """Issue 23: the score again by the template's rule after calibration: the competencies part from the
    calibrated ratings, the goals and feedback parts as they were scored at the manager's submission."""
    kept = {p["name"]: (p["value"], p["basis"]) for p in (score or {}).get("parts", [])}
    values = {n: kept.get(n, (None, "no data")) for n in WEIGHT_PARTS}
    values["competencies"] = _competency_part(template, manager)
    return _combine(template, values)


def _combine(template: Template, values: dict[str, tuple[float | None, str]]) -> Score:
    """The declared rule: each part by its weight, re-normalised over the parts with data."""
    parts = tuple(ScorePart(n, template.weights[n], values[n][0], values[n][1]) for n in WEIGHT_PARTS)
    used = [p for p in parts if p.value is not None and p.weight > 0]
    total = sum(p.weight for p in used)
    value = round(sum(p.weight * p.value for p in used) / total, 1) if total else None  # type: ignore[operator]
    return Score(value, parts, SCORE_RULE)


@dataclass
class Review:
    """One participant's review in a cycle."""

    cycle_id: str
    employee_id: str
    employee_name: str
    department: str
    manager_id: str | None
    cycle_name: str
    period_start: str
    state: ReviewState = ReviewState.NOT_STARTED
    self_assessment: dict[str, Any] | None = None
    manager_assessment: dict[str, Any] | None = None
    discussion: dict[str, Any] | None = None
    acknowledgement: dict[str, Any] | None = None
    submitted: dict[str, str] | None = None  # state → when it was reached
    finalised_by: str | None = None
    score: dict[str, Any] | None = None
    last_return: dict[str, Any] | None = None
    # issue 23: the manager's original ratings beside the calibrated ones, who changed them, when, why
    calibration: dict[str, Any] | None = None
    # issue 28: the draft manager assessment a former manager left when the directory moved the person mid-cycle
    # ({"id", "name"}), until the current manager takes it over or discards it
    manager_draft_by: dict[str, Any] | None = None
    version: int = 0
    audit_head: str = ""

    @property
    def disagreed(self) -> bool:
        """The employee acknowledged the review without agreeing with it (HR reads their response first)."""
        return (self.acknowledgement or {}).get("agreement") == Agreement.DISAGREE
