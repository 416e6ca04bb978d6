"""Use cases of the organisation directory: import, and reading people and their relations."""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, Generic, TypeVar

from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import Email, Mailer, SendFailed
from service.adapters.store import MAX_TRANSACTION_ITEMS
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import CycleState
from service.domain.directory import Employee, Role, parse_csv, plan_import
from service.domain.errors import NO_PERSON, NotAuthenticated, NotFound, StaleWrite
from service.domain.reviews import ReviewState, manager_assessed
from service.services import policy
from service.services.auth import Principal
from service.services.policy import require_role

T = TypeVar("T")
log = logging.getLogger(__name__)
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
    uow: UnitOfWork,
    principal: Principal | None,
    csv_text: str,
    clock: Clock,
    dry_run: bool = False,
    mailer: Mailer | None = None,
) -> ImportResult:
    """Validate a whole CSV, then apply hires, moves and leavers; a bad file changes nothing.

    `principal` None means the trusted CLI. Changes of up to 99 items (a hire is two: the person and whose their
    address is, issue 24) commit in one transaction with the import record; larger ones commit in 100-item chunks,
    each conditional on the versions read, and re-running the same file completes an interrupted import. Issue 28:
    then the open reviews of running cycles follow their people's new managers (both managers told by email); a
    re-run moves only what is not moved yet.
    """
    if principal is not None:
        require_role(principal, Role.HR)
    incoming = parse_csv(csv_text)
    existing = uow.directory.all()
    plan = plan_import(existing, incoming)
    actor = principal.employee_id if principal else "cli"
    if dry_run:
        return ImportResult(plan.summary(), None, dry_run, 0)
    if plan.changes == 0:
        if not uow.directory.emails_complete():  # issue 24: the index of addresses, filled by any import
            with uow:
                uow.directory.index_everyone(existing)
                uow.commit_in_chunks(MAX_TRANSACTION_ITEMS)
        _move_reviews(uow, actor, clock, mailer)  # an interrupted import's moves, completed
        return ImportResult(plan.summary(), None, dry_run, 0)
    import_id = clock.new_id()
    digest = hashlib.sha256(csv_text.encode()).hexdigest()
    with uow:
        if not uow.directory.emails_complete():  # issue 24: the first import fills the index of addresses
            moving = {
                a.employee_id for b, a in plan.updated + plan.deactivated if (b.email, b.name) != (a.email, a.name)
            }
            uow.directory.index_everyone([e for e in existing if e.employee_id not in moving])
        claimed = {p.email for p in plan.created} | {a.email for _, a in plan.updated + plan.deactivated}
        # The marks and the index first: in the same chunk as the change they follow, or an earlier one.
        for person in plan.created:
            uow.directory.index_email(person)
            uow.directory.save(person, new=True)
        for before, after in plan.updated + plan.deactivated:
            if before.manager_id != after.manager_id:
                uow.directory.note_manager_change(after.employee_id)
            if before.email != after.email and before.email not in claimed:  # one op per item in a transaction
                uow.directory.unindex_email(before.email)  # (an address another row takes now is not removed)
            if (before.email, before.name) != (after.email, after.name):
                uow.directory.index_email(after)
            uow.directory.save(after, new=False)
        # The record goes last: it marks the import complete, and so lands with the last chunk.
        uow.imports.add(import_id, iso(clock.now()), actor, plan.summary(), digest)
        chunks = uow.commit_in_chunks(MAX_TRANSACTION_ITEMS)
    _move_reviews(UnitOfWork(uow.table), actor, clock, mailer)  # a fresh unit of work: the directory as it now is
    return ImportResult(plan.summary(), import_id, False, chunks)


@dataclass(frozen=True)
class ManagerMove:
    """One open review moved to the person's new manager by a directory change."""

    cycle_id: str
    cycle_name: str
    employee_id: str
    employee_name: str
    old_manager_id: str | None
    new_manager_id: str | None
    draft_kept: bool  # the former manager's draft waits for the new one


def move_to_current_managers(uow: UnitOfWork, actor: str, clock: Clock) -> list[ManagerMove]:
    """Move the open reviews in running cycles of the people an import gave a new manager (`note_manager_change`)
    to that manager, audited: a draft manager assessment is kept, marked as the former manager's, for the new one to
    take over or discard; a submitted one stays as it is. A review already moved is left alone, so a retried import
    moves each review once. Issue 24: it reads the marked people, their reviews by key (a batch per active cycle)
    and their former managers, not the directory nor every review; a transaction per review moved, then one that
    removes the marks of the people whose reviews all followed."""
    marked = uow.directory.manager_changes()
    if not marked:
        return []
    people = uow.directory.get_many(marked)
    moves: list[ManagerMove] = []
    left: set[str] = set()  # changed meanwhile: their mark stays for the next run
    at = iso(clock.now())
    cycles = [c for c in uow.cycles.list() if c.state is CycleState.ACTIVE]
    reviews = [(cycle, r) for cycle in cycles for r in uow.reviews.get_many(cycle.cycle_id, sorted(people))]
    formers = {r.manager_id for _, r in reviews if r.manager_id and r.manager_id not in people}
    people |= uow.directory.get_many(sorted(formers))
    for cycle, r in reviews:
        person = people.get(r.employee_id)
        if person is None or person.manager_id == r.manager_id or r.state is ReviewState.FINALISED:
            continue
        r = uow.reviews.get(cycle.cycle_id, r.employee_id) or r  # read in this unit of work: the update diffs it
        if person.manager_id == r.manager_id:
            continue  # moved meanwhile (a concurrent retry of the import)
        old = people.get(r.manager_id or "")
        draft = not manager_assessed(r.state) and bool(r.manager_assessment) and old is not None
        changes: dict[str, Any] = {"manager_id": person.manager_id}
        if draft and old is not None:
            changes["manager_draft_by"] = {"id": old.employee_id, "name": old.name}
        reason = f"the directory names {person.manager_id or 'no manager'} as manager (was {r.manager_id})"
        try:
            with uow:
                uow.reviews.save(
                    replace(r, **changes), new=False, actor=actor, action="change_manager", at=at, reason=reason
                )
                uow.commit()
        except StaleWrite:
            left.add(r.employee_id)
            continue  # changed meanwhile: left for the next run of the import (the same file moves it then)
        moves.append(
            ManagerMove(
                cycle.cycle_id, cycle.name, r.employee_id, r.employee_name, r.manager_id, person.manager_id, draft
            )
        )
    with uow:
        uow.directory.settle_manager_changes([e for e in marked if e not in left])
        uow.commit_in_chunks(MAX_TRANSACTION_ITEMS)
    return moves


def _move_reviews(uow: UnitOfWork, actor: str, clock: Clock, mailer: Mailer | None) -> list[ManagerMove]:
    """Open reviews follow their people's new managers; the former and the new manager of each are told once, in
    one email per pair (a failed send is logged: the review pages show the move too)."""
    moves = move_to_current_managers(uow, actor, clock)
    if mailer is None or not moves:
        return moves
    pairs: dict[tuple[str | None, str | None], list[ManagerMove]] = {}
    for m in moves:
        pairs.setdefault((m.old_manager_id, m.new_manager_id), []).append(m)
    people = uow.directory.get_many(sorted({p for pair in pairs for p in pair if p}))
    for (old_id, new_id), moved in sorted(pairs.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
        old, new = people.get(old_id or ""), people.get(new_id or "")
        to = tuple(p.email for p in (old, new) if p is not None and p.active)
        if not to:
            continue
        text = render("email/manager_change.txt", old=old, new=new, moves=moved)
        try:
            mailer.send(Email(to, f"Reviews moved to {new.name if new else 'no manager'}", text))
        except SendFailed as exc:
            log.warning("a manager-change email could not be sent: %s", exc)
    return moves


def import_history(uow: UnitOfWork, principal: Principal) -> list[ImportRecord]:
    """Applied imports, newest first (HR)."""
    require_role(principal, Role.HR)
    return [ImportRecord(r["import_id"], r["at"], r["actor"], r["summary"]) for r in uow.imports.latest()]


def owners_of_addresses(uow: UnitOfWork, addresses: list[str]) -> dict[str, tuple[str, str]]:
    """(id, name) of whose each address is, by address in lower case (leavers included; unknown ones left out): one
    batch read of the index of addresses (issue 24), or, until an import has filled it, the whole directory."""
    found = uow.directory.owners_of(addresses)
    if found is not None:
        return found
    return {a: (p.employee_id, p.name) for a, p in people_by_email(uow, addresses).items()}


def people_by_email(uow: UnitOfWork, addresses: list[str]) -> dict[str, Employee]:
    """The people with these addresses, by address in lower case (leavers included; unknown ones left out): by key
    from the index of addresses (issue 24), or, until an import has filled it, from the whole directory."""
    found = uow.directory.by_emails(addresses)
    if found is not None:
        return found
    wanted = {a.strip().casefold() for a in addresses}
    return {p.email.casefold(): p for p in uow.directory.all() if p.email and p.email.casefold() in wanted}


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
