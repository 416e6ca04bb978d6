"""The API's documented contract, checked on every response, and the figures of a fuzzing run.

`Contract` reads the app's own OpenAPI document: a response must carry a status the document lists for its
operation, the content type documented for that status, and a body that matches the documented schema (an
error, the one shape `{code, status, message, errors}`). `Figures` counts what a run reached: operations
called, distinct (workflow, state) pairs, requests, 5xx.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from jsonschema import Draft7Validator

ERROR_KEYS = {"code", "status", "message", "errors"}


def _nullable(node: Any) -> Any:
    """OpenAPI 3.0's `nullable: true` as JSON Schema's `type: [t, "null"]` (for jsonschema)."""
    if isinstance(node, list):
        return [_nullable(n) for n in node]
    if not isinstance(node, dict):
        return node
    out = {k: _nullable(v) for k, v in node.items() if k != "nullable"}
    if node.get("nullable"):
        if "type" in out:
            out["type"] = [out["type"], "null"]
        elif "$ref" in out:
            out = {"anyOf": [{"$ref": out["$ref"]}, {"type": "null"}]}
        if "enum" in out:
            out["enum"] = [*out["enum"], None]
    return out


def _not_json(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class Contract:
    """What the OpenAPI document promises for each operation and status."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self.components = _nullable(spec.get("components", {}))
        self._validators: dict[str, Draft7Validator] = {}

    def labels(self) -> list[str]:
        """`METHOD /path` of every documented operation."""
        return [f"{m.upper()} {p}" for p, ops in self.spec["paths"].items() for m in ops]

    def operation(self, label: str) -> dict[str, Any]:
        method, path = label.split(" ", 1)
        return self.spec["paths"][path][method.lower()]

    def _validator(self, schema: dict[str, Any]) -> Draft7Validator:
        key = json.dumps(schema, sort_keys=True)
        if key not in self._validators:
            self._validators[key] = Draft7Validator({"components": self.components, "allOf": [_nullable(schema)]})
        return self._validators[key]

    def problems(self, label: str, status: int, mimetype: str, body: bytes) -> list[str]:
        """What in this response the document does not allow (empty: it conforms)."""
        responses = self.operation(label)["responses"]
        documented = responses.get(str(status))
        if documented is None:
            return [f"status {status} is not documented for {label} (documented: {', '.join(sorted(responses))})"]
        content = documented.get("content")
        if not content:
            return [f"{label} answered {status} with a body where none is documented"] if body.strip() else []
        if mimetype not in content:
            return [f"{label} answered {status} as {mimetype!r}; documented: {', '.join(content)}"]
        if mimetype != "application/json":
            return []
        try:
            data = json.loads(body, parse_constant=_not_json)
        except ValueError as exc:
            return [f"{label} answered {status} with a body that is not JSON: {exc}"]
        errors = sorted(self._validator(content[mimetype]["schema"]).iter_errors(data), key=str)
        found = [f"{label} {status} body off schema at {list(e.absolute_path)}: {e.message[:300]}" for e in errors[:5]]
        if status >= 400 and (not isinstance(data, dict) or set(data) != ERROR_KEYS or data["status"] != status):
            found.append(f"{label} {status}: not the one error shape {{code, status, message, errors}}: {data!r:.300}")
        return found

    def enum(self, component: str, *path: str) -> list[Any]:
        """The choices the document offers at `path` inside a component schema (through arrays, maps and refs)."""
        node: Any = self.spec["components"]["schemas"][component]
        for step in (*path, None):
            while True:
                if "$ref" in node:
                    node = self.spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
                elif node.get("type") == "array":
                    node = node["items"]
                elif isinstance(node.get("additionalProperties"), dict) and "properties" not in node:
                    node = node["additionalProperties"]
                else:
                    break
            if step is None:
                break
            node = node["properties"][step]
        if "enum" not in node:
            raise KeyError(f"{component}.{'.'.join(path)} documents no choices")
        return [v for v in node["enum"] if v is not None]


@dataclass
class Figures:
    """What a fuzzing run reached."""

    operations: set[str] = field(default_factory=set)
    states: set[tuple[str, str]] = field(default_factory=set)
    statuses: Counter = field(default_factory=Counter)
    requests: int = 0
    server_errors: int = 0
    off_schema: int = 0
    examples: int = 0
    seconds: float = 0.0
    findings: list[str] = field(default_factory=list)

    def reached(self, workflow: str, state: Any) -> None:
        """Record that `workflow` was seen in `state`."""
        if isinstance(state, str) and state:
            self.states.add((workflow, state))

    def lines(self, documented: list[str]) -> list[str]:
        """The figures as lines of text."""
        missing = sorted(set(documented) - self.operations)
        by_flow: dict[str, list[str]] = {}
        for flow, state in sorted(self.states):
            by_flow.setdefault(flow, []).append(state)
        lines = [
            f"examples (fresh organisations): {self.examples}; {self.seconds:.1f} s",
            f"requests: {self.requests}; operations called: {len(self.operations)} of {len(documented)}",
            f"5xx: {self.server_errors}; off-schema responses: {self.off_schema}",
            f"(workflow, state) pairs reached: {len(self.states)}",
            *(f"  {flow}: {', '.join(states)}" for flow, states in by_flow.items()),
            "statuses: " + ", ".join(f"{s}×{n}" for s, n in sorted(self.statuses.items())),
        ]
        if missing:
            lines.append("operations never called: " + ", ".join(missing))
        lines.extend(f"finding: {f}" for f in self.findings[:20])
        return lines


# The figures of this session's stateful run (printed by tests/fuzz/conftest.py at the end).
FIGURES = Figures()
