"""Words for people: names instead of ids, labels instead of codes, dates people read, the score in a sentence.

The Jinja filters of pages and PDFs alike (`FILTERS`, installed by the web app and by pdf/documents.py); the
functions are plain so views and tests can call them too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from service.adapters.documents import organisation_currency, organisation_locale, organisation_time_zone
from service.domain import formats
from service.domain.reviews import OBSTACLE_CATEGORY_LABELS, ItemStatus
from service.domain.templates import Template
from service.domain.workflow import Labelled

# Stored codes as words. Anything not listed reads as its code with spaces, capitalised.
WORDS: dict[str, str] = {
    "low": "Low",
    "medium": "Medium",
    "high": "High",
    "open": "Open",
    "in_progress": "In progress",
    "done": "Done",
    "dropped": "Dropped",
    "course": "Course",
    "mentoring": "Mentoring",
    "on_the_job": "On-the-job training",
    "conference": "Conference",
    "informational_interview": "Informational interview",
    "degree_programme": "Degree programme",
    "professional_association": "Professional association",
    "networking": "Networking",
    "coaching": "Coaching",
    "self_study": "Self-study",
    "other": "Other",
    "agree": "Agrees",
    "disagree": "Does not agree",
    "agreed": "Agreed in a discussion",
    "remediation": "Removes an obstacle",
    "not_started": "Not started",
    "self_submitted": "Self assessment submitted",
    "in_calibration": "In calibration",
    "manager_submitted": "Manager assessment submitted",
    "discussed": "Discussed",
    "acknowledged": "Acknowledged",
    "finalised": "Finalised",
    **{c.value: text for c, text in OBSTACLE_CATEGORY_LABELS.items()},
}

PART_NAMES = {"goals": "goals", "competencies": "competencies", "feedback": "feedback"}
NO_DATA = {
    "goals": "no rated goals yet",
    "competencies": "no rated competencies yet",
    "feedback": "not enough answers yet",
}

# What each audited action reads as, after the actor's name.
ACTION_PHRASES = {
    "create_review": "opened the review",
    "save_self": "saved a draft of the self assessment",
    "submit_self": "submitted the self assessment",
    "withdraw_self": "withdrew the self assessment to edit it again",
    "save_manager": "saved a draft of the manager assessment",
    "submit_manager": "submitted the manager assessment",
    "withdraw_manager": "withdrew the manager assessment to edit it again",
    "save_discussion": "saved a draft of the discussion record",
    "record_discussion": "recorded the review discussion",
    "acknowledge": "acknowledged the review",
    "finalise": "finalised the review",
    "return": "returned the review",
}
SECTION_NAMES = {
    "self_assessment": "Self assessment",
    "manager_assessment": "Manager assessment",
    "discussion": "Discussion",
    "acknowledgement": "Acknowledgement",
    "score": "Score",
    "last_return": "Return",
}
FIELD_NAMES = {
    "state": "State",
    "achievements": "Achievements",
    "development_wishes": "Development wishes",
    "strengths": "Strengths",
    "areas_to_strengthen": "Areas to strengthen",
    "narrative": "Narrative",
    "notes": "Notes",
    "date": "Date",
    "agreement": "Agreement",
    "response": "Written response",
    "at": "Time",
    "value": "Score",
    "from": "From",
    "to": "To",
    "reason": "Reason",
    "by": "By",
    "finalised_by": "Finalised by",
    "manager_id": "Manager",
    "department": "Department",
    "goal_results": "Goals and results",
    "goal_ratings": "Goals",
    "obstacles": "Obstacles",
    "learning": "Learning evidence",
    "training_needs": "Training needs",
    "agreed_actions": "Agreed actions",
    "parts": "Parts of the score",
    "rule": "Rule",
}
# A workflow task as read by whoever does it, in their voice.
TASK_TITLES = {
    "self_assessment": "Write your self assessment",
    "manager_assessment": "Write the manager assessment",
    "discussion": "Hold and record the review discussion",
    "acknowledgement": "Read and acknowledge your review",
    "finalisation": "Finalise the review",
}
# A task as read by someone who waits for it.
WAITING_TITLES = {
    "self_assessment": "Waiting for the self assessment",
    "manager_assessment": "Waiting for the manager assessment",
    "discussion": "Waiting for the review discussion",
    "acknowledgement": "Waiting for the employee to read and acknowledge the review",
    "finalisation": "Waiting for HR to finalise the review",
}
# Bookkeeping the story leaves out: it repeats the sentence (the state reached and when) or is internal.
QUIET_FIELDS = (
    "submitted.",
    "version",
    "audit_head",
    "score.rule",
    "score.parts",
    "cycle_id",
    "cycle_name",
    "employee_id",
    "employee_name",
    "period_start",
)
LONG_TEXT = 160
LABELS = {
    "achievements": "Achievements",
    "development_wishes": "Development wishes",
    "strengths": "Strengths",
    "areas_to_strengthen": "Areas to strengthen",
    "narrative": "Overall narrative",
    "date": "Date of the discussion",
    "notes": "Notes of the discussion",
    "agreement": "Do you agree with the review?",
    "response": "Your written response",
    "reason": "Reason",
    "to_state": "Return to",
    "name": "Name",
    "period_start": "Period start",
    "period_end": "Period end",
    "template_id": "Template",
    "phases": "Phase deadlines",
    "participant_mode": "Participants",
    "departments": "Departments",
    "employee_ids": "People",
    "participants": "Participants",
    "competencies": "Competencies",
    "scale": "Rating scale",
    "weights": "Score weights",
    "file": "CSV file",
    "version": "Version",
}
ROW_LABELS = {
    "goal_results": "Goal",
    "goal_ratings": "Goal",
    "obstacles": "Obstacle",
    "learning": "Learning activity",
    "training_needs": "Training need",
    "agreed_actions": "Agreed action",
    "competencies": "Competency",
}
PART_LABELS = {
    "title": "title",
    "result": "result",
    "rating": "rating",
    "comment": "comment",
    "description": "description",
    "remediation": "remediation action",
    "owner_id": "owner",
    "due": "due date",
    "status": "status",
    "activity": "activity",
    "kind": "kind",
    "date": "date",
    "note": "note",
    "topic": "topic",
    "priority": "priority",
    "format": "format",
    "rationale": "rationale",
    "estimated_cost": "estimated cost",
    "id": "id",
    "name": "name",
    "text": "text",
}


@dataclass
class Labeller:
    """Names fields for people: error summaries and lists of changes."""

    template: Template | None = None
    extra: dict[str, str] = field(default_factory=dict)

    def __call__(self, key: str) -> str:
        if key in self.extra:
            return self.extra[key]
        if key in LABELS:
            return LABELS[key]
        parts = key.split(".")
        head = parts[0]
        if head == "competency_ratings" and len(parts) >= 2:
            name = self._competency(parts[1])
            return f"{name} {PART_LABELS.get(parts[2], parts[2])}" if len(parts) > 2 else name
        if head == "answers" and len(parts) == 2:
            return self._question(parts[1])
        if head == "phases" and len(parts) == 2:
            return f"Deadline: {parts[1].replace('_', ' ')}"
        if head == "weights" and len(parts) == 2:
            return f"Weight of {parts[1]}"
        if head == "questions" and len(parts) >= 2:
            return f"Questions of the {parts[1]} form"
        if head in ROW_LABELS and len(parts) >= 2 and parts[1].isascii() and parts[1].isdigit() and len(parts[1]) < 5:
            label = f"{ROW_LABELS[head]} {int(parts[1]) + 1}"
            return f"{label}, {PART_LABELS.get(parts[2], parts[2])}" if len(parts) > 2 else label
        return key.replace("_", " ").replace(".", " › ").capitalize()

    def _competency(self, cid: str) -> str:
        for c in self.template.competencies if self.template else ():
            if c.id == cid:
                return c.name
        return cid

    def _question(self, qid: str) -> str:
        for qs in self.template.questions.values() if self.template else ():
            for q in qs:
                if q.id == qid:
                    return q.text
        return qid


def word(value: Any) -> str:
    """A stored code as a word: 'on_the_job' → 'On-the-job training', 'in_progress' → 'In progress'."""
    if value is None or value == "":
        return "—"
    text = str(value)
    return WORDS.get(text, text.replace("_", " ").capitalize())


def options(choices: type[StrEnum]) -> list[tuple[str, str]]:
    """A form's options for a set of choices of the domain: (code, word), in the enum's order."""
    return [(c.value, word(c.value)) for c in choices]


def labelled_options(choices: Iterable[Labelled]) -> list[tuple[str, str]]:
    """A form's options for choices that carry their own words (`workflow.Labelled`): (code, label), in order."""
    return [(c.value, c.label) for c in choices]


def person(person_id: str | None, names: Mapping[str, str] | None = None) -> str:
    """A person's name for an id ('—' when nobody is named, the id only when the directory has no such person)."""
    if not person_id:
        return "—"
    return (names or {}).get(person_id) or person_id


def person_with_title(p: Any) -> str:
    """'Chloé Martin, Product Designer' for a directory entry (the name alone when it has no title)."""
    if p is None:
        return "—"
    title = getattr(p, "title", "") or ""
    return f"{p.name}, {title}" if title else p.name


# --- formats: the person's locale for this request, else the organisation's; service/domain/formats.py writes ---

# The person's locale and currency for the request being answered (None: the organisation's, set once per process
# in service/adapters/documents.py, which emails use too).
_locale: ContextVar[str | None] = ContextVar("locale", default=None)
_currency: ContextVar[str | None] = ContextVar("currency", default=None)


def choose_locale(accepted: Iterable[str], default: str = formats.DEFAULT_LOCALE) -> str:
    """The person's locale: the first of their browser's languages that has a format, else the organisation's."""
    for tag in accepted:
        for code in formats.FORMATS:
            if tag.casefold() == code.casefold():
                return code
    return default if default in formats.FORMATS else formats.DEFAULT_LOCALE


def use_formats(locale: str, currency: str = formats.DEFAULT_CURRENCY) -> Callable[[], None]:
    """Write dates, times and amounts for this locale and currency from now on (this request, this render);
    returns the call that puts back the formats in use before."""
    tokens = (
        _locale.set(locale if locale in formats.FORMATS else formats.DEFAULT_LOCALE),
        _currency.set(currency or formats.DEFAULT_CURRENCY),
    )

    def restore() -> None:
        _locale.reset(tokens[0])
        _currency.reset(tokens[1])

    return restore


def current_format() -> formats.Format:
    """The format dates and times are written in now."""
    return formats.format_of(_locale.get() or organisation_locale())


def currency() -> str:
    """The currency (ISO 4217 code) amounts are written in now."""
    return _currency.get() or organisation_currency()


def day(value: date | str | None) -> str:
    """A date in the reader's locale: '3 Dec 2026' (en-GB) or 'Dec 3, 2026' (en-US); an instant's on the
    organisation's wall."""
    return formats.day(value, current_format().code, organisation_time_zone())


def clock(value: datetime | str | None) -> str:
    """A time of day in the reader's locale: '14:02' (en-GB) or '2:02 PM' (en-US)."""
    return formats.clock(value, current_format().code)


def when(value: datetime | str | None) -> str:
    """An instant on the organisation's wall in the reader's locale: '3 Dec 2026, 14:02 UTC'."""
    return formats.when(value, current_format().code, organisation_time_zone())


def local_time(value: datetime | str | None) -> str:
    """A wall-clock time with no zone in the reader's locale: '10 Dec 2026, 15:00'."""
    return formats.local_time(value, current_format().code)


def in_currency(label: str) -> str:
    """A label with the organisation's currency named: 'Estimated cost (EUR)'."""
    return formats.in_currency(label, currency())


def money(value: Any) -> str:
    """An amount in the organisation's currency, named: '€4,800', 'CHF 1,250.50'; '—' for none."""
    return formats.money(value, currency())


def rating_word(value: Any, template: Template | None) -> str:
    """A rating as the scale's word: 'Exceeding (4 of 5)'."""
    if value in (None, ""):
        return "not rated"
    try:
        point = int(value)
    except (TypeError, ValueError):
        return str(value)
    if template is None or not 1 <= point <= template.scale.points:
        return str(point)
    return f"{template.scale.label(point)} ({point} of {template.scale.points})"


def score_sentence(score_detail: Mapping[str, Any] | None, template: Template | None = None) -> str:
    """'72 of 100: competencies 80 (weight 50%), goals 65 (50%); feedback not enough answers yet, left out, so the
    declared weights (goals 40%, competencies 40%, feedback 20%) were rescaled to the parts that count'."""
    if not score_detail:
        return "No score yet."
    parts = list(score_detail.get("parts") or [])
    used = [p for p in parts if p.get("value") is not None and (p.get("weight") or 0) > 0]
    left = [p for p in parts if p not in used]
    # The shares are those the score was computed with: the declared weights re-normalised over the parts counted.
    used_weight = sum(p.get("weight") or 0 for p in used) or 100
    # The part that counts most first: the reader sees what drives the number.
    used.sort(key=lambda p: -(p.get("weight") or 0))
    bits = []
    for i, p in enumerate(used):
        share = round((p.get("weight") or 0) * 100 / used_weight)
        weight = f"weight {share}%" if i == 0 else f"{share}%"
        bits.append(f"{PART_NAMES.get(p['name'], p['name'])} {formats.score(p['value'])} ({weight})")
    missing = []
    for p in left:
        why = "not counted (weight 0%)" if not p.get("weight") else f"{NO_DATA.get(p['name'], 'no data yet')}, left out"
        missing.append(f"{PART_NAMES.get(p['name'], p['name'])} {why}")
    value = score_detail.get("value")
    head = f"{formats.score(value)} of 100" if value is not None else "No score yet"
    text = f"{head}: {', '.join(bits)}" if bits else head
    if missing:
        text += f"; {', '.join(missing)}"
    if used and any(p.get("weight") for p in left):
        declared = ", ".join(f"{PART_NAMES.get(p['name'], p['name'])} {p.get('weight') or 0}%" for p in parts)
        text += f", so the declared weights ({declared}) were rescaled to the parts that count"
    return text


def score_breakdown(score_detail: Mapping[str, Any] | None, template: Template | None = None) -> str:
    """The score sentence without its head, for a page that shows the number beside it: 'goals 68 (weight 40%), …'."""
    return score_sentence(score_detail, template).partition(": ")[2]


def score_on_scale(score: Mapping[str, Any] | None, template: Template | None) -> str:
    """The score read back on the rating scale, so that 68 of 100 is not taken for a fail: 'about Exceeding'."""
    if not score or score.get("value") is None or template is None:
        return ""
    points = template.scale.points
    point, nearest = template.scale.point(score["value"]), template.scale.nearest(score["value"])
    return f"On the {points}-point scale that is {point:.1f}, nearest to “{template.scale.label(nearest)}”."


def task_title(task: str, mine: bool) -> str:
    """A workflow task in the reader's voice: what to do when it is theirs, what they wait for otherwise."""
    if mine:
        return TASK_TITLES.get(task, word(task))
    return WAITING_TITLES.get(task, f"Waiting for: {word(task).lower()}")


def field_label(path: str, template: Template | None = None) -> str:
    """A stored field path as words: 'manager_assessment.competency_ratings.delivery.rating' → 'Manager
    assessment › Delivery rating'."""
    head, _, rest = path.partition(".")
    if path == "score.value":
        return "Score"
    if head in SECTION_NAMES and rest:
        inner = FIELD_NAMES.get(rest) or Labeller(template)(rest)
        return f"{SECTION_NAMES[head]} › {inner}"
    return SECTION_NAMES.get(head) or FIELD_NAMES.get(path) or Labeller(template)(path)


def value_text(
    value: Any, path: str = "", template: Template | None = None, names: Mapping[str, str] | None = None
) -> str:
    """A stored value for people: ratings as scale words, codes as words, ids as names, lists as lines."""
    if value is None or value == "" or value == [] or value == {}:
        return "(empty)"
    last = path.rsplit(".", 1)[-1]
    if last == "rating":
        return rating_word(value, template)
    if last in ("owner_id", "by", "finalised_by", "manager_id") and isinstance(value, str):
        return person(value, names)
    if last in ("due", "date") and isinstance(value, str):
        return day(value)
    if last == "at" and isinstance(value, str):
        return when(value)
    if path == "state" or last in ("status", "priority", "format", "kind", "agreement", "from", "to"):
        return word(value)
    if isinstance(value, list):
        return "; ".join(_row_text(v, names) for v in value)
    if isinstance(value, dict):
        return _row_text(value, names)
    if isinstance(value, float):
        return formats.score(value)
    return str(value)


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _row_text(row: Any, names: Mapping[str, str] | None) -> str:
    if not isinstance(row, dict):
        return str(row)
    main = row.get("description") or row.get("title") or row.get("topic") or row.get("activity") or ""
    extra = []
    if row.get("owner_id"):
        extra.append(person(row["owner_id"], names))
    if row.get("due"):
        extra.append(f"due {day(row['due'])}")
    if row.get("rating"):
        extra.append(f"rating {row['rating']}")
    if not main:
        return json.dumps(row, ensure_ascii=False, sort_keys=True, default=str)
    return f"{main} ({', '.join(extra)})" if extra else str(main)


def audit_story(
    records: list[dict[str, Any]], template: Template | None, names: Mapping[str, str]
) -> list[dict[str, Any]]:
    """An audit trail as a history: who did what, when, and the fields it changed (labelled, before → after)."""
    story = []
    for r in records:
        phrase = ACTION_PHRASES.get(r.get("action", ""), word(r.get("action")).lower())
        changes = []
        state_to = None
        for c in r.get("changes") or []:
            path = c.get("field") or ""
            before, after = c.get("from"), c.get("to")
            if path == "state":
                state_to = after
            if not path or path.startswith(QUIET_FIELDS) or (_empty(before) and _empty(after)):
                continue
            b, a = value_text(before, path, template, names), value_text(after, path, template, names)
            changes.append(
                {"label": field_label(path, template), "before": b, "after": a, "long": max(len(b), len(a)) > LONG_TEXT}
            )
        if r.get("action") == "return" and state_to:
            phrase = f"returned the review to “{word(state_to)}”"
        actor = r.get("actor") or ""
        who = "The launch" if actor == "launch" else person(actor, names)
        if r.get("on_behalf_of"):  # issue 28: an acting manager acted for the manager
            who = f"{who} for {person(r['on_behalf_of'], names)}"
        story.append(
            {
                "version": r.get("version"),
                "sentence": f"{who} {phrase}",
                "when": when(r.get("at")),
                "at": r.get("at"),
                "reason": r.get("reason") or "",
                "changes": changes,
            }
        )
    return story


def state_label(value: str) -> str:
    """A review state for people."""
    return word(value)


def state_choice(value: str) -> tuple[str, str]:
    """(state, label) for a select."""
    return value, state_label(value)


def enumerate_from1(labels: Any) -> list[tuple[int, str]]:
    """Scale labels as (point, "point · label") choices."""
    return [(n, f"{n} · {label}") for n, label in enumerate(labels, start=1)]


def audit_value(value: Any) -> str:
    """A value of an audit record, short enough for a table cell."""
    if value is None or value == "":
        return "(empty)"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return text if len(text) <= 300 else text[:300] + "…"


# The Jinja filters, by name: the pages install them all, the PDFs those their templates use.
FILTERS: dict[str, Callable[..., Any]] = {
    "word": word,
    "person": person,
    "person_with_title": person_with_title,
    "day": day,
    "when": when,
    "clock": clock,
    "local_time": local_time,
    "score": formats.score,
    "score_of_100": formats.score_of_100,
    "money": money,
    "in_currency": in_currency,
    "rating_word": rating_word,
    "score_sentence": score_sentence,
    "score_breakdown": score_breakdown,
    "score_on_scale": score_on_scale,
    "field_label": field_label,
    "number": formats.number,
    "state_label": state_label,
    "state_choice": state_choice,
    "enumerate_from1": enumerate_from1,
    "audit_value": audit_value,
}


# A tracked action's status, as its select and the home page list it.
ACTION_STATUS_LABELS = dict(options(ItemStatus))
