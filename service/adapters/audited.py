"""The one mechanism for audited, versioned writes: entity + audit record in the same transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.adapters import keys
from service.adapters.store import Delete, Item, Put, key_of
from service.domain.audit import diff, new_record

if TYPE_CHECKING:
    from service.adapters.ports import UnitOfWorkPort

# `above`: a goal's alignment chain as a hint for batch reads (derived from the goals above it, not content).
NOT_AUDITED = {
    *("pk", "sk", "gsi1pk", "gsi1sk", "gsi2pk", "gsi2sk", "gsi3pk", "gsi3sk", "version", "audit_head", "type", "above")
}


def _content(item: Item | None) -> Item:
    return {k: v for k, v in (item or {}).items() if k not in NOT_AUDITED}


def stage_audited(
    uow: UnitOfWorkPort,
    *,
    entity: str,
    before: Item | None,
    after: Item,
    actor: str,
    action: str,
    at: str,
    reason: str = "",
    cycle_id: str | None = None,
    trail: Item | None = None,
) -> Item:
    """Stage a create (before None), a versioned update or a deletion (after empty) plus its chained audit
    record; returns the new item. `trail`: the last audit record of an entity created again after its deletion
    (a one-to-one moved back to a date), whose chain the create continues."""
    version = int((before or trail or {}).get("version", 0)) + 1
    record = new_record(
        entity,
        version,
        at,
        actor,
        action,
        diff(_content(before), _content(after)),
        (before or {}).get("audit_head", "") if before is not None else (trail or {}).get("hash", ""),
        reason,
        getattr(uow, "on_behalf_of", None),  # issue 28: an acting manager writes for the manager
    )
    stored = {**after, "version": version, "audit_head": record["hash"]}
    if not after:  # a deletion: the item goes, its trail ends with a record of everything it held
        uow.add(Delete(key_of(before or {}), expect_version=int((before or {})["version"])))
    elif before is None:
        uow.add(Put(stored, must_not_exist=True))
    else:
        uow.add(Put(stored, expect_version=int(before["version"])))
    # `request` (outside the hashed record) names the commit that wrote it: see UnitOfWorkPort._applied.
    audit_item: Item = {**keys.audit(entity, version), "type": "audit", **record, "request": uow.token}
    if cycle_id:
        audit_item.update(keys.audit_gsi1(cycle_id, at, entity, version))
    uow.add(Put(audit_item, must_not_exist=True))
    return stored
