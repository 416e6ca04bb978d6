"""A review form's sections, and how far a draft has come: what the form pages and the home page's "Continue:
4 of 7 sections done" both count (pure: the content rules of domain/reviews.py decide what a section lacks)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from service.domain.errors import ValidationFailed
from service.domain.reviews import check_discussion, check_manager, check_self
from service.domain.templates import Template
from service.domain.training import suggested_needs


@dataclass(frozen=True)
class FormSection:
    """One section of a review form and whether its draft content is complete."""

    key: str
    title: str
    fields: tuple[str, ...]  # the content keys it holds
    done: bool
    optional: bool  # declared optional, and nothing in it stands in the way of a submission
    filled: bool = False

    @property
    def counted(self) -> bool:
        """Counts in a form's progress: an optional section left empty is neither done nor to do."""
        return not (self.optional and not self.filled)


def progress_of(sections: list[FormSection]) -> tuple[int, int]:
    """(sections done, sections counted) of a form: optional sections left empty are not counted."""
    counted = [s for s in sections if s.counted]
    return sum(s.done for s in counted), len(counted)


# The sections of each form, in page order: (key, title, content keys, optional).
FORM_SECTIONS: dict[str, tuple[tuple[str, str, tuple[str, ...], bool], ...]] = {
    "self": (
        ("competencies", "Competencies", ("competency_ratings",), False),
        ("goals", "Goals and results", ("goal_results",), True),
        ("achievements", "Achievements", ("achievements",), False),
        ("obstacles", "Obstacles", ("obstacles",), True),
        ("learning", "Learning evidence", ("learning", "learning_refs"), True),
        ("development", "Development", ("development_wishes", "training_needs"), True),
        ("questions", "Questions", ("answers",), False),
    ),
    "manager": (
        ("competencies", "Competencies", ("competency_ratings",), False),
        ("goals", "Goals", ("goal_ratings",), True),
        ("feedback", "Strengths and areas to strengthen", ("strengths", "areas_to_strengthen"), False),
        ("obstacles", "Obstacles", ("obstacles",), True),
        ("training", "Training needs", ("training_needs",), True),
        ("narrative", "Narrative", ("narrative", "answers"), False),
    ),
    "discussion": (
        ("record", "The conversation", ("date", "notes"), False),
        ("actions", "Agreed actions", ("agreed_actions",), True),
    ),
}


def _filled(value: Any) -> bool:
    if isinstance(value, dict):
        return any(_filled(v) for v in value.values())
    if isinstance(value, list):
        return any(_filled(v) for v in value)
    return value not in (None, "") and not (isinstance(value, str) and not value.strip())


def content_gaps(template: Template, part: str, content: dict[str, Any], today: date) -> set[str]:
    """Fields a submission of this content would refuse (the workflow state aside)."""
    owners = {i["owner_id"] for k in ("obstacles", "agreed_actions") for i in content.get(k) or [] if i.get("owner_id")}
    try:
        if part == "self":
            check_self(content, template, True)
        elif part == "manager":
            check_manager(content, template, True, owners)
        else:
            check_discussion(content, True, owners, today)
    except ValidationFailed as exc:
        return set(exc.errors)
    except (TypeError, ValueError):  # content not loaded yet (raw form text): nothing counts as done
        return {f for _, _, fields, _ in FORM_SECTIONS[part] for f in fields}
    return set()


def section_progress(
    template: Template, part: str, content: dict[str, Any] | None, today: date, deciding: bool | None = None
) -> list[FormSection]:
    """The sections of a form with whether the draft completes each (optional ones: once something is in them).

    While a suggested training need waits for the manager's decision (`deciding`; None: whether the content's low
    ratings leave one undecided), the training needs section is to do, not optional: submit refuses it until then.
    """
    content = content or {}
    gaps = content_gaps(template, part, content, today)
    if deciding is None:
        competencies = [(c.id, c.name) for c in template.competencies]
        deciding = part == "manager" and any(
            s.undecided for s in suggested_needs(competencies, template.scale.points, content)
        )
    sections = []
    for key, title, fields, optional in FORM_SECTIONS[part]:
        if key == "questions" and not template.questions.get(part):
            continue
        filled = any(_filled(content.get(f)) for f in fields)
        missing = any(g == f or g.startswith(f + ".") for g in gaps for f in fields)
        if key == "training" and deciding:
            missing = True
        sections.append(FormSection(key, title, fields, filled and not missing, optional and not missing, filled))
    return sections
