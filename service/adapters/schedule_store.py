"""Review schedule rules in the table (issue 28, point 4): each rule an audited item, and beside it the cursor of
the daily run (the last day it evaluated the rule through), all in one small partition read by one Query."""

from __future__ import annotations

from datetime import date

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import RecordRepository
from service.adapters.store import Put
from service.domain.schedules import ScheduleRule

RULE: Codec[ScheduleRule] = Codec(ScheduleRule, "schedule_rule", lambda r: keys.schedule_rule(r.rule_id))


class ScheduleRepository(RecordRepository[ScheduleRule]):
    """Schedule rules and the daily run's cursors."""

    codec = RULE
    key = staticmethod(keys.schedule_rule)
    entity = staticmethod(keys.entity_schedule_rule)

    def everything(self) -> tuple[list[ScheduleRule], dict[str, date]]:
        """Every rule, by name, and each rule's cursor (one Query of the partition)."""
        rules: list[ScheduleRule] = []
        through: dict[str, date] = {}
        for item in self._query_noted(*keys.schedules_all()):
            if item["type"] == "schedule_rule":
                rules.append(RULE.from_item(item))
            elif item["type"] == "schedule_cursor":
                through[item["rule_id"]] = date.fromisoformat(item["through"])
        return sorted(rules, key=lambda r: (r.name.casefold(), r.rule_id)), through

    def save(self, rule: ScheduleRule, *, new: bool, actor: str, action: str, at: str) -> ScheduleRule:
        """Stage the audited rule; returns it as stored."""
        return self._save(rule.rule_id, rule, new, actor=actor, action=action, at=at)

    def stage_through(self, rule_id: str, through: date) -> None:
        """Stage the cursor: the rule is evaluated through this day (unconditional: concurrent runs agree)."""
        item = {**keys.schedule_cursor(rule_id), "type": "schedule_cursor", "rule_id": rule_id}
        self._uow.add(Put({**item, "through": through.isoformat()}))
