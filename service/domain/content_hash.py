"""The content hash of a stored review, printed in a summary's footer so HR can check a PDF against the table.

The hash covers what the review holds (every part, the score, stamps, the version and the head of its audit
chain), as canonical JSON, so the same stored review hashes the same from memory, moto or DynamoDB.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict
from decimal import Decimal
from typing import Any

from service.domain.reviews import Review

PREFIX = "sha256:"
# Fields of the stored review the hash covers (all of it: nothing a reader could see is left out).
FIELDS = (
    "cycle_id",
    "employee_id",
    "employee_name",
    "department",
    "manager_id",
    "cycle_name",
    "period_start",
    "state",
    "self_assessment",
    "manager_assessment",
    "discussion",
    "acknowledgement",
    "submitted",
    "finalised_by",
    "score",
    "last_return",
    "version",
    "audit_head",
)


def _canonical(value: Any) -> Any:
    # DynamoDB hands numbers back as Decimal and whole floats as ints: one form for each number.
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float, Decimal)):
        number = Decimal(str(value))
        return int(number) if number == number.to_integral_value() else float(number)
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_canonical(v) for v in value]
    return str(value)


def review_hash(review: Review) -> str:
    """'sha256:<64 hex>' of the stored review's content (the same for the HR and the employee copy)."""
    data = asdict(review)
    data["state"] = review.state.value
    canonical = json.dumps(
        {k: _canonical(data[k]) for k in FIELDS}, sort_keys=True, separators=(",", ":"), ensure_ascii=False
    )
    return PREFIX + hashlib.sha256(canonical.encode("utf-8")).hexdigest()
