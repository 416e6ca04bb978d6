"""HR follows feedback: response rates per department and who has not answered yet; the requests the daily
reminders chase."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import CycleState
from service.domain.feedback import (
    ASKED,
    RequestState,
)
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.feedback import RequestAbout, answerable_subjects
from service.services.feedback_settings import settings_for, settings_json


@dataclass(frozen=True)
class DepartmentRate:
    """Requests to the reviewers of one department: asked, answered, declined, and the response rate in %."""

    department: str
    asked: int
    answered: int
    declined: int
    rate: int | None


@dataclass(frozen=True)
class Waiting:
    """A request not answered yet, to chase (`open` False: the feedback is closed, it can no longer be answered)."""

    reviewer_id: str
    reviewer_name: str
    department: str
    subject_name: str
    kind: str
    open: bool


@dataclass(frozen=True)
class FeedbackProgress:
    """HR's view of a cycle's feedback: the rules, the response rates, and who has not answered yet."""

    cycle_id: str
    cycle_name: str
    settings: dict[str, Any]
    departments: list[DepartmentRate]
    asked: int
    answered: int
    rate: int | None
    waiting: list[Waiting]


@dataclass(frozen=True)
class PendingRequest(RequestAbout):
    """A request waiting for its reviewer's answer in an active cycle (for the daily reminders)."""


def feedback_progress(uow: UnitOfWork, principal: Principal, cycle_id: str, now: datetime) -> FeedbackProgress:
    """HR: the response rate per department (of reviewers) and who has not answered yet, to chase (`open` False:
    the feedback is closed, they can no longer answer; they stay listed, so that the release, when the comments
    appear, changes nobody's place in this list).

    Requests about HR themselves or about people they manage are left out: HR must not learn who answered there.
    """
    policy.require(policy.may_manage_feedback(principal), "only HR follows feedback response rates")
    cycle = get_cycle(uow, cycle_id)
    requests = uow.feedback.of_cycle(cycle_id)
    open_subjects = {r.subject_id for r in requests if r.state is RequestState.APPROVED}
    closed = open_subjects - answerable_subjects(uow, cycle, open_subjects, now)
    people = uow.directory.get_many(sorted({r.reviewer_id for r in requests} | {r.subject_id for r in requests}))
    rows: dict[str, dict[str, int]] = {}
    waiting: list[Waiting] = []
    acting = uow.delegations.acting_for(principal.employee_id, now.date())  # issue 28: HR acting for a manager
    for r in requests:
        subject = people.get(r.subject_id)
        reviewer = people.get(r.reviewer_id)
        if subject is None or not policy.may_see_who_answered(principal, subject, acting) or r.state not in ASKED:
            continue
        if r.state is not RequestState.ANSWERED and (reviewer is None or not reviewer.active):
            continue  # a leaver drops out of the counts
        dept = reviewer.department if reviewer else r.reviewer_department
        row = rows.setdefault(dept or "—", {"asked": 0, "answered": 0, "declined": 0})
        row["asked"] += 1
        if r.state is RequestState.ANSWERED:
            row["answered"] += 1
        elif r.state is RequestState.DECLINED:
            row["declined"] += 1
        else:
            waiting.append(
                Waiting(
                    reviewer_id=r.reviewer_id,
                    reviewer_name=reviewer.name if reviewer else r.reviewer_name,
                    department=dept,
                    subject_name=r.subject_name,
                    kind=r.kind.value,
                    open=r.subject_id not in closed,
                )
            )
    departments = [
        DepartmentRate(d, **row, rate=round(100 * row["answered"] / row["asked"]) if row["asked"] else None)
        for d, row in sorted(rows.items())
    ]
    waiting.sort(key=lambda w: (w.reviewer_name.casefold(), w.subject_name.casefold()))
    asked = sum(r.asked for r in departments)
    answered = sum(r.answered for r in departments)
    return FeedbackProgress(
        cycle_id=cycle_id,
        cycle_name=cycle.name,
        settings=settings_json(settings_for(uow, cycle)),
        departments=departments,
        asked=asked,
        answered=answered,
        rate=round(100 * answered / asked) if asked else None,
        waiting=waiting,
    )


def pending_requests(uow: UnitOfWork, now: datetime) -> dict[str, list[PendingRequest]]:
    """Requests waiting for an answer in active cycles, by reviewer (the daily reminders); requests about someone
    whose feedback is closed are no longer waiting."""
    found: dict[str, list[PendingRequest]] = {}
    for cycle in uow.cycles.list():
        if cycle.state is not CycleState.ACTIVE:
            continue
        requests = uow.feedback.of_cycle(cycle.cycle_id)
        waiting = {r.subject_id for r in requests if r.state is RequestState.APPROVED}
        answerable = answerable_subjects(uow, cycle, waiting, now)
        for r in requests:
            if r.state is RequestState.APPROVED and r.subject_id in answerable:
                found.setdefault(r.reviewer_id, []).append(PendingRequest(**RequestAbout.fields(r, cycle)))
    return found
