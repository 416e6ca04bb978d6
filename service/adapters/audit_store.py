"""The audit trail read back: `uow.audit` (records are written only by audited saves, audited.py)."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Item

AUDIT_FIELDS = ("entity", "version", "at", "actor", "action", "reason", "changes", "prev_hash", "hash")


def _audit_record(item: Item) -> Item:
    # issue 28: an acting manager's record names the manager they acted for (others have no such field)
    behalf = {"on_behalf_of": item["on_behalf_of"]} if item.get("on_behalf_of") else {}
    return {k: item.get(k) for k in AUDIT_FIELDS} | behalf


class AuditLog(Repository):
    """The append-only, hash-chained audit records (written only through audited saves)."""

    def of_review(self, cycle_id: str, employee_id: str) -> list[Item]:
        """The trail of one review, oldest first."""
        return self._of(keys.entity_review(cycle_id, employee_id))

    def of_decision(self, decision_id: str) -> list[Item]:
        """The trail of one personnel decision, oldest first."""
        return self._of(keys.entity_decision(decision_id))

    def of_entity(self, entity: str) -> list[Item]:
        """The trail of one audited entity by its audit name (from the records themselves)."""
        return self._of(entity)

    def _of(self, entity: str) -> list[Item]:
        pk = keys.audit(entity, 0)["pk"]
        return [_audit_record(i) for i in self._table.query(pk, "V#")]

    def of_cycle(self, cycle_id: str, hide_person: str | None = None) -> list[Item]:
        """Every record of a cycle and its reviews and actions, in time order.

        `hide_person` leaves out that person's own review and the actions about them.
        """
        index, pk = keys.cycle_audit_index(cycle_id)
        records = [_audit_record(i) for i in self._table.query(pk, index=index)]
        if hide_person is None:
            return records
        own_review = keys.entity_review(cycle_id, hide_person)
        return [r for r in records if r["entity"] != own_review and not keys.action_is_about(r["entity"], hide_person)]
