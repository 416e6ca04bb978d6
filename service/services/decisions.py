"""Use cases of personnel decisions (issue 27): weigh a decision against the record, record it with the evidence
the record held, approve a flagged one (a second HR person), communicate it, and read it back (HR, the recorder,
the person concerned once communicated, leadership's counts)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle
from service.domain.decisions import (
    DECISION_WORKFLOW,
    LAST_CYCLES,
    RELEASE_AFTER,
    CycleEvidence,
    Decision,
    DecisionAction,
    DecisionKind,
    DecisionState,
    Flagged,
    GroupAggregate,
    NeedEvidence,
    ObstacleEvidence,
    PayDirection,
    PersonEvidence,
    Rating,
    ResponseEvidence,
    aggregate,
    check_request,
    evidence_hash,
    expectation_point,
    flags_for,
    period_end,
    period_label,
    period_of,
    period_released,
    period_start,
    rating_from_score,
    trend_of,
    verify,
)
from service.domain.directory import Employee, Role
from service.domain.errors import Conflict, NotFound, ValidationFailed
from service.domain.reviews import Review, ReviewState, at_least
from service.domain.suppression import NOTE, Line, withheld
from service.services import policy, report_release
from service.services.auth import Principal


def review_rating(review: Review, cycle: Cycle | None) -> Rating | None:
    """The rating a decision is weighed against, the one place it is read: the score's point on the cycle's scale.
    Where a closed calibration (issue 23) changed the ratings, the score is the calibrated one (rescored when the
    session closed; the original kept in `Review.calibration` is never evidence). None before the manager's
    submission and while the rating waits in calibration: provisional, also after its session reopened."""
    score = (review.score or {}).get("value")
    scale = list(((cycle.template_snapshot if cycle else None) or {}).get("scale", []))
    if score is None or not at_least(review.state, ReviewState.MANAGER_SUBMITTED):
        return None
    return rating_from_score(score, scale)


def _gaps(review: Review, cycle: Cycle | None) -> tuple[str, ...]:
    # Competencies the manager rated below the scale's expectation point, by name.
    snapshot = (cycle.template_snapshot if cycle else None) or {}
    scale = list(snapshot.get("scale", []))
    if len(scale) < 2:
        return ()
    names = {c["id"]: c.get("name", c["id"]) for c in snapshot.get("competencies", [])}
    point = expectation_point(scale)
    ratings = (review.manager_assessment or {}).get("competency_ratings", {})
    return tuple(
        sorted(names.get(cid, cid) for cid, r in ratings.items() if (r or {}).get("rating") and r["rating"] < point)
    )


def person_evidence(uow: UnitOfWork, person: Employee) -> PersonEvidence:
    """What the record holds about a person now: their last rated reviews (score, rating, trend, gaps), the
    training needs named for them and whether delivered, the obstacles and whether remedied, their responses."""
    reviews, actions = uow.reviews.history(person.employee_id)
    rated = [r for r in reviews if at_least(r.state, ReviewState.MANAGER_SUBMITTED)]
    rated.sort(key=lambda r: (r.period_start or "", r.cycle_name))
    last = rated[-LAST_CYCLES:]
    cycles = {c: uow.cycles.get(c) for c in {r.cycle_id for r in last}}
    entries = []
    for r in last:
        rating = review_rating(r, cycles[r.cycle_id])
        entries.append(
            CycleEvidence(
                cycle_id=r.cycle_id,
                cycle_name=r.cycle_name,
                period_start=r.period_start,
                score=(r.score or {}).get("value"),
                rating=rating.value if rating else None,
                rating_label=rating.label if rating else "",
                at_or_above=rating.at_or_above if rating else None,
                gaps=_gaps(r, cycles[r.cycle_id]),
            )
        )
    needs = [
        NeedEvidence(
            need_id=n.need_id,
            cycle_id=n.cycle_id,
            topic=n.topic,
            source=n.source.value,
            priority=n.priority.value,
            addressed=n.addressed_at is not None or n.status.value == "addressed",
            addressed_by=n.addressed_by or "",
        )
        for n in sorted(uow.training.of_person(person.employee_id), key=lambda n: n.need_id)
    ]
    obstacles = [
        ObstacleEvidence(
            action_id=a.action_id,
            cycle_id=a.cycle_id,
            obstacle=a.obstacle or "",
            remediation=a.description,
            status=a.status,
            remedied=a.status == "done",
        )
        for a in sorted(actions, key=lambda a: a.action_id)
        if a.kind == "remediation"
    ]
    responses = [
        ResponseEvidence(
            r.cycle_id, r.cycle_name, str(r.acknowledgement.get("agreement") or ""), r.acknowledgement["response"]
        )
        for r in last  # the reviews weighed: what the person wrote about them
        if r.acknowledgement and (r.acknowledgement.get("response") or "").strip()
    ]
    scores = [c.score for c in entries if c.score is not None]
    return PersonEvidence(
        employee_id=person.employee_id,
        name=person.name,
        department=person.department,
        cycles=tuple(entries),
        trend=trend_of(scores),
        needs=tuple(needs),
        obstacles=tuple(obstacles),
        responses=tuple(responses),
    )


@dataclass(frozen=True)
class Weighing(Flagged):
    """A decision weighed before it is saved: each person's evidence, the flags and the group's aggregate."""

    kind: DecisionKind
    pay_direction: PayDirection | None
    evidence: tuple[PersonEvidence, ...]
    flags: dict[str, list[str]]
    group: GroupAggregate

    @property
    def evidence_hash(self) -> str:
        """The hash of the evidence shown (sent back on saving, so what is saved is what was read)."""
        return evidence_hash(self.evidence)


def _people(uow: UnitOfWork, principal: Principal, people: list[str]) -> list[Employee]:
    unique = list(dict.fromkeys(p for p in people if p))
    found = uow.directory.get_many(unique)
    # Someone outside the caller's area is a refusal of who they are (403), not of what they typed (422).
    barred = [found[p].name for p in unique if p in found and not policy.may_decide_about(principal, found[p])]
    policy.require(not barred, f"{', '.join(barred)}: not someone you may decide about")
    unknown = [f"unknown person {p!r}" for p in unique if p not in found]
    if unknown:
        raise ValidationFailed("The decision cannot be saved yet.", {"people": unknown})
    return [found[p] for p in unique]


def weigh(
    uow: UnitOfWork, principal: Principal, kind: DecisionKind, pay: PayDirection | None, people: list[str]
) -> Weighing:
    """The evidence per person, the consistency checks and the aggregate, before anything is saved."""
    policy.require(policy.may_record_decisions(principal), "only HR and managers record decisions")
    if kind is not DecisionKind.PAY_CHANGE:
        pay = None
    found = [person_evidence(uow, p) for p in _people(uow, principal, people)]
    flags = {e.employee_id: [f.value for f in flags_for(kind, pay, e)] for e in found}
    return Weighing(kind, pay, tuple(found), {p: f for p, f in flags.items() if f}, aggregate(found))


def record_decision(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> Decision:
    """Record a decision with the evidence the record holds now; one flagged by a check waits for approval. With
    `evidence_hash` (the hash of the evidence the reader was shown), a record that changed since is refused."""
    kind, pay = DecisionKind(data["kind"]), data.get("pay_direction")
    pay = PayDirection(pay) if pay and kind is DecisionKind.PAY_CHANGE else None
    people = list(dict.fromkeys(data.get("people") or []))
    summary, justification = (data.get("summary") or "").strip(), (data.get("justification") or "").strip()
    check_request(kind, pay, summary, people, justification, flagged=False)
    with uow:
        weighing = weigh(uow, principal, kind, pay, people)
        check_request(kind, pay, summary, people, justification, weighing.flagged)
        shown = data.get("evidence_hash")
        if shown and shown != evidence_hash(weighing.evidence):
            raise Conflict("the record changed since the evidence was shown: read it again before saving")
        at = iso(clock.now())
        decision = Decision(
            decision_id=clock.new_id(),
            kind=kind,
            summary=summary,
            people=tuple(e.employee_id for e in weighing.evidence),
            departments=tuple(e.department for e in weighing.evidence),
            recorded_by=principal.employee_id,
            recorded_at=at,
            pay_direction=pay,
            justification=justification,
            flags=weighing.flags,
            state=DecisionState.AWAITING_APPROVAL if weighing.flagged else DecisionState.RECORDED,
            evidence=weighing.evidence,
            evidence_hash=evidence_hash(weighing.evidence),
        )
        stored = uow.decisions.save(
            decision, new=True, actor=principal.employee_id, action=DecisionAction.RECORD, at=at
        )
        uow.commit()
    return stored


def _own(uow: UnitOfWork, decision_id: str) -> Decision:
    decision = uow.decisions.get(decision_id)
    if decision is None:
        raise NotFound(f"no decision {decision_id!r}")
    return decision


def _may_manage(principal: Principal, decision: Decision) -> bool:
    # HR and the recorder manage a decision; HR never one about themselves.
    if principal.employee_id in decision.people:
        return False
    return principal.has(Role.HR) or principal.employee_id == decision.recorded_by


def approve(uow: UnitOfWork, principal: Principal, decision_id: str, clock: Clock) -> Decision:
    """A second person with the HR role approves a flagged decision (never its recorder)."""
    with uow:
        decision = _own(uow, decision_id)
        if not _may_manage(principal, decision):  # nobody approves a decision about themselves
            raise NotFound(f"no decision {decision_id!r}")
        policy.require(
            policy.may_approve_decision(principal, decision.recorded_by),
            "a second person with the HR role approves it, not the one who recorded it",
        )
        state = DECISION_WORKFLOW.next(decision.state, DecisionAction.APPROVE)
        at = iso(clock.now())
        changed = replace(decision, state=state, approved_by=principal.employee_id, approved_at=at)
        stored = uow.decisions.save(
            changed, new=False, actor=principal.employee_id, action=DecisionAction.APPROVE, at=at
        )
        uow.commit()
    return stored


def communicate(uow: UnitOfWork, principal: Principal, decision_id: str, clock: Clock) -> Decision:
    """Mark a decision communicated: from then on the people concerned read it and their evidence."""
    with uow:
        decision = _own(uow, decision_id)
        if not _may_manage(principal, decision):
            raise NotFound(f"no decision {decision_id!r}")
        state = DECISION_WORKFLOW.next(decision.state, DecisionAction.COMMUNICATE)
        at = iso(clock.now())
        changed = replace(decision, state=state, communicated_at=at)
        stored = uow.decisions.save(
            changed, new=False, actor=principal.employee_id, action=DecisionAction.COMMUNICATE, at=at
        )
        uow.decisions.stage_counts(stored, clock.now().tzinfo)  # leadership counts what was decided and told
        uow.commit()
    return stored


def _as_read_by(principal: Principal, decision: Decision) -> Decision:
    # The person concerned reads their own evidence only, never a colleague's in the same group decision.
    if _may_manage(principal, decision):
        return decision
    mine = tuple(e for e in decision.evidence if e.employee_id == principal.employee_id)
    flags = {p: f for p, f in decision.flags.items() if p == principal.employee_id}
    return replace(decision, evidence=mine, flags=flags)


def get_decision(uow: UnitOfWork, principal: Principal, decision_id: str) -> Decision:
    """One decision: HR and its recorder in full; the person concerned, once communicated, with their evidence."""
    decision = _own(uow, decision_id)
    concerned = principal.employee_id in decision.people and decision.state is DecisionState.COMMUNICATED
    if not (_may_manage(principal, decision) or concerned):
        raise NotFound(f"no decision {decision_id!r}")  # denied answers exactly like missing
    return _as_read_by(principal, decision)


@dataclass(frozen=True)
class DecisionLists:
    """What a person finds on the decisions page: HR's flagged ones waiting for approval, the decisions they may
    manage (HR: the organisation's newest; a manager: their own) and the communicated ones about them."""

    awaiting: list[Decision]
    recorded: list[Decision]
    about_me: list[Decision]


def list_decisions(uow: UnitOfWork, principal: Principal) -> DecisionLists:
    """The decisions page's lists."""
    is_hr = principal.has(Role.HR)
    recorded = uow.decisions.newest() if is_hr else uow.decisions.recorded_by(principal.employee_id)
    awaiting = [d for d in uow.decisions.awaiting() if _may_manage(principal, d)] if is_hr else []
    about = [
        _as_read_by(principal, d)
        for d in uow.decisions.about(principal.employee_id)
        if d.state is DecisionState.COMMUNICATED
    ]
    return DecisionLists(awaiting, [d for d in recorded if _may_manage(principal, d)], about)


def awaiting_my_approval(uow: UnitOfWork, principal: Principal) -> list[Decision]:
    """Flagged decisions this person may approve (HR, never their recorder nor about themselves): one Query."""
    if not principal.has(Role.HR):
        return []
    return [
        d
        for d in uow.decisions.awaiting()
        if _may_manage(principal, d) and policy.may_approve_decision(principal, d.recorded_by)
    ]


def decision_trail(uow: UnitOfWork, principal: Principal, decision_id: str) -> tuple[list[dict[str, Any]], list[str]]:
    """A decision's audit trail and the problems its verification finds (HR)."""
    decision = _own(uow, decision_id)
    if not (principal.has(Role.HR) and _may_manage(principal, decision)):
        raise NotFound(f"no decision {decision_id!r}")
    records = uow.audit.of_decision(decision_id)
    return records, verify(decision, records)


@dataclass(frozen=True)
class CountRow:
    """One department's people affected, per kind (None: withheld) and in all."""

    department: str
    counts: list[int | None]
    total: int | None


@dataclass(frozen=True)
class PeriodCounts:
    """One period's counts of people affected by decisions, by kind and department, small groups withheld; `live`:
    a period still running (HR only), whose figures move as decisions are communicated."""

    period: str
    label: str
    live: bool
    kinds: list[str]
    rows: list[CountRow]
    totals: list[int | None]
    total: int | None


@dataclass(frozen=True)
class DecisionCounts:
    """Leadership's counts of people affected by decisions, one table per period (newest first). `live`: the reader
    reads the running quarter (HR); for the others, decisions communicated since `held_since` are counted from
    `shown_from` (said whatever is waiting, so it gives nothing away)."""

    periods: list[PeriodCounts]
    note: str
    live: bool
    held_since: date
    shown_from: date


def _table(period: str, found: dict[str, dict[DecisionKind, int]], live: bool) -> PeriodCounts:
    # One period's table; suppression looks at this table alone: periods share no decision.
    departments, kinds = sorted(found), list(DecisionKind)
    sizes: dict[Any, int] = {}
    for d in departments:
        for k in kinds:
            sizes[(d, k)] = found[d][k]
        sizes[("dept", d)] = sum(found[d].values())
    for k in kinds:
        sizes[("kind", k)] = sum(found[d][k] for d in departments)
    sizes["all"] = sum(sizes[("dept", d)] for d in departments)
    lines = [Line(("kind", k), tuple((d, k) for d in departments)) for k in kinds]
    lines += [Line(("dept", d), tuple((d, k) for k in kinds)) for d in departments]
    lines += [Line("all", tuple(("kind", k) for k in kinds)), Line("all", tuple(("dept", d) for d in departments))]
    hidden = withheld(sizes, lines)

    def shown(cell: Any) -> int | None:
        return None if cell in hidden else sizes[cell]

    rows = [CountRow(d, [shown((d, k)) for k in kinds], shown(("dept", d))) for d in departments]
    totals = [shown(("kind", k)) for k in kinds]
    return PeriodCounts(period, period_label(period), live, [k.value for k in kinds], rows, totals, shown("all"))


def counts_as_read(found: dict[str, dict[str, dict[DecisionKind, int]]], now: datetime, live: bool) -> DecisionCounts:
    """The counts a reader gets now from the counters per period (domain/decisions.py: the rule): ended periods
    for everyone; a live reader (HR) also the running ones, the current quarter always among them."""
    running = {period_of(now)} if live else set()  # `now` on the organisation's clock: its quarter
    periods = sorted({p for p in found if live or period_released(p, now)} | running, reverse=True)
    tables = [_table(p, found.get(p, {}), not period_released(p, now)) for p in periods]
    waiting = period_of(now - RELEASE_AFTER)  # the oldest period a reader who is not live may be waiting for
    zone = now.tzinfo
    return DecisionCounts(tables, NOTE, live, period_start(waiting, zone).date(), period_end(waiting, zone).date())


def decision_counts(uow: UnitOfWork, principal: Principal, now: datetime) -> DecisionCounts:
    """People affected by communicated decisions per period, kind and department; a figure under 5 people, or one
    that would give such a group away by subtraction, is withheld (domain/suppression.py), and a period reaches
    leadership only once it has ended (HR reads the running one live: report_release.live_reader)."""
    policy.require(policy.may_see_decision_counts(principal), "only leadership and HR see these counts")
    return counts_as_read(uow.decisions.counts(), now, report_release.live_reader(principal))
