"""Repositories: domain objects ↔ items. Reads go to the table; writes are staged in a unit of work."""

from __future__ import annotations

from datetime import date as _date
from typing import Any

from service.adapters import keys
from service.adapters.store import Item, Put, Table, UnitOfWork
from service.domain.cycles import Cycle, CycleState, ParticipantMode, Phase
from service.domain.directory import Employee, Role
from service.domain.goals import AT_RISK, Goal, GoalLevel, GoalStatus, KeyResult
from service.domain.reviews import Review, ReviewState
from service.domain.templates import Template, template_from_dict, template_to_dict


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


class Directory:
    """Employees in the table."""

    def __init__(self, table: Table) -> None:
        self.table = table

    def get(self, employee_id: str) -> Employee | None:
        """One employee, or None."""
        item = self.table.get(keys.employee(employee_id))
        return employee_from_item(item) if item else None

    def get_many(self, employee_ids: list[str]) -> dict[str, Employee]:
        """Employees by id (missing ids are left out)."""
        items = self.table.get_many([keys.employee(i) for i in employee_ids])
        return {e.employee_id: e for e in map(employee_from_item, items)}

    def all(self) -> list[Employee]:
        """Every employee, leavers included (one paginated Query on the ORG partition)."""
        pk, prefix = keys.employee_prefix()
        return [employee_from_item(i) for i in self.table.query(pk, prefix)]

    def reports(self, manager_id: str) -> list[Employee]:
        """Active direct reports of a manager, by name."""
        index, pk = keys.reports_index(manager_id)
        people = [employee_from_item(i) for i in self.table.query(pk, "EMP#", index=index)]
        return sorted((p for p in people if p.active), key=lambda p: p.name.casefold())

    def department(self, department: str) -> list[Employee]:
        """Active people of a department, by name."""
        index, pk = keys.department_index(department)
        return [p for p in (employee_from_item(i) for i in self.table.query(pk, "NAME#", index=index)) if p.active]

    def stage_save(self, uow: UnitOfWork, e: Employee, new: bool) -> None:
        """Stage a create (must not exist) or a versioned update."""
        if new:
            uow.add(Put(employee_to_item(e), must_not_exist=True))
        else:
            item = employee_to_item(e)
            item["version"] = e.version + 1
            uow.add(Put(item, expect_version=e.version))


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
