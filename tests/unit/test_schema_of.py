"""Output schemas derived from a result's dataclass (web/schemas.py `schema_of`): a shape written once, on its type."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

import pytest
from marshmallow import fields

from service.web.schemas import schema_of


class Colour(StrEnum):
    RED = "red"


@dataclass
class Result:
    name: str
    colour: Colour
    due: date | None
    count: int
    share: float
    done: bool
    tags: tuple[str, ...]
    rows: list[dict[str, Any]]
    flags: dict[str, bool]
    extra: dict[str, Any] | None = None
    secret: str = "never answered"
    owner: str | None = None
    notes: list[str] = field(default_factory=list)


def _result() -> Result:
    return Result("n", Colour.RED, date(2026, 3, 2), 2, 0.5, True, ("a",), [{"k": 1}], {"f": False}, {"any": [1]})


def test_each_field_answers_its_value_as_json():
    schema = schema_of(Result, "ResultSchema", exclude=("secret",))
    assert schema().dump(_result()) == {
        "name": "n",
        "colour": "red",
        "due": "2026-03-02",
        "count": 2,
        "share": 0.5,
        "done": True,
        "tags": ["a"],
        "rows": [{"k": 1}],
        "flags": {"f": False},
        "extra": {"any": [1]},
        "owner": None,
        "notes": [],
    }


@pytest.mark.parametrize(
    ("name", "kind", "nullable"),
    [
        ("name", fields.String, False),
        ("colour", fields.String, False),
        ("due", fields.String, True),
        ("count", fields.Integer, False),
        ("share", fields.Float, False),
        ("done", fields.Boolean, False),
        ("tags", fields.List, False),
        ("rows", fields.List, False),
        ("flags", fields.Dict, False),
        ("extra", fields.Raw, True),
        ("owner", fields.String, True),
    ],
)
def test_a_hint_gives_its_field_and_none_only_where_the_type_allows_it(name, kind, nullable):
    declared = schema_of(Result, "ResultSchema")._declared_fields[name]
    assert type(declared) is kind
    assert declared.allow_none is nullable


def test_extra_fields_replace_or_add_and_excluded_ones_are_not_answered():
    more = {"owner": fields.Integer(), "score": fields.Float()}
    schema = schema_of(Result, "ResultSchema", exclude=("secret", "notes"), **more)
    dumped = schema().dump({**_result().__dict__, "owner": 7, "score": 1.5})
    assert (dumped["owner"], dumped["score"]) == (7, 1.5)
    assert "secret" not in dumped and "notes" not in dumped
    assert schema.__name__ == "ResultSchema"
