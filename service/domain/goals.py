"""Goals that cascade across people: levels, key results, alignment rules, weighted roll-up.

Progress formula (documented in docs/GOALS.md):
- a goal with key results: the mean over its key results' progress, each by its direction: increase and decrease
  clamp((current − start) / (target − start), 0, 1) × 100 (the way travelled from start to target, up or down);
  stay within: 100 while current lies between start and target (the range's ends, either order), else 0;
- otherwise, a goal with aligned children: Σ(weight × progress) / Σ weight over its children that are not dropped;
- otherwise 100 when done, else 0.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum
from typing import Any

from service.domain.errors import Conflict, FieldErrors, ValidationFailed
from service.domain.workflow import Labelled, labels


class GoalLevel(StrEnum):
    """Where a goal sits: the organisation, a team (owned by its manager), or one person."""

    ORGANISATION = "organisation"
    TEAM = "team"
    INDIVIDUAL = "individual"


class GoalStatus(StrEnum):
    """How a goal is going."""

    ON_TRACK = "on_track"
    AT_RISK = "at_risk"
    OFF_TRACK = "off_track"
    DONE = "done"
    DROPPED = "dropped"


UNFINISHED = (GoalStatus.ON_TRACK, GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)
AT_RISK = (GoalStatus.AT_RISK, GoalStatus.OFF_TRACK)
RANK = {GoalLevel.ORGANISATION: 0, GoalLevel.TEAM: 1, GoalLevel.INDIVIDUAL: 2}


class Direction(Labelled):
    """Which way a key result should move: up to its target (the default), down to it, or stay in a range."""

    INCREASE = "increase", "Increase to the target (higher is better)"
    DECREASE = "decrease", "Decrease to the target (lower is better)"
    WITHIN = "within", "Stay within the range from start to target"


# What each direction is called on forms and pages.
DIRECTION_LABELS = labels(Direction)


@dataclass(frozen=True)
class KeyResult:
    """A measurable result: from start to target, currently at current; `direction` says which way is better
    (stay within: start and target are the range's ends)."""

    id: str
    title: str
    start: float
    target: float
    current: float
    unit: str = ""
    direction: Direction = Direction.INCREASE  # stored key results have none: they read as this

    def __post_init__(self) -> None:
        object.__setattr__(self, "direction", Direction(self.direction))
        # A target below the start can only be reached downward: stored key results (which had no direction)
        # and "increase" with such numbers read as the decrease they always measured.
        if self.direction is Direction.INCREASE and self.target < self.start:
            object.__setattr__(self, "direction", Direction.DECREASE)

    @property
    def in_range(self) -> bool:
        """Stay within: whether current lies between the range's ends."""
        return min(self.start, self.target) <= self.current <= max(self.start, self.target)

    @property
    def percent(self) -> float:
        """Progress 0–100 by direction: the way travelled from start to target, or in range (100) or not (0)."""
        if self.direction is Direction.WITHIN:
            return 100.0 if self.in_range else 0.0
        span = self.target - self.start
        if span == 0:
            return 100.0 if self.current == self.target else 0.0
        return max(0.0, min(1.0, (self.current - self.start) / span)) * 100

    def words(self) -> str:
        """Where it stands, in words that fit its direction ("300 ms now, target 200 ms or less, from 450 ms")."""
        u = f" {self.unit}" if self.unit else ""
        now, target, start = number(self.current), number(self.target), number(self.start)
        if self.direction is Direction.WITHIN:
            low, high = sorted((self.start, self.target))
            where = "in range" if self.in_range else ("below the range" if self.current < low else "above the range")
            return f"{now}{u} now, to stay within {number(low)}–{number(high)}{u}: {where}"
        bound = "or less" if self.direction is Direction.DECREASE else "or more"
        return f"{now}{u} now, target {target}{u} {bound}, from {start}{u}: {self.percent:.0f}% of the way"


def number(value: float) -> str:
    """A key result's number for people: 10 rather than 10.0, 2.5 as is, thousands grouped."""
    value = float(value)
    return f"{value:,.0f}" if value.is_integer() else f"{value:,.2f}".rstrip("0").rstrip(".")


def check_key_result(kr: KeyResult) -> list[str]:
    """What is wrong with a key result's numbers for its direction (empty when nothing)."""
    if kr.direction is Direction.DECREASE and kr.target >= kr.start:
        return ["to decrease, the target must be below the start"]
    return []


class Pace(StrEnum):
    """Progress against the time elapsed in the goal's own period."""

    ON_TRACK = "on_track"
    BEHIND = "behind"


def standing(status: GoalStatus, check: PaceCheck | None) -> str:
    """What a goal's badge says: its status, except that "on track" by default gives way to "behind" when its
    progress trails the time elapsed (the owner's "at risk" or "off track" stand as said)."""
    if status is GoalStatus.ON_TRACK and check is not None and check.pace is Pace.BEHIND:
        return Pace.BEHIND.value
    return status.value


# The badges that ask for someone's attention: the owner's "at risk" and "off track", and "behind" (worked out from
# the time elapsed). The goal pages, the alignment reports and the API count a goal at risk by this one rule.
NEEDS_ATTENTION = frozenset({GoalStatus.AT_RISK.value, GoalStatus.OFF_TRACK.value, Pace.BEHIND.value})


def needs_attention(status: GoalStatus, check: PaceCheck | None) -> bool:
    """True when a goal's badge (its `standing`) is at risk, off track or behind."""
    return standing(status, check) in NEEDS_ATTENTION


# How far progress may trail the time elapsed (in points of 0–100) and still be on track.
PACE_TOLERANCE = 10.0


@dataclass(frozen=True)
class PaceCheck:
    """A goal's progress against time: its period, the share of it elapsed by `on` (0–100), and the verdict."""

    period_start: date
    period_end: date
    on: date
    expected: float
    pace: Pace


def goal_period(
    created: date, cycle_start: date | None, due: date | None, cycle_end: date | None
) -> tuple[date, date] | None:
    """A goal's own period: from its creation (not before its cycle starts) to its due date, else its cycle's end."""
    end = due or cycle_end
    if end is None:
        return None
    start = max(created, cycle_start) if cycle_start else created
    return start, end


def pace(progress: float, status: GoalStatus, period: tuple[date, date] | None, on: date) -> PaceCheck | None:
    """The one "on track" rule: progress at least the share of the period elapsed by `on`, less the tolerance.

    Only unfinished goals have a pace; a goal created today has had no time yet, so it is on track.
    """
    if period is None or status not in UNFINISHED:
        return None
    start, end = period
    days = (end - start).days
    elapsed = 1.0 if days <= 0 else min(max((on - start).days / days, 0.0), 1.0)
    expected = round(elapsed * 100, 1)
    verdict = Pace.BEHIND if progress + PACE_TOLERANCE < expected else Pace.ON_TRACK
    return PaceCheck(start, end, on, expected, verdict)


def falls_behind_on(progress: float, status: GoalStatus, period: tuple[date, date] | None) -> date | None:
    """The first day on which `pace` calls a goal at this progress behind (None: never, or its status speaks).

    Only a goal on track by its owner's word has one (at risk and off track are counted as said; done and dropped
    have no pace). Stored on every write that changes progress, status or period, so the organisation's report
    counts the goals whose day has passed without reading every goal.
    """
    if period is None or status is not GoalStatus.ON_TRACK or progress + PACE_TOLERANCE >= 100:
        return None
    start, end = period
    days = max((end - start).days, 0)
    # A first guess from the formula, then the day `pace` itself agrees on (its rounding decides the edge).
    n = max(0.0, (progress + PACE_TOLERANCE) * days // 100 - 2)  # whole days (a float: no parse of input)
    while pace(progress, status, period, start + timedelta(n)).pace is not Pace.BEHIND:  # type: ignore[union-attr]
        n += 1
    return start + timedelta(n)


@dataclass
class Goal:
    """A goal of the organisation, a team, or a person."""

    goal_id: str
    level: GoalLevel
    owner_id: str
    title: str
    description: str = ""
    key_results: list[KeyResult] = field(default_factory=list)
    weight: int = 0
    due: date | None = None
    status: GoalStatus = GoalStatus.ON_TRACK
    cycle_id: str | None = None  # None: an organisation goal standing across cycles
    parent_id: str | None = None
    department: str = ""
    source_goal_id: str | None = None  # the team goal this personal copy was assigned from
    carried_from: str | None = None  # the goal of an earlier cycle this one continues
    checkin_rhythm: str | None = None  # weekly, fortnightly or monthly (domain/checkins.Rhythm; issue 28)
    archived: bool = False  # put away (issue 28): out of the lists and pickers, still readable and in its roll-up
    history: list[dict[str, Any]] = field(default_factory=list)
    created_at: str = ""
    created_by: str = ""
    version: int = 0
    audit_head: str = ""

    @property
    def kr_progress(self) -> float | None:
        """Progress from key results, or None without any."""
        if not self.key_results:
            return None
        return sum(kr.percent for kr in self.key_results) / len(self.key_results)


FINISHED = (GoalStatus.DONE, GoalStatus.DROPPED)


def check_archivable(goal: Goal) -> None:
    """Only a finished goal is put away, so what it adds to the roll-ups and weights above no longer moves."""
    if not goal.archived and goal.status not in FINISHED:
        raise Conflict("only a finished goal can be archived: mark it done or dropped first", entity="goal")


def effective_progress(goal: Goal, weight_sum: float, weighted_sum: float) -> float:
    """A goal's progress: key results first, then its children's roll-up, then done/not done."""
    own = goal.kr_progress
    if own is not None:
        return round(own, 2)
    if weight_sum > 0:
        return round(weighted_sum / weight_sum, 2)
    return 100.0 if goal.status is GoalStatus.DONE else 0.0


def contribution(goal: Goal, progress: float) -> tuple[float, float]:
    """What a goal adds to its parent's roll-up: (weight, weight × progress); dropped goals add nothing."""
    if goal.status is GoalStatus.DROPPED:
        return 0.0, 0.0
    return float(goal.weight), float(goal.weight) * progress


def check_goal(goal: Goal) -> None:
    """Field rules of a goal."""
    e = FieldErrors()
    if not goal.title.strip():
        e.add("title", "required")
    if not 0 <= goal.weight <= 100:
        e.add("weight", "0–100")
    if goal.level is not GoalLevel.ORGANISATION and goal.cycle_id is None:
        e.add("cycle_id", "team and individual goals belong to a cycle")
    ids = [kr.id for kr in goal.key_results]
    if len(set(ids)) != len(ids):
        e.add("key_results", "key result ids must be unique")
    if len(goal.key_results) > 10:
        e.add("key_results", "at most 10 key results")
    for n, kr in enumerate(goal.key_results):
        for message in check_key_result(kr):
            e.add(f"key_results.{n}.target", message)
    e.refuse("The goal is not valid.")


@dataclass(frozen=True)
class AlignmentFacts:
    """What the alignment rules need to know about the people and the target."""

    owner_manager_id: str | None
    owner_chain: tuple[str, ...]  # the owner's management chain, top first
    target_cycle_closed: bool
    target_ancestors: tuple[str, ...]  # the target and the goals above it


def check_alignment(goal: Goal, target: Goal, facts: AlignmentFacts) -> None:
    """Refuse alignments that do not cascade: loops, closed cycles, and goals lower in the hierarchy."""

    def refuse(message: str) -> None:
        raise ValidationFailed("This alignment is not allowed.", {"parent_id": [message]})

    if target.goal_id == goal.goal_id or goal.goal_id in facts.target_ancestors:
        refuse("that would make an alignment loop")
    if facts.target_cycle_closed:
        refuse("the goal you chose belongs to a closed cycle")
    if goal.level is GoalLevel.ORGANISATION:
        refuse("organisation goals are the top: they do not align to other goals")
    if RANK[target.level] >= RANK[goal.level] and not (goal.level is GoalLevel.TEAM and target.level is GoalLevel.TEAM):
        refuse(f"a {goal.level} goal cannot align to a {target.level} goal (it is not higher)")
    if target.cycle_id is not None and target.cycle_id != goal.cycle_id:
        refuse("goals align within one cycle, or to an organisation goal standing across cycles")
    if target.status is GoalStatus.DROPPED:
        refuse("the goal you chose was dropped")
    if target.archived:
        refuse("the goal you chose is archived")
    if goal.level is GoalLevel.INDIVIDUAL and target.level is GoalLevel.TEAM:
        if target.owner_id != facts.owner_manager_id:
            refuse("an individual goal aligns to its manager's team goal or to an organisation goal")
    if goal.level is GoalLevel.TEAM and target.level is GoalLevel.TEAM:
        if target.owner_id not in facts.owner_chain:
            refuse("a team goal aligns to a team goal higher in the hierarchy, or to an organisation goal")


def weight_warnings(goals: list[Goal]) -> list[str]:
    """Warnings while drafting: an owner's individual goals in a cycle weigh 100 together, and so do a
    manager's team goals (their weights share out the team's contribution upward)."""
    totals: dict[tuple[str, str | None, GoalLevel], int] = {}
    for g in goals:
        if g.status is not GoalStatus.DROPPED and g.level is not GoalLevel.ORGANISATION:
            key = (g.owner_id, g.cycle_id, g.level)
            totals[key] = totals.get(key, 0) + g.weight
    return [
        f"{'goal' if level is GoalLevel.INDIVIDUAL else 'team goal'} weights of {owner} add up to {total}, not 100"
        for (owner, _, level), total in totals.items()
        if total != 100
    ]
