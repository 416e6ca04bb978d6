"""The metrics port: use cases record through it, Powertools writes EMF, nothing is published when nothing counted."""

from __future__ import annotations

import json

import pytest

from service.adapters import metrics
from service.adapters.metrics import MemoryMetrics, PowertoolsMetrics


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


def test_powertools_writes_one_emf_document_per_flush(capsys):
    sink = PowertoolsMetrics()
    sink.add("ReviewsCreated", 40)
    sink.add("ReviewsCreated", 2)
    sink.add("RemindersSent", 0)
    sink.flush()
    sink.flush()  # nothing new: nothing written (Powertools would warn about an empty flush)

    (line,) = capsys.readouterr().out.splitlines()
    doc = json.loads(line)
    (directive,) = doc["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ReviewCycles"
    assert directive["Metrics"] == [{"Name": "ReviewsCreated", "Unit": "Count"}]
    assert doc["ReviewsCreated"] == [40.0, 2.0]
