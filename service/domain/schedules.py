"""Scheduled reviews (issue 28, point 4): rules that create reviews by themselves.

A rule says when a person is due a review: N days after their start date (probation), on each work anniversary,
or on a repeating calendar (every N months from a first date); or it adds a person who joins while a cycle runs to
that cycle. Each occurrence of a due rule is one cycle of its own, named by the rule and the date, whose phases
fall at fixed offsets (days) from that date. Everything here is pure: which dates fall in a window, for whom.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

from service.domain.cycles import OPTIONAL_PHASES, Phase
from service.domain.directory import Employee
from service.domain.errors import FieldErrors
from service.domain.workflow import STAYS, Labelled, Workflow, steps


class RuleKind(Labelled):
    """When a rule makes a review (the label: how HR reads the choice)."""

    PROBATION = "probation", "End of probation: a number of days after each person's start date"
    ANNIVERSARY = "anniversary", "Work anniversary: on each anniversary of the start date"
    CALENDAR = "calendar", "Calendar: everyone covered, every few months from a first date"
    JOINERS = "joiners", "Joiners: add each person who starts while a cycle runs to that cycle"


class RuleState(Labelled):
    """Whether a rule creates reviews."""

    ACTIVE = "active", "Active"
    PAUSED = "paused", "Paused"
    ARCHIVED = "archived", "Archived"


class RuleAction(StrEnum):
    """What HR can do to a rule."""

    EDIT = "edit"
    PAUSE = "pause"
    RESUME = "resume"
    ARCHIVE = "archive"
    RESTORE = "restore"


RULE_TRANSITIONS = steps(
    ((RuleState.ACTIVE, RuleState.PAUSED), RuleAction.EDIT, STAYS),
    (RuleState.ACTIVE, RuleAction.PAUSE, RuleState.PAUSED),
    (RuleState.PAUSED, RuleAction.RESUME, RuleState.ACTIVE),
    ((RuleState.ACTIVE, RuleState.PAUSED), RuleAction.ARCHIVE, RuleState.ARCHIVED),
    (RuleState.ARCHIVED, RuleAction.RESTORE, RuleState.PAUSED),  # back, but creating nothing until resumed
)
RULE_WORKFLOW = Workflow(RULE_TRANSITIONS, lambda state, action: f"cannot {action} a rule that is {state}")
next_rule_state = RULE_WORKFLOW.next

# Days after the review's start by which each phase ends (calibration: when the template calibrates, halfway
# between the manager assessment and the discussion unless given).
DEFAULT_OFFSETS: dict[Phase, int] = {
    Phase.GOAL_SETTING: 7,
    Phase.SELF_ASSESSMENT: 14,
    Phase.FEEDBACK: 21,
    Phase.MANAGER_ASSESSMENT: 28,
    Phase.DISCUSSION: 42,
}
MAX_OFFSET = 365
MAX_DAYS = 3650  # a probation of up to ten years
MAX_MONTHS = 60
CATCH_UP_DAYS = 60  # a run after an outage creates what fell due in at most this many days before it
PREVIEW_DAYS = 30


@dataclass(frozen=True)
class ScheduleRule:
    """A rule that creates reviews (or adds joiners to a running cycle) by itself."""

    rule_id: str
    name: str
    kind: RuleKind
    template_id: str = ""  # not for JOINERS: the running cycle has its template
    days: int = 0  # PROBATION
    every_months: int = 0  # CALENDAR
    first_date: date | None = None  # CALENDAR
    cycle_id: str = ""  # JOINERS
    departments: list[str] = field(default_factory=list)  # empty: everyone
    offsets: dict[Phase, int] = field(default_factory=lambda: dict(DEFAULT_OFFSETS))
    state: RuleState = RuleState.ACTIVE
    created_at: str = ""
    created_by: str = ""
    version: int = 0
    audit_head: str = ""

    def covers(self, person: Employee) -> bool:
        """The person is active and in one of the rule's departments (or the rule names none)."""
        wanted = {d.casefold() for d in self.departments}
        return person.active and (not wanted or person.department.casefold() in wanted)


@dataclass(frozen=True)
class Due:
    """One review a rule makes: whose, and the day it starts."""

    rule_id: str
    employee_id: str
    on: date


def check_rule(rule: ScheduleRule) -> None:
    """Refuse a rule that could never make sense, naming each field."""
    e = FieldErrors()
    if not rule.name.strip():
        e.add("name", "required")
    if rule.kind is RuleKind.JOINERS:
        if not rule.cycle_id:
            e.add("cycle_id", "choose the running cycle joiners are added to")
    elif not rule.template_id:
        e.add("template_id", "choose a template")
    if rule.kind is RuleKind.PROBATION and not 1 <= rule.days <= MAX_DAYS:
        e.add("days", f"give a number of days from 1 to {MAX_DAYS}")
    if rule.kind is RuleKind.CALENDAR:
        if not 1 <= rule.every_months <= MAX_MONTHS:
            e.add("every_months", f"give a number of months from 1 to {MAX_MONTHS}")
        if rule.first_date is None:
            e.add("first_date", "give the date of the first review")
    if rule.kind is not RuleKind.JOINERS:
        missing = [p.value for p in Phase if p not in rule.offsets and p not in OPTIONAL_PHASES]
        if missing:
            e.add("offsets", f"give the days after the start for {', '.join(missing)}")
        elif any(not 0 <= d <= MAX_OFFSET for d in rule.offsets.values()):
            e.add("offsets", f"each phase ends 0 to {MAX_OFFSET} days after the start")
        else:
            days = [rule.offsets[p] for p in Phase if p in rule.offsets]
            if days != sorted(days):
                e.add("offsets", "phase deadlines must follow the order of the phases")
    e.refuse("The rule is not valid.")


def add_months(start: date, months: int) -> date:
    """The same day `months` later, the month's last day where it is shorter (31 January + 1 → 28/29 February)."""
    month = start.month - 1 + months
    year, month = start.year + month // 12, month % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _anniversaries(start: date, after: date, until: date) -> list[date]:
    found = []
    for year in range(max(after.year, start.year + 1), until.year + 1):
        day = add_months(start, 12 * (year - start.year))  # 29 February → 28 February in other years
        if after < day <= until:
            found.append(day)
    return found


def _calendar_days(rule: ScheduleRule, after: date, until: date) -> list[date]:
    if rule.first_date is None or rule.every_months < 1 or until < rule.first_date:
        return []
    months = (after.year - rule.first_date.year) * 12 + after.month - rule.first_date.month
    n = max(0, months // rule.every_months - 1)
    found = []
    while (day := add_months(rule.first_date, n * rule.every_months)) <= until:
        if day > after:
            found.append(day)
        n += 1
    return found


def occurrences(rule: ScheduleRule, person: Employee, after: date, until: date) -> list[date]:
    """The days in (after, until] on which the rule gives this person a review (joiners: their start date)."""
    if not rule.covers(person) or until <= after:
        return []
    start = person.start_date
    if rule.kind is RuleKind.CALENDAR:
        return [d for d in _calendar_days(rule, after, until) if start is None or start <= d]
    if start is None:
        return []
    if rule.kind is RuleKind.PROBATION:
        day = start + timedelta(days=rule.days)
        return [day] if after < day <= until else []
    if rule.kind is RuleKind.ANNIVERSARY:
        return _anniversaries(start, after, until)
    return [start] if after < start <= until else []


def due_reviews(rule: ScheduleRule, people: list[Employee], after: date, until: date) -> list[Due]:
    """Every review the rule makes in (after, until], by day then person."""
    found = [Due(rule.rule_id, p.employee_id, d) for p in people for d in occurrences(rule, p, after, until)]
    return sorted(found, key=lambda d: (d.on, d.employee_id))


def window_start(through: date | None, created: date, today: date) -> date:
    """The day after which a run looks for due reviews: the last day evaluated, else the day before the rule was
    created; never more than CATCH_UP_DAYS back."""
    start = through if through is not None else created - timedelta(days=1)
    return max(start, today - timedelta(days=CATCH_UP_DAYS))


def occurrence_cycle_id(rule_id: str, on: date) -> str:
    """The id of the cycle a rule's occurrence makes: the same for every run, so a retry finds it."""
    return f"sched-{rule_id}-{on:%Y%m%d}"


def period_start(rule: ScheduleRule, on: date) -> date:
    """The first day of the period an occurrence's review looks back on."""
    if rule.kind is RuleKind.PROBATION:
        return on - timedelta(days=rule.days)
    if rule.kind is RuleKind.CALENDAR:
        return add_months(on, -rule.every_months)
    return add_months(on, -12)


def phase_dates(rule: ScheduleRule, on: date) -> dict[Phase, date]:
    """Each phase's deadline for a review starting on `on`."""
    return {p: on + timedelta(days=rule.offsets[p]) for p in Phase if p in rule.offsets}
