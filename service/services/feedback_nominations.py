"""Who gives feedback: the employee nominates peers, the manager (or HR) decides, HR asks for upward feedback;
everyone newly asked is emailed. The reviewee and their manager see names and counts, never who answered."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import Email, Mailer, SendFailed
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Employee, Role
from service.domain.errors import Conflict, FieldErrors, PermissionDenied, ValidationFailed
from service.domain.feedback import (
    ASKED,
    HOLDING,
    FeedbackKind,
    FeedbackRequest,
    FeedbackSettings,
    RequestAction,
    RequestState,
    check_nominees,
)
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.delegation import NoticeTo, acting_for, manager_notice_to
from service.services.feedback import (
    closed_subjects,
    cycle_participant,
    known_person,
    release_for,
    request_counts,
    require_group_open,
    stage_request,
)
from service.services.feedback_settings import feedback_deadline, require_open, settings_for, settings_json

log = logging.getLogger(__name__)
RA = RequestAction


@dataclass(frozen=True)
class PeerRow:
    """A peer reviewer as the person and their manager see them: "nominated", "asked" or "removed"."""

    reviewer_id: str
    name: str
    department: str
    state: str


@dataclass(frozen=True)
class PeerDetail(PeerRow):
    """A peer reviewer as HR sees them (about people HR does not manage): the request's own state, its version
    (it moves when the request is answered), whether the reviewer is still active, the reason of a decline."""

    version: int
    active: bool
    decline_reason: str


@dataclass(frozen=True)
class Nominations:
    """The peer reviewers of one person as this reader may see them, with counts and what the reader may do."""

    cycle_id: str
    subject_id: str
    subject_name: str
    settings: dict[str, Any]  # the cycle's feedback rules, as `settings_json` gives them
    peers: list[PeerRow]  # by name, never by when a request changed
    counts: dict[str, dict[str, int | None]]  # per kind: asked; after the release answered, declined, waiting
    release: dict[str, Any]
    may_nominate: bool
    may_decide: bool
    deadline_passed: bool
    detail: bool


@dataclass(frozen=True)
class UpwardAsked:
    """What asking for upward feedback did: the managers with new requests, and how many were asked."""

    managers: int
    asked: int


# What the reviewee and their manager see of a request: answered and declined are only "asked".
SHOWN_STATE = {
    RequestState.NOMINATED: "nominated",
    RequestState.APPROVED: "asked",
    RequestState.ANSWERED: "asked",
    RequestState.DECLINED: "asked",
    RequestState.REMOVED: "removed",
}


def nominations(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str, now: datetime) -> Nominations:
    """The peer reviewers of one person as this reader may see them.

    The person and their manager get names with "nominated", "asked" or "removed" and counts (before the release
    only how many were asked); who answered or declined reaches only HR (to chase), and only about people they
    do not manage.
    """
    cycle = get_cycle(uow, cycle_id)
    subject = cycle_participant(uow, cycle, subject_id)
    mine, acting = principal.employee_id == subject_id, acting_for(uow, principal, subject.manager_id)
    if not (mine or policy.may_decide_nominations(principal, subject, acting)):
        raise PermissionDenied("only the person, their manager and HR see these nominations")
    settings = settings_for(uow, cycle)
    requests = uow.feedback.about(cycle_id, subject_id)
    people = uow.directory.get_many(sorted({r.reviewer_id for r in requests}))
    active = {p for p, e in people.items() if e.active}
    detail = policy.may_see_who_answered(principal, subject, acting)
    release = release_for(uow, cycle, subject_id, now)
    rows: list[PeerRow] = []
    for r in requests:
        if r.kind is not FeedbackKind.PEER:
            continue
        # A leaver stays listed, whatever their request's state: dropping only those who had not answered would
        # tell who had.
        name = people[r.reviewer_id].name if r.reviewer_id in people else r.reviewer_name
        if detail:  # a version moves when a request is answered: it would tell who answered
            rows.append(
                PeerDetail(
                    r.reviewer_id,
                    name,
                    r.reviewer_department,
                    r.state.value,
                    r.version,
                    r.reviewer_id in active,
                    r.decline_reason,
                )
            )
        else:
            rows.append(PeerRow(r.reviewer_id, name, r.reviewer_department, SHOWN_STATE[r.state]))
    # By name: never by when a request changed, which would follow answers.
    rows.sort(key=lambda row: row.name.casefold())
    today = now.date()
    deadline = settings.nomination_deadline
    open_to_change = cycle.state is CycleState.ACTIVE and not release.closed
    return Nominations(
        cycle_id=cycle_id,
        subject_id=subject_id,
        subject_name=subject.name,
        settings=settings_json(settings),
        peers=rows,
        counts=request_counts(requests, release),
        release=release.as_dict(),
        may_nominate=open_to_change and policy.may_nominate_peers(principal, subject),
        may_decide=open_to_change and policy.may_decide_nominations(principal, subject, acting),
        deadline_passed=bool(deadline and today > deadline),
        detail=detail,
    )


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


def nominate_peers(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    subject_id: str,
    reviewer_ids: list[str],
    clock: Clock,
    mailer: Mailer | None = None,
    base_url: str = "",
) -> Nominations:
    """The employee names their peer reviewers (the whole list, within the cycle's minimum and maximum); names
    left out that were only nominated are withdrawn. The manager decides next."""
    cycle = get_cycle(uow, cycle_id)
    require_open(cycle)
    subject = cycle_participant(uow, cycle, subject_id)
    policy.require(policy.may_nominate_peers(principal, subject), "only the employee nominates their peers")
    settings = settings_for(uow, cycle)
    _before_deadline(principal, settings, clock.now().date(), "nominations")
    require_group_open(uow, cycle, subject_id, clock.now())
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
                        {"reviewer_ids": [f"{people[reviewer_id].name} already gives upward feedback"]},
                    )
                continue
            new = _new_request(cycle, subject, people[reviewer_id], FeedbackKind.PEER, principal.employee_id)
            stage_request(uow, r, new, RA.NOMINATE, principal.employee_id, at)
        for reviewer_id, r in requests.items():
            if r.kind is FeedbackKind.PEER and r.state is RequestState.NOMINATED and reviewer_id not in wanted:
                stage_request(uow, r, r, RA.REMOVE, principal.employee_id, at, reason="withdrawn by the nominee's list")
        uow.commit()
    if mailer is not None and subject.manager_id:
        _email_manager(uow, mailer, cycle, subject, settings, base_url, clock.now().date())
    return nominations(uow, principal, cycle_id, subject_id, clock.now())


def _email_manager(
    uow: UnitOfWork,
    mailer: Mailer,
    cycle: Cycle,
    subject: Employee,
    settings: FeedbackSettings,
    base_url: str,
    today: date,
) -> None:
    """Tell the manager (the acting manager during a delegation, issue 28) there are nominations to decide on (a
    failed send is logged: the page shows them too)."""
    to = manager_notice_to(uow, subject.manager_id, today)
    if to is None:
        return
    try:  # it waits for the manager's daily digest (issue 24): one email a day, whatever the team does
        mailer.send(nominations_notice(cycle, subject, to, settings, base_url))
    except SendFailed as exc:
        log.warning("a nomination email could not be sent: %s", exc)


def nominations_notice(
    cycle: Cycle, subject: Employee, to: NoticeTo, settings: FeedbackSettings, base_url: str
) -> Email:
    """The message telling whoever decides (`to`: the manager, or the acting manager) that a report's nominations
    wait; kept for their digest under the nominations page's path (the digest sends it to whoever decides then)."""
    path = nominations_path(cycle.cycle_id, subject.employee_id)
    text = render(
        "email/nominations.txt",
        for_manager=to.for_manager,
        subject=subject,
        cycle=cycle,
        settings=settings,
        url=f"{base_url}{path}",
    )
    title = f"Peer reviewers to approve for {subject.name}"
    return Email((to.person.email,), title, text, cycle_id=cycle.cycle_id, digest_key=path)


def nominations_path(cycle_id: str, subject_id: str) -> str:
    """The path of a report's nominations page (a nomination notice's digest key)."""
    return f"/cycles/{cycle_id}/reviews/{subject_id}/nominations"


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
) -> Nominations:
    """The manager (or HR) approves, removes or adds peer reviewers before the deadline; everyone newly asked
    gets an email with a link to answer."""
    cycle = get_cycle(uow, cycle_id)
    require_open(cycle)
    subject = cycle_participant(uow, cycle, subject_id)
    acting = acting_for(uow, principal, subject.manager_id)  # issue 28: an acting manager decides too
    policy.require(
        policy.may_decide_nominations(principal, subject, acting),
        "only the employee's manager or HR decides on reviewers",
    )
    settings = settings_for(uow, cycle)
    _before_deadline(principal, settings, clock.now().date(), "decisions on reviewers")
    require_group_open(uow, cycle, subject_id, clock.now())
    requests = {r.reviewer_id: r for r in uow.feedback.about(cycle_id, subject_id)}
    e = FieldErrors()
    for name, ids in (("approve", approve), ("remove", remove)):
        for i in ids:
            if i not in requests or requests[i].kind is not FeedbackKind.PEER:
                e.add(name, f"{i!r} is not among the nominated peers")
    if set(approve) & set(remove):
        e.add("remove", "approve or remove a person, not both")
    # Who may not see who answered is refused alike for every asked reviewer: a refusal only for those who had
    # answered or declined would tell them who had.
    detail = policy.may_see_who_answered(principal, subject, acting)
    stays = (RequestState.ANSWERED, RequestState.DECLINED) if detail else ASKED
    for i in remove:
        if i in requests and requests[i].state in stays:
            message = (
                "a request that was answered or declined stays"
                if detail
                else "an asked reviewer stays (HR can remove one who has not answered)"
            )
            e.add("remove", message)
    e.refuse("The decisions are not valid.")
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
        uow.on_behalf_of = (
            None if principal.has(Role.HR) else policy.on_behalf_of(principal, subject.manager_id, acting)
        )
        for i in approve:
            r = requests[i]
            if r.state is RequestState.NOMINATED:
                stage_request(uow, r, r, RA.APPROVE, principal.employee_id, at)
                asked.append(i)
        for i in remove:
            r = requests[i]
            if r.state is not RequestState.REMOVED:
                stage_request(uow, r, r, RA.REMOVE, principal.employee_id, at)
        for i in fresh_adds:
            r = requests.get(i)
            new = _new_request(cycle, subject, people[i], FeedbackKind.PEER, principal.employee_id)
            stage_request(uow, r, new, RA.ADD, principal.employee_id, at)
            asked.append(i)
        uow.commit()
    if mailer is not None:
        _email_reviewers(uow, mailer, cycle, subject, asked, FeedbackKind.PEER, base_url)
    return nominations(uow, principal, cycle_id, subject_id, clock.now())


UPWARD_BATCH = 40  # upward requests per transaction: each is the request and its audit record, plus the count


def request_upward(
    uow: UnitOfWork, principal: Principal, cycle_id: str, clock: Clock, mailer: Mailer | None = None, base_url: str = ""
) -> UpwardAsked:
    """HR asks every participating manager's direct reports about their manager (cycles with upward feedback
    on); asking again only adds who is new. One transaction per manager and UPWARD_BATCH of their reports."""
    policy.require(policy.may_manage_feedback(principal), "only HR asks for upward feedback")
    cycle = get_cycle(uow, cycle_id)
    require_open(cycle)
    settings = settings_for(uow, cycle)
    if not settings.upward:
        raise Conflict("upward feedback is off in this cycle's feedback settings")
    at = iso(clock.now())
    managers = asked = 0
    # Issue 24: the directory, the cycle's requests and the managers' reviews read once (paged, batched), not a
    # Query of each participant's reports and of each manager's requests.
    participants = set(uow.cycles.participants(cycle))
    everyone = {p.employee_id: p for p in uow.directory.all()}
    teams: dict[str, list[Employee]] = {}
    for p in everyone.values():
        if p.active and p.manager_id in participants and p.employee_id != p.manager_id:
            teams.setdefault(p.manager_id, []).append(p)
    teams = {m: sorted(teams[m], key=lambda p: p.name.casefold()) for m in sorted(teams)}
    closed = closed_subjects(uow, cycle, set(teams), clock.now())  # one batch read, not one per manager
    reviewed = {r.employee_id for r in uow.reviews.get_many(cycle_id, sorted(teams))}
    existing: dict[str, set[str]] = {}
    for r in uow.feedback.of_cycle(cycle_id) if teams else []:
        existing.setdefault(r.subject_id, set()).add(r.reviewer_id)
    for manager_id, reports in teams.items():
        manager = everyone.get(manager_id) or known_person(uow, manager_id)
        if manager_id not in reviewed or manager_id in closed:
            continue
        new_ids = [p.employee_id for p in reports if p.employee_id not in existing.get(manager_id, set())]
        if not new_ids:
            continue
        by_id = {p.employee_id: p for p in reports}
        for start in range(0, len(new_ids), UPWARD_BATCH):  # a large team in several transactions (≤ 100 items)
            with uow:
                for reviewer_id in new_ids[start : start + UPWARD_BATCH]:
                    stage_request(
                        uow,
                        None,
                        _new_request(cycle, manager, by_id[reviewer_id], FeedbackKind.UPWARD, principal.employee_id),
                        RA.ADD,
                        principal.employee_id,
                        at,
                    )
                uow.commit()
        managers += 1
        asked += len(new_ids)
        if mailer is not None:
            _email_reviewers(uow, mailer, cycle, manager, new_ids, FeedbackKind.UPWARD, base_url, everyone)
    return UpwardAsked(managers, asked)


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
    known: dict[str, Employee] | None = None,
) -> None:
    """One message per newly asked reviewer, which waits for their daily digest. A failed send is logged: the daily
    reminders list pending requests. `known`: the reviewers read already (else one batch read)."""
    # The request is the same for every reviewer but for whom it greets.
    title = f"Your feedback on {subject.name}" if kind is FeedbackKind.PEER else "Feedback on your manager"
    url = answer_url(base_url, cycle.cycle_id, subject.employee_id)
    request = {"subject": subject, "cycle": cycle, "kind": kind.value, "due": feedback_deadline(cycle), "url": url}
    path = answer_url("", cycle.cycle_id, subject.employee_id)
    people = known if known is not None else uow.directory.get_many(sorted(reviewer_ids))
    for reviewer_id in reviewer_ids:
        person = people.get(reviewer_id)
        if person is None or not person.active:
            continue
        text = render("email/feedback_request.txt", person=person, **request)
        try:
            mailer.send(Email((person.email,), title, text, cycle_id=cycle.cycle_id, digest_key=path, knock=False))
        except SendFailed as exc:
            log.warning("a feedback request email could not be sent; the daily reminder lists it: %s", exc)


def peer_choices(uow: UnitOfWork, principal: Principal, cycle_id: str, subject_id: str) -> list[Employee]:
    """Who may be nominated as a peer of `subject_id`: active colleagues other than them, their manager and their
    reports, by department then name (for those who may nominate or decide)."""
    cycle = get_cycle(uow, cycle_id)
    subject = cycle_participant(uow, cycle, subject_id)
    allowed = policy.may_nominate_peers(principal, subject) or policy.may_decide_nominations(principal, subject)
    policy.require(allowed, "only the person, their manager and HR choose reviewers")
    everyone = uow.directory.all()
    out = [
        p
        for p in everyone
        if p.active and p.employee_id not in (subject_id, subject.manager_id) and p.manager_id != subject_id
    ]
    return sorted(out, key=lambda p: (p.department.casefold(), p.name.casefold()))
