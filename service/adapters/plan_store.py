"""The organisation's improvement plan in the table: `uow.plan` (issue 27, point 3). Each item is audited and
versioned like a review; the whole plan is one Query of gsi1 `ORGPLAN`."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.audit_store import AuditLog
from service.adapters.codec import Codec
from service.adapters.repository import RecordRepository
from service.adapters.store import Item
from service.domain.improvement_plan import PlanItem

PLAN_ITEM: Codec[PlanItem] = Codec(
    PlanItem,
    "plan_item",
    lambda i: {**keys.plan_item(i.item_id), **keys.plan_item_gsi(i.created_at, i.item_id)},
)
LARGEST = 500  # items a plan lists (an organisation's own actions: tens a year)


class PlanRepository(RecordRepository[PlanItem]):
    """Items of the organisation's improvement plan."""

    codec = PLAN_ITEM
    key = staticmethod(keys.plan_item)
    entity = staticmethod(keys.entity_plan_item)

    def all(self) -> list[PlanItem]:
        """Every item of the plan, newest first (one Query of gsi1, at most LARGEST items)."""
        return self._newest(*keys.plan_index(), LARGEST)

    def save(self, item: PlanItem, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> PlanItem:
        """Stage the item and its chained audit record (a create, or an update of the version read)."""
        return self._save(item.item_id, item, new, actor=actor, action=action, at=at, reason=reason, cycle_id=None)

    def trail(self, item_id: str) -> list[Item]:
        """The item's audit records, oldest first."""
        return AuditLog(self._uow).of_entity(keys.entity_plan_item(item_id))
