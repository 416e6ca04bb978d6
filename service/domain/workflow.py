"""Workflows as data: a table of allowed `(state, action) → next state`, and one function that refuses the rest."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from service.domain.errors import Conflict

S = TypeVar("S")
A = TypeVar("A")


def follow(table: Mapping[tuple[S, A], S], state: S, action: A, refusal: str) -> S:
    """The state `action` leads to from `state`; Conflict(refusal) when the table has no such row."""
    try:
        return table[(state, action)]
    except KeyError:
        raise Conflict(refusal) from None
