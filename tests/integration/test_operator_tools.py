"""The runbook's bulk commands on moto (issue 21): `restore-items` copies a restored table back and sends
again what BatchWriteItem leaves unprocessed, `delete-items` removes a cycle's items.
(`empty-bucket`: test_empty_bucket.py.)"""

from __future__ import annotations

import json

import pytest

from service.adapters import operator_tools
from service.cli import main

REGION = "eu-west-1"
LIVE, RESTORED = "reviews-live", "reviews-live-restored"


@pytest.fixture(scope="module")
def _tables():
    """moto with the live table and a restored one holding 52 items (two cycles); made once per module."""
    import boto3
    from moto import mock_aws

    from service.adapters.table_setup import create_table

    with mock_aws():
        client = boto3.client("dynamodb", region_name=REGION)
        create_table(client, LIVE)
        create_table(client, RESTORED)
        restored = [item("CYCLE#c1", f"REVIEW#E{n:02d}", n) for n in range(40)]
        restored += [item("CYCLE#c2", f"REVIEW#E{n:02d}", n) for n in range(12)]
        for start in range(0, len(restored), 25):
            puts = [{"PutRequest": {"Item": i}} for i in restored[start : start + 25]]
            client.batch_write_item(RequestItems={RESTORED: puts})
        yield client


@pytest.fixture
def dynamodb(_tables, monkeypatch):
    """The live table holding one item made after the restore point; TABLE_NAME names it."""
    monkeypatch.setenv("AWS_REGION", REGION)
    monkeypatch.setenv("TABLE_NAME", LIVE)
    for key in items(_tables, LIVE):
        _tables.delete_item(TableName=LIVE, Key={"pk": {"S": key[0]}, "sk": {"S": key[1]}})
    _tables.put_item(TableName=LIVE, Item=item("CYCLE#c3", "CYCLE", 0))
    return _tables


def item(pk: str, sk: str, n: int) -> dict:
    return {"pk": {"S": pk}, "sk": {"S": sk}, "version": {"N": str(n)}, "notes": {"S": f"text {n}"}}


def items(client, table: str) -> dict[tuple[str, str], dict]:
    found = {}
    for page in client.get_paginator("scan").paginate(TableName=table):
        for i in page["Items"]:
            found[(i["pk"]["S"], i["sk"]["S"])] = i
    return found


class Busy:
    """The DynamoDB client of a busy table: BatchWriteItem writes only the first `take` requests of a batch and
    hands back the rest as UnprocessedItems, `times` times (forever when None)."""

    def __init__(self, real, take: int = 5, times: int | None = 3) -> None:
        self._real, self.take, self.times = real, take, times

    def batch_write_item(self, RequestItems):
        if self.times == 0:
            return self._real.batch_write_item(RequestItems=RequestItems)
        if self.times is not None:
            self.times -= 1
        ((table, requests),) = RequestItems.items()
        if requests[: self.take]:
            self._real.batch_write_item(RequestItems={table: requests[: self.take]})
        rest = requests[self.take :]
        return {"UnprocessedItems": {table: rest} if rest else {}}

    def __getattr__(self, name):
        return getattr(self._real, name)


def run(capsys, *argv: str) -> tuple[int, dict, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, (json.loads(captured.out) if captured.out.strip() else {}), captured.err


def test_restore_items_copies_every_item_back_as_it_was(dynamodb, capsys):
    code, result, _ = run(capsys, "restore-items", "--from", RESTORED)
    assert code == 0 and result["written"] == 52 and result["batches"] == 3
    live = items(dynamodb, LIVE)
    assert {k: v for k, v in live.items() if k[0] != "CYCLE#c3"} == items(dynamodb, RESTORED)
    assert ("CYCLE#c3", "CYCLE") in live  # what the restored table lacks stays


def test_restore_items_copies_only_the_prefixes_asked_for(dynamodb, capsys):
    code, result, _ = run(capsys, "restore-items", "--from", RESTORED, "--prefix", "CYCLE#c2")
    assert code == 0 and result["written"] == 12
    assert sorted({k[0] for k in items(dynamodb, LIVE)}) == ["CYCLE#c2", "CYCLE#c3"]


def test_unprocessed_items_are_sent_again_until_written(dynamodb, capsys, monkeypatch):
    from service.adapters import aws

    real = aws.client
    monkeypatch.setattr(operator_tools, "FIRST_DELAY", 0.001)
    monkeypatch.setattr(aws, "client", lambda service, settings: Busy(real(service, settings), take=5, times=4))
    code, result, _ = run(capsys, "restore-items", "--from", RESTORED)
    assert code == 0 and result["written"] == 52 and result["retried"] > 0
    assert {k: v for k, v in items(dynamodb, LIVE).items() if k[0] != "CYCLE#c3"} == items(dynamodb, RESTORED)


def test_items_still_unprocessed_after_every_attempt_are_counted_not_lost_silently(dynamodb, capsys, monkeypatch):
    from service.adapters import aws

    real = aws.client
    monkeypatch.setattr(operator_tools, "FIRST_DELAY", 0.001)
    monkeypatch.setattr(operator_tools, "MAX_DELAY", 0.001)
    monkeypatch.setattr(aws, "client", lambda service, settings: Busy(real(service, settings), take=1, times=None))
    code, _, err = run(capsys, "restore-items", "--from", RESTORED)
    assert code == 3
    # The first batch: one write per attempt, ten attempts; the other fifteen are named, and the run stops there.
    assert "15 items were not written after 10 attempts (10 were)" in err
    assert len(items(dynamodb, LIVE)) == 1 + 10


def test_restore_items_refuses_to_copy_the_table_onto_itself(dynamodb, capsys):
    code, _, err = run(capsys, "restore-items", "--from", LIVE)
    assert code == 2 and "restored table" in err


def test_delete_items_removes_one_cycle_only_and_needs_the_table_named(dynamodb, capsys):
    run(capsys, "restore-items", "--from", RESTORED)
    code, _, _ = run(capsys, "delete-items", "--prefix", "CYCLE#c1", "--confirm", "other")
    assert code == 2 and len(items(dynamodb, LIVE)) == 53
    code, result, _ = run(capsys, "delete-items", "--prefix", "CYCLE#c1", "--confirm", LIVE)
    assert code == 0 and result["written"] == 40
    assert sorted({k[0] for k in items(dynamodb, LIVE)}) == ["CYCLE#c2", "CYCLE#c3"]
