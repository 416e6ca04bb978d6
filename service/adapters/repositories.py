"""Repositories: domain objects ↔ items. Reads go to the table; writes are staged in the unit of work.

Each repository owns its keys (built by `keys`), its item codec and its queries; an audited write
puts the entity and its hash-chained audit record in the same transaction (`audited.stage_audited`).
Use cases reach them as `uow.reviews`, `uow.cycles`, ... and never see a key or the table.
"""

from __future__ import annotations

from dataclasses import asdict, fields
from datetime import date as _date
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from service.adapters import keys
from service.adapters.audited import stage_audited
from service.adapters.store import Check, Increment, Item, Put, Table
from service.domain.actions import Action
from service.domain.cycles import Cycle, CycleState, ParticipantMode, Phase
from service.domain.directory import Employee, Role
from service.domain.goals import AT_RISK, Goal, GoalLevel, GoalStatus, KeyResult
from service.domain.reviews import Review, ReviewState
from service.domain.templates import Template, template_from_dict, template_to_dict

if TYPE_CHECKING:
    from service.adapters.unit_of_work import UnitOfWork


def employee_to_item(e: Employee) -> Item:
    """Employee → table item (with its index attributes)."""
    item: Item = {
        **keys.employee(e.employee_id),
        "type": "employee",
        "employee_id": e.employee_id,
        "name": e.name,
        "email": e.email,
        "title": e.title,
        "department": e.department,
        "manager_id": e.manager_id,
        "roles": sorted(r.value for r in e.roles),
        "active": e.active,
        "chain": list(e.chain),
        "version": e.version,
    }
    item.update(keys.employee_gsi1(e.manager_id, e.employee_id))
    item.update(keys.employee_gsi2(e.department, e.name, e.employee_id))
    return item


def employee_from_item(item: Item) -> Employee:
    """Table item → Employee."""
    return Employee(
        employee_id=item["employee_id"],
        name=item["name"],
        email=item["email"],
        title=item.get("title", ""),
        department=item.get("department", ""),
        manager_id=item.get("manager_id"),
        roles=frozenset(Role(r) for r in item.get("roles", ["employee"])),
        active=bool(item.get("active", True)),
        chain=tuple(item.get("chain", [])),
        version=int(item.get("version", 0)),
    )


class _Repository:
    """Base: reads through the unit of work's table, writes staged on it."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    @property
    def _table(self) -> Table:
        return self._uow.table

    def _get(self, key: dict[str, str], consistent: bool = False) -> Item | None:
        # The identity map: an item read once in this unit of work is not read again.
        hit = None if consistent else self._uow.cached(key)
        return hit if hit is not None else self._uow.remember(self._table.get(key, consistent=consistent))

    def _get_many(self, key_list: list[dict[str, str]]) -> list[Item]:
        hits = [i for i in (self._uow.cached(k) for k in key_list) if i is not None]
        known = {(i["pk"], i["sk"]) for i in hits}
        missing = [k for k in key_list if (k["pk"], k["sk"]) not in known]
        fetched = self._table.get_many(missing) if missing else []
        return hits + [self._uow.remember(i) for i in fetched]  # type: ignore[misc]

    def _before(self, key: dict[str, str]) -> Item | None:
        """The item as this unit of work read it (an audited update diffs against it)."""
        return self._uow.seen.get((key["pk"], key["sk"]))

    def _audited(self, entity: str, key: dict[str, str], after: Item, new: bool, **audit: Any) -> Item:
        before = None if new else self._before(key)
        if not new and before is None:
            raise RuntimeError(f"{entity}: an update must follow a read in the same unit of work")
        stored = stage_audited(self._uow, entity=entity, before=before, after=after, **audit)
        self._uow.remember(stored)
        return stored


class DirectoryRepository(_Repository):
    """Employees."""

    def get(self, employee_id: str) -> Employee | None:
        """One employee, or None."""
        item = self._get(keys.employee(employee_id))
        return employee_from_item(item) if item else None

    def get_many(self, employee_ids: list[str]) -> dict[str, Employee]:
        """Employees by id (missing ids are left out)."""
        if not employee_ids:
            return {}
        items = self._get_many([keys.employee(i) for i in employee_ids])
        return {e.employee_id: e for e in map(employee_from_item, items)}

    def names(self, employee_ids: list[str]) -> dict[str, str]:
        """Names by id (missing ids are left out)."""
        return {k: e.name for k, e in self.get_many(sorted(set(employee_ids))).items()}

    def all(self) -> list[Employee]:
        """Every employee, leavers included (one paginated Query on the ORG partition)."""
        pk, prefix = keys.employee_prefix()
        return [employee_from_item(i) for i in self._table.query(pk, prefix)]

    def reports(self, manager_id: str) -> list[Employee]:
        """Active direct reports of a manager, by name."""
        index, pk = keys.reports_index(manager_id)
        people = [employee_from_item(i) for i in self._table.query(pk, "EMP#", index=index)]
        return sorted((p for p in people if p.active), key=lambda p: p.name.casefold())

    def department(self, department: str) -> list[Employee]:
        """Active people of a department, by name."""
        index, pk = keys.department_index(department)
        people = (employee_from_item(i) for i in self._table.query(pk, "NAME#", index=index))
        return [p for p in people if p.active]

    def save(self, e: Employee, new: bool) -> None:
        """Stage a create (must not exist) or a versioned update."""
        if new:
            self._uow.add(Put(employee_to_item(e), must_not_exist=True))
        else:
            item = employee_to_item(e)
            item["version"] = e.version + 1
            self._uow.add(Put(item, expect_version=e.version))


class ImportLog(_Repository):
    """Append-only records of applied organisation imports."""

    def add(self, import_id: str, at: str, actor: str, summary: dict[str, Any], source: str) -> None:
        """Stage the record of one applied import."""
        self._uow.add(Put(import_record_item(import_id, at, actor, summary, source), must_not_exist=True))

    def latest(self, limit: int = 50) -> list[Item]:
        """The newest import records first."""
        pk, prefix = keys.import_prefix()
        return [_plain_record(i) for i in self._table.query_page(pk, prefix, limit=limit, descending=True).items]


def _plain_record(item: Item) -> Item:
    return {k: v for k, v in item.items() if k not in ("pk", "sk", "type")}


def import_record_item(import_id: str, at: str, actor: str, summary: dict[str, Any], source: str) -> Item:
    """An append-only record of one applied import."""
    return {
        **keys.org_import(at, import_id),
        "type": "org_import",
        "import_id": import_id,
        "at": at,
        "actor": actor,
        "summary": summary,
        "source": source,
        "version": 1,
    }


# --- templates, cycles, reviews ----------------------------------------------------------------


def template_to_item(t: Template) -> Item:
    """Template → item (current version)."""
    return {
        **keys.template(t.template_id),
        "type": "template",
        **template_to_dict(t),
        **keys.template_list_gsi1(t.name, t.template_id),
    }


def template_from_item(item: Item) -> Template:
    """Item → Template."""
    return template_from_dict(item)


def cycle_to_item(c: Cycle) -> Item:
    """Cycle → item."""
    return {
        **keys.cycle(c.cycle_id),
        "type": "cycle",
        "cycle_id": c.cycle_id,
        "name": c.name,
        "period_start": c.period_start.isoformat(),
        "period_end": c.period_end.isoformat(),
        "template_id": c.template_id,
        "phases": {p.value: d.isoformat() for p, d in c.phases.items()},
        "participant_mode": c.participant_mode.value,
        "departments": list(c.departments),
        "employee_ids": list(c.employee_ids),
        "carry_over_goals": c.carry_over_goals,
        "skip_level_read": c.skip_level_read,
        "rehearsal": c.rehearsal,
        "state": c.state.value,
        "template_snapshot": c.template_snapshot,
        "participants": list(c.participants),
        "launched_at": c.launched_at,
        "closed_at": c.closed_at,
        "created_at": c.created_at,
        "created_by": c.created_by,
        "version": c.version,
        "audit_head": c.audit_head,
        **keys.cycle_list_gsi1(c.created_at, c.cycle_id),
    }


def cycle_from_item(item: Item) -> Cycle:
    """Item → Cycle."""
    return Cycle(
        cycle_id=item["cycle_id"],
        name=item["name"],
        period_start=_date.fromisoformat(item["period_start"]),
        period_end=_date.fromisoformat(item["period_end"]),
        template_id=item["template_id"],
        phases={Phase(p): _date.fromisoformat(d) for p, d in item.get("phases", {}).items()},
        participant_mode=ParticipantMode(item.get("participant_mode", "everyone")),
        departments=list(item.get("departments", [])),
        employee_ids=list(item.get("employee_ids", [])),
        carry_over_goals=bool(item.get("carry_over_goals", False)),
        skip_level_read=bool(item.get("skip_level_read", True)),
        rehearsal=bool(item.get("rehearsal", False)),
        state=CycleState(item["state"]),
        template_snapshot=item.get("template_snapshot"),
        participants=list(item.get("participants", [])),
        launched_at=item.get("launched_at"),
        closed_at=item.get("closed_at"),
        created_at=item.get("created_at", ""),
        created_by=item.get("created_by", ""),
        version=int(item.get("version", 0)),
        audit_head=item.get("audit_head", ""),
    )


def review_to_item(r: Review) -> Item:
    """Review → item (with its history and team index attributes)."""
    return {
        **keys.review(r.cycle_id, r.employee_id),
        "type": "review",
        "cycle_id": r.cycle_id,
        "employee_id": r.employee_id,
        "employee_name": r.employee_name,
        "department": r.department,
        "manager_id": r.manager_id,
        "cycle_name": r.cycle_name,
        "period_start": r.period_start,
        "state": r.state.value,
        "self_assessment": r.self_assessment,
        "manager_assessment": r.manager_assessment,
        "discussion": r.discussion,
        "acknowledgement": r.acknowledgement,
        "submitted": r.submitted,
        "finalised_by": r.finalised_by,
        "score": r.score,
        "last_return": r.last_return,
        "version": r.version,
        "audit_head": r.audit_head,
        **keys.review_gsi(r.employee_id, r.period_start, r.cycle_id),
    }


def review_from_item(item: Item) -> Review:
    """Item → Review."""
    return Review(
        cycle_id=item["cycle_id"],
        employee_id=item["employee_id"],
        employee_name=item.get("employee_name", ""),
        department=item.get("department", ""),
        manager_id=item.get("manager_id"),
        cycle_name=item.get("cycle_name", ""),
        period_start=item.get("period_start", ""),
        state=ReviewState(item["state"]),
        self_assessment=item.get("self_assessment"),
        manager_assessment=item.get("manager_assessment"),
        discussion=item.get("discussion"),
        acknowledgement=item.get("acknowledgement"),
        submitted=item.get("submitted"),
        finalised_by=item.get("finalised_by"),
        score=item.get("score"),
        last_return=item.get("last_return"),
        version=int(item.get("version", 0)),
        audit_head=item.get("audit_head", ""),
    )


def stats_counts(item: Item | None) -> tuple[dict[str, int], dict[str, dict[str, int]], int, int]:
    """(per state, per department per state, launched, expected) from a cycle's counter item."""
    per_state: dict[str, int] = {}
    per_dept: dict[str, dict[str, int]] = {}
    for name, value in (item or {}).items():
        parts = name.split("#")
        if parts[0] == "n" and len(parts) == 2:
            per_state[parts[1]] = int(value)
        elif parts[0] == "d" and len(parts) == 3:
            per_dept.setdefault(parts[1], {})[parts[2]] = int(value)
    return per_state, per_dept, int((item or {}).get("launched", 0)), int((item or {}).get("expected", 0))


def state_deltas(department: str, before: str | None, after: str) -> dict[str, int]:
    """Counter changes for a review moving from one state to another (None: newly created)."""
    deltas: dict[str, int] = {}
    dept = department.replace("#", " ")
    if before == after:
        return deltas
    if before is not None:
        deltas[f"n#{before}"] = -1
        deltas[f"d#{dept}#{before}"] = -1
    deltas[f"n#{after}"] = 1
    deltas[f"d#{dept}#{after}"] = 1
    return deltas


# --- goals -------------------------------------------------------------------------------------


def goal_to_item(g: Goal) -> Item:
    """Goal → item (with its index attributes)."""
    return {
        **keys.goal(g.goal_id),
        "type": "goal",
        "goal_id": g.goal_id,
        "level": g.level.value,
        "owner_id": g.owner_id,
        "title": g.title,
        "description": g.description,
        "key_results": [
            {"id": k.id, "title": k.title, "start": k.start, "target": k.target, "current": k.current, "unit": k.unit}
            for k in g.key_results
        ],
        "weight": g.weight,
        "due": g.due.isoformat() if g.due else None,
        "status": g.status.value,
        "cycle_id": g.cycle_id,
        "parent_id": g.parent_id,
        "department": g.department,
        "source_goal_id": g.source_goal_id,
        "carried_from": g.carried_from,
        "history": g.history,
        "created_at": g.created_at,
        "created_by": g.created_by,
        "version": g.version,
        "audit_head": g.audit_head,
        **keys.goal_gsi(g.goal_id, g.level.value, g.owner_id, g.cycle_id, g.parent_id, g.status in AT_RISK),
    }


def goal_from_item(item: Item) -> Goal:
    """Item → Goal."""
    return Goal(
        goal_id=item["goal_id"],
        level=GoalLevel(item["level"]),
        owner_id=item["owner_id"],
        title=item["title"],
        description=item.get("description", ""),
        key_results=[
            KeyResult(
                k["id"], k["title"], float(k["start"]), float(k["target"]), float(k["current"]), k.get("unit", "")
            )
            for k in item.get("key_results", [])
        ],
        weight=int(item.get("weight", 0)),
        due=_date.fromisoformat(item["due"]) if item.get("due") else None,
        status=GoalStatus(item.get("status", "on_track")),
        cycle_id=item.get("cycle_id"),
        parent_id=item.get("parent_id"),
        department=item.get("department", ""),
        source_goal_id=item.get("source_goal_id"),
        carried_from=item.get("carried_from"),
        history=list(item.get("history", [])),
        created_at=item.get("created_at", ""),
        created_by=item.get("created_by", ""),
        version=int(item.get("version", 0)),
        audit_head=item.get("audit_head", ""),
    )


# --- repositories of the review workflow ---------------------------------------------------------


class TemplateRepository(_Repository):
    """Review templates: the current version plus an immutable copy of every saved version."""

    def get(self, template_id: str, version: int | None = None) -> Template | None:
        """The current template, one saved version, or None."""
        key = keys.template(template_id) if version is None else keys.template_version(template_id, version)
        item = self._get(key)
        return template_from_dict(item) if item else None

    def list(self) -> list[Template]:
        """Every template, by name."""
        return [template_from_item(i) for i in self._table.query("TEMPLATES", index="gsi1")]

    def save(self, t: Template, *, new: bool, actor: str, action: str, at: str) -> Template:
        """Stage the audited template and its immutable versioned copy; returns it as stored."""
        stored = template_from_item(
            self._audited(
                keys.entity_template(t.template_id),
                keys.template(t.template_id),
                template_to_item(t),
                new,
                actor=actor,
                action=action,
                at=at,
            )
        )
        copy_item = template_to_item(stored)
        for name in ("gsi1pk", "gsi1sk"):
            copy_item.pop(name)
        copy_item.update(keys.template_version(stored.template_id, stored.version), type="template_version")
        self._uow.add(Put(copy_item, must_not_exist=True))
        return stored


class CycleRepository(_Repository):
    """Review cycles and their counters of reviews per state."""

    def get(self, cycle_id: str) -> Cycle | None:
        """One cycle, or None."""
        item = self._get(keys.cycle(cycle_id))
        return cycle_from_item(item) if item else None

    def list(self) -> list[Cycle]:
        """Every cycle, newest first."""
        return [cycle_from_item(i) for i in self._table.query("CYCLES", index="gsi1", descending=True)]

    def save(self, c: Cycle, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> Cycle:
        """Stage the audited cycle; returns it as stored."""
        after = cycle_to_item(c)
        entity = keys.entity_cycle(c.cycle_id)
        audit = {"actor": actor, "action": action, "at": at, "reason": reason, "cycle_id": c.cycle_id}
        return cycle_from_item(self._audited(entity, keys.cycle(c.cycle_id), after, new, **audit))

    def expect_unchanged(self, c: Cycle) -> None:
        """Stage a guard: the write fails if the cycle changed since it was read (a close in between)."""
        self._uow.add(Check(keys.cycle(c.cycle_id), expect_version=c.version))

    def counts(self, cycle_id: str) -> tuple[dict[str, int], dict[str, dict[str, int]], int, int]:
        """(per state, per department per state, launched, expected) from the cycle's counters."""
        return stats_counts(self._get(keys.cycle_stats(cycle_id)))

    def count(self, cycle_id: str, deltas: dict[str, int]) -> None:
        """Stage changes to the cycle's counters (no condition: counters add up)."""
        if deltas:
            key = keys.cycle_stats(cycle_id)
            self._uow.seen.pop((key["pk"], key["sk"]), None)  # counters move: read them again after this
            self._uow.add(Increment(key, deltas, {"type": "cycle_stats"}))

    def departments(self, cycle_ids: list[str]) -> list[str]:
        """The departments with reviews in these cycles, from their counters: one batch read, whatever the
        size of the organisation."""
        names: set[str] = set()
        for item in self._get_many([keys.cycle_stats(c) for c in cycle_ids]) if cycle_ids else []:
            _per_state, per_dept, _launched, _expected = stats_counts(item)
            names.update(d for d, states in per_dept.items() if any(states.values()))
        return sorted(names)

    def prefetch(self, cycle_id: str, people: list[str]) -> None:
        """Read a cycle, its counters, its feedback settings and these people in one batch (later reads are
        served from it)."""
        wanted = [keys.cycle(cycle_id), keys.cycle_stats(cycle_id), *(keys.employee(p) for p in people)]
        self._get_many([*wanted, keys.feedback_settings(cycle_id)])  # the dashboard's feedback section (issue 9)
        self._uow.feedback.mark_prefetched(cycle_id)


class ReviewRepository(_Repository):
    """Reviews: one per participant per cycle, in the cycle's partition and the person's history."""

    def get(self, cycle_id: str, employee_id: str) -> Review | None:
        """One review, or None."""
        item = self._get(keys.review(cycle_id, employee_id))
        return review_from_item(item) if item else None

    def get_many(self, cycle_id: str, employee_ids: list[str]) -> list[Review]:
        """The reviews of these people in a cycle (missing ones are left out)."""
        if not employee_ids:
            return []
        return [review_from_item(i) for i in self._get_many([keys.review(cycle_id, e) for e in employee_ids])]

    def page(self, cycle_id: str, cursor: Any = None, limit: int = 100) -> tuple[list[Review], Any]:
        """A page of a cycle's reviews, and the cursor of the next page."""
        page = self._table.query_page(keys.cycle(cycle_id)["pk"], "REVIEW#", limit=limit, cursor=cursor)
        return [review_from_item(i) for i in page.items], page.cursor

    def of_cycle(self, cycle_id: str) -> list[Review]:
        """Every review of a cycle (paginated underneath)."""
        return [review_from_item(i) for i in self._table.query(keys.cycle(cycle_id)["pk"], "REVIEW#")]

    def prefetch(self, cycle_id: str, employee_id: str, people: list[str]) -> None:
        """Read a review, its cycle and these people in one batch (later reads of them are served from it)."""
        wanted = [keys.cycle(cycle_id), keys.review(cycle_id, employee_id), *(keys.employee(p) for p in people)]
        wanted.append(keys.feedback_settings(cycle_id))  # the review shows its feedback groups (issue 9)
        self._get_many(wanted)
        self._uow.feedback.mark_prefetched(cycle_id)

    def history(self, employee_id: str) -> tuple[list[Review], list[Action]]:
        """A person's reviews across cycles and the actions about them, from one query."""
        index, pk = keys.person_history(employee_id)
        reviews, actions = [], []
        for item in self._table.query(pk, index=index):
            if item["type"] == "review":
                reviews.append(review_from_item(item))
            elif item["type"] == "action":
                actions.append(action_from_item(item))
        return reviews, actions

    def save(self, r: Review, *, new: bool, actor: str, action: str, at: str, reason: str = "") -> Review:
        """Stage the audited review; returns it as stored."""
        entity = keys.entity_review(r.cycle_id, r.employee_id)
        audit = {"actor": actor, "action": action, "at": at, "reason": reason, "cycle_id": r.cycle_id}
        key = keys.review(r.cycle_id, r.employee_id)
        return review_from_item(self._audited(entity, key, review_to_item(r), new, **audit))


class ActionRepository(_Repository):
    """Tracked actions (remediation of obstacles, agreed in discussions)."""

    def get(self, action_id: str) -> Action | None:
        """One action, or None."""
        item = self._get(keys.action(action_id))
        return action_from_item(item) if item else None

    def get_many(self, action_ids: list[str]) -> dict[str, Action]:
        """Actions by id (missing ones are left out)."""
        return {i["action_id"]: action_from_item(i) for i in self._get_many([keys.action(a) for a in action_ids])}

    def owned_by(self, owner_id: str) -> list[Action]:
        """Actions someone owns: open ones first, by due date."""
        index, pk = keys.owner_actions(owner_id)
        return [action_from_item(i) for i in self._table.query(pk, index=index)]

    def about(self, employee_id: str) -> list[Action]:
        """Actions about a person, across cycles, oldest first."""
        index, pk = keys.person_history(employee_id)
        return [action_from_item(i) for i in self._table.query(pk, "ACTION#", index=index)]

    def save(self, action: Action, *, new: bool, actor: str, action_name: str, at: str) -> Action:
        """Stage the audited action (with its history and owner index attributes); returns it as stored."""
        a = asdict(action)
        item = {
            **a,
            **keys.action(a["action_id"]),
            "type": "action",
            **keys.action_gsi(a["subject_id"], a["created_at"], a["action_id"], a["owner_id"], a["status"], a["due"]),
        }
        item.pop("version", None)
        entity = keys.entity_action(a["action_id"])
        audit = {"actor": actor, "action": action_name, "at": at, "cycle_id": a["cycle_id"]}
        return action_from_item(self._audited(entity, keys.action(a["action_id"]), item, new, **audit))


def action_from_item(item: Item) -> Action:
    """Item → action (its fields, no keys)."""
    return Action(**{f.name: item.get(f.name) for f in fields(Action)})


class AuditLog(_Repository):
    """The append-only, hash-chained audit records (written only through audited saves)."""

    def of_review(self, cycle_id: str, employee_id: str) -> list[Item]:
        """The trail of one review, oldest first."""
        return self._of(keys.entity_review(cycle_id, employee_id))

    def of_entity(self, entity: str) -> list[Item]:
        """The trail of one audited entity by its audit name (from the records themselves)."""
        return self._of(entity)

    def _of(self, entity: str) -> list[Item]:
        pk = keys.audit(entity, 0)["pk"]
        return [_audit_record(i) for i in self._table.query(pk, "V#")]

    def of_cycle(self, cycle_id: str, hide_person: str | None = None) -> list[Item]:
        """Every record of a cycle and its reviews and actions, in time order.

        `hide_person` leaves out that person's own review and the actions about them.
        """
        index, pk = keys.cycle_audit_index(cycle_id)
        records = [_audit_record(i) for i in self._table.query(pk, index=index)]
        if hide_person is None:
            return records
        own_review = keys.entity_review(cycle_id, hide_person)
        return [r for r in records if r["entity"] != own_review and not keys.action_is_about(r["entity"], hide_person)]


AUDIT_FIELDS = ("entity", "version", "at", "actor", "action", "reason", "changes", "prev_hash", "hash")


def _audit_record(item: Item) -> Item:
    return {k: item.get(k) for k in AUDIT_FIELDS}


class ReminderLog(_Repository):
    """Claims on reminder and escalation emails: at most one reminder a person a day, one escalation a task.

    A claim is taken before a send ("sending") and settled after it ("sent" or "failed"); a failed send,
    or a claim left "sending" by a run that stopped (older than the lease), is open to the next run.
    Claims are written at once, not in the unit of work's transaction: each guards one email.
    """

    def claim_day(
        self, employee_id: str, day: str, at: str, now: datetime, lease: timedelta, rehearsal_of: str | None = None
    ) -> Item | None:
        """Take today's reminder of a person (or of a rehearsal cycle's tasks, which go to HR): the claim, or None
        when it is sent or being sent."""
        return self._claim(keys.reminder_day(employee_id, day, rehearsal_of), at, now, lease)

    def claim_escalation(
        self, cycle_id: str, employee_id: str, task: str, at: str, now: datetime, lease: timedelta
    ) -> Item | None:
        """Take the escalation of one overdue task: the claim, or None when it is sent or being sent."""
        return self._claim(keys.escalation(cycle_id, employee_id, task), at, now, lease)

    def _claim(self, key: dict[str, str], at: str, now: datetime, lease: timedelta) -> Item | None:
        from service.domain.errors import Conflict

        # The claim id makes each claim unique, so a commit's read-back never takes another run's claim for its own.
        claim = {**key, "type": "reminder_log", "status": CLAIM_SENDING, "at": at, "version": 1, "claim_id": _nonce()}
        try:
            self._write_now(Put(claim, must_not_exist=True))
            return claim
        except Conflict:
            pass
        item = self._table.get(key, consistent=True)
        if item is None or not _claim_open(item, now, lease):
            return None
        claim = {**item, "status": CLAIM_SENDING, "at": at, "version": int(item["version"]) + 1, "claim_id": _nonce()}
        try:
            self._write_now(Put(claim, expect_version=int(item["version"])))
        except Conflict:  # another run took it first
            return None
        return claim

    def _write_now(self, op: Put) -> None:
        """One claim write, committed at once through its own unit of work (idempotent like every commit)."""
        from service.adapters.unit_of_work import UnitOfWork

        with UnitOfWork(self._table) as uow:
            uow.add(op)
            uow.commit()

    def settle(self, claim: Item, at: str, error: str | None = None) -> bool:
        """Record how the send went: sent, or failed (the next run sends it again). False: taken over meanwhile."""
        from service.domain.errors import Conflict

        if error:
            status = {"status": CLAIM_FAILED, "error": error[:500]}
        else:
            status = {"status": CLAIM_SENT, "sent_at": at, "error": None}
        item = {**claim, **status, "version": claim["version"] + 1}
        try:
            self._write_now(Put(item, expect_version=claim["version"]))
        except Conflict:  # a later run took the claim over (this one outlived the lease): that run settles it
            return False
        return True


CLAIM_SENDING, CLAIM_SENT, CLAIM_FAILED = "sending", "sent", "failed"


def _nonce() -> str:
    import uuid

    return uuid.uuid4().hex


def _claim_open(item: Item, now: datetime, lease: timedelta) -> bool:
    """True when a claim's message was not sent: its send failed, or its sender stopped before saying."""
    status = item.get("status", CLAIM_SENT)  # logs written before sends were settled count as sent
    if status == CLAIM_FAILED:
        return True
    return status == CLAIM_SENDING and datetime.fromisoformat(item["at"]) <= now - lease
