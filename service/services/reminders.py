"""Reminders: email people about overdue review tasks (at most once a day), tell managers at 3 days."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from service.adapters.clock import Clock, iso
from service.adapters.documents import render
from service.adapters.mailer import AddressBouncing, Email, Mailer, SendFailed
from service.adapters.metrics import ESCALATIONS_SENT, REMINDER_SENDS_FAILED, REMINDERS_SENT, Metrics, current
from service.adapters.reminder_store import Notice
from service.adapters.store import Item
from service.adapters.unit_of_work import UnitOfWork
from service.domain.calibration import SessionState
from service.domain.cycles import PHASE_TASKS, Cycle, CycleState, Phase
from service.domain.directory import Employee, Role
from service.domain.errors import NO_CYCLE, Conflict, NotFound
from service.domain.reviews import Review, ReviewState
from service.services.auth import Principal
from service.services.delegation import acting_managers_on, record_natural_ends
from service.services.feedback_nominations import answer_url
from service.services.policy import require_role

if TYPE_CHECKING:
    from service.domain.reminders import DueItem
    from service.services.feedback_tracking import PendingRequest
    from service.services.one_to_ones import MeetingDue

ESCALATE_AFTER_DAYS = 3
ONE_TO_ONE = "Your one-to-one tomorrow"  # the subject when a meeting is all the daily email has
# A feedback request is announced in the reviewer's next daily email; while it waits it is listed again on Mondays,
# and every day in the last days before the feedback deadline (issue 24: not every day, each a message).
FEEDBACK_REMINDER_WEEKDAY = 0  # Monday
FEEDBACK_FINAL_DAYS = 3
# A claim still "sending" after this long belongs to a run that stopped (the function times out at 5 minutes).
LEASE = timedelta(minutes=10)
log = logging.getLogger(__name__)
TASK_LABELS = {
    "self_assessment": "Self assessment",
    "manager_assessment": "Manager assessment",
    "discussion": "Review discussion",
    "acknowledgement": "Acknowledge your review",
    "calibration": "Calibration (close its session)",
}


@dataclass(frozen=True)
class RemindersRun:
    """What the daily run did: overdue tasks found, people reminded, managers told, sends refused, bouncing."""

    overdue_tasks: int
    reminded: int
    escalations: int
    failed: int
    bouncing: int


@dataclass(frozen=True)
class RemindedNow:
    """What HR's "Send reminder now" did in one cycle."""

    people: int
    reminded: int
    already_today: int
    failed: int
    bouncing: int


@dataclass(frozen=True)
class OverdueTask:
    """A task past its deadline: who owes it, for whom, and by how much."""

    cycle_id: str
    cycle_name: str
    task: str
    owner_id: str
    subject_id: str
    subject_name: str
    due: date
    days: int

    @property
    def label(self) -> str:
        """Human name of the task."""
        return TASK_LABELS.get(self.task, self.task)


def overdue_tasks(uow: UnitOfWork, today: date) -> list[OverdueTask]:
    """Every overdue task of every active cycle (a background job). Issue 24: it reads the reviews in the states
    whose deadline has passed (the index by state, paged), and the people of those a manager owes, not every
    review and person of the cycle."""
    found: list[OverdueTask] = []
    acting = acting_managers_on(uow, today)  # issue 28: a manager's tasks go to their acting manager meanwhile
    for cycle in uow.cycles.list():
        if cycle.state is not CycleState.ACTIVE:
            continue
        late = [s for s in ReviewState if (task := cycle.task_for(s)) is not None and task[2] and today > task[2]]
        calibration = cycle.phases.get(Phase.CALIBRATION)
        if calibration is not None and today > calibration and ReviewState.IN_CALIBRATION not in late:
            late.append(ReviewState.IN_CALIBRATION)
        reviews = sorted(
            (r for s in late for r in uow.reviews.every_in_state(cycle.cycle_id, s.value)), key=lambda r: r.employee_id
        )
        owed = [r.employee_id for r in reviews if (t := cycle.task_for(r.state)) is not None and t[1] == "manager"]
        people = uow.directory.get_many(owed)
        for r in reviews:
            task = cycle.task_for(r.state)
            if task is None or task[2] is None or today <= task[2]:
                continue
            name, owner_kind, due = task
            person = people.get(r.employee_id)
            owner = r.employee_id if owner_kind == "employee" else (person.manager_id if person else r.manager_id)
            owner = acting.get(owner, owner) if owner_kind == "manager" and owner else owner
            if owner is None or owner_kind == "hr":
                continue
            found.append(
                OverdueTask(
                    cycle.cycle_id, cycle.name, name, owner, r.employee_id, r.employee_name, due, (today - due).days
                )
            )
        found += calibration_tasks(uow, cycle, reviews, today)
    return found


def calibration_tasks(uow: UnitOfWork, cycle: Cycle, reviews: list[Review], today: date) -> list[OverdueTask]:
    """Issue 23: reviews still in calibration after the cycle's calibration deadline, one task for each facilitator
    of the open session holding them (one Query of the cycle's sessions, only when some are overdue); a review in no
    session waits for HR to open one, and its count shows on HR's cycle page."""
    due = cycle.phases.get(Phase.CALIBRATION)
    waiting = {r.employee_id: r for r in reviews if r.state is ReviewState.IN_CALIBRATION}
    if due is None or today <= due or not waiting:
        return []
    return [
        OverdueTask(cycle.cycle_id, cycle.name, "calibration", f, p, waiting[p].employee_name, due, (today - due).days)
        for s in uow.calibration.of_cycle(cycle.cycle_id)
        if s.state is SessionState.OPEN
        for p in s.people
        if p in waiting
        for f in s.facilitators
    ]


def _send(
    uow: UnitOfWork, mailer: Mailer, claims: list[Item], email: Email, at: str, digest: tuple[Notice, ...] = ()
) -> bool | None:
    """Send one message for its claims; True when it was handed over. A failure is logged and left for a retry.

    None: not sent because the address bounces (HR sees it on the overdue page); settled, so no run retries it.
    `digest`: the kept messages it carries, removed once it is sent (or the address bounces).
    """
    try:
        mailer.send(email)
    except AddressBouncing as exc:
        log.info("not reminding %s: %s", ", ".join(email.to), exc)
        for claim in claims:
            uow.reminders.settle(claim, at, delivered=digest)
        return None
    except SendFailed as exc:
        log.warning("sending %r to %s failed, the next run retries: %s", email.subject, ", ".join(email.to), exc)
        for claim in claims:
            uow.reminders.settle(claim, at, error=str(exc) or type(exc).__name__)
        return False
    for claim in claims:
        if not uow.reminders.settle(claim, at, delivered=digest):
            log.warning("a reminder claim was taken over before it was settled")
    return True


def rehearsal_cycles(uow: UnitOfWork) -> set[str]:
    """The ids of the cycles HR marked a rehearsal (their messages go to HR only, so never share one with a live
    cycle's)."""
    return {c.cycle_id for c in uow.cycles.list() if c.rehearsal}


def _part(cycle_id: str, rehearsals: set[str]) -> str | None:
    """Which message of a person's reminder a task belongs to: its rehearsal cycle's own, or the live one (None)."""
    return cycle_id if cycle_id in rehearsals else None


def send_reminders(
    uow: UnitOfWork, mailer: Mailer, clock: Clock, base_url: str = "", metrics: Metrics | None = None
) -> RemindersRun:
    """Email each person once today: their overdue tasks, the feedback requests waiting for them, their goals due a
    check-in (issue 28) and the messages
    kept for their digest (nominations to decide, new feedback requests); tell managers once a task is 3 days
    overdue.

    A message counts as sent only once the mailer took it (its digest's messages are removed with its claim); a
    failed one does not stop the run and is sent again by the next run (the handler fails the invocation, so
    Lambda runs it again), and a person already emailed today is not emailed again.
    """
    metrics = metrics if metrics is not None else current()
    now = clock.now()
    today, at = now.date(), iso(now)
    record_natural_ends(uow, mailer, clock)  # issue 28: written once, and told in today's digest below
    tasks = overdue_tasks(uow, today)
    by_owner: dict[str, list[OverdueTask]] = {}
    for t in tasks:
        by_owner.setdefault(t.owner_id, []).append(t)
    # Issue 9: feedback requests still waiting for an answer go into the same daily email.
    from service.services.feedback_tracking import pending_requests

    asked = pending_requests(uow, clock.now())
    sections = _due_sections(uow, now)
    waiting = _to_whoever_decides(uow, uow.reminders.notices(), today, base_url)
    rehearsals = rehearsal_cycles(uow) if tasks or asked or waiting else set()
    owners = sorted(set(by_owner) | set(asked) | {o for due in sections.values() for o in due})
    people = uow.directory.get_many(owners)
    recipients = [(p, p.email) for p in (people.get(o) for o in owners) if p]
    known = {address.lower() for _, address in recipients}
    if set(waiting) - known:  # messages for people with nothing overdue: find them by address (issue 24: by key)
        from service.services.directory import people_by_email

        everyone = people_by_email(uow, sorted(set(waiting) - known))
        for address in sorted(set(waiting) - known):
            found = everyone.get(address)
            recipients.append((found, found.email if found else waiting[address][0].address))
    reminded = failed = bouncing = 0
    for person, address in recipients:
        notices = waiting.get(address.lower(), [])
        if person is not None and not person.active:
            uow.reminders.drop(notices)  # they left: nothing waits for them any more
            continue
        owner_id = person.employee_id if person else address
        owned, requests = by_owner.get(owner_id, []), asked.get(owner_id, [])
        notices, stale = _fresh(notices, requests) if person else (notices, [])
        uow.reminders.drop(stale)
        # A rehearsal cycle's tasks and messages go in a message of their own, carrying its id (the mailer sends it
        # to HR), under a claim of its own: it never takes the place of the person's real reminder, nor shares its
        # retries.
        shown = {n.digest_key for n in notices}
        parts: dict[str | None, tuple[list[OverdueTask], list[PendingRequest], list[Notice]]] = {}
        for t in owned:
            parts.setdefault(_part(t.cycle_id, rehearsals), ([], [], []))[0].append(t)
        for r in requests:
            if answer_url("", r.cycle_id, r.subject_id) not in shown and _remind_today(r, today):
                parts.setdefault(_part(r.cycle_id, rehearsals), ([], [], []))[1].append(r)
        for n in notices:
            parts.setdefault(_part(n.cycle_id, rehearsals) if n.cycle_id else None, ([], [], []))[2].append(n)
        if person is not None and any(owner_id in due for due in sections.values()):
            parts.setdefault(None, ([], [], []))
        outcomes: list[bool | None] = []
        for part in sorted(parts, key=lambda p: (p is not None, p or "")):
            claim = uow.reminders.claim_day(owner_id, today.isoformat(), at, now, LEASE, rehearsal_of=part)
            if claim is None:
                continue
            tasks_, requests_, kept = parts[part]
            digest = tuple(kept)
            extra = {name: due.get(owner_id, []) if part is None else [] for name, due in sections.items()}
            text = render(
                "email/reminder.txt",
                person=person,
                tasks=tasks_,
                feedback=requests_,
                notices=digest,
                base_url=base_url,
                **extra,
            )
            subject = _subject(tasks_, requests_, digest, **extra)
            email = Email((address,), subject, text, cycle_id=part, knock=False)  # see Email.knock
            outcomes.append(_send(uow, mailer, [claim], email, at, digest))
        reminded, bouncing, failed = (
            reminded + (True in outcomes),
            bouncing + (None in outcomes and True not in outcomes),
            failed + (False in outcomes),
        )
    late = [t for t in tasks if t.days >= ESCALATE_AFTER_DAYS]
    escalated, escalations_failed = _escalate(uow, mailer, late, at, now, people, rehearsals)
    metrics.add(REMINDERS_SENT, reminded)
    metrics.add(ESCALATIONS_SENT, escalated)
    metrics.add(REMINDER_SENDS_FAILED, failed + escalations_failed)
    return RemindersRun(len(tasks), reminded, escalated, failed + escalations_failed, bouncing)


NOMINATIONS = re.compile(r"^/cycles/([^/]+)/reviews/([^/]+)/nominations$")


def _to_whoever_decides(
    uow: UnitOfWork, waiting: dict[str, list[Notice]], today: date, base_url: str
) -> dict[str, list[Notice]]:
    """The kept messages by address, each nomination notice going to whoever decides on the report's nominations
    today (their manager now, or the acting manager meanwhile), written for them, not to whoever did when it was
    kept; one that nobody decides on any more (the report left, no manager) is dropped. Reads only when such
    notices wait: the reports (one batch), each manager's delegations, the cycles and their feedback settings."""
    found = [(a, n, m) for a, ns in waiting.items() for n in ns if (m := NOMINATIONS.match(n.digest_key))]
    if not found:
        return waiting
    from service.services.delegation import manager_notice_to
    from service.services.feedback_nominations import nominations_notice
    from service.services.feedback_settings import settings_for

    subjects = uow.directory.get_many(sorted({m.group(2) for _, _, m in found}))
    routed: dict[str, list[Notice]] = {
        a: [n for n in ns if not NOMINATIONS.match(n.digest_key)] for a, ns in waiting.items()
    }
    dropped: list[Notice] = []
    deciders: dict[str, Any] = {}
    cycles: dict[str, Any] = {}
    for _, notice, match in found:
        cycle_id, subject = match.group(1), subjects.get(match.group(2))
        if subject is None or not subject.active or not subject.manager_id:
            dropped.append(notice)
            continue
        if subject.manager_id not in deciders:
            deciders[subject.manager_id] = manager_notice_to(uow, subject.manager_id, today)
        to = deciders[subject.manager_id]
        if cycle_id not in cycles:
            cycles[cycle_id] = uow.cycles.get(cycle_id)
        cycle = cycles[cycle_id]
        if to is None or cycle is None:
            dropped.append(notice)
            continue
        address = to.person.email.lower()
        if any(n.digest_key == notice.digest_key for n in routed.get(address, [])):
            dropped.append(notice)  # the one who decides has this report's notice already
            continue
        if address == notice.address.lower() and to.for_manager is None:
            routed.setdefault(address, []).append(notice)
            continue
        email = nominations_notice(cycle, subject, to, settings_for(uow, cycle), base_url)
        moved = replace(notice, address=to.person.email, subject=email.subject, text=email.text)
        routed.setdefault(address, []).append(moved)  # sent from here; its kept item goes with the sent digest
    uow.reminders.drop(dropped)
    return {a: ns for a, ns in routed.items() if ns}


def _due_sections(uow: UnitOfWork, now: datetime) -> dict[str, dict[str, list[Any]]]:
    """The parts of the daily email other features give, by their name in the template: what each person has due
    today (the live message only; a rehearsal cycle's has none)."""
    today = now.date()
    from service.services.checkins import due_check_ins
    from service.services.learning_plan import due_plan_items
    from service.services.one_to_ones import due_meetings

    return {
        "checkins": due_check_ins(uow, today, now.tzinfo),  # issue 28: goals whose check-in rhythm asks for one
        "plan_items": due_plan_items(uow, today),  # issue 27: open learning-plan items coming due
        "meetings": due_meetings(uow, now),  # issue 28: the one-to-ones either side has tomorrow
    }


def _remind_today(request: PendingRequest, today: date) -> bool:
    """Whether a waiting request is listed today (one announced in today's digest is not listed again)."""
    if today.weekday() == FEEDBACK_REMINDER_WEEKDAY:
        return True
    return request.due is not None and (date.fromisoformat(request.due) - today).days < FEEDBACK_FINAL_DAYS


def _fresh(notices: list[Notice], requests: list[PendingRequest]) -> tuple[list[Notice], list[Notice]]:
    """(still worth sending, stale): a feedback request answered, declined or closed since it was asked is stale."""
    pending = {answer_url("", r.cycle_id, r.subject_id) for r in requests}
    fresh, stale = [], []
    for n in notices:
        (stale if n.digest_key.startswith("/feedback/") and n.digest_key not in pending else fresh).append(n)
    return fresh, stale


def _subject(
    tasks: list[OverdueTask],
    requests: list[PendingRequest],
    notices: tuple[Notice, ...],
    checkins: list[DueItem],
    plan_items: list[DueItem] | None = None,
    meetings: list[MeetingDue] | None = None,
) -> str:
    """The daily email's subject: what asks most of the reader."""
    if tasks:
        return f"Overdue review tasks ({len(tasks)})"
    if requests:
        return f"Feedback requests waiting ({len(requests)})"
    if checkins:
        return f"Goal check-ins due ({len(checkins)})"
    if plan_items:
        return f"Learning plan items due ({len(plan_items)})"
    if meetings and not notices:
        return ONE_TO_ONE
    if len(notices) == 1:
        return notices[0].subject
    return f"Your review updates today ({len(notices)})"


def _escalate(
    uow: UnitOfWork,
    mailer: Mailer,
    late: list[OverdueTask],
    at: str,
    now: datetime,
    people: dict[str, Employee],
    rehearsals: set[str],
) -> tuple[int, int]:
    """(escalation emails sent, failed): one per manager over the tasks not yet escalated (and one per rehearsal
    cycle, which goes to HR)."""
    owners = {**people, **uow.directory.get_many(sorted({t.owner_id for t in late} - set(people)))}
    acting = acting_managers_on(uow, now.date()) if late else {}  # issue 28: the acting manager is told meanwhile
    late_owners = [owners[t.owner_id] for t in late if t.owner_id in owners]
    boss = {o.employee_id: acting.get(o.manager_id, o.manager_id) for o in late_owners if o.manager_id}
    managers = uow.directory.get_many(sorted(set(boss.values())))
    by_manager: dict[tuple[str, str | None], list[dict[str, Any]]] = {}
    claims: dict[tuple[str, str | None], list[Item]] = {}
    for t in late:
        owner = owners.get(t.owner_id)
        manager = managers.get(boss.get(owner.employee_id, "")) if owner else None
        if owner is None or manager is None or not manager.active:
            continue
        claim = uow.reminders.claim_escalation(t.cycle_id, t.subject_id, t.task, at, now, LEASE)
        if claim is None:
            continue
        key = (manager.employee_id, _part(t.cycle_id, rehearsals))
        claims.setdefault(key, []).append(claim)
        by_manager.setdefault(key, []).append({**t.__dict__, "label": t.label, "owner_name": owner.name})
    sent = failed = 0
    for key in sorted(by_manager, key=lambda k: (k[0], k[1] is None, k[1] or "")):
        manager, rows = managers[key[0]], by_manager[key]
        text = render("email/escalation.txt", person=manager, tasks=rows)
        subject = f"Review tasks 3+ days overdue in your team ({len(rows)})"
        outcome = _send(uow, mailer, claims[key], Email((manager.email,), subject, text, cycle_id=key[1]), at)
        sent, failed = sent + (outcome is True), failed + (outcome is False)
    return sent, failed


PHASE_STATES = {phase.value: states for phase, (states, _owner) in PHASE_TASKS.items()}


def remind_cycle_now(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    mailer: Mailer,
    clock: Clock,
    base_url: str = "",
    phase: str | None = None,
) -> RemindedNow:
    """HR's "Send reminder now": email each owner of an overdue task in one cycle (one query of its reviews).

    The once-a-day claim is the scheduled run's: someone already reminded today is not emailed twice.
    """
    require_role(principal, Role.HR)
    now = clock.now()
    today, at = now.date(), iso(now)
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(NO_CYCLE)
    if cycle.state is not CycleState.ACTIVE:
        raise Conflict("only an active cycle's people are reminded", entity="cycle")
    by_owner: dict[str, list[OverdueTask]] = {}
    acting = acting_managers_on(uow, today)  # issue 28: a manager's tasks go to their acting manager meanwhile
    reviews = uow.reviews.of_cycle(cycle_id)
    if phase in (None, Phase.CALIBRATION.value):  # the facilitators of overdue calibrations (issue 23)
        for t in calibration_tasks(uow, cycle, reviews, today):
            by_owner.setdefault(t.owner_id, []).append(t)
    for r in reviews:
        task = cycle.task_for(r.state)
        if task is None or task[2] is None or today <= task[2] or task[1] == "hr":
            continue
        name, owner_kind, due = task
        if phase and r.state not in PHASE_STATES.get(phase, ()):
            continue  # one phase's button reminds the people its overdue list shows (the counters' rule)
        owner = r.employee_id if owner_kind == "employee" else r.manager_id
        owner = acting.get(owner, owner) if owner_kind == "manager" and owner else owner  # issue 28
        if owner:
            overdue = OverdueTask(
                cycle_id, cycle.name, name, owner, r.employee_id, r.employee_name, due, (today - due).days
            )
            by_owner.setdefault(owner, []).append(overdue)
    people = uow.directory.get_many(sorted(by_owner))
    # It takes the person's email of the day, so it carries what waits for their digest (a live cycle's only).
    kept = (
        _to_whoever_decides(uow, uow.reminders.notices(), today, base_url) if by_owner and not cycle.rehearsal else {}
    )
    rehearsals = rehearsal_cycles(uow) if kept else set()
    reminded = already = failed = bouncing = 0
    for owner_id, owned in sorted(by_owner.items()):
        person = people.get(owner_id)
        if person is None or not person.active:
            continue
        rehearsal_of = cycle_id if cycle.rehearsal else None  # a rehearsal's reminder goes to HR: claimed apart
        claim = uow.reminders.claim_day(owner_id, today.isoformat(), at, now, LEASE, rehearsal_of=rehearsal_of)
        if claim is None:
            already += 1
            continue
        digest = tuple(n for n in kept.get(person.email.lower(), []) if n.cycle_id not in rehearsals)
        text = render("email/reminder.txt", person=person, tasks=owned, notices=digest, base_url=base_url)
        email = Email((person.email,), f"Overdue review tasks ({len(owned)})", text, cycle_id=cycle_id, knock=False)
        outcome = _send(uow, mailer, [claim], email, at, digest)
        reminded, bouncing, failed = (
            reminded + (outcome is True),
            bouncing + (outcome is None),
            failed + (outcome is False),
        )
    return RemindedNow(len(by_owner), reminded, already, failed, bouncing)
