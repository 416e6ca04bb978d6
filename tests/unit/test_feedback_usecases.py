"""Feedback use cases on the in-memory fakes: nominations, approval, answers, declines, groups, upward, notes.

The organisation: Ada (F1) leads; Grace (F2) is HR; Alan (F3) manages Katherine (F4), the person reviewed, and
her peers F5, F7, F8, F9; Barbara (F6) reports to Grace; Linus (F10) is in Sales under Ada.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.adapters.clock import FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import Delete, MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.feedback import FeedbackKind, RequestState
from service.services import directory as directory_svc
from service.services import (
    feedback,
    feedback_answers,
    feedback_nominations,
    feedback_notes,
    feedback_settings,
    feedback_tracking,
)
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f

ORG = """employee_id,name,email,title,department,manager_id,roles
F1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership
F2,Grace Hopper,grace@example.com,Head of People,People,F1,hr
F3,Alan Turing,alan@example.com,Engineering Manager,Engineering,F1,
F4,Katherine Johnson,katherine@example.com,Engineer,Engineering,F3,
F5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,F3,
F6,Barbara Liskov,barbara@example.com,People Partner,People,F2,
F7,Margaret Hamilton,margaret@example.com,Engineer,Engineering,F3,
F8,Donald Knuth,donald@example.com,Engineer,Engineering,F3,
F9,Frances Allen,frances@example.com,Engineer,Engineering,F3,
F10,Linus Torvalds,linus@example.com,Account Executive,Sales,F1,
"""
PEERS = ["F5", "F7", "F8", "F9", "F10"]
# The factory cycle's feedback deadline is 2026-03-20: answers close at midnight UTC, the groups are read from 00:15.
RELEASED = datetime(2026, 3, 21, 0, 15, tzinfo=UTC)
TEMPLATE = f.template_data(
    questions={
        "self": [{"id": "proud", "text": "What are you proud of?", "required": True}],
        "manager": [],
        "peer": [{"id": "strength", "text": "What does this person do especially well?", "required": True}],
        "upward": [{"id": "support", "text": "How could your manager support you better?", "required": False}],
    }
)


@pytest.fixture
def uow(clock) -> UnitOfWork:
    uow = UnitOfWork(MemoryTable())
    import_organisation(uow, None, ORG, clock)
    return uow


@pytest.fixture
def cycle(uow, clock):
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc

    hr = f.principal(uow.table, "F2")
    template = template_svc.create_template(UnitOfWork(uow.table), hr, TEMPLATE, clock)
    c = cycle_svc.create_cycle(UnitOfWork(uow.table), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(UnitOfWork(uow.table), hr, c.cycle_id, c.version, clock, f.inline_queue(uow.table, clock))
    return cycle_svc.get_cycle(UnitOfWork(uow.table), c.cycle_id)


def who(uow, employee_id):
    return f.principal(uow.table, employee_id)


def fresh(uow) -> UnitOfWork:
    return UnitOfWork(uow.table)


def asked(uow, cycle, clock, reviewers=PEERS, mailer=None) -> None:
    """F4 nominates `reviewers`, Alan approves them all."""
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", list(reviewers), clock)
    feedback_nominations.decide_nominations(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", list(reviewers), [], [], clock, mailer
    )


def answer(uow, cycle, clock, reviewer, rating=3, text=None):
    content = {"ratings": {"delivery": rating, "collaboration": 4}, "answers": {"strength": text or f"Kind {reviewer}"}}
    return feedback_answers.submit_answer(fresh(uow), who(uow, reviewer), cycle.cycle_id, "F4", content, clock)


def state_of(uow, cycle, reviewer):
    return fresh(uow).feedback.request(cycle.cycle_id, "F4", reviewer).state


# --- nominations -------------------------------------------------------------------------------------------


def test_nominations_within_min_and_max_are_stored_as_nominated(uow, cycle, clock):
    view = feedback_nominations.nominate_peers(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock
    )
    assert [p.state for p in view.peers] == ["nominated"] * 3
    assert state_of(uow, cycle, "F7") is RequestState.NOMINATED


@pytest.mark.parametrize(
    "nominees, field_text",
    [
        (["F5", "F7"], "name 3 to 8 peers"),
        (["F4", "F5", "F7"], "themselves"),
        (["F3", "F5", "F7"], "your manager"),
        (["F5", "F7", "nobody"], "not an active colleague"),
        (["F5", "F5", "F7", "F8"], "each person once"),
    ],
)
def test_bad_nominations_are_refused_and_nothing_is_written(uow, cycle, clock, nominees, field_text):
    u = fresh(uow)
    with pytest.raises(ValidationFailed) as caught:
        feedback_nominations.nominate_peers(u, who(uow, "F4"), cycle.cycle_id, "F4", nominees, clock)
    assert field_text in json.dumps(caught.value.errors)
    assert u.transactions == 0 and fresh(uow).feedback.about(cycle.cycle_id, "F4") == []


def test_only_the_employee_or_hr_nominates(uow, cycle, clock):
    with pytest.raises(PermissionDenied):
        feedback_nominations.nominate_peers(fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", ["F7", "F8", "F9"], clock)


def test_manager_approves_and_each_newly_asked_reviewer_gets_an_email_with_a_link(uow, cycle, clock):
    mailer = MemoryMailer()
    asked(uow, cycle, clock, ["F5", "F7", "F8"], mailer)
    assert state_of(uow, cycle, "F5") is RequestState.APPROVED
    assert sorted(m.to[0] for m in mailer.sent) == ["donald@example.com", "edsger@example.com", "margaret@example.com"]
    assert f"/feedback/{cycle.cycle_id}/F4" in mailer.sent[0].text


def test_manager_removes_and_adds_within_the_maximum(uow, cycle, clock):
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock)
    view = feedback_nominations.decide_nominations(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", ["F5"], ["F7"], ["F10"], clock
    )
    assert {p.reviewer_id: p.state for p in view.peers} == {
        "F5": "asked",
        "F7": "removed",
        "F8": "nominated",
        "F10": "asked",
    }


def test_a_colleague_who_is_not_the_manager_cannot_decide(uow, cycle, clock):
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock)
    with pytest.raises(PermissionDenied):
        feedback_nominations.decide_nominations(fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", ["F7"], [], [], clock)


def test_after_the_deadline_the_manager_is_refused_and_hr_may_still_adjust(uow, cycle, clock):
    rules = {"min_peers": 3, "max_peers": 8, "threshold": 3, "upward": True, "nomination_deadline": date(2026, 3, 5)}
    feedback_settings.save_settings(fresh(uow), who(uow, "F2"), cycle.cycle_id, rules, 0, clock)
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock)
    late = type(clock)(clock.now() + timedelta(days=10))  # nominations closed, the feedback still open
    with pytest.raises(Conflict):
        feedback_nominations.decide_nominations(fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", ["F5"], [], [], late)
    feedback_nominations.decide_nominations(fresh(uow), who(uow, "F2"), cycle.cycle_id, "F4", ["F5"], [], [], late)
    assert state_of(uow, cycle, "F5") is RequestState.APPROVED


def test_once_the_feedback_is_closed_even_hr_adds_nobody(uow, cycle, clock):
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock)
    with pytest.raises(Conflict):
        feedback_nominations.decide_nominations(
            fresh(uow), who(uow, "F2"), cycle.cycle_id, "F4", ["F5"], [], [], FixedClock(RELEASED)
        )
    assert state_of(uow, cycle, "F5") is RequestState.NOMINATED


# --- answering ---------------------------------------------------------------------------------------------


def test_a_draft_is_read_back_only_by_its_author(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    content = {"ratings": {"delivery": 2}, "answers": {"strength": "Half a thought"}}
    saved = feedback_answers.save_draft(fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", content, 0, clock)
    assert feedback_answers.open_request(fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", clock.now()).draft == content
    assert feedback_answers.open_request(fresh(uow), who(uow, "F7"), cycle.cycle_id, "F4", clock.now()).draft == {}
    with pytest.raises(StaleWrite):
        feedback_answers.save_draft(fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", content, saved.version - 1, clock)
    dump = json.dumps(asdict(feedback.review_feedback(fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", RELEASED)))
    assert "Half a thought" not in dump


def test_submitting_stores_an_answer_that_names_nobody_and_flips_the_request(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    feedback_answers.save_draft(
        fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", {"ratings": {}, "answers": {}}, 0, clock
    )
    answer(uow, cycle, clock, "F5", text="Writes wonderful docs")
    assert state_of(uow, cycle, "F5") is RequestState.ANSWERED
    items = uow.table.all_items()
    assert not [i for i in items if i["pk"].startswith("FBDRAFT#")], "the draft goes with the submission"
    answers = [i for i in items if i["pk"].startswith("FBGROUP#") and i["type"] == "feedback_answer"]
    assert len(answers) == 1 and "Writes wonderful docs" in json.dumps(answers[0])
    for leak in ("F5", "Edsger", "edsger@example.com", "2026-"):
        assert leak not in json.dumps(answers[0]), leak
    # The audit records (HR reads them) say "answered" and hold no content.
    audits = [i for i in items if i["pk"].startswith("AUDIT#FBREQ#")]
    assert audits and "Writes wonderful docs" not in json.dumps(audits)
    assert any(a["action"] == "answer" and a["actor"] == "F5" for a in audits)


def test_only_the_addressee_answers_and_nobody_answers_about_themselves(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    with pytest.raises(NotFound):
        answer(uow, cycle, clock, "F9")
    with pytest.raises(PermissionDenied):
        feedback_answers.submit_answer(
            fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", {"ratings": {"delivery": 3}}, clock
        )


def test_a_nominated_but_not_approved_reviewer_cannot_answer(uow, cycle, clock):
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock)
    with pytest.raises(NotFound):
        answer(uow, cycle, clock, "F5")


def test_an_answer_is_complete_before_it_is_submitted(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    with pytest.raises(ValidationFailed) as caught:
        feedback_answers.submit_answer(
            fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", {"ratings": {"delivery": 9}}, clock
        )
    assert "ratings.delivery" in caught.value.errors and "answers.strength" in caught.value.errors
    assert state_of(uow, cycle, "F5") is RequestState.APPROVED


def test_answering_twice_is_refused(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    answer(uow, cycle, clock, "F5")
    with pytest.raises(Conflict):
        answer(uow, cycle, clock, "F5")
    assert len([i for i in uow.table.all_items() if i.get("type") == "feedback_answer"]) == 1


def test_declining_keeps_the_reason_for_hr_and_a_count_for_the_reviewee(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    feedback_answers.decline(fresh(uow), who(uow, "F7"), cycle.cycle_id, "F4", "On leave", clock)
    assert state_of(uow, cycle, "F7") is RequestState.DECLINED
    mine = feedback_nominations.nominations(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", clock.now())
    assert mine.counts["peer"] == {"asked": 3, "answered": None, "declined": None, "waiting": None}
    after = feedback_nominations.nominations(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", RELEASED)
    assert after.counts["peer"] == {"asked": 3, "answered": 0, "declined": 1, "waiting": 2}
    assert "On leave" not in json.dumps(asdict(mine)) + json.dumps(asdict(after))
    hr = feedback_nominations.nominations(fresh(uow), who(uow, "F2"), cycle.cycle_id, "F4", clock.now())
    assert {p.reviewer_id: p.decline_reason for p in hr.peers}["F7"] == "On leave"


def test_a_reviewer_who_left_stays_counted_whether_they_answered_or_not(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    answer(uow, cycle, clock, "F5")
    before = feedback_nominations.nominations(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", RELEASED)
    for gone in ("F5", "F8"):  # one who answered, one who did not: dropping only one kind would tell which
        line = next(row for row in ORG.splitlines() if row.startswith(gone + ","))
        directory_svc.import_organisation(fresh(uow), who(uow, "F2"), ORG.replace(line + "\n", ""), clock)
        after = feedback_nominations.nominations(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", RELEASED)
        assert after.counts == before.counts and len(after.peers) == 3


# --- groups ------------------------------------------------------------------------------------------------


def test_a_group_below_three_answers_shows_only_its_count(uow, cycle, clock):
    asked(uow, cycle, clock)
    for r in ("F5", "F7"):
        answer(uow, cycle, clock, r)
    peer = feedback.feedback_groups_for(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", RELEASED)[0]
    assert peer == {
        "kind": "peer",
        "released": True,
        "answers": 2,
        "threshold": 3,
        "shown": False,
        "comments_shown": True,
    }


def test_a_group_of_three_shows_averages_distributions_and_comments_in_no_submission_order(uow, cycle, clock):
    asked(uow, cycle, clock)
    for r, rating, text in (("F9", 4, "zebra-like focus"), ("F5", 2, "Always helpful"), ("F7", 3, "maps the system")):
        answer(uow, cycle, clock, r, rating, text)
    early = feedback.feedback_groups_for(fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", clock.now())[0]
    assert early == {
        "kind": "peer",
        "released": False,
        "answers": None,
        "threshold": 3,
        "shown": False,
        "comments_shown": True,
    }, "nothing before the release, not even the count"
    peer = feedback.feedback_groups_for(fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", RELEASED)[0]
    delivery = peer["ratings"][0]
    assert peer["shown"] and delivery["average"] == 3 and delivery["distribution"] == [0, 1, 1, 1]
    assert peer["comments"][0]["texts"] == ["Always helpful", "maps the system", "zebra-like focus"]


def test_the_threshold_setting_is_never_below_three(uow, cycle, clock):
    with pytest.raises(ValidationFailed) as caught:
        feedback_settings.save_settings(
            fresh(uow),
            who(uow, "F2"),
            cycle.cycle_id,
            {"min_peers": 3, "max_peers": 8, "threshold": 2, "upward": True},
            0,
            clock,
        )
    assert "threshold" in caught.value.errors


def test_a_higher_threshold_holds_the_group_back(uow, cycle, clock):
    feedback_settings.save_settings(
        fresh(uow),
        who(uow, "F2"),
        cycle.cycle_id,
        {"min_peers": 3, "max_peers": 8, "threshold": 4, "upward": True},
        0,
        clock,
    )
    asked(uow, cycle, clock)
    for r in ("F5", "F7", "F8"):
        answer(uow, cycle, clock, r)
    assert not feedback.feedback_groups_for(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", RELEASED)[0]["shown"]


def test_a_colleague_cannot_read_the_group(uow, cycle, clock):
    with pytest.raises(PermissionDenied):
        feedback.feedback_groups_for(fresh(uow), who(uow, "F5"), cycle.cycle_id, "F4", RELEASED)


def test_feedback_closes_when_the_manager_assessment_is_submitted(uow, cycle, clock):
    asked(uow, cycle, clock)
    v = review_svc.open_review(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4").version
    v = review_svc.save_self_assessment(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", f.self_content(), v, True, clock
    ).version
    review_svc.save_manager_assessment(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", f.manager_content(owner_id="F3"), v, True, clock
    )
    with pytest.raises(Conflict):
        answer(uow, cycle, clock, "F5")


def test_an_answer_racing_the_managers_submission_is_refused_by_the_close_mark(uow, cycle, clock):
    with fresh(uow) as closing:
        closing.feedback.close(cycle.cycle_id, "F4", "2026-03-02T09:00:00.000Z", released=True)
        closing.commit()
    late = fresh(uow)  # an answer staged after its checks passed, committed after the manager's transaction
    with late, pytest.raises(Conflict):
        late.feedback.add_answer(cycle.cycle_id, "F4", FeedbackKind.PEER, {"ratings": {"delivery": 3}, "answers": {}})
        late.commit()
    assert fresh(uow).feedback.answers(cycle.cycle_id, "F4")[FeedbackKind.PEER] == []


def test_a_return_by_hr_does_not_reopen_answers_once_the_manager_submitted(uow, cycle, clock):
    asked(uow, cycle, clock)
    for r in ("F5", "F7", "F8"):
        answer(uow, cycle, clock, r)
    v = review_svc.open_review(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4").version
    v = review_svc.save_self_assessment(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", f.self_content(), v, True, clock
    ).version
    v = review_svc.save_manager_assessment(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", f.manager_content(owner_id="F3"), v, True, clock
    ).version
    shown = feedback.feedback_groups_for(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", clock.now())
    assert shown[0]["shown"] and shown[0]["answers"] == 3
    review_svc.return_review(
        fresh(uow), who(uow, "F2"), cycle.cycle_id, "F4", "self_submitted", "Redo the ratings", v, clock
    )
    with pytest.raises(Conflict):
        answer(uow, cycle, clock, "F9")
    assert feedback.feedback_groups_for(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", clock.now()) == shown
    # Nor does HR switching the rule to "at the deadline" hide again what the submission released.
    rules = {"min_peers": 3, "max_peers": 8, "threshold": 3, "upward": True, "release": "deadline"}
    feedback_settings.save_settings(fresh(uow), who(uow, "F2"), cycle.cycle_id, rules, 0, clock)
    assert feedback.feedback_groups_for(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", clock.now()) == shown


def test_the_release_rule_is_fixed_once_the_feedback_deadline_has_passed(uow, cycle, clock):
    rules = {"min_peers": 3, "max_peers": 8, "threshold": 3, "upward": True, "release": "manager"}
    with pytest.raises(ValidationFailed) as caught:
        feedback_settings.save_settings(fresh(uow), who(uow, "F2"), cycle.cycle_id, rules, 0, FixedClock(RELEASED))
    assert "release" in caught.value.errors
    assert fresh(uow).feedback.settings(cycle.cycle_id).release.value == "first"


def test_the_threshold_is_fixed_once_the_feedback_deadline_has_passed(uow, cycle, clock):
    # Issue 27: raising it then would hide released groups, lowering it show new ones, and the diagnosis's upward
    # figures read then would move by one group.
    rules = {"min_peers": 3, "max_peers": 8, "threshold": 4, "upward": True, "release": "first"}
    with pytest.raises(ValidationFailed) as caught:
        feedback_settings.save_settings(fresh(uow), who(uow, "F2"), cycle.cycle_id, rules, 0, FixedClock(RELEASED))
    assert set(caught.value.errors) == {"threshold"}
    assert fresh(uow).feedback.settings(cycle.cycle_id).threshold == 3


def test_the_score_has_a_feedback_part_from_a_shown_group(uow, cycle, clock):
    asked(uow, cycle, clock)
    for r in ("F5", "F7", "F8"):
        answer(uow, cycle, clock, r, rating=4)
    v = review_svc.open_review(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4").version
    v = review_svc.save_self_assessment(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", f.self_content(), v, True, clock
    ).version
    done = review_svc.save_manager_assessment(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", f.manager_content(owner_id="F3"), v, True, clock
    )
    feedback = {p["name"]: p for p in done.score["parts"]}["feedback"]
    # three 4s for delivery, three 4s for collaboration on a 4-point scale: 100
    assert feedback["used"] and feedback["value"] == 100


# --- upward, tracking, reminders -----------------------------------------------------------------------------


def test_upward_requests_go_to_each_managers_reports(uow, cycle, clock):
    mailer = MemoryMailer()
    result = feedback_nominations.request_upward(fresh(uow), who(uow, "F2"), cycle.cycle_id, clock, mailer)
    about_alan = fresh(uow).feedback.about(cycle.cycle_id, "F3")
    assert sorted(r.reviewer_id for r in about_alan) == ["F4", "F5", "F7", "F8", "F9"]
    assert {r.kind for r in about_alan} == {FeedbackKind.UPWARD}
    assert result.asked == len(mailer.sent) == 5 + 3 + 1  # Alan's 5, Ada's 3 (Grace, Alan, Linus), Grace's 1
    again = feedback_nominations.request_upward(fresh(uow), who(uow, "F2"), cycle.cycle_id, clock, mailer)
    assert asdict(again) == {"managers": 0, "asked": 0}


def test_upward_answers_reach_the_managers_own_review_as_a_group(uow, cycle, clock):
    feedback_nominations.request_upward(fresh(uow), who(uow, "F2"), cycle.cycle_id, clock)
    for r in ("F4", "F5", "F7"):
        feedback_answers.submit_answer(
            fresh(uow),
            who(uow, r),
            cycle.cycle_id,
            "F3",
            {"ratings": {"delivery": 3}, "answers": {"support": r}},
            clock,
        )
    upward = feedback.feedback_groups_for(fresh(uow), who(uow, "F3"), cycle.cycle_id, "F3", RELEASED)[1]
    assert upward["kind"] == "upward" and upward["shown"] and upward["answers"] == 3


def test_hr_sees_response_rates_and_who_to_chase_but_not_about_their_own_reports(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F10"])
    answer(uow, cycle, clock, "F5")
    feedback_nominations.request_upward(fresh(uow), who(uow, "F2"), cycle.cycle_id, clock)
    progress = feedback_tracking.feedback_progress(fresh(uow), who(uow, "F2"), cycle.cycle_id, clock.now())
    sales = {d.department: d for d in progress.departments}["Sales"]
    assert sales.asked >= 1
    chased = {(w.reviewer_id, w.subject_name) for w in progress.waiting}
    assert ("F7", "Katherine Johnson") in chased and ("F5", "Katherine Johnson") not in chased
    # Barbara reports to Grace: Grace (HR) must not learn who answered about her own report or herself.
    assert not [w for w in progress.waiting if w.subject_name in ("Barbara Liskov", "Grace Hopper")]
    # Once the feedback is closed they stay listed (the release moves nobody in this list), no longer to chase.
    closed = feedback_tracking.feedback_progress(fresh(uow), who(uow, "F2"), cycle.cycle_id, RELEASED)
    assert [w.reviewer_id for w in closed.waiting] == [w.reviewer_id for w in progress.waiting]
    assert all(w.open for w in progress.waiting) and not any(w.open for w in closed.waiting)


def test_pending_requests_are_listed_per_reviewer_for_the_reminders(uow, cycle, clock):
    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    answer(uow, cycle, clock, "F5")
    pending = feedback_tracking.pending_requests(fresh(uow), clock.now())
    assert sorted(pending) == ["F7", "F8"] and pending["F7"][0].subject_name == "Katherine Johnson"
    assert feedback_tracking.pending_requests(fresh(uow), RELEASED) == {}, "closed: nobody is reminded of it any more"


# --- continuous feedback ----------------------------------------------------------------------------------------


def test_a_note_is_read_by_its_recipient_and_their_manager_and_pulled_into_the_review(uow, cycle, clock):
    note = feedback_notes.send_note(
        fresh(uow),
        who(uow, "F10"),
        {"to_id": "F4", "kind": "praise", "text": "Great demo", "competency_id": "delivery"},
        clock,
    )
    assert [n.text for n in feedback_notes.notes_for(fresh(uow), who(uow, "F3"), "F4")] == ["Great demo"]
    with pytest.raises(PermissionDenied):
        feedback_notes.notes_for(fresh(uow), who(uow, "F5"), "F4")
    feedback_notes.pull_note(fresh(uow), who(uow, "F4"), note.note_id, cycle.cycle_id, clock)
    evidence = feedback.review_feedback(fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", clock.now()).evidence
    assert [n.text for n in evidence] == ["Great demo"]


def test_a_note_to_oneself_is_refused(uow, cycle, clock):
    with pytest.raises(ValidationFailed):
        feedback_notes.send_note(fresh(uow), who(uow, "F4"), {"to_id": "F4", "kind": "praise", "text": "Me"}, clock)


def test_the_daily_reminder_lists_pending_requests_with_their_link(uow, cycle, clock):
    from service.services.reminders import send_reminders

    asked(uow, cycle, clock, ["F5", "F7", "F8"])
    answer(uow, cycle, clock, "F5")
    mailer = MemoryMailer()
    send_reminders(fresh(uow), mailer, clock, "https://reviews.example")
    to = {m.to[0]: m for m in mailer.sent}
    assert "edsger@example.com" not in to, "who answered gets no reminder"
    mail = to["margaret@example.com"]
    assert mail.subject == "Feedback requests waiting (1)"
    assert f"https://reviews.example/feedback/{cycle.cycle_id}/F4" in mail.text


def test_the_manager_is_told_there_are_nominations_to_decide(uow, cycle, clock):
    mailer = MemoryMailer()
    feedback_nominations.nominate_peers(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock, mailer, "https://r"
    )
    assert [m.to for m in mailer.sent] == [("alan@example.com",)]
    assert f"https://r/cycles/{cycle.cycle_id}/reviews/F4/nominations" in mailer.sent[0].text


def test_a_competency_rated_by_fewer_than_the_threshold_is_withheld_in_a_shown_group(uow, cycle, clock):
    asked(uow, cycle, clock)
    for r in ("F5", "F7", "F8"):
        content = {"ratings": {"delivery": 3, "collaboration": 4 if r == "F5" else None}, "answers": {"strength": "x"}}
        feedback_answers.submit_answer(fresh(uow), who(uow, r), cycle.cycle_id, "F4", content, clock)
    peer = feedback.feedback_groups_for(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", RELEASED)[0]
    collaboration = peer["ratings"][1]
    assert peer["shown"] and collaboration == {
        "competency_id": "collaboration",
        "competency": "Collaboration",
        "average": None,
        "rated_by": 1,
        "distribution": None,
    }


def test_a_note_is_about_a_competency_of_a_running_cycle_or_a_goal_the_sender_may_see(uow, cycle, clock):
    from service.services import goals

    org = goals.create_goal(
        fresh(uow), who(uow, "F1"), {"level": "organisation", "title": "Grow", "cycle_id": cycle.cycle_id}, clock
    )
    hers = goals.create_goal(
        fresh(uow), who(uow, "F4"), {"level": "individual", "title": "Ship it", "cycle_id": cycle.cycle_id}, clock
    )
    peers = goals.create_goal(
        fresh(uow), who(uow, "F5"), {"level": "individual", "title": "Mine", "cycle_id": cycle.cycle_id}, clock
    )
    topics = feedback_notes.note_topics(fresh(uow), who(uow, "F10"))
    assert "delivery" in topics.competencies
    assert list(topics.goals.values()) == ["Grow"]  # organisation and team goals only

    def send(sender: str, **about) -> feedback.Note:
        return feedback_notes.send_note(
            fresh(uow), who(uow, sender), {"to_id": "F4", "kind": "praise", "text": "Yes", **about}, clock
        )

    assert send("F10", goal_id=org.goal_id).goal_id == org.goal_id
    assert send("F3", goal_id=hers.goal_id).goal_id == hers.goal_id  # her manager sees her goals
    before = len(fresh(uow).notes.received_by("F4"))
    for sender, about, field in (
        ("F10", {"competency_id": "juggling"}, "competency_id"),
        ("F10", {"goal_id": hers.goal_id}, "goal_id"),  # a colleague outside her chain does not see it
        ("F3", {"goal_id": peers.goal_id}, "goal_id"),  # someone else's goal, even one the sender sees
        ("F10", {"goal_id": "no-such-goal"}, "goal_id"),
    ):
        with pytest.raises(ValidationFailed) as refused:
            send(sender, **about)
        assert field in refused.value.errors
    assert len(fresh(uow).notes.received_by("F4")) == before  # nothing written


# --- an answer landing between the manager's read of the group and the submission's transaction -------------


class AnswerBeforeTheClose(MemoryTable):
    """The in-memory table, where queued answers commit just before the manager's transaction (the one that writes
    the close mark): after the use case read the group and scored it, before its commit."""

    def __init__(self) -> None:
        super().__init__()
        self.pending: list = []

    def transact(self, ops, token=None) -> None:
        if self.pending and any(getattr(op, "item", {}).get("type") == "feedback_close" for op in ops):
            self.pending.pop(0)()
        super().transact(ops, token)


@pytest.fixture
def racing(clock):
    """A launched cycle over an AnswerBeforeTheClose table; Katherine's self assessment submitted: (uow, cycle, v)."""
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc

    uow = UnitOfWork(AnswerBeforeTheClose())
    import_organisation(uow, None, ORG, clock)
    hr = f.principal(uow.table, "F2")
    template = template_svc.create_template(fresh(uow), hr, TEMPLATE, clock)
    c = cycle_svc.create_cycle(fresh(uow), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(fresh(uow), hr, c.cycle_id, c.version, clock, f.inline_queue(uow.table, clock))
    cycle = cycle_svc.get_cycle(fresh(uow), c.cycle_id)
    asked(uow, cycle, clock)
    v = review_svc.open_review(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4").version
    v = review_svc.save_self_assessment(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", f.self_content(), v, True, clock
    ).version
    return uow, cycle, v


def manager_submits(uow, cycle, v, clock):
    return review_svc.save_manager_assessment(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", f.manager_content(owner_id="F3"), v, True, clock
    )


def feedback_part(uow, cycle) -> dict:
    score = fresh(uow).reviews.get(cycle.cycle_id, "F4").score
    return next(p for p in score["parts"] if p["name"] == "feedback")


def released_ratings(uow, cycle, clock) -> list[float]:
    """The ratings of the groups as stored and released, read afresh after the submission."""
    return feedback.score_feedback_ratings(fresh(uow), cycle, "F4", clock.now())


def test_an_answer_landing_after_the_score_read_the_group_is_scored_with_the_group_released(racing, clock):
    uow, cycle, v = racing
    for r in ("F5", "F7", "F8"):
        answer(uow, cycle, clock, r, rating=1)
    uow.table.pending.append(lambda: answer(uow, cycle, clock, "F9", rating=4))
    manager_submits(uow, cycle, v, clock)
    released = released_ratings(uow, cycle, clock)
    assert len(released) == 8  # four answers of two ratings each, F9's included
    part = feedback_part(uow, cycle)
    assert part["basis"] == "8 peer/upward rating(s)"
    assert part["value"] == pytest.approx(sum((r - 1) / 3 * 100 for r in released) / len(released))


def test_answers_landing_on_both_attempts_refuse_the_submission_with_409_and_store_nothing(racing, clock):
    uow, cycle, v = racing
    for r in ("F5", "F7", "F8"):
        answer(uow, cycle, clock, r)
    uow.table.pending += [lambda: answer(uow, cycle, clock, "F9"), lambda: answer(uow, cycle, clock, "F10")]
    with pytest.raises(Conflict, match="arrived while you were submitting") as refused:
        manager_submits(uow, cycle, v, clock)
    assert not isinstance(refused.value, StaleWrite)  # 409: submit again, nothing to reload
    review = fresh(uow).reviews.get(cycle.cycle_id, "F4")
    assert (review.state.value, review.version, review.score) == ("self_submitted", v, None)
    assert fresh(uow).feedback.group_items(cycle.cycle_id, "F4")[1] is None  # not closed, not released
    manager_submits(uow, cycle, v, clock)  # again: all five answers scored and released
    assert len(released_ratings(uow, cycle, clock)) == 10
    assert feedback_part(uow, cycle)["basis"] == "10 peer/upward rating(s)"


def test_a_group_stored_before_its_tally_existed_is_checked_too(racing, clock):
    from service.adapters import keys

    uow, cycle, v = racing
    answer(uow, cycle, clock, "F5")
    answer(uow, cycle, clock, "F7")
    uow.table.transact([Delete(keys.feedback_tally(cycle.cycle_id, "F4"))])  # answers given before tallies
    uow.table.pending.append(lambda: answer(uow, cycle, clock, "F8"))  # the third: the group is shown
    manager_submits(uow, cycle, v, clock)
    assert len(released_ratings(uow, cycle, clock)) == 6
    assert feedback_part(uow, cycle)["basis"] == "6 peer/upward rating(s)"


def test_through_the_api_the_refusal_is_a_409_that_says_to_submit_again(racing, clock):
    from service.config import Settings
    from service.web import create_app
    from tests.conftest import AuthActions

    uow, cycle, v = racing
    for r in ("F5", "F7", "F8"):
        answer(uow, cycle, clock, r)
    uow.table.pending += [lambda: answer(uow, cycle, clock, "F9"), lambda: answer(uow, cycle, clock, "F10")]
    app = create_app(Settings(secret_key="race-" + "x" * 28), table=uow.table, clock=clock)
    app.config["TESTING"] = True
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("F3")
    url = f"/api/cycles/{cycle.cycle_id}/reviews/F4/manager"
    body = {"content": f.manager_content(owner_id="F3"), "submit": True}
    resp = client.put(url, json=body, headers=auth.headers() | {"If-Match": f'"{v}"'})
    assert resp.status_code == 409
    assert resp.get_json()["code"] == "conflict" and "submit the manager assessment again" in resp.get_json()["message"]
    assert fresh(uow).reviews.get(cycle.cycle_id, "F4").version == v


# --- the count of peer nominations waiting for a decision (issue 25: the team overview reads it) -----------------


def waiting_counts(uow, cycle, subject="F4") -> tuple[int | None, int]:
    """The stored count of peer requests about `subject` waiting for approval, and the count of the requests."""
    from service.adapters import keys

    item = uow.table.get(keys.feedback_waiting(cycle.cycle_id, subject), consistent=True)
    requests = fresh(uow).feedback.about(cycle.cycle_id, subject)
    truth = sum(1 for r in requests if r.kind is FeedbackKind.PEER and r.state is RequestState.NOMINATED)
    return (int(item["waiting"]) if item else None), truth


def team_waiting(uow, cycle, clock) -> dict[str, int]:
    """What the team overview says waits for Alan's decision, for his reports F4 and F5 (the batch read)."""
    from service.services import tasks

    reports = fresh(uow).directory.get_many(["F4", "F5"])
    found = tasks.nominations_to_decide(fresh(uow), who(uow, "F3"), cycle, list(reports.values()), clock.now())
    return {k: v.count for k, v in found.items()}


def test_every_nomination_change_moves_the_waiting_count_with_the_requests(uow, cycle, clock):
    cid = cycle.cycle_id
    assert waiting_counts(uow, cycle) == (None, 0) and team_waiting(uow, cycle, clock) == {}  # launched: none
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cid, "F4", ["F5", "F7", "F8"], clock)
    assert waiting_counts(uow, cycle) == (3, 3) and team_waiting(uow, cycle, clock) == {"F4": 3}
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cid, "F4", ["F5", "F7", "F9", "F10"], clock)
    assert waiting_counts(uow, cycle) == (4, 4)  # F8 withdrawn, F9 and F10 added
    feedback_nominations.decide_nominations(fresh(uow), who(uow, "F3"), cid, "F4", ["F5"], ["F7"], ["F8"], clock)
    assert waiting_counts(uow, cycle) == (2, 2) and team_waiting(uow, cycle, clock) == {"F4": 2}  # approve, remove
    feedback_nominations.decide_nominations(fresh(uow), who(uow, "F2"), cid, "F4", ["F9", "F10"], [], [], clock)
    assert waiting_counts(uow, cycle) == (0, 0) and team_waiting(uow, cycle, clock) == {}
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F5"), cid, "F5", ["F4", "F7", "F8"], clock)
    assert waiting_counts(uow, cycle, "F5") == (3, 3) and team_waiting(uow, cycle, clock) == {"F5": 3}


def test_a_retried_or_raced_nomination_change_does_not_count_twice(uow, cycle, clock):
    from dataclasses import replace

    cid = cycle.cycle_id
    for _ in range(2):  # the same list sent again (a retry): nothing changes
        feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cid, "F4", ["F5", "F7", "F8"], clock)
    assert waiting_counts(uow, cycle) == (3, 3)
    first, second = fresh(uow), fresh(uow)  # two approvals of F5 from the same read: only one lands
    seen = [u.feedback.request(cid, "F4", "F5") for u in (first, second)]
    with first:
        first.feedback.save(replace(seen[0], state=RequestState.APPROVED), new=False, actor="F3", action="a", at="t")
        first.commit()
    with second, pytest.raises((Conflict, StaleWrite)):
        second.feedback.save(replace(seen[1], state=RequestState.APPROVED), new=False, actor="F3", action="a", at="t")
        second.commit()
    assert waiting_counts(uow, cycle) == (2, 2)


def test_a_cycle_launched_before_counting_counts_the_requests_and_starts_counting_on_the_next_change(uow, cycle, clock):
    from service.adapters import keys

    cid = cycle.cycle_id
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cid, "F4", ["F5", "F7", "F8"], clock)
    # As stored before counting existed: no count, and no mark on the cycle.
    uow.table.transact([Delete(keys.feedback_waiting(cid, "F4")), Delete(keys.feedback_waiting(cid))])
    assert waiting_counts(uow, cycle) == (None, 3) and team_waiting(uow, cycle, clock) == {"F4": 3}
    feedback_nominations.decide_nominations(fresh(uow), who(uow, "F3"), cid, "F4", ["F5"], [], [], clock)
    assert waiting_counts(uow, cycle) == (2, 2) and team_waiting(uow, cycle, clock) == {"F4": 2}


def test_two_transactions_of_one_unit_of_work_each_move_the_count(uow, cycle, clock):
    from dataclasses import replace

    cid = cycle.cycle_id
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cid, "F4", ["F5", "F7", "F8"], clock)
    one = fresh(uow)
    for reviewer in ("F5", "F7"):
        seen = one.feedback.request(cid, "F4", reviewer)
        with one:
            one.feedback.save(replace(seen, state=RequestState.APPROVED), new=False, actor="F3", action="a", at="t")
            one.commit()
    assert waiting_counts(uow, cycle) == (1, 1)


# --- the organisation's day --------------------------------------------------------------------------------


def test_deadlines_end_at_midnight_on_the_organisations_clock(uow, cycle, clock):
    """An organisation in New York (ORG_TIME_ZONE): the evening of the feedback deadline (2026-03-20) is still the
    deadline's day there, though it is the next day in UTC; the nominations deadline alike."""
    new_york = ZoneInfo("America/New_York")
    rules = {"min_peers": 3, "max_peers": 8, "threshold": 3, "upward": True, "nomination_deadline": date(2026, 3, 5)}
    feedback_settings.save_settings(fresh(uow), who(uow, "F2"), cycle.cycle_id, rules, 0, clock)
    feedback_nominations.nominate_peers(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", ["F5", "F7", "F8"], clock)
    nominations_evening = FixedClock(datetime(2026, 3, 5, 21, 0, tzinfo=new_york))  # 02:00 UTC on 6 March
    feedback_nominations.decide_nominations(
        fresh(uow), who(uow, "F3"), cycle.cycle_id, "F4", ["F5", "F7"], [], [], nominations_evening
    )
    assert state_of(uow, cycle, "F5") is RequestState.APPROVED
    deadline_evening = FixedClock(datetime(2026, 3, 20, 22, 30, tzinfo=new_york))  # 02:30 UTC on 21 March
    answer(uow, cycle, deadline_evening, "F5")
    assert state_of(uow, cycle, "F5") is RequestState.ANSWERED
    # The same instant in an organisation on UTC is past its deadline's midnight: refused, nothing written.
    with pytest.raises(Conflict):
        answer(uow, cycle, FixedClock(deadline_evening.now().astimezone(UTC)), "F7")
    assert state_of(uow, cycle, "F7") is RequestState.APPROVED
    after_midnight = FixedClock(datetime(2026, 3, 21, 0, 1, tzinfo=new_york))
    with pytest.raises(Conflict):
        answer(uow, cycle, after_midnight, "F7")
    assert state_of(uow, cycle, "F7") is RequestState.APPROVED


@pytest.mark.parametrize(
    "zone, submitted, day",
    [
        ("America/New_York", datetime(2026, 3, 11, 2, 0, tzinfo=UTC), "10 Mar 2026"),  # 21:00 on 10 March there
        ("Pacific/Auckland", datetime(2026, 3, 9, 19, 0, tzinfo=UTC), "10 Mar 2026"),  # 08:00 on 10 March there
    ],
)
def test_feedback_closes_on_the_organisations_day_of_the_managers_submission(uow, cycle, clock, zone, submitted, day):
    asked(uow, cycle, clock)
    v = review_svc.open_review(fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4").version
    v = review_svc.save_self_assessment(
        fresh(uow), who(uow, "F4"), cycle.cycle_id, "F4", f.self_content(), v, True, clock
    ).version
    manager_submits(uow, cycle, v, FixedClock(submitted.astimezone(ZoneInfo(zone))))
    later = FixedClock(datetime(2026, 3, 12, 12, 0, tzinfo=ZoneInfo(zone)))
    with pytest.raises(Conflict, match=f"closed on {day}"):
        answer(uow, cycle, later, "F5")
    assert state_of(uow, cycle, "F5") is RequestState.APPROVED
