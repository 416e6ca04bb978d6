"""Contribution requests in the table: `uow.contributions` (issue 28, point 3). One audited item each, listed by
its contributor (gsi1) and by its review (gsi2)."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.domain.contributions import Contribution

CONTRIBUTION: Codec[Contribution] = Codec(
    Contribution,
    "contribution",
    lambda c: {
        **keys.contribution(c.contribution_id),
        **keys.contribution_gsi(c.contributor_id, c.cycle_id, c.employee_id, c.requested_at, c.contribution_id),
    },
)


class ContributionRepository(Repository):
    """Contribution requests and contributions."""

    def get(self, contribution_id: str) -> Contribution | None:
        """One contribution request, or None."""
        return self._read(CONTRIBUTION.from_item, keys.contribution(contribution_id))

    def _listed(self, index: str, pk: str) -> list[Contribution]:
        return [CONTRIBUTION.from_item(self._uow.remember(i) or i) for i in self._table.query(pk, index=index)]

    def asked_of(self, contributor_id: str) -> list[Contribution]:
        """The requests one person received, oldest first (one Query)."""
        return self._listed(*keys.contributions_by(contributor_id))

    def for_review(self, cycle_id: str, employee_id: str) -> list[Contribution]:
        """The requests made for one review, oldest first (one Query)."""
        return self._listed(*keys.contributions_to(cycle_id, employee_id))

    def save(self, c: Contribution, *, new: bool, actor: str, action: str, at: str) -> Contribution:
        """Stage the audited contribution; returns it as stored."""
        # Not indexed in the cycle's audit trail, which HR reads: the text is for the manager only.
        audit = {"actor": actor, "action": action, "at": at}
        item = self._audited(keys.entity_contribution(c.contribution_id), CONTRIBUTION.to_item(c), new, **audit)
        return CONTRIBUTION.from_item(item)
