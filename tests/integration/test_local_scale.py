"""The whole journey of a review cycle through the real local run, from outside, at a small scale: the
organisation imported in one CLI run, every review taken to finalised through the API by concurrent
clients, the audit chain intact, and all of it still there after a stop and a restart.

`python benchmarks/load_journey.py` runs the same at 1,000 people and reports times and memory.
"""

from __future__ import annotations

from benchmarks.load_journey import journey_with_restart

PEOPLE = 20


def test_a_whole_cycle_for_an_imported_organisation_runs_through_the_api_and_survives_a_restart(tmp_path):
    facts = journey_with_restart(tmp_path, PEOPLE, workers=4, draft_saves=4)

    assert facts["problems"] == []
    assert facts["import_summary"]["created"] == PEOPLE
    assert facts["errors"] == 0
    assert facts["finalised"] == PEOPLE
    assert facts["audit_verified"] is True
    assert facts["stop_exit_code"] == 0
    assert facts["finalised_after_restart"] == PEOPLE
