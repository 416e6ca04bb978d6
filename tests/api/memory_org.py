"""An app over the in-memory table with the organisation of tests/conftest.py and one launched cycle whose
template has as many competencies as its scale has points (so one form can use every point once).

Shared by the tests of choices (every option through to submission) and of parse points (every value the
domain parses is refused at the edge): building this costs milliseconds, not a moto table.
"""

from __future__ import annotations

from typing import Any

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

SCALE = ["Far below", "Below", "Meets", "Exceeds", "Outstanding"]
COMPETENCIES = [
    {"id": f"c{n}", "name": f"Competency {n}", "description": f"What competency {n} means."}
    for n in range(1, len(SCALE) + 1)
]


def launched(clock: FixedClock) -> tuple[MemoryTable, str]:
    """(table, cycle id): the organisation and a launched cycle over everyone, with a 5-point scale."""
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    hr = f.principal(table, "E2")
    data = f.template_data(competencies=COMPETENCIES, scale=SCALE)
    template = template_svc.create_template(UnitOfWork(table), hr, data, clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    return table, cycle.cycle_id


def make_app(settings: Settings, table: MemoryTable, clock: FixedClock) -> Any:
    """The Flask app over `table`."""
    from service.web import create_app

    application = create_app(settings, table=table, clock=clock)
    application.config["TESTING"] = True
    return application


def module_app(clock: FixedClock) -> Any:
    """One app for a whole module (building one costs more than a test); `fresh` gives it a new world per test."""
    settings = Settings(table_name="memory", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    return make_app(settings, MemoryTable(), clock)


def fresh(app: Any) -> tuple[MemoryTable, str]:
    """A new table with the organisation and a launched cycle, put behind the module's app; (table, cycle id)."""
    wiring = app.extensions["reviews"]
    table, cycle_id = launched(wiring.clock)  # the app's clock: ids stay unique across the module's tests
    wiring._table = table  # the app reads its table through the wiring on every request
    return table, cycle_id


def ratings(points: list[int | None]) -> dict[str, dict[str, Any]]:
    """Competency ratings content: competency n gets points[n-1]."""
    return {c["id"]: {"rating": p, "comment": ""} for c, p in zip(COMPETENCIES, points, strict=False)}
