"""Where one person's feedback stands and what may be read of it: the release, the groups, a request's step.

Anonymity: the answers are read only through `group_result`, which shows nothing below the threshold; the
reviewee and their manager only ever get counts.

Anonymity over time: a person's answers are released as one group at one moment (`release_for`: the manager's
submission or the feedback deadline, as the cycle's release rule says). Answers and declines close then, so
what is released never grows; before it, the groups show nothing (not even a count) and the counts the
reviewee and manager see move only when reviewers are asked or removed. Comments reach the reviewee, their
manager and HR; a skip-level reader (leadership, the chief executive) gets the ratings summary and counts only.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, tzinfo
from typing import Any, Self

from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Employee
from service.domain.errors import NO_PERSON, NO_REVIEW, Conflict, NotFound
from service.domain.feedback import (
    FeedbackKind,
    FeedbackRequest,
    GroupResult,
    Release,
    RequestAction,
    closed_sentence,
    group_result,
    next_request_state,
    progress_counts,
    release_state,
    score_ratings,
)
from service.domain.formats import day_of
from service.domain.reviews import ReviewState, manager_assessed
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.delegation import acting_for
from service.services.feedback_settings import feedback_deadline, launched_template, settings_for, settings_json


@dataclass(frozen=True)
class RequestAbout:
    """A feedback request as its reviewer reads it: the cycle, whom it is about, peer or upward, the deadline."""

    cycle_id: str
    cycle_name: str
    subject_id: str
    subject_name: str
    kind: str
    due: str | None

    @staticmethod
    def fields(request: FeedbackRequest, cycle: Cycle) -> dict[str, Any]:
        """The fields of `request` in `cycle`, for this type and those extending it."""
        due = feedback_deadline(cycle)
        return {
            "cycle_id": cycle.cycle_id,
            "cycle_name": cycle.name,
            "subject_id": request.subject_id,
            "subject_name": request.subject_name,
            "kind": request.kind.value,
            "due": due.isoformat() if due else None,
        }


@dataclass(frozen=True)
class Note:
    """Continuous feedback: praise or a suggestion from one colleague to another, optionally about a competency or
    a goal; `evidence`: the cycles whose review it was pulled into."""

    note_id: str
    from_id: str
    to_id: str
    kind: str
    text: str
    competency_id: str | None
    goal_id: str | None
    at: str
    evidence: list[str]
    version: int

    @classmethod
    def of(cls, item: dict[str, Any], **extra: Any) -> Self:
        """The note a stored item holds (`extra`: the fields of a type extending this one)."""
        return cls(**{f.name: item.get(f.name) for f in fields(Note)}, **extra)


@dataclass(frozen=True)
class ReviewFeedback:
    """A review's feedback for one reader: the groups (nothing names a reviewer), counts, the release, the rules,
    and the continuous feedback pulled in as evidence (the person, their manager and HR only)."""

    groups: list[dict[str, Any]]
    counts: dict[str, dict[str, int | None]]
    release: dict[str, Any]
    settings: dict[str, Any]
    evidence: list[Note]
    comments_shown: bool


def known_person(uow: UnitOfWork, employee_id: str) -> Employee:
    """A person of the directory, or NotFound."""
    person = uow.directory.get(employee_id)
    if person is None:
        raise NotFound(NO_PERSON)
    return person


def cycle_participant(uow: UnitOfWork, cycle: Cycle, employee_id: str) -> Employee:
    """A person taking part in the cycle (their review exists; a cycle stored before issue 24 lists them), or
    NotFound."""
    person = known_person(uow, employee_id)
    listed = employee_id in cycle.participants if cycle.participants else None
    if not (listed if listed is not None else uow.reviews.get(cycle.cycle_id, employee_id) is not None):
        raise NotFound(f"{person.name} takes no part in {cycle.name}.")
    return person


def stage_request(
    uow: UnitOfWork,
    request: FeedbackRequest | None,
    new: FeedbackRequest,
    action: RequestAction,
    actor: str,
    at: str,
    reason: str = "",
) -> FeedbackRequest:
    """Stage a request's step (`action` per the transition table) with its audit record."""
    state = next_request_state(request.state if request else None, action)
    after = replace(new, state=state, version=request.version if request else 0)
    if request is not None:
        after.audit_head = request.audit_head
    return uow.feedback.save(after, new=request is None, actor=actor, action=action.value, at=at, reason=reason)


def request_counts(requests: list[FeedbackRequest], release: Release) -> dict[str, dict[str, int | None]]:
    """Per kind, how many were asked (and, once released, answered and declined): never who."""
    return {k.value: progress_counts([r for r in requests if r.kind is k], release.released) for k in FeedbackKind}


def release_for(
    uow: UnitOfWork,
    cycle: Cycle,
    subject_id: str,
    now: datetime,
    *,
    marks: dict[str, bool] | None = None,
    releasing: bool = False,
) -> Release:
    """Where one person's feedback stands at `now`: open, closed (answers final) or released (readable).

    `marks`: the close marks (`FeedbackRepository.closed_of`), when the caller has read them already.
    `releasing`: the manager is submitting now, in the caller's transaction.
    """
    if marks is None:
        marks = uow.feedback.closed_of(cycle.cycle_id, [subject_id])
    review = uow.reviews.get(cycle.cycle_id, subject_id)
    submitted = review is not None and manager_assessed(review.state)
    rule = settings_for(uow, cycle).release
    closed = releasing or subject_id in marks or submitted
    return release_state(rule, feedback_deadline(cycle), closed, now, released_mark=marks.get(subject_id, False))


def stage_close(uow: UnitOfWork, cycle_id: str, subject_id: str, at: str) -> None:
    """Inside the manager's submission: mark the person's feedback closed (and released, when the cycle's rule
    releases on the manager's submission), in the same transaction, so that no answer joins the group after the
    score was computed from it, and groups released stay released."""
    released = uow.feedback.settings(cycle_id).release.on_manager
    uow.feedback.close(cycle_id, subject_id, at, released=released)


def _closed_message(release: Release) -> str:
    if release.released:
        return "this person's feedback was released as a group: answers are closed"
    return "this person's feedback is closed: the answers given are final and are released together"


def require_group_open(uow: UnitOfWork, cycle: Cycle, subject_id: str, now: datetime) -> None:
    """Refuse (409) once the person's feedback is closed: the group released never grows."""
    review = uow.reviews.get(cycle.cycle_id, subject_id)
    if review is None:
        raise NotFound(NO_REVIEW)
    release = release_for(uow, cycle, subject_id, now)
    if release.closed:
        raise Conflict(_closed_message(release))


def _day(text: str | None, zone: tzinfo | None) -> date | None:
    return day_of(text, zone) if text else None


def answers_closed_on(uow: UnitOfWork, cycle: Cycle, subject_id: str, now: datetime) -> date | None:
    """The one rule of whether feedback about this person can still be given: None while it can, else the day
    it closed (the cycle closed, the manager submitted the assessment, or the feedback deadline passed)."""
    if cycle.state is not CycleState.ACTIVE:
        return _day(cycle.closed_at, now.tzinfo) or now.date()
    release = release_for(uow, cycle, subject_id, now)
    if not release.closed:
        return None
    review = uow.reviews.get(cycle.cycle_id, subject_id)
    reached = (review.submitted or {}) if review else {}
    submitted = _day(
        reached.get(ReviewState.IN_CALIBRATION.value) or reached.get(ReviewState.MANAGER_SUBMITTED.value), now.tzinfo
    )
    by_deadline = release.release_on if release.release_on and now.date() >= release.release_on else None
    days = [d for d in (uow.feedback.closed_on(cycle.cycle_id, subject_id, now.tzinfo), submitted, by_deadline) if d]
    return min(days, default=now.date())


def require_answerable(uow: UnitOfWork, cycle: Cycle, subject_id: str, subject_name: str, now: datetime) -> None:
    """Refuse (409, one sentence) an answer, draft or decline once feedback about this person is closed."""
    closed = answers_closed_on(uow, cycle, subject_id, now)
    if closed is not None:
        raise Conflict(closed_sentence(subject_name, closed))


def answerable_subjects(uow: UnitOfWork, cycle: Cycle, subject_ids: set[str], now: datetime) -> set[str]:
    """`answers_closed_on` for a list (one batch read): which of these people's feedback can still be given."""
    if cycle.state is not CycleState.ACTIVE:
        return set()
    return subject_ids - closed_subjects(uow, cycle, subject_ids, now)


def closed_subjects(uow: UnitOfWork, cycle: Cycle, subject_ids: set[str], now: datetime) -> set[str]:
    """Which of these people's feedback is closed to answers (a batch read of reviews and close marks)."""
    if not subject_ids:
        return set()
    marks = uow.feedback.closed_of(cycle.cycle_id, sorted(subject_ids))
    submitted = {
        r.employee_id for r in uow.reviews.get_many(cycle.cycle_id, sorted(subject_ids)) if manager_assessed(r.state)
    }
    rule, deadline = settings_for(uow, cycle).release, feedback_deadline(cycle)
    return {s for s in subject_ids if release_state(rule, deadline, s in marks or s in submitted, now).closed}


def groups(
    uow: UnitOfWork, cycle: Cycle, subject_id: str, now: datetime, releasing: bool = False
) -> tuple[list[GroupResult], Release]:
    """The peer and upward groups about one person as released at `now` (one Query; the settings' one read):
    withheld, count included, until the release."""
    template = launched_template(cycle)
    threshold = settings_for(uow, cycle).shown_from
    known = uow.feedback.close_mark_read(cycle.cycle_id, subject_id)
    if known is not None:  # the close mark came with the review's batch read: the answers only when shown
        marks = {} if known[0] is None else {subject_id: known[0]}
        release = release_for(uow, cycle, subject_id, now, marks=marks, releasing=releasing)
        if not release.released:
            return [group_result(kind, [], template, threshold).withheld() for kind in FeedbackKind], release
    answers, mark = uow.feedback.group_items(cycle.cycle_id, subject_id)
    marks = {} if mark is None else {subject_id: mark}
    release = release_for(uow, cycle, subject_id, now, marks=marks, releasing=releasing)
    found = [group_result(kind, answers[kind], template, threshold) for kind in FeedbackKind]
    return (found if release.released else [g.withheld() for g in found]), release


def _reader_roles(uow: UnitOfWork, principal: Principal, cycle: Cycle, subject_id: str) -> policy.ReviewRoles:
    subject = known_person(uow, subject_id)
    # The review's own readers (issue 12: a skip-level manager too, when the cycle allows it), as ReviewContext.
    acting = acting_for(uow, principal, subject.manager_id) if principal.employee_id != subject_id else ()
    roles = policy.review_roles(principal, subject_id, subject.manager_id, subject.chain, cycle.skip_level_read, acting)
    policy.require(policy.may_read_review(roles), "only the readers of the review see this feedback")
    return roles


def feedback_groups_for(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime
) -> list[dict[str, Any]]:
    """The feedback groups of one review for a reader of that review (the person, their managers, HR): after the
    release, averages, distributions and (for the person, their manager and HR) comments of groups with enough
    answers, the count of the others; before it, nothing but that it is not released yet.

    For PDFs and pages alike: nothing in it names a reviewer.
    """
    cycle = get_cycle(uow, cycle_id)
    roles = _reader_roles(uow, principal, cycle, subject_id)
    comments = policy.may_read_feedback_comments(roles)
    return [g.as_dict(comments=comments) for g in groups(uow, cycle, subject_id, now)[0]]


def feedback_groups_for_review(
    uow: UnitOfWork, principal: Principal, review: Any, now: datetime
) -> list[dict[str, Any]]:
    """`feedback_groups_for` of a Review (or anything with `cycle_id` and `employee_id`): for the PDF summary."""
    return feedback_groups_for(uow, principal, review.cycle_id, review.employee_id, now)


def score_feedback_ratings(
    uow: UnitOfWork, cycle: Cycle, subject_id: str, now: datetime, releasing: bool = False
) -> list[float]:
    """The ratings the score's feedback part comes from: those of the groups that are shown (released; with
    `releasing`, as the manager's submission being made releases them)."""
    return score_ratings(groups(uow, cycle, subject_id, now, releasing)[0])


def review_feedback(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime
) -> ReviewFeedback:
    """The review's feedback page: groups, counts (never names; before the release only how many were asked),
    the release, and the continuous feedback pulled in (its readers: the person, their manager, HR)."""
    cycle = get_cycle(uow, cycle_id)
    roles = _reader_roles(uow, principal, cycle, subject_id)
    comments = policy.may_read_feedback_comments(roles)
    found, release = groups(uow, cycle, subject_id, now)
    requests = uow.feedback.about(cycle_id, subject_id)
    received = uow.notes.received_by(subject_id) if comments else []
    evidence = [Note.of(n) for n in received if cycle_id in n["evidence"]]
    return ReviewFeedback(
        groups=[g.as_dict(comments=comments) for g in found],
        counts=request_counts(requests, release),
        release=release.as_dict(),
        settings=settings_json(settings_for(uow, cycle)),
        evidence=evidence,
        comments_shown=comments,
    )
