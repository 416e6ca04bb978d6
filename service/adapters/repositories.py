"""Repositories: domain objects ↔ items. Reads go to the table; writes are staged in a unit of work."""

from __future__ import annotations

from typing import Any

from service.adapters import keys
from service.adapters.store import Item, Put, Table, UnitOfWork
from service.domain.directory import Employee, Role


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
