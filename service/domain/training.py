"""Training needs and obstacles as items of their own: the topic catalogue and its matching, a person's
contribution to the aggregates, small-group suppression and the suggested programme (greedy set cover).

Pure Python. The aggregates are sums of per-person contributions: a review write replaces one person's
contribution, so the store adds (new − old) to a fixed set of aggregate items in the same transaction.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial
from typing import Any, TypeVar

from service.domain.errors import ValidationFailed
from service.domain.reviews import PRIORITY_WEIGHT, NeedFormat, ObstacleCategory, Priority, normalise_topic

E = TypeVar("E", bound=StrEnum)


class NeedSource(StrEnum):
    """Who named the need."""

    SELF = "self"
    MANAGER = "manager"


class NeedStatus(StrEnum):
    """A need is open until training or a learning activity is logged against it."""

    OPEN = "open"
    ADDRESSED = "addressed"


class SuggestionAnswer(StrEnum):
    """The manager's answer to a need suggested by a low rating."""

    CONFIRMED = "confirmed"  # becomes a training need
    DISMISSED = "dismissed"


# The report's three places a problem can sit (product brief: workforce, tools and processes, leadership).
OBSTACLE_AREAS: dict[str, tuple[ObstacleCategory, ...]] = {
    "workforce": (ObstacleCategory.TRAINING, ObstacleCategory.WORKLOAD),
    "tools and processes": (ObstacleCategory.TOOLS, ObstacleCategory.PROCESS, ObstacleCategory.RESOURCES),
    "leadership": (ObstacleCategory.MANAGEMENT,),
    "other": (ObstacleCategory.OTHER,),
}


def slug(text: str) -> str:
    """A topic id from a name: lower-case words joined by hyphens (safe in keys and attribute names)."""
    return re.sub(r"[^a-z0-9]+", "-", normalise_topic(text).replace("+", "plus").replace("#", "sharp")).strip("-")[:60]


def _fold(text: str) -> str:
    # Matching is forgiving about word order and a plural 's': "Speaking, public" fits "public speaking".
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in text.split()]
    return " ".join(sorted(words))


@dataclass(frozen=True)
class ReportSchedule:
    """How often HR has the training-need report emailed to leadership (besides a cycle's close)."""

    frequency: str = "off"
    version: int = 0


@dataclass
class Topic:
    """A catalogue topic: a name, synonyms that match free text, and the competency it develops."""

    topic_id: str
    name: str
    synonyms: tuple[str, ...] = ()
    competency_id: str | None = None
    merged_into: str | None = None
    version: int = 0


class Catalogue:
    """The HR-managed topics, and the matching of free text to them."""

    def __init__(self, topics: list[Topic]) -> None:
        self.topics = {t.topic_id: t for t in topics}
        self._index: dict[str, str] = {}
        for t in topics:
            if t.merged_into:
                continue
            for text in (t.name, *t.synonyms):
                self._index.setdefault(_fold(normalise_topic(text)), t.topic_id)

    def resolve(self, topic_id: str) -> str:
        """Follow merges to the topic that stands now."""
        seen: set[str] = set()
        while topic_id in self.topics and self.topics[topic_id].merged_into and topic_id not in seen:
            seen.add(topic_id)
            topic_id = self.topics[topic_id].merged_into or topic_id
        return topic_id

    def match(self, text: str) -> tuple[str, str, bool]:
        """Free text → (topic id, label, matched the catalogue?). Unmatched text becomes a free topic."""
        key = _fold(normalise_topic(text))
        found = self._index.get(key)
        if found:
            topic = self.topics[self.resolve(found)]
            return topic.topic_id, topic.name, True
        return "free-" + slug(text), " ".join(text.split())[:120], False

    def label(self, topic_id: str, fallback: str = "") -> str:
        """The name a topic id is shown with."""
        t = self.topics.get(self.resolve(topic_id))
        return t.name if t else (fallback or topic_id.removeprefix("free-").replace("-", " ").capitalize())

    def competency(self, topic_id: str) -> str | None:
        """The competency a topic develops, if the catalogue says."""
        t = self.topics.get(self.resolve(topic_id))
        return t.competency_id if t else None


def check_topic(name: str, synonyms: list[str], catalogue: Catalogue, topic_id: str | None = None) -> None:
    """A topic needs a name, and none of its words may already belong to another topic."""
    errors: dict[str, list[str]] = {}
    if not normalise_topic(name):
        errors["name"] = ["required"]
    for n, text in enumerate([name, *synonyms]):
        owner = catalogue._index.get(_fold(normalise_topic(text)))
        if owner and catalogue.resolve(owner) != topic_id:
            field_name = "name" if n == 0 else f"synonyms.{n - 1}"
            errors.setdefault(field_name, []).append(f"already a name of {catalogue.label(owner)!r}")
    if errors:
        raise ValidationFailed("The topic is not valid.", errors)


@dataclass
class TrainingNeed:
    """One training need named in an assessment."""

    need_id: str
    cycle_id: str
    employee_id: str
    department: str
    source: NeedSource
    topic_id: str
    topic_label: str
    priority: Priority
    format: NeedFormat
    rationale: str = ""
    estimated_cost: float | None = None
    competency_id: str | None = None
    text: str = ""  # as typed
    status: NeedStatus = NeedStatus.OPEN
    addressed_by: str | None = None
    addressed_at: str | None = None
    chain: tuple[str, ...] = ()
    version: int = 0

    @property
    def topic(self) -> str:
        """The topic's name as readers see it."""
        return self.topic_label

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "need_id": self.need_id,
            "cycle_id": self.cycle_id,
            "employee_id": self.employee_id,
            "department": self.department,
            "source": self.source.value,
            "topic_id": self.topic_id,
            "topic": self.topic_label,
            "priority": self.priority.value,
            "format": self.format.value,
            "rationale": self.rationale,
            "estimated_cost": self.estimated_cost,
            "competency_id": self.competency_id,
            "status": self.status.value,
            "addressed_by": self.addressed_by,
            "addressed_at": self.addressed_at,
            "version": self.version,
        }

    def record(self) -> dict[str, Any]:
        """Stored form (the item's attributes, and the copy kept with the person's contribution)."""
        return {
            **{k: v for k, v in self.as_dict().items() if k != "topic"},
            "topic_label": self.topic_label,
            "text": self.text,
            "chain": list(self.chain),
        }

    @staticmethod
    def from_record(item: dict[str, Any]) -> TrainingNeed:
        """Stored form → TrainingNeed."""
        cost = item.get("estimated_cost")
        return TrainingNeed(
            need_id=item["need_id"],
            cycle_id=item["cycle_id"],
            employee_id=item["employee_id"],
            department=item.get("department", ""),
            source=NeedSource(item["source"]),
            topic_id=item["topic_id"],
            topic_label=item.get("topic_label", ""),
            priority=_stored(Priority, item.get("priority"), Priority.MEDIUM),
            format=_stored(NeedFormat, item.get("format"), NeedFormat.OTHER),
            rationale=item.get("rationale", ""),
            estimated_cost=float(cost) if cost is not None else None,
            competency_id=item.get("competency_id"),
            text=item.get("text", ""),
            status=_stored(NeedStatus, item.get("status"), NeedStatus.OPEN),
            addressed_by=item.get("addressed_by"),
            addressed_at=item.get("addressed_at"),
            chain=tuple(item.get("chain", [])),
            version=int(item.get("version", 0)),
        )


def _stored(choices: type[E], value: Any, default: E) -> E:
    # A code read back from the table: one a later version no longer knows reads as the default, never a failure.
    return choices(value) if value in {c.value for c in choices} else default


def need_id(cycle_id: str, employee_id: str, source: str, n: int) -> str:
    """A need's id: stable for the same row of the same form, so a resubmission replaces it."""
    return f"{cycle_id}.{employee_id}.{source}.{n}"


def needs_from_content(
    rows: list[dict[str, Any]],
    *,
    cycle_id: str,
    employee_id: str,
    department: str,
    chain: tuple[str, ...],
    source: NeedSource,
    catalogue: Catalogue,
) -> list[TrainingNeed]:
    """The typed needs of one form's rows (topics matched to the catalogue)."""
    # Every row is a need of the same person, named in the same form.
    persons_need = partial(
        TrainingNeed, cycle_id=cycle_id, employee_id=employee_id, department=department, source=source, chain=chain
    )
    out = []
    for n, row in enumerate(rows):
        text = row.get("topic") or ""
        if not normalise_topic(text):
            continue
        topic_id, label, _ = catalogue.match(text)
        cost = row.get("estimated_cost")
        out.append(
            persons_need(
                need_id=need_id(cycle_id, employee_id, source.value, n),
                topic_id=topic_id,
                topic_label=label,
                priority=Priority(row.get("priority") or "medium"),
                format=NeedFormat(row.get("format") or "course"),
                rationale=row.get("rationale") or "",
                estimated_cost=float(cost) if cost not in (None, "") else None,
                competency_id=row.get("competency_id") or catalogue.competency(topic_id),
                text=text,
            )
        )
    return out


def low_rating(rating: int | None, points: int) -> bool:
    """A rating low enough to suggest a training need: the bottom two points of a 4+ point scale."""
    return rating is not None and rating <= (2 if points >= 4 else 1)


@dataclass(frozen=True)
class SuggestedNeed:
    """A training need a low competency rating suggests, and the manager's answer so far ("" while undecided)."""

    competency_id: str
    name: str
    rating: int
    points: int
    answer: str = ""

    @property
    def undecided(self) -> bool:
        """Nobody confirmed or dismissed it yet."""
        return self.answer not in set(SuggestionAnswer)


def _as_rating(value: Any, points: int) -> int | None:
    # A stored draft holds ints; a form sent back to its writer holds the typed text: either is one of the
    # scale's points, or no rating.
    if isinstance(value, bool):
        return None
    scale = range(1, points + 1)
    if isinstance(value, int):
        return value if value in scale else None
    return {str(n): n for n in scale}.get(value.strip()) if isinstance(value, str) else None


def suggested_needs(
    competencies: list[tuple[str, str]], points: int, content: dict[str, Any] | None
) -> list[SuggestedNeed]:
    """The needs a manager assessment's low ratings suggest, in the template's order of competencies
    (`competencies`: id and name), each with the answer the assessment holds."""
    content = content or {}
    ratings = content.get("competency_ratings") or {}
    answers = content.get("need_suggestions") or {}
    found = []
    for cid, name in competencies:
        entry = ratings.get(cid)
        rating = _as_rating(entry.get("rating"), points) if isinstance(entry, dict) else None
        if rating is not None and low_rating(rating, points):
            answer = answers.get(cid) if isinstance(answers, dict) else None
            found.append(SuggestedNeed(cid, name, rating, points, answer if isinstance(answer, str) else ""))
    return found


# --- a person's contribution to the aggregates --------------------------------------------------------


@dataclass
class Contribution:
    """What one person adds to the aggregates of a cycle (figures per topic, competency, obstacle category)."""

    department: str = ""
    chain: tuple[str, ...] = ()
    topics: dict[str, dict[str, Any]] = field(default_factory=dict)  # id → {w, high, cost, needs, formats, label}
    competencies: dict[str, int] = field(default_factory=dict)  # id → priority weight
    obstacles: dict[str, int] = field(default_factory=dict)  # category → how many
    addressed: dict[str, int] = field(default_factory=dict)  # topic → needs addressed
    needs: list[dict[str, Any]] = field(default_factory=list)  # the person's needs as stored (read once, not queried)
    version: int = 0

    def groups(self) -> list[str]:
        """The aggregate groups this person counts in: the organisation, their department, each manager above."""
        if not (self.topics or self.obstacles):
            return []
        return ["ORG", f"DEPT|{self.department}", *(f"MGR|{m}" for m in self.chain)]

    def figures(self, org: bool) -> Counter:
        """Attribute → value this person adds to one group's aggregate item."""
        c: Counter = Counter()
        if self.topics:
            c["people"] += 1
            c["counted|people"] += 1  # people counted with fp/ap/up too: fewer than `people` in older aggregates
        if self.obstacles:
            c["obstacle_people"] += 1
        for t, f in self.topics.items():
            c[f"p|{t}"] += 1
            c[f"up|{t}"] += 1 if f["needs"] > self.addressed.get(t, 0) else 0  # people with a need still open
            c[f"s|{t}"] += f["w"]
            c[f"h|{t}"] += 1 if f["high"] else 0
            c[f"n|{t}"] += f["needs"]
            c[f"c|{t}"] += round(f["cost"] * 100)  # cents: counters are integers
            for fmt, k in f["formats"].items():
                c[f"f|{t}|{fmt}"] += k
                c[f"fp|{t}|{fmt}"] += 1 if k else 0  # the people behind a format's needs (for suppression)
        for t, k in self.addressed.items():
            c[f"a|{t}"] += k
            c[f"ap|{t}"] += 1 if k else 0  # the people behind the needs addressed
        for cat, k in self.obstacles.items():
            c[f"op|{cat}"] += 1
            c[f"on|{cat}"] += k
        if org:
            for comp, w in self.competencies.items():
                c[f"cp|{comp}"] += 1
                c[f"cs|{comp}"] += w
            high = sorted(t for t, f in self.topics.items() if f["high"])
            if high:
                c["hc|" + "+".join(high)] += 1  # the people behind the greedy set cover, by set of topics
        return c

    def to_dict(self) -> dict[str, Any]:
        """Stored form."""
        return {
            "department": self.department,
            "chain": list(self.chain),
            "topics": self.topics,
            "competencies": self.competencies,
            "obstacles": self.obstacles,
            "addressed": self.addressed,
            "needs": self.needs,
        }

    def stored_needs(self) -> list[TrainingNeed]:
        """The person's needs as stored with this contribution."""
        return [TrainingNeed.from_record(d) for d in self.needs]

    @staticmethod
    def from_dict(data: dict[str, Any] | None, version: int = 0) -> Contribution:
        """Stored form → Contribution (empty when none yet)."""
        data = data or {}
        return Contribution(
            department=data.get("department", ""),
            chain=tuple(data.get("chain", [])),
            topics={k: _plain(v) for k, v in (data.get("topics") or {}).items()},
            competencies={k: int(v) for k, v in (data.get("competencies") or {}).items()},
            obstacles={k: int(v) for k, v in (data.get("obstacles") or {}).items()},
            addressed={k: int(v) for k, v in (data.get("addressed") or {}).items()},
            needs=[dict(n) for n in data.get("needs") or []],
            version=version,
        )


def _plain(f: dict[str, Any]) -> dict[str, Any]:
    return {
        "w": int(f["w"]),
        "high": bool(f["high"]),
        "cost": float(f["cost"]),
        "needs": int(f["needs"]),
        "formats": {k: int(v) for k, v in f["formats"].items()},
        "label": f.get("label", ""),
    }


def contribution(
    department: str,
    chain: tuple[str, ...],
    needs: list[TrainingNeed],
    obstacles: list[dict[str, Any]],
) -> Contribution:
    """One person's contribution from all their needs (both sources) and their manager's obstacles."""
    c = Contribution(department=department, chain=chain, needs=[n.record() for n in needs])
    for need in needs:
        weight = PRIORITY_WEIGHT[need.priority]
        t = c.topics.setdefault(
            need.topic_id, {"w": 0, "high": False, "cost": 0.0, "needs": 0, "formats": {}, "label": need.topic_label}
        )
        t["w"] = max(t["w"], weight)  # a person counts once per topic, at the highest priority named
        t["high"] = t["high"] or need.priority is Priority.HIGH
        t["cost"] += need.estimated_cost or 0.0
        t["needs"] += 1
        t["formats"][need.format.value] = t["formats"].get(need.format.value, 0) + 1
        if need.competency_id:
            c.competencies[need.competency_id] = max(c.competencies.get(need.competency_id, 0), weight)
        if need.status is NeedStatus.ADDRESSED:
            c.addressed[need.topic_id] = c.addressed.get(need.topic_id, 0) + 1
    for o in obstacles:
        cat = o.get("category") or ObstacleCategory.OTHER.value
        c.obstacles[cat] = c.obstacles.get(cat, 0) + 1
    return c


def deltas(before: Contribution, after: Contribution) -> dict[str, dict[str, int]]:
    """Group → {attribute: change}: what to add to each aggregate item when `before` becomes `after`."""
    out: dict[str, Counter] = {}
    for sign, c in ((-1, before), (1, after)):
        for g in c.groups():
            acc = out.setdefault(g, Counter())
            for name, value in c.figures(g == "ORG").items():
                acc[name] += sign * value
    return {g: {k: int(v) for k, v in acc.items() if v} for g, acc in out.items() if any(acc.values())}


# --- the suggested programme (suppression: domain/suppression.py) ---------------------------------------


@dataclass(frozen=True)
class ProgrammeStep:
    """One topic of the suggested programme and what it adds."""

    topic_id: str
    new_people: int
    covered: int
    coverage: float
    cost: float


def greedy_programme(
    combos: dict[tuple[str, ...], int], n: int, cost: dict[str, float], total: int | None = None
) -> list[ProgrammeStep]:
    """The n topics that together cover the most people with high-priority needs, picked greedily: each step
    takes the topic that reaches the most people not yet covered (ties: the cheaper, then by name).

    `combos` maps a set of topics to the number of people whose high-priority needs are exactly that set;
    `total` is the number of people coverage is a share of (default: everyone in `combos`).
    """
    total = sum(combos.values()) if total is None else total
    remaining = {k: v for k, v in combos.items() if v > 0}
    chosen: list[ProgrammeStep] = []
    covered = 0
    topics = sorted({t for k in remaining for t in k})
    for _ in range(max(0, n)):
        gains = Counter()
        for k, v in remaining.items():
            for t in k:
                gains[t] += v
        best = sorted((t for t in topics if gains[t] > 0), key=lambda t: (-gains[t], cost.get(t, 0.0), t))
        if not best:
            break
        pick = best[0]
        covered += gains[pick]
        remaining = {k: v for k, v in remaining.items() if pick not in k}
        topics.remove(pick)
        chosen.append(
            ProgrammeStep(
                pick, gains[pick], covered, round(100 * covered / total, 1) if total else 0.0, cost.get(pick, 0.0)
            )
        )
    return chosen
