"""Issue 28, point 4: the demo's start dates and review schedules: a 90-day probation rule and an anniversary rule,
with Arjun Nair's probation ending in 10 days and Mateusz Nowak's third anniversary in 12 (everyone else's
anniversary falls two months or more away), so HR's schedules page shows who is due soon."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.domain.schedules import add_months
from service.services import schedules
from service.services.auth import Principal

DUE_SOON = {"E034": ("probation", 10), "E026": ("anniversary", 12)}  # who, which rule, in how many days


def start_date(employee_id: str, today: date) -> date:
    """A demo person's start date, relative to today."""
    kind, days = DUE_SOON.get(employee_id, ("", 0))
    if kind == "probation":
        return today + timedelta(days=days - 90)
    if kind == "anniversary":
        return add_months(today + timedelta(days=days), -36)
    n = int(employee_id.removeprefix("E"))
    return add_months(today + timedelta(days=60 + (n * 7) % 240), -12 * (2 + n % 8))


def with_start_dates(organisation_csv: str, today: date) -> str:
    """The demo organisation's CSV with its optional start_date column filled in."""
    rows = list(csv.DictReader(io.StringIO(organisation_csv)))
    out = io.StringIO()
    writer = csv.DictWriter(out, [*rows[0].keys(), "start_date"], lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({**row, "start_date": start_date(row["employee_id"], today).isoformat()})
    return out.getvalue()


def load_schedules_demo(table: Table, hr: Principal, template_id: str, clock: Clock) -> None:
    """HR's two rules: probation after 90 days, and each work anniversary."""
    probation = {"name": "End of probation", "kind": "probation", "template_id": template_id, "days": 90}
    schedules.create_rule(UnitOfWork(table), hr, probation, clock)
    anniversary = {"name": "Work anniversary", "kind": "anniversary", "template_id": template_id}
    schedules.create_rule(UnitOfWork(table), hr, anniversary, clock)
