"""Review templates: competencies, a rating scale, questions per form, and score weights."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from service.domain.errors import FieldErrors
from service.domain.filenames import slug


class Form(StrEnum):
    """The forms a template has questions for."""

    SELF = "self"
    MANAGER = "manager"
    PEER = "peer"
    UPWARD = "upward"


WEIGHT_PARTS = ("goals", "competencies", "feedback")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")


@dataclass(frozen=True)
class Competency:
    """Something people are rated on, with what it means."""

    id: str
    name: str
    description: str


@dataclass(frozen=True)
class Question:
    """A free-text question on a form."""

    id: str
    text: str
    required: bool = False


@dataclass(frozen=True)
class Scale:
    """A rating scale of 2–10 points, each with a label (1 is lowest)."""

    labels: tuple[str, ...]

    @property
    def points(self) -> int:
        """How many points the scale has."""
        return len(self.labels)

    def label(self, rating: int) -> str:
        """The label of a rating."""
        return self.labels[rating - 1]

    def normalise(self, rating: float) -> float:
        """A rating as 0–100 (1 → 0, top → 100)."""
        return (rating - 1) / (self.points - 1) * 100

    def point(self, score: float) -> float:
        """A 0–100 score read back on the scale (the inverse of `normalise`)."""
        return 1 + score / 100 * (self.points - 1)

    def nearest(self, score: float) -> int:
        """The point of the scale nearest to a 0–100 score: the overall rating a score stands for."""
        return min(max(round(self.point(score)), 1), self.points)


@dataclass(frozen=True)
class Template:
    """A review template; every saved edit is a new version."""

    template_id: str
    name: str
    competencies: tuple[Competency, ...]
    scale: Scale
    questions: dict[Form, tuple[Question, ...]]
    weights: dict[str, int]
    version: int = 0
    updated_at: str = ""
    updated_by: str = ""
    archived: bool = False
    calibration: bool = False  # issue 23: a calibration phase between the manager assessments and the discussions
    potential: tuple[str, ...] = ()  # issue 23: labels of the optional potential rating (lowest first), 2–5 points
    extra: dict[str, Any] = field(default_factory=dict)

    def competency_ids(self) -> list[str]:
        """Ids of the competencies, in order."""
        return [c.id for c in self.competencies]


def id_from(text: str) -> str:
    """An id made from a name ('Code review' → 'code-review'), cut at a word within 40 characters; '' when
    the name has no ASCII letter or digit to make one from."""
    if not any(ch.isascii() and ch.isalnum() for ch in unicodedata.normalize("NFKD", text)):
        return ""
    made = slug(text)
    if len(made) > 40:
        cut = made[:41]
        made = cut[: cut.rfind("-")] if "-" in cut else made[:40]
    return made.strip("-")


def derive_ids(texts: list[str], kept: list[str | None], fallback: str) -> list[str]:
    """Ids for rows of a template (competencies by name, questions by text): a row's kept id stays as it is, so
    ids never change once saved; a new row's id is made from its text, unique among the rows (`-2`, `-3`…),
    `fallback-N` when the text gives none."""
    taken = {k for k in kept if k}
    out: list[str] = []
    for n, (text, k) in enumerate(zip(texts, kept, strict=True), start=1):
        if k:
            out.append(k)
            continue
        base = id_from(text) or f"{fallback}-{n}"
        candidate, count = base, 1
        while candidate in taken:
            count += 1
            suffix = f"-{count}"
            candidate = base[: 40 - len(suffix)].rstrip("-") + suffix
        taken.add(candidate)
        out.append(candidate)
    return out


def validate_template(t: Template) -> None:
    """Refuse a template that could not run a fair review; messages are per field."""
    e = FieldErrors()
    if not t.name.strip():
        e.add("name", "required")
    if not 2 <= t.scale.points <= 10:
        e.add("scale", "a scale has 2 to 10 points")
    if any(not label.strip() for label in t.scale.labels):
        e.add("scale", "every point needs a label")
    if len(set(t.scale.labels)) != len(t.scale.labels):
        e.add("scale", "labels must differ")
    if t.potential and not 2 <= len(t.potential) <= 5:
        e.add("potential", "a potential scale has 2 to 5 points")
    if any(not label.strip() for label in t.potential) or len(set(t.potential)) != len(t.potential):
        e.add("potential", "every point needs a label of its own")
    if not t.competencies:
        e.add("competencies", "at least one competency")
    ids = [c.id for c in t.competencies]
    if len(set(ids)) != len(ids):
        e.add("competencies", "competency ids must be unique")
    for c in t.competencies:
        if not SLUG.match(c.id):
            e.add("competencies", f"id {c.id!r}: use lower-case letters, digits, '-' or '_'")
        if not c.name.strip() or not c.description.strip():
            e.add("competencies", f"{c.id}: a name and a description are required")
    for form, questions in t.questions.items():
        qids = [q.id for q in questions]
        if len(set(qids)) != len(qids):
            e.add(f"questions.{form}", "question ids must be unique")
        if any(not SLUG.match(q.id) or not q.text.strip() for q in questions):
            e.add(f"questions.{form}", "every question needs an id and a text")
    if set(t.weights) != set(WEIGHT_PARTS):
        e.add("weights", f"give exactly {', '.join(WEIGHT_PARTS)}")
    elif any(not 0 <= w <= 100 for w in t.weights.values()):
        e.add("weights", "each weight is 0–100")
    elif sum(t.weights.values()) != 100:
        e.add("weights", f"weights add up to {sum(t.weights.values())}, not 100")
    e.refuse("The template is not valid.")


def template_to_dict(t: Template) -> dict[str, Any]:
    """Template → plain data (storage, snapshots, JSON)."""
    return {
        "template_id": t.template_id,
        "name": t.name,
        "competencies": [{"id": c.id, "name": c.name, "description": c.description} for c in t.competencies],
        "scale": list(t.scale.labels),
        "questions": {
            str(f): [{"id": q.id, "text": q.text, "required": q.required} for q in qs] for f, qs in t.questions.items()
        },
        "weights": dict(t.weights),
        "version": t.version,
        "updated_at": t.updated_at,
        "updated_by": t.updated_by,
        "archived": t.archived,
        "calibration": t.calibration,
        "potential": list(t.potential),
    }


def template_from_dict(d: dict[str, Any]) -> Template:
    """Plain data → Template."""
    return Template(
        template_id=d["template_id"],
        name=d["name"],
        competencies=tuple(Competency(c["id"], c["name"], c["description"]) for c in d["competencies"]),
        scale=Scale(tuple(d["scale"])),
        questions={
            Form(f): tuple(Question(q["id"], q["text"], bool(q.get("required", False))) for q in qs)
            for f, qs in d.get("questions", {}).items()
        },
        weights={k: int(v) for k, v in d["weights"].items()},
        version=int(d.get("version", 0)),
        updated_at=d.get("updated_at", ""),
        updated_by=d.get("updated_by", ""),
        archived=bool(d.get("archived", False)),
        calibration=bool(d.get("calibration", False)),
        potential=tuple(d.get("potential") or ()),
    )
