"""marshmallow field types for untrusted input: text a page and the table can hold, ids that are keys, numbers
DynamoDB can store (the rules themselves are web/untrusted.py's, which pages use without marshmallow). Every input
schema of the JSON API and the forms uses these instead of marshmallow's own."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from marshmallow import ValidationError, fields, validate

from service.web.untrusted import ID_MAX, ID_PATTERN, ID_RE, TEXT_MAX, TEXT_PATTERN, number_problem, text_problem


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
