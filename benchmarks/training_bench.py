"""The training-need report at 200, 2,000 and 10,000 people (3 needs each: 30,000 needs at 10,000).

Each organisation is built on the in-memory table: the directory by the real import, a launched cycle
(reviews created by the worker), 30 catalogue topics, and each person's needs staged by
`training.stage_review_needs`, the function the review transaction calls, one transaction a person.
The report is then counted at the table port (GetItem, BatchGetItem per 100 keys, Query per page) and
timed: the figures with their SVG charts (`report_context`), the report body rendered by plain Jinja
(what the PDF renders), and the CSV.
"""

from __future__ import annotations

import random
import time
from datetime import UTC, date, datetime
from typing import Any

from benchmarks.seed import organisation_csv
from service.adapters.clock import FixedClock
from service.adapters.queue import InlineQueue
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from service.services import training
from service.services.auth import Principal
from service.services.directory import get_person, import_organisation
from service.services.worker import dispatch

TOPICS = [f"Topic {i:02d}" for i in range(30)]
NEEDS_EACH = 3


def training_organisation(n: int) -> tuple[MemoryTable, str]:
    """(table, cycle id) with n people and 3 needs each."""
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, organisation_csv(n), clock)
    ceo = Principal.of(get_person(UnitOfWork(table), "P0000"))
    template = template_svc.create_template(
        UnitOfWork(table),
        ceo,
        {
            "name": "Annual",
            "scale": ["1", "2", "3", "4"],
            "weights": {"goals": 50, "competencies": 50, "feedback": 0},
            "competencies": [{"id": "delivery", "name": "Delivery", "description": "Ships."}],
            "questions": {},
        },
        clock,
    )
    phases = ("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion")
    cycle = cycle_svc.create_cycle(
        UnitOfWork(table),
        ceo,
        {
            "name": "2026",
            "period_start": date(2026, 1, 1),
            "period_end": date(2026, 12, 31),
            "template_id": template.template_id,
            "participant_mode": "everyone",
            "phases": {p: date(2026, 3 + i, 1) for i, p in enumerate(phases)},
        },
        clock,
    )
    queue = InlineQueue(lambda m: dispatch(table, m, clock))
    cycle_svc.launch_cycle(UnitOfWork(table), ceo, cycle.cycle_id, cycle.version, clock, queue)
    for name in TOPICS:
        training.create_topic(UnitOfWork(table), ceo, {"name": name, "synonyms": [name.replace(" ", "-")]}, clock)
    rng = random.Random(n)
    uow = UnitOfWork(table)
    for review in uow.reviews.of_cycle(cycle.cycle_id):
        rows = [
            {
                "topic": topic,
                "priority": rng.choice(("high", "medium", "low")),
                "format": rng.choice(("course", "mentoring", "conference")),
                "estimated_cost": rng.choice((None, 300.0, 800.0)),
            }
            for topic in rng.sample(TOPICS, NEEDS_EACH)
        ]
        with uow:
            training.stage_review_needs(uow, review, "self", {"training_needs": rows})
            uow.commit()
    return table, cycle.cycle_id


def measure(sizes: tuple[int, ...], runs: int, counting_table: Any) -> tuple[list[tuple[str, list[float]]], dict]:
    """(rows of (name, samples ms), facts) for the benchmark runner."""
    from service.pdf.training_pdf import training_report_html
    from service.services.training_reports import report_context, report_csv

    rows, facts = [], {}
    for n in sizes:
        table, cycle_id = training_organisation(n)
        counting = counting_table(table)
        ceo = Principal.of(get_person(UnitOfWork(table), "P0000"))
        samples, render_ms = [], []
        for _ in range(runs):
            counting.reset()
            start = time.perf_counter()
            ctx = report_context(UnitOfWork(counting), ceo, cycle_id, 3, "")
            samples.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            html = training_report_html(ctx)
            report_csv(ctx["report"])
            render_ms.append((time.perf_counter() - start) * 1000)
        rows.append((f"{n} people, {n * NEEDS_EACH} needs: figures + charts", samples))
        rows.append((f"{n} people: body HTML (as the PDF renders it) + CSV", render_ms))
        kinds: dict[str, int] = {}
        for item in table.all_items():
            kinds[item.get("type", "")] = kinds.get(item.get("type", ""), 0) + 1
        facts[f"{n}_people"] = {
            "requests": counting.requests,
            "items_read": counting.items_read,
            "needs": kinds.get("training_need", 0),
            "aggregate_items": kinds.get("training_aggregate", 0),
            "html_kb": round(len(html) / 1024, 1),
        }
    return rows, facts
