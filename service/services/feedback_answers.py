"""Answering a feedback request: the form with the reviewer's own draft, saving it, submitting (into the group,
under no name) or declining; and the requests addressed to a person."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite
from service.domain.feedback import (
    ASKED,
    FeedbackKind,
    FeedbackRequest,
    RequestAction,
    RequestState,
    answer_content,
    answer_form,
    check_answer,
    closed_sentence,
)
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.feedback import (
    RequestAbout,
    answerable_subjects,
    answers_closed_on,
    require_answerable,
    stage_request,
)
from service.services.feedback_settings import launched_template, settings_for

RA = RequestAction


@dataclass(frozen=True)
class AnswerForm(RequestAbout):
    """A request addressed to the reader, with their own draft (`closed`: it can no longer be answered, since the
    day `closed_on`, ISO text)."""

    state: str
    closed: bool
    closed_on: str | None
    scale: list[str]
    competencies: list[dict[str, str]]  # id, name, description
    questions: list[dict[str, Any]]  # id, text, required
    draft: dict[str, Any]
    draft_version: int
    threshold: int

    @property
    def closed_sentence(self) -> str:
        """What the reviewer is told once it is closed: the person and the day, in one sentence."""
        return closed_sentence(self.subject_name, date.fromisoformat(self.closed_on or ""))


@dataclass(frozen=True)
class DraftSaved:
    """A reviewer's draft as saved."""

    version: int
    saved_at: str
    content: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Done:
    """A request answered or declined."""

    state: str  # answered or declined
    subject_name: str  # whom it was about


@dataclass(frozen=True)
class RequestRow(RequestAbout):
    """A request addressed to the reader, for their list: to answer (`open`), or answered or declined."""

    state: str
    open: bool


def _own_request(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str) -> FeedbackRequest:
    """The request addressed to this principal about `subject_id` (nobody answers someone else's)."""
    if principal.employee_id == subject_id:
        raise PermissionDenied("nobody gives feedback on themselves")
    request = uow.feedback.request(cycle_id, subject_id, principal.employee_id)
    if request is None or request.state in (RequestState.NOMINATED, RequestState.REMOVED):
        raise NotFound("no request for your feedback on this person in this cycle")
    return request


def open_request(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime) -> AnswerForm:
    """The answer form of a request addressed to this principal, with their own draft (`closed`: answers about
    this person are closed, the request can no longer be answered)."""
    cycle = get_cycle(uow, cycle_id)
    request = _own_request(uow, principal, cycle_id, subject_id)
    template = launched_template(cycle)
    closed_on = answers_closed_on(uow, cycle, subject_id, now)
    rated, questions = answer_form(template, request.kind)
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    return AnswerForm(
        **RequestAbout.fields(request, cycle),
        state=request.state.value,
        closed=closed_on is not None,
        closed_on=closed_on.isoformat() if closed_on else None,
        scale=list(template.scale.labels),
        competencies=[
            {"id": c.id, "name": n, "description": c.description}
            for (cid, n), c in zip(rated, template.competencies, strict=True)
        ],
        questions=[{"id": q, "text": t, "required": req} for q, t, req in questions],
        draft=(draft or {}).get("content") or {},
        draft_version=(draft or {}).get("version", 0),
        threshold=settings_for(uow, cycle).shown_from,
    )


def _answerable(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime
) -> tuple[Cycle, FeedbackRequest]:
    cycle = get_cycle(uow, cycle_id)
    request = _own_request(uow, principal, cycle_id, subject_id)
    if request.state is not RequestState.APPROVED:
        raise Conflict(f"this request is already {request.state.value}")
    require_answerable(uow, cycle, subject_id, request.subject_name, now)
    return cycle, request


def save_draft(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    subject_id: str,
    content: dict[str, Any],
    expected_version: int,
    clock: Clock,
) -> DraftSaved:
    """Save the reviewer's answer as a draft (autosave): only its author ever reads it; it is not audited."""
    cycle, request = _answerable(uow, principal, cycle_id, subject_id, clock.now())
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    current = (draft or {}).get("version", 0)
    if current != expected_version:
        raise StaleWrite(f"your draft was saved elsewhere meanwhile (now version {current}); reload it")
    check_answer(content, launched_template(cycle), request.kind, submit=False)
    with uow:
        version = uow.feedback.save_draft(principal.employee_id, cycle_id, subject_id, content, current)
        uow.commit()
    return DraftSaved(version, iso(clock.now()), content)


def _chain(uow: UnitOfWork, manager_id: str) -> tuple[str, ...] | None:
    """The managers above this manager (top first; their level is its length + 1), as the diagnosis reads upward
    feedback: kept from the first answer, so a later move changes no figure already read. None: not in the
    directory."""
    person = uow.directory.get(manager_id)
    return tuple(person.chain) if person else None


def submit_answer(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, content: dict[str, Any], clock: Clock
) -> Done:
    """Submit the answer: it goes into the group under a random id, the request only turns "answered" and the
    draft goes, in one transaction. Nothing stored links the reviewer to what they wrote. Once the person's
    feedback is closed (released, or the manager submitted) an answer is refused (409) and nothing is written:
    the group released never grows."""
    cycle, request = _answerable(uow, principal, cycle_id, subject_id, clock.now())
    check_answer(content, launched_template(cycle), request.kind, submit=True)
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    chain = _chain(uow, subject_id) if request.kind is FeedbackKind.UPWARD else None
    with uow:
        # The audit record of this write says "answered" and no more: the content is in the group only.
        stage_request(uow, request, request, RA.ANSWER, principal.employee_id, iso(clock.now()))
        uow.feedback.add_answer(cycle_id, subject_id, request.kind, answer_content(content), chain)
        if draft is not None:
            uow.feedback.drop_draft(principal.employee_id, cycle_id, subject_id)
        uow.commit()
    return Done(RequestState.ANSWERED.value, request.subject_name)


def decline(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, reason: str, clock: Clock) -> Done:
    """The reviewer declines, with an optional reason (HR reads it; the reviewee and manager see a count)."""
    _cycle, request = _answerable(uow, principal, cycle_id, subject_id, clock.now())
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    declined = replace(request, decline_reason=reason.strip())
    with uow:
        stage_request(uow, request, declined, RA.DECLINE, principal.employee_id, iso(clock.now()))
        if draft is not None:
            uow.feedback.drop_draft(principal.employee_id, cycle_id, subject_id)
        uow.commit()
    return Done(RequestState.DECLINED.value, request.subject_name)


def my_requests(uow: UnitOfWork, principal: Principal, now: datetime) -> list[RequestRow]:
    """The requests addressed to this principal that can still be answered, and those answered or declined, with
    their cycles' names; a request nobody can answer any more (feedback about its person closed) is left out."""
    found = [r for r in uow.feedback.addressed_to(principal.employee_id) if r.state in ASKED]
    cycles = {c: uow.cycles.get(c) for c in {r.cycle_id for r in found}}
    answerable: dict[str, set[str]] = {}
    for cid, cycle in cycles.items():
        waiting = {r.subject_id for r in found if r.cycle_id == cid and r.state is RequestState.APPROVED}
        answerable[cid] = answerable_subjects(uow, cycle, waiting, now) if cycle is not None and waiting else set()
    rows = []
    for r in found:
        cycle = cycles.get(r.cycle_id)
        is_open = r.state is RequestState.APPROVED and r.subject_id in answerable[r.cycle_id]
        if cycle is None or (r.state is RequestState.APPROVED and not is_open):
            continue
        rows.append(RequestRow(**RequestAbout.fields(r, cycle), state=r.state.value, open=is_open))
    return sorted(rows, key=lambda row: (not row.open, row.due or "", row.subject_name.casefold()))
