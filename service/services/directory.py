"""Use cases of the organisation directory: import, and reading people and their relations."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from service.adapters.clock import Clock, iso
from service.adapters.repositories import Directory, import_record_item
from service.adapters.store import MAX_TRANSACTION_ITEMS, Put, Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Employee, ImportPlan, Role, parse_csv, plan_import
from service.domain.errors import NotFound
from service.services.auth import Principal, require_role


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    summary: dict[str, int]
    import_id: str | None
    dry_run: bool
    transactions: int


def import_organisation(
    table: Table, principal: Principal | None, csv_text: str, clock: Clock, dry_run: bool = False
) -> ImportResult:
    """Validate a whole CSV, then apply hires, moves and leavers; a bad file changes nothing.

    `principal` None means the trusted CLI. Changes of up to 99 employees commit in one
    transaction with the import record; larger ones commit in 100-item chunks, each conditional
    on the versions read, and re-running the same file completes an interrupted import.
    """
    if principal is not None:
        require_role(principal, Role.HR)
    incoming = parse_csv(csv_text)
    directory = Directory(table)
    plan = plan_import(directory.all(), incoming)
    if dry_run or plan.changes == 0:
        return ImportResult(plan.summary(), None, dry_run, 0)
    import_id = clock.new_id()
    digest = hashlib.sha256(csv_text.encode()).hexdigest()
    record = import_record_item(
        import_id, iso(clock.now()), principal.employee_id if principal else "cli", plan.summary(), digest
    )
    chunks = _chunks(directory, plan)
    for n, chunk in enumerate(chunks):
        uow = UnitOfWork(table)
        for op in chunk:
            uow.add(op)
        if n == len(chunks) - 1:
            uow.add(Put(record, must_not_exist=True))
        uow.commit()
    return ImportResult(plan.summary(), import_id, False, len(chunks))


def _chunks(directory: Directory, plan: ImportPlan) -> list[list[Put]]:
    staging = UnitOfWork(directory.table)
    for person in plan.created:
        directory.stage_save(staging, person, new=True)
    for _, after in plan.updated + plan.deactivated:
        directory.stage_save(staging, after, new=False)
    ops = staging.ops
    size = MAX_TRANSACTION_ITEMS - 1  # room for the import record in the last chunk
    return [ops[i : i + size] for i in range(0, len(ops), size)] or [[]]


def get_person(table: Table, employee_id: str) -> Employee:
    """One person (leavers included, marked inactive)."""
    person = Directory(table).get(employee_id)
    if person is None:
        raise NotFound(f"no employee {employee_id!r}")
    return person


def direct_reports(table: Table, employee_id: str) -> list[Employee]:
    """A person's active direct reports."""
    get_person(table, employee_id)
    return Directory(table).reports(employee_id)


def management_chain(table: Table, employee_id: str) -> list[Employee]:
    """The people above someone, their manager first, up to the top (one Get + one BatchGet)."""
    person = get_person(table, employee_id)
    found = Directory(table).get_many(list(person.chain))
    return [found[i] for i in reversed(person.chain) if i in found]


def department(table: Table, name: str) -> list[Employee]:
    """Active people of a department."""
    people = Directory(table).department(name)
    if not people:
        raise NotFound(f"no department {name!r}")
    return people


def people_for_signin(table: Table) -> list[Employee]:
    """Active people, by department then name (the local sign-in chooser)."""
    people = [p for p in Directory(table).all() if p.active]
    return sorted(people, key=lambda p: (p.department.casefold(), p.name.casefold()))
