"""One-to-ones (issue 28, point 1): a manager and a direct report meet on a rhythm around a shared agenda.

A pair has a rhythm (the goal check-ins' `Rhythm`: weekly, fortnightly, monthly), a first date and a wall-clock time
of day in a time zone (the zone of whoever first set it; UTC for pairs set before zones existed), so a meeting keeps its
local hour across clock changes; each meeting's instant is UTC (`starts_at`), and every reader sees it in their own
zone. The next meeting's date follows from the rhythm (`next_meeting_date`). A meeting holds the talking points either
side added (their own, or pulled from a goal, a feedback note or an open review action), the shared notes both read
and the actions agreed; marking it held carries its unfinished actions (`carried_actions`) and the talking points not
covered (`carried_points`, each marked with the meeting it was first on) to the next meeting.
Each side may also keep private notes on a meeting, which the other never reads (kept apart from the meeting).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from datetime import time as dt_time
from enum import StrEnum

from service.domain.checkins import Rhythm
from service.domain.errors import Conflict, ValidationFailed
from service.domain.time_zones import instant

TIME_FORMAT = "%H:%M"
MAX_TEXT = 2_000
MAX_NOTES = 10_000
MAX_POINTS = 50  # talking points on one meeting's agenda
MAX_ACTIONS = 50  # actions on one meeting, carried ones included
DURATIONS = (15, 30, 45, 60)
REMIND_DAYS_BEFORE = 1  # the daily email the day before a meeting lists it
MAX_DAYS_AHEAD = 366  # the first meeting is within a year (dates stay far from date.max)


class PointSource(StrEnum):
    """Where a talking point came from: typed by a side, or pulled from a goal, a feedback note or a review
    action."""

    OWN = "own"
    GOAL = "goal"
    NOTE = "note"
    ACTION = "action"


class MeetingState(StrEnum):
    """A meeting is upcoming until either side marks it held."""

    UPCOMING = "upcoming"
    HELD = "held"


@dataclass(frozen=True)
class TalkingPoint:
    """One item of the agenda: its text, who added it, and where it came from (`ref`: the goal, note or action)."""

    point_id: str
    text: str
    by: str
    source: PointSource = PointSource.OWN
    ref: str | None = None
    covered: bool = False  # talked about; one not covered when the meeting is held moves to the next meeting
    carried_from: str | None = None  # the date of the meeting it was first on, when carried


@dataclass(frozen=True)
class MeetingAction:
    """An action agreed in a one-to-one: what, whose, since which meeting, and whether it is done."""

    action_id: str
    text: str
    owner_id: str
    since: str  # the date of the meeting that agreed it
    done: bool = False


@dataclass(frozen=True)
class Pair:
    """A manager and a direct report who meet: the rhythm, the first meeting's date, the time (in `zone`) and length,
    and how many meetings they held (the only thing HR reads)."""

    manager_id: str
    report_id: str
    rhythm: Rhythm
    first_date: date
    time: str  # HH:MM on the wall clock of `zone`
    minutes: int = 30
    held: int = 0
    last_held: str | None = None
    zone: str = "UTC"  # the IANA zone the rhythm keeps its time in
    version: int = 0

    @property
    def pair_id(self) -> str:
        """The pair's id in paths: manager and report."""
        return f"{self.manager_id}.{self.report_id}"


@dataclass(frozen=True)
class Meeting:
    """One meeting of a pair, by its date: the agenda, shared notes, actions and whether it was held; `evidence`:
    the review cycles it was pulled into."""

    manager_id: str
    report_id: str
    date: str  # ISO date: the meeting's id within its pair
    state: MeetingState = MeetingState.UPCOMING
    points: tuple[TalkingPoint, ...] = ()
    shared_notes: str = ""
    actions: tuple[MeetingAction, ...] = ()
    evidence: tuple[str, ...] = field(default_factory=tuple)
    version: int = 0

    @property
    def open_actions(self) -> list[MeetingAction]:
        """Its actions not done yet."""
        return [a for a in self.actions if not a.done]


def parse_time(value: str) -> str:
    """A time of day as HH:MM, or a field error."""
    parts = value.strip().split(":")
    if len(parts) == 2 and all(p.isascii() and p.isdigit() and len(p) == 2 for p in parts):
        hour, minute = int(parts[0]), int(parts[1])
        if hour < 24 and minute < 60:
            return f"{hour:02d}:{minute:02d}"
    raise ValidationFailed("The rhythm is not complete.", {"time": ["give a time of day as HH:MM"]})


def starts_at(pair: Pair, day: date | str) -> datetime:
    """The UTC instant a meeting of the pair on `day` (a date of its rhythm, in its zone) starts."""
    hour, minute = (int(x) for x in pair.time.split(":"))
    on = date.fromisoformat(day) if isinstance(day, str) else day
    return instant(on, dt_time(hour, minute), pair.zone)


def check_rhythm(rhythm: str, minutes: int) -> None:
    """A rhythm and length the pair may choose, or field errors."""
    errors: dict[str, list[str]] = {}
    if rhythm not in {r.value for r in Rhythm}:
        errors["rhythm"] = [f"choose one of {', '.join(r.value for r in Rhythm)}"]
    if minutes not in DURATIONS:
        errors["minutes"] = [f"choose one of {', '.join(str(d) for d in DURATIONS)} minutes"]
    if errors:
        raise ValidationFailed("The rhythm is not complete.", errors)


def _add_months(day: date, months: int, anchor_day: int) -> date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(anchor_day, calendar.monthrange(year, month)[1]))


def occurrence(rhythm: Rhythm, first: date, n: int) -> date:
    """The n-th meeting date of a rhythm from its first date (monthly: the same day of each month, or its last)."""
    if rhythm is Rhythm.MONTHLY:
        return _add_months(first, n, first.day)
    return first + timedelta(days=n * (7 if rhythm is Rhythm.WEEKLY else 14))


def next_meeting_date(pair: Pair, today: date, last_held: date | None = None) -> date:
    """The first date of the pair's rhythm on or after today and after the last meeting held."""
    after = max(today, last_held + timedelta(days=1)) if last_held else today
    n = 0
    if after > pair.first_date:  # jump close, then step: a rhythm of years has few steps either way
        span = (after - pair.first_date).days
        n = max(0, span // (31 if pair.rhythm is Rhythm.MONTHLY else 7 if pair.rhythm is Rhythm.WEEKLY else 14) - 1)
    while (found := occurrence(pair.rhythm, pair.first_date, n)) < after:
        n += 1
    return found


def add_point(meeting: Meeting, point: TalkingPoint) -> Meeting:
    """The meeting with one more talking point; refuses a held meeting, an empty or repeated point, or too many."""
    _require_upcoming(meeting)
    if not point.text.strip():
        raise ValidationFailed("The talking point is empty.", {"text": ["say what to talk about"]})
    if point.ref and any(p.source is point.source and p.ref == point.ref for p in meeting.points):
        raise Conflict("that is already on the agenda", entity="one_to_one")
    if len(meeting.points) >= MAX_POINTS:
        raise Conflict(f"the agenda holds at most {MAX_POINTS} points", entity="one_to_one")
    return replace(meeting, points=(*meeting.points, point))


def add_action(meeting: Meeting, action: MeetingAction, pair_people: set[str]) -> Meeting:
    """The meeting with one more action, owned by one of the pair."""
    _require_upcoming(meeting)
    errors: dict[str, list[str]] = {}
    if not action.text.strip():
        errors["text"] = ["say what is to be done"]
    if action.owner_id not in pair_people:
        errors["owner_id"] = ["an action belongs to one of the two of you"]
    if errors:
        raise ValidationFailed("The action was not added.", errors)
    if len(meeting.actions) >= MAX_ACTIONS:
        raise Conflict(f"a meeting holds at most {MAX_ACTIONS} actions", entity="one_to_one")
    return replace(meeting, actions=(*meeting.actions, action))


class MeetingList(StrEnum):
    """The lists of a meeting whose items either side ticks: its actions (done) and its talking points (covered)."""

    ACTIONS = "actions"
    POINTS = "points"


# What a tick changes on each list of a meeting: the item's id attribute, its flag, and the error's field and words.
_TICKS = {
    MeetingList.ACTIONS: ("action_id", "done", "action", "an action"),
    MeetingList.POINTS: ("point_id", "covered", "talking point", "a talking point"),
}


def ticked(meeting: Meeting, kind: MeetingList, item_id: str, value: bool) -> Meeting:
    """The upcoming meeting with one item of a list ticked or unticked: an action done (or open again), a talking
    point covered (or not yet); a field error for no such item."""
    _require_upcoming(meeting)
    key, flag, noun, one = _TICKS[kind]
    items = getattr(meeting, kind.value)
    if not any(getattr(i, key) == item_id for i in items):
        raise ValidationFailed(f"No such {noun}.", {key: [f"not {one} of this meeting"]})
    ticked = tuple(replace(i, **{flag: value}) if getattr(i, key) == item_id else i for i in items)
    return replace(meeting, **{kind.value: ticked})


def hold(meeting: Meeting) -> Meeting:
    """The meeting marked held (its notes and actions stay editable no more)."""
    _require_upcoming(meeting)
    return replace(meeting, state=MeetingState.HELD)


def carried_actions(held: Meeting, nxt: Meeting) -> Meeting:
    """The next meeting with the held one's unfinished actions carried in (each once, by its id)."""
    have = {a.action_id for a in nxt.actions}
    return replace(nxt, actions=(*[a for a in held.open_actions if a.action_id not in have], *nxt.actions))


def carried_points(held: Meeting, nxt: Meeting) -> Meeting:
    """The next meeting with the held one's talking points not covered carried in first (each once, by its id, and
    marked with the meeting it was first on); a goal, note or action already on the next agenda is not repeated."""
    have = {p.point_id for p in nxt.points} | {(p.source, p.ref) for p in nxt.points if p.ref}
    carried = [
        replace(p, carried_from=p.carried_from or held.date)
        for p in held.points
        if not p.covered and p.point_id not in have and not (p.ref and (p.source, p.ref) in have)
    ]
    return replace(nxt, points=(*carried, *nxt.points))


def _require_upcoming(meeting: Meeting) -> None:
    if meeting.state is MeetingState.HELD:
        raise Conflict(f"the meeting of {meeting.date} was held: add to the next one", entity="one_to_one")
