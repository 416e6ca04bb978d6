"""Personnel decisions weighed against the review record (issue 27): the kinds, the evidence per person, the
consistency checks that flag a decision going against the record, the group's aggregate and the evidence's hash.

Pure Python. The evidence is built by the use case from what the record holds at save time and kept with the
decision; its hash goes into the decision's chained audit record, so an edit of either shows.

Leadership's counts over time, the one rule (`period_of`, `period_released`; services/decisions.counts_as_read
applies it): a communicated decision is counted into the calendar quarter of its communication on the organisation's
calendar (its time zone, as every deadline), and readers who may not read each decision (leadership) read a
quarter's counts only once it has ended (and `RELEASE_AFTER` has passed, so no commit in flight at the turn lands in
a quarter already read). Each ended quarter is its own table with its own small-group suppression, and never changes
again; there is no running all-time total, so neither reading before and after one decision nor subtracting one
quarter's reading from another gives a decision away. Decisions are not tied to a review cycle (a decision weighs a
person's last three rated reviews and can be taken between cycles; cycles overlap and reopen), so the period is the
calendar's, not a cycle's. HR, who reads every decision, reads the running quarter live, labelled as live. Counters
kept before periods existed (items without a period) are read as one period, `EARLIER`, shown as they were.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from service.domain.audit import canonical
from service.domain.errors import ValidationFailed
from service.domain.workflow import Labelled, Workflow, labels, refused_in_words, steps

MAX_PEOPLE = 50  # one decision, one item and one transaction (≤ 100 items: the decision, its audit, a mark each)
MAX_TEXT = 4000
LAST_CYCLES = 3  # the reviews a decision is weighed against: the person's last three rated ones


class DecisionKind(Labelled):
    """What was decided."""

    PROMOTION = "promotion", "Promotion"
    PAY_CHANGE = "pay_change", "Pay change"
    ROLE_CHANGE = "role_change", "Change of role"
    IMPROVEMENT_PLAN = "improvement_plan", "Performance improvement plan"
    END_OF_EMPLOYMENT = "end_of_employment", "End of employment"
    RESTRUCTURING = "restructuring", "Restructuring"


DECISION_KIND_LABELS = labels(DecisionKind)


class PayDirection(Labelled):
    """Which way a pay change goes (asked only for a pay change)."""

    INCREASE = "increase", "Increase"
    DECREASE = "decrease", "Cut"


PAY_DIRECTION_LABELS = labels(PayDirection)

# Decisions that go against a person: weighed against good reviews and training left undone.
ADVERSE_KINDS = frozenset({DecisionKind.IMPROVEMENT_PLAN, DecisionKind.END_OF_EMPLOYMENT, DecisionKind.RESTRUCTURING})


def is_adverse(kind: DecisionKind, pay: PayDirection | None) -> bool:
    """An improvement plan, an end of employment, a restructuring affecting them, or a pay cut."""
    return kind in ADVERSE_KINDS or (kind is DecisionKind.PAY_CHANGE and pay is PayDirection.DECREASE)


class DecisionState(Labelled):
    """A decision's state: flagged ones wait for a second HR person's approval before they can be communicated."""

    AWAITING_APPROVAL = "awaiting_approval", "Awaiting HR approval"
    RECORDED = "recorded", "Recorded, not yet communicated"
    COMMUNICATED = "communicated", "Communicated"


DECISION_STATE_LABELS = labels(DecisionState)


class DecisionAction(Labelled):
    """What happens to a decision (its audit records name it): recorded, then approved and communicated."""

    RECORD = "record", "Recorded"
    APPROVE = "approve", "Approved"
    COMMUNICATE = "communicate", "Communicated"


DECISION_ACTION_LABELS = labels(DecisionAction)


DECISION_WORKFLOW: Workflow[DecisionState, DecisionAction] = Workflow(
    steps(
        (DecisionState.AWAITING_APPROVAL, DecisionAction.APPROVE, DecisionState.RECORDED),
        (DecisionState.RECORDED, DecisionAction.COMMUNICATE, DecisionState.COMMUNICATED),
    ),
    refused_in_words("a decision"),
)


class Flag(Labelled):
    """Why a decision goes against the record (each needs a justification and a second HR person's approval)."""

    AGAINST_RATINGS = "against_ratings", "Adverse although the last reviews meet or exceed expectations"
    TRAINING_UNADDRESSED = (
        "training_unaddressed",
        "Adverse while training needs the organisation agreed remain unaddressed",
    )
    NO_GAP_NAMED = "no_gap_named", "Improvement plan with no prior review naming the gap"


FLAG_LABELS = labels(Flag)


class Trend(Labelled):
    """Where the scores of the last cycles go."""

    RISING = "rising", "Rising"
    FALLING = "falling", "Falling"
    STEADY = "steady", "Steady"
    UNKNOWN = "unknown", "Not enough"  # fewer than two scores


TREND_LABELS = labels(Trend)
STEADY_WITHIN = 5.0  # points of 100 between the first and last score that still count as steady


@dataclass(frozen=True)
class Rating:
    """A review's rating on its template's scale, and whether it meets expectations (the scale's point named
    "meets…", else its middle)."""

    value: int
    label: str
    at_or_above: bool


def expectation_point(scale: list[str]) -> int:
    """The scale point that meets expectations: the first label starting with "meet" ("Meets expectations",
    "Meeting"; never "Not yet meeting" or "Partly meeting"), else the middle point."""
    for n, label in enumerate(scale, start=1):
        if label.casefold().startswith("meet"):
            return n
    return (len(scale) + 2) // 2


def rating_from_score(score: float, scale: list[str]) -> Rating | None:
    """A 0–100 score as the nearest point of the scale (halves up); None without a scale."""
    if len(scale) < 2:
        return None
    value = max(1, min(len(scale), math.floor(score / 100 * (len(scale) - 1) + 1.5)))
    return Rating(value, scale[value - 1], value >= expectation_point(scale))


@dataclass(frozen=True)
class CycleEvidence:
    """One reviewed cycle: the score, the rating and the competencies rated below expectations."""

    cycle_id: str
    cycle_name: str
    period_start: str
    score: float | None
    rating: int | None
    rating_label: str
    at_or_above: bool | None
    gaps: tuple[str, ...] = ()  # competencies rated below expectations, by name


@dataclass(frozen=True)
class NeedEvidence:
    """A training need named for the person, and whether the organisation delivered it."""

    need_id: str
    cycle_id: str
    topic: str
    source: str
    priority: str
    addressed: bool
    addressed_by: str = ""


@dataclass(frozen=True)
class ObstacleEvidence:
    """An obstacle recorded in a review, its remediation and whether it was remedied."""

    action_id: str
    cycle_id: str
    obstacle: str
    remediation: str
    status: str
    remedied: bool


@dataclass(frozen=True)
class ResponseEvidence:
    """The employee's written response when acknowledging a review."""

    cycle_id: str
    cycle_name: str
    agreement: str
    response: str


@dataclass(frozen=True)
class PersonEvidence:
    """Everything the record held about one person when the decision was weighed."""

    employee_id: str
    name: str
    department: str
    cycles: tuple[CycleEvidence, ...] = ()
    trend: Trend = Trend.UNKNOWN
    needs: tuple[NeedEvidence, ...] = ()
    obstacles: tuple[ObstacleEvidence, ...] = ()
    responses: tuple[ResponseEvidence, ...] = ()

    @property
    def rated(self) -> list[CycleEvidence]:
        """The cycles with a rating, oldest first."""
        return [c for c in self.cycles if c.rating is not None]

    @property
    def open_agreed_needs(self) -> list[NeedEvidence]:
        """Needs the manager named (the organisation agreed to them) that nothing has addressed."""
        return [n for n in self.needs if n.source == "manager" and not n.addressed]

    @property
    def unaddressed_needs(self) -> list[NeedEvidence]:
        """Every need named for the person that was never addressed."""
        return [n for n in self.needs if not n.addressed]

    @property
    def meets_in_each(self) -> bool:
        """Rated at or above expectations in each of the last cycles (and rated at least once)."""
        return bool(self.rated) and all(c.at_or_above for c in self.rated)


def trend_of(scores: list[float]) -> Trend:
    """Rising, falling or steady from the first to the last score; unknown with fewer than two."""
    if len(scores) < 2:
        return Trend.UNKNOWN
    change = scores[-1] - scores[0]
    if abs(change) < STEADY_WITHIN:
        return Trend.STEADY
    return Trend.RISING if change > 0 else Trend.FALLING


def flags_for(kind: DecisionKind, pay: PayDirection | None, evidence: PersonEvidence) -> tuple[Flag, ...]:
    """The consistency checks for one person: which ways the decision goes against their record."""
    found = []
    if is_adverse(kind, pay):
        if evidence.meets_in_each:
            found.append(Flag.AGAINST_RATINGS)
        if evidence.open_agreed_needs:
            found.append(Flag.TRAINING_UNADDRESSED)
    if kind is DecisionKind.IMPROVEMENT_PLAN and not any(c.gaps or c.at_or_above is False for c in evidence.cycles):
        found.append(Flag.NO_GAP_NAMED)
    return tuple(found)


@dataclass(frozen=True)
class GroupAggregate:
    """What the evidence says about everyone a decision affects, in figures and one sentence."""

    people: int
    cycles: int
    meets_in_each: int
    unaddressed_needs: int
    open_obstacles: int

    @property
    def sentence(self) -> str:
        """The aggregate in words."""
        people, were = ("person", "was") if self.people == 1 else ("people", "were")
        needs, needs_were = ("need", "was") if self.unaddressed_needs == 1 else ("needs", "were")
        obstacles = "obstacle was" if self.open_obstacles == 1 else "obstacles were"
        cycles = "cycle" if self.cycles == 1 else f"{self.cycles} cycles"
        return (
            f"{self.meets_in_each} of {self.people} {people} affected {were} rated at or above expectations in each "
            f"of the last {cycles}; {self.unaddressed_needs} training {needs} named for them {needs_were} never "
            f"addressed; {self.open_obstacles} recorded {obstacles} not remedied."
        )


def aggregate(evidence: list[PersonEvidence] | tuple[PersonEvidence, ...]) -> GroupAggregate:
    """The group's figures, computed from the evidence."""
    return GroupAggregate(
        people=len(evidence),
        cycles=max((len(e.rated) for e in evidence), default=0) or LAST_CYCLES,
        meets_in_each=sum(1 for e in evidence if e.meets_in_each),
        unaddressed_needs=sum(len(e.unaddressed_needs) for e in evidence),
        open_obstacles=sum(1 for e in evidence for o in e.obstacles if not o.remedied),
    )


def evidence_hash(evidence: list[PersonEvidence] | tuple[PersonEvidence, ...]) -> str:
    """sha256 over the evidence's canonical JSON (as storage gives it back)."""
    body = json.dumps(canonical([asdict(e) for e in evidence]), sort_keys=True, default=str)
    return hashlib.sha256(body.encode()).hexdigest()


class Flagged:
    """What a decision and its weighing share: the flags the consistency checks raised, person by person."""

    flags: dict[str, list[str]]

    @property
    def flagged(self) -> bool:
        """Whether any consistency check flagged it (a justification and a second HR approval are needed)."""
        return any(self.flags.values())


@dataclass(frozen=True)
class Decision(Flagged):
    """A personnel decision about one person or a group, with the evidence the record held when it was saved."""

    decision_id: str
    kind: DecisionKind
    summary: str
    people: tuple[str, ...]
    departments: tuple[str, ...]  # each person's department, in the order of `people`
    recorded_by: str
    recorded_at: str
    pay_direction: PayDirection | None = None
    justification: str = ""
    flags: dict[str, list[str]] = field(default_factory=dict)  # person → Flag values
    state: DecisionState = DecisionState.RECORDED
    approved_by: str | None = None
    approved_at: str | None = None
    communicated_at: str | None = None
    evidence: tuple[PersonEvidence, ...] = ()
    evidence_hash: str = ""
    version: int = 0
    audit_head: str = ""

    @property
    def group(self) -> GroupAggregate:
        """The aggregate of its evidence."""
        return aggregate(self.evidence)


def check_request(
    kind: DecisionKind, pay: PayDirection | None, summary: str, people: list[str], justification: str, flagged: bool
) -> None:
    """The rules of a decision before it is saved: people, the pay direction, a summary, a justification if flagged."""
    errors: dict[str, list[str]] = {}
    if not people:
        errors["people"] = ["choose at least one person"]
    elif len(people) > MAX_PEOPLE:
        errors["people"] = [f"at most {MAX_PEOPLE} people in one decision"]
    if kind is DecisionKind.PAY_CHANGE and pay is None:
        errors["pay_direction"] = ["say whether pay goes up or down"]
    if not summary.strip():
        errors["summary"] = ["say what was decided"]
    if flagged and not justification.strip():
        errors["justification"] = ["this decision goes against the record: write why it is justified"]
    if errors:
        raise ValidationFailed("The decision cannot be saved yet.", errors)


def verify(decision: Decision, records: list[dict[str, Any]]) -> list[str]:
    """Problems with a stored decision's evidence (empty when it verifies): the evidence must hash to the hash its
    creation's audit record holds, and that record's chain must verify."""
    from service.domain.audit import verify_chain

    problems = verify_chain(records, decision.audit_head)
    if evidence_hash(decision.evidence) != decision.evidence_hash:
        problems.append("the evidence does not match its hash")
    created = next((r for r in records if r["version"] == 1), None)
    held = next((c["to"] for c in (created or {}).get("changes", []) if c["field"] == "evidence_hash"), None)
    if held != decision.evidence_hash:
        problems.append("the evidence hash is not the one recorded when the decision was saved")
    return problems


# --- leadership's counts over time (see the module's docstring) --------------------------------------------------

EARLIER = ""  # the period of counters kept before periods existed: released, as they were already read
RELEASE_AFTER = timedelta(hours=1)  # after a quarter ends, before anyone but HR reads it
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")  # fmt: skip


def period_of(moment: datetime | str, zone: tzinfo | None = None) -> str:
    """The calendar quarter a moment falls in on the wall of `zone` (the organisation's; by default an aware moment's
    own, a stored instant's UTC), as "2026-Q1" (sorts in time)."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment.replace("Z", "+00:00"))
    moment = moment.astimezone(zone or moment.tzinfo or UTC)
    return f"{moment.year:04d}-Q{(moment.month - 1) // 3 + 1}"


def period_start(period: str, zone: tzinfo | None = None) -> datetime:
    """The instant a quarter starts: midnight of its first day on the wall of `zone` (UTC by default)."""
    year, quarter = period.split("-Q")
    return datetime(int(year), (int(quarter) - 1) * 3 + 1, 1, tzinfo=zone or UTC)


def period_end(period: str, zone: tzinfo | None = None) -> datetime:
    """The instant a quarter ends (the next one's start)."""
    start = period_start(period, zone)
    return datetime(start.year + start.month // 10, (start.month + 2) % 12 + 1, 1, tzinfo=start.tzinfo)


def period_released(period: str, now: datetime) -> bool:
    """Whether a period's counts reach every reader of the counts now (`now` on the organisation's clock): it ended
    at least `RELEASE_AFTER` ago."""
    return period == EARLIER or now >= period_end(period, now.tzinfo) + RELEASE_AFTER


def period_label(period: str) -> str:
    """A period in words: "January to March 2026"; the counters kept before periods as such."""
    if period == EARLIER:
        return "Counted before quarterly periods"
    start = period_start(period)
    return f"{_MONTHS[start.month - 1]} to {_MONTHS[start.month + 1]} {start.year}"
