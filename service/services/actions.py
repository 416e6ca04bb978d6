"""Tracked actions: remediation of obstacles and actions agreed in discussions, listed for their owners."""

from __future__ import annotations

from typing import Any

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.clock import Clock, iso
from service.adapters.store import Item, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Role
from service.domain.errors import NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.reviews import ItemStatus, Review
from service.services.auth import Principal

MAX_ACTIONS = 20
OPEN_VALUES = ("open", "in_progress")


def _action_item(
    action_id: str, review: Review, kind: str, entry: dict[str, Any], created_at: str, status: str
) -> Item:
    description = entry.get("remediation") or entry.get("description") or ""
    return {
        **keys.action(action_id),
        "type": "action",
        "action_id": action_id,
        "kind": kind,
        "cycle_id": review.cycle_id,
        "subject_id": review.employee_id,
        "description": description,
        "obstacle": entry.get("description") if kind == "remediation" else None,
        "owner_id": entry["owner_id"],
        "due": entry.get("due", ""),
        "status": status,
        "created_at": created_at,
        **keys.action_gsi(review.employee_id, created_at, action_id, entry["owner_id"], status, entry.get("due", "")),
    }


def stage_review_actions(
    table: Table, uow: UnitOfWork, review: Review, kind: str, entries: list[dict[str, Any]], actor: Principal, at: str
) -> None:
    """Create (or, on resubmission, update) one tracked action per entry.

    An action keeps its status only while it still describes the same thing; actions left over from a
    longer earlier list are dropped, so no status ever moves from one action to another.
    """
    if len(entries) > MAX_ACTIONS:
        raise ValidationFailed("Too many actions.", {kind: [f"at most {MAX_ACTIONS}"]})
    all_ids = [f"{review.cycle_id}.{review.employee_id}.{kind}.{n}" for n in range(MAX_ACTIONS)]
    existing = {i["action_id"]: i for i in table.get_many([keys.action(i) for i in all_ids])}
    ids = all_ids[: len(entries)]
    for action_id in all_ids[len(entries) :]:
        before = existing.get(action_id)
        if before is not None and before["status"] in OPEN_VALUES:
            dropped = {
                **before,
                "status": ItemStatus.DROPPED.value,
                **keys.action_gsi(
                    before["subject_id"],
                    before["created_at"],
                    action_id,
                    before["owner_id"],
                    ItemStatus.DROPPED.value,
                    before.get("due", ""),
                ),
            }
            stage_audited(
                uow,
                entity=keys.entity_action(action_id),
                before=before,
                after=dropped,
                actor=actor.employee_id,
                action=f"{kind}_action",
                at=at,
                cycle_id=review.cycle_id,
            )
    for action_id, entry in zip(ids, entries, strict=True):
        before = existing.get(action_id)
        description = entry.get("remediation") or entry.get("description") or ""
        same = before is not None and before.get("description") == description
        status = before["status"] if same else (entry.get("status") or ItemStatus.OPEN.value)
        after = _action_item(action_id, review, kind, entry, (before or {}).get("created_at", at), status)
        if before is not None and all(before.get(k) == after.get(k) for k in ("description", "owner_id", "due")):
            continue
        stage_audited(
            uow,
            entity=keys.entity_action(action_id),
            before=before,
            after=after,
            actor=actor.employee_id,
            action=f"{kind}_action",
            at=at,
            cycle_id=review.cycle_id,
        )


def my_actions(table: Table, principal: Principal) -> list[dict[str, Any]]:
    """Actions this person owns: open ones first, by due date."""
    index, pk = keys.owner_actions(principal.employee_id)
    return [action_json(i) for i in table.query(pk, index=index)]


def action_json(item: Item) -> dict[str, Any]:
    """An action as the API shows it."""
    return {
        k: item.get(k)
        for k in (
            "action_id",
            "kind",
            "cycle_id",
            "subject_id",
            "description",
            "obstacle",
            "owner_id",
            "due",
            "status",
            "created_at",
            "version",
        )
    }


def update_action_status(
    table: Table, principal: Principal, action_id: str, status: str, expected_version: int, clock: Clock
) -> dict[str, Any]:
    """The owner (or HR) moves an action along: open → in progress → done, or dropped."""
    before = table.get(keys.action(action_id))
    if before is None:
        raise NotFound(f"no action {action_id!r}")
    if principal.employee_id != before["owner_id"] and not principal.has(Role.HR):
        raise PermissionDenied("only the action's owner or HR updates it")
    try:
        new_status = ItemStatus(status)
    except ValueError:
        raise ValidationFailed("Unknown status.", {"status": [f"choose {', '.join(ItemStatus)}"]}) from None
    if int(before["version"]) != expected_version:
        raise StaleWrite("the action was changed by someone else; reload it")
    at = iso(clock.now())
    after = {
        **before,
        "status": new_status.value,
        **keys.action_gsi(
            before["subject_id"],
            before["created_at"],
            action_id,
            before["owner_id"],
            new_status.value,
            before.get("due", ""),
        ),
    }
    uow = UnitOfWork(table)
    stored = stage_audited(
        uow,
        entity=keys.entity_action(action_id),
        before=before,
        after=after,
        actor=principal.employee_id,
        action="update_action",
        at=at,
        cycle_id=before["cycle_id"],
    )
    uow.commit()
    return action_json(stored)
