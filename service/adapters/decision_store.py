"""Personnel decisions in the table: `uow.decisions` (issue 27). A decision is one audited item holding its
evidence; a mark per person lists the decisions about them; counters per period (the quarter it was communicated
in) and department, added when a decision is communicated, give leadership's counts. Counters written before
periods existed (`keys.decision_counts`, no `period` attribute) are read as the period `EARLIER`, so no migration
is needed: they stay as they are and are no longer added to."""

from __future__ import annotations

from collections import Counter
from datetime import tzinfo

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import RecordRepository
from service.adapters.store import Increment, Put
from service.domain.decisions import EARLIER, Decision, DecisionKind, DecisionState, period_of

DECISION: Codec[Decision] = Codec(
    Decision,
    "decision",
    lambda d: {
        **keys.decision(d.decision_id),
        **keys.decision_gsi(d.recorded_at, d.decision_id, d.recorded_by, d.state is DecisionState.AWAITING_APPROVAL),
    },
)
NEWEST = 100  # the lists show the newest decisions; older ones stay in the table and in people's own lists


class DecisionRepository(RecordRepository[Decision]):
    """Decisions, the marks of the people they concern, and the counts by kind and department."""

    codec = DECISION
    key = staticmethod(keys.decision)
    entity = staticmethod(keys.entity_decision)

    def newest(self) -> list[Decision]:
        """The newest decisions of the organisation (HR)."""
        return self._newest(*keys.decisions_index(), NEWEST)

    def recorded_by(self, employee_id: str) -> list[Decision]:
        """The newest decisions one person recorded."""
        return self._newest(*keys.decisions_by(employee_id), NEWEST)

    def awaiting(self) -> list[Decision]:
        """The decisions waiting for a second HR person's approval (HR's flagged list)."""
        return self._newest(*keys.decisions_awaiting(), NEWEST)

    def about(self, employee_id: str) -> list[Decision]:
        """Every decision about a person, newest first (one Query of their marks, one BatchGetItem)."""
        pk, prefix = keys.decisions_about(employee_id)
        ids = [i["decision_id"] for i in self._table.query(pk, prefix, descending=True)]
        found = {d.decision_id: d for d in map(DECISION.from_item, self._get_many([keys.decision(i) for i in ids]))}
        return [found[i] for i in ids if i in found]

    def counts(self) -> dict[str, dict[str, dict[DecisionKind, int]]]:
        """People affected per period, department and kind (every counter, of every period: one Query); the
        counters kept before periods are the period `EARLIER`."""
        pk, prefix = keys.decision_counts_all()
        found: dict[str, dict[str, dict[DecisionKind, int]]] = {}
        for i in self._table.query(pk, prefix):
            per_kind = {k: int(i.get(k.value, 0)) for k in DecisionKind}
            found.setdefault(i.get("period", EARLIER), {})[i["department"]] = per_kind
        return found

    def save(self, decision: Decision, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> Decision:
        """Stage the audited decision; a new one also stages the marks of the people it concerns."""
        stored = self._save(decision.decision_id, decision, new, actor=actor, action=action, at=at, reason=reason)
        if new:
            for person in decision.people:
                mark = keys.decision_mark(person, decision.recorded_at, decision.decision_id)
                self._uow.add(Put({**mark, "type": "decision_mark", "decision_id": decision.decision_id}))
        return stored

    def stage_counts(self, decision: Decision, zone: tzinfo | None = None) -> None:
        """Count the people a communicated decision affects, per department, into the period of its communication
        on the organisation's calendar (`zone`; one update each: a transaction may touch an item once)."""
        period = period_of(decision.communicated_at or decision.recorded_at, zone)
        for department, people in sorted(Counter(decision.departments).items()):
            defaults = {"type": "decision_counts", "department": department, "period": period}
            key = keys.decision_period_counts(period, department)
            self._uow.add(Increment(key, {decision.kind.value: people}, defaults))
