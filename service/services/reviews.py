"""Use cases of one review: assessments, discussion, acknowledgement, finalisation, returns, history."""

from __future__ import annotations

import copy
from dataclasses import replace
from typing import Any

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.clock import Clock, iso
from service.adapters.repositories import Directory, review_from_item, review_to_item, state_deltas
from service.adapters.store import Check, Increment, Item, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Role
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.reviews import (
    OPEN_STATUSES,
    ReviewAction,
    ReviewState,
    at_least,
    check_discussion,
    check_manager,
    check_self,
    compute_score,
    next_state,
)
from service.domain.templates import Template, template_from_dict
from service.services import goals
from service.services.actions import action_json, stage_review_actions
from service.services.auth import Principal
from service.services.cycles import get_cycle

A = ReviewAction


class ReviewContext:
    """A review with its cycle and who may do what to it."""

    def __init__(self, table: Table, principal: Principal, cycle_id: str, employee_id: str) -> None:
        self.table = table
        self.principal = principal
        self.cycle: Cycle = get_cycle(table, cycle_id)
        self.item: Item | None = table.get(keys.review(cycle_id, employee_id))
        if self.item is None:
            raise NotFound(f"no review for {employee_id!r} in cycle {cycle_id!r}")
        self.review = review_from_item(self.item)
        person = Directory(table).get(employee_id)
        self.current_manager = person.manager_id if person else None
        self.is_employee = principal.employee_id == employee_id
        self.is_manager = principal.employee_id in (self.current_manager,) and not self.is_employee
        self.is_hr = principal.has(Role.HR) and not self.is_employee

    @property
    def template(self) -> Template:
        """The template snapshot the cycle launched with."""
        if not self.cycle.template_snapshot:
            raise Conflict("the cycle has not been launched")
        return template_from_dict(self.cycle.template_snapshot)

    def require_readable(self) -> None:
        """Employee, their current manager, or HR; leadership only as someone's manager."""
        if not (self.is_employee or self.is_manager or self.is_hr):
            raise PermissionDenied("only the employee, their manager and HR can see this review")

    def require_version(self, expected: int) -> None:
        """A stale edit is refused before its content is judged (412 before 422)."""
        self.require_writable()
        if self.review.version != expected:
            raise StaleWrite(f"the review was changed by someone else (now version {self.review.version}); reload it")

    def require_writable(self) -> None:
        """A closed cycle is read-only."""
        if self.cycle.state is not CycleState.ACTIVE:
            raise Conflict(f"the cycle is {self.cycle.state}; its reviews are read-only")


def review_view(ctx: ReviewContext) -> dict[str, Any]:
    """The review as this principal may see it (drafts stay with their author; HR sees all)."""
    ctx.require_readable()
    r = ctx.review
    view: dict[str, Any] = {
        "cycle_id": r.cycle_id,
        "cycle_name": r.cycle_name,
        "employee_id": r.employee_id,
        "employee_name": r.employee_name,
        "department": r.department,
        "manager_id": r.manager_id,
        "state": r.state.value,
        "version": r.version,
        "submitted": r.submitted or {},
        "last_return": r.last_return,
        "template": ctx.cycle.template_snapshot,
    }
    self_visible = ctx.is_employee or ctx.is_hr or at_least(r.state, ReviewState.SELF_SUBMITTED)
    manager_visible = ctx.is_manager or ctx.is_hr or at_least(r.state, ReviewState.MANAGER_SUBMITTED)
    view["self_assessment"] = r.self_assessment if self_visible else None
    view["manager_assessment"] = r.manager_assessment if manager_visible else None
    view["score"] = r.score if manager_visible else None
    view["discussion"] = (
        r.discussion if (ctx.is_manager or ctx.is_hr or at_least(r.state, ReviewState.DISCUSSED)) else None
    )
    view["acknowledgement"] = r.acknowledgement
    view["goals"] = goals.person_goals(UnitOfWork(ctx.table), r.employee_id, r.cycle_id)
    view["carried_actions"] = carried_actions(ctx.table, r.employee_id, r.cycle_id)
    return view


def carried_actions(table: Table, employee_id: str, cycle_id: str) -> list[dict[str, Any]]:
    """Open actions about this person from earlier cycles: they carry into this review."""
    index, pk = keys.person_history(employee_id)
    return [
        action_json(i)
        for i in table.query(pk, "ACTION#", index=index)
        if i["status"] in OPEN_STATUSES and i["cycle_id"] != cycle_id
    ]


def open_review(table: Table, principal: Principal, cycle_id: str, employee_id: str) -> dict[str, Any]:
    """Read one review."""
    return review_view(ReviewContext(table, principal, cycle_id, employee_id))


def _commit(
    ctx: ReviewContext,
    expected_version: int,
    changes: dict[str, Any],
    action: ReviewAction,
    clock: Clock,
    to: ReviewState | None = None,
    reason: str = "",
    extra_ops: Any = None,
) -> dict[str, Any]:
    """Apply one action: the transition table decides the state; review, audit, counters in one transaction."""
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
    uow = UnitOfWork(ctx.table)
    # Guard: the cycle must still be the version we read (a close in between refuses this write).
    uow.add(Check(keys.cycle(ctx.cycle.cycle_id), expect_version=ctx.cycle.version))
    stored = stage_audited(
        uow,
        entity=keys.entity_review(r.cycle_id, r.employee_id),
        before=ctx.item,
        after=review_to_item(after),
        actor=ctx.principal.employee_id,
        action=action.value,
        at=at,
        reason=reason,
        cycle_id=r.cycle_id,
    )
    deltas = state_deltas(r.department, r.state.value, new_state.value)
    if deltas:
        uow.add(Increment(keys.cycle_stats(r.cycle_id), deltas))
    if extra_ops:
        extra_ops(uow, after, at)
    uow.commit()
    ctx.item, ctx.review = stored, review_from_item(stored)
    return review_view(ctx)


def save_self_assessment(
    table: Table,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    content: dict[str, Any],
    expected_version: int,
    submit: bool,
    clock: Clock,
) -> dict[str, Any]:
    """Save the self assessment as a draft, or submit it (complete) to the manager."""
    ctx = ReviewContext(table, principal, cycle_id, employee_id)
    if not ctx.is_employee:
        raise PermissionDenied("only the employee writes their self assessment")
    ctx.require_version(expected_version)
    check_self(content, ctx.template, submit)
    if submit:
        total = goals.weight_total(UnitOfWork(table), employee_id, cycle_id)
        if total is not None and total != 100:
            raise ValidationFailed(
                "The self assessment is not complete.", {"goals": [f"your goal weights add up to {total}, not 100"]}
            )
    action = A.SUBMIT_SELF if submit else A.SAVE_SELF
    return _commit(ctx, expected_version, {"self_assessment": content}, action, clock)


def save_manager_assessment(
    table: Table,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    content: dict[str, Any],
    expected_version: int,
    submit: bool,
    clock: Clock,
) -> dict[str, Any]:
    """Save the manager assessment as a draft, or submit it (scored; obstacles become tracked actions)."""
    ctx = ReviewContext(table, principal, cycle_id, employee_id)
    if not (ctx.is_manager or ctx.is_hr):
        raise PermissionDenied("only the employee's current manager or HR writes the manager assessment")
    ctx.require_version(expected_version)
    people = _known_people(table, content.get("obstacles", []))
    check_manager(content, ctx.template, submit, people)
    changes: dict[str, Any] = {"manager_assessment": content}
    if submit:
        progress = goals.goal_progress_for_score(UnitOfWork(table), employee_id, cycle_id)
        changes["score"] = compute_score(ctx.template, content, goal_progress=progress).as_dict()

    def actions(uow: UnitOfWork, review: Any, at: str) -> None:
        if submit:
            stage_review_actions(table, uow, review, "remediation", content.get("obstacles", []), ctx.principal, at)

    return _commit(
        ctx, expected_version, changes, A.SUBMIT_MANAGER if submit else A.SAVE_MANAGER, clock, extra_ops=actions
    )


def save_discussion(
    table: Table,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    content: dict[str, Any],
    expected_version: int,
    submit: bool,
    clock: Clock,
) -> dict[str, Any]:
    """Save or record the review discussion; agreed actions become tracked actions."""
    ctx = ReviewContext(table, principal, cycle_id, employee_id)
    if not (ctx.is_manager or ctx.is_hr):
        raise PermissionDenied("only the employee's manager or HR records the discussion")
    ctx.require_version(expected_version)
    people = _known_people(table, content.get("agreed_actions", []))
    check_discussion(content, submit, people, clock.now().date())

    def actions(uow: UnitOfWork, review: Any, at: str) -> None:
        if submit:
            stage_review_actions(table, uow, review, "agreed", content.get("agreed_actions", []), ctx.principal, at)

    action = A.RECORD_DISCUSSION if submit else A.SAVE_DISCUSSION
    return _commit(ctx, expected_version, {"discussion": content}, action, clock, extra_ops=actions)


def acknowledge(
    table: Table,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    agreement: str,
    response: str,
    expected_version: int,
    clock: Clock,
) -> dict[str, Any]:
    """The employee acknowledges the review: agree or disagree, with an optional written response."""
    ctx = ReviewContext(table, principal, cycle_id, employee_id)
    if not ctx.is_employee:
        raise PermissionDenied("only the employee acknowledges their review")
    if agreement not in ("agree", "disagree"):
        raise ValidationFailed("Say whether you agree.", {"agreement": ["choose agree or disagree"]})
    ack = {"agreement": agreement, "response": response.strip(), "at": iso(clock.now())}
    return _commit(ctx, expected_version, {"acknowledgement": ack}, A.ACKNOWLEDGE, clock)


def finalise(
    table: Table, principal: Principal, cycle_id: str, employee_id: str, expected_version: int, clock: Clock
) -> dict[str, Any]:
    """HR finalises an acknowledged review."""
    ctx = ReviewContext(table, principal, cycle_id, employee_id)
    if not ctx.is_hr:
        raise PermissionDenied("only HR finalises a review (and not their own)")
    return _commit(ctx, expected_version, {"finalised_by": principal.employee_id}, A.FINALISE, clock)


def return_review(
    table: Table,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    to_state: str,
    reason: str,
    expected_version: int,
    clock: Clock,
) -> dict[str, Any]:
    """HR returns a review to an earlier state, with a reason."""
    ctx = ReviewContext(table, principal, cycle_id, employee_id)
    if not ctx.is_hr:
        raise PermissionDenied("only HR returns a review to an earlier state")
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
    if not at_least(target, ReviewState.MANAGER_SUBMITTED):
        changes["score"] = None  # the score comes back with the next manager submission
    return _commit(ctx, expected_version, changes, A.RETURN, clock, to=target, reason=reason.strip())


def _known_people(table: Table, items: list[dict[str, Any]]) -> set[str]:
    ids = sorted({i["owner_id"] for i in items if i.get("owner_id")})
    return {e.employee_id for e in Directory(table).get_many(ids).values() if e.active} if ids else set()


def team_reviews(table: Table, principal: Principal, cycle_id: str) -> list[dict[str, Any]]:
    """A manager's current direct reports' reviews in a cycle: state and what is due (no content).

    The current reports, like the permission to write their manager assessment: after a move the new
    manager sees the review and the old one does not (one Query and one BatchGetItem).
    """
    cycle = get_cycle(table, cycle_id)
    reports = Directory(table).reports(principal.employee_id)
    items = table.get_many([keys.review(cycle_id, p.employee_id) for p in reports])
    rows = [_status_row(cycle, review_from_item(i)) for i in items]
    for row in rows:
        del row["department"], row["manager_id"]
    return sorted(rows, key=lambda row: row["employee_name"].casefold())


def _status_row(cycle: Cycle, r: Any) -> dict[str, Any]:
    """Where a review stands and what is due next (no content)."""
    task = cycle.task_for(r.state)
    return {
        "employee_id": r.employee_id,
        "employee_name": r.employee_name,
        "department": r.department,
        "manager_id": r.manager_id,
        "state": r.state.value,
        "version": r.version,
        "next_task": task[0] if task else None,
        "due": task[2].isoformat() if task and task[2] else None,
    }


def cycle_reviews(
    table: Table, principal: Principal, cycle_id: str, cursor: dict[str, str] | None = None, limit: int = 100
) -> tuple[list[dict[str, Any]], dict[str, str] | None]:
    """A page of a cycle's reviews for HR (state and what is due, no content), and the next cursor."""
    if not principal.has(Role.HR):
        raise PermissionDenied("only HR lists every review of a cycle")
    cycle = get_cycle(table, cycle_id)
    page = table.query_page(keys.cycle(cycle_id)["pk"], "REVIEW#", limit=limit, cursor=cursor)
    rows = [_status_row(cycle, review_from_item(i)) for i in page.items]
    return rows, page.cursor


def history(table: Table, principal: Principal, employee_id: str) -> dict[str, Any]:
    """A person's reviews across cycles and their actions, from one query."""
    person = Directory(table).get(employee_id)
    if person is None:
        raise NotFound(f"no employee {employee_id!r}")
    allowed = (
        principal.employee_id == employee_id or principal.employee_id == person.manager_id or (principal.has(Role.HR))
    )
    if not allowed:
        raise PermissionDenied("only the person, their manager and HR see this history")
    index, pk = keys.person_history(employee_id)
    reviews, actions = [], []
    for item in table.query(pk, index=index):
        if item["type"] == "review":
            r = review_from_item(item)
            shown = at_least(r.state, ReviewState.MANAGER_SUBMITTED) or (
                principal.has(Role.HR) and principal.employee_id != employee_id
            )
            ratings = (r.manager_assessment or {}).get("competency_ratings", {}) if shown else {}
            reviews.append(
                {
                    "cycle_id": r.cycle_id,
                    "cycle_name": r.cycle_name,
                    "period_start": r.period_start,
                    "state": r.state.value,
                    "score": (r.score or {}).get("value") if shown else None,
                    "ratings": {c: v.get("rating") for c, v in ratings.items()},
                }
            )
        elif item["type"] == "action":
            actions.append(
                {
                    k: item.get(k)
                    for k in ("action_id", "kind", "cycle_id", "description", "owner_id", "due", "status", "version")
                }
            )
    return {"employee_id": employee_id, "reviews": reviews, "actions": actions}


def review_audit(table: Table, principal: Principal, cycle_id: str, employee_id: str) -> list[dict[str, Any]]:
    """The audit trail of one review (HR)."""
    if not principal.has(Role.HR) or principal.employee_id == employee_id:
        raise PermissionDenied("only HR reads the audit trail (and not of their own review)")
    entity = keys.entity_review(cycle_id, employee_id)
    return [_audit_json(i) for i in table.query(f"AUDIT#{entity}", "V#")]


def cycle_audit(table: Table, principal: Principal, cycle_id: str) -> list[dict[str, Any]]:
    """Every audit record of a cycle and its reviews, in time order (HR)."""
    if not principal.has(Role.HR):
        raise PermissionDenied("only HR reads the audit trail")
    # HR's own review (and the actions about them) stay out of what they can read here.
    own = (keys.entity_review(cycle_id, principal.employee_id), f".{principal.employee_id}.")
    return [
        _audit_json(i)
        for i in table.query(f"AUDITCYCLE#{cycle_id}", index="gsi1")
        if i["entity"] != own[0] and not (i["entity"].startswith("ACTION#") and own[1] in i["entity"])
    ]


def _audit_json(item: Item) -> dict[str, Any]:
    return {
        k: copy.deepcopy(item.get(k))
        for k in ("entity", "version", "at", "actor", "action", "reason", "changes", "prev_hash", "hash")
    }
