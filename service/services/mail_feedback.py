"""SES bounces and complaints (issue 21): record what SES reports, and show HR which addresses are not mailed.

SES publishes one JSON document per event to SNS: through a configuration set's event destination it names the
event `eventType`; as an identity's feedback notification, `notificationType`. Both carry `bounce` or `complaint`
with the recipients. Only a permanent bounce (the mailbox does not exist, the domain refuses) and a complaint (the
person marked it as spam) stop mail to an address; a transient bounce (mailbox full, greylisting) does not.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.bounces import BounceList
from service.adapters.clock import Clock, iso
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Role
from service.domain.errors import NotFound, ValidationFailed
from service.services.auth import Principal
from service.services.directory import owners_of_addresses
from service.services.policy import require_role


@dataclass(frozen=True)
class BouncingPerson:
    """A bouncing address as HR sees it: whose it is (when the directory has it) and what SES said."""

    address: str
    kind: str
    detail: str
    at: str
    employee_id: str | None
    name: str | None


def record_notification(table: Table, message: dict[str, Any], clock: Clock) -> list[str]:
    """Record the addresses one SES notification reports as undeliverable; returns them (none for other events)."""
    kind = (message.get("eventType") or message.get("notificationType") or "").lower()
    at = iso(clock.now())
    found: list[tuple[str, str]] = []
    if kind == "bounce":
        bounce = message.get("bounce") or {}
        if bounce.get("bounceType") != "Permanent":
            return []
        reason = f"{bounce.get('bounceType')} bounce ({bounce.get('bounceSubType', 'General')})"
        for r in bounce.get("bouncedRecipients") or []:
            found.append((r.get("emailAddress", ""), f"{reason}: {r.get('diagnosticCode') or r.get('status') or ''}"))
    elif kind == "complaint":
        complaint = message.get("complaint") or {}
        reason = f"complaint ({complaint.get('complaintFeedbackType') or 'marked as spam'})"
        found = [(r.get("emailAddress", ""), reason) for r in complaint.get("complainedRecipients") or []]
    bounces = BounceList(table)
    recorded = []
    for address, detail in found:
        address = address.strip()
        if "@" not in address:
            continue
        bounces.record(address, kind, detail.strip(": "), at)
        recorded.append(address)
    return recorded


def bouncing_addresses(uow: UnitOfWork, principal: Principal) -> list[BouncingPerson]:
    """HR's list of the addresses the service no longer mails, with the person each belongs to."""
    require_role(principal, Role.HR)
    found = BounceList(uow.table).all()
    if not found:
        return []
    owners = owners_of_addresses(uow, [b.address for b in found])  # issue 24: by key, not the whole directory
    rows = []
    for b in found:
        employee_id, name = owners.get(b.address.strip().casefold(), (None, None))
        rows.append(BouncingPerson(b.address, b.kind, b.detail, b.at, employee_id, name))
    return rows


def clear_bouncing(uow: UnitOfWork, principal: Principal, address: str) -> str:
    """HR: mail an address again (corrected in the HR system, or the mailbox works again); returns it."""
    require_role(principal, Role.HR)
    address = (address or "").strip()
    if "@" not in address or len(address) > 254:
        raise ValidationFailed("Choose an address from the list.", {"address": ["not an email address"]})
    bounces = BounceList(uow.table)
    if not bounces.is_bouncing(address):
        raise NotFound(f"{address} is not on the list of addresses that bounce")
    bounces.clear(address)
    return address
