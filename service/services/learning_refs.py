"""The learning evidence a self assessment picks: checked here, apart from the learning log's use cases, so
the review can check it without importing the module that reads reviews back."""

from __future__ import annotations

from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import ValidationFailed
from service.domain.learning import in_period


def check_evidence_refs(uow: UnitOfWork, employee_id: str, period: tuple[Any, Any], refs: list[str]) -> None:
    """Picked activities must be the employee's own and inside the cycle's period (the self assessment asks)."""
    if not refs:
        return
    found = uow.learning.get_many(employee_id, refs)
    errors: dict[str, list[str]] = {}
    for n, ref in enumerate(refs):
        a = found.get(ref)
        if a is None:
            errors[f"learning_refs.{n}"] = ["not an activity of your learning log"]
        elif not in_period(a.date, *period):
            errors[f"learning_refs.{n}"] = [f"“{a.title}” is outside this cycle's period"]
    if errors:
        raise ValidationFailed("The learning evidence is not valid.", errors)
