"""The one item codec: a dataclass round-trips through its item, read back the way DynamoDB hands it over."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

import pytest

from service.adapters.codec import from_item, to_attributes


class Colour(StrEnum):
    RED = "red"
    BLUE = "blue"


@dataclass
class Part:
    id: str
    weight: float
    note: str = ""


@dataclass
class Thing:
    thing_id: str
    colour: Colour
    due: date | None
    kinds: frozenset[Colour] = frozenset()
    chain: tuple[str, ...] = ()
    days: dict[Colour, date] = field(default_factory=dict)
    parts: list[Part] = field(default_factory=list)
    extra: dict[str, object] | None = None
    hours: float = 0.0
    active: bool = True
    label: str = ""
    version: int = 0


THING = Thing(
    "t1",
    Colour.RED,
    date(2026, 3, 2),
    kinds=frozenset({Colour.RED, Colour.BLUE}),
    chain=("a", "b"),
    days={Colour.BLUE: date(2026, 4, 1)},
    parts=[Part("p", 2.5)],
    extra={"n": 1},
    hours=1.5,
    version=3,
)


def test_a_record_is_stored_as_plain_values():
    assert to_attributes(THING) == {
        "thing_id": "t1",
        "colour": "red",
        "due": "2026-03-02",
        "kinds": ["blue", "red"],
        "chain": ["a", "b"],
        "days": {"blue": "2026-04-01"},
        "parts": [{"id": "p", "weight": 2.5, "note": ""}],
        "extra": {"n": 1},
        "hours": 1.5,
        "active": True,
        "label": "",
        "version": 3,
    }


def test_a_record_reads_back_from_dynamodb_numbers():
    stored = {**to_attributes(THING), "hours": Decimal("1.5"), "version": Decimal("3"), "pk": "THING#t1"}
    stored["parts"] = [{"id": "p", "weight": Decimal("2.5")}]
    thing = from_item(Thing, stored)
    assert thing == THING and type(thing.version) is int and type(thing.parts[0].weight) is float


def test_missing_attributes_take_the_defaults_and_a_required_enum_is_refused():
    assert from_item(Thing, {"thing_id": "t2", "colour": "blue", "due": ""}) == Thing("t2", Colour.BLUE, None)
    with pytest.raises(KeyError):
        from_item(Thing, {"thing_id": "t3", "due": None})


def test_a_field_can_be_stored_under_another_name():
    item = to_attributes(THING, {"colour": "thing_colour"})
    assert item["thing_colour"] == "red" and "colour" not in item
    assert from_item(Thing, item, {"colour": "thing_colour"}) == THING
