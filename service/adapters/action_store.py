"""Tracked actions in the table: `uow.actions` (remediation of obstacles, actions agreed in discussions)."""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import TYPE_CHECKING

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Increment, Item
from service.domain.actions import Action

if TYPE_CHECKING:
    from service.adapters.ports import UnitOfWorkPort


def action_from_item(item: Item) -> Action:
    """Item → action (its fields, no keys)."""
    return Action(**{f.name: item.get(f.name) for f in fields(Action)})


INDEXED = "a#"  # an attribute of the action index: the action id after it, its cycle as the value


class ActionRepository(Repository):
    """Tracked actions (remediation of obstacles, agreed in discussions), and the index of those about a person
    (`keys.action_index`): each create adds its id in the same transaction, so the list never misses one."""

    def __init__(self, uow: UnitOfWorkPort) -> None:
        super().__init__(uow)
        self._index_ops: dict[str, Increment] = {}  # subject → the index write staged in this unit of work

    def indexed_about(self, subject_id: str) -> dict[str, str] | None:
        """Action id → cycle of every action about a person, when their index is complete (else None: query them).
        Read once per unit of work (the review's first batch asks for it)."""
        item = self._get(keys.action_index(subject_id))
        if not item or not item.get("complete"):
            return None
        return {k[len(INDEXED) :]: str(v) for k, v in item.items() if k.startswith(INDEXED)}

    def index_people(self, subject_ids: list[str]) -> int:
        """Complete the index of each of these people that is not (at a launch: the actions stored before it, from
        one Query each); commits in transactions of at most 100 writes and returns how many it completed. Safe to
        run again, and beside creates: every write only adds what is missing."""
        wanted = [keys.action_index(s) for s in dict.fromkeys(subject_ids)]
        done = {i["pk"] for i in self._table.get_many(wanted) if i.get("complete")} if wanted else set()
        todo = [s for s, k in zip(dict.fromkeys(subject_ids), wanted, strict=True) if k["pk"] not in done]
        for subject_id in todo:
            listed = {f"{INDEXED}{a.action_id}": a.cycle_id for a in self.about(subject_id)}
            defaults = {"type": "action_index", "complete": True, **listed}
            self._uow.add(Increment(keys.action_index(subject_id), {}, defaults))
        if todo:
            self._uow.commit_in_chunks(100)
        return len(todo)

    def _index(self, action: Action) -> None:
        """Stage the action's id into its subject's index (one write per subject per transaction)."""
        key = keys.action_index(action.subject_id)
        self._uow.seen.pop((key["pk"], key["sk"]), None)  # moved by this write: read it again after
        op = self._index_ops.get(action.subject_id)
        if op is None or not any(o is op for o in self._uow.ops):
            op = Increment(key, {}, {"type": "action_index"})
            self._uow.add(op)
            self._index_ops[action.subject_id] = op
        op.defaults[f"{INDEXED}{action.action_id}"] = action.cycle_id

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
        if new:
            self._index(action)
        return action_from_item(self._audited(entity, item, new, **audit))
