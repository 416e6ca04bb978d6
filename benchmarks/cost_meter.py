"""What AWS would bill for the calls a journey makes on the emulated stack, counted as they happen.

`Meter` patches botocore's one call path (`BaseClient._make_api_call`) while it is installed, so every client the
functions build is seen: each call is counted under the journey running and the Lambda function it ran in (calls the
harness makes outside a function, to set up or drain queues, are not billed unless the harness says so).

DynamoDB read and write units are computed from item sizes the way DynamoDB bills on-demand tables (moto's
ReturnConsumedCapacity answers a fixed figure, not one from sizes): a read is 4 KB per unit, half for an eventually
consistent one (GetItem and BatchGetItem per item, a Query on the sum of what it returns; at least one unit or half);
a write is 1 KB per unit of the larger of the item before and after (read from moto's backend), doubled in a
transaction (ConditionCheck included); each global secondary index holding the item (projection ALL) is written at
the standard rate, twice when the write moves the item within the index.

`Meter.invoke(function)` times what one Lambda invocation ran (billed by the millisecond, rounded up) and counts
what it wrote to stdout and stderr (its JSON log lines and line of counts), plus the lines the Lambda platform writes
for every invocation (START, END, REPORT with its X-Ray trace id when the function's tracing is on).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import time
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

READ_UNIT = 4096
WRITE_UNIT = 1024
INDEXES = ("gsi1", "gsi2", "gsi3")
WRITE_KINDS = {"Put", "Update", "Delete", "ConditionCheck"}
# SES bills each recipient of a message; S3 bills writes and listings dearer than reads.
S3_WRITE_TIER = {"PutObject", "CopyObject", "CreateMultipartUpload", "UploadPart", "CompleteMultipartUpload"}
S3_WRITE_TIER |= {"ListObjects", "ListObjectsV2", "ListMultipartUploads", "ListParts", "AbortMultipartUpload"}


def value_size(value: dict[str, Any]) -> int:
    """Bytes of one typed attribute value, as DynamoDB sizes it (strings as UTF-8, numbers by digits)."""
    ((kind, v),) = value.items()
    if kind == "S":
        return len(v.encode())
    if kind == "N":
        digits = v.lstrip("-").replace(".", "").lstrip("0") or "0"
        return math.ceil(len(digits) / 2) + 1
    if kind == "B":
        return len(v)
    if kind in ("BOOL", "NULL"):
        return 1
    if kind == "SS":
        return sum(len(s.encode()) for s in v)
    if kind == "NS":
        return sum(value_size({"N": n}) for n in v)
    if kind == "BS":
        return sum(len(b) for b in v)
    if kind == "L":
        return 3 + sum(value_size(e) + 1 for e in v)
    if kind == "M":
        return 3 + sum(len(k.encode()) + value_size(e) + 1 for k, e in v.items())
    raise ValueError(f"unknown DynamoDB type {kind}")


def item_size(item: dict[str, Any]) -> int:
    """Bytes of a typed item: each attribute's name plus its value."""
    return sum(len(name.encode()) + value_size(value) for name, value in item.items())


def read_units(size: int, consistent: bool) -> float:
    """Read request units for `size` bytes: at least one unit (half when eventually consistent)."""
    units = max(1, math.ceil(size / READ_UNIT))
    return units if consistent else units / 2


def write_units(size: int) -> int:
    """Write request units for an item of `size` bytes (at least one)."""
    return max(1, math.ceil(size / WRITE_UNIT))


@dataclass
class Invocation:
    """One Lambda invocation: its function, its billed milliseconds, what it logged."""

    function: str
    journey: str
    billed_ms: int
    log_bytes: int
    aws_ms: float


@dataclass
class Meter:
    """Counts, per journey, what AWS would bill. Install it with `with meter.installed(region):`."""

    traced: set[str] = field(default_factory=set)  # the functions with active tracing (template.yaml)
    memory_mb: dict[str, int] = field(default_factory=dict)
    journey: str = "set-up"
    function: str | None = None
    calls: Counter[tuple[str, str, str]] = field(default_factory=Counter)  # (journey, service, operation)
    units: defaultdict[str, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))  # journey -> kind
    invocations: list[Invocation] = field(default_factory=list)
    api_requests: Counter[str] = field(default_factory=Counter)
    api_log_bytes: Counter[str] = field(default_factory=Counter)
    api_increments: Counter[str] = field(default_factory=Counter)  # HTTP API bills each 512 KB of a request
    metric_names: set[tuple[str, str]] = field(default_factory=set)
    _aws_ms: float = 0.0
    _backend: Any = None

    # --- installing -----------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def installed(self, region: str) -> Iterator[Meter]:
        """Count every botocore call made while inside (moto must be started: its backend sizes stored items)."""
        from botocore.client import BaseClient
        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.dynamodb.models import dynamodb_backends

        self._backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][region]
        original = BaseClient._make_api_call
        meter = self

        def counted(client: Any, operation: str, params: dict[str, Any]) -> Any:
            if meter.function is None:
                return original(client, operation, params)
            service = client.meta.service_model.service_name
            before = meter._stored(params, operation) if service == "dynamodb" else {}
            began = time.perf_counter()
            try:
                response = original(client, operation, params)
            except Exception as exc:  # a refused call is billed too (a failed condition consumes its write)
                meter._aws_ms += (time.perf_counter() - began) * 1000
                meter._count(service, operation, params, getattr(exc, "response", {}) or {}, before)
                raise
            meter._aws_ms += (time.perf_counter() - began) * 1000
            meter._count(service, operation, params, response, before)
            return response

        BaseClient._make_api_call = counted  # type: ignore[method-assign]
        try:
            yield self
        finally:
            BaseClient._make_api_call = original  # type: ignore[method-assign]

    @contextlib.contextmanager
    def billed_as(self, function: str) -> Iterator[None]:
        """Calls made inside are billed, as if `function` (or Lambda's poller for it) made them; not timed."""
        outer, self.function = self.function, function
        try:
            yield
        finally:
            self.function = outer

    # --- Lambda -----------------------------------------------------------------------------------------------
    @contextlib.contextmanager
    def invoke(self, function: str) -> Iterator[None]:
        """One invocation of `function`: timed, its output counted as log bytes, its AWS calls billed."""
        out = _CountingStream()
        outer, self.function = self.function, function
        aws_before = self._aws_ms
        began = time.perf_counter()
        try:
            with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):  # type: ignore[type-var]
                yield
        finally:
            ms = (time.perf_counter() - began) * 1000
            self.function = outer
            billed = max(1, math.ceil(ms))
            platform = self.platform_log_bytes(function, ms, billed)
            self.metric_names |= out.metrics()
            self.invocations.append(
                Invocation(function, self.journey, billed, out.bytes + platform, self._aws_ms - aws_before)
            )

    def platform_log_bytes(self, function: str, ms: float, billed: int) -> int:
        """The START, END and REPORT lines Lambda writes to the function's log group for each invocation."""
        request_id = str(uuid.uuid4())
        memory = self.memory_mb.get(function, 1024)
        lines = [
            f"START RequestId: {request_id} Version: $LATEST\n",
            f"END RequestId: {request_id}\n",
            f"REPORT RequestId: {request_id}\tDuration: {ms:.2f} ms\tBilled Duration: {billed} ms\t"
            f"Memory Size: {memory} MB\tMax Memory Used: {memory // 5} MB\t\n",
        ]
        if function in self.traced:
            trace = f"1-{uuid.uuid4().hex[:8]}-{uuid.uuid4().hex[:24]}"
            lines[-1] += f"XRAY TraceId: {trace}\tSegmentId: {uuid.uuid4().hex[:16]}\tSampled: true\t\n"
        return sum(len(line.encode()) for line in lines)

    def api_request(self, access_log_line: str, size: int) -> None:
        """One HTTP API request of `size` bytes (the larger way), with its access log line (the template's format)."""
        self.api_requests[self.journey] += 1
        self.api_increments[self.journey] += max(1, math.ceil(size / (512 * 1024)))
        self.api_log_bytes[self.journey] += len(access_log_line.encode()) + 1

    # --- counting calls -----------------------------------------------------------------------------------
    def _count(
        self, service: str, operation: str, params: dict[str, Any], response: dict[str, Any], before: dict
    ) -> None:
        self.calls[(self.journey, service, operation)] += 1
        units = self.units[self.journey]
        if service == "dynamodb":
            for kind, amount in self._dynamo_units(operation, params, response, before).items():
                units[kind] += amount
        elif service == "ses" and operation in ("SendEmail", "SendRawEmail"):
            destination = params.get("Destination") or {}
            recipients = sum(len(destination.get(k, [])) for k in ("ToAddresses", "CcAddresses", "BccAddresses"))
            units["ses_messages"] += max(1, recipients)
        elif service == "s3":
            units["s3_write_tier" if operation in S3_WRITE_TIER else "s3_read_tier"] += 1
        elif service == "sqs":
            units["sqs_requests"] += _sqs_chunks(operation, params)
        elif service == "secretsmanager":
            units["secrets_calls"] += 1

    def on_behalf(self, service: str, operation: str, params: dict[str, Any] | None = None) -> None:
        """A request made for the account by someone else than a function, and billed to it (Lambda's SQS poller
        for an event source mapping, a browser following a presigned S3 link)."""
        self._count(service, operation, params or {}, {}, {})

    def _stored(self, params: dict[str, Any], operation: str) -> dict[tuple[str, str], Any]:
        """The items a write will touch, as stored now (None when absent), keyed by (pk, sk)."""
        found: dict[tuple[str, str], Any] = {}
        for table, key in _written_keys(operation, params):
            found[(key["pk"]["S"], key["sk"]["S"])] = self._lookup(table, key)
        return found

    def _lookup(self, table: str, key: dict[str, Any]) -> Any:
        return self._backend.get_item(table, {"pk": key["pk"], "sk": key["sk"]})

    def _dynamo_units(self, operation: str, params: dict[str, Any], response: dict, before: dict) -> Counter[str]:
        units: Counter[str] = Counter()
        if operation == "GetItem":
            size = item_size(response.get("Item") or {})
            units["rru"] += read_units(size, bool(params.get("ConsistentRead")))
        elif operation == "BatchGetItem":
            found = [i for items in (response.get("Responses") or {}).values() for i in items]
            asked = sum(len(r["Keys"]) for r in params["RequestItems"].values())
            consistent = any(r.get("ConsistentRead") for r in params["RequestItems"].values())
            units["rru"] += sum(read_units(item_size(i), consistent) for i in found)
            units["rru"] += read_units(0, consistent) * max(0, asked - len(found))  # a key not found costs a read too
        elif operation in ("Query", "Scan"):
            size = sum(item_size(i) for i in response.get("Items", []))
            units["rru"] += read_units(size, bool(params.get("ConsistentRead")) and not params.get("IndexName"))
        elif operation == "TransactGetItems":
            for entry in response.get("Responses", []):
                units["rru_transactional"] += 2 * read_units(item_size(entry.get("Item") or {}), True)
        elif operation in ("TransactWriteItems", "PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"):
            transactional = operation == "TransactWriteItems"
            for table, key in _written_keys(operation, params):
                pk_sk = (key["pk"]["S"], key["sk"]["S"])
                old, new = before.get(pk_sk), self._lookup(table, key)
                size = max(old.size() if old else 0, new.size() if new else 0)
                kind = "wru_transactional" if transactional else "wru"
                units[kind] += write_units(size) * (2 if transactional else 1)
                units["wru_index"] += _index_writes(old, new, size)
        return units


def _written_keys(operation: str, params: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(table, key) of each item a write request names."""
    keys: list[tuple[str, dict[str, Any]]] = []
    if operation == "TransactWriteItems":
        for entry in params["TransactItems"]:
            ((kind, body),) = entry.items()
            if kind in WRITE_KINDS:
                keys.append((body["TableName"], body.get("Key") or _key_of(body.get("Item") or {})))
    elif operation == "PutItem":
        keys.append((params["TableName"], _key_of(params["Item"])))
    elif operation in ("UpdateItem", "DeleteItem"):
        keys.append((params["TableName"], params["Key"]))
    elif operation == "BatchWriteItem":
        for table, requests in params["RequestItems"].items():
            for request in requests:
                if "PutRequest" in request:
                    keys.append((table, _key_of(request["PutRequest"]["Item"])))
                else:
                    keys.append((table, request["DeleteRequest"]["Key"]))
    return keys


def _key_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"pk": item["pk"], "sk": item["sk"]}


def _index_writes(old: Any, new: Any, size: int) -> int:
    """Writes to the global secondary indexes that hold the item before or after (projection ALL: its full size)."""
    writes = 0
    for index in INDEXES:
        was = _index_key(old, index)
        now = _index_key(new, index)
        if was is None and now is None:
            continue
        moved = was is not None and now is not None and was != now
        writes += write_units(size) * (2 if moved else 1)
    return writes


def _index_key(item: Any, index: str) -> tuple[Any, Any] | None:
    if item is None or f"{index}pk" not in item.attrs:
        return None
    sort = item.attrs.get(f"{index}sk")
    return (item.attrs[f"{index}pk"].value, sort.value if sort is not None else None)


def _sqs_chunks(operation: str, params: dict[str, Any]) -> int:
    """SQS bills each 64 KB of a request's payload as one request."""
    if operation == "SendMessageBatch":
        size = sum(len(e["MessageBody"].encode()) for e in params.get("Entries", []))
    elif operation == "SendMessage":
        size = len(params.get("MessageBody", "").encode())
    else:
        size = 0
    return max(1, math.ceil(size / 65536))


class _CountingStream(io.TextIOBase):
    """A text stream that counts the bytes written to it and keeps the EMF metric names it saw."""

    def __init__(self) -> None:
        self.bytes = 0
        self.lines: list[str] = []

    def write(self, text: str) -> int:  # type: ignore[override]
        self.bytes += len(text.encode())
        if '"_aws"' in text:
            self.lines.append(text)
        return len(text)

    def writable(self) -> bool:
        return True

    def metrics(self) -> set[tuple[str, str]]:
        """(namespace, metric name) of each CloudWatch metric the EMF documents written here declare."""
        names = set()
        for line in "".join(self.lines).splitlines():
            try:
                doc = json.loads(line)
            except ValueError:
                continue
            for directive in (doc.get("_aws") or {}).get("CloudWatchMetrics", []):
                names |= {(directive["Namespace"], m["Name"]) for m in directive["Metrics"]}
        return names
