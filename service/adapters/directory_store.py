"""The organisation in the table: `uow.directory` (employees) and `uow.imports` (the applied imports).

An employee is one item in the `ORG` partition, indexed by manager (gsi1) and by department and name (gsi2).
"""

from __future__ import annotations

from typing import Any

from service.adapters import keys
from service.adapters.codec import Codec
from service.adapters.repository import Repository
from service.adapters.store import Delete, Item, Put
from service.domain.directory import Employee


def _employee_keys(e: Employee) -> Item:
    """The key of an employee, and their places in the index by manager (gsi1) and by department (gsi2)."""
    keyed = keys.employee(e.employee_id)
    keyed.update(
        keys.employee_gsi1(e.manager_id, e.employee_id), **keys.employee_gsi2(e.department, e.name, e.employee_id)
    )
    return keyed


EMPLOYEE: Codec[Employee] = Codec(Employee, "employee", _employee_keys)
employee_to_item, employee_from_item = EMPLOYEE.to_item, EMPLOYEE.from_item


class DirectoryRepository(Repository):
    """Employees."""

    def __init__(self, uow: Any) -> None:
        super().__init__(uow)
        self._reports: dict[str, list[Employee]] = {}  # like the identity map: a manager's reports read once

    def get(self, employee_id: str) -> Employee | None:
        """One employee, or None."""
        return self._read(employee_from_item, keys.employee(employee_id))

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
        """Active direct reports of a manager, by name (read once per unit of work that keeps an identity map, until
        it stages a change to the directory)."""
        if manager_id not in self._reports or not self._uow.identity_map:
            index, pk = keys.reports_index(manager_id)
            people = [employee_from_item(i) for i in self._table.query(pk, "EMP#", index=index)]
            self._reports[manager_id] = sorted((p for p in people if p.active), key=lambda p: p.name.casefold())
        return list(self._reports[manager_id])

    def department(self, department: str) -> list[Employee]:
        """Active people of a department, by name."""
        index, pk = keys.department_index(department)
        people = (employee_from_item(i) for i in self._table.query(pk, "NAME#", index=index))
        return [p for p in people if p.active]

    def save(self, e: Employee, new: bool) -> None:
        """Stage a create (must not exist) or a versioned update."""
        self._reports.clear()  # someone's reports may change with it
        if new:
            self._uow.add(Put(employee_to_item(e), must_not_exist=True))
        else:
            item = employee_to_item(e)
            item["version"] = e.version + 1
            self._uow.add(Put(item, expect_version=e.version))

    def index_email(self, e: Employee) -> None:
        """Stage whose this person's address is (a hire, a changed address, or the first filling of the index)."""
        item = {**keys.employee_email(e.email), "type": "employee_email", "employee_id": e.employee_id, "name": e.name}
        self._uow.add(Put(item))

    def unindex_email(self, address: str) -> None:
        """Stage the removal of an address nobody has any more."""
        self._uow.add(Delete(keys.employee_email(address)))

    def emails_complete(self) -> bool:
        """Whether every person's address is indexed (else `index_everyone` is due: one GetItem)."""
        return self._get(keys.employee_emails_complete()) is not None

    def index_everyone(self, people: list[Employee]) -> None:
        """Stage every address, and the mark that the index is complete (the first import that fills it)."""
        for e in people:
            if e.email:
                self.index_email(e)
        self._uow.add(Put({**keys.employee_emails_complete(), "type": "employee_emails"}))

    def owners_of(self, addresses: list[str]) -> dict[str, tuple[str, str]] | None:
        """(id, name) of whose each of these addresses is, by address in lower case (unknown ones left out): the
        index and its mark in one batch read. None while the index is not complete (the caller reads the
        directory instead)."""
        wanted = {keys.employee_email(a)["sk"]: a.strip().casefold() for a in addresses if a.strip()}
        items = self._get_many([keys.employee_emails_complete(), *(keys.employee_email(a) for a in wanted.values())])
        if not any(i["sk"] == keys.employee_emails_complete()["sk"] for i in items):
            return None
        return {wanted[i["sk"]]: (str(i["employee_id"]), str(i["name"])) for i in items if i["sk"] in wanted}

    def by_emails(self, addresses: list[str]) -> dict[str, Employee] | None:
        """The people with these addresses, by address in lower case (unknown ones left out): `owners_of`, then
        the people in a batch read. None while the index is not complete."""
        owners = self.owners_of(addresses)
        if owners is None:
            return None
        people = self.get_many(sorted({e for e, _ in owners.values()}))
        found = {a: people[e] for a, (e, _) in owners.items() if e in people}
        return {a: p for a, p in found.items() if p.email.casefold() == a}

    def note_manager_change(self, employee_id: str) -> None:
        """Stage the mark that this person's open reviews are to follow their new manager (issue 24: the move then
        reads only the marked people's reviews, never every review of the running cycles)."""
        self._uow.add(Put({**keys.manager_change(employee_id), "type": "manager_change", "employee_id": employee_id}))

    def manager_changes(self) -> list[str]:
        """The people marked by `note_manager_change` whose reviews have not followed yet (one paged Query)."""
        pk, prefix = keys.manager_changes()
        return [str(i["employee_id"]) for i in self._table.query(pk, prefix)]

    def settle_manager_changes(self, employee_ids: list[str]) -> None:
        """Stage the removal of these people's marks (their reviews followed)."""
        for employee_id in employee_ids:
            self._uow.add(Delete(keys.manager_change(employee_id)))


class ImportLog(Repository):
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
