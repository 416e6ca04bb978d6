"""Learning plans in the table (issue 27, point 4): `uow.learning_plan`.

A person's plan is one partition (`LPLAN#owner / ITEM#id`): one Query. Items are versioned and audited like the
log's activities. Each open item also has a line in one partition (`LPLANDUE / owner#item`: owner, item, title,
target date), put and removed in the item's own transaction, so the daily reminder reads every open item of the
organisation in one Query instead of one per person.
"""

from __future__ import annotations

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import OwnedRepository
from service.adapters.store import Delete, Put
from service.domain.learning_plan import PlanItem
from service.domain.workflow import OPEN_PROGRESS

PLAN_ITEM: Codec[PlanItem] = Codec(
    PlanItem, "learning_plan_item", lambda i: keys.learning_plan_item(i.owner_id, i.item_id)
)
item_to_record, item_from_record = PLAN_ITEM.to_item, PLAN_ITEM.from_item


class LearningPlanRepository(OwnedRepository[PlanItem]):
    """Someone's learning plan, by target date: audited saves, and the open items' reminder lines."""

    decode = staticmethod(item_from_record)
    key = staticmethod(keys.learning_plan_item)
    partition = staticmethod(keys.learning_plan)
    order = staticmethod(lambda i: (i.target_date, i.created_at, i.item_id))

    def save(self, item: PlanItem, *, new: bool, actor: str, action: str, at: str) -> PlanItem:
        """Stage the audited item (an update must follow its read here) and its reminder line; returns it stored."""
        record = item_to_record(item)
        record.pop("version")
        stored = item_from_record(
            self._audited(
                keys.entity_learning_plan_item(item.owner_id, item.item_id),
                record,
                new,
                actor=actor,
                action=action,
                at=at,
            )
        )
        due = keys.plan_due(item.owner_id, item.item_id)
        if item.status in OPEN_PROGRESS:
            line = {"owner_id": item.owner_id, "item_id": item.item_id, "title": item.title}
            self._uow.add(Put({**due, "type": "learning_plan_due", **line, "target_date": item.target_date}))
        elif not new:
            self._uow.add(Delete(due))
        return stored

    def open_lines(self) -> list[dict[str, str]]:
        """Every open item of the organisation (owner, item, title, target date): one Query."""
        return [
            {k: str(i[k]) for k in ("owner_id", "item_id", "title", "target_date")}
            for i in self._table.query(keys.PLAN_DUE, None)
        ]
