"""Use cases of one review: assessments, discussion, acknowledgement, finalisation, returns, history.

The review imports no other feature. Each applied action records its domain event on the unit of work
(`domain/events.REVIEW_EVENTS`); the features that act on it (training needs, tracked actions, the feedback's
closing) are listed in `services/messagebus.py` and stage their writes at `uow.commit()`, in the review's
transaction. What the review reads of other features (the score's goals and feedback parts, the person's goals,
their goal weights) it asks through `messagebus.ask` with a question of `domain/queries.py`; the learning
evidence it checks with the domain's rule on `uow.learning`.
"""

from __future__ import annotations

import copy
from dataclasses import asdict, dataclass, field, replace
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, tzinfo
from functools import partial
from typing import Any

from service.adapters import metrics
from service.adapters.clock import Clock, iso
from service.adapters.cycle_store import state_deltas
from service.adapters.unit_of_work import UnitOfWork
from service.domain.actions import Action, ActionKind
from service.domain.audit import verify_chain
from service.domain.cycles import Cycle, CycleState
from service.domain.errors import (
    NO_CYCLE,
    NO_PERSON,
    NO_REVIEW,
    Clash,
    Conflict,
    NotFound,
    StaleWrite,
    ValidationFailed,
)
from service.domain.events import REVIEW_EVENTS
from service.domain.learning import check_evidence
from service.domain.queries import FeedbackRatings, GoalPart, GoalWeightTotal, PersonGoals
from service.domain.reviews import (
    OPEN_STATUSES,
    PART_ACTIONS,
    RETURNS,
    WITHDRAWALS,
    Agreement,
    Review,
    ReviewAction,
    ReviewState,
    Score,
    allows,
    at_least,
    check_discussion,
    check_manager,
    check_self,
    compute_score,
    manager_assessed,
    next_state,
    next_step_started,
    part_action,
    provisional,
)
from service.domain.templates import Template, template_from_dict
from service.services import messagebus, policy
from service.services.actions import review_action_slots
from service.services.auth import Principal
from service.services.delegation import acting_for, team_of
from service.services.policy import ReviewRoles

A = ReviewAction


def _cycle(uow: UnitOfWork, cycle_id: str) -> Cycle:
    """The review's cycle (404 when there is none)."""
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(NO_CYCLE)
    return cycle


class ReviewContext:
    """A review with its cycle and who may do what to it."""

    def __init__(self, uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> None:
        self.uow = uow
        self.principal = principal
        self.cycle: Cycle = _cycle(uow, cycle_id)
        review = uow.reviews.get(cycle_id, employee_id)
        if review is None:
            raise NotFound(NO_REVIEW)
        self.review = review
        person = uow.directory.get(employee_id)
        self.current_manager = person.manager_id if person else None
        chain = person.chain if person else ()
        # issue 28: an acting manager of the current manager is the manager (read only for someone else)
        acting = acting_for(uow, principal, self.current_manager) if principal.employee_id != employee_id else ()
        self.roles: ReviewRoles = policy.review_roles(
            principal, employee_id, self.current_manager, chain, self.cycle.skip_level_read, acting
        )
        self.is_employee = self.roles.is_employee
        self.is_manager = self.roles.is_manager
        self.is_hr = self.roles.is_hr

    @property
    def template(self) -> Template:
        """The template snapshot the cycle launched with."""
        if not self.cycle.template_snapshot:
            raise Conflict("the cycle has not been launched")
        return template_from_dict(self.cycle.template_snapshot)

    def require_readable(self) -> None:
        """Employee, their current manager, or HR; leadership only as someone's manager."""
        self.require("read")

    def require(self, part: str) -> None:
        """Refuse unless this principal may do `part` ("self", "manager", "discussion", ...) to the review.

        Someone who may not read the review is told it does not exist (404), exactly as for a missing one.
        """
        if not policy.may_act_on_review(self.roles, "read"):
            raise NotFound(NO_REVIEW)
        policy.require(policy.may_act_on_review(self.roles, part), policy.REVIEW_REFUSALS[part])

    def require_version(self, expected: int) -> None:
        """A stale edit is refused before its content is judged (412 before 422)."""
        self.require_writable()
        if self.review.version != expected:
            raise StaleWrite(f"the review was changed by someone else (now version {self.review.version}); reload it")

    def require_writable(self) -> None:
        """A closed cycle is read-only."""
        if self.cycle.state is not CycleState.ACTIVE:
            raise Conflict(f"the cycle is {self.cycle.state}; its reviews are read-only")


@dataclass(frozen=True)
class PartStatus:
    """What this principal may do with one form of a review now."""

    may_write: bool
    blocked: str | None  # why the form cannot be written now (None: it can)
    can_submit: bool


PART_TITLES = {"self": "self assessment", "manager": "manager assessment", "discussion": "review discussion"}


def part_status(ctx: ReviewContext, part: str) -> PartStatus:
    """May this principal write this form, can it be written now, and can it be submitted now."""
    save, submit = PART_ACTIONS[part]
    blocked = None
    if ctx.cycle.state is not CycleState.ACTIVE:
        blocked = f"The cycle is {ctx.cycle.state}; its reviews are read-only."
    elif not allows(ctx.review.state, save):
        state = ctx.review.state.value.replace("_", " ")
        blocked = f"The {PART_TITLES[part]} can no longer be changed: the review is “{state}”."
    may = policy.may_act_on_review(ctx.roles, part)
    return PartStatus(may_write=may, blocked=blocked, can_submit=may and allows(ctx.review.state, submit))


def submission_gaps(ctx: ReviewContext, part: str, content: dict[str, Any], today: date) -> dict[str, Any]:
    """What a submission of this (stored, valid) draft would still miss: field → messages (empty: none)."""
    try:
        next_state(ctx.review.state, PART_ACTIONS[part][1])
        owners = {
            i["owner_id"] for key in ("obstacles", "agreed_actions") for i in content.get(key, []) if i.get("owner_id")
        }
        if part == "self":
            check_self(content, ctx.template, True)
        elif part == "manager":
            check_manager(content, ctx.template, True, owners)
        else:
            check_discussion(content, True, owners, today)
    except ValidationFailed as exc:
        return exc.errors
    except Conflict as exc:
        return {"": [exc.message]}
    return {}


def score_preview(ctx: ReviewContext, content: dict[str, Any], now: datetime) -> Score:
    """The score a manager assessment would get if submitted now (goals' progress included). Its feedback part
    counts only groups already released: a preview that moved with each answer would show them one by one."""
    scale, who, cycle_id = ctx.template.scale, ctx.review.employee_id, ctx.review.cycle_id
    progress, basis = messagebus.ask(ctx.uow, GoalPart(who, cycle_id, content, scale))  # issue 9: rated goals
    feedback_ratings = messagebus.ask(ctx.uow, FeedbackRatings(ctx.cycle, who, now))
    return compute_score(
        ctx.template, content, goal_progress=progress, feedback_ratings=feedback_ratings, goal_basis=basis
    )


@dataclass(frozen=True)
class TalkingPoints:
    """What the review discussion should cover."""

    score: dict[str, Any] | None
    differences: list[dict[str, Any]]  # competencies the employee rated differently from the manager
    obstacles: list[dict[str, Any]]  # each with "by": employee or manager
    training_needs: list[dict[str, Any]]  # each with "by": employee or manager


def talking_points(template: Template, view: ReviewView) -> TalkingPoints:
    """What the review discussion should cover: the score, obstacles, training needs, and where the employee
    rated themselves differently from the manager (their likely disagreements)."""
    own = view.self_assessment or {}
    manager = view.manager_assessment or {}
    differences = []
    for c in template.competencies:
        mine = (own.get("competency_ratings") or {}).get(c.id) or {}
        theirs = (manager.get("competency_ratings") or {}).get(c.id) or {}
        if mine.get("rating") and theirs.get("rating") and mine["rating"] != theirs["rating"]:
            differences.append(
                {
                    "competency": c.name,
                    "self": mine["rating"],
                    "manager": theirs["rating"],
                    "comment": mine.get("comment") or "",
                    "higher": mine["rating"] > theirs["rating"],
                }
            )
    obstacles = [{"description": o.get("description", ""), "by": "employee"} for o in own.get("obstacles") or []]
    obstacles += [{**o, "by": "manager"} for o in manager.get("obstacles") or []]
    needs = [{**n, "by": "employee"} for n in own.get("training_needs") or []]
    needs += [{**n, "by": "manager"} for n in manager.get("training_needs") or []]
    return TalkingPoints(view.score, differences, obstacles, needs)


@dataclass(frozen=True)
class AvailableActions:
    """What one principal can do to a review now."""

    self: bool  # write the self assessment
    manager: bool  # write the manager assessment
    discussion: bool  # record the discussion
    acknowledge: bool
    finalise: bool
    return_targets: list[ReviewState]  # the states HR may return it to
    withdraw: dict[str, bool] = field(default_factory=dict)  # form → may its author take it back now


def available_actions(ctx: ReviewContext) -> AvailableActions:
    """Everything this principal can do to the review now: the forms, acknowledge, finalise, return targets."""
    active = ctx.cycle.state is CycleState.ACTIVE
    state = ctx.review.state
    may = lambda part: active and policy.may_act_on_review(ctx.roles, part)  # noqa: E731
    forms_now = {k: (st := part_status(ctx, k)).may_write and st.blocked is None for k in PART_ACTIONS}
    return AvailableActions(
        **forms_now,
        acknowledge=may("acknowledge") and allows(state, A.ACKNOWLEDGE),
        finalise=may("finalise") and allows(state, A.FINALISE),
        return_targets=list(RETURNS[state]) if may("return") else [],
        withdraw={
            part: may(part)
            and allows(state, action)
            and not next_step_started(ctx.review, part, ctx.template.calibration)
            for part, (action, _later, _why) in WITHDRAWALS.items()
        },
    )


def prefetch(uow: UnitOfWork, acting_id: str | None, cycle_id: str, employee_id: str, writing: bool = False) -> None:
    """Read what a request about one review will need (the review, its cycle, its employee and whoever
    acts) in one batch: the rest of the request is served from the unit of work. A write also reads the
    person's training contribution, which a submission moves, and their goal weight total, which it checks."""
    if writing:
        uow.training.read_contribution_along(cycle_id, employee_id)
        uow.goals.read_owner_total_along(employee_id, cycle_id)  # a self assessment's submission checks it
    if acting_id:  # issue 28: whom the reader acts for as acting manager, in the same batch
        uow.delegations.read_along(acting_id)
    uow.reviews.prefetch(cycle_id, employee_id, [p for p in {employee_id, acting_id} if p])


@dataclass(frozen=True)
class ReviewHeading:
    """Whose review it is and where it stands (no content)."""

    employee_id: str
    employee_name: str
    department: str
    manager_id: str | None
    state: str  # a ReviewState value
    version: int


def _heading(r: Review) -> dict[str, Any]:
    """The heading fields of a stored review."""
    return {f.name: getattr(r, f.name) for f in dataclass_fields(ReviewHeading)} | {"state": r.state.value}


@dataclass(frozen=True)
class ReviewView(ReviewHeading):
    """A review as one principal may see it: parts hidden from them are None. `goals` and `carried_actions`
    are None in the answer to a write (not what the write changed), lists on a read (goals: the `GoalView`s
    the `PersonGoals` question answers; this module names no other feature)."""

    cycle_id: str
    cycle_name: str
    submitted: dict[str, str]
    last_return: dict[str, Any] | None
    template: dict[str, Any] | None
    self_assessment: dict[str, Any] | None
    manager_assessment: dict[str, Any] | None
    score: dict[str, Any] | None
    discussion: dict[str, Any] | None
    acknowledgement: dict[str, Any] | None
    goals: list[Any] | None = None
    carried_actions: list[Action] | None = None
    manager_draft_by: dict[str, Any] | None = None  # issue 28: a former manager's draft waiting (manager, HR)
    acting_for: dict[str, Any] | None = None  # issue 28: the manager the reader acts for here ({"id", "name"})
    provisional: bool = False  # issue 23: the score waits for calibration (shown to the manager and HR only)
    calibration: dict[str, Any] | None = None  # issue 23: original beside calibrated, why (manager and HR only)


def review_view(
    ctx: ReviewContext, context: bool = True, on: date | None = None, zone: tzinfo | None = None
) -> ReviewView:
    """The review as this principal may see it (drafts stay with their author; HR sees all).

    `context` adds the person's goals (with their pace on day `on`, when given, in the organisation's zone `zone`)
    and the actions carried from earlier cycles (reads of their own); the answer to a write leaves them out: they
    are not what the write changed.
    """
    ctx.require_readable()
    r = ctx.review
    shown = policy.visible_parts(ctx.roles, r.state)
    if context:  # the carried actions the person's index lists ride in the goals' batch read
        ctx.uow.actions.read_along(_carried_ids(ctx.uow, r.employee_id, r.cycle_id) or [])
    return ReviewView(
        **_heading(r),
        cycle_id=r.cycle_id,
        cycle_name=r.cycle_name,
        submitted=r.submitted or {},
        last_return=r.last_return,
        template=ctx.cycle.template_snapshot,
        self_assessment=r.self_assessment if shown.self_assessment else None,
        manager_assessment=r.manager_assessment if shown.manager_assessment else None,
        score=r.score if shown.manager_assessment else None,
        discussion=r.discussion if shown.discussion else None,
        acknowledgement=r.acknowledgement,
        goals=messagebus.ask(ctx.uow, PersonGoals(r.employee_id, r.cycle_id, on, zone)) if context else None,
        carried_actions=carried_actions(ctx.uow, r.employee_id, r.cycle_id) if context else None,
        provisional=provisional(r.state),
        calibration=r.calibration if (ctx.roles.is_manager or ctx.roles.is_hr) else None,
        manager_draft_by=r.manager_draft_by if (ctx.roles.is_manager or ctx.roles.is_hr) else None,
        acting_for=_acting_for(ctx),
    )


def _acting_for(ctx: ReviewContext) -> dict[str, Any] | None:
    """The manager an acting manager acts for on this review, named (None for anyone else)."""
    manager_id = ctx.roles.on_behalf_of
    manager = ctx.uow.directory.get(manager_id) if manager_id else None
    return {"id": manager.employee_id, "name": manager.name} if manager else None


def _carried_ids(uow: UnitOfWork, employee_id: str, cycle_id: str) -> list[str] | None:
    """The ids of the actions about this person from other cycles, when their action index is complete."""
    indexed = uow.actions.indexed_about(employee_id)
    return None if indexed is None else sorted(a for a, c in indexed.items() if c != cycle_id)


def carried_actions(uow: UnitOfWork, employee_id: str, cycle_id: str) -> list[Action]:
    """Open actions about this person from earlier cycles: they carry into this review (read by key from the
    person's action index, else by a Query of their history), oldest first."""
    ids = _carried_ids(uow, employee_id, cycle_id)
    found = uow.actions.about(employee_id) if ids is None else list(uow.actions.get_many(ids).values())
    found.sort(key=lambda a: (a.created_at, a.action_id))
    return [a for a in found if a.status in OPEN_STATUSES and a.cycle_id != cycle_id]


def open_review(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> ReviewView:
    """Read one review."""
    return review_view(ReviewContext(uow, principal, cycle_id, employee_id))


def _commit(
    ctx: ReviewContext,
    expected_version: int,
    changes: dict[str, Any],
    action: ReviewAction,
    clock: Clock,
    to: ReviewState | None = None,
    reason: str = "",
) -> ReviewView:
    """Apply one action: the transition table decides the state; review, audit, counters and what the handlers of
    its event stage (training needs, tracked actions, the feedback's closing) in one transaction."""
    ctx.require_writable()
    r = ctx.review
    if r.version != expected_version:
        raise StaleWrite(f"the review was changed by someone else (now version {r.version}); reload it")
    new_state = next_state(r.state, action, to)
    at = iso(clock.now())
    submitted = dict(r.submitted or {})
    if new_state != r.state:
        reached = submitted.get(new_state.value) if action is A.RETURN else None
        submitted = {s: t for s, t in submitted.items() if not at_least(ReviewState(s), new_state)}
        submitted[new_state.value] = reached or at  # a return keeps when the target state was first reached
    after = replace(r, state=new_state, submitted=submitted, **changes)
    with ctx.uow as uow:
        uow.on_behalf_of = ctx.roles.on_behalf_of  # issue 28: an acting manager's write, audited as such
        # Guard: the cycle must still be the version we read (a close in between refuses this write).
        uow.cycles.expect_unchanged(ctx.cycle)
        stored = uow.reviews.save(
            after, new=False, actor=ctx.principal.employee_id, action=action.value, at=at, reason=reason
        )
        uow.cycles.count(r.cycle_id, state_deltas(r.department, r.state.value, new_state.value))
        event = REVIEW_EVENTS[action]
        uow.record(event(review=after, actor_id=ctx.principal.employee_id, at=at, template=ctx.cycle.template_snapshot))
        uow.commit()
    metrics.record_review_action(action.value)
    ctx.review = stored
    return review_view(ctx, context=False)


def _part_context(
    uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str, part: str, expected_version: int
) -> ReviewContext:
    """The review, for writing one of its forms: this principal may write `part`, at the version read."""
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    ctx.require(part)
    ctx.require_version(expected_version)
    return ctx


def _self_changes(ctx: ReviewContext, content: dict[str, Any], submit: bool, clock: Clock) -> dict[str, Any]:
    """The self assessment, checked: complete to submit, its learning evidence the employee's own, its goal weights
    adding up to 100."""
    uow, employee_id = ctx.uow, ctx.review.employee_id
    check_self(content, ctx.template, submit)
    refs = content.get("learning_refs") or []  # issue 14: picked learning evidence
    if refs:
        check_evidence(uow.learning.get_many(employee_id, refs), refs, (ctx.cycle.period_start, ctx.cycle.period_end))
    if submit:
        total = messagebus.ask(uow, GoalWeightTotal(employee_id, ctx.review.cycle_id))
        if total is not None and total != 100:
            raise ValidationFailed(
                "The self assessment is not complete.", {"goals": [f"your goal weights add up to {total}, not 100"]}
            )
    return {"self_assessment": content}


def _manager_changes(ctx: ReviewContext, content: dict[str, Any], submit: bool, clock: Clock) -> dict[str, Any]:
    """The manager assessment, checked; submitted, it is scored. Its obstacles become actions, its needs items and
    the feedback closes through the events its submission records (messagebus.event_handlers)."""
    uow, employee_id, cycle_id = ctx.uow, ctx.review.employee_id, ctx.review.cycle_id
    check_manager(content, ctx.template, submit, _known_people(uow, content.get("obstacles", [])))
    changes: dict[str, Any] = {"manager_assessment": content}
    if (ctx.review.manager_draft_by or {}).get("id") not in (None, ctx.principal.employee_id):
        changes["manager_draft_by"] = None  # issue 28: saving a former manager's draft takes it over
    if submit:
        # The obstacles' action slots, which the submission's actions read, ride in the score's batch read.
        uow.actions.read_along(review_action_slots(uow, ctx.review, ActionKind.REMEDIATION))
        progress, basis = messagebus.ask(uow, GoalPart(employee_id, cycle_id, content, ctx.template.scale))
        # Only groups that are shown: released, as this submission releases them when the cycle's rule says so.
        ratings = messagebus.ask(uow, FeedbackRatings(ctx.cycle, employee_id, clock.now(), releasing=True))
        changes["score"] = compute_score(
            ctx.template, content, goal_progress=progress, feedback_ratings=ratings, goal_basis=basis
        ).as_dict()
    return changes


def _discussion_changes(ctx: ReviewContext, content: dict[str, Any], submit: bool, clock: Clock) -> dict[str, Any]:
    """The discussion, checked; recorded, its agreed actions become tracked actions."""
    people = _known_people(ctx.uow, content.get("agreed_actions", []))
    check_discussion(content, submit, people, clock.now().date())
    return {"discussion": content}


PART_CHANGES = {"self": _self_changes, "manager": _manager_changes, "discussion": _discussion_changes}


def save_part(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    content: dict[str, Any],
    expected_version: int,
    submit: bool,
    clock: Clock,
    *,
    part: str,
) -> ReviewView:
    """Save one form of a review ("self", "manager" or "discussion") as a draft, or submit it.

    A manager's score counts the feedback group as read, and the submission closes (and may release) the group
    that is stored: the transaction checks no answer joined in between. If one did, the submission is made once
    more on the group as it now is; a second miss answers 409 (submit again), nothing stored."""

    def attempt() -> ReviewView:
        ctx = _part_context(uow, principal, cycle_id, employee_id, part, expected_version)
        changes = PART_CHANGES[part](ctx, content, submit, clock)
        return _commit(ctx, expected_version, changes, part_action(part, submit, ctx.template), clock)

    try:
        return attempt()
    except Conflict as exc:
        if exc.entity != "feedback_tally":
            raise
    uow.forget()
    try:
        return attempt()
    except Conflict as exc:
        if exc.entity != "feedback_tally":
            raise
        raise Conflict(FEEDBACK_ARRIVED, entity="feedback", clash=Clash.STALE) from exc


FEEDBACK_ARRIVED = (
    "Feedback about this person arrived while you were submitting, so the score would not have counted it:"
    " submit the manager assessment again."
)
# Each form by its own name, with the arguments of `save_part`.
save_self_assessment = partial(save_part, part="self")
save_manager_assessment = partial(save_part, part="manager")
save_discussion = partial(save_part, part="discussion")


def withdraw_submission(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    expected_version: int,
    clock: Clock,
    *,
    part: str,
) -> ReviewView:
    """The author takes a submitted form ("self" or "manager") back to edit it, until the next step has started
    (domain WITHDRAWALS; 409 with the reason after). The content stays as a draft; a manager assessment loses its
    score until submitted again; the withdrawal is audited."""
    ctx = _part_context(uow, principal, cycle_id, employee_id, part, expected_version)
    action, _later, _why = WITHDRAWALS[part]
    next_state(ctx.review.state, action)  # a form that is not (or no longer) the submitted one: 409
    why = next_step_started(ctx.review, part, ctx.template.calibration)
    if why:
        raise Conflict(why, entity="review")
    return _commit(ctx, expected_version, {"score": None} if part == "manager" else {}, action, clock)


def acknowledge(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    agreement: str,
    response: str,
    expected_version: int,
    clock: Clock,
) -> ReviewView:
    """The employee acknowledges the review: agree or disagree, with an optional written response."""
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    ctx.require("acknowledge")
    if agreement not in {a.value for a in Agreement}:
        raise ValidationFailed("Say whether you agree.", {"agreement": ["choose agree or disagree"]})
    ack = {"agreement": agreement, "response": response.strip(), "at": iso(clock.now())}
    return _commit(ctx, expected_version, {"acknowledgement": ack}, A.ACKNOWLEDGE, clock)


def finalise(
    uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str, expected_version: int, clock: Clock
) -> ReviewView:
    """HR finalises an acknowledged review."""
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    ctx.require("finalise")
    return _commit(ctx, expected_version, {"finalised_by": principal.employee_id}, A.FINALISE, clock)


def return_review(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    to_state: str,
    reason: str,
    expected_version: int,
    clock: Clock,
) -> ReviewView:
    """HR returns a review to an earlier state, with a reason."""
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    ctx.require("return")
    if not reason.strip():
        raise ValidationFailed("Say why the review goes back.", {"reason": ["required"]})
    try:
        target = ReviewState(to_state)
    except ValueError:
        raise ValidationFailed("Unknown state.", {"to_state": [f"{to_state!r} is not a review state"]}) from None
    changes: dict[str, Any] = {
        "last_return": {
            "from": ctx.review.state.value,
            "to": target.value,
            "reason": reason.strip(),
            "by": principal.employee_id,
        }
    }
    if not at_least(target, ReviewState.DISCUSSED):
        changes["acknowledgement"] = None
    if not at_least(target, ReviewState.ACKNOWLEDGED):
        changes["finalised_by"] = None
    if not manager_assessed(target):
        changes["score"] = None  # the score comes back with the next manager submission
    return _commit(ctx, expected_version, changes, A.RETURN, clock, to=target, reason=reason.strip())


def apply_calibration(
    uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str, changes: dict[str, Any], clock: Clock
) -> ReviewView:
    """Issue 23: a calibration session closed (CALIBRATE: calibrated ratings, rescored, on to the discussion) or
    reopened (RECALIBRATE: back into calibration), at the version stored; the calibration's use cases decide who."""
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    ctx.require("calibrate")
    action = A.CALIBRATE if ctx.review.state is ReviewState.IN_CALIBRATION else A.RECALIBRATE
    return _commit(ctx, ctx.review.version, changes, action, clock)


def _known_people(uow: UnitOfWork, items: list[dict[str, Any]]) -> set[str]:
    ids = sorted({i["owner_id"] for i in items if i.get("owner_id")})
    return {e.employee_id for e in uow.directory.get_many(ids).values() if e.active}


@dataclass(frozen=True)
class ReviewRow(ReviewHeading):
    """Where one review stands and what is due next (no content)."""

    next_task: str | None  # the cycle's task the review waits for
    due: str | None  # its deadline (ISO date)


def team_reviews(uow: UnitOfWork, principal: Principal, cycle_id: str) -> list[ReviewRow]:
    """A manager's current direct reports' reviews in a cycle: state and what is due (no content).

    The current reports, like the permission to write their manager assessment: after a move the new
    manager sees the review and the old one does not (one Query and one BatchGetItem). An acting manager also sees
    the reports of the managers they act for today (issue 28).
    """
    cycle = _cycle(uow, cycle_id)
    reports = team_of(uow, principal, uow.today or datetime.now(UTC).date())
    reviews = uow.reviews.get_many(cycle_id, [p.employee_id for p in reports])
    rows = [_status_row(cycle, r) for r in reviews]
    return sorted(rows, key=lambda row: row.employee_name.casefold())


def _status_row(cycle: Cycle, r: Review) -> ReviewRow:
    """Where a review stands and what is due next (no content)."""
    task = cycle.task_for(r.state)
    return ReviewRow(
        **_heading(r),
        next_task=task[0] if task else None,
        due=task[2].isoformat() if task and task[2] else None,
    )


def cycle_reviews(
    uow: UnitOfWork, principal: Principal, cycle_id: str, cursor: dict[str, str] | None = None, limit: int = 100
) -> tuple[list[ReviewRow], dict[str, str] | None]:
    """A page of a cycle's reviews for HR (state and what is due, no content), and the next cursor."""
    policy.require(policy.may_list_cycle_reviews(principal), "only HR lists every review of a cycle")
    cycle = _cycle(uow, cycle_id)
    reviews, cursor = uow.reviews.page(cycle_id, cursor=cursor, limit=limit)
    return [_status_row(cycle, r) for r in reviews], cursor


@dataclass(frozen=True)
class HistoryReview:
    """One review in a person's history: the manager's part (score, ratings) only where the reader may see it."""

    cycle_id: str
    cycle_name: str
    period_start: str
    state: str
    score: float | None
    score_detail: dict[str, Any] | None  # issue 9: the parts, so pages explain the score
    ratings: dict[str, int | None]  # competency → the manager's rating


@dataclass(frozen=True)
class HistoryAction:
    """A tracked action in a person's history."""

    action_id: str
    kind: str
    cycle_id: str
    description: str
    owner_id: str
    due: str
    status: str
    version: int


@dataclass(frozen=True)
class History:
    """A person's reviews across cycles and the actions about them."""

    employee_id: str
    reviews: list[HistoryReview]
    actions: list[HistoryAction]


def history(uow: UnitOfWork, principal: Principal, employee_id: str) -> History:
    """A person's reviews across cycles and their actions, from one query."""
    person = uow.directory.get(employee_id)
    if person is None:
        raise NotFound(NO_PERSON)
    acting = acting_for(uow, principal, person.manager_id) if principal.employee_id != employee_id else ()
    if not policy.may_read_history(principal, person, acting):
        raise NotFound(NO_PERSON)  # denied answers exactly like missing
    found, actions = uow.reviews.history(employee_id)
    reviews = []
    for r in found:
        shown = policy.may_see_manager_part_in_history(principal, r, acting)
        ratings = (r.manager_assessment or {}).get("competency_ratings", {}) if shown else {}
        reviews.append(
            HistoryReview(
                cycle_id=r.cycle_id,
                cycle_name=r.cycle_name,
                period_start=r.period_start,
                state=r.state.value,
                score=(r.score or {}).get("value") if shown else None,
                score_detail=r.score if shown else None,
                ratings={c: v.get("rating") for c, v in ratings.items()},
            )
        )
    kept = [f.name for f in dataclass_fields(HistoryAction)]
    return History(employee_id, reviews, [HistoryAction(**{k: getattr(a, k) for k in kept}) for a in actions])


def review_audit(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> list[dict[str, Any]]:
    """The audit trail of one review (HR)."""
    if not policy.may_read_review_audit(principal, employee_id):
        # HR only (and not of their own review); to anyone else the trail does not exist.
        raise NotFound("There is no audit trail of this review for you to see.")
    return [copy.deepcopy(r) for r in uow.audit.of_review(cycle_id, employee_id)]


def review_audit_checked(
    uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str
) -> tuple[list[dict[str, Any]], list[str]]:
    """The audit trail of one review, newest first, and the problems found verifying its hash chain (HR)."""
    records = review_audit(uow, principal, cycle_id, employee_id)
    review = uow.reviews.get(cycle_id, employee_id)
    problems = verify_chain(records, head=(review.audit_head if review else "") or None)
    return sorted(records, key=lambda r: r["version"], reverse=True), problems


def cycle_audit(uow: UnitOfWork, principal: Principal, cycle_id: str) -> list[dict[str, Any]]:
    """Every audit record of a cycle and its reviews, in time order (HR)."""
    policy.require(policy.may_read_cycle_audit(principal), "only HR reads the audit trail")
    # HR's own review (and the actions about them) stay out of what they can read here.
    return uow.audit.of_cycle(cycle_id, hide_person=principal.employee_id)


@dataclass(frozen=True)
class HistoryTrend:
    """A person's history as trends, oldest cycle first."""

    employee_id: str
    cycles: list[dict[str, Any]]  # the columns: cycle_id, cycle_name, state
    scores: list[float | None]  # per column
    competencies: list[dict[str, Any]]  # id, name, scale, and per column its value and word ("values")
    reviews: list[HistoryReview]
    actions: list[dict[str, Any]]  # each tracked action once, with the name of the cycle it came from


def history_trend(uow: UnitOfWork, principal: Principal, employee_id: str) -> HistoryTrend:
    """A person's history as trends, oldest cycle first: the score and each competency (named, with the
    scale's words) per cycle, and each tracked action once with the cycle it came from."""
    data = history(uow, principal, employee_id)
    reviews = sorted(data.reviews, key=lambda r: (r.period_start or "", r.cycle_name))
    cycles = {c: uow.cycles.get(c) for c in {r.cycle_id for r in reviews} | {a.cycle_id for a in data.actions}}
    competencies: dict[str, dict[str, Any]] = {}
    for n, r in enumerate(reviews):
        cycle = cycles.get(r.cycle_id)
        snapshot = (cycle.template_snapshot if cycle else None) or {}
        names = {c["id"]: c.get("name", c["id"]) for c in snapshot.get("competencies", [])}
        scale = list(snapshot.get("scale", []))
        for cid, rating in r.ratings.items():
            entry = competencies.setdefault(cid, {"id": cid, "name": names.get(cid, cid), "scale": scale, "points": {}})
            entry["points"][n] = {
                "value": rating,
                "word": scale[rating - 1] if rating and 0 < rating <= len(scale) else None,
            }
            entry["scale"] = scale or entry["scale"]
    columns = [{"cycle_id": r.cycle_id, "cycle_name": r.cycle_name, "state": r.state} for r in reviews]
    seen: set[str] = set()
    actions = []
    for a in data.actions:
        if a.action_id in seen:
            continue
        seen.add(a.action_id)
        cycle = cycles.get(a.cycle_id)
        actions.append({**asdict(a), "cycle_name": cycle.name if cycle else ""})
    return HistoryTrend(
        employee_id=employee_id,
        cycles=columns,
        scores=[r.score for r in reviews],
        competencies=[
            {**c, "values": [c["points"].get(n) for n in range(len(reviews))]} for c in competencies.values()
        ],
        reviews=data.reviews,
        actions=actions,
    )


# --- a change of manager mid-cycle (issue 28, point 3) ----------------------------------------------------------


def settle_former_draft(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    keep: bool,
    expected_version: int,
    clock: Clock,
) -> ReviewView:
    """The current manager (or HR) takes over a former manager's draft (`keep`) or discards it; audited."""
    ctx = _part_context(uow, principal, cycle_id, employee_id, "manager", expected_version)
    if not ctx.review.manager_draft_by:
        raise Conflict("there is no former manager's draft waiting", entity="review")
    changes: dict[str, Any] = {"manager_draft_by": None}
    if not keep:
        changes["manager_assessment"] = None
    at = iso(clock.now())
    with ctx.uow as w:
        w.on_behalf_of = ctx.roles.on_behalf_of
        w.cycles.expect_unchanged(ctx.cycle)
        action = "take_over_draft" if keep else "discard_draft"
        ctx.review = w.reviews.save(
            replace(ctx.review, **changes), new=False, actor=principal.employee_id, action=action, at=at
        )
        w.commit()
    return review_view(ctx, context=False)
