"""Tracked actions: an obstacle's remediation or an action agreed in a review discussion, owned and dated."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class ActionKind(StrEnum):
    """Where a tracked action came from."""

    REMEDIATION = "remediation"  # the manager assessment's obstacles
    AGREED = "agreed"  # the review discussion's agreed actions


@dataclass(frozen=True)
class Action:
    """One tracked action about a person (`subject_id`), owned by `owner_id`, with its status (`ItemStatus`)."""

    action_id: str
    kind: str
    cycle_id: str
    subject_id: str
    description: str
    obstacle: str | None  # the obstacle a remediation removes (None for agreed actions)
    owner_id: str
    due: str
    status: str
    created_at: str
    version: int = 0
