"""The one item codec: a domain dataclass ↔ the attributes of its item, field by field, by each field's declared type.

Stored: an enum as its value, a date as ISO text, a set as a sorted list, a tuple as a list, a nested dataclass as
a map of its fields; anything typed `Any` as it is. Read back: the same, the other way, with DynamoDB's Decimal
numbers turned into the int or float the field declares; an attribute an older item lacks takes the field's
default (or the empty value of its type). Each store adds its keys, its `type` and any attribute named otherwise.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import Enum
from functools import cache
from typing import Any, Generic, TypeVar

from service.adapters.store import Item

T = TypeVar("T")
Convert = Callable[[Any], Any]


def _same(value: Any) -> Any:
    return value


def _parts(hint: Any) -> tuple[Any, tuple[Any, ...], bool]:
    """(kind, arguments, optional) of a type hint: `list[str]` is (list, (str,), False), `date | None` is
    (date, (), True)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union) and type(None) in args:
        rest = [a for a in args if a is not type(None)]
        return (*_parts(rest[0])[:2], True)
    return (origin or hint), args, False


def _reader(hint: Any) -> Convert:
    """Stored value → the field's type."""
    kind, args, optional = _parts(hint)
    read = _plain_reader(kind, args)
    if optional and read is not _same:
        return lambda v: None if v is None or v == "" else read(v)
    return read


def _plain_reader(kind: Any, args: tuple[Any, ...]) -> Convert:
    if kind is int:
        return int
    if kind is float:
        return lambda v: float(v or 0)
    if kind is bool:
        return bool
    if kind is date:
        return date.fromisoformat
    if isinstance(kind, type) and issubclass(kind, Enum):
        return kind
    if dataclasses.is_dataclass(kind):
        return lambda v: from_item(kind, v)  # type: ignore[arg-type]
    if kind in (list, tuple, frozenset):
        element = _reader(args[0]) if args else _same
        return lambda v: kind(element(x) for x in v or ())
    if kind is dict:
        key, value = (_reader(args[0]), _reader(args[1])) if args else (_same, _same)
        if key is _same and value is _same:
            return _same
        return lambda v: {key(k): value(x) for k, x in (v or {}).items()}
    return _same


def _writer(hint: Any) -> Convert:
    """Field value → what is stored."""
    kind, args, optional = _parts(hint)
    write: Convert = _same
    if kind is date:
        write = date.isoformat
    elif isinstance(kind, type) and issubclass(kind, Enum):
        write = _enum_value
    elif dataclasses.is_dataclass(kind):
        write = to_attributes
    elif kind is frozenset:
        element = _writer(args[0]) if args else _same
        write = lambda v: sorted(element(x) for x in v)  # noqa: E731
    elif kind in (list, tuple):
        element = _writer(args[0]) if args else _same
        write = lambda v: [element(x) for x in v]  # noqa: E731
    elif kind is dict and args:
        key, value = _writer(args[0]), _writer(args[1])
        write = lambda v: {key(k): value(x) for k, x in v.items()}  # noqa: E731  (a copy, as lists are)
    if optional and write is not _same:
        return lambda v: None if v is None else write(v)
    return write


def _enum_value(member: Enum) -> Any:
    return member.value


@cache
def _fields(cls: type) -> tuple[tuple[str, Convert, Convert, Any], ...]:
    """(name, reader, writer, default factory) of each field of a dataclass."""
    hints = typing.get_type_hints(cls)
    found = []
    for f in dataclasses.fields(cls):
        if f.default is not dataclasses.MISSING:
            default: Any = (lambda d: lambda: d)(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = f.default_factory
        else:
            default = _empty(f.name, hints[f.name])
        found.append((f.name, _reader(hints[f.name]), _writer(hints[f.name]), default))
    return tuple(found)


def _empty(name: str, hint: Any) -> Callable[[], Any]:
    """What a required field reads as when its attribute is missing: the empty value of a plain type; an enum,
    a date or a nested record cannot be made up (KeyError, as reading the item by that name)."""
    kind, _args, optional = _parts(hint)
    if optional:
        return lambda: None
    if kind in (str, int, float, bool, list, tuple, frozenset, dict):
        return kind

    def missing() -> Any:
        raise KeyError(name)

    return missing


def to_attributes(obj: Any, rename: dict[str, str] | None = None) -> Item:
    """A dataclass's fields as item attributes (`rename`: field → attribute name), in field order."""
    rename = rename or {}
    return {rename.get(name, name): write(getattr(obj, name)) for name, _read, write, _default in _fields(type(obj))}


def from_item(cls: type[T], item: Item, rename: dict[str, str] | None = None) -> T:
    """A dataclass from an item's attributes (`rename`: field → attribute name); keys and other attributes ignored."""
    rename = rename or {}
    values = {}
    for name, read, _write, default in _fields(cls):
        stored = item.get(rename.get(name, name))
        values[name] = default() if stored is None and rename.get(name, name) not in item else read(stored)
    return cls(**values)


@dataclass(frozen=True)
class Codec(Generic[T]):
    """How one kind of record is stored: its dataclass, the item's `type`, its keys (the primary key and any index
    attributes, made from the record) and the fields stored under another name."""

    cls: type[T]
    kind: str
    keys: Callable[[T], Item]
    rename: Mapping[str, str] = field(default_factory=dict)

    def to_item(self, record: T) -> Item:
        """Record → item."""
        return {**self.keys(record), "type": self.kind, **to_attributes(record, dict(self.rename))}

    def from_item(self, item: Item) -> T:
        """Item → record."""
        return from_item(self.cls, item, dict(self.rename))
