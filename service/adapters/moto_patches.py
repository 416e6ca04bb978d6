"""moto's DynamoDB made safe for many requests at once: the local run and the tests install these patches.

moto 5 emulates TransactWriteItems by deep-copying every table of the transaction once per item (for a
rollback), without any lock. A large transaction then costs seconds, outlives the client's read timeout,
and botocore's retry runs beside the first attempt: the copy iterates a dict another thread changes
(`dictionary changed size during iteration`), a rollback puts back a table copied before a concurrent
commit (erasing it), and the retry of an applied transaction is refused ("already exists", 412).

Six narrow patches, each keeping moto's semantics:

- one lock around every DynamoDB request moto serves, so each request, a transaction included, is atomic
  and isolated from the others (moto is CPU-bound Python under one GIL: serialising loses little);
- a transaction's rollback keeps copies of the items it touches only, not of the whole table per item:
  its cost follows the items it writes, not the size of the table;
- a TransactWriteItems retried with the same ClientRequestToken (botocore sends one with every call and
  keeps it across its retries) answers as the applied first attempt did, as DynamoDB does for 10 minutes;
- reads answer their items as JSON directly, not through moto's shape-walking serializer (which costs more
  than the read: a large item took 40 ms to serialise);
- a Query looks at the items of its partition (or of its index partition), not at the whole table sorted
  anew each time (a query cost 200 ms at 3,000 items and grew with every write);
- a stored item is not also kept in moto's list of every model instance ever made (`instances_tracked`, read
  only by moto's own inspection API): every write made an item that lived for ever, with every version it
  replaced and every rollback copy, so the local run grew ~100 KB per audited write and never gave it back.

moto is a test and local-run dependency only: it is imported when `install` is called, and nothing on a
Lambda code path imports this module. The patches replace moto internals, so they are written for one moto
release (`MOTO_VERSION`, pinned in pyproject.toml and requirements.lock): `install` refuses any other with a
message that says what to do, rather than letting queries go wrong without an error.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import inspect
import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any

# The moto release these patches were written for and tested against (its internals are what they replace).
MOTO_VERSION = "5.2.6"

# DynamoDB calls that never change the emulated state; any other call may (and is reported to the listeners).
READ_ACTIONS = frozenset(
    {
        "BatchGetItem",
        "DescribeContinuousBackups",
        "DescribeEndpoints",
        "DescribeLimits",
        "DescribeTable",
        "DescribeTimeToLive",
        "GetItem",
        "ListTables",
        "ListTagsOfResource",
        "Query",
        "Scan",
        "TransactGetItems",
    }
)
# Reads whose answers are items in wire form, written as JSON directly (see `_plain_json_result`).
PLAIN_JSON_READS = ("get_item", "query", "scan", "batch_get_item", "transact_get_items")
JSON_CONTENT_TYPE = "application/x-amz-json-1.0"
IDEMPOTENCY_SECONDS = 600.0  # how long DynamoDB remembers a ClientRequestToken
IDEMPOTENCY_ENTRIES = 10_000

_lock = threading.RLock()  # held by every DynamoDB request moto serves while installed
_state_lock = threading.Lock()  # guards installing and removing the patches
_installs = 0
_originals: list[tuple[Any, str, Any]] = []
_ABSENT = object()  # an attribute the class did not define itself: uninstalling removes it again
_journal: _Journal | None = None  # the transaction being applied (only ever one: `_lock` is held)
_tokens: OrderedDict[str, tuple[float, str, Any]] = OrderedDict()  # token -> (when, request digest, answer)
_write_listeners: list[Callable[[str], None]] = []
_writes = 0  # DynamoDB requests served that may have written: the index partitions below are as of a count
_index_cache: dict[tuple[int, tuple[str, ...]], tuple[int, Any, dict[tuple[Any, ...], list[Any]]]] = {}


def dynamodb_lock() -> threading.RLock:
    """The lock every emulated DynamoDB request holds: hold it to read moto's tables consistently."""
    return _lock


def on_write(listener: Callable[[str], None]) -> Callable[[], None]:
    """Call `listener(action)` after every DynamoDB request that may have changed moto's state (HTTP or
    in-process); returns a function that stops it."""
    _write_listeners.append(listener)
    return lambda: _write_listeners.remove(listener) if listener in _write_listeners else None


def stored_items(region: str) -> dict[str, Iterator[dict[str, Any]]]:
    """Every item of moto's DynamoDB tables in `region`, by table, in wire form, read as it is consumed (hold
    `dynamodb_lock()` meanwhile): the one read of moto's storage from outside a request."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    def items(table: Any) -> Iterator[dict[str, Any]]:
        rows = table.items.values()
        for item in (i for row in rows for i in row.values()) if table.range_key_attr else rows:
            yield item.to_json()["Attributes"]

    return {name: items(table) for name, table in dynamodb_backends[DEFAULT_ACCOUNT_ID][region].tables.items()}


class MotoVersionMismatch(RuntimeError):
    """The installed moto is not the release the patches were written for."""


def check_moto_version(installed: str | None = None) -> None:
    """Refuse a moto other than `MOTO_VERSION`: its internals may have moved under the patches."""
    found = installed if installed is not None else metadata.version("moto")
    if found != MOTO_VERSION:
        raise MotoVersionMismatch(
            f"moto {found} is installed, but service/adapters/moto_patches.py was written for moto {MOTO_VERSION}. "
            "Install the locked versions (`make clean && make run`, which installs from requirements.lock), or, "
            "when upgrading moto on purpose, check each patch against the new release, run `make races` and "
            "tests/integration/test_moto_patches.py, then change MOTO_VERSION and the pin together."
        )


def install(without: Collection[str] = ()) -> None:
    """Patch moto's DynamoDB in this process (counted: each call needs an `uninstall`).

    `without` leaves out patches by name (`PATCHES`): only for the tests that show each one is needed.
    """
    global _installs
    unknown = set(without) - set(PATCHES)
    if unknown:
        raise ValueError(f"no moto patch named {sorted(unknown)}")
    with _state_lock:
        if _installs == 0:
            check_moto_version()
        elif without:
            raise RuntimeError("the moto patches are installed already: they cannot be left out now")
        _installs += 1
        if _installs == 1:
            _apply(frozenset(without))


def uninstall() -> None:
    """Undo one `install`; the last one puts moto back as it was."""
    global _installs
    with _state_lock:
        if _installs == 0:
            return
        _installs -= 1
        if _installs == 0:
            for owner, name, original in reversed(_originals):
                if original is _ABSENT:
                    delattr(owner, name)
                else:
                    setattr(owner, name, original)
            _originals.clear()
            _tokens.clear()
            _index_cache.clear()


@contextmanager
def patched(without: Collection[str] = ()) -> Iterator[None]:
    """moto's DynamoDB patched for the duration of the block (tests), less the patches named in `without`."""
    install(without)
    try:
        yield
    finally:
        uninstall()


def installed() -> bool:
    """Whether the patches are in place."""
    return _installs > 0


class _Journal:
    """Copies of the items a transaction touches, as they were before it: enough to roll it back."""

    def __init__(self) -> None:
        self.before: dict[tuple[str, Any, Any], tuple[Any, Any]] = {}
        self.whole_tables = False  # a table with a stream: let moto copy it whole (its records roll back too)

    def record(self, backend: Any, transact_items: list[dict[str, Any]]) -> None:
        from moto.dynamodb.models.dynamo_type import DynamoType

        for entry in transact_items:
            if len(entry) != 1:
                continue  # moto refuses it before writing anything
            op_type, op = next(iter(entry.items()))
            table = backend.tables.get(op.get("TableName")) if isinstance(op, dict) else None
            if table is None:
                continue
            if table.stream_shard is not None:
                self.whole_tables = True
            attrs = op.get("Item") if op_type == "Put" else op.get("Key")
            if not isinstance(attrs, dict) or table.hash_key_attr not in attrs:
                continue  # moto refuses it before writing it
            try:
                hash_value = DynamoType(attrs[table.hash_key_attr])
                range_value = DynamoType(attrs[table.range_key_attr]) if table.range_key_attr else None
            except (KeyError, TypeError, ValueError):
                continue
            slot = (table.name, hash_value, range_value)
            if slot not in self.before:
                self.before[slot] = (table, copy.deepcopy(_current(table, hash_value, range_value)))

    def restore(self, backend: Any) -> None:
        """Put every touched item back as it was (moto's own rollback of a whole-table copy went first)."""
        for (name, hash_value, range_value), (table, item) in self.before.items():
            if backend.tables.get(name) is not table:
                continue  # moto restored a copy of its own (streams) or the table is gone
            if range_value is None:
                if item is None:
                    table.items.pop(hash_value, None)
                else:
                    table.items[hash_value] = item
                continue
            partition = table.items.get(hash_value)
            if item is None:
                if partition is not None:
                    partition.pop(range_value, None)
                    if not partition:
                        del table.items[hash_value]
            else:
                table.items[hash_value][range_value] = item


def _current(table: Any, hash_value: Any, range_value: Any) -> Any:
    """The stored item at a key, or None (without making an empty partition, as moto's get_item can)."""
    if range_value is None:
        return table.items.get(hash_value)
    partition = table.items.get(hash_value)
    return partition.get(range_value) if partition else None


class _TableCopier:
    """Stands in for the `copy` module inside moto's DynamoDB models: a table "copied" for a transaction's
    rollback is the live table itself, since the journal restores what the transaction touched."""

    @staticmethod
    def deepcopy(obj: Any, memo: Any = None) -> Any:
        from moto.dynamodb.models.table import Table

        if isinstance(obj, Table) and _journal is not None and not _journal.whole_tables:
            return obj
        return copy.deepcopy(obj, memo)


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body.get("TransactItems"), sort_keys=True, default=str).encode()).hexdigest()


def _remembered(token: str, digest: str) -> tuple[bool, Any]:
    """(True, the answer) if a transaction with this token was applied within the last 10 minutes."""
    from moto.dynamodb.exceptions import DynamodbException

    now = time.monotonic()
    while _tokens:
        oldest = next(iter(_tokens.values()))
        if now - oldest[0] < IDEMPOTENCY_SECONDS and len(_tokens) <= IDEMPOTENCY_ENTRIES:
            break
        _tokens.popitem(last=False)
    seen = _tokens.get(token)
    if seen is None:
        return False, None
    if seen[1] != digest:
        raise DynamodbException(
            "IdempotentParameterMismatchException",
            "Specified idempotency token was used with different request parameters within the last 10 minutes",
        )
    return True, seen[2]


def _json_default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def _plain_json_result(result_class: Any) -> Any:
    class PlainJsonResult(result_class):
        """A read's answer written as JSON directly: it is wire-form DynamoDB JSON already, and moto's generic
        serializer walks the output shape for every attribute, costing more than the read itself."""

        def execute_result(self, context: Any) -> Any:
            body = {k: v for k, v in self.result.items() if v is not None}
            return 200, {"Content-Type": JSON_CONTENT_TYPE}, json.dumps(body, default=_json_default)

    return PlainJsonResult


def _candidates(table: Any, hash_key: Any, index_name: Any, hash_conditions: Any) -> list[Any] | None:
    """The items a query can return, in the order moto's `all_items` gives them; None to let moto look at all.

    moto sorts the whole table on every Query, then keeps the items of the partition asked for: a query's
    cost grew with the size of the table. These are the same items, found without sorting the rest.
    """
    if not index_name:
        if hash_key is None or not table.range_key_attr:
            return None
        return sorted(table.items.get(hash_key, {}).values(), key=lambda item: item.range_key)
    if not hash_conditions or any(value.type == "N" for _, value in hash_conditions):
        return None
    names = tuple(name for name, _ in hash_conditions)
    wanted = tuple((value.type, value.value) for _, value in hash_conditions)
    return _index_partitions(table, names).get(wanted, [])


def _index_partitions(table: Any, names: tuple[str, ...]) -> dict[tuple[Any, ...], list[Any]]:
    """The table's items grouped by the values of `names` (an index's hash key), sorted as `all_items`
    sorts them; built once per table and key until the next write to any table."""
    cache_key = (id(table), names)
    cached = _index_cache.get(cache_key)
    if cached is not None and cached[0] == _writes and cached[1] is table:
        return cached[2]
    groups: dict[tuple[Any, ...], list[Any]] = {}
    for partition in table.items.values() if table.range_key_attr else [table.items]:
        for item in partition.values():
            values = [item.attrs.get(name) for name in names]
            if all(v is not None for v in values):
                groups.setdefault(tuple((v.type, v.value) for v in values), []).append(item)
    for items in groups.values():
        items.sort(key=lambda x: (x.hash_key, x.range_key) if x.range_key else x.hash_key)
    _index_cache[cache_key] = (_writes, table, groups)
    return groups


def _wrote() -> None:
    global _writes
    _writes += 1
    _index_cache.clear()


def _untracked_models() -> tuple[type, ...]:
    """moto's DynamoDB model classes made once per write or read-back: not kept in `instances_tracked`."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord

    return (Item, StreamRecord)


def _untracked_new(cls: type, *args: Any, **kwargs: Any) -> Any:
    return object.__new__(cls)


def _lock_requests() -> list[tuple[Any, str, Any]]:
    """Every DynamoDB request holds `_lock`; one that may write is counted and reported to the listeners."""
    from moto.dynamodb.responses import DynamoHandler

    call_action = DynamoHandler.call_action

    def locked_call_action(self: Any) -> Any:
        with _lock:
            try:
                return call_action(self)
            finally:
                action = self._get_action()
                if action not in READ_ACTIONS:
                    _wrote()
                    for listener in list(_write_listeners):
                        listener(action)  # still under the lock: a snapshot taken meanwhile sees it marked

    return [(DynamoHandler, "call_action", locked_call_action)]


def _idempotent_transactions() -> list[tuple[Any, str, Any]]:
    """A TransactWriteItems repeated with its ClientRequestToken answers as the applied first attempt did."""
    from moto.dynamodb.responses import DynamoHandler

    handler_transact = DynamoHandler.transact_write_items

    def idempotent_transact(self: Any) -> Any:
        body = getattr(self, "params", None) or self.body
        token = body.get("ClientRequestToken") if isinstance(body, dict) else None
        if not token:
            return handler_transact(self)
        with _lock:
            digest = _digest(body)
            seen, answer = _remembered(token, digest)
            if seen:
                return answer
            answer = handler_transact(self)
            _tokens[token] = (time.monotonic(), digest, answer)
            return answer

    return [(DynamoHandler, "transact_write_items", idempotent_transact)]


def _journaled_rollback() -> list[tuple[Any, str, Any]]:
    """A transaction's rollback copies the items it touches, not every table once per item."""
    from moto.dynamodb import models

    backend_transact = models.DynamoDBBackend.transact_write_items

    def journaled_transact(self: Any, transact_items: list[dict[str, Any]]) -> None:
        global _journal
        with _lock:
            journal = _Journal()
            journal.record(self, transact_items)
            _journal = journal
            try:
                backend_transact(self, transact_items)
            except BaseException:
                journal.restore(self)
                raise
            finally:
                _journal = None

    return [(models.DynamoDBBackend, "transact_write_items", journaled_transact), (models, "copy", _TableCopier)]


def _plain_json_reads() -> list[tuple[Any, str, Any]]:
    """Reads answer their items as JSON directly, not through moto's shape-walking serializer."""
    from moto.core.responses import ActionResult
    from moto.dynamodb.responses import DynamoHandler

    plain_json = _plain_json_result(ActionResult)

    def plain_json_read(read: Any) -> Any:
        def answer(self: Any) -> Any:
            result = read(self)
            if isinstance(result, ActionResult) and isinstance(result.result, dict):
                return plain_json(result.result)
            return result

        return answer

    return [(DynamoHandler, name, plain_json_read(getattr(DynamoHandler, name))) for name in PLAIN_JSON_READS]


def _partition_queries() -> list[tuple[Any, str, Any]]:
    """A Query looks at the items of its partition (or index partition), not at the whole table sorted anew."""
    from moto.dynamodb import models

    table_query = models.Table.query
    query_signature = inspect.signature(table_query)
    missing = {"index_name", "hash_key_conditions"} - set(query_signature.parameters)
    if missing:
        raise MotoVersionMismatch(f"moto's Table.query no longer takes {sorted(missing)}: the query patch needs them")

    def partition_query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # Bound by name, as moto's own signature says, whether moto passed them by position or by keyword.
        call = query_signature.bind(self, hash_key, *args, **kwargs).arguments
        found = _candidates(self, hash_key, call.get("index_name"), call.get("hash_key_conditions"))
        if found is None:
            return table_query(self, hash_key, *args, **kwargs)
        self.all_items = lambda: found  # for this query only (`_lock` is held: no other request sees it)
        try:
            return table_query(self, hash_key, *args, **kwargs)
        finally:
            del self.all_items

    return [(models.Table, "query", partition_query)]


def _untracked_items() -> list[tuple[Any, str, Any]]:
    """Stored items are not also kept in moto's `instances_tracked` (read only by its inspection API)."""
    patches = []
    for model in _untracked_models():
        # moto's BaseModel.__new__ appends every instance to the class's `instances_tracked`, for ever.
        model.instances_tracked.clear()  # type: ignore[attr-defined]
        patches.append((model, "__new__", staticmethod(_untracked_new)))
    return patches


# Each patch by name: what it replaces (tests/integration/test_moto_patches.py shows each one is needed).
PATCHES: dict[str, Callable[[], list[tuple[Any, str, Any]]]] = {
    "lock": _lock_requests,
    "idempotent": _idempotent_transactions,
    "journal": _journaled_rollback,
    "plain_json": _plain_json_reads,
    "partition_query": _partition_queries,
    "untracked": _untracked_items,
}


def _apply(without: frozenset[str] = frozenset()) -> None:
    for name, patch in PATCHES.items():
        if name in without:
            continue
        for owner, attribute, replacement in patch():
            _originals.append((owner, attribute, owner.__dict__.get(attribute, _ABSENT)))
            setattr(owner, attribute, replacement)
