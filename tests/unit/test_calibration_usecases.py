"""Calibration use cases (issue 23) on the in-memory table: sessions, who sees what, adjustments, close, reopen.

The organisation: Ada (E1, leadership) manages Grace (E2, HR) and Alan (E3); Alan manages Katherine (E4) and Edsger
(E5); Grace manages Barbara (E6), who is HR too here (a second facilitator). The cycle's template calibrates.
"""

from __future__ import annotations

import pytest

from service.adapters import keys
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.decisions import rating_from_score
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.reviews import ReviewState
from service.services import calibration as cal
from service.services import decisions
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f

ORG = """employee_id,name,email,title,department,manager_id,roles
E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership
E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr
E3,Alan Turing,alan@example.com,Engineering Manager,Engineering,E1,
E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E3,
E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,
E6,Barbara Liskov,barbara@example.com,People Partner,People,E2,hr
"""
# The factory template rates delivery and collaboration on 4 points; the manager gave 4 and 3.
LOWER = {"competency_ratings": {"delivery": 2, "collaboration": 2}, "potential": None}


@pytest.fixture
def table(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG, clock)
    return table


@pytest.fixture
def cycle_id(table, clock) -> str:
    """A calibrating cycle; E4 and E5 have their manager assessments submitted (in calibration)."""
    c = f.launched_cycle(table, clock, template={"calibration": True}).cycle_id
    for person in ("E4", "E5"):
        submit(table, clock, c, person)
    return c


def submit(table, clock, c: str, person: str) -> None:
    v = UnitOfWork(table).reviews.get(c, person).version
    review_svc.save_self_assessment(UnitOfWork(table), who(table, person), c, person, f.self_content(), v, True, clock)
    mgr = who(table, "E3")
    review_svc.save_manager_assessment(UnitOfWork(table), mgr, c, person, f.manager_content(), v + 1, True, clock)


def who(table, person: str):
    return f.principal(table, person)


def new_session(table, clock, cycle_id, people=("E4", "E5"), by="E2", **extra):
    data = {"name": "Engineering", "group": "list", "employee_ids": list(people), **extra}
    return cal.create_session(UnitOfWork(table), who(table, by), cycle_id, data, clock)


def adjust(table, clock, session_id, person="E4", by="E2", version=0, reason="Ratings above the team's evidence"):
    return cal.adjust(UnitOfWork(table), who(table, by), session_id, person, LOWER, reason, version, clock)


def review(table, cycle_id, person="E4"):
    return UnitOfWork(table).reviews.get(cycle_id, person)


def test_hr_opens_a_session_with_the_managers_and_leadership_as_participants(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    assert s.state == "open" and s.people == ["E4", "E5"]
    assert s.facilitators == ["E2"] and s.participants == ["E1", "E3"]
    claims = UnitOfWork(table).calibration.claims(cycle_id, ["E4", "E5", "E3"])
    assert claims == {"E4": s.session_id, "E5": s.session_id}


def test_a_department_session_takes_the_cycle_participants_of_that_department(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id, group="department", department="engineering", employee_ids=[])
    assert s.people == ["E3", "E4", "E5"]


def test_a_person_in_an_open_session_cannot_join_another_and_the_second_session_is_not_kept(table, clock, cycle_id):
    first = new_session(table, clock, cycle_id, people=("E5",))
    with pytest.raises(Conflict) as refused:
        new_session(table, clock, cycle_id, people=("E4", "E5"))
    assert "Edsger Dijkstra (E5)" in str(refused.value.errors)
    assert [s.session_id for s in cal.sessions_of(UnitOfWork(table), who(table, "E2"), cycle_id)] == [first.session_id]
    # E4 was not left claimed by the refused session
    assert UnitOfWork(table).calibration.claims(cycle_id, ["E4", "E5"]) == {"E5": first.session_id}


def test_a_group_larger_than_a_transaction_is_claimed_in_chunks(table, clock, cycle_id, monkeypatch):
    monkeypatch.setattr(cal, "CLAIMS_PER_TRANSACTION", 1)
    s = new_session(table, clock, cycle_id)
    assert s.state == "open"
    assert UnitOfWork(table).calibration.get(s.session_id).version == 2  # created forming, then formed


def test_only_hr_creates_sessions(table, clock, cycle_id):
    with pytest.raises(PermissionDenied):
        new_session(table, clock, cycle_id, by="E3")


def test_participants_see_only_the_people_of_their_session_and_others_see_nothing(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    rows = cal.session_view(UnitOfWork(table), who(table, "E3"), s.session_id).rows
    assert sorted(r.employee_id for r in rows) == ["E4", "E5"]
    with pytest.raises(NotFound):
        cal.session_view(UnitOfWork(table), who(table, "E4"), s.session_id)
    assert cal.sessions_of(UnitOfWork(table), who(table, "E4"), cycle_id) == []
    assert cal.sessions_of(UnitOfWork(table), who(table, "E3"), cycle_id) == [s]


def test_an_adjustment_needs_a_reason_and_a_rating_on_the_scale(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    with pytest.raises(ValidationFailed) as refused:
        cal.adjust(
            UnitOfWork(table),
            who(table, "E2"),
            s.session_id,
            "E4",
            {"competency_ratings": {"delivery": 9, "collaboration": 2}},
            " ",
            0,
            clock,
        )
    assert set(refused.value.errors) == {"reason", "competency_ratings.delivery"}
    assert UnitOfWork(table).calibration.adjustment(s.session_id, "E4") is None


def test_an_adjustment_keeps_the_original_beside_the_calibrated_value_and_leaves_the_review_alone(
    table, clock, cycle_id
):
    s = new_session(table, clock, cycle_id)
    before = review(table, cycle_id)
    row = adjust(table, clock, s.session_id)
    assert row.calibrated == LOWER and row.proposed["competency_ratings"] == {"delivery": 4, "collaboration": 3}
    assert row.reason == "Ratings above the team's evidence" and row.adjusted_by == "E2" and row.version == 1
    stored = UnitOfWork(table).calibration.adjustment(s.session_id, "E4")
    assert stored.original["competency_ratings"] == {"delivery": 4, "collaboration": 3}
    assert review(table, cycle_id) == before  # the review (and the employee's ETag) does not move


def test_the_second_of_two_facilitators_editing_the_same_person_is_refused_as_stale(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id, facilitators=["E6"])
    adjust(table, clock, s.session_id, by="E2", reason="first")
    with pytest.raises(StaleWrite):
        adjust(table, clock, s.session_id, by="E6", version=0, reason="second")
    assert UnitOfWork(table).calibration.adjustment(s.session_id, "E4").reason == "first"
    adjust(table, clock, s.session_id, by="E6", version=1, reason="second, having read the first")
    assert UnitOfWork(table).calibration.adjustment(s.session_id, "E4").reason == "second, having read the first"


def test_the_manager_sees_the_original_and_why_for_their_people_leadership_too_other_hr_need_be_facilitators(
    table, clock, cycle_id
):
    s = new_session(table, clock, cycle_id)
    adjust(table, clock, s.session_id)
    for reader in ("E3", "E1"):
        (row,) = [
            r
            for r in cal.session_view(UnitOfWork(table), who(table, reader), s.session_id).rows
            if r.employee_id == "E4"
        ]
        assert row.original is not None and row.reason
    with pytest.raises(PermissionDenied):
        adjust(table, clock, s.session_id, by="E6", version=1)  # HR, but not a facilitator of this session


def test_closing_calibrates_rescores_and_moves_the_reviews_on_to_the_discussion(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    proposed_score = review(table, cycle_id).score["value"]
    adjust(table, clock, s.session_id)
    cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    r = review(table, cycle_id)
    assert r.state is ReviewState.MANAGER_SUBMITTED
    assert {k: v["rating"] for k, v in r.manager_assessment["competency_ratings"].items()} == {
        "delivery": 2,
        "collaboration": 2,
    }
    assert r.manager_assessment["competency_ratings"]["delivery"]["comment"] == "Excellent"  # comments kept
    assert r.score["value"] < proposed_score
    competencies = next(p for p in r.score["parts"] if p["name"] == "competencies")
    assert round(competencies["value"], 1) == 33.3  # 2 of 4 on both: (2 − 1) / 3 × 100
    assert r.calibration["original"]["competency_ratings"] == {"delivery": 4, "collaboration": 3}
    assert review(table, cycle_id, "E5").state is ReviewState.MANAGER_SUBMITTED  # unadjusted, moved on as proposed
    assert UnitOfWork(table).calibration.claims(cycle_id, ["E4", "E5"]) == {}
    (row,) = [
        r for r in cal.session_view(UnitOfWork(table), who(table, "E2"), s.session_id).rows if r.employee_id == "E4"
    ]
    assert row.proposed_score == proposed_score and row.score == r.score["value"]  # before → after, once closed
    with pytest.raises(Conflict):  # the ratings are locked
        adjust(table, clock, s.session_id, version=1)


def test_after_closing_the_manager_can_no_longer_withdraw_the_calibrated_assessment(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    adjust(table, clock, s.session_id)
    cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    for person in ("E4", "E5"):  # adjusted or moved on as proposed: the session's rating either way
        before = review(table, cycle_id, person)
        with pytest.raises(Conflict, match="calibrated"):
            review_svc.withdraw_submission(
                UnitOfWork(table), who(table, "E3"), cycle_id, person, before.version, clock, part="manager"
            )
        after = review(table, cycle_id, person)
        assert after.state is ReviewState.MANAGER_SUBMITTED and after.version == before.version


def test_after_closing_the_employee_sees_the_calibrated_ratings_never_the_original_or_the_reason(
    table, clock, cycle_id
):
    s = new_session(table, clock, cycle_id)
    adjust(table, clock, s.session_id)
    cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    mine = review_svc.open_review(UnitOfWork(table), who(table, "E4"), cycle_id, "E4")
    assert mine.calibration is None and mine.provisional is False
    assert mine.manager_assessment["competency_ratings"]["delivery"]["rating"] == 2
    assert "Ratings above" not in str(mine)
    theirs = review_svc.open_review(UnitOfWork(table), who(table, "E3"), cycle_id, "E4")
    assert theirs.calibration["reason"] == "Ratings above the team's evidence"


def test_the_audit_trail_keeps_the_original_and_the_calibrated_ratings(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    adjust(table, clock, s.session_id)
    cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    records = UnitOfWork(table).audit.of_entity(keys.entity_calibration_adjustment(s.session_id, "E4"))
    assert records[0]["reason"] == "Ratings above the team's evidence"
    trail = review_svc.review_audit(UnitOfWork(table), who(table, "E2"), cycle_id, "E4")
    calibrate = next(r for r in trail if r["action"] == "calibrate")
    changed = {c["field"]: (c["from"], c["to"]) for c in calibrate["changes"]}
    assert changed["manager_assessment.competency_ratings.delivery.rating"] == (4, 2)


def test_a_session_cannot_close_while_a_manager_assessment_is_missing(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id, group="department", department="Engineering", employee_ids=[])
    with pytest.raises(Conflict) as refused:
        cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    assert "Alan Turing (E3)" in str(refused.value.errors)
    assert UnitOfWork(table).calibration.get(s.session_id).state == "open"
    assert review(table, cycle_id).state is ReviewState.IN_CALIBRATION


def test_reopening_needs_hr_and_a_reason_and_puts_the_reviews_back_into_calibration(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    closed = cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    with pytest.raises(ValidationFailed):
        cal.reopen_session(UnitOfWork(table), who(table, "E2"), s.session_id, "", closed.version, clock)
    with pytest.raises(PermissionDenied):
        cal.reopen_session(UnitOfWork(table), who(table, "E3"), s.session_id, "why", closed.version, clock)
    reopened = cal.reopen_session(
        UnitOfWork(table), who(table, "E2"), s.session_id, "New evidence", closed.version, clock
    )
    assert reopened.state == "open" and reopened.reopen_reason == "New evidence"
    assert review(table, cycle_id).state is ReviewState.IN_CALIBRATION
    assert UnitOfWork(table).calibration.claims(cycle_id, ["E4"]) == {"E4": s.session_id}


def test_no_email_carries_a_rating_in_calibration_nor_asks_for_its_discussion(table, clock, cycle_id):
    from datetime import UTC, datetime

    from service.adapters.mailer import MemoryMailer
    from service.services.reminders import send_reminders

    mailer = MemoryMailer()
    clock.at = datetime(2026, 4, 20, 8, tzinfo=UTC)  # every deadline passed, the discussion's too
    send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    assert mailer.sent, "the people who have not started are reminded"
    recipients = {m.to[0] for m in mailer.sent}
    assert "katherine@example.com" not in recipients and "edsger@example.com" not in recipients
    texts = " ".join(m.subject + m.text for m in mailer.sent)
    assert "A strong year." not in texts and "of 100" not in texts and "Excellent" not in texts
    assert "Katherine" not in texts and "Edsger" not in texts  # nobody is asked to discuss a rating in calibration


def test_a_session_whose_review_was_discussed_cannot_reopen(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    closed = cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    v = review(table, cycle_id).version
    review_svc.save_discussion(
        UnitOfWork(table), who(table, "E3"), cycle_id, "E4", f.discussion_content(), v, True, clock
    )
    with pytest.raises(Conflict) as refused:
        cal.reopen_session(UnitOfWork(table), who(table, "E2"), s.session_id, "why", closed.version, clock)
    assert "Katherine Johnson (E4) is discussed" in str(refused.value.errors)
    assert UnitOfWork(table).calibration.get(s.session_id).state == "closed"
    assert review(table, cycle_id, "E5").state is ReviewState.MANAGER_SUBMITTED


def test_a_clash_in_a_later_chunk_cancels_the_session_and_releases_what_it_claimed(table, clock, cycle_id, monkeypatch):
    held = new_session(table, clock, cycle_id, people=("E5",))
    monkeypatch.setattr(cal, "CLAIMS_PER_TRANSACTION", 1)
    with pytest.raises(Conflict):
        new_session(table, clock, cycle_id, people=("E4", "E5"))
    assert UnitOfWork(table).calibration.claims(cycle_id, ["E4", "E5"]) == {"E5": held.session_id}
    states = [s.state.value for s in UnitOfWork(table).calibration.of_cycle(cycle_id)]
    assert sorted(states) == ["cancelled", "open"]
    assert [s.session_id for s in cal.sessions_of(UnitOfWork(table), who(table, "E2"), cycle_id)] == [held.session_id]


# --- issue 23 meets issue 27: decisions weigh the calibrated rating, never a provisional one ------------------


def evidence(table, person="E4"):
    (rated,) = decisions.person_evidence(UnitOfWork(table), UnitOfWork(table).directory.get(person)).rated
    return rated


def scale(table, cycle_id):
    return list(UnitOfWork(table).cycles.get(cycle_id).template_snapshot["scale"])


def test_a_rating_waiting_in_calibration_is_no_evidence(table, clock, cycle_id):
    person = UnitOfWork(table).directory.get("E4")
    waiting = review(table, cycle_id)
    assert waiting.score["value"] is not None  # provisional: scored, and still no rating to weigh
    assert decisions.review_rating(waiting, UnitOfWork(table).cycles.get(cycle_id)) is None
    assert decisions.person_evidence(UnitOfWork(table), person).rated == []


def test_the_evidence_is_the_calibrated_rating_once_the_session_closes(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    proposed = rating_from_score(review(table, cycle_id).score["value"], scale(table, cycle_id))
    lowered = {"competency_ratings": {"delivery": 1, "collaboration": 2}, "potential": None}  # from 4 and 3
    cal.adjust(UnitOfWork(table), who(table, "E2"), s.session_id, "E4", lowered, "Missed two releases", 0, clock)
    cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    calibrated = review(table, cycle_id)
    rated = evidence(table)
    assert rated.score == calibrated.score["value"] < calibrated.calibration["original_score"]
    assert rated.rating == rating_from_score(calibrated.score["value"], scale(table, cycle_id)).value < proposed.value
    assert rated.gaps == ("Delivery",)  # the calibrated competency rating below "Meets", not the proposed 4


def test_a_reopened_session_takes_the_rating_out_of_the_evidence_again(table, clock, cycle_id):
    s = new_session(table, clock, cycle_id)
    adjust(table, clock, s.session_id)
    closed = cal.close_session(UnitOfWork(table), who(table, "E2"), s.session_id, s.version, clock)
    assert evidence(table).rating is not None
    cal.reopen_session(UnitOfWork(table), who(table, "E2"), s.session_id, "One more look", closed.version, clock)
    person = UnitOfWork(table).directory.get("E4")
    assert decisions.person_evidence(UnitOfWork(table), person).rated == []
