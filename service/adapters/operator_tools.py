"""The operator's bulk tools (runbook sections 8, 10 and 11): copy items back from a restored table, delete a
cycle's items at the end of its retention, empty a bucket before `sam delete`.

These run from the operator's machine with their own credentials, never in a request path (they Scan).
BatchWriteItem may answer with `UnprocessedItems` when the table is busy: those are sent again, with backoff,
until none is left or the attempts run out, and then the command says how many were not written.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

BATCH = 25  # BatchWriteItem's limit
ATTEMPTS = 10  # per batch, the first included
FIRST_DELAY = 0.05
MAX_DELAY = 2.0


class Unfinished(Exception):
    """Some writes were still unprocessed after every attempt; `left` of them, none lost silently."""

    def __init__(self, left: int, done: int) -> None:
        super().__init__(f"{left} items were not written after {ATTEMPTS} attempts ({done} were): run it again")
        self.left = left
        self.done = done


def _prefix_filter(prefixes: list[str]) -> dict[str, Any]:
    if not prefixes:
        return {}
    names = {f":p{i}": {"S": p} for i, p in enumerate(prefixes)}
    return {
        "FilterExpression": " OR ".join(f"begins_with(pk, {n})" for n in names),
        "ExpressionAttributeValues": names,
    }


def scan_items(client: Any, table: str, prefixes: list[str], keys_only: bool = False) -> Iterator[dict[str, Any]]:
    """Every item of a table (in DynamoDB's typed JSON), or those whose pk begins with one of the prefixes."""
    extra = _prefix_filter(prefixes)
    if keys_only:
        extra = {**extra, "ProjectionExpression": "pk, sk"}
    for page in client.get_paginator("scan").paginate(TableName=table, **extra):
        yield from page["Items"]


def write_batches(
    client: Any, table: str, requests: Iterable[dict[str, Any]], sleep: Callable[[float], None] = time.sleep
) -> dict[str, int]:
    """Send the write requests 25 at a time; resend what DynamoDB left unprocessed. Counts of the run."""
    counts = {"written": 0, "batches": 0, "retried": 0}
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        pending = list(batch)
        batch.clear()
        for attempt in range(ATTEMPTS):
            counts["batches"] += 1
            answer = client.batch_write_item(RequestItems={table: pending})
            left = (answer.get("UnprocessedItems") or {}).get(table, [])
            counts["written"] += len(pending) - len(left)
            if not left:
                return
            counts["retried"] += len(left)
            pending = left
            if attempt < ATTEMPTS - 1:
                sleep(min(MAX_DELAY, FIRST_DELAY * 2**attempt))
        raise Unfinished(len(pending), counts["written"])

    for request in requests:
        batch.append(request)
        if len(batch) == BATCH:
            flush()
    if batch:
        flush()
    return counts


def copy_items(
    client: Any, source: str, target: str, prefixes: list[str], sleep: Callable[[float], None] = time.sleep
) -> dict[str, int]:
    """Put every item of `source` (or those under the prefixes) into `target`, as they are in `source`."""
    puts = ({"PutRequest": {"Item": item}} for item in scan_items(client, source, prefixes))
    return write_batches(client, target, puts, sleep)


def delete_items(
    client: Any, table: str, prefixes: list[str], sleep: Callable[[float], None] = time.sleep
) -> dict[str, int]:
    """Delete the items of a table whose pk begins with one of the prefixes (at least one)."""
    if not prefixes:
        raise ValueError("name what to delete: at least one pk prefix")
    keys = list(scan_items(client, table, prefixes, keys_only=True))  # read all first: deleting while scanning skips
    return write_batches(client, table, ({"DeleteRequest": {"Key": key}} for key in keys), sleep)


def empty_bucket(client: Any, bucket: str) -> dict[str, int]:
    """Delete every object (every version and delete marker) and abort unfinished uploads: what `sam delete`
    needs before CloudFormation can delete a bucket."""
    counts = {"deleted": 0, "aborted_uploads": 0}
    for page in client.get_paginator("list_object_versions").paginate(Bucket=bucket):
        objects = [
            {"Key": v["Key"], "VersionId": v["VersionId"]}
            for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]
        ]
        if objects:
            answer = client.delete_objects(Bucket=bucket, Delete={"Objects": objects, "Quiet": True})
            errors = answer.get("Errors", [])
            if errors:
                first = errors[0]
                raise RuntimeError(f"{len(errors)} objects were not deleted, e.g. {first['Key']}: {first['Message']}")
            counts["deleted"] += len(objects)
    for page in client.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
        for upload in page.get("Uploads", []):
            client.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
            counts["aborted_uploads"] += 1
    return counts
