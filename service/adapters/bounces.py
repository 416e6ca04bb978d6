"""Addresses SES reported as bouncing (permanently) or complaining: recorded once, never mailed again (issue 21)."""

from __future__ import annotations

from dataclasses import dataclass

from service.adapters import keys
from service.adapters.store import Delete, Put, Table


@dataclass(frozen=True)
class BouncingAddress:
    """One address the mailer skips, with what SES said about it."""

    address: str
    kind: str  # "bounce" (permanent) or "complaint"
    detail: str
    at: str


class BounceList:
    """The bouncing addresses in the table: written by the bounce function, read by the mailer and HR's pages."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def record(self, address: str, kind: str, detail: str, at: str) -> None:
        """Remember an address (a later report replaces the earlier one: one item per address)."""
        item = {
            **keys.bouncing_address(address),
            "type": "bouncing_address",
            "address": address.strip(),
            "kind": kind,
            "detail": detail[:500],
            "at": at,
        }
        self.table.transact([Put(item)])

    def clear(self, address: str) -> None:
        """Mail the address again (HR corrected it, or the mailbox works again)."""
        self.table.transact([Delete(keys.bouncing_address(address))])

    def is_bouncing(self, address: str) -> bool:
        """Whether SES reported this address."""
        return self.table.get(keys.bouncing_address(address)) is not None

    def all(self) -> list[BouncingAddress]:
        """Every recorded address, by address."""
        pk, prefix = keys.bouncing_addresses()
        return [
            BouncingAddress(i["address"], i["kind"], i.get("detail", ""), i["at"]) for i in self.table.query(pk, prefix)
        ]
