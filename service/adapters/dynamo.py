"""DynamoDB implementation of the table port (low-level client, typed codec)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

from service.adapters.attribute_values import from_attribute, to_attribute
from service.adapters.store import (
    Check,
    Delete,
    Increment,
    Item,
    Key,
    Op,
    Page,
    Put,
    Table,
    _check_batch,
    refusal_error,
)
from service.domain.errors import Unavailable

BATCH_GET_LIMIT = 100
# Errors botocore's standard retries give up on that say "busy or broken for now", not "your request is wrong".
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionInProgressException",
    }
)
# Reasons a transaction is cancelled for that a later retry can overcome (a condition failure cannot).
TRANSIENT_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"})
BUSY = "The service is busy right now. Please try again in a moment."
F = TypeVar("F", bound=Callable[..., Any])


def _transient(exc: Any) -> bool:
    """True for a ClientError that a later retry of the same request may overcome."""
    error = exc.response.get("Error", {})
    if error.get("Code") in TRANSIENT_CODES or exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500:
        return True
    if error.get("Code") == "TransactionCanceledException":
        codes = {r.get("Code") for r in exc.response.get("CancellationReasons") or []} - {None, "None"}
        return bool(codes) and codes <= TRANSIENT_REASONS
    return False


def unavailable_on_transient_errors(method: F) -> F:
    """Throttling, 5xx and timeouts left after botocore's retries leave the adapter as `Unavailable` (503)."""

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from botocore.exceptions import ClientError, HTTPClientError
        from botocore.exceptions import ConnectionError as BotocoreConnectionError

        try:
            return method(*args, **kwargs)
        except ClientError as exc:
            if not _transient(exc):
                raise
            raise Unavailable(BUSY) from exc
        except (HTTPClientError, BotocoreConnectionError) as exc:  # read/connect timeouts, endpoint unreachable
            raise Unavailable(BUSY) from exc

    return wrapper  # type: ignore[return-value]


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, set):
        return sorted(_plain(v) for v in value)
    return value


def _dynamo(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _dynamo(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_dynamo(v) for v in value]
    return value


class DynamoTable(Table):
    """The single table, through a botocore DynamoDB client."""

    def __init__(self, client: Any, table_name: str) -> None:
        self.client = client
        self.name = table_name

    def encode(self, item: Item) -> dict[str, Any]:
        """Python dict → DynamoDB attribute values (None attributes are left out)."""
        return {k: to_attribute(_dynamo(v)) for k, v in item.items() if v is not None}

    def decode(self, raw: dict[str, Any]) -> Item:
        """DynamoDB attribute values → plain Python (ints stay ints)."""
        return {k: _plain(from_attribute(v)) for k, v in raw.items()}

    @unavailable_on_transient_errors
    def get(self, key: Key, consistent: bool = False) -> Item | None:
        raw = self.client.get_item(TableName=self.name, Key=self.encode(key), ConsistentRead=consistent)
        return self.decode(raw["Item"]) if "Item" in raw else None

    @unavailable_on_transient_errors
    def get_many(self, keys: list[Key], consistent: bool = False) -> list[Item]:
        found: list[Item] = []
        unique = list({(k["pk"], k["sk"]): k for k in keys}.values())
        for start in range(0, len(unique), BATCH_GET_LIMIT):
            asked: dict[str, Any] = {"Keys": [self.encode(k) for k in unique[start : start + BATCH_GET_LIMIT]]}
            pending = {self.name: asked | ({"ConsistentRead": True} if consistent else {})}
            while pending:
                raw = self.client.batch_get_item(RequestItems=pending)
                found.extend(self.decode(i) for i in raw["Responses"].get(self.name, []))
                pending = raw.get("UnprocessedKeys") or {}
        return found

    @unavailable_on_transient_errors
    def query_page(self, pk, sk_prefix=None, index=None, limit=None, cursor=None, descending=False) -> Page:
        pk_attr, sk_attr = ("pk", "sk") if index is None else (f"{index}pk", f"{index}sk")
        condition = "#p = :p"
        names = {"#p": pk_attr}
        values: dict[str, Any] = {":p": {"S": pk}}
        if sk_prefix:
            condition += " AND begins_with(#s, :s)"
            names["#s"] = sk_attr
            values[":s"] = {"S": sk_prefix}
        args: dict[str, Any] = {
            "TableName": self.name,
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
            "ScanIndexForward": not descending,
        }
        if index:
            args["IndexName"] = index
        if limit:
            args["Limit"] = limit
        if cursor:
            args["ExclusiveStartKey"] = self.encode(cursor)
        raw = self.client.query(**args)
        next_key = raw.get("LastEvaluatedKey")
        return Page([self.decode(i) for i in raw.get("Items", [])], self.decode(next_key) if next_key else None)

    @unavailable_on_transient_errors
    def transact(self, ops: list[Op], token: str | None = None) -> None:
        _check_batch(ops)
        from botocore.exceptions import ClientError

        args: dict[str, Any] = {"TransactItems": [self._transact_item(op) for op in ops]}
        if token:
            # botocore's own retries resend these same parameters, so they carry the same token.
            args["ClientRequestToken"] = token
        try:
            self.client.transact_write_items(**args)
        except ClientError as exc:
            if exc.response["Error"]["Code"] != "TransactionCanceledException":
                raise
            reasons = exc.response.get("CancellationReasons") or []
            for op, reason in zip(ops, reasons, strict=False):
                if reason.get("Code") == "ConditionalCheckFailed":
                    raise refusal_error(op) from exc
            raise

    def _transact_item(self, op: Op) -> dict[str, Any]:
        if isinstance(op, Increment):
            return {"Update": self._increment(op)}
        condition, names, values = _condition(op)
        extra: dict[str, Any] = {}
        if condition:
            extra["ConditionExpression"] = condition
            extra["ExpressionAttributeNames"] = names
            if values:
                extra["ExpressionAttributeValues"] = values
        if isinstance(op, Put):
            return {"Put": {"TableName": self.name, "Item": self.encode(op.item), **extra}}
        if isinstance(op, Delete):
            return {"Delete": {"TableName": self.name, "Key": self.encode(op.key), **extra}}
        if isinstance(op, Check):
            if not condition:
                condition, names, values = "attribute_exists(#pk)", {"#pk": "pk"}, {}
                extra = {"ConditionExpression": condition, "ExpressionAttributeNames": names}
            return {"ConditionCheck": {"TableName": self.name, "Key": self.encode(op.key), **extra}}
        raise TypeError(f"unknown operation {op!r}")

    def _increment(self, op: Increment) -> dict[str, Any]:
        names: dict[str, str] = {}
        values: dict[str, Any] = {}
        sets, adds = [], []
        for n, (name, value) in enumerate(op.defaults.items()):
            names[f"#d{n}"] = name
            values[f":d{n}"] = to_attribute(_dynamo(value))
            sets.append(f"#d{n} = if_not_exists(#d{n}, :d{n})")
        for n, (name, delta) in enumerate(op.deltas.items()):
            names[f"#a{n}"] = name
            values[f":a{n}"] = {"N": str(delta)}
            adds.append(f"#a{n} :a{n}")
        expression = " ".join(
            part
            for part in (("SET " + ", ".join(sets)) if sets else "", ("ADD " + ", ".join(adds)) if adds else "")
            if part
        )
        return {
            "TableName": self.name,
            "Key": self.encode(op.key),
            "UpdateExpression": expression,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }


def _condition(op: Op) -> tuple[str, dict[str, str], dict[str, Any]]:
    """The named condition parts of an op (absent item, or expected version)."""
    if getattr(op, "must_not_exist", False):
        return "attribute_not_exists(#pk)", {"#pk": "pk"}, {}
    if op.expect_version is not None:
        return "#v = :v", {"#v": "version"}, {":v": {"N": str(op.expect_version)}}
    return "", {}, {}
