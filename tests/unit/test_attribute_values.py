"""The functions' DynamoDB attribute values (adapters/attribute_values.py) are boto3's, without importing boto3."""

from __future__ import annotations

import subprocess
import sys
from decimal import Decimal

import pytest
from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from service.adapters.attribute_values import from_attribute, to_attribute

numbers = st.one_of(
    st.integers(min_value=-(10**37), max_value=10**37),
    st.decimals(allow_nan=False, allow_infinity=False, places=6, min_value=-(10**20), max_value=10**20),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, st.text(max_size=20), st.binary(max_size=8))
sets = st.one_of(
    st.frozensets(numbers, min_size=1, max_size=4),
    st.frozensets(st.text(max_size=5), min_size=1, max_size=4),
    st.frozensets(st.binary(max_size=4), min_size=1, max_size=4),
)
values = st.recursive(
    st.one_of(scalars, sets),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=6), inner, max_size=4)),
    max_leaves=12,
)


def _sorted_sets(attribute):
    """Sets have no order: compare their members sorted."""
    kind, value = next(iter(attribute.items()))
    if kind in ("SS", "NS", "BS"):
        return {kind: sorted(value)}
    if kind == "M":
        return {kind: {k: _sorted_sets(v) for k, v in value.items()}}
    if kind == "L":
        return {kind: [_sorted_sets(v) for v in value]}
    return attribute


def _unwrapped(value):
    """boto3's Binary wrapper as the bytes it holds."""
    if isinstance(value, Binary):
        return value.value
    if isinstance(value, dict):
        return {k: _unwrapped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unwrapped(v) for v in value]
    if isinstance(value, set):
        return {_unwrapped(v) for v in value}
    return value


@settings(max_examples=300, deadline=None)
@given(values)
def test_values_are_written_and_read_as_boto3_writes_and_reads_them(value):
    written = to_attribute(value)
    assert _sorted_sets(written) == _sorted_sets(TypeSerializer().serialize(value))
    assert from_attribute(written) == _unwrapped(TypeDeserializer().deserialize(written))


@pytest.mark.parametrize(
    "value",
    [1.5, Decimal("1" * 39), Decimal("1e200"), object(), {1.5}, {"a", 1}, {True}.__class__],
)
def test_what_boto3_refuses_is_refused(value):
    with pytest.raises((TypeError, ArithmeticError)):
        TypeSerializer().serialize(value)
    with pytest.raises((TypeError, ArithmeticError)):
        to_attribute(value)


def test_numbers_come_back_exact():
    assert from_attribute({"N": "0.1"}) == Decimal("0.1")
    assert from_attribute({"NS": ["1", "2.50"]}) == {Decimal(1), Decimal("2.5")}
    assert from_attribute({"L": [{"B": b"\x00"}, {"NULL": True}, {"BOOL": False}]}) == [b"\x00", None, False]


def test_the_web_function_answers_without_importing_boto3():
    """The table adapter, the clients and the web handler load botocore only (boto3's import is about 13 ms)."""
    code = (
        "import sys, service.handlers.web, service.adapters.dynamo, service.adapters.aws, service.adapters.secrets;"
        "print('boto3' in sys.modules)"
    )
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert found.stdout.strip() == "False"
