"""Use cases of contribution requests (issue 28, point 3): the manager (or an acting manager) asks someone for a
contribution to a review; the contributor writes it; the manager reads it. The employee never sees it and it is
never part of the review itself (so of no page, PDF or export of it); HR sees only that it exists."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from service.adapters.clock import Clock, iso
from service.adapters.mailer import Email, Mailer, SendFailed
from service.domain.contributions import Contribution, ContributionState, check_request, check_text
from service.domain.cycles import CycleState
from service.domain.directory import Role
from service.domain.errors import (
    NO_REVIEW,
    Conflict,
    NotFound,
    PermissionDenied,
    ValidationFailed,
    expect_version,
)
from service.services import policy
from service.services.auth import Principal
from service.services.delegation import acting_for

if TYPE_CHECKING:
    from service.adapters.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)
NO_CONTRIBUTION = "There is no such contribution request for you to see."


@dataclass(frozen=True)
class ContributionRow:
    """A contribution as one reader may see it: HR gets who and when, never the question or the text."""

    contribution_id: str
    cycle_id: str
    employee_id: str
    employee_name: str
    contributor_id: str
    contributor_name: str
    state: ContributionState
    requested_at: str
    question: str | None
    text: str | None
    version: int


def _manager_of(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> tuple[Any, str | None]:
    """The review's person and whether the principal manages them (as manager or acting manager): (person, on
    whose behalf, or the principal's own id)."""
    person = uow.directory.get(employee_id)
    if person is None or uow.reviews.get(cycle_id, employee_id) is None:
        raise NotFound(NO_REVIEW)
    acting = acting_for(uow, principal, person.manager_id)
    own = principal.employee_id == employee_id
    if own or not policy.manages(principal, person.manager_id, acting):
        return person, None
    return person, policy.on_behalf_of(principal, person.manager_id, acting) or principal.employee_id


def request_contribution(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    data: dict[str, Any],
    clock: Clock,
    mailer: Mailer | None = None,
) -> Contribution:
    """The manager (or acting manager) asks someone for a contribution to a review in a running cycle; audited,
    and the contributor is told by email."""
    person, manager = _manager_of(uow, principal, cycle_id, employee_id)
    if manager is None:
        if principal.employee_id != employee_id and (principal.has(Role.HR) or principal.employee_id in person.chain):
            raise PermissionDenied("only the employee's manager asks for contributions")
        raise NotFound(NO_REVIEW)
    cycle = uow.cycles.get(cycle_id)
    if cycle is None or cycle.state is not CycleState.ACTIVE:
        raise Conflict("the cycle is not running: its reviews take no more contributions")
    contributor = uow.directory.get(data["contributor_id"])
    if contributor is None or not contributor.active:
        raise ValidationFailed("The contribution cannot be asked for.", {"contributor_id": ["no such person"]})
    asked = [c.contributor_id for c in uow.contributions.for_review(cycle_id, employee_id)]
    check_request(
        employee_id, person.manager_id, principal.employee_id, contributor.employee_id, data["question"], asked
    )
    at = iso(clock.now())
    c = Contribution(
        clock.new_id(),
        cycle_id,
        employee_id,
        contributor.employee_id,
        principal.employee_id,
        data["question"].strip(),
        at,
    )
    with uow:
        uow.on_behalf_of = manager if manager != principal.employee_id else None
        stored = uow.contributions.save(c, new=True, actor=principal.employee_id, action="ask_contribution", at=at)
        uow.commit()
    if mailer is not None:
        text = (
            f"{principal.name} asks for your contribution to {person.name}'s review in {cycle.name}. "
            "Only the manager reads it; open Contributions in the review service to write it."
        )
        try:
            mailer.send(Email((contributor.email,), f"Your contribution to {person.name}'s review", text))
        except SendFailed as exc:
            log.warning("a contribution request email could not be sent: %s", exc)
    return stored


def _row(c: Contribution, names: dict[str, str], full: bool) -> ContributionRow:
    return ContributionRow(
        c.contribution_id,
        c.cycle_id,
        c.employee_id,
        names.get(c.employee_id, ""),
        c.contributor_id,
        names.get(c.contributor_id, ""),
        c.state,
        c.requested_at,
        c.question if full else None,
        c.text if full else None,
        c.version,
    )


def may_ask(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> bool:
    """Whether this person asks for (and reads) the contributions to this review: its manager or acting manager."""
    return _manager_of(uow, principal, cycle_id, employee_id)[1] is not None


def for_review(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> list[ContributionRow]:
    """The contributions to one review: the manager and an acting manager read them; HR sees who was asked and
    whether they gave it (no text); the employee and anyone else: 404."""
    _person, manager = _manager_of(uow, principal, cycle_id, employee_id)
    hr = principal.has(Role.HR) and principal.employee_id != employee_id
    if manager is None and not hr:
        raise NotFound(NO_REVIEW)
    found = uow.contributions.for_review(cycle_id, employee_id)
    names = uow.directory.names(sorted({employee_id, *(c.contributor_id for c in found)}))
    return [_row(c, names, manager is not None) for c in found]


def asked_of_me(uow: UnitOfWork, principal: Principal) -> list[ContributionRow]:
    """The contributions asked of me, with their questions and what I wrote."""
    found = uow.contributions.asked_of(principal.employee_id)
    names = uow.directory.names(sorted({principal.employee_id, *(c.employee_id for c in found)}))
    return [_row(c, names, True) for c in found]


def give(
    uow: UnitOfWork, principal: Principal, contribution_id: str, text: str, expected_version: int, clock: Clock
) -> Contribution:
    """The contributor writes (or rewrites, while the cycle runs) their contribution; audited."""
    c = uow.contributions.get(contribution_id)
    if c is None or c.contributor_id != principal.employee_id:
        raise NotFound(NO_CONTRIBUTION)
    expect_version(c, expected_version, "the contribution", by="meanwhile")
    cycle = uow.cycles.get(c.cycle_id)
    if cycle is None or cycle.state is not CycleState.ACTIVE:
        raise Conflict("the cycle is not running: its reviews take no more contributions")
    check_text(text)
    at = iso(clock.now())
    changed = replace(c, text=text.strip(), state=ContributionState.GIVEN, given_at=at)
    with uow:
        stored = uow.contributions.save(
            changed, new=False, actor=principal.employee_id, action="give_contribution", at=at
        )
        uow.commit()
    return stored
