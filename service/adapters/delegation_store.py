"""Acting managers in the table: `uow.delegations` (issue 28, point 3). One audited item per delegation, listed by
its acting manager (gsi1), its manager (gsi2) and for HR (gsi3)."""

from __future__ import annotations

from datetime import date

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Put
from service.domain.delegation import Delegation

DELEGATION: Codec[Delegation] = Codec(
    Delegation,
    "delegation",
    lambda d: {
        **keys.delegation(d.delegation_id),
        **keys.delegation_gsi(d.acting_id, d.manager_id, d.starts.isoformat(), d.delegation_id),
    },
)
NEWEST = 200  # HR's list shows the latest delegations


class DelegationRepository(Repository):
    """Delegations to acting managers."""

    def get(self, delegation_id: str) -> Delegation | None:
        """One delegation, or None."""
        return self._read(DELEGATION.from_item, keys.delegation(delegation_id))

    def _listed(self, index: str, pk: str) -> list[Delegation]:
        return [DELEGATION.from_item(self._uow.remember(i) or i) for i in self._table.query(pk, index=index)]

    def to_person(self, acting_id: str) -> list[Delegation]:
        """The delegations naming this person acting manager, by first day (one Query)."""
        return self._listed(*keys.delegations_to(acting_id))

    def of_manager(self, manager_id: str) -> list[Delegation]:
        """One manager's delegations, by first day (one Query)."""
        return self._listed(*keys.delegations_of(manager_id))

    def newest(self) -> list[Delegation]:
        """The organisation's latest delegations, newest first (HR)."""
        index, pk = keys.delegations_all()
        page = self._table.query_page(pk, index=index, limit=NEWEST, descending=True)
        return [DELEGATION.from_item(self._uow.remember(i) or i) for i in page.items]

    def started_since(self, first: date) -> list[Delegation]:
        """Every delegation starting on or after `first`, newest first (gsi3, read in pages only as far back as
        `first`): the reminders pass the longest period back, so none in force is missed, however many there are."""
        index, pk = keys.delegations_all()
        found = []
        for item in self._table.query(pk, index=index, descending=True):
            d = DELEGATION.from_item(self._uow.remember(item) or item)
            if d.starts < first:
                break
            found.append(d)
        return found

    def acting_for(self, acting_id: str, day: date) -> frozenset[str]:
        """The managers this person acts for on this day, from their acting index (one GetItem per request, or
        none when a batch read took it along: `read_along`)."""
        index = self._get(keys.acting_index(acting_id)) or {}
        return frozenset(
            p["manager_id"]
            for p in index.get("periods", [])
            if not p.get("revoked") and p["starts"] <= day.isoformat() <= p["ends"]
        )

    def read_along(self, acting_id: str) -> None:
        """Have the next batch read take this person's acting index along."""
        self._uow.read_along([keys.acting_index(acting_id)])

    def save(self, d: Delegation, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> Delegation:
        """Stage the audited delegation and the acting manager's index of periods; returns it as stored."""
        audit = {"actor": actor, "action": action, "at": at, "reason": reason}
        item = self._audited(keys.entity_delegation(d.delegation_id), DELEGATION.to_item(d), new, **audit)
        others = [o for o in self.to_person(d.acting_id) if o.delegation_id != d.delegation_id]
        periods = [
            {
                "delegation_id": o.delegation_id,
                "manager_id": o.manager_id,
                "starts": o.starts.isoformat(),
                "ends": o.ends.isoformat(),
                "revoked": o.revoked_at is not None,
            }
            for o in sorted([*others, d], key=lambda o: (o.starts, o.delegation_id))
        ]
        self._uow.add(Put({**keys.acting_index(d.acting_id), "type": "acting_index", "periods": periods}))
        return DELEGATION.from_item(item)
