"""Acting managers (issue 28, point 3): a manager, or HR, names someone to act for the manager over a period.

Pure Python. A delegation is active from its first day to its last day included, unless revoked; while it is, the
acting manager may do for the manager's reports' reviews everything the manager may (services/policy.manages),
and their writes are audited as theirs on the manager's behalf.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.domain.errors import ValidationFailed
from service.domain.workflow import Labelled, labels

MAX_DAYS = 366  # a longer absence is a change of manager, made in the directory


class DelegationStatus(Labelled):
    """Where a delegation stands on a given day."""

    UPCOMING = "upcoming", "Upcoming"
    ACTIVE = "active", "Acting now"
    ENDED = "ended", "Ended"
    REVOKED = "revoked", "Revoked"


STATUS_LABELS = labels(DelegationStatus)


@dataclass(frozen=True)
class Delegation:
    """An acting manager named for a manager over a period (first and last day included)."""

    delegation_id: str
    manager_id: str
    acting_id: str
    starts: date
    ends: date
    named_by: str
    created_at: str
    revoked_at: str | None = None
    revoked_by: str | None = None
    ended_at: str | None = None  # when the daily run recorded its natural end (after its last day), once
    version: int = 0
    audit_head: str = ""

    def active_on(self, day: date) -> bool:
        """Whether the acting manager acts for the manager on this day."""
        return self.revoked_at is None and self.starts <= day <= self.ends

    def end_to_record(self, day: date) -> bool:
        """Whether its natural end (its last day passed, never revoked) is still to be written down on this day."""
        return self.revoked_at is None and self.ended_at is None and self.ends < day

    def status_on(self, day: date) -> DelegationStatus:
        """Upcoming, active, ended (after its last day) or revoked."""
        if self.revoked_at is not None:
            return DelegationStatus.REVOKED
        if day < self.starts:
            return DelegationStatus.UPCOMING
        return DelegationStatus.ACTIVE if day <= self.ends else DelegationStatus.ENDED


def check_delegation(
    manager_id: str,
    acting_id: str,
    named_by: str,
    starts: date,
    ends: date,
    today: date,
    reports: frozenset[str],
    others: list[Delegation],
) -> None:
    """Refuse a delegation that names the manager themselves, the person naming it, one of the manager's reports
    (whose reviews it covers), a period that is backwards, past, too long, or overlapping another of this manager's."""
    errors: dict[str, list[str]] = {}
    if acting_id == manager_id:
        errors["acting_id"] = ["a manager cannot act for themselves: name someone else"]
    elif acting_id == named_by:
        errors["acting_id"] = ["you cannot name yourself: name someone else"]
    elif acting_id in reports:
        errors["acting_id"] = ["this person is one of the reports whose reviews it covers: name someone else"]
    if ends < starts:
        errors["ends"] = ["the last day comes before the first"]
    elif ends < today:
        errors["ends"] = ["the last day has passed"]
    elif (ends - starts).days >= MAX_DAYS:
        errors["ends"] = [f"at most {MAX_DAYS} days: a longer absence is a change of manager in the directory"]
    clash = next(
        (d for d in others if d.revoked_at is None and d.ends >= today and d.starts <= ends and starts <= d.ends),
        None,
    )
    if clash is not None and "ends" not in errors:
        errors["starts"] = [f"this manager already has an acting manager from {clash.starts} to {clash.ends}"]
    if errors:
        raise ValidationFailed("The acting manager cannot be named.", errors)
