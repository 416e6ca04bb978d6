"""The table port behaves the same on DynamoDB (moto) and in memory: conditions, atomicity, paging."""

from __future__ import annotations

import pytest

from service.adapters.store import Check, Delete, MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, StaleWrite
from tests.conftest import ScanInRequestPath


@pytest.fixture(params=["memory", "dynamo"])
def any_table(request):
    if request.param == "memory":
        return MemoryTable(page_size=3)
    return request.getfixturevalue("table")


def item(sk: str, version: int = 1, **extra) -> dict:
    return {"pk": "T", "sk": sk, "version": version, **extra}


def test_create_refuses_an_existing_item(any_table):
    any_table.transact([Put(item("a"), must_not_exist=True)])
    with pytest.raises(Conflict) as info:
        any_table.transact([Put(item("a", note="again"), must_not_exist=True)])
    assert not isinstance(info.value, StaleWrite)
    assert "note" not in any_table.get({"pk": "T", "sk": "a"})


def test_stale_version_is_refused_and_changes_nothing(any_table):
    any_table.transact([Put(item("a", 1, text="first"))])
    any_table.transact([Put(item("a", 2, text="second"), expect_version=1)])
    with pytest.raises(StaleWrite):
        any_table.transact([Put(item("a", 2, text="lost update"), expect_version=1)])
    assert any_table.get({"pk": "T", "sk": "a"})["text"] == "second"


def test_a_failed_condition_cancels_the_whole_transaction(any_table):
    any_table.transact([Put(item("a")), Put(item("b"))])
    with pytest.raises(StaleWrite):
        any_table.transact(
            [
                Put(item("c"), must_not_exist=True),
                Delete({"pk": "T", "sk": "a"}, expect_version=1),
                Put(item("b", 3), expect_version=2),
            ]
        )
    assert any_table.get({"pk": "T", "sk": "c"}) is None
    assert any_table.get({"pk": "T", "sk": "a"}) is not None


def test_check_guards_a_write_on_another_item(any_table):
    any_table.transact([Put(item("parent", 4))])
    with pytest.raises(StaleWrite):
        any_table.transact([Check({"pk": "T", "sk": "parent"}, expect_version=3), Put(item("child"))])
    assert any_table.get({"pk": "T", "sk": "child"}) is None
    any_table.transact([Check({"pk": "T", "sk": "parent"}, expect_version=4), Put(item("child"))])
    assert any_table.get({"pk": "T", "sk": "child"}) is not None


def test_values_round_trip_with_their_types(any_table):
    value = {"n": 3, "f": 2.5, "s": "x", "l": [1, "a"], "m": {"k": True}, "none": None}
    any_table.transact([Put(item("v", **value))])
    got = any_table.get({"pk": "T", "sk": "v"})
    assert got["n"] == 3 and isinstance(got["n"], int)
    assert got["f"] == 2.5 and got["l"] == [1, "a"] and got["m"] == {"k": True}
    assert got.get("none") is None


def test_query_follows_pages_in_sort_order(any_table):
    for n in range(7):
        any_table.transact([Put(item(f"P#{n}"))])
    any_table.transact([Put(item("Q#1"))])
    found = [i["sk"] for i in any_table.query("T", "P#")]
    assert found == [f"P#{n}" for n in range(7)]
    assert [i["sk"] for i in any_table.query("T", "P#", descending=True)][:2] == ["P#6", "P#5"]


def test_query_on_an_index(any_table):
    any_table.transact([Put(item("a", gsi1pk="G", gsi1sk="2")), Put(item("b", gsi1pk="G", gsi1sk="1"))])
    assert [i["sk"] for i in any_table.query("G", index="gsi1")] == ["b", "a"]


def test_get_many_returns_what_exists(any_table):
    any_table.transact([Put(item("a")), Put(item("b"))])
    got = any_table.get_many([{"pk": "T", "sk": "a"}, {"pk": "T", "sk": "b"}, {"pk": "T", "sk": "zz"}])
    assert sorted(i["sk"] for i in got) == ["a", "b"]


def test_transaction_limits_are_enforced_before_any_write(any_table):
    with pytest.raises(ValueError):
        any_table.transact([Put(item(f"x{n}")) for n in range(101)])
    with pytest.raises(ValueError):
        any_table.transact([Put(item("same")), Put(item("same"))])
    assert list(any_table.query("T")) == []


def test_unit_of_work_commits_once_and_only_when_asked(any_table):
    uow = UnitOfWork(any_table)
    uow.add(Put(item("a")))
    uow.add(Put(item("b")))
    assert any_table.get({"pk": "T", "sk": "a"}) is None
    uow.commit()
    assert len(list(any_table.query("T"))) == 2


def test_a_scan_fails_the_test(dynamo, settings):
    client, _ = dynamo
    with pytest.raises(ScanInRequestPath):
        client.scan(TableName=settings.table_name)


def test_table_was_created_from_template_definition(dynamo, settings):
    from service.adapters.table_setup import table_definition

    described = dynamo[0].describe_table(TableName=settings.table_name)["Table"]
    expected = table_definition()
    assert described["KeySchema"] == expected["KeySchema"]
    assert sorted(i["IndexName"] for i in described["GlobalSecondaryIndexes"]) == sorted(
        i["IndexName"] for i in expected["GlobalSecondaryIndexes"]
    )


def test_increment_creates_and_adds_atomically_with_other_writes(any_table):
    from service.adapters.store import Increment

    key = {"pk": "T", "sk": "stats"}
    any_table.transact([Increment(key, {"n#a": 2, "n#b": 1}, defaults={"type": "stats"}), Put(item("x"))])
    any_table.transact([Increment(key, {"n#a": -1}, defaults={"type": "ignored"})])
    got = any_table.get(key)
    assert (got["n#a"], got["n#b"], got["type"]) == (1, 1, "stats")
    with pytest.raises(Conflict):
        any_table.transact([Increment(key, {"n#a": 5}), Put(item("x"), must_not_exist=True)])
    assert any_table.get(key)["n#a"] == 1
