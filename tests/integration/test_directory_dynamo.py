"""The organisation import and directory reads against DynamoDB (moto), counted in requests."""

from __future__ import annotations

import boto3
import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import ImportRejected
from service.services.directory import department, direct_reports, get_person, import_organisation, management_chain
from tests.conftest import ORG_CSV


def all_items(settings) -> list[dict]:
    """Every stored item, read by a separate client (the guarded one refuses Scan)."""
    raw = boto3.client("dynamodb", region_name=settings.region)
    items = raw.scan(TableName=settings.table_name, ConsistentRead=True)["Items"]
    return sorted(items, key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def test_import_writes_employees_and_an_import_record(table, settings, clock, counter):
    result = import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    assert result.summary["created"] == 6
    assert counter.calls["TransactWriteItems"] == 1
    kinds = [i["type"]["S"] for i in all_items(settings)]
    assert kinds.count("employee") == 6 and kinds.count("org_import") == 1


@pytest.mark.parametrize(
    "bad_line",
    [
        "E7,No Manager,nm@example.com,Engineer,Engineering,E99,",
        "E7,Bad Mail,bad-mail,Engineer,Engineering,E3,",
        "E4,Duplicate,dup@example.com,Engineer,Engineering,E3,",
        "E7,Same Mail,ada@example.com,Engineer,Engineering,E3,",
    ],
)
def test_rejected_import_leaves_the_table_unchanged(seeded, settings, clock, counter, bad_line):
    before = all_items(settings)
    counter.reset()
    with pytest.raises(ImportRejected) as info:
        import_organisation(UnitOfWork(seeded), None, ORG_CSV + bad_line + "\n", clock)
    assert info.value.errors[0]["row"] == 8
    assert all_items(settings) == before
    assert counter.calls["TransactWriteItems"] == 0


def test_reimporting_the_same_file_writes_nothing(seeded, settings, clock, counter):
    before = all_items(settings)
    counter.reset()
    result = import_organisation(UnitOfWork(seeded), None, ORG_CSV, clock)
    assert result.summary["unchanged"] == 6
    assert counter.calls["TransactWriteItems"] == 0
    assert all_items(settings) == before


def test_changed_file_applies_move_hire_and_leaver(seeded, clock):
    changed = ORG_CSV.replace("E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,\n", "")
    changed = changed.replace(
        "E6,Barbara Liskov,barbara@example.com,People Partner,People,E2,",
        "E6,Barbara Liskov,barbara@example.com,Engineer,Engineering,E3,",
    )
    changed += "E7,Margaret Hamilton,margaret@example.com,Engineer,Engineering,E6,\n"
    result = import_organisation(UnitOfWork(seeded), None, changed, clock)
    # E6 moves and becomes a manager; E2 loses her only report, so her manager role goes too.
    assert result.summary == {"created": 1, "updated": 2, "deactivated": 1, "unchanged": 3}
    assert not get_person(UnitOfWork(seeded), "E2").is_manager and get_person(UnitOfWork(seeded), "E6").is_manager
    assert [p.name for p in direct_reports(UnitOfWork(seeded), "E3")] == ["Barbara Liskov", "Katherine Johnson"]
    assert [p.employee_id for p in management_chain(UnitOfWork(seeded), "E7")] == ["E6", "E3", "E1"]
    assert [p.name for p in department(UnitOfWork(seeded), "engineering")] == [
        "Alan Turing",
        "Barbara Liskov",
        "Katherine Johnson",
        "Margaret Hamilton",
    ]


def test_directory_reads_cost_a_fixed_number_of_requests(seeded, counter):
    counter.reset()
    management_chain(UnitOfWork(seeded), "E4")
    assert dict(counter.calls) == {"GetItem": 1, "BatchGetItem": 1}
    counter.reset()
    direct_reports(UnitOfWork(seeded), "E3")
    assert dict(counter.calls) == {"GetItem": 1, "Query": 1}
