"""The demo's personnel decisions (issue 27): a restructuring of the platform team that the consistency checks flag
(every one of them meets or exceeds expectations, and training their managers named was never delivered), waiting
for a second HR person's approval; a promotion a manager recorded and communicated this quarter (HR reads it live,
leadership once the quarter has ended); and a pay rise for six of the sales team, communicated four months ago, so
the demo leader reads an ended quarter's counts."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import decisions
from service.services.auth import Principal

PLATFORM_TEAM = ["E008", "E009", "E010", "E011", "E012"]
SALES_RAISE = ["E023", "E024", "E025", "E026", "E028", "E029"]
EARLIER_BY = timedelta(days=120)  # always in an earlier quarter, which has ended


class _Earlier(Clock):
    """The demo's clock moved back: the raise was decided and told in a quarter that has ended."""

    def __init__(self, clock: Clock) -> None:
        self.clock, self.zone = clock, clock.zone

    def now(self) -> datetime:
        return self.clock.now() - EARLIER_BY

    def new_id(self) -> str:
        return self.clock.new_id()


def load_decisions_demo(table: Table, who: Callable[[str], Principal], clock: Clock) -> None:
    """Record the demo's decisions through the real use cases."""
    earlier = _Earlier(clock)
    raise_ = {"kind": "pay_change", "pay_direction": "increase", "summary": "Pay rise after the record year in sales.",
              "people": SALES_RAISE}  # fmt: skip
    told = decisions.record_decision(UnitOfWork(table), who("E005"), raise_, earlier)
    decisions.communicate(UnitOfWork(table), who("E005"), told.decision_id, earlier)
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
