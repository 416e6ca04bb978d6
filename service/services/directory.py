"""Use cases of the organisation directory: import, and reading people and their relations."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from service.adapters.clock import Clock, iso
from service.adapters.store import MAX_TRANSACTION_ITEMS
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Employee, Role, parse_csv, plan_import
from service.domain.errors import NO_PERSON, NotAuthenticated, NotFound
from service.services import policy
from service.services.auth import Principal
from service.services.policy import require_role

T = TypeVar("T")
MAX_FOUND = 20  # matches a search lists; more means: type more of the name
MAX_QUERY = 100
# Letters NFKD does not take apart, written as people type them on an English keyboard.
PLAIN = str.maketrans({"ı": "i", "ø": "o", "đ": "d", "ł": "l", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d"})


@dataclass
class ImportResult:
    """What an import did (or, for a dry run, would do)."""

    summary: dict[str, int]
    import_id: str | None
    dry_run: bool
    transactions: int


@dataclass(frozen=True)
class ImportRecord:
    """One applied import: when, by whom, and what it changed (counts per kind of change)."""

    import_id: str
    at: str
    actor: str
    summary: dict[str, int]


def import_organisation(
    uow: UnitOfWork, principal: Principal | None, csv_text: str, clock: Clock, dry_run: bool = False
) -> ImportResult:
    """Validate a whole CSV, then apply hires, moves and leavers; a bad file changes nothing.

    `principal` None means the trusted CLI. Changes of up to 99 employees commit in one
    transaction with the import record; larger ones commit in 100-item chunks, each conditional
    on the versions read, and re-running the same file completes an interrupted import.
    """
    if principal is not None:
        require_role(principal, Role.HR)
    incoming = parse_csv(csv_text)
    plan = plan_import(uow.directory.all(), incoming)
    if dry_run or plan.changes == 0:
        return ImportResult(plan.summary(), None, dry_run, 0)
    import_id = clock.new_id()
    digest = hashlib.sha256(csv_text.encode()).hexdigest()
    actor = principal.employee_id if principal else "cli"
    with uow:
        for person in plan.created:
            uow.directory.save(person, new=True)
        for _, after in plan.updated + plan.deactivated:
            uow.directory.save(after, new=False)
        # The record goes last: it marks the import complete, and so lands with the last chunk.
        uow.imports.add(import_id, iso(clock.now()), actor, plan.summary(), digest)
        chunks = uow.commit_in_chunks(MAX_TRANSACTION_ITEMS)
    return ImportResult(plan.summary(), import_id, False, chunks)


def import_history(uow: UnitOfWork, principal: Principal) -> list[ImportRecord]:
    """Applied imports, newest first (HR)."""
    require_role(principal, Role.HR)
    return [ImportRecord(r["import_id"], r["at"], r["actor"], r["summary"]) for r in uow.imports.latest()]


def get_person(uow: UnitOfWork, employee_id: str) -> Employee:
    """One person (leavers included, marked inactive)."""
    person = uow.directory.get(employee_id)
    if person is None:
        raise NotFound(NO_PERSON)
    return person


def principal_for(uow: UnitOfWork, employee_id: str) -> Principal:
    """The principal acting as this person (an unknown or departed person is not signed in)."""
    person = uow.directory.get(employee_id)
    if person is None:
        raise NotAuthenticated(f"{employee_id} is not in the organisation directory")
    return Principal.of(person)


def people_names(uow: UnitOfWork, employee_ids: list[str]) -> dict[str, str]:
    """Names of people by id, for pages that show people rather than ids (unknown ids left out)."""
    return uow.directory.names([i for i in employee_ids if i])


def direct_reports(uow: UnitOfWork, employee_id: str) -> list[Employee]:
    """A person's active direct reports."""
    get_person(uow, employee_id)
    return uow.directory.reports(employee_id)


def management_chain(uow: UnitOfWork, employee_id: str) -> list[Employee]:
    """The people above someone, their manager first, up to the top (one Get + one BatchGet)."""
    person = get_person(uow, employee_id)
    found = uow.directory.get_many(list(person.chain))
    return [found[i] for i in reversed(person.chain) if i in found]


def department(uow: UnitOfWork, name: str) -> list[Employee]:
    """Active people of a department."""
    people = uow.directory.department(name)
    if not people:
        raise NotFound(f"no department {name!r}")
    return people


def people_for_signin(uow: UnitOfWork) -> list[Employee]:
    """Active people, by department then name (the local sign-in chooser)."""
    people = [p for p in uow.directory.all() if p.active]
    return sorted(people, key=lambda p: (p.department.casefold(), p.name.casefold()))


@dataclass(frozen=True)
class Found(Generic[T]):
    """What a search found: the first matches, best first, and how many more matched."""

    query: str
    matches: list[T]
    more: int


def folded(text: str) -> str:
    """Text as a search compares it: case and accents aside ('Yılmaz' and 'yilmaz' are the same)."""
    plain = unicodedata.normalize("NFKD", text.casefold().translate(PLAIN))
    return "".join(ch for ch in plain if not unicodedata.combining(ch))


def query_words(query: str) -> list[str]:
    """The words of a search box, folded (at most MAX_QUERY characters are read)."""
    return folded(query[:MAX_QUERY]).split()


def holds_all(words: list[str], texts: Iterable[str]) -> bool:
    """Whether every word is in one of the texts (each folded already or not: they are folded here)."""
    haystack = " ".join(folded(t) for t in texts)
    return all(w in haystack for w in words)


def search_people(uow: UnitOfWork, principal: Principal, query: str, limit: int = MAX_FOUND) -> Found[Employee]:
    """People whose name, department or role holds every word typed, whom this reader may find
    (policy.may_find_person), names starting with the first word first; an empty query finds nobody."""
    words = query_words(query)
    if not words:
        return Found(query.strip(), [], 0)
    hits = [
        p
        for p in uow.directory.all()
        if policy.may_find_person(principal, p) and holds_all(words, (p.name, p.department, p.title))
    ]
    hits.sort(key=lambda p: (not folded(p.name).startswith(words[0]), not p.active, folded(p.name)))
    return Found(query.strip(), hits[:limit], max(0, len(hits) - limit))
