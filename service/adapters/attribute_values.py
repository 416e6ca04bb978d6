"""DynamoDB attribute values: Python values to the low-level client's `{"S": ...}` form and back.

The rules are boto3's `TypeSerializer` and `TypeDeserializer` (boto3/dynamodb/types.py), which the functions
used until importing boto3 for them cost every cold start about 13 ms: numbers are `Decimal`s within DynamoDB's
38 digits (a float is refused: the caller turns floats into Decimals first), sets of strings, numbers or bytes
are string, number and binary sets, mappings are maps and lists or tuples are lists. One difference: binary comes
back as `bytes`, not wrapped in boto3's `Binary`. tests/unit/test_attribute_values.py holds both to boto3's.
"""

from __future__ import annotations

from collections.abc import Mapping, Set
from decimal import Clamped, Context, Decimal, Inexact, Overflow, Rounded, Underflow
from typing import Any

# DynamoDB's numbers: 38 significant digits; a value it would round or clamp is refused, never stored altered.
NUMBERS = Context(Emin=-128, Emax=126, prec=38, traps=[Clamped, Overflow, Inexact, Rounded, Underflow])
BINARY = (bytes, bytearray)


def _number(value: Any) -> bool:
    if isinstance(value, float):
        raise TypeError("Float types are not supported. Use Decimal types instead.")
    return isinstance(value, (int, Decimal)) and not isinstance(value, bool)


def _n(value: int | Decimal) -> str:
    return str(NUMBERS.create_decimal(value))


def to_attribute(value: Any) -> dict[str, Any]:
    """One Python value as a DynamoDB attribute value."""
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if _number(value):
        return {"N": _n(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, BINARY):
        return {"B": bytes(value)}
    if isinstance(value, Set):
        if all(_number(v) for v in value):
            return {"NS": [_n(v) for v in value]}
        if all(isinstance(v, str) for v in value):
            return {"SS": list(value)}
        if all(isinstance(v, BINARY) for v in value):
            return {"BS": [bytes(v) for v in value]}
    elif isinstance(value, Mapping):
        return {"M": {k: to_attribute(v) for k, v in value.items()}}
    elif isinstance(value, (list, tuple)):
        return {"L": [to_attribute(v) for v in value]}
    raise TypeError(f"Unsupported type {type(value)} for value {value!r}")


def from_attribute(attribute: Mapping[str, Any]) -> Any:
    """One DynamoDB attribute value as Python: numbers as Decimals, sets as sets, binary as bytes."""
    if not attribute:
        raise TypeError("Value must be a nonempty dictionary whose key is a valid dynamodb type.")
    kind, value = next(iter(attribute.items()))
    if kind == "S" or kind == "BOOL":
        return value
    if kind == "N":
        return NUMBERS.create_decimal(value)
    if kind == "NULL":
        return None
    if kind == "M":
        return {k: from_attribute(v) for k, v in value.items()}
    if kind == "L":
        return [from_attribute(v) for v in value]
    if kind == "B":
        return bytes(value)
    if kind == "SS":
        return set(value)
    if kind == "NS":
        return {NUMBERS.create_decimal(v) for v in value}
    if kind == "BS":
        return {bytes(v) for v in value}
    raise TypeError(f"Dynamodb type {kind} is not supported")
