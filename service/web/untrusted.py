"""Untrusted input before it reaches a schema: request size, JSON bodies, ids in the path, paging cursors, the
places a sign-in or a form may send the browser back to (`safe_next`), and the rules of text, ids and numbers the
table and the pages can hold (web/fields.py's schema fields apply them; here they need no marshmallow, so reading a
session cookie or a page's path does not import it).

The limits are the ones docs/SECURITY.md lists; each refusal is a 4xx in the one error shape.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider

from service.domain.errors import DomainError, NotFound, ValidationFailed

MAX_BODY_BYTES = 6 * 1024 * 1024  # what a Lambda invocation carries at most
MAX_FORM_MEMORY = 1024 * 1024  # one non-file form field (werkzeug's default is 500 kB)
MAX_FORM_PARTS = 2000  # the review forms post a few hundred fields at most
MAX_JSON_DEPTH = 32  # DynamoDB's own nesting limit for a document
MAX_REPORTED = 20  # field messages listed per refused body
NAME_MAX = 200  # a department name in the path (the import's field limit)
ENDPOINTS_WITHOUT_ID_RULE = {"static"}


# DynamoDB numbers: up to 38 significant digits, magnitude 1E-130 .. 9.99...E+125 (and 0).
DYNAMO_MAX = 9.99e125
DYNAMO_MIN = 1e-130
DYNAMO_DIGITS = 38
TEXT_MAX = 10_000
ID_MAX = 128
# Ids are keys in the table: one rule keeps `#` (our key separator), `/`, `..`, controls and lookalikes out.
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
# C0 controls except tab, line feed and carriage return, DEL, and the UTF-16 surrogates (which are never
# text on their own: they cannot be encoded as UTF-8, so a page or a DynamoDB write would fail on them).
# The same rule for readers of the OpenAPI document (JSON Schema has no way to speak of lone surrogates).
TEXT_PATTERN = r"^[^\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]*$"
FORBIDDEN_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def is_id(value: str) -> bool:
    """True when `value` could name an item (the rule of ids in the path and of web/fields.py's `Id`)."""
    return len(value) <= ID_MAX and ID_RE.fullmatch(value) is not None


def text_problem(value: str) -> str | None:
    """Why a string is not text we store and show, or None when it is."""
    found = FORBIDDEN_RE.search(value)
    if found is None:
        return None
    char = found.group()
    if "\ud800" <= char <= "\udfff":
        return "Contains an unpaired surrogate (not valid Unicode text)."
    return f"Contains a control character (U+{ord(char):04X})."


def number_problem(value: float | int) -> str | None:
    """Why a number cannot be stored in DynamoDB, or None when it can."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return "Enter a finite number."
    if isinstance(value, int):
        if len(str(abs(value)).rstrip("0")) > DYNAMO_DIGITS:
            return f"Use at most {DYNAMO_DIGITS} significant digits."
        magnitude = abs(value)
    else:
        magnitude = abs(value)
    if magnitude and (magnitude > DYNAMO_MAX or magnitude < DYNAMO_MIN):
        return "Enter a number between 1E-130 and 9.99E+125 in size (or 0)."
    return None


class MalformedRequest(DomainError):
    """The body cannot be read at all (not JSON, too deep); mapped to 400."""

    code = "malformed_request"


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_json(data: str | bytes) -> Any:
    """JSON text → value, refusing what the table or a page cannot hold; an empty body is None."""
    if not data or not data.strip():
        return None
    try:
        # UTF-8 strictly (RFC 8259): json.loads would also guess UTF-16/32 and let encoded surrogates through.
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        value = json.loads(text, parse_constant=_refuse_constant)
    except RecursionError as exc:
        raise MalformedRequest(
            f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.", {"body": ["too deeply nested"]}
        ) from exc
    except ValueError as exc:
        raise MalformedRequest("The body is not valid JSON.", {"body": [str(exc)[:200]]}) from exc
    problems = _problems(value)
    if problems:
        raise ValidationFailed("The request has invalid values.", problems)
    return value


def _problems(value: Any) -> dict[str, list[str]]:
    """{json path: [message]} for strings and numbers DynamoDB or a page cannot hold; walks without recursion."""
    out: dict[str, list[str]] = {}
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack and len(out) < MAX_REPORTED:
        node, path, depth = stack.pop()
        if depth > MAX_JSON_DEPTH:
            raise MalformedRequest(
                f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.", {path or "body": ["too deep"]}
            )
        if isinstance(node, dict):
            for key, child in node.items():
                where = f"{path}.{key}" if path else str(key)
                problem = text_problem(key)
                if problem:
                    out[_printable(path or "body")] = [f"A field name: {problem[:1].lower()}{problem[1:]}"]
                    continue
                stack.append((child, where, depth + 1))
        elif isinstance(node, list):
            stack.extend((child, f"{path}.{n}" if path else str(n), depth + 1) for n, child in enumerate(node))
        else:
            problem = text_problem(node) if isinstance(node, str) else None
            if isinstance(node, int | float):
                problem = number_problem(node)
            if problem:
                out[_printable(path or "body")] = [problem]
    return out


def _printable(path: str) -> str:
    return "".join(ch if text_problem(ch) is None else "\ufffd" for ch in path)


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, whose request side refuses malformed, too deep and unstorable bodies (even `silent=True`)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        """Parse a request body through `parse_json` (a caller passing options gets Flask's own parser)."""
        if kwargs:
            return super().loads(s, **kwargs)
        return parse_json(s)


def check_view_args(endpoint: str | None, values: dict[str, Any] | None) -> None:
    """Refuse ids in the path that cannot name anything (404), before a view turns them into table keys."""
    if not values or endpoint in ENDPOINTS_WITHOUT_ID_RULE:
        return
    for name, value in values.items():
        if not isinstance(value, str):
            continue
        if name == "name":  # a department: free text, but printable and short
            too_long = f"longer than {NAME_MAX} characters" if len(value) > NAME_MAX else None
            problem = text_problem(value) or too_long
        elif not is_id(value):
            problem = "not a valid id (letters, digits, '.', '_' or '-')"
        else:
            problem = None
        if problem:
            raise NotFound(f"Nothing has that {name.replace('_', ' ')}.", {name: [problem]})


def encode_cursor(key: dict[str, str]) -> str:
    """A table key as an opaque paging token."""
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode()


def decode_cursor(token: str, pk: str, sk_prefix: str) -> dict[str, str]:
    """A paging token back to a key of the partition being paged, or 422 naming the `cursor` field."""
    refused = ValidationFailed("Bad cursor.", {"cursor": ["use the `next` value of the previous page"]})
    if len(token) > 4096:
        raise refused
    try:
        raw = base64.urlsafe_b64decode(token.encode("ascii"))
        key = json.loads(raw, parse_constant=_refuse_constant)
    except (ValueError, binascii.Error, RecursionError) as exc:
        raise refused from exc
    if not isinstance(key, dict) or set(key) != {"pk", "sk"}:
        raise refused
    sk = key["sk"]
    # The key must belong to the partition of this request: a cursor is never a way to read elsewhere.
    unprintable = isinstance(sk, str) and text_problem(sk)
    if key["pk"] != pk or not isinstance(sk, str) or not sk.startswith(sk_prefix) or unprintable or len(sk) > 512:
        raise refused
    return {"pk": pk, "sk": sk}


def install(app: Flask) -> None:
    """Size limits, the strict JSON reader and the path id rule, on an app."""
    app.config.update(
        MAX_CONTENT_LENGTH=MAX_BODY_BYTES, MAX_FORM_MEMORY_SIZE=MAX_FORM_MEMORY, MAX_FORM_PARTS=MAX_FORM_PARTS
    )
    app.json = SafeJSONProvider(app)
    app.url_value_preprocessor(check_view_args)


def safe_next(target: str | None, default: str) -> str:
    """A same-site path, or the default: no scheme, no host, no `//`, backslash or control characters."""
    from urllib.parse import urlsplit

    t = target or ""
    if not t.startswith("/") or t.startswith("//") or "\\" in t or any(ord(c) < 0x20 or ord(c) == 0x7F for c in t):
        return default
    parts = urlsplit(t)
    return default if parts.scheme or parts.netloc else t
