"""Issue 24: a cycle of 50,000 people launches, and no stored item passes DynamoDB's 400 KB limit.

The in-memory table does not enforce the limit, so the test measures each item as DynamoDB would bound it (its JSON
is longer than DynamoDB's own size, so passing here passes there). A launch that kept the participants on the cycle
item wrote ~1.9 MB there.
"""

from __future__ import annotations

import json
from dataclasses import replace

from service.adapters.cycle_store import cycle_to_item
from service.adapters.directory_store import employee_to_item
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.directory import Employee
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.unit.test_cycle_usecases import HeldQueue

ITEM_LIMIT = 400 * 1024
PEOPLE = 50_000


def _id(n: int) -> str:
    return f"employee-{n:08d}-0000-0000-0000000"  # ~35 bytes, as the issue measures an id


def test_a_50000_people_launch_keeps_every_item_under_400_kb_and_reads_its_participants_back(clock):
    table = MemoryTable(page_size=2 * PEOPLE)  # the fake sorts a partition per page: one page keeps the test quick
    uow = UnitOfWork(table)
    import_organisation(uow, None, ORG_CSV, clock)
    table.load(
        employee_to_item(Employee(_id(n), f"Person {n}", f"p{n}@example.com", department=f"Dept {n % 40}"))
        for n in range(PEOPLE)
    )
    hr = f.principal(table, "E2")
    template_id = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock).template_id
    draft = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template_id), clock)
    queue = HeldQueue()
    cycle_svc.launch_cycle(UnitOfWork(table), hr, draft.cycle_id, draft.version, clock, queue)

    written = [i for i in table.all_items() if not i["sk"].startswith("EMP#")]  # what the launch wrote
    sizes = {(i["pk"], i["sk"]): len(json.dumps(i, default=str).encode()) for i in written}
    assert max(sizes.values()) < ITEM_LIMIT, max(sizes.items(), key=lambda kv: kv[1])
    uow = UnitOfWork(table)
    cycle = uow.cycles.get(draft.cycle_id)
    assert cycle.headcount == PEOPLE + 6
    ids = uow.cycles.participants(cycle)
    assert len(ids) == len(set(ids)) == PEOPLE + 6 and _id(PEOPLE - 1) in ids
    assert sum(len(m["people"]) for m in queue.held) == PEOPLE + 6


def test_a_cycle_stored_with_its_participant_list_before_issue_24_still_reads(clock):
    table = MemoryTable()
    uow = UnitOfWork(table)
    import_organisation(uow, None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    old = cycle_to_item(replace(cycle, participants=["E1", "E3"]))
    del old["participant_count"]  # an item written before the count existed
    table.load([old])
    stored = UnitOfWork(table).cycles.get(cycle.cycle_id)
    assert (stored.headcount, UnitOfWork(table).cycles.participants(stored)) == (2, ["E1", "E3"])
