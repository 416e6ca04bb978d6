"""Tracked actions in the table: `uow.actions` (remediation of obstacles, actions agreed in discussions)."""

from __future__ import annotations

from dataclasses import asdict, fields

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Item
from service.domain.actions import Action


def action_from_item(item: Item) -> Action:
    """Item → action (its fields, no keys)."""
    return Action(**{f.name: item.get(f.name) for f in fields(Action)})


class ActionRepository(Repository):
    """Tracked actions (remediation of obstacles, agreed in discussions)."""

    def get(self, action_id: str) -> Action | None:
        """One action, or None."""
        return self._read(action_from_item, keys.action(action_id))

    def get_many(self, action_ids: list[str]) -> dict[str, Action]:
        """Actions by id (missing ones are left out)."""
        return {i["action_id"]: action_from_item(i) for i in self._get_many([keys.action(a) for a in action_ids])}

    def read_along(self, action_ids: list[str]) -> None:
        """These actions ride in the next batch read (a later `get_many` of them reads nothing more)."""
        self._uow.read_along([keys.action(a) for a in action_ids])

    def owned_by(self, owner_id: str) -> list[Action]:
        """Actions someone owns: open ones first, by due date."""
        index, pk = keys.owner_actions(owner_id)
        return [action_from_item(i) for i in self._table.query(pk, index=index)]

    def about(self, employee_id: str) -> list[Action]:
        """Actions about a person, across cycles, oldest first."""
        index, pk = keys.person_history(employee_id)
        return [action_from_item(i) for i in self._table.query(pk, "ACTION#", index=index)]

    def save(self, action: Action, *, new: bool, actor: str, action_name: str, at: str) -> Action:
        """Stage the audited action (with its history and owner index attributes); returns it as stored."""
        a = asdict(action)
        item = {
            **a,
            **keys.action(a["action_id"]),
            "type": "action",
            **keys.action_gsi(a["subject_id"], a["created_at"], a["action_id"], a["owner_id"], a["status"], a["due"]),
        }
        item.pop("version", None)
        entity = keys.entity_action(a["action_id"])
        audit = {"actor": actor, "action": action_name, "at": at, "cycle_id": a["cycle_id"]}
        return action_from_item(self._audited(entity, item, new, **audit))
