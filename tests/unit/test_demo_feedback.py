"""The demo's feedback (issue 9): every request state, a group below the threshold, and a finalised review
whose score has all three parts."""

from __future__ import annotations

from service.adapters.clock import Clock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.services import cycles, feedback, reviews
from service.services.auth import Principal
from service.services.directory import get_person


def test_demo_has_feedback_in_every_state_and_a_finalised_score_with_three_parts():
    table = MemoryTable()
    load_demo(table)
    who = lambda e: Principal.of(get_person(UnitOfWork(table), e))  # noqa: E731
    active, _closed = cycles.list_cycles(UnitOfWork(table))
    states = {r.state.value for r in UnitOfWork(table).feedback.of_cycle(active.cycle_id)}
    assert states == {"nominated", "approved", "removed", "answered", "declined"}
    mei = reviews.open_review(UnitOfWork(table), who("E008"), active.cycle_id, "E008")
    assert mei.state == "finalised"
    assert all(p["used"] for p in mei.score["parts"]), mei.score
    now = Clock().now()  # the demo runs on the real clock: its feedback deadline is six days ahead
    groups = feedback.feedback_groups_for(UnitOfWork(table), who("E007"), active.cycle_id, "E009", now)
    assert groups[0]["released"] is False and groups[0]["answers"] is None, "2 answers, not released: nothing shows"
    mine = feedback.feedback_groups_for(UnitOfWork(table), who("E008"), active.cycle_id, "E008", now)[0]
    assert mine["shown"] and mine["answers"] == 3, "released when her manager submitted"
    upward = feedback.feedback_groups_for(UnitOfWork(table), who("E003"), active.cycle_id, "E007", now)[1]
    assert upward["released"] is False, "Lukas's manager has not submitted and the deadline is ahead"
    assert feedback.review_feedback(UnitOfWork(table), who("E008"), active.cycle_id, "E008", now).evidence
