"""Use cases of feedback on the review process itself (issue 27): a participant answers once, anonymously, when
their review is acknowledged or the cycle closed; HR reads each cycle of a template as a group of at least 5."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.adapters.clock import Clock
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Role
from service.domain.errors import Conflict, NotFound
from service.domain.process_feedback import ProcessAnswer, ProcessSummary, TimeTaken, check_answer, summarise
from service.domain.reviews import ReviewState, at_least
from service.services import policy
from service.services.auth import Principal


@dataclass(frozen=True)
class ProcessFeedbackStatus:
    """Whether a person may answer about a cycle's process, and whether they already did."""

    cycle_id: str
    cycle_name: str
    open: bool
    given: bool


def _participation(uow: UnitOfWork, principal: Principal, cycle_id: str) -> tuple[Cycle, bool]:
    cycle = uow.cycles.get(cycle_id)
    review = uow.reviews.get(cycle_id, principal.employee_id) if cycle else None
    if cycle is None or review is None:
        raise NotFound(f"no review of yours in cycle {cycle_id!r}")
    ended = cycle.state is CycleState.CLOSED or at_least(review.state, ReviewState.ACKNOWLEDGED)
    return cycle, ended


def status(uow: UnitOfWork, principal: Principal, cycle_id: str) -> ProcessFeedbackStatus:
    """May the person answer now (their review acknowledged, or the cycle closed), and have they."""
    cycle, ended = _participation(uow, principal, cycle_id)
    return ProcessFeedbackStatus(
        cycle_id, cycle.name, ended, uow.process_feedback.given(cycle_id, principal.employee_id)
    )


def give(uow: UnitOfWork, principal: Principal, cycle_id: str, data: dict[str, Any], clock: Clock) -> None:
    """Answer once about the cycle's process; the answer names nobody and no time."""
    fair, useful, change = data["fair"], data["useful"], (data.get("change") or "").strip()
    check_answer(fair, useful, change)
    with uow:
        _, ended = _participation(uow, principal, cycle_id)
        if not ended:
            raise Conflict("you can say how the process went once your review is acknowledged")
        if uow.process_feedback.given(cycle_id, principal.employee_id):
            raise Conflict("you already said how this cycle's process went")
        answer = ProcessAnswer("", cycle_id, fair, useful, TimeTaken(data["time_taken"]), change)
        uow.process_feedback.add(cycle_id, principal.employee_id, answer)
        uow.commit()


@dataclass(frozen=True)
class TemplateProcessFeedback:
    """What participants said about the process of each cycle run with a template, beside the template."""

    template_id: str
    template_name: str
    cycles: list[ProcessSummary]


def of_template(uow: UnitOfWork, principal: Principal, template_id: str) -> TemplateProcessFeedback:
    """HR: each cycle of the template, its answers as a group (withheld under 5), newest cycle first."""
    policy.require_role(principal, Role.HR)
    template = uow.templates.get(template_id)
    if template is None:
        raise NotFound(f"no template {template_id!r}")
    cycles = [c for c in uow.cycles.list() if c.template_id == template_id and c.state is not CycleState.DRAFT]
    summaries = [summarise(c.cycle_id, c.name, uow.process_feedback.answers(c.cycle_id)) for c in cycles]
    return TemplateProcessFeedback(template_id, template.name, summaries)
