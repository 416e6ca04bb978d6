"""Calibration use cases (issue 23): sessions, the session view, adjustments, closing and reopening.

HR creates a session over reviews of a calibrating cycle; each person's claim is a conditional write in the
transaction that forms the session (a group larger than one transaction is claimed in chunks while the session is
`forming`, and cancelled, its claims released, if anyone is already held by another open session). Facilitators
adjust; the adjustment item keeps the manager's original beside the calibrated value, versioned and audited, and
the review itself is not touched until the session closes: the employee's review (and its ETag) cannot change while
the rating is calibrated. Closing locks the session, then moves each review on with the calibrated ratings, rescored
by the template's rule (`domain.reviews.rescore`), one transaction per review (a retried close finishes the rest).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.store import MAX_TRANSACTION_ITEMS
from service.adapters.unit_of_work import UnitOfWork
from service.domain.calibration import (
    SESSION_WORKFLOW,
    Adjustment,
    Box,
    CalibrationSession,
    Changes,
    Distribution,
    GroupKind,
    RatingRow,
    SessionAction,
    SessionState,
    SortBy,
    box_of,
    calibrated_content,
    changes_of,
    check_adjustment,
    check_group,
    check_target,
    contradictions,
    distribution,
    flag_against,
    grid,
    participants_for,
    proposal,
    rating_rows,
    select_people,
    visible_people,
)
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Employee, Role, spreadsheet_safe
from service.domain.errors import Clash, Conflict, NotFound, StaleWrite, ValidationFailed
from service.domain.reviews import Review, ReviewState, at_least, rescore
from service.domain.suppression import NOTE as SUPPRESSION_NOTE
from service.domain.templates import Template, template_from_dict
from service.services import policy, report_release
from service.services import reviews as review_svc
from service.services.auth import Principal

CLAIMS_PER_TRANSACTION = MAX_TRANSACTION_ITEMS - 4  # room for the session and its audit record


def _cycle(uow: UnitOfWork, cycle_id: str) -> Cycle:
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(f"no cycle {cycle_id!r}")
    return cycle


def _template(cycle: Cycle) -> Template:
    if not cycle.template_snapshot:
        raise Conflict("the cycle has not been launched")
    return template_from_dict(cycle.template_snapshot)


def _session(uow: UnitOfWork, session_id: str) -> CalibrationSession:
    found = uow.calibration.get(session_id)
    if found is None or found.state is SessionState.CANCELLED:
        raise NotFound(f"no calibration session {session_id!r}")
    return found


def _facilitator(principal: Principal, session: CalibrationSession) -> None:
    if not principal.has(Role.HR) and principal.employee_id not in session.participants:
        raise NotFound(f"no calibration session {session.session_id!r}")  # as the session view answers them
    policy.require(
        principal.has(Role.HR) and principal.employee_id in session.facilitators,
        "only the session's facilitators (HR) do this",
    )


def _writable(cycle: Cycle) -> None:
    if cycle.state is not CycleState.ACTIVE:
        raise Conflict(f"the cycle is {cycle.state}; its calibration is read-only")


# --- sessions ----------------------------------------------------------------------------------------


def create_session(uow: UnitOfWork, principal: Principal, cycle_id: str, data: dict[str, Any], clock: Clock):
    """HR opens a calibration session for a group of the cycle's reviews; nobody may be in two open sessions."""
    policy.require_role(principal, Role.HR)
    cycle = _cycle(uow, cycle_id)
    _writable(cycle)
    if not cycle.calibrates:
        raise Conflict("this cycle's template has no calibration phase")
    group = GroupKind(data["group"])
    department, root_id = data.get("department") or "", data.get("root_id") or ""
    listed = list(data.get("employee_ids") or [])
    check_group(data.get("name") or "", group, department, root_id, listed)
    target = list(data.get("target") or [])
    check_target(target, _template(cycle).scale.points)
    if group is GroupKind.DEPARTMENT:
        people = uow.directory.department(department)
    elif group is GroupKind.LIST:
        people = list(uow.directory.get_many(listed).values())
    else:
        people = uow.directory.all()
    members = select_people(group, department, root_id, listed, people, set(uow.cycles.participants(cycle)))
    ids = [m.employee_id for m in members]
    managers = {r.employee_id: r.manager_id for r in uow.reviews.get_many(cycle_id, ids)}
    chains = {c for m in members for c in m.chain}
    directory = uow.directory.get_many(sorted(chains))
    facilitators = sorted({principal.employee_id, *(data.get("facilitators") or [])})
    known_hr = uow.directory.get_many(facilitators)
    not_hr = [f for f in facilitators if f not in known_hr or Role.HR not in known_hr[f].roles]
    if not_hr:
        raise ValidationFailed("Facilitators are HR.", {"facilitators": [f"{f!r} is not in HR" for f in not_hr]})
    at = iso(clock.now())
    session = CalibrationSession(
        session_id=clock.new_id(),
        cycle_id=cycle_id,
        name=data["name"].strip(),
        group=group,
        department=department.strip(),
        root_id=root_id,
        people=ids,
        facilitators=facilitators,
        participants=participants_for(members, directory, managers),
        created_at=at,
        created_by=principal.employee_id,
        target=target,
    )
    return _form(uow, principal, session, at)


def _form(uow: UnitOfWork, principal: Principal, session: CalibrationSession, at: str) -> CalibrationSession:
    """Claim every member and open the session; on a clash, cancel it and release what was claimed."""
    chunks = [
        session.people[i : i + CLAIMS_PER_TRANSACTION] for i in range(0, len(session.people), CLAIMS_PER_TRANSACTION)
    ]
    claimed: list[str] = []
    stored: CalibrationSession | None = None
    try:
        for n, chunk in enumerate(chunks):
            last = n == len(chunks) - 1
            with uow:
                if stored is None:  # the first transaction creates the session (open at once when it all fits)
                    state = SessionState.OPEN if last else SessionState.FORMING
                    stored = uow.calibration.save(
                        replace(session, state=state), new=True, actor=principal.employee_id, action="create", at=at
                    )
                elif last:
                    opened = replace(stored, state=SESSION_WORKFLOW.next(stored.state, SessionAction.FORM))
                    stored = uow.calibration.save(opened, new=False, actor=principal.employee_id, action="form", at=at)
                for person in chunk:
                    uow.calibration.claim(session.cycle_id, person, session.session_id)
                uow.commit()
            claimed += chunk
    except Conflict as exc:
        if exc.entity != "calibration_member":
            raise
        uow.forget()
        held = uow.calibration.claims(session.cycle_id, [p for p in session.people if p not in claimed])
        if stored is not None:
            _cancel(uow, principal, session.session_id, claimed, at)
        names = uow.directory.names(sorted(held))
        raise Conflict(
            "Some people are already in another open calibration session of this cycle.",
            {"employee_ids": [f"{names.get(p, p)} ({p}) is in another open session" for p in sorted(held)]},
            entity="calibration_member",
            clash=Clash.EXISTS,
        ) from exc
    assert stored is not None
    return stored


def _cancel(uow: UnitOfWork, principal: Principal, session_id: str, claimed: list[str], at: str) -> None:
    current = uow.calibration.get(session_id)
    if current is None:
        return
    for start in range(0, max(len(claimed), 1), CLAIMS_PER_TRANSACTION):
        with uow:
            if start == 0:
                cancelled = replace(current, state=SESSION_WORKFLOW.next(current.state, SessionAction.CANCEL))
                uow.calibration.save(cancelled, new=False, actor=principal.employee_id, action="cancel", at=at)
            for person in claimed[start : start + CLAIMS_PER_TRANSACTION]:
                uow.calibration.release(current.cycle_id, person)
            uow.commit()


def sessions_of(uow: UnitOfWork, principal: Principal, cycle_id: str) -> list[CalibrationSession]:
    """A cycle's sessions: HR sees all, a participant the sessions they take part in."""
    _cycle(uow, cycle_id)
    found = [s for s in uow.calibration.of_cycle(cycle_id) if s.state is not SessionState.CANCELLED]
    if principal.has(Role.HR):
        return found
    return [s for s in found if principal.employee_id in s.participants]


# --- the session view ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonRow:
    """One person of a session as the reader may see them: the proposal, and the calibration where it differs.

    `original`, `reason`, `adjusted_by` and `adjusted_at` are None for readers who may not see why (participants who
    are not the person's manager)."""

    employee_id: str
    name: str
    department: str
    manager_id: str | None
    manager_name: str
    state: str  # the review's state
    proposed: dict[str, Any]  # the manager's competency ratings and potential
    calibrated: dict[str, Any]  # as calibrated so far (the proposal when nobody adjusted)
    adjusted: bool
    score: float | None  # the score by the template's rule with the calibrated ratings
    rating: int | None  # the overall rating that score stands for (nearest point of the scale)
    proposed_rating: int | None  # the overall rating the manager's submission stood for
    flags: list[str]  # parts of the score the rating contradicts
    box: str | None  # the nine-box grid's box (a Box value) by the rating and the calibrated potential
    # the score's parts as calibrated (0–100, None: no data): goal progress, competencies, and the feedback groups
    # as released (anonymity: a group below its threshold counts for nothing and names nobody)
    parts: dict[str, float | None]
    training_needs: list[str]  # the topics named in the assessments
    proposed_score: float | None  # the score the manager's submission carried
    version: int  # the adjustment's version (0: never adjusted), for If-Match
    original: dict[str, Any] | None
    reason: str | None
    adjusted_by: str | None
    adjusted_at: str | None


@dataclass(frozen=True)
class SessionView:
    """A session as one reader sees it: the people they may see and what they may do."""

    session: CalibrationSession
    cycle_name: str
    template: dict[str, Any]
    rows: list[PersonRow]
    may_adjust: bool
    may_close: bool
    may_reopen: bool
    waiting: list[str]  # people whose manager assessment is not submitted yet (the session cannot close)
    names: dict[str, str]  # the names of the people the view mentions (facilitators, participants, adjusters)
    session_distribution: Distribution  # overall ratings as calibrated so far, beside `session.target`
    by_manager: list[Distribution]  # each flagged where its average or spread is off the session's
    by_department: list[Distribution]
    grid: list[list[tuple[str, int]]]  # nine boxes, high potential first: (Box value, people)
    before: Distribution  # the overall ratings as the managers proposed them
    changes: list[Changes]  # per manager, then the session ("All")


def _reader(uow: UnitOfWork, principal: Principal) -> Employee:
    person = uow.directory.get(principal.employee_id)
    if person is None:
        raise NotFound("no such person")
    return person


def session_view(uow: UnitOfWork, principal: Principal, session_id: str) -> SessionView:
    """The session with the people this reader may see (HR everyone, participants the session's people)."""
    session = _session(uow, session_id)
    cycle = _cycle(uow, session.cycle_id)
    template = _template(cycle)
    is_hr = principal.has(Role.HR)
    if not is_hr and principal.employee_id not in session.participants:
        raise NotFound(f"no calibration session {session_id!r}")
    reader = _reader(uow, principal)
    reviews = {r.employee_id: r for r in uow.reviews.get_many(session.cycle_id, session.people)}
    directory = uow.directory.get_many(
        sorted({*session.people, *(r.manager_id or "" for r in reviews.values())} - {""})
    )
    shown = visible_people(session, reader, is_hr, directory)
    adjustments = uow.calibration.adjustments(session_id)
    rows = [
        _row(template, reviews[p], directory, adjustments.get(p), _may_see_why(principal, reviews[p], directory))
        for p in shown
        if p in reviews
    ]
    facilitating = is_hr and principal.employee_id in session.facilitators and cycle.state is CycleState.ACTIVE
    waiting = [r.employee_id for r in reviews.values() if r.state is not ReviewState.IN_CALIBRATION]
    mentioned = {*session.facilitators, *session.participants, *(a.by for a in adjustments.values())} - set(directory)
    names = {k: e.name for k, e in directory.items()} | uow.directory.names(sorted(mentioned))
    return SessionView(
        session=session,
        cycle_name=cycle.name,
        template=cycle.template_snapshot or {},
        rows=sorted(rows, key=lambda r: (r.manager_name.casefold(), r.name.casefold())),
        may_adjust=facilitating and session.is_open,
        may_close=facilitating and session.is_open,
        may_reopen=facilitating and session.state is SessionState.CLOSED,
        waiting=sorted(waiting) if facilitating else [],
        names=names,
        **_distributions(rows, template.scale.points),
    )


def _distributions(rows: list[PersonRow], points: int) -> dict[str, Any]:
    """The session's distribution of overall ratings, and each manager's and department's against it."""
    rated = [r for r in rows if r.rating is not None]
    whole = distribution("Session", [r.rating for r in rated if r.rating], points)

    def by(key: str) -> list[Distribution]:
        groups: dict[str, list[int]] = {}
        for r in rated:
            groups.setdefault(getattr(r, key) or "—", []).append(r.rating or 0)
        return [flag_against(distribution(g, rs, points), whole) for g, rs in sorted(groups.items())]

    boxes = [Box(r.box) if r.box else None for r in rows]
    moves: dict[str, list[tuple[bool, int | None, int | None]]] = {}
    for r in rows:
        moves.setdefault(r.manager_name or "—", []).append((r.adjusted, r.proposed_rating, r.rating))
    every = [m for ms in moves.values() for m in ms]
    return {
        "before": distribution("Proposed", [r.proposed_rating for r in rows if r.proposed_rating], points),
        "changes": [changes_of(g, ms) for g, ms in sorted(moves.items())] + [changes_of("All", every)],
        "session_distribution": whole,
        "by_manager": by("manager_name"),
        "by_department": by("department"),
        "grid": [[(b.value, n) for b, n in line] for line in grid(boxes)],
    }


def filtered(
    rows: list[PersonRow],
    manager: str | None = None,
    department: str = "",
    rating: int | None = None,
    box: str = "",
    sort: SortBy = SortBy.MANAGER,
) -> list[PersonRow]:
    """The session's people narrowed by manager, department, overall rating and box, in the order asked for."""
    kept = [
        r
        for r in rows
        if (not manager or r.manager_id == manager)
        and (not department or r.department == department)
        and (rating is None or r.rating == rating)
        and (not box or r.box == box)
    ]
    keys = {
        SortBy.MANAGER: lambda r: (r.manager_name.casefold(), r.name.casefold()),
        SortBy.NAME: lambda r: r.name.casefold(),
        SortBy.RATING: lambda r: (-(r.rating or 0), r.name.casefold()),
        SortBy.DEPARTMENT: lambda r: (r.department.casefold(), r.name.casefold()),
    }
    return sorted(kept, key=keys[sort])


def _may_see_why(principal: Principal, review: Review, directory: dict[str, Employee]) -> bool:
    """HR, and the person's own managers (the review's manager, or above them), see the original and the reason."""
    if principal.has(Role.HR):
        return True
    person = directory.get(review.employee_id)
    return policy.manages(principal, review.manager_id) or (
        person is not None and principal.employee_id in person.chain
    )


def _topics(r: Review) -> list[str]:
    """The training topics the self and manager assessments name, each once, in order."""
    named = [
        (n.get("topic") or "").strip()
        for part in (r.self_assessment, r.manager_assessment)
        for n in (part or {}).get("training_needs") or []
    ]
    return list(dict.fromkeys(t for t in named if t))


def _row(template: Template, r: Review, directory: dict[str, Employee], adj: Adjustment | None, why: bool) -> PersonRow:
    proposed = proposal(r.manager_assessment)
    calibrated = adj.calibrated if adj else proposed
    content = calibrated_content(r.manager_assessment or {}, calibrated) if r.manager_assessment else {}
    rescored = rescore(template, r.score, content) if r.score else None
    score = rescored.value if rescored else None
    rating = template.scale.nearest(score) if score is not None else None
    proposed_score = (r.score or {}).get("value")
    if r.calibration and adj is not None and r.calibration.get("session_id") == adj.session_id:
        proposed_score = r.calibration.get("original_score")  # closed: the stored score is the calibrated one
    parts = rescored.as_dict()["parts"] if rescored else []
    manager = directory.get(r.manager_id or "")
    return PersonRow(
        employee_id=r.employee_id,
        name=r.employee_name,
        department=r.department,
        manager_id=r.manager_id,
        manager_name=manager.name if manager else "",
        state=r.state.value,
        proposed=adj.original if adj else proposed,
        calibrated=calibrated,
        adjusted=bool(adj and adj.changed),
        score=score,
        rating=rating,
        proposed_rating=template.scale.nearest(proposed_score) if proposed_score is not None else None,
        flags=contradictions(rating, parts, template),
        box=(lambda b: b.value if b else None)(box_of(rating, calibrated.get("potential"), template)),
        parts={p["name"]: p["value"] for p in parts},
        training_needs=_topics(r),
        proposed_score=proposed_score,
        version=adj.version if adj else 0,
        original=(adj.original if adj else proposed) if why else None,
        reason=(adj.reason if adj else None) if why else None,
        adjusted_by=(adj.by if adj else None) if why else None,
        adjusted_at=(adj.at if adj else None) if why else None,
    )


# --- adjusting -------------------------------------------------------------------------------------------


def adjust(
    uow: UnitOfWork,
    principal: Principal,
    session_id: str,
    employee_id: str,
    calibrated: dict[str, Any],
    reason: str,
    expected_version: int,
    clock: Clock,
) -> PersonRow:
    """A facilitator sets a person's calibrated ratings (and potential) with a reason, at the version they read
    (0: nobody has adjusted yet); the manager's original is kept beside it; the review is not touched."""
    session = _session(uow, session_id)
    _facilitator(principal, session)
    cycle = _cycle(uow, session.cycle_id)
    _writable(cycle)
    if not session.is_open:
        raise Conflict(f"the session is {session.state}; its ratings are locked")
    if employee_id not in session.people or employee_id == principal.employee_id:
        raise NotFound(f"{employee_id!r} is not in this session")
    template = _template(cycle)
    review = uow.reviews.get(session.cycle_id, employee_id)
    if review is None or review.state is not ReviewState.IN_CALIBRATION:
        raise Conflict("the manager assessment is not submitted for calibration yet")
    before = uow.calibration.adjustment(session_id, employee_id)
    current = before.version if before else 0
    if current != expected_version:
        raise StaleWrite(f"this calibration was changed by someone else (now version {current}); reload it")
    calibrated = {
        "competency_ratings": dict(calibrated.get("competency_ratings") or {}),
        "potential": calibrated.get("potential"),
    }
    check_adjustment(calibrated, reason, template)
    at = iso(clock.now())
    original = before.original if before else proposal(review.manager_assessment)
    after = Adjustment(
        session_id=session_id,
        cycle_id=session.cycle_id,
        employee_id=employee_id,
        original=original,
        calibrated=calibrated,
        reason=reason.strip(),
        by=principal.employee_id,
        at=at,
        version=current,
        audit_head=before.audit_head if before else "",
    )
    try:
        with uow:
            uow.calibration.expect_unchanged(session)  # a close in between refuses this adjustment
            uow.calibration.save_adjustment(
                after, new=before is None, actor=principal.employee_id, action="adjust", at=at, reason=reason.strip()
            )
            uow.commit()
    except Conflict as exc:
        if exc.clash is Clash.EXISTS:  # another facilitator adjusted first
            raise StaleWrite("this calibration was changed by someone else; reload it") from exc
        raise
    uow.forget()
    return next(r for r in session_view(uow, principal, session_id).rows if r.employee_id == employee_id)


# --- closing and reopening -----------------------------------------------------------------------------------


def close_session(
    uow: UnitOfWork, principal: Principal, session_id: str, expected_version: int, clock: Clock
) -> CalibrationSession:
    """A facilitator closes the session: its ratings lock, its claims are released, and each review moves on to
    the discussion with the calibrated ratings, rescored by the template's rule. Closing a closed session again
    finishes reviews a failed close left behind."""
    session = _session(uow, session_id)
    _facilitator(principal, session)
    cycle = _cycle(uow, session.cycle_id)
    _writable(cycle)
    if session.version != expected_version:
        raise StaleWrite(f"the session was changed by someone else (now version {session.version}); reload it")
    reviews = {r.employee_id: r for r in uow.reviews.get_many(session.cycle_id, session.people)}
    at = iso(clock.now())
    if session.is_open:
        waiting = sorted(p for p in session.people if p not in reviews or not _calibratable(reviews[p]))
        if waiting:
            names = uow.directory.names(waiting)
            raise Conflict(
                "Some manager assessments are not submitted yet: the session cannot close.",
                {"people": [f"{names.get(p, p)} ({p}): waiting for the manager assessment" for p in waiting]},
            )
        closed = replace(
            session,
            state=SESSION_WORKFLOW.next(session.state, SessionAction.CLOSE),
            closed_at=at,
            closed_by=principal.employee_id,
        )
        people = session.people
        for start in range(0, len(people), CLAIMS_PER_TRANSACTION):
            with uow:
                if start == 0:
                    session = uow.calibration.save(
                        closed, new=False, actor=principal.employee_id, action="close", at=at
                    )
                for person in people[start : start + CLAIMS_PER_TRANSACTION]:
                    uow.calibration.release(session.cycle_id, person)
                uow.commit()
    elif session.state is not SessionState.CLOSED:
        SESSION_WORKFLOW.next(session.state, SessionAction.CLOSE)  # refuses
    template = _template(cycle)
    adjustments = uow.calibration.adjustments(session_id)
    for person in session.people:
        review = reviews.get(person)
        if review is None or review.state is not ReviewState.IN_CALIBRATION:
            continue  # already moved on (a close finished before)
        _calibrate_review(uow, principal, template, review, adjustments.get(person), clock)
    return session


def _calibratable(review: Review) -> bool:
    return review.state is ReviewState.IN_CALIBRATION


def _calibrate_review(
    uow: UnitOfWork, principal: Principal, template: Template, review: Review, adj: Adjustment | None, clock: Clock
) -> None:
    """The review with the calibrated ratings, rescored, its calibration record kept for the manager and HR."""
    content = review.manager_assessment or {}
    changes: dict[str, Any] = {}
    if adj is not None and adj.changed:
        content = calibrated_content(content, adj.calibrated)
        if adj.calibrated.get("potential") is not None:
            content = {**content, "potential": adj.calibrated["potential"]}
        changes = {
            "manager_assessment": content,
            "score": rescore(template, review.score, content).as_dict(),
            "calibration": {
                "session_id": adj.session_id,
                "original": adj.original,
                "calibrated": adj.calibrated,
                "original_score": (review.score or {}).get("value"),
                "reason": adj.reason,
                "by": adj.by,
                "at": adj.at,
            },
        }
    uow.forget()
    review_svc.apply_calibration(uow, principal, review.cycle_id, review.employee_id, changes, clock)


def reopen_session(
    uow: UnitOfWork, principal: Principal, session_id: str, reason: str, expected_version: int, clock: Clock
) -> CalibrationSession:
    """HR reopens a closed session with a reason: its people are claimed again and their reviews go back into
    calibration (refused while any of them has had the discussion)."""
    session = _session(uow, session_id)
    _facilitator(principal, session)
    cycle = _cycle(uow, session.cycle_id)
    _writable(cycle)
    if not reason.strip():
        raise ValidationFailed("Say why the session reopens.", {"reason": ["required"]})
    if session.version != expected_version:
        raise StaleWrite(f"the session was changed by someone else (now version {session.version}); reload it")
    target = SESSION_WORKFLOW.next(session.state, SessionAction.REOPEN)
    reviews = {r.employee_id: r for r in uow.reviews.get_many(session.cycle_id, session.people)}
    moved_on = sorted(p for p, r in reviews.items() if at_least(r.state, ReviewState.DISCUSSED))
    if moved_on:
        names = uow.directory.names(moved_on)
        raise Conflict(
            "Some reviews have had their discussion: the session cannot reopen.",
            {"people": [f"{names.get(p, p)} ({p}) is {reviews[p].state.value.replace('_', ' ')}" for p in moved_on]},
        )
    at = iso(clock.now())
    reopened = replace(session, state=target, reopen_reason=reason.strip(), closed_at=None, closed_by=None)
    people = session.people
    try:
        for start in range(0, len(people), CLAIMS_PER_TRANSACTION):
            with uow:
                if start == 0:
                    session = uow.calibration.save(
                        reopened, new=False, actor=principal.employee_id, action="reopen", at=at, reason=reason.strip()
                    )
                for person in people[start : start + CLAIMS_PER_TRANSACTION]:
                    uow.calibration.claim(session.cycle_id, person, session_id)
                uow.commit()
    except Conflict as exc:
        if exc.entity != "calibration_member":
            raise
        raise Conflict(
            "Some of its people are in another open calibration session now: close that one first.",
            entity="calibration_member",
            clash=Clash.EXISTS,
        ) from exc
    for person in people:
        if reviews.get(person) is None or reviews[person].state is not ReviewState.MANAGER_SUBMITTED:
            continue  # not calibrated yet (returned and submitted again since): it waits in calibration already
        uow.forget()
        review_svc.apply_calibration(uow, principal, session.cycle_id, person, {}, clock)
    return session


@dataclass(frozen=True)
class GroupChoices:
    """What HR can build a session from: the cycle's departments, managers (for a subtree) and people in calibration
    who are not in an open session yet (for a list), each as (value, words)."""

    departments: list[str]
    managers: list[tuple[str, str]]
    people: list[tuple[str, str]]
    facilitators: list[tuple[str, str]]


def group_choices(uow: UnitOfWork, principal: Principal, cycle_id: str) -> GroupChoices:
    """The choices of the new-session form (HR)."""
    policy.require_role(principal, Role.HR)
    cycle = _cycle(uow, cycle_id)
    ids = uow.cycles.participants(cycle)
    people = uow.directory.get_many(ids)
    reviews = uow.reviews.get_many(cycle_id, ids)
    held = uow.calibration.claims(cycle_id, [r.employee_id for r in reviews if r.state is ReviewState.IN_CALIBRATION])
    managers = {p.manager_id for p in people.values() if p.manager_id}
    leaders = uow.directory.get_many(sorted(managers))
    hr_people = [p for p in uow.directory.all() if p.active and Role.HR in p.roles]
    return GroupChoices(
        departments=sorted({p.department for p in people.values() if p.department}, key=str.casefold),
        managers=sorted(((m.employee_id, m.name) for m in leaders.values()), key=lambda t: t[1].casefold()),
        people=sorted(
            (
                (r.employee_id, r.employee_name)
                for r in reviews
                if r.state is ReviewState.IN_CALIBRATION and r.employee_id not in held
            ),
            key=lambda t: t[1].casefold(),
        ),
        facilitators=sorted(
            ((p.employee_id, p.name) for p in hr_people if p.employee_id != principal.employee_id),
            key=lambda t: t[1].casefold(),
        ),
    )


CSV_COLUMNS = ("Section", "Group", "People", "Changed", "Raised", "Lowered", "Rating", "Before", "After")


def session_csv(view: SessionView, labels: tuple[str, ...]) -> str:
    """The session's report as CSV: changes per manager and in all, then the distribution before and after; no cell
    can run as a formula in a spreadsheet (names come from the directory)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(CSV_COLUMNS)
    for c in view.changes:
        w.writerow([spreadsheet_safe(v) for v in ("changes", c.group, c.people, c.changed, c.up, c.down, "", "", "")])
    for n, label in enumerate(labels):
        before, after = view.before.counts[n], view.session_distribution.counts[n]
        w.writerow([spreadsheet_safe(v) for v in ("distribution", "session", "", "", "", "", label, before, after)])
    return out.getvalue()


# --- the cycle-wide rating report (leadership and HR) --------------------------------------------------------


@dataclass(frozen=True)
class RatingReport:
    """Overall ratings across a cycle, by department and by level (depth in the organisation), against the
    previous cycle; small groups withheld as in the training report (`note` says so)."""

    cycle_id: str
    cycle_name: str
    labels: list[str]
    everyone: RatingRow
    departments: list[RatingRow]
    levels: list[RatingRow]
    previous_cycle: str | None
    note: str
    held: bool = False  # a running cycle read by leadership: no figure until it closes (report_release)
    progress: report_release.HeldCounts | None = None  # a held cycle's review counts (no content)


def _ratings(uow: UnitOfWork, cycle: Cycle) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
    """Overall ratings the employees can see (the manager's part submitted and calibrated), by department and by
    level."""
    template = _template(cycle)
    shown = [r for r in uow.reviews.of_cycle(cycle.cycle_id) if at_least(r.state, ReviewState.MANAGER_SUBMITTED)]
    people = uow.directory.get_many([r.employee_id for r in shown])
    by_department: dict[str, list[int]] = {}
    by_level: dict[str, list[int]] = {}
    for r in shown:
        value = (r.score or {}).get("value")
        if value is None:
            continue
        rating = template.scale.nearest(value)
        by_department.setdefault(r.department or "—", []).append(rating)
        person = people.get(r.employee_id)
        level = f"Level {len(person.chain) + 1}" if person else "Level ?"
        by_level.setdefault(level, []).append(rating)
    return by_department, by_level


def rating_report(uow: UnitOfWork, principal: Principal, cycle_id: str) -> RatingReport:
    """The cycle's overall ratings for leadership and HR: by department and level, suppressed, with the trend."""
    policy.require_role(principal, Role.LEADERSHIP, Role.HR)
    cycle = _cycle(uow, cycle_id)
    template = _template(cycle)
    earlier = [c for c in uow.cycles.list() if c.period_start < cycle.period_start and c.template_snapshot]
    earlier = [c for c in earlier if report_release.released(c, principal)]
    previous = max(earlier, key=lambda c: c.period_start, default=None)
    points = template.scale.points
    if not report_release.released(cycle, principal):
        return RatingReport(
            cycle_id=cycle_id,
            cycle_name=cycle.name,
            labels=list(template.scale.labels),
            everyone=RatingRow("Everyone", [None] * points, None, None, None),
            departments=[],
            levels=[],
            previous_cycle=previous.name if previous else None,
            note=SUPPRESSION_NOTE,
            held=True,
            progress=report_release.progress(uow, cycle_id),
        )
    now_d, now_l = _ratings(uow, cycle)
    before_d, before_l = _ratings(uow, previous) if previous else ({}, {})
    everyone, departments = rating_rows(now_d, before_d, points)
    _, levels = rating_rows(now_l, before_l, points)
    return RatingReport(
        cycle_id=cycle_id,
        cycle_name=cycle.name,
        labels=list(template.scale.labels),
        everyone=everyone,
        departments=departments,
        levels=levels,
        previous_cycle=previous.name if previous else None,
        note=SUPPRESSION_NOTE,
    )


def rating_csv(report: RatingReport) -> str:
    """The rating report as CSV: a withheld figure reads "suppressed"; no cell can run as a formula."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Section", "Group", *report.labels, "People", "Average", "Previous average"])

    def fig(value: Any) -> Any:
        return "suppressed" if value is None else value

    if report.held and report.progress is not None:
        p = report.progress
        w.writerow(["note", f"{p.note} {p.finalised} of {p.reviews} reviews finalised."])
        return out.getvalue()
    for section, rows in (
        ("organisation", [report.everyone]),
        ("department", report.departments),
        ("level", report.levels),
    ):
        for r in rows:
            cells = [section, r.group, *map(fig, r.counts), fig(r.total), fig(r.mean), fig(r.previous_mean)]
            w.writerow([spreadsheet_safe(c) for c in cells])
    return out.getvalue()
