"""Where problems sit (issue 27, point 2): the organisation's diagnosis of a cycle, pure Python.

The obstacles managers record name an `ObstacleCategory`; the diagnosis reads them by `ProblemArea` (workforce,
tools and processes, management and leadership, resources, workload), the one mapping below. Upward feedback is
read by management level (depth in the organisation, as the calibration report counts it), competency ratings
below expectations by department, and training needs named against those addressed.

Every figure is a group of people and goes through `domain/suppression.py` (groups under 5 withheld, and what
subtraction would reveal). The reading in words (`reading`) is made from the figures shown only: each finding is
a sentence built from numbers of the diagnosis, with a stable key an improvement-plan item can name.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from enum import StrEnum
from typing import Any

from service.domain.feedback import RELEASE_GRACE, ReleaseRule, day_ends
from service.domain.reviews import ObstacleCategory
from service.domain.suppression import SUPPRESS_BELOW, Line, nested, withheld
from service.domain.workflow import Labelled, labels


class ProblemArea(Labelled):
    """Where a problem sits: with the workforce, tools and processes, management and leadership, resources, or
    the workload (obstacles a manager could place nowhere else: other)."""

    WORKFORCE = "workforce", "Workforce (skills and training)"
    TOOLS_AND_PROCESSES = "tools_and_processes", "Tools and processes"
    MANAGEMENT = "management_and_leadership", "Management and leadership"
    RESOURCES = "resources", "Resources"
    WORKLOAD = "workload", "Workload"
    OTHER = "other", "Other"


AREA_LABELS = labels(ProblemArea)

# The area of each category a manager records an obstacle under (every category has one: tests/unit/test_diagnosis).
AREA_OF: Mapping[ObstacleCategory, ProblemArea] = {
    ObstacleCategory.TRAINING: ProblemArea.WORKFORCE,
    ObstacleCategory.TOOLS: ProblemArea.TOOLS_AND_PROCESSES,
    ObstacleCategory.PROCESS: ProblemArea.TOOLS_AND_PROCESSES,
    ObstacleCategory.MANAGEMENT: ProblemArea.MANAGEMENT,
    ObstacleCategory.RESOURCES: ProblemArea.RESOURCES,
    ObstacleCategory.WORKLOAD: ProblemArea.WORKLOAD,
    ObstacleCategory.OTHER: ProblemArea.OTHER,
}


def categories_of(area: ProblemArea) -> tuple[ObstacleCategory, ...]:
    """The obstacle categories an area is made of, in the order of the categories."""
    return tuple(c for c in ObstacleCategory if AREA_OF[c] is area)


# --- obstacles by area ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaFigure:
    """Obstacles recorded in one area (None: a category of it is withheld, so the sum would give it away)."""

    area: ProblemArea
    obstacles: int | None
    categories: tuple[str, ...]


def areas_from(categories: Mapping[str, int | None]) -> list[AreaFigure]:
    """Each area's obstacles from the categories' counts as a report shows them (None: withheld); an area whose
    categories are all absent has 0."""
    rows = []
    for area in ProblemArea:
        cats = categories_of(area)
        found = [categories.get(c.value, 0) for c in cats]
        total = None if any(v is None for v in found) else sum(v or 0 for v in found)
        rows.append(AreaFigure(area, total, tuple(c.value for c in cats)))
    return rows


# --- competency gaps by department --------------------------------------------------------------------------


@dataclass(frozen=True)
class GapCell:
    """People rated below expectations in one competency (None: withheld)."""

    competency_id: str
    competency: str
    below: int | None


@dataclass(frozen=True)
class GapRow:
    """One department (or the organisation): the people whose competencies were rated, and the gaps among them."""

    group: str
    rated: int | None
    gaps: tuple[GapCell, ...]
    any_below: int | None = None  # people below expectations in at least one competency
    suppressed: bool = False


ORG = "Organisation"


def gap_rows(
    rated: Mapping[str, set[str]],
    below: Mapping[tuple[str, str], set[str]],
    competencies: Mapping[str, str],
) -> tuple[GapRow, list[GapRow]]:
    """The organisation's row and one per department. `rated`: department → people rated; `below`: (department,
    competency) → people rated below expectations in it. Groups under 5, and what subtraction would reveal
    (the organisation's figure minus the departments shown, a department's people minus those below), withheld."""
    sizes: dict[Hashable, int] = {("rated",): sum(len(p) for p in rated.values())}
    lines: list[Line] = [Line(("rated",), tuple(("rated", d) for d in rated))]
    for d, people in rated.items():
        sizes[("rated", d)] = len(people)
    for cid in competencies:
        sizes[("gap", cid)] = sum(len(below.get((d, cid), ())) for d in rated)
        lines.append(nested(("rated",), ("gap", cid)))
        lines.append(Line(("gap", cid), tuple(("gap", d, cid) for d in rated)))
        for d in rated:
            sizes[("gap", d, cid)] = len(below.get((d, cid), ()))
            lines.append(nested(("rated", d), ("gap", d, cid)))
    anyone = {d: set().union(*(below.get((d, cid), set()) for cid in competencies)) for d in rated}
    sizes[("any",)] = sum(len(p) for p in anyone.values())
    lines += [nested(("rated",), ("any",)), Line(("any",), tuple(("any", d) for d in rated))]
    for d, people in anyone.items():
        sizes[("any", d)] = len(people)
        lines.append(nested(("rated", d), ("any", d)))
        # Within a department, the people below in one competency are among those below in any.
        lines.extend(nested(("any", d), ("gap", d, cid)) for cid in competencies)
    lines.extend(nested(("any",), ("gap", cid)) for cid in competencies)
    hidden = withheld(sizes, lines)

    def row(group: str, rated_key: Hashable, any_key: Hashable, gap_key) -> GapRow:
        gone = rated_key in hidden
        cells = tuple(
            GapCell(cid, name, None if gone or gap_key(cid) in hidden else sizes[gap_key(cid)])
            for cid, name in competencies.items()
        )
        some = None if gone or any_key in hidden else sizes[any_key]
        return GapRow(group, None if gone else sizes[rated_key], cells, some, gone)

    org = row(ORG, ("rated",), ("any",), lambda cid: ("gap", cid))
    departments = [
        row(d, ("rated", d), ("any", d), lambda cid, d=d: ("gap", d, cid))
        for d in sorted(rated, key=str.casefold)
        if rated[d]
    ]
    return org, departments


# --- upward feedback by management level --------------------------------------------------------------------


@dataclass(frozen=True)
class UpwardGroup:
    """One manager's upward group as it counts (at least the cycle's threshold of answers): how many answered, and
    the sum and number of the ratings given in the competencies at least the threshold rated."""

    level: int
    respondents: int
    rating_sum: float
    ratings: int
    known_by: frozenset[str] = frozenset()  # who reads this group alone: the manager and everyone above them


@dataclass(frozen=True)
class LevelFigure:
    """Upward feedback about the managers at one level: managers with a group shown, the answers behind it and
    the average rating on the cycle's scale (None: withheld, fewer than 5 answers or revealed by subtraction)."""

    level: int
    managers: int | None
    respondents: int | None
    average: float | None


def upward_final_at(rule: ReleaseRule, deadline: date | None, zone: tzinfo | None = None) -> datetime | None:
    """The moment every upward group of a cycle is final and released at once: `RELEASE_GRACE` after the midnight
    that ends the feedback deadline's day on the organisation's clock (`zone`, `feedback.day_ends`), when the cycle's
    rule releases on the deadline. None: groups are released one by one as managers submit (rule `manager`), so only
    the cycle's close makes the whole set final."""
    if deadline is None or not rule.on_deadline:
        return None
    return day_ends(deadline, zone) + RELEASE_GRACE


def upward_final(rule: ReleaseRule, deadline: date | None, closed: bool, now: datetime) -> bool:
    """Whether a cycle's upward figures may be shown: only once no group can join, leave or grow any more, so a
    figure a reader saw never changes (before and after would give one group, or one answer, away)."""
    at = upward_final_at(rule, deadline, now.tzinfo)
    return closed if at is None else now >= at


def upward_groups(
    summaries: Iterable[Mapping[str, Any]], competencies: Iterable[str], threshold: int
) -> list[UpwardGroup]:
    """Each manager's upward group from the cycle's summaries, counted as `feedback.group_result` shows it: a group
    under the threshold is left out, and so is a competency fewer than the threshold rated; a manager whose level
    was not known when the first answer came (not in the directory) too."""
    wanted = list(competencies)
    found = []
    for s in summaries:
        answers, level = int(s.get("answers", 0)), int(s.get("level") or 0)
        if answers < threshold or level < 1:
            continue
        total = rated = 0
        for cid in wanted:
            n = int(s.get(f"n#{cid}", 0))
            if n >= threshold:
                total, rated = total + int(s.get(f"s#{cid}", 0)), rated + n
        known = frozenset([str(s.get("subject_id", "")), *(s.get("chain") or [])]) - {""}
        found.append(UpwardGroup(level, answers, float(total), rated, known))
    return found


def known_apart(groups: Sequence[UpwardGroup]) -> bool:
    """Whether someone who reads some of these groups alone (a manager their own, a manager above theirs, who may
    also read the diagnosis) would learn the rest by subtracting them from the level's figure: the others' answers
    are fewer than 5 but not none."""
    readers = set().union(*(g.known_by for g in groups)) if groups else set()
    for reader in readers:
        rest = sum(g.respondents for g in groups if reader not in g.known_by)
        if 0 < rest < SUPPRESS_BELOW:
            return True
    return False


def upward_levels(groups: Sequence[UpwardGroup]) -> list[LevelFigure]:
    """Upward feedback by level; a level's group is the people who answered about its managers (a person answers
    about their own manager only, so levels are disjoint): under 5 withheld, and the next-smallest where the
    total would give one away; a level withheld too where a manager, or one above them, who reads their own
    groups could subtract them and be left with fewer than 5 others' answers (`known_apart`)."""
    by_level: dict[int, list[UpwardGroup]] = {}
    for g in groups:
        by_level.setdefault(g.level, []).append(g)
    sizes: dict[Hashable, int] = {("upward",): sum(g.respondents for g in groups)}
    for level, mine in by_level.items():
        sizes[("level", level)] = sum(g.respondents for g in mine)
    apart = [("level", n) for n, mine in by_level.items() if known_apart(mine)]
    hidden = withheld(sizes, [Line(("upward",), tuple(("level", n) for n in by_level))], unpublished=apart)
    rows = []
    for level in sorted(by_level):
        mine = by_level[level]
        gone = ("level", level) in hidden
        n = sum(g.ratings for g in mine)
        rows.append(
            LevelFigure(
                level=level,
                managers=None if gone else len(mine),
                respondents=None if gone else sizes[("level", level)],
                average=None if gone or not n else round(sum(g.rating_sum for g in mine) / n, 2),
            )
        )
    return rows


# --- training needed against training delivered --------------------------------------------------------------


@dataclass(frozen=True)
class TrainingFigure:
    """Training needs named for a topic and those addressed (delivered by training or a learning activity)."""

    topic_id: str
    topic: str
    people: int
    needs: int
    addressed: int | None


@dataclass(frozen=True)
class TrainingTotals:
    """Needs named and addressed over the topics shown (a withheld topic is in neither)."""

    needs: int
    addressed: int | None

    @property
    def percent(self) -> int | None:
        """Share of the needs named that were addressed, in whole percent."""
        if self.addressed is None or not self.needs:
            return None
        return round(100 * self.addressed / self.needs)


def training_totals(rows: Sequence[TrainingFigure]) -> TrainingTotals:
    """The sums over the topics shown; the needs addressed only when every topic shown gives them."""
    needs = sum(r.needs for r in rows)
    addressed = None if any(r.addressed is None for r in rows) else sum(r.addressed or 0 for r in rows)
    return TrainingTotals(needs, addressed)


# --- the reading in words ---------------------------------------------------------------------------------


class FindingKind(StrEnum):
    """What a finding is about (the section of the diagnosis it comes from)."""

    OBSTACLES = "obstacles"
    OBSTACLES_RISING = "obstacles_rising"
    UPWARD = "upward"
    COMPETENCY_GAP = "competency_gap"
    TRAINING = "training"


@dataclass(frozen=True)
class Finding:
    """One sentence of the reading, made from figures of the diagnosis; `key` names it for an improvement plan."""

    key: str
    kind: FindingKind
    text: str


@dataclass(frozen=True)
class CycleFigures:
    """What one cycle's diagnosis shows, as the reading and the trend read it."""

    cycle_id: str
    cycle_name: str
    areas: list[AreaFigure]
    training: TrainingTotals
    gaps: GapRow | None = None
    levels: list[LevelFigure] = field(default_factory=list)
    departments: list[GapRow] = field(default_factory=list)
    topics: list[TrainingFigure] = field(default_factory=list)


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def reading(now: CycleFigures, before: CycleFigures | None, points: int, meets: int) -> list[Finding]:
    """What stands out, in words, from the figures shown only (a withheld figure is never read): the area with
    the most obstacles and any area that rose since the cycle before, the management level whose upward feedback
    is lowest, the largest competency gap in a department, and how much of the training named was delivered."""
    found: list[Finding] = []
    shown = [a for a in now.areas if a.obstacles and a.area is not ProblemArea.OTHER]
    if shown:
        top = max(shown, key=lambda a: (a.obstacles or 0, -list(ProblemArea).index(a.area)))
        total = sum(a.obstacles or 0 for a in now.areas) if all(a.obstacles is not None for a in now.areas) else None
        of = f" of {total}" if total is not None else ""
        found.append(
            Finding(
                f"obstacles:{top.area.value}",
                FindingKind.OBSTACLES,
                f"Most obstacles recorded sit with {AREA_LABELS[top.area].lower()}: "
                f"{top.obstacles}{of} obstacles in {now.cycle_name}.",
            )
        )
    if before is not None and any(a.obstacles for a in before.areas):  # a cycle with none recorded says nothing
        earlier = {a.area: a.obstacles for a in before.areas}
        for a in now.areas:
            was = earlier.get(a.area)
            if a.area is ProblemArea.OTHER:
                continue
            if a.obstacles is not None and was is not None and a.obstacles > was:
                found.append(
                    Finding(
                        f"obstacles_rising:{a.area.value}",
                        FindingKind.OBSTACLES_RISING,
                        f"Obstacles with {AREA_LABELS[a.area].lower()} rose from {was} in {before.cycle_name} "
                        f"to {a.obstacles} in {now.cycle_name}.",
                    )
                )
    levels = [lv for lv in now.levels if lv.average is not None]
    if levels:
        low = min(levels, key=lambda lv: (lv.average or 0, lv.level))
        where = "below" if (low.average or 0) < meets else "at or above"
        was = next((lv.average for lv in (before.levels if before else []) if lv.level == low.level), None)
        then = f"; {was:g} in {before.cycle_name}" if was is not None and before is not None else ""
        found.append(
            Finding(
                f"upward:level-{low.level}",
                FindingKind.UPWARD,
                f"Upward feedback is {'lowest for' if len(levels) > 1 else 'shown only for'} managers at level "
                f"{low.level}: {low.average:g} on the {points}-point "
                f"scale, {where} expectations ({_plural(low.respondents or 0, 'answer', 'answers')}){then}.",
            )
        )
    best: tuple[float, GapRow, GapCell] | None = None
    for row in now.departments:
        for cell in row.gaps:
            if row.rated and cell.below:
                share = cell.below / row.rated
                if best is None or share > best[0]:
                    best = (share, row, cell)
    if best is not None:
        _, row, cell = best
        found.append(
            Finding(
                f"gap:{row.group}:{cell.competency_id}",
                FindingKind.COMPETENCY_GAP,
                f"{row.group}: {cell.below} of {row.rated} people rated were below expectations in {cell.competency}.",
            )
        )
    t = now.training
    if t.needs and t.addressed is not None:
        found.append(
            Finding(
                "training:delivered",
                FindingKind.TRAINING,
                f"{t.addressed} of {_plural(t.needs, 'training need', 'training needs')} named in "
                f"{now.cycle_name} were addressed ({t.percent}%).",
            )
        )
    waiting = [r for r in now.topics if r.addressed is not None and r.needs > r.addressed]
    if waiting:
        worst = max(waiting, key=lambda r: (r.needs - (r.addressed or 0), r.topic.casefold()))
        found.append(
            Finding(
                f"training:topic:{worst.topic_id}",
                FindingKind.TRAINING,
                f"{worst.topic}: {worst.needs - (worst.addressed or 0)} of "
                f"{_plural(worst.needs, 'need', 'needs')} named not addressed yet.",
            )
        )
    return found
