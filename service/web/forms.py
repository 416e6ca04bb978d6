"""HTML forms ↔ content: flat field names (`training_needs.0.topic`) to the dicts the JSON API's schemas load.

Field names are the dotted paths the services use in their errors (`competency_ratings.delivery.rating`),
so an error lands next to its field without a mapping table. Loading goes through the same marshmallow
schemas as the JSON API: structure is validated once, in one place.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from marshmallow import Schema, ValidationError

from service.domain.changes import flatten
from service.domain.errors import ValidationFailed
from service.domain.templates import Form, Template, derive_ids

Errors = dict[str, list[str]]

# Per repeating group: the fields that make a row "filled in" (a row with none of them is dropped, so
# the blank row every form offers does not turn into an error) and the fields that are empty-as-None.
ROWS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "goal_results": (("title", "result", "rating"), ("goal_id", "rating")),
    "goal_ratings": (("title", "rating", "comment"), ("goal_id", "rating")),
    "self_obstacles": (("description",), ()),
    "obstacles": (("description", "remediation", "owner_id", "due"), ("owner_id", "due")),
    "learning": (("activity", "date", "note"), ("date",)),
    "training_needs": (("topic", "rationale", "estimated_cost"), ("estimated_cost",)),
    "agreed_actions": (("description", "owner_id", "due"), ("owner_id", "due")),
    # A row's id is a hidden field once saved: clearing its name and description (its text) removes the row.
    "competencies": (("name", "description"), ()),
    "questions": (("text",), ()),
}

FRIENDLY = {
    "required": "This is required.",
    "Missing data for required field.": "This is required.",
    "Field may not be null.": "This is required.",
    "Not a valid integer.": "Enter a whole number.",
    "Not a valid number.": "Enter a number.",
    "Not a valid date.": "Enter a date.",
    "Must be greater than or equal to 0.": "Enter 0 or more.",
}


def field_id(name: str) -> str:
    """The HTML id of a field (what an error summary links to)."""
    return "f-" + name.replace(".", "-")


def humanise(message: str) -> str:
    """A service or schema message as a sentence for people."""
    text = FRIENDLY.get(message, message)
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "?", "!")) else ".")


def flatten_errors(messages: Any, prefix: str = "") -> Errors:
    """marshmallow's nested messages (or a service's dotted ones) → {dotted field: [messages]}."""
    out: Errors = {}
    if isinstance(messages, Mapping):
        for key, value in messages.items():
            key = str(key)
            if key in ("value", "key") and prefix:  # a Dict field nests its values' errors under "value"
                path = prefix
            elif key == "_schema":
                path = prefix
            else:
                path = f"{prefix}.{key}" if prefix else key
            for name, msgs in flatten_errors(value, path).items():
                out.setdefault(name, []).extend(msgs)
    elif isinstance(messages, list) and messages and all(isinstance(m, str) for m in messages):
        out[prefix] = list(messages)
    elif isinstance(messages, list):
        for n, value in enumerate(messages):
            for name, msgs in flatten_errors(value, f"{prefix}.{n}" if prefix else str(n)).items():
                out.setdefault(name, []).extend(msgs)
    elif isinstance(messages, str):
        out[prefix] = [messages]
    return out


def load(schema: Schema, raw: dict[str, Any]) -> tuple[dict[str, Any] | None, Errors]:
    """Load raw form data through a JSON API schema: (content, {}) or (None, field errors)."""
    try:
        return schema.load(raw), {}
    except ValidationError as exc:
        return None, flatten_errors(exc.messages)


def load_or_refuse(schema: Schema, raw: dict[str, Any], message: str) -> dict[str, Any]:
    """Load raw form data through a JSON API schema; what does not load is refused as the use case would refuse it
    (ValidationFailed with the fields' messages: the form again)."""
    data, errors = load(schema, raw)
    if errors or data is None:
        raise ValidationFailed(message, errors)
    return data


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def rows(form: Mapping[str, str], prefix: str, kind: str, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    """The filled-in rows of a repeating group `prefix.N.field`, renumbered from 0 in form order."""
    significant, nullable = ROWS[kind]
    by_index: dict[int, dict[str, Any]] = {}
    start = prefix + "."
    for key in form:
        if not key.startswith(start):
            continue
        index, _, name = key[len(start) :].partition(".")
        if index.isascii() and index.isdigit() and len(index) <= 4 and name in fields:
            by_index.setdefault(int(index), {})[name] = form.get(key, "")
    out = []
    for _, cells in sorted(by_index.items()):
        if all(_blank(cells.get(f)) for f in significant):
            continue
        # A blank cell is None where the schema allows it, and otherwise left out, so that the schema's
        # default applies or a required field is reported as missing.
        row: dict[str, Any] = {}
        for name, value in cells.items():
            if not _blank(value):
                row[name] = value
            elif name in nullable:
                row[name] = None
        out.append(row)
    return out


def _ratings(form: Mapping[str, str], template: Template) -> dict[str, Any]:
    out = {}
    for c in template.competencies:
        rating = form.get(f"competency_ratings.{c.id}.rating", "")
        out[c.id] = {"rating": rating or None, "comment": form.get(f"competency_ratings.{c.id}.comment", "")}
    return out


def _answers(form: Mapping[str, str], template: Template, which: Form) -> dict[str, str]:
    return {q.id: form.get(f"answers.{q.id}", "") for q in template.questions.get(which, ())}


def self_raw(form: Mapping[str, str], template: Template) -> dict[str, Any]:
    """The self assessment form → the dict SelfContentSchema loads."""
    return {
        "competency_ratings": _ratings(form, template),
        "goal_results": rows(form, "goal_results", "goal_results", ("goal_id", "title", "result", "rating")),
        "achievements": form.get("achievements", ""),
        "obstacles": rows(form, "obstacles", "self_obstacles", ("description",)),
        "learning": rows(form, "learning", "learning", ("activity", "kind", "date", "note")),
        "development_wishes": form.get("development_wishes", ""),
        "training_needs": _training(form),
        "answers": _answers(form, template, Form.SELF),
    } | _picked(form)


def _picked(form: Mapping[str, str]) -> dict[str, Any]:
    """Learning activities ticked in the self assessment (issue 14); none ticked: no key, as before."""
    refs = form.getlist("learning_refs") if hasattr(form, "getlist") else []
    return {"learning_refs": refs} if refs else {}


def _training(form: Mapping[str, str]) -> list[dict[str, Any]]:
    return rows(
        form, "training_needs", "training_needs", ("topic", "priority", "format", "rationale", "estimated_cost")
    )


def manager_raw(form: Mapping[str, str], template: Template) -> dict[str, Any]:
    """The manager assessment form → the dict ManagerContentSchema loads."""
    return {
        "competency_ratings": _ratings(form, template),
        "goal_ratings": rows(form, "goal_ratings", "goal_ratings", ("goal_id", "title", "rating", "comment")),
        "strengths": form.get("strengths", ""),
        "areas_to_strengthen": form.get("areas_to_strengthen", ""),
        "obstacles": rows(
            form, "obstacles", "obstacles", ("description", "remediation", "owner_id", "due", "status", "category")
        ),
        "training_needs": _training(form),
        "need_suggestions": {
            c.id: form[f"need_suggestions.{c.id}"]
            for c in template.competencies
            if form.get(f"need_suggestions.{c.id}")
        },
        "narrative": form.get("narrative", ""),
        "answers": _answers(form, template, Form.MANAGER),
        "potential": form.get("potential") or None,
    }


def discussion_raw(form: Mapping[str, str], template: Template | None = None) -> dict[str, Any]:
    """The discussion form → the dict DiscussionContentSchema loads."""
    return {
        "date": form.get("date") or None,
        "notes": form.get("notes", ""),
        "agreed_actions": rows(form, "agreed_actions", "agreed_actions", ("description", "owner_id", "due")),
    }


def template_raw(form: Mapping[str, str]) -> dict[str, Any]:
    """The template editor → its rows as posted (a saved row carries its id in a hidden field, a new row none)."""
    competencies = rows(form, "competencies", "competencies", ("id", "name", "description"))
    questions: dict[str, list[dict[str, Any]]] = {}
    for which in Form:
        found = rows(form, f"questions.{which}", "questions", ("id", "text", "required"))
        for q in found:
            q["required"] = bool(q.get("required"))
        questions[str(which)] = found
    scale = [label for label in (form.get(f"scale.{n}", "") for n in range(10)) if label.strip()]
    return {
        "name": form.get("name", ""),
        "competencies": competencies,
        "scale": scale,
        "questions": questions,
        "weights": {part: form.get(f"weights.{part}", "") for part in ("goals", "competencies", "feedback")},
        "calibration": bool(form.get("calibration")),
        "potential": [label for label in (form.get(f"potential.{n}", "") for n in range(5)) if label.strip()],
    }


def with_template_ids(raw: dict[str, Any]) -> dict[str, Any]:
    """The template as TemplateInSchema loads it: new rows get ids made from their names (competencies) or texts
    (questions), unique in their list; saved rows keep theirs (domain.templates.derive_ids)."""

    def named(items: list[dict[str, Any]], text: str, fallback: str) -> list[dict[str, Any]]:
        ids = derive_ids([str(i.get(text) or "") for i in items], [i.get("id") or None for i in items], fallback)
        return [{**i, "id": made} for i, made in zip(items, ids, strict=True)]

    return {
        **raw,
        "competencies": named(raw["competencies"], "name", "competency"),
        "questions": {f: named(qs, "text", "question") for f, qs in raw["questions"].items()},
    }


def cycle_raw(form: Any) -> dict[str, Any]:
    """The cycle set-up form → the dict CycleInSchema loads (dates stay strings for the schema)."""
    from service.domain.cycles import OPTIONAL_PHASES, Phase

    # The people picker's ticked boxes (a list in an API-like post may still be one text of ids), and the one
    # person its "Add" button adds: adding someone means the cycle is for the people listed.
    listed = form.getlist("employee_ids") if hasattr(form, "getlist") else [form.get("employee_ids", "")]
    added = (form.get("add_person") or "").strip()
    ids = list(dict.fromkeys([i for v in listed for i in v.replace(",", " ").split()] + ([added] if added else [])))
    return {
        "name": form.get("name", ""),
        "period_start": form.get("period_start", ""),
        "period_end": form.get("period_end", ""),
        "template_id": form.get("template_id", ""),
        # an optional phase left blank (the calibration's) is left out
        "phases": {
            p.value: form.get(f"phases.{p.value}", "")
            for p in Phase
            if p not in OPTIONAL_PHASES or form.get(f"phases.{p.value}")
        },
        "participant_mode": "list" if added else form.get("participant_mode", "everyone"),
        "departments": form.getlist("departments") if hasattr(form, "getlist") else [],
        "employee_ids": ids,
        # An unticked checkbox is not sent: each option is on exactly when its box is ticked.
        "carry_over_goals": form.get("carry_over_goals") == "on",
        "skip_level_read": form.get("skip_level_read") == "on",
        "rehearsal": form.get("rehearsal") == "on",
    }


def _same(a: Any, b: Any) -> bool:
    if _blank(a) and _blank(b):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return float(a) == float(b)
    return a == b


def changed_fields(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> list[str]:
    """Dotted fields whose values differ (blank and missing count as the same)."""
    a, b = flatten(before or {}), flatten(after or {})
    return [k for k in sorted(set(a) | set(b)) if not _same(a.get(k), b.get(k))]


def base_json(content: Mapping[str, Any] | None) -> str:
    """The content a form starts from, as the hidden `_base` field carries it (to explain a stale edit)."""
    return json.dumps(content or {}, sort_keys=True, separators=(",", ":"), default=str)


def parse_base(text: str | None) -> dict[str, Any] | None:
    """The `_base` field back (None when missing or unreadable)."""
    if not text:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def summary(errors: Errors, label: Callable[[str], str]) -> list[dict[str, str]]:
    """The error summary: one entry per message, with the field's label and the id it links to."""
    return [
        {
            "field": name,
            "id": field_id(name) if name else "",
            "label": label(name) if name else "",
            "message": humanise(m),
        }
        for name, msgs in errors.items()
        for m in msgs
    ]
