"""Demo story of issue 28, point 3: Fatima Al-Sayed (E013) is away, so Lukas Becker (E007) acts for her this fortnight;
she asked Lukas, who led a project with Jonas Lindqvist (E014), for a contribution to Jonas's review (given), and
Lukas asked Jonas for one about Kwame Mensah (E009), still waiting."""

from __future__ import annotations

from datetime import timedelta

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import contributions, delegation


def load_delegation_demo(table: Table, who, cycle_id: str, clock: Clock) -> None:
    """An acting manager for the product team, one contribution given and one waiting."""
    today = clock.now().date()
    away = {"acting_id": "E007", "starts": today - timedelta(days=2), "ends": today + timedelta(days=12)}
    delegation.name_acting_manager(UnitOfWork(table), who("E013"), away, clock)
    ask = {"contributor_id": "E007", "question": "How did Jonas lead the shared checkout project with your team?"}
    given = contributions.request_contribution(UnitOfWork(table), who("E013"), cycle_id, "E014", ask, clock)
    words = "Jonas set a clear plan, unblocked my team twice and documented the rollout; he could delegate more."
    contributions.give(UnitOfWork(table), who("E007"), given.contribution_id, words, given.version, clock)
    ask = {"contributor_id": "E014", "question": "What was Kwame's part in the payments integration?"}
    contributions.request_contribution(UnitOfWork(table), who("E007"), cycle_id, "E009", ask, clock)
