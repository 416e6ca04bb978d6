"""Acting managers in the table: `uow.delegations` (issue 28, point 3). One audited item per delegation, listed by
its acting manager (gsi1), its manager (gsi2) and for HR (gsi3)."""

from __future__ import annotations

from datetime import date, timedelta

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import RecordRepository
from service.adapters.store import Put
from service.domain.delegation import MAX_DAYS, Delegation

DELEGATION: Codec[Delegation] = Codec(
    Delegation,
    "delegation",
    lambda d: {
        **keys.delegation(d.delegation_id),
        **keys.delegation_gsi(d.acting_id, d.manager_id, d.starts.isoformat(), d.delegation_id),
    },
)
NEWEST = 200  # HR's list shows the latest delegations


class DelegationRepository(RecordRepository[Delegation]):
    """Delegations to acting managers."""

    codec = DELEGATION
    key = staticmethod(keys.delegation)
    entity = staticmethod(keys.entity_delegation)

    def to_person(self, acting_id: str) -> list[Delegation]:
        """The delegations naming this person acting manager, by first day (one Query)."""
        return self._indexed(*keys.delegations_to(acting_id))

    def of_manager(self, manager_id: str) -> list[Delegation]:
        """One manager's delegations, by first day (one Query)."""
        return self._indexed(*keys.delegations_of(manager_id))

    def newest(self) -> list[Delegation]:
        """The organisation's latest delegations, newest first (HR)."""
        return self._newest(*keys.delegations_all(), NEWEST)

    def active_on(self, day: date) -> list[Delegation]:
        """Every delegation running on this day, whatever the organisation's size: the index of all delegations read
        newest first, page after page, down to the first that starts too long ago to reach this day (one lasts at
        most MAX_DAYS)."""
        index, pk = keys.delegations_all()
        earliest = (day - timedelta(days=MAX_DAYS)).isoformat()
        found: list[Delegation] = []
        cursor = None
        while True:
            page = self._table.query_page(pk, index=index, cursor=cursor, descending=True)
            for item in page.items:
                if str(item["starts"]) < earliest:
                    return found
                d = DELEGATION.from_item(self._uow.remember(item) or item)
                if d.active_on(day):
                    found.append(d)
            if page.cursor is None:
                return found
            cursor = page.cursor

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
        stored = self._save(d.delegation_id, d, new, actor=actor, action=action, at=at, reason=reason)
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
        return stored
