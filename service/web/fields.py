"""marshmallow field types for untrusted input: text a page and the table can hold, ids that are keys, numbers
DynamoDB can store. Every input schema of the JSON API and the forms uses these instead of marshmallow's own."""

from __future__ import annotations

import math
import re
from enum import StrEnum
from typing import Any

from marshmallow import ValidationError, fields, validate

# DynamoDB numbers: up to 38 significant digits, magnitude 1E-130 .. 9.99...E+125 (and 0).
DYNAMO_MAX = 9.99e125
DYNAMO_MIN = 1e-130
DYNAMO_DIGITS = 38
TEXT_MAX = 10_000
ID_MAX = 128
# Ids are keys in the table: one rule keeps `#` (our key separator), `/`, `..`, controls and lookalikes out.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# C0 controls except tab, line feed and carriage return, DEL, and the UTF-16 surrogates (which are never
# text on their own: they cannot be encoded as UTF-8, so a page or a DynamoDB write would fail on them).
# The same rule for readers of the OpenAPI document (JSON Schema has no way to speak of lone surrogates).
TEXT_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$"
FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def is_id(value: str) -> bool:
    """True when `value` could name an item (the rule of `Id`)."""
    return len(value) <= ID_MAX and ID_RE.fullmatch(value) is not None


def text_problem(value: str) -> str | None:
    """Why a string is not text we store and show, or None when it is."""
    found = FORBIDDEN_RE.search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return "Contains an unpaired surrogate (not valid Unicode text)."
    return f"Contains a control character (U+{ord(char):04X})."


def number_problem(value: float | int) -> str | None:
    """Why a number cannot be stored in DynamoDB, or None when it can."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "Enter a finite number."
    if isinstance(value, int):
        if len(str(abs(value)).rstrip("0")) > DYNAMO_DIGITS:
            return f"Use at most {DYNAMO_DIGITS} significant digits."
        magnitude = abs(value)
    else:
        magnitude = abs(value)
    if magnitude and (magnitude > DYNAMO_MAX or magnitude < DYNAMO_MIN):
        return "Enter a number between 1E-130 and 9.99E+125 in size (or 0)."
    return None


class Text(fields.String):
    """A string of at most `max_length` characters (10,000 unless given) without controls or lone surrogates."""

    def __init__(self, *args: Any, max_length: int = TEXT_MAX, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_length = max_length
        self.validators.append(validate.Length(max=max_length))  # so that the OpenAPI document states it
        self.metadata = {"pattern": TEXT_PATTERN, **self.metadata}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if len(text) > self.max_length:
            raise ValidationError(f"Longer than maximum length {self.max_length}.")
        problem = text_problem(text)
        if problem:
            raise ValidationError(problem)
        return text


class Id(Text):
    """An id that names an item (employee, cycle, template, goal): letters, digits, '.', '_', '-'."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, max_length=ID_MAX, **kwargs)
        self.metadata = {**self.metadata, "pattern": ID_PATTERN}

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not ID_RE.fullmatch(text):
            raise ValidationError("Not a valid id (letters, digits, '.', '_' or '-').")
        return text


class _Storable(fields.Number):
    """A number DynamoDB can store (finite, at most 38 digits): checked after the field's own conversion."""

    def _validated(self, value: Any) -> Any:
        number = super()._validated(value)
        problem = number_problem(number) if number is not None else None
        if problem:
            raise ValidationError(problem)
        return number


class Number(_Storable, fields.Float):
    """A finite number DynamoDB can store."""


class Whole(_Storable, fields.Integer):
    """A whole number DynamoDB can store (at most 38 digits)."""


class Choice(Text):
    """One code of a domain StrEnum: the validator, the OpenAPI enum and the forms' options all come from the enum
    (`also`: extra codes such as "" for "not answered")."""

    def __init__(self, choices: type[StrEnum], *args: Any, also: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(*args, max_length=100, **kwargs)
        self.choices = choices
        self.validators.append(validate.OneOf([*(c.value for c in choices), *also]))
