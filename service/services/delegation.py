"""Use cases of acting managers (issue 28, point 3): name one for a period, revoke it, list them, and the one lookup
every "is this person's manager" check makes (`acting_for`, then `policy.manages`)."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import Email, Mailer, SendFailed
from service.domain.delegation import MAX_DAYS, Delegation, DelegationStatus, check_delegation
from service.domain.directory import Employee, Role
from service.domain.errors import Conflict, NotFound, StaleWrite, ValidationFailed
from service.services import policy
from service.services.auth import Principal

if TYPE_CHECKING:
    from service.adapters.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
NO_DELEGATION = "There is no such acting-manager arrangement for you to see."
END_CATCH_UP_DAYS = 60  # the daily run records ends missed while it did not run, this far back (as the schedules)
END_NOTICE_DAYS = 7  # both are told of an end recorded within a week of it


def acting_for(uow: UnitOfWork, principal: Principal, manager_id: str | None, on: date | None = None) -> frozenset[str]:
    """The managers the principal acts for on day `on` (today by default), read only when it can matter: the
    principal is not `manager_id` themselves (their acting index; and, when it names someone, their directory record:
    a manager they have been moved below since is not one they act for)."""
    if manager_id is None or principal.employee_id == manager_id:
        return frozenset()
    return acting_managers(uow, principal, on or uow.today or datetime.now(UTC).date())


def acting_managers(uow: UnitOfWork, principal: Principal, day: date) -> frozenset[str]:
    """Every manager the principal acts for on this day (their acting index; a manager they were moved below since
    is not one: their directory record, read only when the index names someone)."""
    found = uow.delegations.acting_for(principal.employee_id, day)
    if not found:
        return found
    me = uow.directory.get(principal.employee_id)
    return frozenset(m for m in found if me is not None and m not in me.chain)


def team_of(uow: UnitOfWork, principal: Principal, on: date) -> list[Employee]:
    """The principal's active direct reports, then the reports of the managers they act for on day `on`
    (`acting_managers`)."""
    people = uow.directory.reports(principal.employee_id)
    for manager_id in sorted(acting_managers(uow, principal, on)):
        people += [p for p in uow.directory.reports(manager_id) if p.employee_id != principal.employee_id]
    return people


def acting_managers_on(uow: UnitOfWork, day: date) -> dict[str, str]:
    """manager → their acting manager on this day, for the reminders (the delegations that can reach this day,
    paged: not only the newest HR's list shows; an acting manager who left the directory acts for nobody, so the
    manager's tasks come back to the manager)."""
    found = {d.manager_id: d.acting_id for d in uow.delegations.active_on(day)}
    people = uow.directory.get_many(sorted(set(found.values()))) if found else {}
    return {m: a for m, a in found.items() if a in people and people[a].active}


@dataclass(frozen=True)
class NoticeTo:
    """Who a manager-facing notice about a report goes to: the acting manager during a delegation (then `for_manager`
    names the manager they act for), else the manager."""

    person: Employee
    for_manager: Employee | None = None


def manager_notice_to(uow: UnitOfWork, manager_id: str | None, day: date) -> NoticeTo | None:
    """The one rule of policy.manages for notices: a report's manager-facing notice on `day` goes to whoever an
    active delegation names acting manager for `manager_id` (one Query of the manager's delegations), else to the
    manager; None when that person is not in the directory or has left."""
    if not manager_id:
        return None
    acting = next((d.acting_id for d in uow.delegations.of_manager(manager_id) if d.active_on(day)), None)
    people = uow.directory.get_many([i for i in (manager_id, acting) if i])
    manager, stand_in = people.get(manager_id), people.get(acting or "")
    if stand_in is not None and stand_in.active:
        return NoticeTo(stand_in, manager)
    return NoticeTo(manager) if manager is not None and manager.active else None


def _person(uow: UnitOfWork, employee_id: str, field: str) -> Employee:
    person = uow.directory.get(employee_id) if employee_id else None
    if person is None or not person.active:
        raise ValidationFailed("The acting manager cannot be named.", {field: ["no such person in the directory"]})
    return person


def name_acting_manager(
    uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock, mailer: Mailer | None = None
) -> Delegation:
    """Name an acting manager for a manager (oneself, or any manager for HR) from `starts` to `ends` included;
    audited, and both are told by email."""
    manager = _person(uow, data.get("manager_id") or principal.employee_id, "manager_id")
    policy.require(
        policy.may_name_acting_manager(principal, manager), "a manager names their own acting manager; HR any"
    )
    if not manager.is_manager:
        raise ValidationFailed(
            "The acting manager cannot be named.", {"manager_id": [f"{manager.name} manages nobody"]}
        )
    acting = _person(uow, data["acting_id"], "acting_id")
    today = clock.now().date()
    reports = frozenset(p.employee_id for p in uow.directory.reports(manager.employee_id))
    if manager.employee_id in acting.chain:  # further down: they would act on their own manager's review
        reports |= {acting.employee_id}
    others = uow.delegations.of_manager(manager.employee_id)
    check_delegation(
        manager.employee_id,
        acting.employee_id,
        principal.employee_id,
        data["starts"],
        data["ends"],
        today,
        reports,
        others,
    )
    at = iso(clock.now())
    delegation = Delegation(
        delegation_id=clock.new_id(),
        manager_id=manager.employee_id,
        acting_id=acting.employee_id,
        starts=data["starts"],
        ends=data["ends"],
        named_by=principal.employee_id,
        created_at=at,
    )
    with uow:
        stored = uow.delegations.save(delegation, new=True, actor=principal.employee_id, action="name", at=at)
        uow.commit()
    _tell(mailer, stored, manager, acting, "named")
    return stored


def revoke(
    uow: UnitOfWork,
    principal: Principal,
    delegation_id: str,
    expected_version: int,
    clock: Clock,
    mailer: Mailer | None = None,
) -> Delegation:
    """End a delegation now (before or during its period): its manager, whoever named it, or HR; audited."""
    d = uow.delegations.get(delegation_id)
    if d is None or not policy.may_read_delegations_of(principal, d.manager_id, d.acting_id):
        raise NotFound(NO_DELEGATION)
    may = principal.employee_id in (d.manager_id, d.named_by) or principal.has(Role.HR)
    policy.require(may, "the manager, whoever named the acting manager, or HR revokes it")
    if d.version != expected_version:
        raise StaleWrite(f"the arrangement was changed by someone else (now version {d.version}); reload it")
    status = d.status_on(clock.now().date())
    if status in (DelegationStatus.REVOKED, DelegationStatus.ENDED):
        raise Conflict(f"this arrangement has already {status.value.replace('revoked', 'been revoked')}")
    at = iso(clock.now())
    with uow:
        stored = uow.delegations.save(
            replace(d, revoked_at=at, revoked_by=principal.employee_id),
            new=False,
            actor=principal.employee_id,
            action="revoke",
            at=at,
        )
        uow.commit()
    people = uow.directory.get_many([d.manager_id, d.acting_id])
    if d.manager_id in people and d.acting_id in people:
        _tell(mailer, stored, people[d.manager_id], people[d.acting_id], "revoked")
    return stored


def record_natural_ends(uow: UnitOfWork, mailer: Mailer, clock: Clock) -> int:
    """The reminders function's daily run: each delegation whose last day passed (never revoked) gets its end written
    once, as an audited save conditional on the version read (a second or concurrent run finds it written, or loses
    the race and leaves it), and both people are told in their digest (when it ended within a week). Returns how
    many it recorded."""
    now = clock.now()
    today, at = now.date(), iso(now)
    # A delegation lasts at most MAX_DAYS, so one ending since the catch-up window started began at most that long
    # before it: older ones (before this record existed) are left as they are.
    window = today - timedelta(days=MAX_DAYS + END_CATCH_UP_DAYS)
    due = [d for d in uow.delegations.started_since(window) if d.end_to_record(today)]
    due = [d for d in due if (today - d.ends).days <= END_CATCH_UP_DAYS]
    recorded = 0
    for d in sorted(due, key=lambda d: (d.ends, d.delegation_id)):
        try:
            with uow:
                stored = uow.delegations.save(replace(d, ended_at=at), new=False, actor="system", action="end", at=at)
                uow.commit()
        except Conflict:  # another run wrote it first (or it was changed meanwhile): that one tells them
            uow.forget()
            continue
        recorded += 1
        if (today - d.ends).days > END_NOTICE_DAYS:
            continue  # caught up long after (the function did not run): the audit record only, no stale news
        people = uow.directory.get_many([d.manager_id, d.acting_id])
        if d.manager_id in people and d.acting_id in people:
            _tell(mailer, stored, people[d.manager_id], people[d.acting_id], "ended", digest=True)
    return recorded


def _tell(
    mailer: Mailer | None, d: Delegation, manager: Employee, acting: Employee, what: str, digest: bool = False
) -> None:
    """Email the manager and the acting manager (a failed send is logged: the pages show it too); `digest`: kept for
    their daily message."""
    if mailer is None:
        return
    text = render("email/delegation.txt", d=d, manager=manager, acting=acting, what=what)
    title = f"Acting manager for {manager.name}: {acting.name} ({what})"
    key = f"/delegations#{d.delegation_id}" if digest else None
    try:
        mailer.send(Email((manager.email, acting.email), title, text, digest_key=key))
    except SendFailed as exc:
        log.warning("a delegation email could not be sent: %s", exc)


@dataclass(frozen=True)
class DelegationRow:
    """One delegation as a list shows it: the people by name, and where it stands today."""

    delegation: Delegation
    manager_name: str
    acting_name: str
    status: DelegationStatus
    may_revoke: bool


@dataclass(frozen=True)
class Delegations:
    """The delegations one person sees: those of their own team, those naming them, and (HR) everyone's."""

    mine: list[DelegationRow]
    acting: list[DelegationRow]
    everyone: list[DelegationRow]


def list_delegations(uow: UnitOfWork, principal: Principal, today: date) -> Delegations:
    """The arrangements I made for my team, those where I act for someone, and (HR) the organisation's latest."""
    mine = uow.delegations.of_manager(principal.employee_id)
    acting = uow.delegations.to_person(principal.employee_id)
    everyone = uow.delegations.newest() if principal.has(Role.HR) else []
    ids = {p for d in [*mine, *acting, *everyone] for p in (d.manager_id, d.acting_id)}
    names = uow.directory.names(sorted(ids))

    def rows(found: list[Delegation]) -> list[DelegationRow]:
        out = []
        for d in sorted(found, key=lambda d: (d.starts, d.delegation_id), reverse=True):
            status = d.status_on(today)
            may = principal.employee_id in (d.manager_id, d.named_by) or principal.has(Role.HR)
            live = status in (DelegationStatus.UPCOMING, DelegationStatus.ACTIVE)
            out.append(DelegationRow(d, names.get(d.manager_id, ""), names.get(d.acting_id, ""), status, may and live))
        return out

    return Delegations(rows(mine), rows(acting), rows(everyone))


def get_delegation(uow: UnitOfWork, principal: Principal, delegation_id: str) -> Delegation:
    """One delegation: its manager, its acting manager and HR (anyone else: 404)."""
    d = uow.delegations.get(delegation_id)
    if d is None or not policy.may_read_delegations_of(principal, d.manager_id, d.acting_id):
        raise NotFound(NO_DELEGATION)
    return d


def managers_of_team(uow: UnitOfWork, principal: Principal, today: date) -> list[Employee]:
    """The managers whose reports' reviews the principal handles today as acting manager (their team lists)."""
    ids = sorted(acting_managers(uow, principal, today))
    found = uow.directory.get_many(ids)
    return [found[i] for i in ids if i in found]
