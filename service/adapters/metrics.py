"""Business metrics behind a small port: CloudWatch EMF through Powertools in Lambda, a counter in tests.

Use cases never import Powertools: they call `record(...)` (or `record_review_action(...)`) after their
commit, and whichever sink the entrypoint installed with `use(...)` receives it. The Lambda handlers
install `PowertoolsMetrics` and flush it after each invocation; elsewhere nothing is recorded.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any, Protocol

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


class PowertoolsMetrics:
    """CloudWatch metrics written as EMF lines on stdout by Powertools (imported when built, not at import)."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        from aws_lambda_powertools import Metrics as PowertoolsMetricsClass
        from aws_lambda_powertools.metrics import MetricUnit

        self._metrics: Any = PowertoolsMetricsClass(namespace=namespace)
        self._unit = MetricUnit.Count
        self._pending = False

    def add(self, name: str, value: int = 1) -> None:
        """Count `value` more of `name` (zero counts are not published)."""
        if value:
            self._metrics.add_metric(name=name, unit=self._unit, value=value)
            self._pending = True

    def flush(self) -> None:
        """Write one EMF document of what was counted; nothing at all when nothing was (Powertools would warn)."""
        if self._pending:
            self._pending = False
            self._metrics.flush_metrics()


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
