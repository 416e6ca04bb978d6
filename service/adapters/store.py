"""The table port: conditional item writes in one transaction, reads by key and query.

Two implementations share these semantics: `DynamoTable` (boto3) and `MemoryTable` (unit tests).
Conditions are deliberately few: an item must be absent, or must carry an expected version.
"""

from __future__ import annotations

import copy
import json
import threading
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from service.domain.audit import canonical
from service.domain.errors import Clash, Conflict, StaleWrite, TooLarge

Item = dict[str, Any]
Key = dict[str, str]
MAX_TRANSACTION_ITEMS = 100
MAX_ITEM_BYTES = 390_000  # DynamoDB refuses items over 400 KB; both tables refuse them the same way
INDEXES = {"gsi1": ("gsi1pk", "gsi1sk"), "gsi2": ("gsi2pk", "gsi2sk"), "gsi3": ("gsi3pk", "gsi3sk")}


@dataclass(frozen=True, kw_only=True)
class Condition:
    """What a Put or a Check requires of the stored item: absent, or at a version. Neither: unconditional."""

    expect_version: int | None = None
    must_not_exist: bool = False


@dataclass(frozen=True)
class Put(Condition):
    """Write a whole item, on its condition."""

    item: Item


@dataclass(frozen=True)
class Delete:
    """Remove an item, optionally only at an expected version."""

    key: Key
    expect_version: int | None = None


@dataclass(frozen=True)
class Check(Condition):
    """Assert an item is at a version (or absent) without writing it."""

    key: Key


@dataclass(frozen=True)
class Increment:
    """Add to numeric attributes without a condition (counters kept up to date on write).

    The item is created if missing; `defaults` are set only where the attribute is absent.
    """

    key: Key
    deltas: dict[str, int]
    defaults: dict[str, Any] = field(default_factory=dict)


Op = Put | Delete | Check | Increment


@dataclass
class Page:
    """One page of a query result."""

    items: list[Item]
    cursor: Key | None = None


def item_kind(item: Item) -> str:
    """What kind of thing an item is ("review", "goal", ...), for messages and error fields."""
    from service.adapters.keys import kind_of

    return str(item.get("type") or kind_of(key_of(item)))


def key_of(item: Item) -> Key:
    """The primary key of an item."""
    return {"pk": item["pk"], "sk": item["sk"]}


def refusal_error(op: Op) -> Conflict:
    """Turn a failed condition into the typed domain error callers expect (fields, never keys, in it)."""
    from service.adapters.keys import kind_of

    key = op.item if isinstance(op, Put) else op.key
    entity = (op.item.get("type") if isinstance(op, Put) else None) or kind_of(key)
    noun = entity.replace("_", " ")
    if getattr(op, "must_not_exist", False):
        return Conflict(f"This {noun} already exists.", entity=entity, clash=Clash.EXISTS)
    return StaleWrite(f"This {noun} was changed by someone else; reload it and try again.", entity=entity)


class Table(ABC):
    """Port to the single table."""

    @abstractmethod
    def get(self, key: Key, consistent: bool = False) -> Item | None:
        """One item by primary key, or None."""

    @abstractmethod
    def get_many(self, keys: list[Key], consistent: bool = False) -> list[Item]:
        """Items by primary key (missing ones are left out), in no particular order; `consistent`: strongly
        consistent reads (what this very client just wrote)."""

    @abstractmethod
    def query_page(
        self,
        pk: str,
        sk_prefix: str | None = None,
        index: str | None = None,
        limit: int | None = None,
        cursor: Key | None = None,
        descending: bool = False,
    ) -> Page:
        """One page of items in a partition (of the table or an index), by sort-key prefix."""

    @abstractmethod
    def transact(self, ops: list[Op], token: str | None = None) -> None:
        """Apply every op or none; a failed condition raises Conflict/StaleWrite.

        `token` is the idempotency token of one commit: the same token and ops sent again after a
        success succeed without writing twice (DynamoDB's ClientRequestToken, for ten minutes).
        """

    def query(
        self, pk: str, sk_prefix: str | None = None, index: str | None = None, descending: bool = False
    ) -> Iterator[Item]:
        """Every item in a partition, following pages."""
        cursor: Key | None = None
        while True:
            page = self.query_page(pk, sk_prefix, index=index, cursor=cursor, descending=descending)
            yield from page.items
            if page.cursor is None:
                return
            cursor = page.cursor


class MemoryTable(Table):
    """An in-memory table with the same conditional semantics, for fast unit tests."""

    def __init__(self, page_size: int = 1000) -> None:
        self._items: dict[tuple[str, str], Item] = {}
        # (index or None, partition value) → keys of its items, so a query reads one partition only
        self._parts: dict[tuple[str | None, str], set[tuple[str, str]]] = {}
        self._lock = threading.Lock()
        self.page_size = page_size
        self.transactions = 0
        self._tokens: dict[str, str] = {}  # idempotency token → fingerprint of its ops

    def all_items(self) -> list[Item]:
        """Every item (tests only)."""
        return [copy.deepcopy(i) for _, i in sorted(self._items.items())]

    def get(self, key: Key, consistent: bool = False) -> Item | None:
        item = self._items.get((key["pk"], key["sk"]))
        return copy.deepcopy(item) if item is not None else None

    def get_many(self, keys: list[Key], consistent: bool = False) -> list[Item]:
        return [i for i in (self.get(k, consistent) for k in keys) if i is not None]

    def query_page(self, pk, sk_prefix=None, index=None, limit=None, cursor=None, descending=False) -> Page:
        _pk_attr, sk_attr = INDEXES[index] if index else ("pk", "sk")
        members = (self._items[k] for k in self._parts.get((index, pk), ()))
        rows = [i for i in members if sk_attr in i and (sk_prefix is None or i[sk_attr].startswith(sk_prefix))]
        rows.sort(key=lambda i: (i[sk_attr], i["pk"], i["sk"]), reverse=descending)
        start = 0
        if cursor is not None and index and sk_attr in cursor:
            # As DynamoDB does: after the cursor's place in the index, whether or not that item is still there.
            mark = (cursor[sk_attr], cursor["pk"], cursor["sk"])
            seen = (lambda k: k >= mark) if descending else (lambda k: k <= mark)
            start = sum(1 for r in rows if seen((r[sk_attr], r["pk"], r["sk"])))
        elif cursor is not None:
            marks = [(r["pk"], r["sk"]) for r in rows]
            start = marks.index((cursor["pk"], cursor["sk"])) + 1
        size = min(limit or self.page_size, self.page_size)
        chunk = rows[start : start + size]
        more = start + size < len(rows)
        return Page([copy.deepcopy(i) for i in chunk], key_of(chunk[-1]) if more and chunk else None)

    def transact(self, ops: list[Op], token: str | None = None) -> None:
        _check_batch(ops)
        with self._lock:
            if token is not None and token in self._tokens:
                if self._tokens[token] != _fingerprint(ops):
                    raise ValueError("an idempotency token was reused for other operations")
                return  # DynamoDB answers a repeated token as a success and writes nothing
            for op in ops:
                key = op.item if isinstance(op, Put) else op.key
                current = self._items.get((key["pk"], key["sk"]))
                if not _condition_holds(op, current):
                    raise refusal_error(op)
            for op in ops:
                if isinstance(op, Put):
                    self._store(copy.deepcopy(op.item))
                elif isinstance(op, Increment):
                    target = copy.deepcopy(self._items.get((op.key["pk"], op.key["sk"]), dict(op.key)))
                    for name, value in op.defaults.items():
                        target.setdefault(name, copy.deepcopy(value))
                    for name, delta in op.deltas.items():
                        target[name] = target.get(name, 0) + delta
                    self._store(target)
                elif isinstance(op, Delete):
                    self._unindex((op.key["pk"], op.key["sk"]))
                    self._items.pop((op.key["pk"], op.key["sk"]), None)
            self.transactions += 1
            if token is not None:
                self._tokens[token] = _fingerprint(ops)

    def _partitions(self, item: Item) -> list[tuple[str | None, str]]:
        parts: list[tuple[str | None, str]] = [(None, item["pk"])]
        parts += [(name, item[attrs[0]]) for name, attrs in INDEXES.items() if attrs[0] in item and attrs[1] in item]
        return parts

    def _unindex(self, key: tuple[str, str]) -> None:
        old = self._items.get(key)
        if old is not None:
            for part in self._partitions(old):
                self._parts.get(part, set()).discard(key)

    def _store(self, item: Item) -> None:
        key = (item["pk"], item["sk"])
        self._unindex(key)
        self._items[key] = item
        for part in self._partitions(item):
            self._parts.setdefault(part, set()).add(key)

    def load(self, items: Iterable[Item]) -> None:
        """Put items without conditions (seeding tests and benchmarks)."""
        with self._lock:
            for item in items:
                self._store(copy.deepcopy(item))


def _condition_holds(op: Op, current: Item | None) -> bool:
    if isinstance(op, Increment):
        return True
    if getattr(op, "must_not_exist", False):
        return current is None
    if op.expect_version is not None:
        return current is not None and current.get("version") == op.expect_version
    return not isinstance(op, Check) or current is not None


def _fingerprint(ops: list[Op]) -> str:
    return json.dumps([repr(op) for op in ops])


def same_item(stored: Item | None, written: Item) -> bool:
    """True when a stored item is exactly what a Put wrote (top-level None attributes are not stored)."""
    if stored is None:
        return False

    def top(item: Item) -> Item:
        return canonical({k: v for k, v in item.items() if v is not None})

    return top(stored) == top(written)


def _check_batch(ops: Iterable[Op]) -> None:
    ops = list(ops)
    if not ops:
        raise ValueError("a transaction needs at least one operation")
    if len(ops) > MAX_TRANSACTION_ITEMS:
        raise ValueError(f"a transaction takes at most {MAX_TRANSACTION_ITEMS} operations, not {len(ops)}")
    seen = set()
    for op in ops:
        key = op.item if isinstance(op, Put) else op.key
        if isinstance(op, Put) and len(json.dumps(op.item, default=str).encode()) > MAX_ITEM_BYTES:
            raise TooLarge("The text is longer than can be stored; shorten it.", {"item": [item_kind(op.item)]})
        mark = (key["pk"], key["sk"])
        if mark in seen:
            raise ValueError(f"item {mark} appears twice in one transaction")
        seen.add(mark)
