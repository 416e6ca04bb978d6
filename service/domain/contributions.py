"""Contribution requests (issue 28, point 3): a manager asks someone else (a project lead) for a contribution to a
review. Pure Python. The contribution is read by the manager (and an acting manager) only: never by the employee,
never in the employee's documents; HR sees that it exists."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from service.domain.errors import ValidationFailed

MAX_QUESTION = 1000
MAX_TEXT = 4000


class ContributionState(StrEnum):
    """Asked, then given."""

    ASKED = "asked"
    GIVEN = "given"


STATE_LABELS = {ContributionState.ASKED: "Waiting", ContributionState.GIVEN: "Given"}


@dataclass(frozen=True)
class Contribution:
    """One request for a contribution to a review, and the contribution once given."""

    contribution_id: str
    cycle_id: str
    employee_id: str  # whose review
    contributor_id: str
    requested_by: str
    question: str
    requested_at: str
    state: ContributionState = ContributionState.ASKED
    text: str = ""
    given_at: str | None = None
    version: int = 0
    audit_head: str = ""


def check_request(
    employee_id: str, manager_id: str | None, requested_by: str, contributor_id: str, question: str, asked: list[str]
) -> None:
    """Refuse asking the employee themselves, their manager, oneself, someone already asked, or no question."""
    errors: dict[str, list[str]] = {}
    if contributor_id == employee_id:
        errors["contributor_id"] = ["the employee cannot contribute to their own review"]
    elif contributor_id in (manager_id, requested_by):
        errors["contributor_id"] = ["the manager writes the assessment: ask someone else"]
    elif contributor_id in asked:
        errors["contributor_id"] = ["this person was already asked for this review"]
    if not question.strip():
        errors["question"] = ["say what you would like them to comment on"]
    elif len(question) > MAX_QUESTION:
        errors["question"] = [f"at most {MAX_QUESTION} characters"]
    if errors:
        raise ValidationFailed("The contribution cannot be asked for.", errors)


def check_text(text: str) -> None:
    """A contribution says something, within its length."""
    if not text.strip():
        raise ValidationFailed("The contribution is empty.", {"text": ["write your contribution"]})
    if len(text) > MAX_TEXT:
        raise ValidationFailed("The contribution is too long.", {"text": [f"at most {MAX_TEXT} characters"]})
