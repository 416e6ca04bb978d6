"""Review cycles in the table: `uow.cycles`, and the counters of a cycle's reviews per state and department."""

from __future__ import annotations

from dataclasses import replace

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Check, Increment, Item, Put
from service.domain.cycles import Cycle

# Participant ids per chunk item: ~40 KB at 40 bytes an id, far under DynamoDB's 400 KB item limit; 50,000 people
# are 50 chunks, which fit the launch's one transaction beside the cycle (100 items, 4 MB).
PARTICIPANT_CHUNK = 1000

CYCLE: Codec[Cycle] = Codec(
    Cycle, "cycle", lambda c: {**keys.cycle(c.cycle_id), **keys.cycle_list_gsi1(c.created_at, c.cycle_id)}
)
cycle_to_item, cycle_from_item = CYCLE.to_item, CYCLE.from_item


def stats_counts(item: Item | None) -> tuple[dict[str, int], dict[str, dict[str, int]], int, int]:
    """(per state, per department per state, launched, expected) from a cycle's counter item."""
    per_state: dict[str, int] = {}
    per_dept: dict[str, dict[str, int]] = {}
    for name, value in (item or {}).items():
        parts = name.split("#")
        if parts[0] == "n" and len(parts) == 2:
            per_state[parts[1]] = int(value)
        elif parts[0] == "d" and len(parts) == 3:
            per_dept.setdefault(parts[1], {})[parts[2]] = int(value)
    return per_state, per_dept, int((item or {}).get("launched", 0)), int((item or {}).get("expected", 0))


def state_deltas(department: str, before: str | None, after: str) -> dict[str, int]:
    """Counter changes for a review moving from one state to another (None: newly created)."""
    deltas: dict[str, int] = {}
    dept = department.replace("#", " ")
    if before == after:
        return deltas
    if before is not None:
        deltas[f"n#{before}"] = -1
        deltas[f"d#{dept}#{before}"] = -1
    deltas[f"n#{after}"] = 1
    deltas[f"d#{dept}#{after}"] = 1
    return deltas


class CycleRepository(Repository):
    """Review cycles and their counters of reviews per state."""

    def get(self, cycle_id: str) -> Cycle | None:
        """One cycle, or None."""
        return self._read(cycle_from_item, keys.cycle(cycle_id))

    def list(self) -> list[Cycle]:
        """Every cycle, newest first."""
        return [cycle_from_item(i) for i in self._table.query("CYCLES", index="gsi1", descending=True)]

    def save(self, c: Cycle, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> Cycle:
        """Stage the audited cycle; returns it as stored."""
        after = cycle_to_item(c)
        entity = keys.entity_cycle(c.cycle_id)
        audit = {"actor": actor, "action": action, "at": at, "reason": reason, "cycle_id": c.cycle_id}
        return cycle_from_item(self._audited(entity, after, new, **audit))

    def delete(self, c: Cycle, *, actor: str, at: str) -> None:
        """Stage the deletion of a cycle read in this unit of work (at its version), audited as `delete_cycle`."""
        key = keys.cycle(c.cycle_id)
        before = self._before(key)
        if before is None:
            raise RuntimeError("a deletion must follow a read in the same unit of work")
        entity = keys.entity_cycle(c.cycle_id)
        stage_audited(
            self._uow,
            entity=entity,
            before=before,
            after={},
            actor=actor,
            action="delete_cycle",
            at=at,
            cycle_id=c.cycle_id,
        )

    def stage_participants(self, cycle_id: str, ids: list[str]) -> None:
        """Stage the launch's participant ids in chunk items (a Put each: a launch written again writes the same)."""
        for n, start in enumerate(range(0, len(ids), PARTICIPANT_CHUNK)):
            chunk = ids[start : start + PARTICIPANT_CHUNK]
            self._uow.add(Put({**keys.cycle_participants(cycle_id, n), "type": "cycle_participants", "ids": chunk}))

    def stage_added_participants(self, c: Cycle, ids: list[str]) -> Cycle:
        """Stage people added to a launched cycle (a joiner, issue 28) in a chunk item after the launch's (or in
        the list a cycle stored before issue 24 holds): the cycle as it then stands, for the same write to save."""
        if c.participants:
            return replace(c, participants=[*c.participants, *ids], participant_count=len(c.participants) + len(ids))
        first = sum(1 for _ in self._table.query(keys.cycle(c.cycle_id)["pk"], self._participants_prefix(c.cycle_id)))
        for n, start in enumerate(range(0, len(ids), PARTICIPANT_CHUNK), start=first):
            chunk = ids[start : start + PARTICIPANT_CHUNK]
            self._uow.add(Put({**keys.cycle_participants(c.cycle_id, n), "type": "cycle_participants", "ids": chunk}))
        return replace(c, participant_count=c.headcount + len(ids))

    @staticmethod
    def _participants_prefix(cycle_id: str) -> str:
        return keys.cycle_participants(cycle_id, 0)["sk"][: len("PART#")]

    def participants(self, c: Cycle) -> list[str]:
        """The ids the cycle launched with: its chunk items (one Query), or the list a cycle stored before issue 24
        holds."""
        if c.participants:
            return list(c.participants)
        prefix = self._participants_prefix(c.cycle_id)
        return [i for item in self._table.query(keys.cycle(c.cycle_id)["pk"], prefix) for i in item["ids"]]

    def expect_unchanged(self, c: Cycle) -> None:
        """Stage a guard: the write fails if the cycle changed since it was read (a close in between)."""
        self._uow.add(Check(keys.cycle(c.cycle_id), expect_version=c.version))

    def counts(self, cycle_id: str) -> tuple[dict[str, int], dict[str, dict[str, int]], int, int]:
        """(per state, per department per state, launched, expected) from the cycle's counters."""
        return stats_counts(self._get(keys.cycle_stats(cycle_id)))

    def count(self, cycle_id: str, deltas: dict[str, int]) -> None:
        """Stage changes to the cycle's counters (no condition: counters add up)."""
        if deltas:
            key = keys.cycle_stats(cycle_id)
            self._uow.seen.pop((key["pk"], key["sk"]), None)  # counters move: read them again after this
            self._uow.add(Increment(key, deltas, {"type": "cycle_stats"}))

    def departments(self, cycle_ids: list[str]) -> list[str]:
        """The departments with reviews in these cycles, from their counters: one batch read, whatever the
        size of the organisation."""
        names: set[str] = set()
        for item in self._get_many([keys.cycle_stats(c) for c in cycle_ids]) if cycle_ids else []:
            _per_state, per_dept, _launched, _expected = stats_counts(item)
            names.update(d for d, states in per_dept.items() if any(states.values()))
        return sorted(names)

    def prefetch(self, cycle_id: str, people: list[str]) -> None:
        """Read a cycle, its counters, its feedback settings and these people in one batch (later reads are
        served from it)."""
        wanted = [keys.cycle(cycle_id), keys.cycle_stats(cycle_id), *(keys.employee(p) for p in people)]
        self._get_many([*wanted, keys.feedback_settings(cycle_id)])  # the dashboard's feedback section (issue 9)
        self._uow.feedback.mark_prefetched(cycle_id)
