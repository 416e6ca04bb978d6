"""The demo story: every review state, a closed cycle with history, and a real goal tree."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.audit import verify_chain
from service.services import calibration, cycles, goals, reviews
from service.services.auth import Principal
from service.services.directory import get_person


def test_demo_shows_every_state_history_and_goals():
    table = MemoryTable()
    load_demo(table)
    who = lambda e: Principal.of(get_person(UnitOfWork(table), e))  # noqa: E731
    active, closed = cycles.list_cycles(UnitOfWork(table))
    assert (active.state, closed.state) == ("active", "closed")
    progress = cycles.cycle_progress(UnitOfWork(table), who("E005"), active.cycle_id, date.today())
    assert all(n > 0 for n in progress.by_state.values()), progress.by_state
    assert progress.overdue["self_assessment"] == progress.by_state["not_started"]
    history = reviews.history(UnitOfWork(table), who("E008"), "E008")
    assert len(history.reviews) == 2 and all(r.score for r in history.reviews)
    report = asdict(goals.alignment_report(UnitOfWork(table), who("E001"), active.cycle_id))
    assert {g["title"] for g in report["organisation_goals"]} >= {"Platform v2 live with 99.9% uptime"}
    assert all(g["aligned_goals"] > 0 for g in report["organisation_goals"])
    assert report["orphans"]["count"] == 2 and report["at_risk"]["count"] == 3
    mine = goals.person_goals(UnitOfWork(table), "E009", active.cycle_id)
    assert mine[0].alignment_chain[-1].level == "organisation"
    carried = reviews.open_review(UnitOfWork(table), who("E008"), active.cycle_id, "E008").carried_actions
    assert {a.kind for a in carried} == {"remediation", "agreed"}  # open actions of last year carry over
    audit = reviews.review_audit(UnitOfWork(table), who("E005"), active.cycle_id, "E012")
    assert [r["action"] for r in audit][-1] == "acknowledge" and verify_chain(audit) == []


def test_the_demos_lower_is_better_goals_decrease_and_say_so():
    table = MemoryTable()
    load_demo(table)
    active = cycles.list_cycles(UnitOfWork(table))[0]
    for owner, words in (
        ("E009", "300 ms now, target 200 ms or less, from 450 ms: 60% of the way"),
        ("E017", "22 minutes now, target 10 minutes or less, from 40 minutes: 60% of the way"),
    ):
        (kr,) = [
            k for g in goals.person_goals(UnitOfWork(table), owner, active.cycle_id) for k in g.key_results if k.unit
        ]
        assert (kr.direction, kr.words) == ("decrease", words)


def test_the_demo_has_a_closed_calibration_last_year_and_an_open_one_this_year():
    table = MemoryTable()
    load_demo(table)
    hr = Principal.of(get_person(UnitOfWork(table), "E005"))
    active, closed = cycles.list_cycles(UnitOfWork(table))
    (last_year,) = calibration.sessions_of(UnitOfWork(table), hr, closed.cycle_id)
    view = calibration.session_view(UnitOfWork(table), hr, last_year.session_id)
    assert view.session.state == "closed"
    moved = {c.group: (c.changed, c.up, c.down) for c in view.changes}
    assert moved["All"] == (2, 1, 1)  # one rating raised, one lowered
    kept = reviews.open_review(UnitOfWork(table), hr, closed.cycle_id, "E010").calibration
    assert (
        kept["original"]["competency_ratings"]["growth"] == 4
        and kept["calibrated"]["competency_ratings"]["growth"] == 3
    )
    sessions = {s.name: s for s in calibration.sessions_of(UnitOfWork(table), hr, active.cycle_id)}
    assert {n: s.state for n, s in sessions.items()} == {"Reviews ahead of the cycle": "closed", "Design team": "open"}
    design = calibration.session_view(UnitOfWork(table), hr, sessions["Design team"].session_id)
    assert {r.employee_id: r.state for r in design.rows} == {"E020": "in_calibration", "E021": "in_calibration"}
    assert design.may_close and sum(n for row in design.grid for _, n in row) == 2
