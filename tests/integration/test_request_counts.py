"""The DynamoDB requests of each measured page read and write stay as pinned: more is a regression.

The counts come from the same measurement as `python benchmarks/run.py requests` (benchmarks/request_counts.py:
moto, botocore events, one HTTP request through the Flask test client each). When a change makes an operation
cheaper, lower its pin here and re-run the benchmark, so the table and the pins tell the same story. A Scan
fails the measurement itself.
"""

from __future__ import annotations

import pytest

from benchmarks.request_counts import TARGETS, Measured, measure_requests

# (GetItem, BatchGetItem, Query, TransactWriteItems) of one HTTP request, measured with 3 goals on the
# reviews that have them (two aligned to a team goal aligned to an organisation goal).
PINNED: dict[str, tuple[int, int, int, int]] = {
    # Issue 9: the page shows the peer and upward feedback groups: one Query of the review's answer partition
    # (both groups at once); the cycle's feedback settings ride in the first batch read, so no GetItem.
    # Issue 25: the page says what waits for the manager's decision: one Query of the person's feedback requests
    # (peer nominations to approve); the close mark is read only when some wait.
    "open a review: page (manager)": (0, 2, 1, 0),
    "open a review: JSON GET (manager)": (0, 2, 1, 0),
    # Issue 25: each report's peer nominations waiting for approval, while they can still be decided (before the
    # nomination deadline, feedback open): one batch read of the reports' close marks and waiting counts (kept by
    # every nomination change in its transaction); the reports' Query is read once per request.
    "team overview, 12 reports: page": (0, 2, 1, 0),
    "team overview, 12 reports: JSON": (0, 2, 1, 0),
    # The batch read of the cycle + counters + HR; the Query is the cycle's reviews (one page here; one more per
    # 1 MB on a large cycle): it names the picker, flags disagreements and lists who to finalise or remind.
    # It replaced the directory read the picker made before, so the count stayed.
    # Issue 9: the dashboard shows feedback response rates and who has not answered: one Query of the cycle's
    # requests (gsi2); the feedback settings ride in the first batch read.
    "HR cycle dashboard: page": (0, 1, 2, 0),
    # Issue 11: the signed-in reader (GetItem), the launched cycles (Query), their counters for the department
    # choice (one batch read, not the directory, whatever the organisation's size) and the newest exports (Query).
    "HR exports page": (1, 0, 2, 0),
    "save self draft: JSON PUT": (0, 1, 0, 1),
    "save self draft: form POST": (0, 1, 0, 1),
    # Issue 10: a submission also reads the person's training contribution (GetItem: their needs and figures
    # as stored) and the topic catalogue (Query), to write the needs and move the aggregates in its transaction.
    # Issue 9: the manager's score has a feedback part: one Query of the answer partition (settings are in the
    # first batch).
    "submit self assessment: JSON PUT": (0, 1, 0, 1),
    "submit manager assessment: JSON PUT": (0, 1, 0, 1),
}


@pytest.fixture(scope="module")
def measured() -> dict[str, Measured]:
    """Every operation measured once for the module (a few seconds on moto)."""
    return {m.operation: m for m in measure_requests()}


def test_every_pinned_operation_is_measured(measured):
    assert list(measured) == list(PINNED)


@pytest.mark.parametrize("operation", list(PINNED))
def test_requests_stay_as_pinned(measured, operation):
    m = measured[operation]
    counts = tuple(m.by_kind().values())
    trace = "\n  ".join(m.trace)
    assert counts == PINNED[operation], (
        f"{operation}: {m.by_kind()} (pinned {PINNED[operation]}); fewer is progress: lower the pin.\n  {trace}"
    )


def test_writes_commit_in_one_transaction(measured):
    writes = [m for m in measured.values() if m.kind == "write"]
    assert writes and all(m.calls.get("TransactWriteItems") == 1 for m in writes)
    assert all(m.target == TARGETS["write"] for m in writes)


def test_reads_write_nothing(measured):
    reads = [m for m in measured.values() if m.kind == "read"]
    assert reads and not any(m.calls.get("TransactWriteItems") for m in reads)
