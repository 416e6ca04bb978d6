"""Goals and their roll-ups in the table (to be filled in by the goals split)."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from service.adapters.unit_of_work import UnitOfWork


class GoalRepository:
    """Goals."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow


class RollupStore:
    """Roll-up figures of goals."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow
