"""moto's DynamoDB, patched for the local run and the tests, keeps DynamoDB's transaction semantics: all or
nothing, isolated from concurrent requests, idempotent retries; here over HTTP, as the local run uses it."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from service.adapters.store import Check, Delete, Put
from service.config import Settings
from service.domain.errors import Conflict, StaleWrite

THREADS = 12
RACES = 8
INCREMENTS = 6
TABLE = "reviews-patch-test"


@pytest.fixture(scope="module")
def server():
    """moto's server in this process with the patches installed, as the local run starts it."""
    from moto.server import ThreadedMotoServer

    from service.adapters import moto_patches
    from service.adapters.aws import client
    from service.adapters.table_setup import create_table

    with moto_patches.patched():
        moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        moto.start()
        host, port = moto.get_host_and_port()
        settings = Settings(table_name=TABLE, region="eu-west-1", endpoint_url=f"http://{host}:{port}")
        create_table(client("dynamodb", settings), TABLE)
        try:
            yield settings
        finally:
            moto.stop()


def table_over_http(settings):
    """The table port on a boto3 client of its own (as each Lambda or local request has)."""
    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable

    return DynamoTable(client("dynamodb", settings), TABLE)


def race(threads: int, work):
    """Run work(n) on `threads` threads released at the same moment; the results in order."""
    start = threading.Barrier(threads)

    def run(n: int):
        start.wait()
        return work(n)

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(run, range(threads)))


def test_concurrent_creates_of_one_item_have_exactly_one_winner(server):
    tables = [table_over_http(server) for _ in range(THREADS)]
    for r in range(RACES):
        pk = f"RACE#{uuid.uuid4().hex}"

        def create(n: int, pk=pk):
            # Each contender also writes an item of its own in the same transaction: it must exist only if it won.
            try:
                tables[n].transact(
                    [
                        Put({"pk": pk, "sk": "A", "version": 1, "by": n}, must_not_exist=True),
                        Put({"pk": pk, "sk": f"CLAIM#{n}", "version": 1}, must_not_exist=True),
                    ]
                )
            except Conflict:
                return False
            return True

        won = race(THREADS, create)

        assert won.count(True) == 1, f"race {r}: {won}"
        stored = list(tables[0].query(pk, ""))
        winner = won.index(True)
        assert {i["sk"] for i in stored} == {"A", f"CLAIM#{winner}"}
        assert stored[0]["by"] == winner


def test_concurrent_versioned_updates_lose_no_acknowledged_write(server):
    tables = [table_over_http(server) for _ in range(THREADS)]
    key = {"pk": f"COUNTER#{uuid.uuid4().hex}", "sk": "C"}
    tables[0].transact([Put({**key, "version": 1, "entries": []}, must_not_exist=True)])

    def add_entries(n: int) -> list[str]:
        acknowledged = []
        for i in range(INCREMENTS):
            entry = f"{n}-{i}"
            while True:  # read, then write conditionally on the version read, as every use case does
                current = tables[n].get(key, consistent=True)
                updated = {**current, "version": current["version"] + 1, "entries": [*current["entries"], entry]}
                audit = {"pk": key["pk"], "sk": f"AUDIT#{current['version'] + 1:06d}", "version": 1, "entry": entry}
                try:
                    tables[n].transact(
                        [Put(updated, expect_version=current["version"]), Put(audit, must_not_exist=True)]
                    )
                except Conflict:
                    continue
                acknowledged.append(entry)
                break
        return acknowledged

    acknowledged = [e for entries in race(THREADS, add_entries) for e in entries]

    final = tables[0].get(key, consistent=True)
    assert sorted(final["entries"]) == sorted(acknowledged)
    assert len(acknowledged) == THREADS * INCREMENTS
    assert final["version"] == 1 + THREADS * INCREMENTS
    audit = [i for i in tables[0].query(key["pk"], "AUDIT#")]
    assert [i["entry"] for i in audit] == final["entries"]  # one unbroken chain, in commit order


def test_a_cancelled_transaction_restores_every_item_it_touched(server):
    table = table_over_http(server)
    pk = f"ROLLBACK#{uuid.uuid4().hex}"
    table.transact(
        [Put({"pk": pk, "sk": "kept", "version": 1, "text": "before"}), Put({"pk": pk, "sk": "gone", "version": 1})]
    )
    table.transact([Put({"pk": pk, "sk": "guard", "version": 5})])
    before = list(table.query(pk, ""))

    with pytest.raises(StaleWrite):
        table.transact(
            [
                Put({"pk": pk, "sk": "kept", "version": 2, "text": "after"}, expect_version=1),
                Delete({"pk": pk, "sk": "gone"}, expect_version=1),
                Put({"pk": pk, "sk": "new", "version": 1}, must_not_exist=True),
                Check({"pk": pk, "sk": "guard"}, expect_version=4),
            ]
        )

    assert list(table.query(pk, "")) == before


def test_a_retried_transaction_with_the_same_token_is_applied_once(server):
    from botocore.exceptions import ClientError

    from service.adapters.aws import client

    c = client("dynamodb", server)
    pk = f"TOKEN#{uuid.uuid4().hex}"
    item = {"pk": {"S": pk}, "sk": {"S": "A"}, "version": {"N": "1"}}
    request = [{"Put": {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}]
    token = uuid.uuid4().hex

    c.transact_write_items(TransactItems=request, ClientRequestToken=token)
    c.transact_write_items(TransactItems=request, ClientRequestToken=token)  # a retry: answered as applied

    with pytest.raises(ClientError) as refused:  # a new request (a new token) meets the condition
        c.transact_write_items(TransactItems=request, ClientRequestToken=uuid.uuid4().hex)
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    with pytest.raises(ClientError) as mismatch:
        other = [{"Put": {"TableName": TABLE, "Item": {**item, "sk": {"S": "B"}}}}]
        c.transact_write_items(TransactItems=other, ClientRequestToken=token)
    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert c.get_item(TableName=TABLE, Key={"pk": {"S": pk}, "sk": {"S": "B"}}).get("Item") is None


def test_index_queries_see_every_write_at_once(server):
    table = table_over_http(server)
    group = f"GROUP#{uuid.uuid4().hex}"

    def indexed(sk: str, order: str, version: int = 1) -> dict:
        return {"pk": f"ITEM#{sk}", "sk": "A", "version": version, "gsi1pk": group, "gsi1sk": order}

    table.transact([Put(indexed("b", "2")), Put(indexed("a", "1"))])
    assert [i["pk"] for i in table.query(group, index="gsi1")] == ["ITEM#a", "ITEM#b"]

    table.transact([Put(indexed("c", "0"))])
    table.transact([Put({**indexed("a", "3", 2)}, expect_version=1)])
    assert [i["pk"] for i in table.query(group, index="gsi1")] == ["ITEM#c", "ITEM#b", "ITEM#a"]

    table.transact([Delete({"pk": "ITEM#b", "sk": "A"})])
    assert [i["pk"] for i in table.query(group, index="gsi1", descending=True)] == ["ITEM#a", "ITEM#c"]


def test_a_replaced_or_rolled_back_item_is_freed(server):
    """Every write leaves no item behind but the stored one: moto kept each instance it ever made (the local
    run grew ~100 KB per audited write, for ever)."""
    import gc
    import weakref

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.dynamo_type import Item

    table = table_over_http(server)
    pk = f"FREED#{uuid.uuid4().hex}"
    table.transact([Put({"pk": pk, "sk": "A", "version": 1, "body": "first"})])
    moto_table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["eu-west-1"].tables[TABLE]

    def stored():
        return next(i for p in moto_table.items.values() for i in p.values() if i.hash_key.value == pk)

    first = weakref.ref(stored())
    table.transact([Put({"pk": pk, "sk": "A", "version": 2, "body": "second"}, expect_version=1)])
    second = weakref.ref(stored())
    with pytest.raises(Conflict):  # refused after its journal copied the stored item (and put the copy back)
        table.transact([Put({"pk": pk, "sk": "A", "version": 3}, expect_version=1)])
    gc.collect()

    assert first() is None and second() in (None, stored())
    assert stored().attrs["body"].value == "second"
    assert sum(1 for i in Item.instances_tracked if getattr(i, "hash_key", None) == stored().hash_key) == 0
