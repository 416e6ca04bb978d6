"""Each moto patch is needed: one small scenario per patch holds with every patch installed and fails with that
one left out (issue 26, point 6). In-process moto, one table, a few requests each.

Four patches change what a client sees (a retry answered, a write seen by the next query, an item freed, a
transaction copying only its items). Two exist for speed only; without a clock, their scenarios show the work
they avoid: a query that never reads another partition, a read answered without moto's serializer.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from service.adapters import moto_patches
from service.adapters.store import Put
from service.domain.errors import StaleWrite

TABLE = "reviews-each-patch"
REGION = "eu-west-1"


class Moto:
    """A client, the table port and moto's own table object, for one scenario."""

    def __init__(self, settings) -> None:
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        from service.adapters.aws import client
        from service.adapters.dynamo import DynamoTable
        from service.adapters.table_setup import create_table

        self.client = client("dynamodb", settings)
        create_table(self.client, TABLE)
        self.table = DynamoTable(self.client, TABLE)
        self.backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION]

    @property
    def moto_table(self):
        return self.backend.tables[TABLE]


def a_write_is_seen_by_the_next_index_query(m: Moto) -> bool:
    """`lock`: every request that may write is counted, so the index partitions are built again after it."""
    group = f"GROUP#{uuid.uuid4().hex}"
    m.table.transact([Put({"pk": "ITEM#a", "sk": "A", "version": 1, "gsi1pk": group, "gsi1sk": "1"})])
    first = [i["pk"] for i in m.table.query(group, index="gsi1")]
    m.table.transact([Put({"pk": "ITEM#b", "sk": "A", "version": 1, "gsi1pk": group, "gsi1sk": "2"})])
    return first == ["ITEM#a"] and [i["pk"] for i in m.table.query(group, index="gsi1")] == ["ITEM#a", "ITEM#b"]


def a_retry_with_the_same_token_is_answered_as_applied(m: Moto) -> bool:
    """`idempotent`: botocore's retry of an applied transaction is not refused by the write's own condition."""
    item = {"pk": {"S": "TOKEN"}, "sk": {"S": "A"}, "version": {"N": "1"}}
    request = [{"Put": {"TableName": TABLE, "Item": item, "ConditionExpression": "attribute_not_exists(pk)"}}]
    token = uuid.uuid4().hex
    m.client.transact_write_items(TransactItems=request, ClientRequestToken=token)
    try:
        m.client.transact_write_items(TransactItems=request, ClientRequestToken=token)
    except ClientError as refused:
        return refused.response["Error"]["Code"] != "TransactionCanceledException"
    return True


def a_cancelled_transaction_copies_only_the_items_it_touches(m: Moto) -> bool:
    """`journal`: the rollback restores the touched items, and the table (with every other item) stays as it is,
    instead of being replaced by a copy of the whole table made for each item of the transaction."""
    m.table.transact([Put({"pk": "OTHER", "sk": "A", "version": 1}), Put({"pk": "KEPT", "sk": "A", "version": 1})])
    live, other = m.moto_table, next(iter(m.moto_table.items.values()))
    try:
        m.table.transact([Put({"pk": "KEPT", "sk": "A", "version": 3, "x": 1}, expect_version=2)])
    except StaleWrite:
        pass
    kept = m.table.get({"pk": "KEPT", "sk": "A"}, consistent=True)
    return kept == {"pk": "KEPT", "sk": "A", "version": 1} and m.moto_table is live and other in live.items.values()


def a_query_never_reads_another_partition(m: Moto) -> bool:
    """`partition_query`: a Query reads its own partition, not the whole table sorted anew (its cost grew with the
    table). An unreadable item in another partition shows which: only a query that looks there meets it."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    m.table.transact([Put({"pk": "MINE", "sk": "A", "version": 1})])
    m.moto_table.items[DynamoType({"S": "ELSEWHERE"})] = {DynamoType({"S": "A"}): object()}
    try:
        return [i["pk"] for i in m.table.query("MINE", "")] == ["MINE"]
    except AttributeError:  # moto sorted the unreadable item with the rest of the table
        return False


def a_read_is_answered_without_moto_serializer(m: Moto) -> bool:
    """`plain_json`: a read's answer is written as JSON directly (moto's serializer walked the output shape for
    every attribute, costing more than the read). Asked to pretty-print, only moto's serializer would."""
    import moto.settings

    m.table.transact([Put({"pk": "READ", "sk": "A", "version": 1, "text": "x"})])
    bodies: list[bytes] = []
    m.client.meta.events.register(
        "after-call.dynamodb.GetItem", lambda http_response, **_: bodies.append(http_response.content)
    )
    pretty, moto.settings.PRETTIFY_RESPONSES = moto.settings.PRETTIFY_RESPONSES, True
    try:
        found = m.table.get({"pk": "READ", "sk": "A"}, consistent=True)
    finally:
        moto.settings.PRETTIFY_RESPONSES = pretty
    return found is not None and found["text"] == "x" and b"\n" not in bodies[0]


def a_replaced_item_is_not_kept_by_moto(m: Moto) -> bool:
    """`untracked`: moto kept every item instance it made in `instances_tracked`, for ever (the local run grew with
    every write); the stored item is the only one left."""
    from moto.dynamodb.models.dynamo_type import DynamoType, Item

    m.table.transact([Put({"pk": "FREED", "sk": "A", "version": 1})])
    m.table.transact([Put({"pk": "FREED", "sk": "A", "version": 2}, expect_version=1)])
    return not [i for i in Item.instances_tracked if getattr(i, "hash_key", None) == DynamoType({"S": "FREED"})]


SCENARIOS: dict[str, Callable[[Moto], bool]] = {
    "lock": a_write_is_seen_by_the_next_index_query,
    "idempotent": a_retry_with_the_same_token_is_answered_as_applied,
    "journal": a_cancelled_transaction_copies_only_the_items_it_touches,
    "partition_query": a_query_never_reads_another_partition,
    "plain_json": a_read_is_answered_without_moto_serializer,
    "untracked": a_replaced_item_is_not_kept_by_moto,
}


def run(scenario: Callable[[Moto], bool], settings, without: tuple[str, ...] = ()) -> bool:
    from moto import mock_aws

    with mock_aws(), moto_patches.patched(without):
        return scenario(Moto(settings))


def test_every_patch_has_a_scenario():
    assert set(SCENARIOS) == set(moto_patches.PATCHES)


@pytest.mark.parametrize("patch", sorted(SCENARIOS))
def test_the_scenario_holds_with_every_patch(patch, settings):
    assert run(SCENARIOS[patch], settings)


@pytest.mark.parametrize("patch", sorted(SCENARIOS))
def test_the_scenario_fails_without_its_patch(patch, settings):
    assert not run(SCENARIOS[patch], settings, without=(patch,))


def test_leaving_a_patch_out_of_an_installed_set_is_refused():
    with moto_patches.patched(), pytest.raises(RuntimeError, match="installed already"):
        moto_patches.install(without=("lock",))
    assert not moto_patches.installed()
