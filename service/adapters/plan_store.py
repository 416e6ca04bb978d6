"""The organisation's improvement plan in the table: `uow.plan` (issue 27, point 3). Each item is audited and
versioned like a review; the whole plan is one Query of gsi1 `ORGPLAN`."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.audit_store import AuditLog
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Item
from service.domain.improvement_plan import PlanItem

PLAN_ITEM: Codec[PlanItem] = Codec(
    PlanItem,
    "plan_item",
    lambda i: {**keys.plan_item(i.item_id), **keys.plan_item_gsi(i.created_at, i.item_id)},
)
LARGEST = 500  # items a plan lists (an organisation's own actions: tens a year)


class PlanRepository(Repository):
    """Items of the organisation's improvement plan."""

    def get(self, item_id: str) -> PlanItem | None:
        """One item, or None."""
        return self._read(PLAN_ITEM.from_item, keys.plan_item(item_id))

    def all(self) -> list[PlanItem]:
        """Every item of the plan, newest first (one Query of gsi1, at most LARGEST items)."""
        index, pk = keys.plan_index()
        page = self._table.query_page(pk, index=index, limit=LARGEST, descending=True)
        return [PLAN_ITEM.from_item(self._uow.remember(i) or i) for i in page.items]

    def save(self, item: PlanItem, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> PlanItem:
        """Stage the item and its chained audit record (a create, or an update of the version read)."""
        entity = keys.entity_plan_item(item.item_id)
        stored = self._audited(
            entity, PLAN_ITEM.to_item(item), new, actor=actor, action=action, at=at, reason=reason, cycle_id=None
        )
        return PLAN_ITEM.from_item(stored)

    def trail(self, item_id: str) -> list[Item]:
        """The item's audit records, oldest first."""
        return AuditLog(self._uow).of_entity(keys.entity_plan_item(item_id))
