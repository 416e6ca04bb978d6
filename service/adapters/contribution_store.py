"""Contribution requests in the table: `uow.contributions` (issue 28, point 3). One audited item each, listed by
its contributor (gsi1) and by its review (gsi2)."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import RecordRepository
from service.domain.contributions import Contribution

CONTRIBUTION: Codec[Contribution] = Codec(
    Contribution,
    "contribution",
    lambda c: {
        **keys.contribution(c.contribution_id),
        **keys.contribution_gsi(c.contributor_id, c.cycle_id, c.employee_id, c.requested_at, c.contribution_id),
    },
)


class ContributionRepository(RecordRepository[Contribution]):
    """Contribution requests and contributions."""

    codec = CONTRIBUTION
    key = staticmethod(keys.contribution)
    entity = staticmethod(keys.entity_contribution)

    def asked_of(self, contributor_id: str) -> list[Contribution]:
        """The requests one person received, oldest first (one Query)."""
        return self._indexed(*keys.contributions_by(contributor_id))

    def for_review(self, cycle_id: str, employee_id: str) -> list[Contribution]:
        """The requests made for one review, oldest first (one Query)."""
        return self._indexed(*keys.contributions_to(cycle_id, employee_id))

    def save(self, c: Contribution, *, new: bool, actor: str, action: str, at: str) -> Contribution:
        """Stage the audited contribution; returns it as stored."""
        # Not indexed in the cycle's audit trail, which HR reads: the text is for the manager only.
        return self._save(c.contribution_id, c, new, actor=actor, action=action, at=at)
