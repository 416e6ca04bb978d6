"""The metrics port: use cases record through it, Lambda writes one line of counts, nothing when nothing counted."""

from __future__ import annotations

import json

import pytest

from service.adapters import metrics
from service.adapters.metrics import LoggedCounts, MemoryMetrics


@pytest.fixture
def sink():
    """A memory sink installed for the test, the previous one put back after."""
    memory = MemoryMetrics()
    previous = metrics.use(memory)
    yield memory
    metrics.use(previous)


def test_self_and_manager_submissions_are_counted_and_drafts_are_not(sink):
    for action in ("save_self", "submit_self", "save_manager", "submit_manager", "submit_self", "acknowledge"):
        metrics.record_review_action(action)
    assert sink.counts == {"SelfAssessmentsSubmitted": 2, "ManagerAssessmentsSubmitted": 1}


def test_lambda_writes_one_line_of_counts_per_flush_and_no_cloudwatch_metric(capsys):
    sink = LoggedCounts()
    sink.add("ReviewsCreated", 40)
    sink.add("ReviewsCreated", 2)
    sink.add("RemindersSent", 0)
    sink.flush()
    sink.flush()  # nothing new: nothing written

    (line,) = capsys.readouterr().out.splitlines()
    doc = json.loads(line)
    assert doc == {"namespace": "ReviewCycles", "counts": {"ReviewsCreated": 42}}
    assert "_aws" not in doc  # not an EMF document: CloudWatch makes no (billed) metric of it
