"""The unit of work as its repositories see it.

A repository knows its unit of work only as `UnitOfWorkPort` (what a repository may call), so no store imports
unit_of_work.py: that module builds the repositories, and the arrows point one way.
"""

from __future__ import annotations

from typing import Protocol

from service.adapters.store import Item, Op, Table


class Prefetched(Protocol):
    """What a batch read of a cycle tells the feedback repository (settings absent: the defaults apply)."""

    def mark_prefetched(self, cycle_id: str) -> None: ...


class UnitOfWorkPort(Protocol):
    """The unit of work as its repositories see it: the table, the identity map, staged writes."""

    table: Table
    seen: dict[tuple[str, str], Item]
    token: str
    identity_map: bool
    absent: set[tuple[str, str]]
    feedback: Prefetched

    def add(self, op: Op) -> None: ...

    def cached(self, key: dict[str, str]) -> Item | None: ...

    def remember(self, item: Item | None) -> Item | None: ...

    def known_absent(self, key: dict[str, str]) -> bool: ...

    def read_along(self, key_list: list[dict[str, str]]) -> None: ...

    def take_along(self) -> list[dict[str, str]]: ...

    def commit(self) -> None: ...

    def commit_in_chunks(self, size: int) -> int: ...

    def another(self) -> UnitOfWorkPort: ...

    def __enter__(self) -> UnitOfWorkPort: ...

    def __exit__(self, *exc: object) -> None: ...
