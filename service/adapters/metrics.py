"""Business counts behind a small port: one JSON line per invocation in Lambda, a counter in tests.

Use cases call `record(...)` (or `record_review_action(...)`) after their commit, and whichever sink the entrypoint
installed with `use(...)` receives it. The Lambda handlers install `LoggedCounts` and flush it after each
invocation; elsewhere nothing is recorded. The counts are log lines, not CloudWatch metrics (issue 24): no alarm
reads them, and a custom metric costs $0.30 a month each; CloudWatch Logs Insights sums them when asked
(infra/README.md).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Protocol

NAMESPACE = "ReviewCycles"
SELF_SUBMITTED = "SelfAssessmentsSubmitted"
MANAGER_SUBMITTED = "ManagerAssessmentsSubmitted"
REVIEWS_CREATED = "ReviewsCreated"
REMINDERS_SENT = "RemindersSent"
ESCALATIONS_SENT = "EscalationsSent"
REMINDER_SENDS_FAILED = "ReminderSendsFailed"
# Review actions worth counting (values of domain.reviews.ReviewAction), and the metric each adds to.
REVIEW_ACTION_METRICS = {"submit_self": SELF_SUBMITTED, "submit_manager": MANAGER_SUBMITTED}


class Metrics(Protocol):
    """Port: counts of things that happened."""

    def add(self, name: str, value: int = 1) -> None:
        """Count `value` more of `name`."""

    def flush(self) -> None:
        """Publish what was counted since the last flush."""


class NullMetrics:
    """Counts nothing (the local run, the CLI, tests that do not look)."""

    def add(self, name: str, value: int = 1) -> None:
        """Drop the count."""

    def flush(self) -> None:
        """Nothing to publish."""


@dataclass
class MemoryMetrics:
    """Keeps the counts in memory (tests)."""

    counts: Counter[str] = field(default_factory=Counter)
    flushes: int = 0

    def add(self, name: str, value: int = 1) -> None:
        """Count `value` more of `name` (zero counts are not kept, as they are not published)."""
        if value:
            self.counts[name] += value

    def flush(self) -> None:
        """Remember that the entrypoint published."""
        self.flushes += 1


class LoggedCounts:
    """Writes what was counted as one JSON line on stdout at each flush: `{"namespace": ..., "counts": {...}}`."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        self.namespace = namespace
        self._counts: Counter[str] = Counter()

    def add(self, name: str, value: int = 1) -> None:
        """Count `value` more of `name` (zero counts are not written)."""
        if value:
            self._counts[name] += value

    def flush(self) -> None:
        """Write the line of what was counted since the last flush; nothing at all when nothing was."""
        if self._counts:
            counts, self._counts = dict(self._counts), Counter()
            sys.stdout.write(json.dumps({"namespace": self.namespace, "counts": counts}) + "\n")


_sink: Metrics = NullMetrics()


def use(metrics: Metrics) -> Metrics:
    """Send what is recorded from now on to `metrics`; returns the sink it replaces."""
    global _sink
    previous, _sink = _sink, metrics
    return previous


def current() -> Metrics:
    """The sink recordings go to."""
    return _sink


def record(name: str, value: int = 1) -> None:
    """Count `value` more of `name` in the current sink."""
    _sink.add(name, value)


def record_review_action(action: str) -> None:
    """Count a committed review action that is a submission (self or manager); other actions are not counted."""
    name = REVIEW_ACTION_METRICS.get(action)
    if name is not None:
        _sink.add(name)
