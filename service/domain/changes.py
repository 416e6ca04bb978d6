"""Reading changes out of plain data: content as dotted leaves, and the editable fields of a request."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any


def flatten(value: Any, prefix: str = "", *, lists: bool = True) -> dict[str, Any]:
    """Content → {dotted field: leaf value}: `training_needs.0.topic`, or lists kept whole with `lists=False`."""
    if isinstance(value, Mapping):
        items: Iterable[tuple[Any, Any]] = value.items()
    elif lists and isinstance(value, list):
        items = enumerate(value)
    else:
        return {prefix: value}
    out: dict[str, Any] = {}
    for k, v in items:
        out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k), lists=lists))
    return out


def edits(data: Mapping[str, Any], editable: Iterable[str], **convert: Callable[[Any], Any]) -> dict[str, Any]:
    """The editable fields present in `data`, each through its converter where one is named."""
    return {k: convert[k](data[k]) if k in convert else data[k] for k in editable if k in data}
