"""Seeded organisations for the goal benchmarks and the request-count test.

`goal_organisation(n)` builds, through the real use cases on the in-memory table, an organisation
of n people (a CEO, 4 department heads, managers of 8, staff) with 3 organisation goals, a team goal
per manager, and 5 individual goals per person: aligned to the manager's team goal, to an
organisation goal, or left as orphans; some at risk.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from service.adapters.clock import FixedClock
from service.adapters.queue import InlineQueue
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import goals as goal_svc
from service.services import templates as template_svc
from service.services.auth import Principal
from service.services.directory import get_person, import_organisation
from service.services.worker import dispatch

DEPARTMENTS = ("Engineering", "Sales", "Operations", "Finance")
TEAM_SIZE = 8


def organisation_csv(n: int) -> str:
    """An n-person organisation: CEO → 4 heads → managers → staff."""
    rows = [
        "employee_id,name,email,title,department,manager_id,roles",
        "P0000,Chief Executive,p0000@example.com,CEO,Leadership,,leadership;hr",
    ]
    heads = [f"P{i:04d}" for i in range(1, 5)]
    for i, head in enumerate(heads):
        rows.append(f"{head},Head {i},{head.lower()}@example.com,Head,{DEPARTMENTS[i]},P0000,leadership")
    next_id, managers = 5, []
    remaining = n - 5
    while remaining > 0:
        head_index = len(managers) % 4
        manager = f"P{next_id:04d}"
        rows.append(
            f"{manager},Manager {next_id},{manager.lower()}@example.com,Manager,{DEPARTMENTS[head_index]},"
            f"{heads[head_index]},"
        )
        managers.append((manager, head_index))
        next_id += 1
        remaining -= 1
        for _ in range(min(TEAM_SIZE, remaining)):
            person = f"P{next_id:04d}"
            rows.append(
                f"{person},Person {next_id},{person.lower()}@example.com,Engineer,{DEPARTMENTS[head_index]},{manager},"
            )
            next_id += 1
            remaining -= 1
    return "\n".join(rows) + "\n"


def annual_template(table: Any, hr: Principal, clock: Any) -> Any:
    """The one-competency template of the benchmarks' cycles, created by `hr`."""
    return template_svc.create_template(
        UnitOfWork(table),
        hr,
        {
            "name": "Annual",
            "scale": ["1", "2", "3", "4"],
            "weights": {"goals": 50, "competencies": 50, "feedback": 0},
            "competencies": [{"id": "delivery", "name": "Delivery", "description": "Ships."}],
            "questions": {},
        },
        clock,
    )


def goal_organisation(n: int) -> tuple[MemoryTable, str]:
    """(table, cycle id) with n people and 5 goals each (see the module docstring)."""
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, organisation_csv(n), clock)

    def who(employee_id: str) -> Principal:
        return Principal.of(get_person(UnitOfWork(table), employee_id))

    ceo = who("P0000")
    template = annual_template(table, ceo, clock)
    cycle = cycle_svc.create_cycle(
        UnitOfWork(table),
        ceo,
        {
            "name": "2026",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 12, 31),
            "template_id": template.template_id,
            "participant_mode": "list",
            "employee_ids": ["P0000"],
            "phases": {
                p: date(2026, 3 + i, 1)
                for i, p in enumerate(
                    ("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion")
                )
            },
        },
        clock,
    )
    cycle_svc.launch_cycle(
        UnitOfWork(table), ceo, cycle.cycle_id, cycle.version, clock, InlineQueue(lambda m: dispatch(table, m, clock))
    )
    c = cycle.cycle_id
    uow = UnitOfWork(table)  # one unit of work, one use case after another
    org = [
        goal_svc.create_goal(uow, ceo, {"level": "organisation", "title": f"Organisation goal {i}"}, clock).goal_id
        for i in range(3)
    ]
    people = [e for e in table.query("ORG", "EMP#")]
    team_goal: dict[str, str] = {}
    for e in people:
        if "manager" in e["roles"]:
            team_goal[e["employee_id"]] = goal_svc.create_goal(
                uow,
                who(e["employee_id"]),
                {
                    "level": "team",
                    "title": f"Team goal of {e['name']}",
                    "cycle_id": c,
                    "weight": 100,
                    "parent_id": org[len(team_goal) % 3],
                },
                clock,
            ).goal_id
    for n_person, e in enumerate(people):
        owner = who(e["employee_id"])
        for g in range(5):
            if g < 3 and e.get("manager_id") in team_goal:
                parent = team_goal[e["manager_id"]]
            elif g == 3:
                parent = org[n_person % 3]
            else:
                parent = None
            kr = [
                {
                    "id": "k",
                    "title": "measure",
                    "start": 0.0,
                    "target": 10.0,
                    "current": float((n_person + g) % 11),
                    "unit": "",
                }
            ]
            goal_svc.create_goal(
                uow,
                owner,
                {
                    "level": "individual",
                    "title": f"Goal {g} of {e['name']}",
                    "cycle_id": c,
                    "weight": 20,
                    "parent_id": parent,
                    "key_results": kr,
                    "status": "at_risk" if (n_person + g) % 17 == 0 else "on_track",
                },
                clock,
            )
    return table, c


def load_into_moto(items: list[dict], table_name: str, region: str, encode) -> None:
    """Write items straight into moto's DynamoDB backend (seeding only: no HTTP round trips)."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
    for item in items:
        backend.put_item(table_name, encode(item))
