"""Training needs in the table: `uow.training`.

A need is one item (`NEED#id / NEED`, listed per person on gsi1). A cycle's figures live in a few
aggregate items (`TRAINAGG#cycle / G#ORG`, `G#DEPT|<department>`, `G#MGR|<manager>`), each holding a
counter per topic, competency and obstacle category, changed with ADD in the transaction of the review
write that changes them. One item per person (`TRAINAGG#cycle / PERSON#id`, versioned) holds what that
person adds, so a resubmission subtracts the old contribution and adds the new one. The report reads
the aggregate items: their number grows with departments and managers, never with needs.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Delete, Increment, Item, Put
from service.domain.errors import Conflict
from service.domain.training import (
    Catalogue,
    Contribution,
    ReportSchedule,
    Topic,
    TrainingNeed,
    deltas,
)


def need_to_item(n: TrainingNeed) -> Item:
    """TrainingNeed → item (with its index attributes)."""
    return {
        **keys.training_need(n.need_id),
        **keys.training_need_gsi(n.employee_id, n.cycle_id, n.need_id),
        "type": "training_need",
        **n.record(),
    }


def need_from_item(item: Item) -> TrainingNeed:
    """Item → TrainingNeed."""
    return TrainingNeed.from_record(item)


def topic_from_item(item: Item) -> Topic:
    """Item → Topic."""
    return Topic(
        topic_id=item["topic_id"],
        name=item["name"],
        synonyms=tuple(item.get("synonyms", [])),
        competency_id=item.get("competency_id"),
        merged_into=item.get("merged_into"),
        version=int(item.get("version", 0)),
    )


def topic_to_item(t: Topic) -> Item:
    """Topic → item."""
    return {
        **keys.training_topic(t.topic_id),
        "type": "training_topic",
        "topic_id": t.topic_id,
        "name": t.name,
        "synonyms": list(t.synonyms),
        "competency_id": t.competency_id,
        "merged_into": t.merged_into,
    }


class TrainingRepository(Repository):
    """Needs, per-person contributions, aggregates, the topic catalogue and report deliveries."""

    # --- needs ---

    def get(self, need_id: str) -> TrainingNeed | None:
        """One need, or None."""
        return self._read(need_from_item, keys.training_need(need_id))

    def of_person(self, employee_id: str, cycle_id: str | None = None) -> list[TrainingNeed]:
        """A person's needs (in one cycle, or in every cycle): one Query."""
        index, pk, prefix = keys.person_needs(employee_id, cycle_id)
        return [need_from_item(i) for i in self._query_noted(pk, prefix, index=index)]

    def replace_person(
        self,
        cycle_id: str,
        employee_id: str,
        after: list[TrainingNeed],
        contribution_after: Contribution,
        current: Contribution | None = None,
    ) -> None:
        """Stage a person's needs as `after` (gone ones deleted) and move the aggregates by the change.

        The person's needs as stored travel with their contribution item, whose version guards them all:
        no query of the needs, and the need items need no condition of their own.
        """
        current = current if current is not None else self.contribution(cycle_id, employee_id)
        old = {n.need_id: n for n in current.stored_needs()}
        for n in after:
            prev = old.pop(n.need_id, None)
            if prev is not None and replace(n, version=prev.version).record() == prev.record():
                n.version = prev.version
                continue  # unchanged: no write
            n.version = (prev.version if prev else 0) + 1
            self._uow.add(Put(need_to_item(n)))
        for gone in old.values():
            self._uow.add(Delete(keys.training_need(gone.need_id)))
        contribution_after.needs = [n.record() for n in after]
        self.stage_contribution(cycle_id, employee_id, contribution_after, current)

    def save_need(self, need: TrainingNeed, *, actor: str, action: str, at: str) -> TrainingNeed:
        """Stage an audited change of one need (read in this unit of work)."""
        item = need_to_item(need)
        stored = self._audited(
            keys.entity_need(need.need_id), item, False, actor=actor, action=action, at=at, cycle_id=need.cycle_id
        )
        return need_from_item(stored)

    # --- contributions and aggregates ---

    def read_contribution_along(self, cycle_id: str, employee_id: str) -> None:
        """A person's contribution rides in the next batch read (a submission reads it to move the aggregates)."""
        self._uow.read_along([keys.training_contribution(cycle_id, employee_id)])

    def contribution(self, cycle_id: str, employee_id: str) -> Contribution:
        """What a person adds to a cycle's aggregates now (empty when nothing yet)."""
        item = self._get(keys.training_contribution(cycle_id, employee_id))
        return Contribution.from_dict(item.get("data") if item else None, int(item["version"]) if item else 0)

    def stage_contribution(
        self, cycle_id: str, employee_id: str, after: Contribution, before: Contribution | None = None
    ) -> None:
        """Stage the person's new contribution (versioned) and ADD (new − old) to each aggregate item."""
        before = before if before is not None else self.contribution(cycle_id, employee_id)
        change = deltas(before, after)
        if not change and before.to_dict() == after.to_dict():
            return
        item = {
            **keys.training_contribution(cycle_id, employee_id),
            "type": "training_contribution",
            "data": after.to_dict(),
            "version": before.version + 1,
        }
        self._uow.add(Put(item, expect_version=before.version) if before.version else Put(item, must_not_exist=True))
        self._uow.remember(item)
        for group, counts in sorted(change.items()):
            defaults: dict[str, Any] = {"type": "training_aggregate", "group": group}
            self._uow.add(Increment(keys.training_aggregate(cycle_id, group), counts, defaults))

    def aggregate(self, cycle_id: str, group: str) -> dict[str, Any]:
        """One group's figures of a cycle (empty when nobody counts in it)."""
        return self._table.get(keys.training_aggregate(cycle_id, group)) or {}

    def aggregates(self, cycle_id: str, kind: str) -> list[dict[str, Any]]:
        """Every group of a kind ("DEPT|", "MGR|") of a cycle: one Query."""
        pk, prefix = keys.training_aggregates(cycle_id, kind)
        return list(self._table.query(pk, prefix))

    # --- the catalogue ---

    def topics(self) -> list[Topic]:
        """The whole catalogue, merged topics included (one Query)."""
        pk, prefix = keys.training_topics()
        return [topic_from_item(i) for i in self._query_noted(pk, prefix)]

    def catalogue(self) -> Catalogue:
        """The catalogue, ready to match free text (read once per request's unit of work)."""
        cached = getattr(self, "_catalogue", None)
        if cached is None or not self._uow.identity_map:
            cached = self._catalogue = Catalogue(self.topics())
        return cached

    def save_topic(self, topic: Topic, *, new: bool, actor: str, action: str, at: str) -> Topic:
        """Stage an audited create or change of a topic."""
        self._catalogue = None
        stored = self._audited(
            keys.entity_topic(topic.topic_id), topic_to_item(topic), new, actor=actor, action=action, at=at
        )
        return topic_from_item(stored)

    # --- the schedule and deliveries ---

    def schedule(self) -> ReportSchedule:
        """HR's schedule of the report email (off, weekly or monthly; version 0 until first set)."""
        item = self._get(keys.training_schedule())
        return ReportSchedule(item["frequency"], int(item["version"])) if item else ReportSchedule()

    def save_schedule(self, frequency: str, expected_version: int, actor: str, at: str) -> None:
        """Stage HR's schedule (versioned)."""
        item = {
            **keys.training_schedule(),
            "type": "training_report_schedule",
            "frequency": frequency,
            "set_by": actor,
            "at": at,
            "version": expected_version + 1,
        }
        first = Put(item, must_not_exist=True)
        self._uow.add(Put(item, expect_version=expected_version) if expected_version else first)

    def claim_delivery(self, tick: str, recipient: str, at: str, now: datetime, lease: timedelta) -> Item | None:
        """Claim one report email (None: already sent, or being sent by another run within its lease)."""
        key = keys.training_delivery(tick, recipient)
        current = self._table.get(key, consistent=True)
        if current is not None:
            stale = current["status"] == "sending" and datetime.fromisoformat(current["at"]) + lease < now
            if current["status"] == "sent" or (current["status"] == "sending" and not stale):
                return None
        claim = {**key, "type": "training_report_delivery", "tick": tick, "status": "sending", "at": at}
        claim["version"] = int(current["version"]) + 1 if current else 1
        op = Put(claim, expect_version=int(current["version"])) if current else Put(claim, must_not_exist=True)
        try:
            self._table.transact([op])
        except Conflict:
            return None  # another run took it first
        return claim

    def settle_delivery(self, claim: Item, at: str, error: str = "") -> None:
        """Mark a claimed email sent, or failed (the next run takes it again)."""
        done = {**claim, "status": "failed" if error else "sent", "at": at, "version": int(claim["version"]) + 1}
        if error:
            done["error"] = error[:500]
        self._table.transact([Put(done, expect_version=int(claim["version"]))])

    def deliveries(self, tick: str) -> list[Item]:
        """The claims of one tick (tests and the HR page)."""
        return list(self._table.query(keys.training_delivery(tick, "x")["pk"], "TO#"))
