"""Routes registered cheaply: a URL rule's builder is compiled the first time `url_for` needs it.

Werkzeug compiles two Python functions per rule (build with and without unknown arguments) when the rule is
added; for the app's ~175 rules that was most of `create_app` and so of a cold start, although one page builds
a handful of URLs. Matching is untouched (the rule's parts are still parsed when added).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from werkzeug.routing import Rule


class LazyBuildRule(Rule):
    """A rule whose URL builders are compiled on first use, then kept on the rule."""

    def _compile_builder(self, append_unknown: bool = True) -> Callable[..., tuple[str, str]]:
        name = "_build_unknown" if append_unknown else "_build"
        compile_now = super()._compile_builder

        def build_once(rule: LazyBuildRule, **values: Any) -> tuple[str, str]:
            builder = compile_now(append_unknown).__get__(rule, None)
            setattr(rule, name, builder)  # later builds call werkzeug's own function directly
            return builder(**values)

        return build_once
