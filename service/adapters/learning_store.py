"""Continuous learning in the table: `uow.learning` (the log), `uow.planner` (contacts and question bank)
and `uow.learning_stats` (the leadership roll-up).

A person's log is one partition (`LEARN#owner / ACT#id`) and their planner another (`PLAN#owner`):
each is one Query. Activities are audited (they are review evidence); planner items are versioned but
not audited, so private notes are not copied into the audit log.

The roll-up is kept like the goal roll-ups: counters per year and department (`LEARNSTATS#year /
DEPT#d`, plus `TOTAL`) are added to in the transaction that changes an activity, and one marker per
person and group (`LEARNPERSON#owner / Y#year#D#dept#type`) counts their activities there, so the
number of people in a group changes exactly when a marker goes from 0 to 1 or back. The report reads
one Query, whatever the number of activities.
"""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import OwnedRepository, Repository
from service.adapters.store import Delete, Increment, Item, Put
from service.domain.learning import Activity, Contact

if TYPE_CHECKING:
    from service.adapters.ports import UnitOfWorkPort

ALL = "all"  # the group of every type


# An activity's type is stored as `activity_type`: `type` names the kind of item.
ACTIVITY: Codec[Activity] = Codec(
    Activity,
    "learning_activity",
    lambda a: keys.learning_activity(a.owner_id, a.activity_id),
    {"type": "activity_type"},
)
activity_to_item, activity_from_item = ACTIVITY.to_item, ACTIVITY.from_item


class LearningRepository(OwnedRepository[Activity]):
    """A person's learning log, newest first: audited saves, deletes, and the one Query of the log."""

    decode = staticmethod(activity_from_item)
    key = staticmethod(keys.learning_activity)
    partition = staticmethod(keys.learning_log)
    order = staticmethod(lambda a: (a.date, a.created_at))
    newest_first = True

    def get_many(self, owner_id: str, activity_ids: list[str]) -> dict[str, Activity]:
        """Activities of one owner by id (missing ones left out)."""
        ids = list(dict.fromkeys(activity_ids))
        if not ids:
            return {}
        items = self._get_many([keys.learning_activity(owner_id, a) for a in ids])
        return {a.activity_id: a for a in map(activity_from_item, items) if a.owner_id == owner_id}

    def save(self, a: Activity, *, new: bool, actor: str, action: str, at: str) -> Activity:
        """Stage the audited activity (an update must follow its read here); returns it as stored."""
        entity = keys.entity_activity(a.owner_id, a.activity_id)
        item = activity_to_item(a)
        item.pop("version")
        return activity_from_item(self._audited(entity, item, new, actor=actor, action=action, at=at))

    def delete(self, a: Activity) -> None:
        """Stage removing an activity at the version read."""
        self._uow.add(Delete(keys.learning_activity(a.owner_id, a.activity_id), expect_version=a.version))


CONTACT: Codec[Contact] = Codec(
    Contact, "interview_contact", lambda c: keys.interview_contact(c.owner_id, c.contact_id)
)
contact_to_item, contact_from_item = CONTACT.to_item, CONTACT.from_item


class PlannerRepository(OwnedRepository[Contact]):
    """Someone's informational-interview planner: contacts, oldest first, and their question bank (versioned,
    not audited)."""

    decode = staticmethod(contact_from_item)
    key = staticmethod(keys.interview_contact)
    partition = staticmethod(keys.planner_contacts)
    order = staticmethod(lambda c: (c.created_at, c.contact_id))

    def save(self, c: Contact, *, new: bool) -> Contact:
        """Stage a create or a versioned update; returns the contact as stored."""
        item = contact_to_item(c)
        item["version"] = c.version + 1
        self._uow.add(Put(item, must_not_exist=True) if new else Put(item, expect_version=c.version))
        return contact_from_item(self._uow.remember(item) or item)

    def questions(self, owner_id: str) -> tuple[list[str] | None, int]:
        """Someone's question bank and its version (None, 0: never edited)."""
        item = self._get(keys.question_bank(owner_id))
        return (list(item["questions"]), int(item["version"])) if item else (None, 0)

    def save_questions(self, owner_id: str, questions: list[str], version: int) -> None:
        """Stage the question bank at the version read."""
        item = {**keys.question_bank(owner_id), "type": "question_bank", "questions": questions}
        item["version"] = version + 1
        self._uow.add(Put(item, expect_version=version) if version else Put(item, must_not_exist=True))


def _attrs(group: str) -> tuple[str, str, str, str]:
    return f"people_{group}", f"activities_{group}", f"hours10_{group}", f"needs_{group}"


def _needs_people(group: str) -> str:
    return f"needpeople_{group}"  # the people behind `needs_…` (for the report's suppression)


class LearningStats(Repository):
    """The leadership roll-up: counters per year and department, and the people markers behind them."""

    def __init__(self, uow: UnitOfWorkPort) -> None:
        super().__init__(uow)
        self.forget()

    def forget(self) -> None:
        """Drop what was read and changed (a retry starts again from the table)."""
        self._markers: dict[tuple[str, str, str | None, str], list[int]] = {}  # [count, version]
        self._dirty: set[tuple[str, str, str | None, str]] = set()
        self._counts: Counter = Counter()

    def count(self, a: Activity, sign: int) -> None:
        """Add (+1) or take away (-1) one activity in its year, department and type, with the people behind it."""
        year = a.date[:4]
        groups = (a.type.value, ALL)
        self._preload(a.owner_id, year, a.department, groups, a.need_id)
        for department in (a.department, None):
            for group in groups:
                people, activities, hours, needs = _attrs(group)
                marker = self._marker(a.owner_id, year, department, group)
                before = marker[0]
                marker[0] += sign
                self._counts[(year, department, people)] += (before <= 0 < marker[0]) - (marker[0] <= 0 < before)
                self._counts[(year, department, activities)] += sign
                self._counts[(year, department, hours)] += sign * round(a.hours * 10)
                if a.need_id:
                    # A need counts once, however many activities address it; a person once, however many needs.
                    need = self._marker(a.owner_id, year, department, f"need:{group}:{a.need_id}")
                    was = need[0]
                    need[0] += sign
                    change = (was <= 0 < need[0]) - (need[0] <= 0 < was)
                    self._counts[(year, department, needs)] += change
                    if change:
                        held = self._marker(a.owner_id, year, department, f"needs:{group}")
                        before = held[0]
                        held[0] += change
                        moved = (before <= 0 < held[0]) - (held[0] <= 0 < before)
                        self._counts[(year, department, _needs_people(group))] += moved

    def _preload(self, owner: str, year: str, department: str, groups: tuple[str, ...], need: str | None) -> None:
        wanted = [
            (owner, year, d, w)
            for d in (department, None)
            for g in groups
            for w in ((g, f"need:{g}:{need}", f"needs:{g}") if need else (g,))
            if (owner, year, d, w) not in self._markers
        ]
        if not wanted:
            return
        found = {(i["pk"], i["sk"]): i for i in self._table.get_many([keys.learning_marker(*w) for w in wanted])}
        for w in wanted:
            k = keys.learning_marker(*w)
            item = found.get((k["pk"], k["sk"]))
            self._markers[w] = [int(item["count"]), int(item["version"])] if item else [0, 0]

    def _marker(self, owner: str, year: str, department: str | None, what: str) -> list[int]:
        key = (owner, year, department, what)
        self._dirty.add(key)
        return self._markers[key]

    def stage(self) -> None:
        """Stage every changed marker (versioned) and counter (added) once."""
        for key in sorted(self._dirty, key=str):
            count, version = self._markers[key]
            item = {**keys.learning_marker(*key), "type": "learning_marker", "count": count, "version": version + 1}
            self._uow.add(Put(item, expect_version=version) if version else Put(item, must_not_exist=True))
            self._markers[key][1] += 1
        per_item: dict[tuple[str, str | None], dict[str, int]] = {}
        for (year, department, name), value in self._counts.items():
            if value:
                per_item.setdefault((year, department), {})[name] = value
        for (year, department), deltas in sorted(per_item.items(), key=str):
            defaults = {"type": "learning_stats", "department": department or "*", "year": year}
            self._uow.add(Increment(keys.learning_stats(year, department), deltas, defaults))
        self._dirty, self._counts = set(), Counter()

    def year(self, year: str) -> list[Item]:
        """Every counter item of a year (departments and the total): one Query."""
        return [dict(i) for i in self._table.query(keys.learning_stats_year(year), None)]


def cell(item: Item, group: str) -> dict[str, Any]:
    """One group's figures from a counter item: people, activities, hours, needs addressed."""
    people, activities, hours, needs = _attrs(group)
    out = {
        "people": int(item.get(people, 0)),
        "activities": int(item.get(activities, 0)),
        "hours": int(item.get(hours, 0)) / 10,
        "needs": int(item.get(needs, 0)),
    }
    if _needs_people(group) in item or not out["needs"]:
        out["needs_people"] = int(item.get(_needs_people(group), 0))
    return out  # no "needs_people": counted before it was, unknown (the report withholds the needs)
