"""The demo's personnel decisions (issue 27): a restructuring of the platform team that the consistency checks flag
(every one of them meets or exceeds expectations, and training their managers named was never delivered), waiting
for a second HR person's approval; and a promotion a manager recorded and communicated."""

from __future__ import annotations

from collections.abc import Callable

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import decisions
from service.services.auth import Principal

PLATFORM_TEAM = ["E008", "E009", "E010", "E011", "E012"]


def load_decisions_demo(table: Table, who: Callable[[str], Principal], clock: Clock) -> None:
    """Record the demo's decisions through the real use cases."""
    restructuring = {
        "kind": "restructuring",
        "summary": "The platform team is dissolved; its services move to a managed hosting provider.",
        "people": PLATFORM_TEAM,
        "justification": "The hosting contract signed in March covers what the team runs; the budget does not "
        "allow both.",
    }
    decisions.record_decision(UnitOfWork(table), who("E005"), restructuring, clock)
    promotion = {"kind": "promotion", "summary": "Promoted to Staff Engineer.", "people": ["E014"]}
    decided = decisions.record_decision(UnitOfWork(table), who("E013"), promotion, clock)
    decisions.communicate(UnitOfWork(table), who("E013"), decided.decision_id, clock)
