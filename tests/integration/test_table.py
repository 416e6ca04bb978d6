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


def test_get_many_reads_consistently_when_asked(any_table):
    any_table.transact([Put(item("a"))])
    got = any_table.get_many([{"pk": "T", "sk": "a"}, {"pk": "T", "sk": "zz"}], consistent=True)
    assert [i["sk"] for i in got] == ["a"]


def test_a_batch_read_brings_along_what_was_asked_and_knows_what_it_did_not_find(any_table):
    any_table.transact([Put(item("a")), Put(item("b"))])
    uow = UnitOfWork(any_table, identity_map=True)
    uow.read_along([{"pk": "T", "sk": "b"}, {"pk": "T", "sk": "gone"}])
    assert [i["sk"] for i in uow.directory._get_many([{"pk": "T", "sk": "a"}])] == ["a"]
    assert uow.cached({"pk": "T", "sk": "b"})["sk"] == "b"  # came along: a later read is served from it
    assert uow.known_absent({"pk": "T", "sk": "gone"}) and not uow.known_absent({"pk": "T", "sk": "b"})
    with uow:
        uow.add(Put(item("gone")))
        uow.commit()
    assert not uow.known_absent({"pk": "T", "sk": "gone"})  # what was missing may have been written


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


def test_a_version_counted_by_increments_guards_a_check(any_table):
    from service.adapters.store import Increment

    tally = {"pk": "T", "sk": "tally"}
    any_table.transact([Check(tally, must_not_exist=True), Put(item("first"))])  # nothing counted yet
    any_table.transact([Increment(tally, {"version": 1}, {"type": "tally"}), Put(item("a1"))])
    with pytest.raises(Conflict) as info:
        any_table.transact([Check(tally, must_not_exist=True), Put(item("late"))])
    assert not isinstance(info.value, StaleWrite) and any_table.get({"pk": "T", "sk": "late"}) is None
    any_table.transact([Check(tally, expect_version=1), Put(item("seen-one"))])
    any_table.transact([Increment(tally, {"version": 1}), Put(item("a2"))])
    with pytest.raises(StaleWrite):
        any_table.transact([Check(tally, expect_version=1), Put(item("stale"))])
    assert any_table.get({"pk": "T", "sk": "stale"}) is None and any_table.get(tally)["version"] == 2


def test_an_export_slot_is_taken_once_freed_at_its_version_and_taken_back_at_its_version(any_table):
    def stage(write) -> None:
        with UnitOfWork(any_table) as uow:
            write(uow.exports)
            uow.commit()

    stage(lambda ex: ex.take_slot("P", 0, "job-1", "t1", None))
    with pytest.raises(Conflict) as info:  # a second request that also saw slot 0 free
        stage(lambda ex: ex.take_slot("P", 0, "job-2", "t1", None))
    assert info.value.entity == "export_slot"
    held = UnitOfWork(any_table).exports.slots("P", 2)
    assert held == [{"export_id": "job-1", "version": 1}, None]
    stage(lambda ex: ex.take_slot("P", 0, "job-3", "t2", held[0]))  # taken back from a job that ended
    with pytest.raises(StaleWrite):  # by the one that read it at version 1 too
        stage(lambda ex: ex.take_slot("P", 0, "job-4", "t2", held[0]))
    stage(lambda ex: ex.release_slot("P", "job-1", 2))  # job-1 no longer holds it: nothing freed
    assert UnitOfWork(any_table).exports.slots("P", 2) == [{"export_id": "job-3", "version": 2}, None]
    stage(lambda ex: ex.release_slot("P", "job-3", 2))
    assert UnitOfWork(any_table).exports.slots("P", 2) == [None, None]


def test_the_disagreements_index_lists_a_review_while_its_employee_disagrees(any_table):
    from service.adapters.review_store import review_to_item
    from service.domain.reviews import Review

    def review(employee_id: str, name: str, agreement: str | None) -> Review:
        ack = {"agreement": agreement, "response": "", "at": "t"} if agreement else None
        return Review("c1", employee_id, name, "Eng", None, "Cycle", "2026-01-01", acknowledgement=ack, version=1)

    people = [("E1", "Zoe", "disagree"), ("E2", "adam", "disagree"), ("E3", "Bea", "agree")]
    any_table.transact([Put(review_to_item(review(*p))) for p in people])
    first, more = UnitOfWork(any_table).reviews.disagreed("c1", limit=1)
    assert [r.employee_name for r in first] == ["adam"] and more  # by name, case folded
    any_table.transact([Put(review_to_item(review("E2", "adam", None)))])  # HR returned it: no acknowledgement
    listed, more = UnitOfWork(any_table).reviews.disagreed("c1", limit=5)
    assert [r.employee_id for r in listed] == ["E1"] and not more


def test_the_newest_exports_are_listed_with_their_progress_plan_and_retry(any_table):
    from service.domain.exports import ExportJob

    for n in range(4):
        job = ExportJob(f"x{n}", "c1", "Cycle", None, "P", f"2026-03-0{n + 1}T09:00:00Z", attempts=1)
        with UnitOfWork(any_table) as uow:
            uow.exports.save(job, new=True, actor="P", action="request", at=job.requested_at)
            uow.commit()
        if n % 2:
            UnitOfWork(any_table).exports.save_plan(job, 3, 70, job.requested_at)
            UnitOfWork(any_table).exports.note_retry(job, 1, 1, "the bucket did not answer", job.requested_at)
    listed = UnitOfWork(any_table).exports.recent(limit=3)
    assert [j.export_id for j in listed] == ["x3", "x2", "x1"]
    assert [(j.total, j.chunk_retries, (j.last_retry or {}).get("chunk")) for j in listed] == [
        (70, 1, 1),
        (0, 0, None),
        (70, 1, 1),
    ]


def test_reindexing_gives_a_review_stored_before_the_disagreements_index_its_key_once(any_table):
    from service.adapters.review_store import review_to_item
    from service.domain.reviews import Review

    ack = {"agreement": "disagree", "response": "No", "at": "t"}
    review = Review("c1", "E1", "Zoe", "Eng", None, "Cycle", "2026-01-01", acknowledgement=ack, version=3)
    before = {k: v for k, v in review_to_item(review).items() if not k.startswith("gsi3")}  # as written before
    any_table.transact([Put(before)])
    assert UnitOfWork(any_table).reviews.disagreed("c1", limit=5) == ([], False)
    assert UnitOfWork(any_table).reviews.reindex("c1") == 1
    listed, _more = UnitOfWork(any_table).reviews.disagreed("c1", limit=5)
    assert [(r.employee_id, r.version, r.acknowledgement) for r in listed] == [("E1", 3, ack)]
    assert UnitOfWork(any_table).reviews.reindex("c1") == 0  # nothing left to write


def test_reviews_by_state_page_by_name_and_go_on_after_the_last_one_read_even_when_it_moved(any_table):
    """Issue 24: HR's to-finalise and overdue lists page gsi2 `REVSTATE#<cycle>#<state>`; the next page starts after
    the last review read, in the index's order, though that review has left the state meanwhile."""
    from service.adapters.review_store import review_to_item
    from service.domain.reviews import Review, ReviewState

    def review(employee_id: str, name: str, state: ReviewState) -> Review:
        return Review("c1", employee_id, name, "Eng", None, "Cycle", "2026-01-01", state=state, version=1)

    people = [("E1", "Zoe"), ("E2", "adam"), ("E3", "Bea"), ("E4", "carl")]
    any_table.transact([Put(review_to_item(review(e, n, ReviewState.ACKNOWLEDGED))) for e, n in people])
    any_table.transact([Put(review_to_item(review("E5", "Dan", ReviewState.FINALISED)))])
    repo = UnitOfWork(any_table).reviews
    first, after = repo.in_state("c1", "acknowledged", None, 2)
    assert [r.employee_name for r in first] == ["adam", "Bea"] and after
    any_table.transact([Put(review_to_item(review("E3", "Bea", ReviewState.FINALISED)))])  # finalised meanwhile
    rest, last = UnitOfWork(any_table).reviews.in_state("c1", "acknowledged", after, 2)
    assert [r.employee_name for r in rest] == ["carl", "Zoe"]
    assert last is None or UnitOfWork(any_table).reviews.in_state("c1", "acknowledged", last, 2) == ([], None)
