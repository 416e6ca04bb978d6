"""One person's data: exported as a whole (a subject access request), or erased once they have left.

Erasure removes what identifies the person directly: name, email and title in the directory, the name
their reviews carry, and (in the CLI) their sign-in account. The employee id stays, so reviews, goals,
actions and the append-only audit trail stay consistent; the audit's first record of a review still holds
the name it was created with, because its hash chain cannot change. An organisation keeps appraisal
records for its retention period (infra/README.md). Only a leaver may be erased: a current employee still
works here, and the next import would bring them back.
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, replace
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.notification_settings_store import NotificationStore
from service.adapters.personal_data_store import stage_download
from service.adapters.review_store import review_to_item
from service.adapters.store import Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Employee
from service.domain.errors import Conflict, NotFound
from service.domain.reviews import Review
from service.services import policy
from service.services.auth import Principal


@dataclass(frozen=True)
class PersonalData:
    """Everything stored about one person, JSON-ready: profile, reviews, goals by id, actions, one-to-ones (with
    their own private notes only), learning plan, delegations given and received, contributions they wrote, and
    their notification preference."""

    employee: dict[str, Any]
    reviews: list[dict[str, Any]]
    goals: dict[str, dict[str, Any]]
    actions: list[dict[str, Any]]
    one_to_ones: list[dict[str, Any]]
    learning_plan: list[dict[str, Any]]
    delegations: dict[str, list[dict[str, Any]]]
    contributions_written: list[dict[str, Any]]
    notification_preference: dict[str, Any]


@dataclass(frozen=True)
class Erasure:
    """A leaver erased: the name they carry now, and how many of their reviews carry it."""

    employee_id: str
    name: str
    reviews: int


def _plain(value: Any) -> Any:
    """JSON-ready: dates and enums as text, sets and tuples as lists."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, set | frozenset):
        return [_plain(v) for v in sorted(value, key=str)]
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "value") and not isinstance(value, int | float | str):
        return value.value
    return value


def export_person(uow: UnitOfWork, employee_id: str, seen_by: Principal | None = None) -> PersonalData:
    """Everything stored about one person: profile, reviews in full, goals, actions they own or that are about them.

    `seen_by`: the person themselves (the self-service download): their reviews as they may see them
    (`_as_seen_by`), never a manager's draft, ratings waiting for calibration or the calibration's originals."""
    person = uow.directory.get(employee_id)
    if person is None:
        raise NotFound(f"no employee {employee_id!r}")
    reviews, about = uow.reviews.history(employee_id)
    shown = [_as_seen_by(seen_by, r) if seen_by is not None else asdict(r) for r in reviews]
    owned = uow.actions.owned_by(employee_id)
    actions = {a.action_id: asdict(a) for a in [*about, *owned]}
    goals = [asdict(g) for g in uow.goals.every_of_owner(employee_id)]  # one Query, however many cycles
    preference = asdict(NotificationStore(uow).preference(employee_id))
    return PersonalData(
        employee=_plain(asdict(person)),
        reviews=_plain(shown),
        goals=_plain({g["goal_id"]: g for g in goals}),
        actions=_plain(sorted(actions.values(), key=lambda a: a["action_id"])),
        one_to_ones=_plain(_one_to_ones(uow, person)),
        learning_plan=_plain([asdict(i) for i in uow.learning_plan.of_owner(employee_id)]),
        delegations=_plain(
            {
                "given": [asdict(d) for d in uow.delegations.of_manager(employee_id)],
                "received": [asdict(d) for d in uow.delegations.to_person(employee_id)],
            }
        ),
        # What they wrote for someone else's review: the question asked of them and their answer. Contributions
        # about them are the manager's, never the employee's (they are not in any export of the employee).
        contributions_written=_plain([asdict(c) for c in uow.contributions.asked_of(employee_id)]),
        notification_preference=_plain({k: v for k, v in preference.items() if k != "version"}),
    )


def download_my_data(uow: UnitOfWork, principal: Principal, clock: Clock) -> PersonalData:
    """The signed-in person downloads their own data: what `export-person` gives HR for them (the same exclusions:
    no anonymous giver, no group's single answer, nothing about them written by others that the export leaves out,
    nobody else's private notes), their reviews as their own pages show them. Each download leaves an audit record
    (`personal_data_store.stage_download`) before the data is handed over."""
    data = export_person(uow, principal.employee_id, seen_by=principal)
    with uow:
        stage_download(uow, principal.employee_id, iso(clock.now()))
        uow.commit()
    return data


def _as_seen_by(principal: Principal, review: Review) -> dict[str, Any]:
    """A review as its own employee may see it, the rules of their pages and history (`policy`): the manager's part
    and score once submitted and calibrated, the discussion once held; the calibration's originals and a former
    manager's waiting draft never (PRODUCT.md: employees see only the result)."""
    seen = asdict(review)
    roles = policy.review_roles(principal, review.employee_id, review.manager_id)
    parts = policy.visible_parts(roles, review.state)
    if not (parts.manager_assessment and policy.may_see_manager_part_in_history(principal, review)):
        seen["manager_assessment"] = seen["score"] = None
    if not parts.discussion:
        seen["discussion"] = None
    seen["calibration"] = seen["manager_draft_by"] = None
    return seen


def _one_to_ones(uow: UnitOfWork, person: Employee) -> list[dict[str, Any]]:
    """The person's one-to-ones, as manager or as report: each meeting's agenda, shared notes and actions, with the
    person's own private notes only (the other side's are read by nobody but their author)."""
    me = person.employee_id
    pairs = {(p.manager_id, p.report_id): p for p in uow.one_to_ones.pairs() if me in (p.manager_id, p.report_id)}
    related = [(person.manager_id, me)] if person.manager_id else []
    related += [(me, r.employee_id) for r in uow.directory.reports(me)]
    found = []
    for m, r in sorted({*pairs, *related}):
        meetings = uow.one_to_ones.meetings(m, r)
        if not meetings and (m, r) not in pairs:
            continue
        private = uow.one_to_ones.private_notes_of(m, r, [x.date for x in meetings], me)
        pair = pairs.get((m, r))
        rhythm = {k: v for k, v in asdict(pair).items() if k not in ("manager_id", "report_id")} if pair else None
        meetings_out = [{**asdict(x), "my_private_notes": private.get(x.date, "")} for x in meetings]
        found.append({"manager_id": m, "report_id": r, "rhythm": rhythm, "meetings": meetings_out})
    return found


def erase_person(uow: UnitOfWork, employee_id: str) -> Erasure:
    """Remove a leaver's name, email and title from the directory (their id stays, see the module docstring)."""
    person = uow.directory.get(employee_id)
    if person is None:
        raise NotFound(f"no employee {employee_id!r}")
    if person.active:
        raise Conflict(f"{employee_id} is still active: import the organisation without them first", entity="employee")
    tag = hashlib.sha256(employee_id.encode()).hexdigest()[:10]
    erased = replace(
        person, name=f"Former employee {tag}", email=f"erased-{tag}@invalid.example", title="", start_date=None
    )
    reviews, _ = uow.reviews.history(employee_id)
    with uow:
        uow.directory.save(erased, new=False)
        uow.directory.unindex_email(person.email)  # issue 24: no index keeps the old address
        uow.directory.index_email(erased)
        for review in reviews:
            # The name each review carries for lists and PDFs; not audited, so that no record repeats the old name.
            item = review_to_item(replace(review, employee_name=erased.name))
            item["version"] = review.version + 1
            uow.add(Put(item, expect_version=review.version))
        uow.commit()
    return Erasure(employee_id, erased.name, len(reviews))
