"""Decisions and process answers on moto's DynamoDB (issue 27): the kept evidence reads back as saved (numbers as
Decimal, nested maps) and still verifies; the awaiting-approval index (gsi3) drops a decision once approved; the
counters add up per department; and the requests stay few."""

from __future__ import annotations

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.directory import Role
from service.services import decisions as svc
from service.services.auth import Principal
from service.services.directory import get_person


def who(table, employee_id: str, *extra: Role) -> Principal:
    return Principal.of(get_person(UnitOfWork(table), employee_id), frozenset(extra))


def test_a_decision_round_trips_through_dynamodb_and_verifies(table, counter, clock):
    memory = MemoryTable()
    load_demo(memory, clock)
    items = memory.all_items()
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": table.encode(i)}} for i in items[start : start + 25]]
        table.client.batch_write_item(RequestItems={table.name: batch})
    (waiting,) = UnitOfWork(table).decisions.awaiting()  # the demo's restructuring, written through the codec
    assert svc.decision_trail(UnitOfWork(table), who(table, "E005"), waiting.decision_id)[1] == []

    data = {"kind": "end_of_employment", "summary": "Role ends", "people": ["E010"], "justification": "Budget"}
    counter.reset()
    decision = svc.record_decision(UnitOfWork(table), who(table, "E005"), data, clock)
    assert counter.calls.get("TransactWriteItems") == 1
    stored = UnitOfWork(table).decisions.get(decision.decision_id)
    assert stored.evidence == decision.evidence and any(c.score for c in stored.evidence[0].cycles)
    assert svc.decision_trail(UnitOfWork(table), who(table, "E005"), decision.decision_id)[1] == []

    svc.approve(UnitOfWork(table), who(table, "E002", Role.HR), decision.decision_id, clock)
    assert decision.decision_id not in [d.decision_id for d in UnitOfWork(table).decisions.awaiting()]
    svc.communicate(UnitOfWork(table), who(table, "E005"), decision.decision_id, clock)
    counted = UnitOfWork(table).decisions.counts()  # into the quarter it was communicated in
    assert counted["2026-Q1"]["Engineering"]["end_of_employment"] == 1
    leader = who(table, "E001")
    counter.reset()
    read = svc.decision_counts(UnitOfWork(table), leader, clock.now())
    assert counter.calls == {"Query": 1}  # every period's counters, the old ones beside them
    assert [p.period for p in read.periods] == ["2025-Q4"]  # leadership: the demo's ended quarter only
    assert UnitOfWork(table).decisions.about("E010")[0].decision_id == decision.decision_id  # newest first
