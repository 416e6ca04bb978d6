"""The demo's improvement plan (issue 27, point 3), made through the real use cases from what the diagnosis and the
training-need report actually say: last year's public-speaking needs were never addressed (an action made from that
finding, under way and reviewed on this year's diagnosis), and this year most obstacles sit with tools and processes
(an action made from that finding, planned)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.improvement_plan import PlanAction
from service.services import diagnosis, improvement_plan
from service.services.auth import Principal

HR = "E005"


def _first(findings, kind: str) -> str | None:
    return next((f.key for f in findings if f.key.startswith(kind)), None)


def load_plan_demo(table: Table, who: Callable[[str], Principal], last: str, current: str, clock: Clock) -> None:
    """Add the demo's plan items from the findings of last year's and this year's diagnosis."""
    hr, today = who(HR), clock.now().date()
    before = diagnosis.diagnosis(UnitOfWork(table), hr, last, clock.now()).findings
    key = _first(before, "training:topic:")
    if key is not None:
        item = improvement_plan.create_item(
            UnitOfWork(table),
            hr,
            {
                "source": "diagnosis",
                "cycle_id": last,
                "finding_key": key,
                "title": "Run a public-speaking course for everyone who asked for one",
                "owner_id": "E032",
                "due": today + timedelta(days=21),
            },
            clock,
        )
        improvement_plan.update_item(
            UnitOfWork(table), hr, item.item_id, PlanAction.START, "Trainer booked; first session next month.", 1, clock
        )
    now = diagnosis.diagnosis(UnitOfWork(table), hr, current, clock.now()).findings
    key = _first(now, "obstacles:")
    if key is not None:
        improvement_plan.create_item(
            UnitOfWork(table),
            hr,
            {
                "source": "diagnosis",
                "cycle_id": current,
                "finding_key": key,
                "title": "Replace the slow CI runners and simplify the release checklist",
                "owner_id": "E003",
                "due": today + timedelta(days=60),
            },
            clock,
        )
