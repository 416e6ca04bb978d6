"""Tracked actions: remediation of obstacles and actions agreed in discussions, listed for their owners."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.actions import Action, ActionKind
from service.domain.errors import NotFound, StaleWrite, ValidationFailed
from service.domain.reviews import ItemStatus, Review
from service.services import policy
from service.services.auth import Principal

if TYPE_CHECKING:  # the events this module's handlers take (the home page lists actions without importing them)
    from service.domain.events import DiscussionRecorded, ManagerAssessmentSubmitted

MAX_ACTIONS = 20
OPEN_VALUES = ("open", "in_progress")


def _action(action_id: str, review: Review, kind: str, entry: dict[str, Any], created_at: str, status: str) -> Action:
    return Action(
        action_id=action_id,
        kind=kind,
        cycle_id=review.cycle_id,
        subject_id=review.employee_id,
        description=entry.get("remediation") or entry.get("description") or "",
        obstacle=entry.get("description") if kind == ActionKind.REMEDIATION else None,
        owner_id=entry["owner_id"],
        due=entry.get("due", ""),
        status=status,
        created_at=created_at,
    )


def action_ids(review: Review, kind: str) -> list[str]:
    """The ids a review's actions of one kind take, in list order (stable across resubmissions)."""
    return [f"{review.cycle_id}.{review.employee_id}.{kind}.{n}" for n in range(MAX_ACTIONS)]


def review_action_slots(uow: UnitOfWork, review: Review, kind: str) -> list[str]:
    """The slots of a review's actions of one kind that may hold one: those the person's action index lists, or
    every slot while the index is not complete."""
    indexed = uow.actions.indexed_about(review.employee_id)
    slots = action_ids(review, kind)
    return slots if indexed is None else [a for a in slots if a in indexed]


def actions_from_obstacles(uow: UnitOfWork, event: ManagerAssessmentSubmitted) -> None:
    """The submitted manager assessment's obstacles become tracked remediation actions, in its transaction."""
    obstacles = (event.review.manager_assessment or {}).get("obstacles", [])
    stage_review_actions(uow, event.review, ActionKind.REMEDIATION, obstacles, event.actor_id, event.at)


def actions_from_discussion(uow: UnitOfWork, event: DiscussionRecorded) -> None:
    """The recorded discussion's agreed actions become tracked actions, in its transaction."""
    agreed = (event.review.discussion or {}).get("agreed_actions", [])
    stage_review_actions(uow, event.review, ActionKind.AGREED, agreed, event.actor_id, event.at)


def stage_review_actions(
    uow: UnitOfWork, review: Review, kind: str, entries: list[dict[str, Any]], actor_id: str, at: str
) -> None:
    """Create (or, on resubmission, update) one tracked action per entry.

    An action keeps its status only while it still describes the same thing; actions left over from a
    longer earlier list are dropped, so no status ever moves from one action to another.
    """
    if len(entries) > MAX_ACTIONS:
        raise ValidationFailed("Too many actions.", {kind: [f"at most {MAX_ACTIONS}"]})
    all_ids = action_ids(review, kind)
    existing = uow.actions.get_many(review_action_slots(uow, review, kind))
    ids = all_ids[: len(entries)]
    audit = {"actor": actor_id, "action_name": f"{kind}_action", "at": at}
    for action_id in all_ids[len(entries) :]:
        before = existing.get(action_id)
        if before is not None and before.status in OPEN_VALUES:
            uow.actions.save(replace(before, status=ItemStatus.DROPPED.value), new=False, **audit)
    for action_id, entry in zip(ids, entries, strict=True):
        before = existing.get(action_id)
        description = entry.get("remediation") or entry.get("description") or ""
        same = before is not None and before.description == description
        status = before.status if same else (entry.get("status") or ItemStatus.OPEN.value)
        after = _action(action_id, review, kind, entry, before.created_at if before else at, status)
        if before is not None and (before.description, before.owner_id, before.due) == (
            after.description,
            after.owner_id,
            after.due,
        ):
            continue
        uow.actions.save(after, new=before is None, **audit)


def my_actions(uow: UnitOfWork, principal: Principal) -> list[Action]:
    """Actions this person owns: open ones first, by due date."""
    return uow.actions.owned_by(principal.employee_id)


def update_action_status(
    uow: UnitOfWork, principal: Principal, action_id: str, status: str, expected_version: int, clock: Clock
) -> Action:
    """The owner (or HR) moves an action along: open → in progress → done, or dropped."""
    before = uow.actions.get(action_id)
    subject = uow.directory.get(before.subject_id) if before is not None else None
    if before is None or not policy.may_read_action(principal, before, subject.manager_id if subject else None):
        raise NotFound("There is no such action for you.")  # denied answers exactly like missing
    policy.require(policy.may_update_action(principal, before), "only the action's owner or HR updates it")
    try:
        new_status = ItemStatus(status)
    except ValueError:
        raise ValidationFailed("Unknown status.", {"status": [f"choose {', '.join(ItemStatus)}"]}) from None
    if before.version != expected_version:
        raise StaleWrite("the action was changed by someone else; reload it")
    with uow:
        stored = uow.actions.save(
            replace(before, status=new_status.value),
            new=False,
            actor=principal.employee_id,
            action_name="update_action",
            at=iso(clock.now()),
        )
        uow.commit()
    return stored
