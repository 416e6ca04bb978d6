"""Use cases of feedback: nominate, approve, ask for upward feedback, answer (draft, submit, decline), read the
group, follow response rates, remind; and continuous feedback notes pulled into a review as evidence.

Anonymity: the use cases that read requests ask `policy` first, and the reviewee and their manager only ever
get counts; the answers are read only through `group_result`, which shows nothing below the threshold.

Anonymity over time: a person's answers are released as one group at one moment (`release_for`: the manager's
submission or the feedback deadline, as the cycle's release rule says). Answers and declines close then, so
what is released never grows; before it, the groups show nothing (not even a count) and the counts the
reviewee and manager see move only when reviewers are asked or removed. Comments reach the reviewee, their
manager and HR; a skip-level reader (leadership, the chief executive) gets the ratings summary and counts only.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import Email, Mailer, SendFailed
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState, Phase
from service.domain.directory import Employee
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.feedback import (
    ASKED,
    HOLDING,
    FeedbackKind,
    FeedbackRequest,
    FeedbackSettings,
    GroupResult,
    NoteKind,
    Release,
    ReleaseRule,
    RequestAction,
    RequestState,
    answer_content,
    answer_form,
    check_answer,
    check_nominees,
    check_note,
    check_settings,
    group_result,
    next_request_state,
    progress_counts,
    release_state,
    score_ratings,
)
from service.domain.reviews import ReviewState, at_least
from service.domain.templates import Template, template_from_dict
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle

log = logging.getLogger(__name__)
RA = RequestAction


# --- settings --------------------------------------------------------------------------------------------


def settings_for(uow: UnitOfWork, cycle: Cycle) -> FeedbackSettings:
    """A cycle's feedback settings, the nomination deadline defaulting to the feedback phase's deadline."""
    s = uow.feedback.settings(cycle.cycle_id)
    if s.nomination_deadline is None:
        s = replace(s, nomination_deadline=cycle.phases.get(Phase.FEEDBACK))
    return s


def settings_json(s: FeedbackSettings) -> dict[str, Any]:
    """Settings as JSON."""
    return {
        "min_peers": s.min_peers,
        "max_peers": s.max_peers,
        "threshold": s.shown_from,
        "upward": s.upward,
        "nomination_deadline": s.nomination_deadline.isoformat() if s.nomination_deadline else None,
        "release": s.release.value,
        "version": s.version,
    }


def save_settings(
    uow: UnitOfWork, principal: Principal, cycle_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> dict[str, Any]:
    """HR sets a cycle's peer minimum and maximum, the anonymity threshold (never below 3), upward on/off, the
    nomination deadline and when answers are released (left out: unchanged). The release rule is fixed once the
    feedback deadline has passed: changing it then could reopen answers to groups already shown."""
    policy.require(policy.may_manage_feedback(principal), "only HR sets a cycle's feedback rules")
    cycle = get_cycle(uow, cycle_id)
    _require_open(cycle)
    current = uow.feedback.settings(cycle_id)
    if current.version != expected_version:
        raise StaleWrite(f"the feedback settings were changed by someone else (now version {current.version})")
    release = ReleaseRule(data.get("release") or current.release)
    deadline = _deadline(cycle)
    if release is not current.release and deadline and clock.now().date() > deadline:
        raise ValidationFailed(
            "The feedback settings are not valid.",
            {"release": [f"fixed since the feedback deadline ({deadline.isoformat()}) passed"]},
        )
    wanted = FeedbackSettings(
        min_peers=data["min_peers"],
        max_peers=data["max_peers"],
        threshold=data["threshold"],
        upward=data["upward"],
        nomination_deadline=data.get("nomination_deadline"),
        release=release,
        version=current.version,
    )
    check_settings(wanted)
    with uow:
        stored = uow.feedback.save_settings(cycle_id, wanted, actor=principal.employee_id, at=iso(clock.now()))
        uow.commit()
    return settings_json(replace(stored, nomination_deadline=stored.nomination_deadline or _deadline(cycle)))


def _deadline(cycle: Cycle) -> date | None:
    return cycle.phases.get(Phase.FEEDBACK)


def _require_open(cycle: Cycle) -> None:
    if cycle.state is not CycleState.ACTIVE:
        raise Conflict(f"the cycle is {cycle.state}; its feedback is read-only")


def _template(cycle: Cycle) -> Template:
    if not cycle.template_snapshot:
        raise Conflict("the cycle has not been launched")
    return template_from_dict(cycle.template_snapshot)


def _person(uow: UnitOfWork, employee_id: str) -> Employee:
    person = uow.directory.get(employee_id)
    if person is None:
        raise NotFound(f"no employee {employee_id!r}")
    return person


def _participant(uow: UnitOfWork, cycle: Cycle, employee_id: str) -> Employee:
    person = _person(uow, employee_id)
    if employee_id not in cycle.participants:
        raise NotFound(f"{employee_id!r} takes no part in this cycle")
    return person


# --- nominations -------------------------------------------------------------------------------------------

# What the reviewee and their manager see of a request: answered and declined are only "asked".
SHOWN_STATE = {
    RequestState.NOMINATED: "nominated",
    RequestState.APPROVED: "asked",
    RequestState.ANSWERED: "asked",
    RequestState.DECLINED: "asked",
    RequestState.REMOVED: "removed",
}


def nominations(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime) -> dict[str, Any]:
    """The peer reviewers of one person as this reader may see them.

    The person and their manager get names with "nominated", "asked" or "removed" and counts (before the release
    only how many were asked); who answered or declined reaches only HR (to chase), and only about people they
    do not manage.
    """
    cycle = get_cycle(uow, cycle_id)
    subject = _participant(uow, cycle, subject_id)
    mine, manages = principal.employee_id == subject_id, principal.employee_id == subject.manager_id
    if not (mine or manages or policy.may_decide_nominations(principal, subject)):
        raise PermissionDenied("only the person, their manager and HR see these nominations")
    settings = settings_for(uow, cycle)
    requests = uow.feedback.about(cycle_id, subject_id)
    people = uow.directory.get_many(sorted({r.reviewer_id for r in requests}))
    active = {p for p, e in people.items() if e.active}
    detail = policy.may_see_who_answered(principal, subject)
    release = release_for(uow, cycle, subject_id, now)
    rows = []
    for r in requests:
        if r.kind is not FeedbackKind.PEER:
            continue
        # A leaver stays listed, whatever their request's state: dropping only those who had not answered would
        # tell who had.
        row = {
            "reviewer_id": r.reviewer_id,
            "name": people[r.reviewer_id].name if r.reviewer_id in people else r.reviewer_name,
            "department": r.reviewer_department,
            "state": r.state.value if detail else SHOWN_STATE[r.state],
        }
        if detail:  # a version moves when a request is answered: it would tell who answered
            row["version"] = r.version
            row["active"] = r.reviewer_id in active
            row["decline_reason"] = r.decline_reason
        rows.append(row)
    # By name: never by when a request changed, which would follow answers.
    rows.sort(key=lambda row: row["name"].casefold())
    today = now.date()
    deadline = settings.nomination_deadline
    return {
        "cycle_id": cycle_id,
        "subject_id": subject_id,
        "subject_name": subject.name,
        "settings": settings_json(settings),
        "peers": rows,
        "counts": _counts(requests, release),
        "release": release.as_dict(),
        "may_nominate": cycle.state is CycleState.ACTIVE
        and not release.closed
        and policy.may_nominate_peers(principal, subject),
        "may_decide": cycle.state is CycleState.ACTIVE
        and not release.closed
        and policy.may_decide_nominations(principal, subject),
        "deadline_passed": bool(deadline and today > deadline),
        "detail": detail,
    }


def _stage(
    uow: UnitOfWork,
    request: FeedbackRequest | None,
    new: FeedbackRequest,
    action: RequestAction,
    actor: str,
    at: str,
    reason: str = "",
) -> FeedbackRequest:
    state = next_request_state(request.state if request else None, action)
    after = replace(new, state=state, version=request.version if request else 0)
    if request is not None:
        after.audit_head = request.audit_head
    return uow.feedback.save(after, new=request is None, actor=actor, action=action.value, at=at, reason=reason)


def _new_request(cycle: Cycle, subject: Employee, reviewer: Employee, kind: FeedbackKind, by: str) -> FeedbackRequest:
    return FeedbackRequest(
        cycle_id=cycle.cycle_id,
        subject_id=subject.employee_id,
        reviewer_id=reviewer.employee_id,
        kind=kind,
        state=RequestState.NOMINATED,
        subject_name=subject.name,
        reviewer_name=reviewer.name,
        reviewer_department=reviewer.department,
        nominated_by=by,
    )


def _before_deadline(principal: Principal, settings: FeedbackSettings, today: date, what: str) -> None:
    deadline = settings.nomination_deadline
    if deadline and today > deadline and not policy.may_manage_feedback(principal):
        raise Conflict(f"{what} closed on {deadline.isoformat()}; HR can still adjust them")


def _counts(requests: list[FeedbackRequest], release: Release) -> dict[str, dict[str, int | None]]:
    return {k.value: progress_counts([r for r in requests if r.kind is k], release.released) for k in FeedbackKind}


# --- the release -------------------------------------------------------------------------------------------


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
    submitted = review is not None and at_least(review.state, ReviewState.MANAGER_SUBMITTED)
    rule = settings_for(uow, cycle).release
    closed = releasing or subject_id in marks or submitted
    return release_state(rule, _deadline(cycle), closed, now, released_mark=marks.get(subject_id, False))


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


def _group_open(uow: UnitOfWork, cycle: Cycle, subject_id: str, now: datetime) -> None:
    review = uow.reviews.get(cycle.cycle_id, subject_id)
    if review is None:
        raise NotFound(f"no review for {subject_id!r} in this cycle")
    release = release_for(uow, cycle, subject_id, now)
    if release.closed:
        raise Conflict(_closed_message(release))


def nominate_peers(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    subject_id: str,
    reviewer_ids: list[str],
    clock: Clock,
    mailer: Mailer | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """The employee names their peer reviewers (the whole list, within the cycle's minimum and maximum); names
    left out that were only nominated are withdrawn. The manager decides next."""
    cycle = get_cycle(uow, cycle_id)
    _require_open(cycle)
    subject = _participant(uow, cycle, subject_id)
    policy.require(policy.may_nominate_peers(principal, subject), "only the employee nominates their peers")
    settings = settings_for(uow, cycle)
    _before_deadline(principal, settings, clock.now().date(), "nominations")
    _group_open(uow, cycle, subject_id, clock.now())
    requests = {r.reviewer_id: r for r in uow.feedback.about(cycle_id, subject_id)}
    held = [
        i
        for i, r in requests.items()
        if r.kind is FeedbackKind.PEER and r.state is not RequestState.NOMINATED and r.state in HOLDING
    ]
    wanted = list(dict.fromkeys(reviewer_ids))
    people = uow.directory.get_many(sorted(set(wanted) | set(requests)))
    active = {p for p, e in people.items() if e.active}
    reports = {p.employee_id for p in uow.directory.reports(subject_id)}
    check_nominees(subject_id, subject.manager_id, reports, reviewer_ids, active, settings, enforce_min=False)
    total = set(wanted) | set(held)
    if len(total) < settings.min_peers or len(total) > settings.max_peers:
        raise ValidationFailed(
            "The nominations are not valid.",
            {"reviewer_ids": [f"name {settings.min_peers} to {settings.max_peers} peers (now {len(total)})"]},
        )
    at = iso(clock.now())
    with uow:
        for reviewer_id in wanted:
            r = requests.get(reviewer_id)
            if r is not None and r.state is not RequestState.REMOVED:
                if r.kind is not FeedbackKind.PEER:
                    raise ValidationFailed(
                        "The nominations are not valid.",
                        {"reviewer_ids": [f"{reviewer_id!r} already gives upward feedback"]},
                    )
                continue
            new = _new_request(cycle, subject, people[reviewer_id], FeedbackKind.PEER, principal.employee_id)
            _stage(uow, r, new, RA.NOMINATE, principal.employee_id, at)
        for reviewer_id, r in requests.items():
            if r.kind is FeedbackKind.PEER and r.state is RequestState.NOMINATED and reviewer_id not in wanted:
                _stage(uow, r, r, RA.REMOVE, principal.employee_id, at, reason="withdrawn by the nominee's list")
        uow.commit()
    if mailer is not None and subject.manager_id:
        _email_manager(uow, mailer, cycle, subject, settings, base_url)
    return nominations(uow, principal, cycle_id, subject_id, clock.now())


def _email_manager(
    uow: UnitOfWork, mailer: Mailer, cycle: Cycle, subject: Employee, settings: FeedbackSettings, base_url: str
) -> None:
    """Tell the manager there are nominations to decide on (a failed send is logged: the page shows them too)."""
    manager = uow.directory.get(subject.manager_id or "")
    if manager is None or not manager.active:
        return
    deadline = settings.nomination_deadline.isoformat() if settings.nomination_deadline else "the feedback deadline"
    url = f"{base_url}/cycles/{cycle.cycle_id}/reviews/{subject.employee_id}/nominations"
    text = (
        f"Hello {manager.name},\n\n{subject.name} nominated peer reviewers for {cycle.name}. "
        f"Approve, remove or add reviewers by {deadline}: {url}\n"
    )
    try:
        mailer.send(
            Email((manager.email,), f"Peer reviewers to approve for {subject.name}", text, cycle_id=cycle.cycle_id)
        )
    except SendFailed as exc:
        log.warning("a nomination email could not be sent: %s", exc)


def decide_nominations(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    subject_id: str,
    approve: list[str],
    remove: list[str],
    add: list[str],
    clock: Clock,
    mailer: Mailer | None = None,
    base_url: str = "",
) -> dict[str, Any]:
    """The manager (or HR) approves, removes or adds peer reviewers before the deadline; everyone newly asked
    gets an email with a link to answer."""
    cycle = get_cycle(uow, cycle_id)
    _require_open(cycle)
    subject = _participant(uow, cycle, subject_id)
    policy.require(
        policy.may_decide_nominations(principal, subject), "only the employee's manager or HR decides on reviewers"
    )
    settings = settings_for(uow, cycle)
    _before_deadline(principal, settings, clock.now().date(), "decisions on reviewers")
    _group_open(uow, cycle, subject_id, clock.now())
    requests = {r.reviewer_id: r for r in uow.feedback.about(cycle_id, subject_id)}
    errors: dict[str, list[str]] = {}
    for name, ids in (("approve", approve), ("remove", remove)):
        for i in ids:
            if i not in requests or requests[i].kind is not FeedbackKind.PEER:
                errors.setdefault(name, []).append(f"{i!r} is not among the nominated peers")
    if set(approve) & set(remove):
        errors.setdefault("remove", []).append("approve or remove a person, not both")
    # Who may not see who answered is refused alike for every asked reviewer: a refusal only for those who had
    # answered or declined would tell them who had.
    detail = policy.may_see_who_answered(principal, subject)
    stays = (RequestState.ANSWERED, RequestState.DECLINED) if detail else ASKED
    for i in remove:
        if i in requests and requests[i].state in stays:
            message = (
                "a request that was answered or declined stays"
                if detail
                else "an asked reviewer stays (HR can remove one who has not answered)"
            )
            errors.setdefault("remove", []).append(message)
    if errors:
        raise ValidationFailed("The decisions are not valid.", errors)
    people = uow.directory.get_many(sorted(set(add) | set(approve)))
    active = {p for p, e in people.items() if e.active}
    reports = {p.employee_id for p in uow.directory.reports(subject_id)}
    holding = {i for i, r in requests.items() if r.kind is FeedbackKind.PEER and r.state in HOLDING}
    after = (holding - set(remove)) | set(add)
    fresh_adds = [i for i in add if i not in holding]
    check_nominees(
        subject_id, subject.manager_id, reports, fresh_adds, active, replace(settings, max_peers=99), enforce_min=False
    )
    if len(after) > settings.max_peers:
        raise ValidationFailed("The decisions are not valid.", {"add": [f"at most {settings.max_peers} peers in all"]})
    at = iso(clock.now())
    asked: list[str] = []
    with uow:
        for i in approve:
            r = requests[i]
            if r.state is RequestState.NOMINATED:
                _stage(uow, r, r, RA.APPROVE, principal.employee_id, at)
                asked.append(i)
        for i in remove:
            r = requests[i]
            if r.state is not RequestState.REMOVED:
                _stage(uow, r, r, RA.REMOVE, principal.employee_id, at)
        for i in fresh_adds:
            r = requests.get(i)
            new = _new_request(cycle, subject, people[i], FeedbackKind.PEER, principal.employee_id)
            _stage(uow, r, new, RA.ADD, principal.employee_id, at)
            asked.append(i)
        uow.commit()
    if mailer is not None:
        _email_reviewers(uow, mailer, cycle, subject, asked, FeedbackKind.PEER, base_url)
    return nominations(uow, principal, cycle_id, subject_id, clock.now())


def request_upward(
    uow: UnitOfWork, principal: Principal, cycle_id: str, clock: Clock, mailer: Mailer | None = None, base_url: str = ""
) -> dict[str, int]:
    """HR asks every participating manager's direct reports about their manager (cycles with upward feedback
    on); asking again only adds who is new. One transaction per manager."""
    policy.require(policy.may_manage_feedback(principal), "only HR asks for upward feedback")
    cycle = get_cycle(uow, cycle_id)
    _require_open(cycle)
    settings = settings_for(uow, cycle)
    if not settings.upward:
        raise Conflict("upward feedback is off in this cycle's feedback settings")
    at = iso(clock.now())
    managers = asked = 0
    teams: dict[str, list[Employee]] = {}
    for manager_id in sorted(cycle.participants):
        reports = [p for p in uow.directory.reports(manager_id) if p.employee_id != manager_id]
        if reports:
            teams[manager_id] = reports
    closed = _closed_subjects(uow, cycle, set(teams), clock.now())  # one batch read, not one per manager
    for manager_id, reports in teams.items():
        manager = _person(uow, manager_id)
        review = uow.reviews.get(cycle_id, manager_id)
        if review is None or manager_id in closed:
            continue
        existing = {r.reviewer_id: r for r in uow.feedback.about(cycle_id, manager_id)}
        new_ids = [p.employee_id for p in reports if p.employee_id not in existing]
        if not new_ids:
            continue
        with uow:
            for p in reports:
                if p.employee_id in new_ids:
                    _stage(
                        uow,
                        None,
                        _new_request(cycle, manager, p, FeedbackKind.UPWARD, principal.employee_id),
                        RA.ADD,
                        principal.employee_id,
                        at,
                    )
            uow.commit()
        managers += 1
        asked += len(new_ids)
        if mailer is not None:
            _email_reviewers(uow, mailer, cycle, manager, new_ids, FeedbackKind.UPWARD, base_url)
    return {"managers": managers, "asked": asked}


def answer_url(base_url: str, cycle_id: str, subject_id: str) -> str:
    """Where a reviewer answers (the link in the emails)."""
    return f"{base_url}/feedback/{cycle_id}/{subject_id}"


def _email_reviewers(
    uow: UnitOfWork,
    mailer: Mailer,
    cycle: Cycle,
    subject: Employee,
    reviewer_ids: list[str],
    kind: FeedbackKind,
    base_url: str,
) -> None:
    """One email per newly asked reviewer. A failed send is logged: the daily reminders list pending requests."""
    people = uow.directory.get_many(sorted(reviewer_ids))
    for reviewer_id in reviewer_ids:
        person = people.get(reviewer_id)
        if person is None or not person.active:
            continue
        text = render(
            "email/feedback_request.txt",
            person=person,
            subject=subject,
            cycle=cycle,
            kind=kind.value,
            due=_deadline(cycle),
            url=answer_url(base_url, cycle.cycle_id, subject.employee_id),
        )
        title = f"Your feedback on {subject.name}" if kind is FeedbackKind.PEER else "Feedback on your manager"
        try:
            mailer.send(Email((person.email,), title, text, cycle_id=cycle.cycle_id))
        except SendFailed as exc:
            log.warning("a feedback request email could not be sent; the daily reminder lists it: %s", exc)


# --- answering ---------------------------------------------------------------------------------------------


def _own_request(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str) -> FeedbackRequest:
    """The request addressed to this principal about `subject_id` (nobody answers someone else's)."""
    if principal.employee_id == subject_id:
        raise PermissionDenied("nobody gives feedback on themselves")
    request = uow.feedback.request(cycle_id, subject_id, principal.employee_id)
    if request is None or request.state in (RequestState.NOMINATED, RequestState.REMOVED):
        raise NotFound("no request for your feedback on this person in this cycle")
    return request


def open_request(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime
) -> dict[str, Any]:
    """The answer form of a request addressed to this principal, with their own draft (`closed`: answers about
    this person are closed, the request can no longer be answered)."""
    cycle = get_cycle(uow, cycle_id)
    request = _own_request(uow, principal, cycle_id, subject_id)
    release = release_for(uow, cycle, subject_id, now)
    template = _template(cycle)
    rated, questions = answer_form(template, request.kind)
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    return {
        "cycle_id": cycle_id,
        "cycle_name": cycle.name,
        "subject_id": subject_id,
        "subject_name": request.subject_name,
        "kind": request.kind.value,
        "state": request.state.value,
        "closed": release.closed or cycle.state is not CycleState.ACTIVE,
        "due": _deadline(cycle).isoformat() if _deadline(cycle) else None,
        "scale": list(template.scale.labels),
        "competencies": [
            {"id": c.id, "name": n, "description": c.description}
            for (cid, n), c in zip(rated, template.competencies, strict=True)
        ],
        "questions": [{"id": q, "text": t, "required": req} for q, t, req in questions],
        "draft": (draft or {}).get("content") or {},
        "draft_version": (draft or {}).get("version", 0),
        "threshold": settings_for(uow, cycle).shown_from,
    }


def _answerable(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime
) -> tuple[Cycle, FeedbackRequest]:
    cycle = get_cycle(uow, cycle_id)
    request = _own_request(uow, principal, cycle_id, subject_id)
    _require_open(cycle)
    if request.state is not RequestState.APPROVED:
        raise Conflict(f"this request is already {request.state.value}")
    _group_open(uow, cycle, subject_id, now)
    return cycle, request


def save_draft(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    subject_id: str,
    content: dict[str, Any],
    expected_version: int,
    clock: Clock,
) -> dict[str, Any]:
    """Save the reviewer's answer as a draft (autosave): only its author ever reads it; it is not audited."""
    cycle, request = _answerable(uow, principal, cycle_id, subject_id, clock.now())
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    current = (draft or {}).get("version", 0)
    if current != expected_version:
        raise StaleWrite(f"your draft was saved elsewhere meanwhile (now version {current}); reload it")
    check_answer(content, _template(cycle), request.kind, submit=False)
    with uow:
        version = uow.feedback.save_draft(principal.employee_id, cycle_id, subject_id, content, current)
        uow.commit()
    return {"version": version, "saved_at": iso(clock.now()), "content": content}


def submit_answer(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, content: dict[str, Any], clock: Clock
) -> dict[str, Any]:
    """Submit the answer: it goes into the group under a random id, the request only turns "answered" and the
    draft goes, in one transaction. Nothing stored links the reviewer to what they wrote. Once the person's
    feedback is closed (released, or the manager submitted) an answer is refused (409) and nothing is written:
    the group released never grows."""
    cycle, request = _answerable(uow, principal, cycle_id, subject_id, clock.now())
    check_answer(content, _template(cycle), request.kind, submit=True)
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    with uow:
        # The audit record of this write says "answered" and no more: the content is in the group only.
        _stage(uow, request, request, RA.ANSWER, principal.employee_id, iso(clock.now()))
        uow.feedback.add_answer(cycle_id, subject_id, request.kind, answer_content(content))
        if draft is not None:
            uow.feedback.drop_draft(principal.employee_id, cycle_id, subject_id)
        uow.commit()
    return {"state": RequestState.ANSWERED.value, "subject_name": request.subject_name}


def decline(
    uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, reason: str, clock: Clock
) -> dict[str, Any]:
    """The reviewer declines, with an optional reason (HR reads it; the reviewee and manager see a count)."""
    _cycle, request = _answerable(uow, principal, cycle_id, subject_id, clock.now())
    draft = uow.feedback.draft(principal.employee_id, cycle_id, subject_id)
    declined = replace(request, decline_reason=reason.strip())
    with uow:
        _stage(uow, request, declined, RA.DECLINE, principal.employee_id, iso(clock.now()))
        if draft is not None:
            uow.feedback.drop_draft(principal.employee_id, cycle_id, subject_id)
        uow.commit()
    return {"state": RequestState.DECLINED.value, "subject_name": request.subject_name}


def _closed_subjects(uow: UnitOfWork, cycle: Cycle, subject_ids: set[str], now: datetime) -> set[str]:
    """Which of these people's feedback is closed to answers (a batch read of reviews and close marks)."""
    if not subject_ids:
        return set()
    marks = uow.feedback.closed_of(cycle.cycle_id, sorted(subject_ids))
    submitted = {
        r.employee_id
        for r in uow.reviews.get_many(cycle.cycle_id, sorted(subject_ids))
        if at_least(r.state, ReviewState.MANAGER_SUBMITTED)
    }
    rule, deadline = settings_for(uow, cycle).release, _deadline(cycle)
    return {s for s in subject_ids if release_state(rule, deadline, s in marks or s in submitted, now).closed}


def my_requests(uow: UnitOfWork, principal: Principal, now: datetime) -> list[dict[str, Any]]:
    """The requests addressed to this principal that are asked (to answer) or done, with their cycles' names; a
    request about someone whose feedback is closed is no longer open."""
    found = [r for r in uow.feedback.addressed_to(principal.employee_id) if r.state in ASKED]
    cycles = {c: uow.cycles.get(c) for c in {r.cycle_id for r in found}}
    closed: dict[str, set[str]] = {}
    for cid, cycle in cycles.items():
        if cycle is not None and cycle.state is CycleState.ACTIVE:
            waiting = {r.subject_id for r in found if r.cycle_id == cid and r.state is RequestState.APPROVED}
            closed[cid] = _closed_subjects(uow, cycle, waiting, now)
    rows = []
    for r in found:
        cycle = cycles.get(r.cycle_id)
        if cycle is None:
            continue
        due = _deadline(cycle)
        rows.append(
            {
                "cycle_id": r.cycle_id,
                "cycle_name": cycle.name,
                "subject_id": r.subject_id,
                "subject_name": r.subject_name,
                "kind": r.kind.value,
                "state": r.state.value,
                "due": due.isoformat() if due else None,
                "open": cycle.state is CycleState.ACTIVE
                and r.state is RequestState.APPROVED
                and r.subject_id not in closed.get(r.cycle_id, set()),
            }
        )
    return sorted(rows, key=lambda row: (not row["open"], row["due"] or "", row["subject_name"].casefold()))


# --- reading the groups ---------------------------------------------------------------------------------------


def groups(
    uow: UnitOfWork, cycle: Cycle, subject_id: str, now: datetime, releasing: bool = False
) -> tuple[list[GroupResult], Release]:
    """The peer and upward groups about one person as released at `now` (one Query; the settings' one read):
    withheld, count included, until the release."""
    template = _template(cycle)
    threshold = settings_for(uow, cycle).shown_from
    answers, mark = uow.feedback.group_items(cycle.cycle_id, subject_id)
    marks = {} if mark is None else {subject_id: mark}
    release = release_for(uow, cycle, subject_id, now, marks=marks, releasing=releasing)
    found = [group_result(kind, answers[kind], template, threshold) for kind in FeedbackKind]
    return (found if release.released else [g.withheld() for g in found]), release


def _reader_roles(uow: UnitOfWork, principal: Principal, cycle: Cycle, subject_id: str) -> policy.ReviewRoles:
    subject = _person(uow, subject_id)
    # The review's own readers (issue 12: a skip-level manager too, when the cycle allows it), as ReviewContext.
    roles = policy.review_roles(principal, subject_id, subject.manager_id, subject.chain, cycle.skip_level_read)
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
) -> dict[str, Any]:
    """The review's feedback page: groups, counts (never names; before the release only how many were asked),
    the release, and the continuous feedback pulled in (its readers: the person, their manager, HR)."""
    cycle = get_cycle(uow, cycle_id)
    roles = _reader_roles(uow, principal, cycle, subject_id)
    comments = policy.may_read_feedback_comments(roles)
    found, release = groups(uow, cycle, subject_id, now)
    requests = uow.feedback.about(cycle_id, subject_id)
    evidence = [n for n in uow.notes.received_by(subject_id) if cycle_id in n["evidence"]] if comments else []
    return {
        "groups": [g.as_dict(comments=comments) for g in found],
        "counts": _counts(requests, release),
        "release": release.as_dict(),
        "settings": settings_json(settings_for(uow, cycle)),
        "evidence": evidence,
        "comments_shown": comments,
    }


# --- tracking (HR) and reminders ------------------------------------------------------------------------------


def feedback_progress(uow: UnitOfWork, principal: Principal, cycle_id: str, now: datetime) -> dict[str, Any]:
    """HR: the response rate per department (of reviewers) and who has not answered yet, to chase (`open` False:
    the feedback is closed, they can no longer answer; they stay listed, so that the release, when the comments
    appear, changes nobody's place in this list).

    Requests about HR themselves or about people they manage are left out: HR must not learn who answered there.
    """
    policy.require(policy.may_manage_feedback(principal), "only HR follows feedback response rates")
    cycle = get_cycle(uow, cycle_id)
    requests = uow.feedback.of_cycle(cycle_id)
    open_subjects = {r.subject_id for r in requests if r.state is RequestState.APPROVED}
    closed = _closed_subjects(uow, cycle, open_subjects, now) if cycle.state is CycleState.ACTIVE else open_subjects
    people = uow.directory.get_many(sorted({r.reviewer_id for r in requests} | {r.subject_id for r in requests}))
    rows: dict[str, dict[str, int]] = {}
    waiting = []
    for r in requests:
        subject = people.get(r.subject_id)
        reviewer = people.get(r.reviewer_id)
        if subject is None or not policy.may_see_who_answered(principal, subject) or r.state not in ASKED:
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
                {
                    "reviewer_id": r.reviewer_id,
                    "reviewer_name": reviewer.name if reviewer else r.reviewer_name,
                    "department": dept,
                    "subject_name": r.subject_name,
                    "kind": r.kind.value,
                    "open": r.subject_id not in closed,
                }
            )
    departments = [
        {**row, "department": d, "rate": round(100 * row["answered"] / row["asked"]) if row["asked"] else None}
        for d, row in sorted(rows.items())
    ]
    waiting.sort(key=lambda w: (w["reviewer_name"].casefold(), w["subject_name"].casefold()))
    asked = sum(r["asked"] for r in departments)
    answered = sum(r["answered"] for r in departments)
    return {
        "cycle_id": cycle_id,
        "cycle_name": cycle.name,
        "settings": settings_json(settings_for(uow, cycle)),
        "departments": departments,
        "asked": asked,
        "answered": answered,
        "rate": round(100 * answered / asked) if asked else None,
        "waiting": waiting,
    }


def pending_requests(uow: UnitOfWork, now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Requests waiting for an answer in active cycles, by reviewer (the daily reminders); requests about someone
    whose feedback is closed are no longer waiting."""
    found: dict[str, list[dict[str, Any]]] = {}
    for cycle in uow.cycles.list():
        if cycle.state is not CycleState.ACTIVE:
            continue
        requests = uow.feedback.of_cycle(cycle.cycle_id)
        waiting = {r.subject_id for r in requests if r.state is RequestState.APPROVED}
        closed = _closed_subjects(uow, cycle, waiting, now)
        for r in requests:
            if r.state is RequestState.APPROVED and r.subject_id not in closed:
                due = _deadline(cycle)
                found.setdefault(r.reviewer_id, []).append(
                    {
                        "cycle_id": cycle.cycle_id,
                        "cycle_name": cycle.name,
                        "subject_id": r.subject_id,
                        "subject_name": r.subject_name,
                        "kind": r.kind.value,
                        "due": due.isoformat() if due else None,
                    }
                )
    return found


# --- continuous feedback --------------------------------------------------------------------------------------


def note_topics(uow: UnitOfWork, principal: Principal) -> dict[str, list[dict[str, str]]]:
    """What a note may be about: the competencies of the active cycles' templates, and the organisation and team
    goals of those cycles (goals everyone may read; an individual goal is checked against its owner on sending)."""
    active = [c for c in uow.cycles.list() if c.state is CycleState.ACTIVE]
    competencies: dict[str, str] = {}
    goals: dict[str, str] = {}
    for cycle in active:
        if cycle.template_snapshot:
            for c in template_from_dict(cycle.template_snapshot).competencies:
                competencies.setdefault(c.id, c.name)
        for g in uow.goals.organisation(cycle.cycle_id):
            goals.setdefault(g.goal_id, g.title)
    return {
        "competencies": [{"id": k, "name": v} for k, v in competencies.items()],
        "goals": [{"id": k, "title": v} for k, v in goals.items()],
    }


def _check_note_topic(
    uow: UnitOfWork, principal: Principal, recipient: Employee | None, data: dict[str, Any], visibility: str
) -> None:
    """A note's competency must be one of an active cycle's; its goal one the sender may read, and an individual
    goal the recipient's own (a goal one may not read is not told apart from a missing one)."""
    from service.domain.goals import GoalLevel

    errors: dict[str, list[str]] = {}
    competency_id = data.get("competency_id")
    if competency_id and competency_id not in {c["id"] for c in note_topics(uow, principal)["competencies"]}:
        errors["competency_id"] = ["not a competency of a review cycle in progress"]
    goal_id = data.get("goal_id")
    if goal_id:
        goal = uow.goals.get(goal_id)
        owner = uow.directory.get(goal.owner_id) if goal and goal.owner_id else None
        readable = goal is not None and policy.may_read_goal(principal, goal.level, owner, visibility)
        if not readable or (
            goal.level is GoalLevel.INDIVIDUAL and (recipient is None or goal.owner_id != recipient.employee_id)
        ):
            errors["goal_id"] = ["no such goal of theirs (or of the organisation or a team) that you can see"]
    if errors:
        raise ValidationFailed("The feedback was not sent.", errors)


def send_note(
    uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock, visibility: str = "chain"
) -> dict[str, Any]:
    """Anyone sends a colleague praise or a suggestion, optionally about a competency or a goal (`visibility`:
    the organisation's goal visibility setting)."""
    to_id = data["to_id"]
    recipient = uow.directory.get(to_id)
    check_note(
        principal.employee_id, to_id, data.get("text") or "", {to_id} if recipient and recipient.active else set()
    )
    _check_note_topic(uow, principal, recipient, data, visibility)
    at = iso(clock.now())
    note = {
        "note_id": uuid.uuid4().hex[:16],
        "from_id": principal.employee_id,
        "to_id": to_id,
        "kind": NoteKind(data["kind"]).value,
        "text": data["text"].strip(),
        "competency_id": data.get("competency_id") or None,
        "goal_id": data.get("goal_id") or None,
        "at": at,
        "evidence": [],
    }
    with uow:
        stored = uow.notes.save(note, new=True, actor=principal.employee_id, action="send_note", at=at)
        uow.commit()
    return stored


def notes_for(uow: UnitOfWork, principal: Principal, employee_id: str) -> list[dict[str, Any]]:
    """The continuous feedback a person received (the person and their manager), newest first."""
    person = _person(uow, employee_id)
    policy.require(policy.may_read_notes(principal, person), "only the person and their manager read this feedback")
    return uow.notes.received_by(employee_id)


def pull_note(uow: UnitOfWork, principal: Principal, note_id: str, cycle_id: str, clock: Clock) -> dict[str, Any]:
    """The recipient or their manager pulls a note into the recipient's review of a cycle, as evidence."""
    note = uow.notes.get(note_id)
    if note is None:
        raise NotFound("no such feedback note")
    person = _person(uow, note["to_id"])
    policy.require(policy.may_read_notes(principal, person), "only the recipient and their manager use this feedback")
    cycle = get_cycle(uow, cycle_id)
    _require_open(cycle)
    if uow.reviews.get(cycle_id, note["to_id"]) is None:
        raise NotFound(f"{person.name} has no review in this cycle")
    if cycle_id in note["evidence"]:
        return note
    at = iso(clock.now())
    with uow:
        stored = uow.notes.save(
            {**note, "evidence": [*note["evidence"], cycle_id]},
            new=False,
            actor=principal.employee_id,
            action="pull_note",
            at=at,
        )
        uow.commit()
    return stored


# --- choices for the pages --------------------------------------------------------------------------------------


def peer_choices(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str) -> list[dict[str, str]]:
    """Who may be nominated as a peer of `subject_id`: active colleagues other than them, their manager and their
    reports, by department then name (for those who may nominate or decide)."""
    cycle = get_cycle(uow, cycle_id)
    subject = _participant(uow, cycle, subject_id)
    allowed = policy.may_nominate_peers(principal, subject) or policy.may_decide_nominations(principal, subject)
    policy.require(allowed, "only the person, their manager and HR choose reviewers")
    everyone = uow.directory.all()
    out = [
        {"employee_id": p.employee_id, "name": p.name, "department": p.department, "title": p.title}
        for p in everyone
        if p.active and p.employee_id not in (subject_id, subject.manager_id) and p.manager_id != subject_id
    ]
    return sorted(out, key=lambda p: (p["department"].casefold(), p["name"].casefold()))


def colleagues(uow: UnitOfWork, principal: Principal) -> list[dict[str, str]]:
    """Everyone active but the principal (to send a note to), by name."""
    return sorted(
        (
            {"employee_id": p.employee_id, "name": p.name, "department": p.department}
            for p in uow.directory.all()
            if p.active and p.employee_id != principal.employee_id
        ),
        key=lambda p: p["name"].casefold(),
    )


def notes_page(uow: UnitOfWork, principal: Principal) -> dict[str, Any]:
    """My received notes with the cycles I could pull each into (active cycles where I have a review)."""
    received = uow.notes.received_by(principal.employee_id)
    history, _ = uow.reviews.history(principal.employee_id)
    cycles = [c for c in (uow.cycles.get(r.cycle_id) for r in history) if c and c.state is CycleState.ACTIVE]
    names = uow.directory.names([n["from_id"] for n in received])
    return {
        "notes": [{**n, "from_name": names.get(n["from_id"], n["from_id"])} for n in received],
        "cycles": [{"cycle_id": c.cycle_id, "name": c.name} for c in cycles],
    }
