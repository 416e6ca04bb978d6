"""Calibration (issue 23): sessions over a group of reviews, who takes part, and adjustments with reasons.

A session groups the reviews of a cycle that wait in calibration (a department, a subtree or a list of people; a
person is in at most one open session per cycle). Facilitators (HR) adjust a person's competency ratings and
potential with a required reason; the manager's original stays beside the calibrated value. Closing locks the
ratings and rescores the reviews by the template's rule. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from service.domain.directory import Employee, Role
from service.domain.errors import ValidationFailed
from service.domain.suppression import SUPPRESS_BELOW, Line, withheld
from service.domain.templates import Template
from service.domain.workflow import Workflow


class SessionState(StrEnum):
    """Where a calibration session stands."""

    FORMING = "forming"  # its members are being claimed (a large group takes more than one transaction)
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"  # its forming failed: someone was already in another open session


class SessionAction(StrEnum):
    """What can happen to a session."""

    FORM = "form"
    CANCEL = "cancel"
    CLOSE = "close"
    REOPEN = "reopen"


SESSION_TRANSITIONS: dict[tuple[SessionState, SessionAction], SessionState] = {
    (SessionState.FORMING, SessionAction.FORM): SessionState.OPEN,
    (SessionState.FORMING, SessionAction.CANCEL): SessionState.CANCELLED,
    (SessionState.OPEN, SessionAction.CLOSE): SessionState.CLOSED,
    (SessionState.CLOSED, SessionAction.REOPEN): SessionState.OPEN,
}
SESSION_WORKFLOW = Workflow(SESSION_TRANSITIONS, lambda state, action: f"cannot {action} a session that is {state}")


class GroupKind(StrEnum):
    """How a session chooses its people."""

    DEPARTMENT = "department"
    SUBTREE = "subtree"
    LIST = "list"


@dataclass
class CalibrationSession:
    """A calibration session of one cycle."""

    session_id: str
    cycle_id: str
    name: str
    group: GroupKind
    department: str = ""
    root_id: str = ""
    people: list[str] = field(default_factory=list)  # the reviews it calibrates (employee ids)
    facilitators: list[str] = field(default_factory=list)  # HR
    participants: list[str] = field(default_factory=list)  # the people's managers, leadership of their area
    state: SessionState = SessionState.FORMING
    created_at: str = ""
    created_by: str = ""
    closed_at: str | None = None
    closed_by: str | None = None
    reopen_reason: str | None = None
    target: list[int] = field(default_factory=list)  # an optional target distribution: % per point, lowest first
    version: int = 0
    audit_head: str = ""

    @property
    def is_open(self) -> bool:
        """Adjustments can be made."""
        return self.state is SessionState.OPEN


def check_group(name: str, group: GroupKind, department: str, root_id: str, employee_ids: list[str]) -> None:
    """Refuse a session whose name or group is missing."""
    errors: dict[str, list[str]] = {}
    if not name.strip():
        errors["name"] = ["required"]
    if group is GroupKind.DEPARTMENT and not department.strip():
        errors["department"] = ["choose a department"]
    if group is GroupKind.SUBTREE and not root_id:
        errors["root_id"] = ["choose the person whose organisation it covers"]
    if group is GroupKind.LIST and not employee_ids:
        errors["employee_ids"] = ["choose at least one person"]
    if errors:
        raise ValidationFailed("The session is not valid.", errors)


def select_people(
    group: GroupKind, department: str, root_id: str, employee_ids: list[str], people: list[Employee], in_cycle: set[str]
) -> list[Employee]:
    """The cycle's participants the group covers, by id; a listed person outside the cycle is an error."""
    if group is GroupKind.DEPARTMENT:
        chosen = [p for p in people if p.department.casefold() == department.strip().casefold()]
    elif group is GroupKind.SUBTREE:
        chosen = [p for p in people if root_id in p.chain or p.employee_id == root_id]
    else:
        by_id = {p.employee_id: p for p in people}
        unknown = [i for i in dict.fromkeys(employee_ids) if i not in by_id or i not in in_cycle]
        if unknown:
            raise ValidationFailed(
                "Some people are not in this cycle.",
                {"employee_ids": [f"{i!r} has no review in this cycle" for i in unknown]},
            )
        chosen = [by_id[i] for i in dict.fromkeys(employee_ids)]
    chosen = [p for p in chosen if p.employee_id in in_cycle]
    if not chosen:
        raise ValidationFailed("Nobody in this cycle matches the group.", {"group": ["nobody matches"]})
    return sorted(chosen, key=lambda p: p.employee_id)


def participants_for(
    members: list[Employee], directory: dict[str, Employee], managers: dict[str, str | None]
) -> list[str]:
    """The managers of the members (as their reviews name them) and the leadership above them."""
    chosen = {m for m in managers.values() if m}
    for person in members:
        chosen |= {c for c in person.chain if c in directory and Role.LEADERSHIP in directory[c].roles}
    return sorted(chosen)


def visible_people(
    session: CalibrationSession, reader: Employee, is_hr: bool, directory: dict[str, Employee]
) -> list[str]:
    """Whom a reader sees in a session: HR everyone; a manager participant the session's people; leadership the
    people of their own area; nobody their own calibration."""
    if is_hr:
        return [p for p in session.people if p != reader.employee_id]
    if reader.employee_id not in session.participants:
        return []
    if Role.LEADERSHIP in reader.roles and reader.employee_id not in {
        directory[p].manager_id for p in session.people if p in directory
    }:
        return [p for p in session.people if p in directory and reader.employee_id in directory[p].chain]
    return [p for p in session.people if p != reader.employee_id]


@dataclass
class Adjustment:
    """One person's calibration: the manager's original beside the calibrated value, who changed it, when, why."""

    session_id: str
    cycle_id: str
    employee_id: str
    original: dict[str, Any]  # {"competency_ratings": {id: rating}, "potential": int | None}
    calibrated: dict[str, Any]
    reason: str = ""
    by: str = ""
    at: str = ""
    version: int = 0
    audit_head: str = ""

    @property
    def changed(self) -> bool:
        """The calibrated value differs from the original."""
        return self.original != self.calibrated


def proposal(manager_assessment: dict[str, Any] | None) -> dict[str, Any]:
    """What the manager proposed: the competency ratings and the potential of the manager assessment."""
    content = manager_assessment or {}
    ratings = {cid: (r or {}).get("rating") for cid, r in (content.get("competency_ratings") or {}).items()}
    return {"competency_ratings": ratings, "potential": content.get("potential")}


def check_adjustment(calibrated: dict[str, Any], reason: str, template: Template) -> None:
    """An adjustment gives every competency a rating on the scale, a potential on the template's potential scale
    (when it has one), and a reason."""
    errors: dict[str, list[str]] = {}
    ratings = calibrated.get("competency_ratings") or {}
    points = template.scale.points
    for cid in template.competency_ids():
        r = ratings.get(cid)
        if type(r) is not int or not 1 <= r <= points:
            errors[f"competency_ratings.{cid}"] = [f"choose 1 to {points}"]
    for cid in ratings:
        if cid not in template.competency_ids():
            errors[f"competency_ratings.{cid}"] = ["not a competency of this cycle's template"]
    potential = calibrated.get("potential")
    if (
        template.potential
        and potential is not None
        and (type(potential) is not int or not 1 <= potential <= len(template.potential))
    ):
        errors["potential"] = [f"choose 1 to {len(template.potential)}"]
    if not reason.strip():
        errors["reason"] = ["say why the rating changes"]
    if errors:
        raise ValidationFailed("The adjustment is not valid.", errors)


def calibrated_content(manager_assessment: dict[str, Any], calibrated: dict[str, Any]) -> dict[str, Any]:
    """The manager assessment with the calibrated ratings in place of the proposed ones (comments kept)."""
    ratings = {
        cid: {**(entry or {}), "rating": calibrated["competency_ratings"].get(cid, (entry or {}).get("rating"))}
        for cid, entry in (manager_assessment.get("competency_ratings") or {}).items()
    }
    return {**manager_assessment, "competency_ratings": ratings}


# --- distributions and outliers (the session view) ---------------------------------------------------------

MEAN_GAP = 0.5  # points on the scale: a manager whose average differs from the session's by more is flagged
SPREAD_GAP = 0.5  # points: likewise for the spread (standard deviation) of a manager's ratings
PART_GAP = 1  # points: a rating more than this far from a part of its own score contradicts it


@dataclass(frozen=True)
class Distribution:
    """How many overall ratings a group has on each point of the scale, with their average and spread."""

    group: str
    counts: list[int]  # per point, lowest first
    mean: float | None
    spread: float | None
    flags: list[str] = field(default_factory=list)  # why the group stands out against the session

    @property
    def total(self) -> int:
        """How many people the group has."""
        return sum(self.counts)


def distribution(group: str, ratings: list[int], points: int) -> Distribution:
    """The distribution of whole ratings 1..points."""
    counts = [sum(1 for r in ratings if r == p) for p in range(1, points + 1)]
    if not ratings:
        return Distribution(group, counts, None, None)
    mean = sum(ratings) / len(ratings)
    spread = (sum((r - mean) ** 2 for r in ratings) / len(ratings)) ** 0.5
    return Distribution(group, counts, round(mean, 2), round(spread, 2))


def flag_against(d: Distribution, session: Distribution) -> Distribution:
    """The group with the reasons it stands out from the session (average or spread off by more than the gaps)."""
    flags = []
    if d.mean is not None and session.mean is not None and abs(d.mean - session.mean) > MEAN_GAP:
        flags.append(f"average {d.mean:.1f} against the session's {session.mean:.1f}")
    if (
        d.spread is not None
        and session.spread is not None
        and d.total > 1
        and abs(d.spread - session.spread) > SPREAD_GAP
    ):
        flags.append(f"spread {d.spread:.1f} against the session's {session.spread:.1f}")
    return Distribution(d.group, d.counts, d.mean, d.spread, flags)


def contradictions(rating: int | None, parts: list[dict[str, Any]], template: Template) -> list[str]:
    """Parts of a score (goals, feedback) that contradict the overall rating: more than PART_GAP points away on the
    scale, read the way the score reads them."""
    if rating is None:
        return []
    found = []
    for part in parts:
        if part.get("value") is None or part.get("name") == "competencies":
            continue
        point = template.scale.nearest(part["value"])
        if abs(point - rating) > PART_GAP:
            found.append(f"{part['name']} read as {template.scale.label(point)}")
    return found


def check_target(target: list[int], points: int) -> None:
    """A target distribution gives a percentage for each point of the scale, adding up to 100 (or is empty)."""
    if target and (len(target) != points or sum(target) != 100 or any(t < 0 for t in target)):
        raise ValidationFailed(
            "The target distribution is not valid.", {"target": [f"give {points} percentages adding up to 100"]}
        )


# --- the nine-box grid (performance × potential) ------------------------------------------------------------


class SortBy(StrEnum):
    """How the session's people list is ordered."""

    MANAGER = "manager"
    NAME = "name"
    RATING = "rating"
    DEPARTMENT = "department"


class Band(StrEnum):
    """A third of a scale: where a rating sits, for the grid."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Box(StrEnum):
    """The nine boxes of performance × potential."""

    RISK = "risk"
    EFFECTIVE = "effective"
    TRUSTED_PROFESSIONAL = "trusted_professional"
    INCONSISTENT = "inconsistent"
    CORE_PLAYER = "core_player"
    HIGH_PERFORMER = "high_performer"
    ROUGH_DIAMOND = "rough_diamond"
    GROWTH = "growth"
    STAR = "star"


# (performance band, potential band) → box; what each box is called wherever it is shown.
BOXES: dict[tuple[Band, Band], Box] = {
    (Band.LOW, Band.LOW): Box.RISK,
    (Band.MEDIUM, Band.LOW): Box.EFFECTIVE,
    (Band.HIGH, Band.LOW): Box.TRUSTED_PROFESSIONAL,
    (Band.LOW, Band.MEDIUM): Box.INCONSISTENT,
    (Band.MEDIUM, Band.MEDIUM): Box.CORE_PLAYER,
    (Band.HIGH, Band.MEDIUM): Box.HIGH_PERFORMER,
    (Band.LOW, Band.HIGH): Box.ROUGH_DIAMOND,
    (Band.MEDIUM, Band.HIGH): Box.GROWTH,
    (Band.HIGH, Band.HIGH): Box.STAR,
}
BOX_LABELS = {
    Box.RISK: "Low performance, low potential",
    Box.EFFECTIVE: "Effective",
    Box.TRUSTED_PROFESSIONAL: "Trusted professional",
    Box.INCONSISTENT: "Inconsistent",
    Box.CORE_PLAYER: "Core player",
    Box.HIGH_PERFORMER: "High performer",
    Box.ROUGH_DIAMOND: "Rough diamond",
    Box.GROWTH: "Growth",
    Box.STAR: "Star",
}


def band(point: int, points: int) -> Band:
    """The third of a `points`-point scale that `point` falls in (lowest point: low; top point: high)."""
    share = (point - 1) / (points - 1)
    return list(Band)[min(2, int(share * 3 + 1e-9))]


def box_of(rating: int | None, potential: int | None, template: Template) -> Box | None:
    """A person's box from their overall rating and potential (None while either is missing)."""
    if rating is None or potential is None or not template.potential:
        return None
    return BOXES[(band(rating, template.scale.points), band(potential, len(template.potential)))]


def grid(boxes: list[Box | None]) -> list[list[tuple[Box, int]]]:
    """The grid's rows, high potential first, each low to high performance, with how many people are in each box."""
    return [
        [(BOXES[(perf, pot)], sum(1 for b in boxes if b is BOXES[(perf, pot)])) for perf in Band]
        for pot in reversed(list(Band))
    ]


# --- the session's report (before and after) ------------------------------------------------------------------


@dataclass(frozen=True)
class Changes:
    """How a group's overall ratings moved in calibration: how many people, changed, and which way."""

    group: str
    people: int
    changed: int  # people whose ratings a facilitator changed
    up: int  # overall rating raised
    down: int  # overall rating lowered


def changes_of(group: str, moves: list[tuple[bool, int | None, int | None]]) -> Changes:
    """(adjusted?, proposed overall rating, calibrated overall rating) per person → the group's changes."""
    return Changes(
        group=group,
        people=len(moves),
        changed=sum(1 for adjusted, _, _ in moves if adjusted),
        up=sum(1 for _, before, after in moves if before is not None and after is not None and after > before),
        down=sum(1 for _, before, after in moves if before is not None and after is not None and after < before),
    )


# --- the cycle-wide rating report for leadership (suppressed like the training report) ------------------------


@dataclass(frozen=True)
class RatingRow:
    """One group's overall ratings in a cycle: people per point, the total, the average, and last cycle's average.
    A figure is None where it is withheld (fewer than 5 people behind it, or workable out from the others)."""

    group: str
    counts: list[int | None]
    total: int | None
    mean: float | None
    previous_mean: float | None


def rating_rows(
    now: dict[str, list[int]], before: dict[str, list[int]], points: int, threshold: int = SUPPRESS_BELOW
) -> tuple[RatingRow, list[RatingRow]]:
    """The organisation's row and each group's (departments, or levels), with small groups withheld through
    domain/suppression.py: a cell is (group, point); each group's points add up to its total, each point's groups
    to the organisation's, the groups' totals to everyone. A mean is shown only beside a shown total."""
    sizes: dict[Any, int] = {}
    for g, ratings in now.items():
        sizes[(g, "all")] = len(ratings)
        for p in range(1, points + 1):
            sizes[(g, p)] = sum(1 for r in ratings if r == p)
    everyone = [r for rs in now.values() for r in rs]
    sizes[("*", "all")] = len(everyone)
    for p in range(1, points + 1):
        sizes[("*", p)] = sum(1 for r in everyone if r == p)
    groups = sorted(now)
    lines = [Line((g, "all"), tuple((g, p) for p in range(1, points + 1))) for g in [*groups, "*"]]
    lines += [Line(("*", p), tuple((g, p) for g in groups)) for p in range(1, points + 1)]
    lines.append(Line(("*", "all"), tuple((g, "all") for g in groups)))
    hidden = withheld(sizes, lines, threshold=threshold)
    while True:  # a withheld group shows none of its cells, zeros included (they would tell its ratings)
        silent = {(g, p) for g in [*groups, "*"] if (g, "all") in hidden for p in range(1, points + 1)}
        again = withheld(sizes, lines, unpublished=silent, threshold=threshold)
        if again == hidden:
            break
        hidden = again
    before_all = [r for rs in before.values() for r in rs]

    def mean(ratings: list[int]) -> float | None:
        return round(sum(ratings) / len(ratings), 2) if len(ratings) >= threshold else None

    def row(g: str, ratings: list[int], previous: list[int]) -> RatingRow:
        shown = (g, "all") not in hidden
        return RatingRow(
            group="Everyone" if g == "*" else g,
            counts=[None if (g, p) in hidden else sizes[(g, p)] for p in range(1, points + 1)],
            total=sizes[(g, "all")] if shown else None,
            mean=mean(ratings) if shown else None,
            previous_mean=mean(previous) if shown else None,
        )

    return row("*", everyone, before_all), [row(g, now[g], before.get(g, [])) for g in groups]
