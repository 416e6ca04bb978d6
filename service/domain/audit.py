"""The audit trail: field-level changes, hash-chained so that tampering shows."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any, TypeVar

from service.domain.changes import flatten

MAX_VALUE_CHARS = 2000
GENESIS = "0" * 64
RECORD_FIELDS = ("entity", "version", "at", "actor", "action", "reason", "changes", "prev_hash")

T = TypeVar("T")


@dataclass(frozen=True)
class Change:
    """One field that changed, from → to."""

    field: str
    before: Any
    after: Any


def _clip(value: Any) -> Any:
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        return value[:MAX_VALUE_CHARS] + "…"
    if isinstance(value, (list, dict)):
        text = json.dumps(value, sort_keys=True, default=str)
        return value if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + "…"
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    """Every dotted field whose value differs (lists compared whole)."""
    a, b = flatten(before, lists=False), flatten(after, lists=False)
    return [Change(k, _clip(a.get(k)), _clip(b.get(k))) for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)]


def edit_of(current: Any, edited: T, **kept: Any) -> T:
    """`edited` (a dataclass made from a form) as an edit of `current`: it keeps who created it and when, its
    version and its audit chain, and the other fields named in `kept`."""
    keeps = ("created_at", "created_by", "version", "audit_head")
    return replace(edited, **{name: getattr(current, name) for name in keeps}, **kept)  # type: ignore[type-var]


def canonical(value: Any) -> Any:
    """A value in the shape storage gives it back: whole numbers as ints, sequences as lists, sets sorted.

    Storage may hand 100.0 back as 100: whole floats hash as ints so a stored record still verifies.
    """
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [canonical(v) for v in value]
    if isinstance(value, (set, frozenset)):
        return sorted(canonical(v) for v in value)
    return value


def record_hash(prev_hash: str, record: dict[str, Any]) -> str:
    """sha256 over the previous hash and the record's canonical JSON."""
    # issue 28: an acting manager's record also names the manager they acted for (older records have no such field)
    named = RECORD_FIELDS + (("on_behalf_of",) if record.get("on_behalf_of") else ())
    body = json.dumps(canonical({k: record.get(k) for k in named}), sort_keys=True, default=str)
    return hashlib.sha256((prev_hash + body).encode()).hexdigest()


def new_record(
    entity: str,
    version: int,
    at: str,
    actor: str,
    action: str,
    changes: list[Change],
    prev_hash: str,
    reason: str = "",
    on_behalf_of: str | None = None,
) -> dict[str, Any]:
    """An audit record, chained to the previous one; `on_behalf_of` names the manager an acting manager acted for."""
    record: dict[str, Any] = {
        "entity": entity,
        "version": version,
        "at": at,
        "actor": actor,
        "action": action,
        "reason": reason,
        "changes": [{"field": c.field, "from": c.before, "to": c.after} for c in changes],
        "prev_hash": prev_hash or GENESIS,
    }
    if on_behalf_of:
        record["on_behalf_of"] = on_behalf_of
    record["hash"] = record_hash(record["prev_hash"], record)
    return record


def verify_chain(records: list[dict[str, Any]], head: str | None = None) -> list[str]:
    """Problems in an entity's chain (empty when it verifies); `head` is the hash the entity holds."""
    problems: list[str] = []
    prev = GENESIS
    ordered = sorted(records, key=lambda r: r["version"])
    for n, r in enumerate(ordered):
        if n and r["version"] != ordered[n - 1]["version"] + 1:
            problems.append(f"version {r['version']}: records are missing before it")
        if r["prev_hash"] != prev:
            problems.append(f"version {r['version']}: does not follow the previous record")
        if record_hash(r["prev_hash"], r) != r["hash"]:
            problems.append(f"version {r['version']}: content does not match its hash")
        prev = r["hash"]
    if head is not None and records and prev != head:
        problems.append("the latest record is not the one the entity points to")
    return problems
