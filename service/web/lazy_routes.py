"""Routes registered cheaply: a URL rule's builder is compiled the first time `url_for` needs it.

Werkzeug compiles two Python functions per rule (build with and without unknown arguments) when the rule is
added; for the app's ~175 rules that was most of `create_app` and so of a cold start, although one page builds
a handful of URLs. A rule without arguments (the navigation's links) needs no compiled function at all: its path
is a constant, and any value given goes to the query string as werkzeug's builder would put it. Matching is
untouched (the rule's parts are still parsed when added).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from werkzeug.routing import Rule

SAFE = "!$&'()*+,/:;=@"  # what werkzeug's builder leaves unquoted in a rule's constant parts


class LazyBuildRule(Rule):
    """A rule whose URL builders are compiled on first use, then kept on the rule."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        if not self.defaults and not any(dynamic for dynamic, _ in self._trace):
            return _constant_builder(self, append_unknown)
        name = "_build_unknown" if append_unknown else "_build"
        compile_now = super()._compile_builder

        def build_once(rule: LazyBuildRule, **values: Any) -> tuple[str, str]:
            builder = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, name, builder)  # later builds call werkzeug's own function directly
            return builder(**values)

        return build_once


def _constant_builder(rule: Rule, append_unknown: bool) -> Callable[..., tuple[str, str]]:
    """The builder of a rule without arguments: (domain part, path), any values given as its query string; the
    constant is made on first use, like a compiled builder."""
    made: list[tuple[str, str]] = []

    def build_constant(rule: Rule, **values: Any) -> tuple[str, str]:
        if not made:
            text = "".join(data if data == "|" else quote(data, safe=SAFE) for _, data in rule._trace)
            domain, _, path = text.partition("|")
            made.append((domain, path))
        domain, path = made[0]
        params = rule._encode_query_vars(values) if append_unknown and values else ""
        return domain, f"{path}?{params}" if params else path

    return build_constant
