"""Use cases of one-to-ones (issue 28, point 1): a manager and a direct report keep a running agenda, shared notes,
private notes each and actions carried until done, on a rhythm with reminders and calendar invitations; held
meetings can be pulled into the report's review as evidence.

Who may read what: the pair reads the pair's meetings; private notes only their author (read by the author's own
key, never listed); HR reads how many meetings each pair held, never a note. `pair_of` is the one place that says
who the pair is (the report's manager in the directory), so acting managers can be added there.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from functools import partial
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.documents import organisation_time_zone
from service.adapters.mailer import Attachment, Email, Mailer, SendFailed
from service.adapters.unit_of_work import UnitOfWork
from service.domain import ics
from service.domain import one_to_ones as o2o
from service.domain.checkins import Rhythm
from service.domain.directory import Employee, Role
from service.domain.errors import Conflict, NotFound, StaleWrite, ValidationFailed
from service.domain.one_to_ones import (
    Meeting,
    MeetingAction,
    MeetingList,
    MeetingState,
    Pair,
    PointSource,
    TalkingPoint,
)
from service.domain.reviews import OPEN_STATUSES, ReviewState
from service.domain.time_zones import instant, local, zone_error
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.feedback_settings import require_open

log = logging.getLogger(__name__)
NO_PAIR = "There is no such one-to-one for you to see."


@dataclass(frozen=True)
class PairPeople:
    """The two people of a one-to-one."""

    manager: Employee
    report: Employee

    def other(self, employee_id: str) -> Employee:
        """The other side of the pair."""
        return self.report if employee_id == self.manager.employee_id else self.manager


@dataclass(frozen=True)
class Suggestion:
    """Something the pair could put on the agenda: an unfinished goal of the report, a feedback note they received,
    or an open review action about them."""

    source: PointSource
    ref: str
    text: str


@dataclass(frozen=True)
class OneToOneView:
    """A one-to-one for one of its pair: the rhythm, the current meeting (its agenda, shared notes, actions), the
    reader's own private notes on it, the history of held meetings (newest first) and what could go on the agenda."""

    manager_id: str
    manager_name: str
    report_id: str
    report_name: str
    reader_is_manager: bool
    pair: Pair | None
    meeting: Meeting
    private_notes: str
    private_version: int
    history: list[Meeting]
    suggestions: list[Suggestion]
    history_private_notes: dict[str, str]  # meeting date → the reader's own private notes on it
    zone: str  # the reader's time zone, in which the page shows times
    starts_at: datetime | None  # the current meeting's start (UTC), once the pair has a rhythm
    local_start: datetime | None  # the same instant on the reader's wall clock
    frozen: dict[str, list[str]] = field(default_factory=dict)  # held meeting's date → the finalised reviews it is in
    history_private_versions: dict[str, int] = field(default_factory=dict)  # date → version of my notes on it

    @property
    def form_time(self) -> str:
        """The rhythm's time as the reader enters it: HH:MM in their zone (10:00 before there is one)."""
        return self.local_start.strftime("%H:%M") if self.local_start else "10:00"

    @property
    def form_first_date(self) -> str:
        """The rhythm's first date as the reader enters it: the first meeting's day on their wall clock."""
        if self.pair is None:
            return self.meeting.date
        return local(o2o.starts_at(self.pair, self.pair.first_date), self.zone).date().isoformat()


@dataclass(frozen=True)
class PairSummary:
    """One line of the one-to-ones list: with whom, the rhythm and the next meeting."""

    manager_id: str
    report_id: str
    with_name: str
    rhythm: str | None
    next_date: date | None
    held: int


@dataclass(frozen=True)
class PairCount:
    """What HR sees of a pair: that meetings happen (counts and dates), never what was said."""

    manager_id: str
    manager_name: str
    report_id: str
    report_name: str
    rhythm: str
    held: int
    last_held: str | None
    next_date: date


@dataclass(frozen=True)
class MeetingDue:
    """A meeting the daily email announces to one of its pair: its date and time on their wall clock, in `zone`."""

    report_id: str
    with_name: str
    date: date
    time: str
    zone: str = "UTC"


@dataclass(frozen=True)
class MyTimeZone:
    """A person's time zone: their own choice (None: none), and the zone their times are shown in."""

    own: str | None
    effective: str
    version: int


def person_zone(person: Employee | Principal | None) -> str:
    """The zone a person reads times in: their own (setting or directory column), else the organisation's."""
    return (person.time_zone if person else None) or organisation_time_zone()


def reader_today(principal: Principal, now: datetime) -> date:
    """Today on the reader's own wall clock (their zone, as the request read it with them, else the organisation's):
    which meeting is current, next or past is read from it, as the invitations and reminders read their dates."""
    return local(now, person_zone(principal)).date()


def finalised_reviews(uow: UnitOfWork, meeting: Meeting) -> list[str]:
    """The names of the cycles whose review of the report, finalised (or in a closed cycle), holds this meeting as
    evidence: what was pulled in (shared notes, talking points, actions) stays as that record shows it."""
    from service.domain.cycles import CycleState

    found = []
    for cycle_id in meeting.evidence:
        review, cycle = uow.reviews.get(cycle_id, meeting.report_id), uow.cycles.get(cycle_id)
        if (review and review.state is ReviewState.FINALISED) or (cycle and cycle.state is CycleState.CLOSED):
            found.append(cycle.name if cycle else cycle_id)
    return found


def _require_not_frozen(uow: UnitOfWork, meeting: Meeting) -> None:
    """Refuse a change to a meeting pulled into a finalised review (409): the review's record and the meeting
    would disagree. Private notes were never pulled in and stay editable."""
    if names := finalised_reviews(uow, meeting):
        raise Conflict(
            f"the meeting of {meeting.date} is part of the finalised review ({', '.join(names)}): its shared notes, "
            "talking points and actions can no longer change; your private notes still can",
            entity="one_to_one",
        )


def my_time_zone(uow: UnitOfWork, principal: Principal) -> MyTimeZone:
    """The signed-in person's time zone."""
    me = uow.directory.get(principal.employee_id)
    if me is None:
        raise NotFound("You are not in the directory.")
    return MyTimeZone(me.time_zone, person_zone(me), me.version)


def set_my_time_zone(
    uow: UnitOfWork, principal: Principal, name: str | None, expected_version: int, clock: Clock
) -> MyTimeZone:
    """The signed-in person chooses their time zone (an IANA name; empty: the organisation's); kept in their
    directory record, where an import's empty `time_zone` cell leaves it."""
    me = uow.directory.get(principal.employee_id)
    if me is None:
        raise NotFound("You are not in the directory.")
    name = (name or "").strip() or None
    if name and (problem := zone_error(name)):
        raise ValidationFailed("The time zone was not saved.", {"time_zone": [problem]})
    _check_version(me.version, expected_version, "time zone")
    with uow:
        uow.directory.save(replace(me, time_zone=name), new=False)
        uow.commit()
    return MyTimeZone(name, name or organisation_time_zone(), me.version + 1)


@dataclass(frozen=True)
class MeetingEvidence:
    """A held one-to-one pulled into a review: its date, shared notes and actions (never private notes)."""

    date: str
    shared_notes: str
    actions: list[MeetingAction]


def pair_of(uow: UnitOfWork, principal: Principal, report_id: str) -> PairPeople:
    """The pair of a report's one-to-ones, for one of its two people (anyone else: NotFound, as for a missing
    pair). The report's manager in the directory is the other side."""
    report = uow.directory.get(report_id)
    if report is None or not report.active or not report.manager_id:
        raise NotFound(NO_PAIR)
    if principal.employee_id not in (report.employee_id, report.manager_id):
        raise NotFound(NO_PAIR)
    manager = uow.directory.get(report.manager_id)
    if manager is None or not manager.active:
        raise NotFound(NO_PAIR)
    return PairPeople(manager, report)


def _current(uow: UnitOfWork, people: PairPeople, pair: Pair | None, today: date) -> tuple[Meeting, list[Meeting]]:
    """(the current meeting: the first not held, else a new one on the next date; the held ones, newest first)."""
    m, r = people.manager.employee_id, people.report.employee_id
    meetings = uow.one_to_ones.meetings(m, r)
    held = [x for x in meetings if x.state is MeetingState.HELD]
    upcoming = [x for x in meetings if x.state is MeetingState.UPCOMING]
    if upcoming:
        return upcoming[0], held[::-1]
    last = date.fromisoformat(held[-1].date) if held else None
    day = o2o.next_meeting_date(pair, today, last) if pair else max(today, last or today)
    if last and day <= last:
        day = date.fromordinal(last.toordinal() + 1)
    return Meeting(m, r, day.isoformat()), held[::-1]


def suggestions(uow: UnitOfWork, people: PairPeople, meeting: Meeting) -> list[Suggestion]:
    """What could go on the agenda and is not on it: the report's unfinished goals, the feedback notes they received
    and the open review actions about them."""
    from service.domain.goals import UNFINISHED

    r = people.report.employee_id
    found = [
        Suggestion(PointSource.GOAL, g.goal_id, f"Goal: {g.title}")
        for g in uow.goals.every_of_owner(r)
        if g.status in UNFINISHED and not g.archived
    ]
    found += [
        Suggestion(PointSource.NOTE, n["note_id"], f"Feedback: {n['text'][:200]}") for n in uow.notes.received_by(r)
    ]
    found += [
        Suggestion(PointSource.ACTION, a.action_id, f"Action: {a.description[:200]}")
        for a in uow.actions.about(r)
        if a.status in OPEN_STATUSES
    ]
    have = {(p.source, p.ref) for p in meeting.points}
    return [s for s in found if (s.source, s.ref) not in have]


def one_to_one(uow: UnitOfWork, principal: Principal, report_id: str, today: date) -> OneToOneView:
    """A report's one-to-ones as one of the pair reads them (their own private notes only)."""
    people = pair_of(uow, principal, report_id)
    m, r = people.manager.employee_id, people.report.employee_id
    pair = uow.one_to_ones.pair(m, r)
    meeting, history = _current(uow, people, pair, today)
    private = uow.one_to_ones.private_note(m, r, meeting.date, principal.employee_id) or {"text": "", "version": 0}
    mine = uow.one_to_ones.private_note_items(m, r, [h.date for h in history], principal.employee_id)
    reader = people.manager if principal.employee_id == m else people.report
    zone, at = person_zone(reader), o2o.starts_at(pair, meeting.date) if pair else None
    return OneToOneView(
        manager_id=m,
        manager_name=people.manager.name,
        report_id=r,
        report_name=people.report.name,
        reader_is_manager=principal.employee_id == m,
        pair=pair,
        meeting=meeting,
        private_notes=private["text"],
        private_version=private["version"],
        history=history,
        suggestions=suggestions(uow, people, meeting),
        history_private_notes={d: i["text"] for d, i in mine.items() if i["text"]},
        history_private_versions={d: i["version"] for d, i in mine.items()},
        zone=zone,
        starts_at=at,
        local_start=local(at, zone) if at else None,
        frozen={h.date: names for h in history if h.evidence and (names := finalised_reviews(uow, h))},
    )


def my_one_to_ones(uow: UnitOfWork, principal: Principal, today: date) -> list[PairSummary]:
    """The reader's one-to-ones: with their manager, and with each direct report."""
    me = uow.directory.get(principal.employee_id)
    pairs: list[tuple[Employee, Employee, Employee]] = []  # (manager, report, the other)
    if me and me.manager_id:
        manager = uow.directory.get(me.manager_id)
        if manager and manager.active:
            pairs.append((manager, me, manager))
    pairs += [(me, r, r) for r in uow.directory.reports(principal.employee_id) if r.active] if me else []
    found = []
    for manager, report, other in pairs:
        pair = uow.one_to_ones.pair(manager.employee_id, report.employee_id)
        last = date.fromisoformat(pair.last_held) if pair and pair.last_held else None
        found.append(
            PairSummary(
                manager.employee_id,
                report.employee_id,
                other.name,
                pair.rhythm.value if pair else None,
                o2o.next_meeting_date(pair, today, last) if pair else None,
                pair.held if pair else 0,
            )
        )
    return found


def _check_version(found: int, expected: int, what: str) -> None:
    if found != expected:
        raise StaleWrite(f"the {what} was changed by someone else meanwhile; reload it and try again")


def set_rhythm(
    uow: UnitOfWork,
    principal: Principal,
    report_id: str,
    data: dict[str, Any],
    expected_version: int,
    clock: Clock,
    mailer: Mailer | None = None,
    base_url: str = "",
) -> Pair:
    """Either side sets how often they meet, from which date, at what time and for how long; both are sent an
    invitation to the next meeting (an ICS file attached). The date and time are entered on the wall clock of
    `time_zone` (by default the setter's own zone); the pair keeps them in the zone it was first set in (so its
    meetings keep their local hour, and their dates, across clock changes and whoever edits it)."""
    people = pair_of(uow, principal, report_id)
    m, r = people.manager.employee_id, people.report.employee_id
    minutes = data.get("minutes") or 30
    o2o.check_rhythm(data["rhythm"], minutes)
    entered = o2o.parse_time(data["time"])
    setter = people.manager if principal.employee_id == m else people.report
    typed_in = data.get("time_zone") or person_zone(setter)
    if problem := zone_error(typed_in):
        raise ValidationFailed("The rhythm is not complete.", {"time_zone": [problem]})
    before = uow.one_to_ones.pair(m, r)
    _check_version(before.version if before else 0, expected_version, "rhythm")
    zone = before.zone if before else typed_in
    hour, minute = (int(x) for x in entered.split(":"))
    start = local(instant(data["first_date"], dt_time(hour, minute), typed_in), zone)
    first, time = start.date(), start.strftime("%H:%M")
    today = local(clock.now(), zone).date()
    if before is None and first < today:
        raise ValidationFailed("The rhythm is not complete.", {"first_date": ["the first meeting is not in the past"]})
    if first > today + timedelta(days=o2o.MAX_DAYS_AHEAD):
        raise ValidationFailed("The rhythm is not complete.", {"first_date": ["the first meeting is within a year"]})
    pair = Pair(m, r, Rhythm(data["rhythm"]), first, time, minutes, zone=zone)
    if before is not None:
        pair = replace(pair, held=before.held, last_held=before.last_held)
    at, actor = iso(clock.now()), principal.employee_id
    upcoming = [x for x in uow.one_to_ones.meetings(m, r) if x.state is MeetingState.UPCOMING]
    last = date.fromisoformat(pair.last_held) if pair.last_held else None
    day = o2o.next_meeting_date(pair, today, last).isoformat()
    was = o2o.next_meeting_date(before, today, last).isoformat() if before is not None and not upcoming else None
    with uow:
        saved = uow.one_to_ones.save_pair(pair, new=before is None, actor=actor, action="set_rhythm", at=at)
        if upcoming and upcoming[0].date != day and uow.one_to_ones.meeting(m, r, day) is None:
            uow.one_to_ones.move_meeting(upcoming[0], day, actor=actor, at=at)  # the agenda follows the rhythm
        elif was is not None and was != day:  # nothing shared written yet: the private notes follow alone
            uow.one_to_ones.move_private_notes(m, r, was, day, at=at)
        uow.commit()
    if mailer is not None:
        meeting, _ = _current(uow, people, saved, today)
        send_invitation(mailer, people, saved, meeting, clock, base_url)
    return saved


def _meeting_for_write(
    uow: UnitOfWork, principal: Principal, report_id: str, day: str | None, now: datetime, *, frozen_ok: bool = False
) -> tuple[PairPeople, Meeting]:
    """The meeting a write is about (its date; None: the writer's current meeting), as stored or new (version 0);
    one pulled into a finalised review is refused (409) unless the write leaves what was pulled in (`frozen_ok`)."""
    people = pair_of(uow, principal, report_id)
    m, r = people.manager.employee_id, people.report.employee_id
    today = reader_today(principal, now)
    if day is None:
        meeting, _ = _current(uow, people, uow.one_to_ones.pair(m, r), today)
        if not frozen_ok:
            _require_not_frozen(uow, meeting)
        return people, meeting
    found = uow.one_to_ones.meeting(m, r, day)
    if found is None:  # the current meeting before its first write: not stored yet
        found, _ = _current(uow, people, uow.one_to_ones.pair(m, r), today)
        if found.date != day:
            raise NotFound("There is no such meeting of this one-to-one.")
    if not frozen_ok:
        _require_not_frozen(uow, found)
    return people, found


def _save(uow: UnitOfWork, principal: Principal, meeting: Meeting, action: str, clock: Clock) -> Meeting:
    with uow:
        saved = uow.one_to_ones.save_meeting(
            meeting, new=meeting.version == 0, actor=principal.employee_id, action=action, at=iso(clock.now())
        )
        uow.commit()
    return saved


def _edit(
    uow: UnitOfWork,
    principal: Principal,
    report_id: str,
    day: str | None,
    expected_version: int,
    clock: Clock,
    change: Callable[[Meeting], Meeting],
    action: str,
) -> Meeting:
    """A versioned edit of a meeting (its date; None: the current one): a stale one is refused, else saved."""
    _, meeting = _meeting_for_write(uow, principal, report_id, day, clock.now())
    _check_version(meeting.version, expected_version, "meeting")
    return _save(uow, principal, change(meeting), action, clock)


def add_point(uow: UnitOfWork, principal: Principal, report_id: str, data: dict[str, Any], clock: Clock) -> Meeting:
    """Either side adds a talking point to the current meeting's agenda: their own words, or a goal, feedback note
    or open review action of the report's (`source` and `ref`; its text is taken from there)."""
    people, meeting = _meeting_for_write(uow, principal, report_id, None, clock.now())
    source = PointSource(data.get("source") or PointSource.OWN)
    text = (data.get("text") or "").strip()
    ref = data.get("ref") or None
    if source is not PointSource.OWN:
        found = {(s.source, s.ref): s for s in suggestions(uow, people, meeting)}
        pick = found.get((source, ref or ""))
        if pick is None:
            raise ValidationFailed(
                "The talking point was not added.", {"ref": [f"no such {source.value} to talk about"]}
            )
        text = pick.text
    else:
        ref = None
    point = TalkingPoint(uuid.uuid4().hex[:12], text, principal.employee_id, source, ref)
    return _save(uow, principal, o2o.add_point(meeting, point), "add_talking_point", clock)


def save_shared_notes(
    uow: UnitOfWork, principal: Principal, report_id: str, day: str, text: str, expected_version: int, clock: Clock
) -> Meeting:
    """Either side edits the meeting's shared notes (both read them); a stale edit is refused."""
    notes = text.strip()
    return _edit(
        uow,
        principal,
        report_id,
        day,
        expected_version,
        clock,
        lambda m: replace(m, shared_notes=notes),
        "save_shared_notes",
    )


def save_private_notes(
    uow: UnitOfWork, principal: Principal, report_id: str, day: str, text: str, expected_version: int, clock: Clock
) -> int:
    """One side keeps private notes on a meeting (the other never reads them); returns their new version."""
    people, _ = _meeting_for_write(uow, principal, report_id, day, clock.now(), frozen_ok=True)
    m, r = people.manager.employee_id, people.report.employee_id
    found = uow.one_to_ones.private_note(m, r, day, principal.employee_id)
    _check_version(found["version"] if found else 0, expected_version, "private note")
    with uow:
        version = uow.one_to_ones.save_private_note(
            m, r, day, principal.employee_id, text.strip(), new=found is None, at=iso(clock.now())
        )
        uow.commit()
    return version


def add_action(uow: UnitOfWork, principal: Principal, report_id: str, data: dict[str, Any], clock: Clock) -> Meeting:
    """Either side adds an action to the current meeting, owned by one of the two; carried until done."""
    people, meeting = _meeting_for_write(uow, principal, report_id, None, clock.now())
    owner = data.get("owner_id") or principal.employee_id
    action = MeetingAction(uuid.uuid4().hex[:12], (data.get("text") or "").strip(), owner, meeting.date)
    pair_people = {people.manager.employee_id, people.report.employee_id}
    return _save(uow, principal, o2o.add_action(meeting, action, pair_people), "add_meeting_action", clock)


# The audit action of a tick on each list of a meeting (domain one_to_ones.ticked).
TICK_ACTIONS = {MeetingList.ACTIONS: "update_meeting_action", MeetingList.POINTS: "update_talking_point"}


def tick(
    uow: UnitOfWork,
    principal: Principal,
    report_id: str,
    kind: MeetingList,
    item_id: str,
    value: bool,
    expected_version: int,
    clock: Clock,
) -> Meeting:
    """Either side ticks an item of the current meeting: an action done (or open again), a talking point covered (or
    not yet; one not covered when the meeting is held moves to the next one)."""
    change = partial(o2o.ticked, kind=kind, item_id=item_id, value=value)
    return _edit(uow, principal, report_id, None, expected_version, clock, change, TICK_ACTIONS[kind])


def hold_meeting(
    uow: UnitOfWork,
    principal: Principal,
    report_id: str,
    day: str,
    expected_version: int,
    clock: Clock,
    mailer: Mailer | None = None,
    base_url: str = "",
) -> Meeting:
    """Either side marks the meeting held: the pair's count goes up, and its unfinished actions and the talking
    points not covered are carried into the next meeting, in one transaction; both are invited to that next
    meeting."""
    people, meeting = _meeting_for_write(uow, principal, report_id, day, clock.now())
    _check_version(meeting.version, expected_version, "meeting")
    m, r = people.manager.employee_id, people.report.employee_id
    pair = uow.one_to_ones.pair(m, r)
    if pair is None:
        raise Conflict("set how often you meet first", entity="one_to_one")
    held = o2o.hold(meeting)
    today = reader_today(principal, clock.now())
    after = max(date.fromisoformat(day), date.fromordinal(today.toordinal() - 1))
    nxt_day = o2o.next_meeting_date(pair, today, after)
    nxt = uow.one_to_ones.meeting(m, r, nxt_day.isoformat()) or Meeting(m, r, nxt_day.isoformat())
    nxt = o2o.carried_points(held, o2o.carried_actions(held, nxt))
    at, actor = iso(clock.now()), principal.employee_id
    with uow:
        saved = uow.one_to_ones.save_meeting(held, new=False, actor=actor, action="hold_meeting", at=at)
        uow.one_to_ones.save_meeting(nxt, new=nxt.version == 0, actor=actor, action="carry_actions", at=at)
        counted = replace(pair, held=pair.held + 1, last_held=max(day, pair.last_held or day))
        pair = uow.one_to_ones.save_pair(counted, new=False, actor=actor, action="count_meeting", at=at)
        uow.commit()
    if mailer is not None:
        send_invitation(mailer, people, pair, nxt, clock, base_url)
    return saved


def pull_into_review(
    uow: UnitOfWork, principal: Principal, report_id: str, day: str, cycle_id: str, clock: Clock
) -> Meeting:
    """Either side pulls a held meeting (its shared notes and actions) into the report's review of an active cycle,
    as evidence, the way feedback notes are pulled."""
    people, meeting = _meeting_for_write(uow, principal, report_id, day, clock.now(), frozen_ok=True)
    if meeting.state is not MeetingState.HELD:
        raise Conflict("only a meeting that was held is evidence", entity="one_to_one")
    cycle = get_cycle(uow, cycle_id)
    require_open(cycle)
    review = uow.reviews.get(cycle_id, people.report.employee_id)
    if review is None:
        raise NotFound(f"{people.report.name} has no review in this cycle")
    if cycle_id in meeting.evidence:
        return meeting
    if review.state is ReviewState.FINALISED:
        raise Conflict(
            f"{people.report.name}'s review in {cycle.name} is finalised: it takes no more evidence",
            entity="one_to_one",
        )
    return _save(uow, principal, replace(meeting, evidence=(*meeting.evidence, cycle_id)), "pull_meeting", clock)


def review_evidence(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> list[MeetingEvidence]:
    """The one-to-ones pulled into a person's review of a cycle, for the pair only (shared notes and actions, oldest
    first); anyone else gets none."""
    try:
        people = pair_of(uow, principal, employee_id)
    except NotFound:
        return []
    meetings = uow.one_to_ones.meetings(people.manager.employee_id, employee_id)
    return [MeetingEvidence(x.date, x.shared_notes, list(x.actions)) for x in meetings if cycle_id in x.evidence]


def review_cycles(uow: UnitOfWork, report_id: str) -> list[tuple[str, str]]:
    """(cycle id, name) of the active cycles where the report has a review not finalised: where a meeting can be
    pulled."""
    from service.domain.cycles import CycleState

    history, _ = uow.reviews.history(report_id)
    open_ = [x for x in history if x.state is not ReviewState.FINALISED]
    cycles = [uow.cycles.get(x.cycle_id) for x in open_]
    return [(c.cycle_id, c.name) for c in cycles if c and c.state is CycleState.ACTIVE]


def hr_counts(uow: UnitOfWork, principal: Principal, today: date) -> list[PairCount]:
    """HR: every pair with its rhythm, meetings held, the last and the next date; never a note."""
    policy.require_role(principal, Role.HR)
    pairs = uow.one_to_ones.pairs()
    names = uow.directory.names([p.manager_id for p in pairs] + [p.report_id for p in pairs])
    return [
        PairCount(
            p.manager_id,
            names.get(p.manager_id, p.manager_id),
            p.report_id,
            names.get(p.report_id, p.report_id),
            p.rhythm.value,
            p.held,
            p.last_held,
            o2o.next_meeting_date(p, today, date.fromisoformat(p.last_held) if p.last_held else None),
        )
        for p in sorted(pairs, key=lambda p: (names.get(p.manager_id, ""), names.get(p.report_id, "")))
    ]


def due_meetings(uow: UnitOfWork, now: datetime) -> dict[str, list[MeetingDue]]:
    """Person → the one-to-ones they have tomorrow on their own wall clock (the daily email announces each once: the
    run is daily, so each person's day before comes once), with the time in their zone."""
    found: dict[str, list[MeetingDue]] = {}
    pairs = uow.one_to_ones.pairs()
    people = uow.directory.get_many(sorted({p.manager_id for p in pairs} | {p.report_id for p in pairs}))
    for p in pairs:
        manager, report = people.get(p.manager_id), people.get(p.report_id)
        if not (manager and report and manager.active and report.active and report.manager_id == p.manager_id):
            continue  # a pair whose report moved on meets no more
        last = date.fromisoformat(p.last_held) if p.last_held else None
        at = o2o.starts_at(p, o2o.next_meeting_date(p, local(now, p.zone).date(), last))
        for person, other in ((manager, report), (report, manager)):
            zone = person_zone(person)
            mine = local(at, zone)
            if (mine.date() - local(now, zone).date()).days != o2o.REMIND_DAYS_BEFORE:
                continue
            due = MeetingDue(p.report_id, other.name, mine.date(), mine.strftime("%H:%M"), zone)
            found.setdefault(person.employee_id, []).append(due)
    return found


def invitation_event(people: PairPeople, pair: Pair, meeting: Meeting, stamp: datetime, base_url: str) -> ics.Event:
    """The calendar event of a meeting: its UID stays the same for that meeting (pair and date)."""
    start = o2o.starts_at(pair, meeting.date)
    m, r = people.manager, people.report
    url = f"{base_url}/one-to-ones/{r.employee_id}"
    return ics.Event(
        uid=f"one-to-one-{m.employee_id}-{r.employee_id}-{meeting.date}@review-cycles",
        start=start,
        minutes=pair.minutes,
        summary=f"One-to-one: {m.name} and {r.name}",
        description=f"Your {pair.rhythm.value} one-to-one. The agenda, shared notes and actions: {url}",
        organizer=ics.Attendee(m.name, m.email),
        attendees=(ics.Attendee(m.name, m.email), ics.Attendee(r.name, r.email)),
        stamp=stamp,
        url=url,
        sequence=pair.version,  # a new rhythm re-sends the same meeting: calendars take the higher sequence
    )


def _when(at: datetime, people: list[Employee]) -> str:
    """A meeting's start on each reader's wall clock, each zone named once ("… (Europe/Berlin), … for Ana (UTC)")."""
    zones = list(dict.fromkeys(person_zone(p) for p in people))
    said = [f"{local(at, z):%Y-%m-%d at %H:%M} ({z})" for z in zones]
    if len(zones) == 1:
        return said[0]
    return ", ".join(
        f"{s} for {', '.join(p.name for p in people if person_zone(p) == z)}" for s, z in zip(said, zones, strict=True)
    )


def send_invitation(
    mailer: Mailer, people: PairPeople, pair: Pair, meeting: Meeting, clock: Clock, base_url: str
) -> bool:
    """Email both of the pair the invitation to a meeting with its ICS file; a failed send is logged (the page still
    shows the date), never undoes the write. True when it was handed over."""
    event = invitation_event(people, pair, meeting, clock.now(), base_url)
    when = _when(event.start, [people.manager, people.report])
    text = (
        f"Your one-to-one, {people.manager.name} and {people.report.name}: {when}, {pair.minutes} minutes.\n\n"
        f"Add talking points to the agenda before you meet: {event.url}\n\n"
        "The invitation is attached (invite.ics)."
    )
    email = Email(
        (people.manager.email, people.report.email),
        f"One-to-one on {meeting.date}",
        text,
        attachments=(Attachment("invite.ics", "text/calendar; method=REQUEST", ics.calendar(event).encode()),),
    )
    try:
        mailer.send(email)
    except SendFailed as exc:
        log.warning("the one-to-one invitation was not sent: %s", exc)
        return False
    return True
