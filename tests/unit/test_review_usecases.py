"""The review use cases on the in-memory fakes: every transition, scoring, who may do what, stale and closed.

In the style of cosmicpython's chapter_06_uow tests/unit/test_services.py: a unit of work over the in-memory
table and a fixed clock; each test drives use cases and reads the result back through the repositories.
The organisation is tests/conftest.py's: Alan (E3) manages Katherine (E4) and Edsger (E5); Grace (E2) is HR
and manages Barbara (E6); Ada (E1) leads and manages Grace and Alan.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from service.adapters import keys
from service.adapters.clock import iso
from service.adapters.store import MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, NotFound, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.reviews import ReviewState
from service.services import actions as action_svc
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

S = ReviewState


@contextmanager
def refused(uow: UnitOfWork, error: type[Exception]) -> Iterator[pytest.ExceptionInfo]:
    """The use case inside raises `error` and commits nothing."""
    before = uow.transactions
    with pytest.raises(error) as caught:
        yield caught
    assert uow.transactions == before, "a refused use case committed"


@pytest.fixture
def uow(clock) -> UnitOfWork:
    """A unit of work over an in-memory table holding the organisation."""
    uow = UnitOfWork(MemoryTable())
    import_organisation(uow, None, ORG_CSV, clock)
    return uow


@pytest.fixture
def cycle_id(uow, clock) -> str:
    """A cycle over everyone, launched by HR (reviews created inline)."""
    return f.launched_cycle(uow.table, clock).cycle_id


def who(uow: UnitOfWork, employee_id: str):
    return f.principal(uow.table, employee_id)


def stored(uow: UnitOfWork, cycle_id: str, employee_id: str = "E4"):
    """The review as stored now."""
    return uow.reviews.get(cycle_id, employee_id)


# Each step: the use case, as whom, and the state it leaves the review in.
def save_self(uow, cycle_id, clock, submit=False, content=None, by="E4", version=None, employee_id="E4"):
    version = stored(uow, cycle_id, employee_id).version if version is None else version
    return review_svc.save_self_assessment(
        uow, who(uow, by), cycle_id, employee_id, content or f.self_content(), version, submit, clock
    )


def save_manager(uow, cycle_id, clock, submit=False, content=None, by="E3", version=None, employee_id="E4"):
    version = stored(uow, cycle_id, employee_id).version if version is None else version
    return review_svc.save_manager_assessment(
        uow, who(uow, by), cycle_id, employee_id, content or f.manager_content(), version, submit, clock
    )


def save_discussion(uow, cycle_id, clock, submit=False, content=None, by="E3", employee_id="E4"):
    version = stored(uow, cycle_id, employee_id).version
    return review_svc.save_discussion(
        uow, who(uow, by), cycle_id, employee_id, content or f.discussion_content(), version, submit, clock
    )


def acknowledge(uow, cycle_id, clock, agreement="agree", response="", by="E4", employee_id="E4"):
    version = stored(uow, cycle_id, employee_id).version
    return review_svc.acknowledge(uow, who(uow, by), cycle_id, employee_id, agreement, response, version, clock)


def finalise(uow, cycle_id, clock, by="E2", employee_id="E4"):
    version = stored(uow, cycle_id, employee_id).version
    return review_svc.finalise(uow, who(uow, by), cycle_id, employee_id, version, clock)


def return_review(uow, cycle_id, clock, to, reason="Ratings need evidence.", by="E2", employee_id="E4"):
    version = stored(uow, cycle_id, employee_id).version
    return review_svc.return_review(uow, who(uow, by), cycle_id, employee_id, to, reason, version, clock)


def drive(uow, cycle_id, clock, until: ReviewState) -> None:
    """Take E4's review along the normal path until it reaches `until`."""
    steps = [
        (S.SELF_SUBMITTED, lambda: save_self(uow, cycle_id, clock, submit=True)),
        (S.MANAGER_SUBMITTED, lambda: save_manager(uow, cycle_id, clock, submit=True)),
        (S.DISCUSSED, lambda: save_discussion(uow, cycle_id, clock, submit=True)),
        (S.ACKNOWLEDGED, lambda: acknowledge(uow, cycle_id, clock)),
        (S.FINALISED, lambda: finalise(uow, cycle_id, clock)),
    ]
    for state, step in steps:
        if stored(uow, cycle_id).state is until:
            return
        step()
        assert stored(uow, cycle_id).state is state


# --- every transition ----------------------------------------------------------------------------------------


def test_a_launched_review_starts_not_started_at_version_1(uow, cycle_id):
    r = stored(uow, cycle_id)
    assert (r.state, r.version, r.manager_id, r.self_assessment) == (S.NOT_STARTED, 1, "E3", None)


def test_saving_a_self_draft_stores_it_without_changing_the_state(uow, cycle_id, clock):
    draft = f.self_content(achievements="Half written", answers={})
    before = uow.transactions
    view = save_self(uow, cycle_id, clock, content=draft)
    assert uow.transactions == before + 1  # review, audit record and counters in one transaction
    r = stored(uow, cycle_id)
    assert (r.state, r.version, r.self_assessment) == (S.NOT_STARTED, 2, draft)
    assert (view.state, view.version, view.self_assessment) == ("not_started", 2, draft)


def test_submitting_the_self_assessment_hands_it_to_the_manager(uow, cycle_id, clock):
    view = save_self(uow, cycle_id, clock, submit=True)
    r = stored(uow, cycle_id)
    assert r.state is S.SELF_SUBMITTED and r.submitted == {"self_submitted": iso(clock.now())}
    assert view.state == "self_submitted" and view.self_assessment == f.self_content()
    assert review_svc.open_review(uow, who(uow, "E3"), cycle_id, "E4").self_assessment == f.self_content()


def test_an_incomplete_self_assessment_cannot_be_submitted_and_nothing_is_stored(uow, cycle_id, clock):
    with refused(uow, ValidationFailed) as caught:
        save_self(uow, cycle_id, clock, submit=True, content=f.self_content(achievements=""))
    assert "achievements" in caught.value.errors
    assert stored(uow, cycle_id).version == 1 and stored(uow, cycle_id).self_assessment is None


def test_the_manager_may_draft_before_the_self_assessment_but_not_submit(uow, cycle_id, clock):
    save_manager(uow, cycle_id, clock)
    assert stored(uow, cycle_id).manager_assessment == f.manager_content()
    with refused(uow, Conflict):
        save_manager(uow, cycle_id, clock, submit=True)
    assert stored(uow, cycle_id).state is S.NOT_STARTED


def test_the_manager_does_not_see_a_self_draft_and_the_employee_not_a_manager_draft(uow, cycle_id, clock):
    save_self(uow, cycle_id, clock)
    save_manager(uow, cycle_id, clock)
    assert review_svc.open_review(uow, who(uow, "E3"), cycle_id, "E4").self_assessment is None
    assert review_svc.open_review(uow, who(uow, "E4"), cycle_id, "E4").manager_assessment is None


def test_submitting_the_manager_assessment_scores_it_and_tracks_the_obstacles(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.SELF_SUBMITTED)
    view = save_manager(uow, cycle_id, clock, submit=True)
    r = stored(uow, cycle_id)
    assert r.state is S.MANAGER_SUBMITTED and r.score["value"] == view.score["value"]
    [action] = uow.actions.about("E4")
    assert (action.kind, action.description, action.owner_id, action.status) == (
        "remediation",
        "Buy faster runners",
        "E3",
        "open",
    )


def test_the_discussion_is_drafted_then_recorded_with_its_agreed_actions(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.MANAGER_SUBMITTED)
    save_discussion(uow, cycle_id, clock, content=f.discussion_content(notes="Draft notes"))
    assert stored(uow, cycle_id).state is S.MANAGER_SUBMITTED
    save_discussion(uow, cycle_id, clock, submit=True)
    r = stored(uow, cycle_id)
    assert r.state is S.DISCUSSED and r.discussion == f.discussion_content()
    agreed = [a for a in uow.actions.about("E4") if a.kind == "agreed"]
    assert [(a.description, a.owner_id, a.due) for a in agreed] == [("Pair on design", "E4", "2026-06-01")]


def test_the_employee_acknowledges_agreeing_or_not_with_a_response(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.DISCUSSED)
    acknowledge(uow, cycle_id, clock, agreement="disagree", response="  The rating is low.  ")
    r = stored(uow, cycle_id)
    assert r.state is S.ACKNOWLEDGED
    assert r.acknowledgement == {"agreement": "disagree", "response": "The rating is low.", "at": iso(clock.now())}


def test_an_acknowledgement_must_say_agree_or_disagree(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.DISCUSSED)
    with refused(uow, ValidationFailed):
        acknowledge(uow, cycle_id, clock, agreement="maybe")
    assert stored(uow, cycle_id).state is S.DISCUSSED


def test_hr_finalises_an_acknowledged_review(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.ACKNOWLEDGED)
    finalise(uow, cycle_id, clock)
    r = stored(uow, cycle_id)
    assert (r.state, r.finalised_by) == (S.FINALISED, "E2")
    assert list(r.submitted) == ["self_submitted", "manager_submitted", "discussed", "acknowledged", "finalised"]


def test_nothing_is_finalised_before_it_is_acknowledged(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.DISCUSSED)
    with refused(uow, Conflict):
        finalise(uow, cycle_id, clock)


def test_hr_returns_a_review_with_a_reason_that_goes_into_the_audit_trail(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.ACKNOWLEDGED)
    return_review(uow, cycle_id, clock, "self_submitted", reason="  Ratings need evidence.  ")
    r = stored(uow, cycle_id)
    assert r.state is S.SELF_SUBMITTED
    assert r.last_return == {
        "from": "acknowledged",
        "to": "self_submitted",
        "reason": "Ratings need evidence.",
        "by": "E2",
    }
    # what came after the target state is undone; the self assessment stays
    assert (r.score, r.acknowledgement, r.finalised_by) == (None, None, None)
    assert r.self_assessment == f.self_content() and list(r.submitted) == ["self_submitted"]
    last = uow.audit.of_review(cycle_id, "E4")[-1]
    assert (last["action"], last["reason"], last["actor"]) == ("return", "Ratings need evidence.", "E2")


def test_a_returned_review_goes_along_the_path_again(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.MANAGER_SUBMITTED)
    return_review(uow, cycle_id, clock, "not_started")
    save_self(uow, cycle_id, clock, submit=True)
    save_manager(uow, cycle_id, clock, submit=True)
    assert stored(uow, cycle_id).state is S.MANAGER_SUBMITTED and stored(uow, cycle_id).score is not None


def test_a_return_needs_a_reason_and_an_earlier_state(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.MANAGER_SUBMITTED)
    with refused(uow, ValidationFailed):
        return_review(uow, cycle_id, clock, "self_submitted", reason="  ")
    with refused(uow, Conflict):
        return_review(uow, cycle_id, clock, "discussed")
    with refused(uow, ValidationFailed):
        return_review(uow, cycle_id, clock, "sideways")
    assert stored(uow, cycle_id).state is S.MANAGER_SUBMITTED


def test_every_change_is_an_audit_record_in_order(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.FINALISED)
    actions = [r["action"] for r in uow.audit.of_review(cycle_id, "E4")]
    assert actions == ["create_review", "submit_self", "submit_manager", "record_discussion", "acknowledge", "finalise"]


# --- scoring through submission ----------------------------------------------------------------------------


def test_the_score_leaves_out_feedback_it_has_no_data_for(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.SELF_SUBMITTED)
    save_manager(uow, cycle_id, clock, submit=True)
    score = stored(uow, cycle_id).score
    # goals: one rating of 4 → 100; competencies 4 and 3 → 83.3; feedback absent → (40·100 + 40·83.3) / 80
    assert score["value"] == 91.7
    assert [(p["name"], p["used"]) for p in score["parts"]] == [
        ("goals", True),
        ("competencies", True),
        ("feedback", False),
    ]


def test_a_mostly_exceeding_manager_assessment_scores_between_exceeds_and_outstanding(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.SELF_SUBMITTED)
    ratings = {"delivery": {"rating": 3, "comment": ""}, "collaboration": {"rating": 3, "comment": ""}}
    goals = [{"title": "A", "rating": 3}, {"title": "B", "rating": 4}]
    save_manager(
        uow, cycle_id, clock, submit=True, content=f.manager_content(competency_ratings=ratings, goal_ratings=goals)
    )
    # goals (66.7 + 100) / 2 = 83.3, competencies 66.7: (40·83.3 + 40·66.7) / 80
    assert stored(uow, cycle_id).score["value"] == 75.0


def test_a_draft_is_not_scored(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.SELF_SUBMITTED)
    save_manager(uow, cycle_id, clock)
    assert stored(uow, cycle_id).score is None


# --- who may do what -------------------------------------------------------------------------------------------


# A reader who may not write is refused (403); someone who may not read is told the review does not exist (404).
@pytest.mark.parametrize(("by", "error"), [("E3", PermissionDenied), ("E2", PermissionDenied), ("E5", NotFound)])
def test_only_the_employee_writes_their_self_assessment(uow, cycle_id, clock, by, error):
    with refused(uow, error):
        save_self(uow, cycle_id, clock, by=by)
    assert stored(uow, cycle_id).version == 1


@pytest.mark.parametrize(("by", "error"), [("E4", PermissionDenied), ("E5", NotFound), ("E1", PermissionDenied)])
def test_only_the_current_manager_or_hr_writes_the_manager_assessment(uow, cycle_id, clock, by, error):
    drive(uow, cycle_id, clock, S.SELF_SUBMITTED)
    with refused(uow, error):
        save_manager(uow, cycle_id, clock, by=by)


def test_hr_may_write_the_manager_assessment_of_someone_they_do_not_manage(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.SELF_SUBMITTED)
    save_manager(uow, cycle_id, clock, submit=True, by="E2")
    assert stored(uow, cycle_id).state is S.MANAGER_SUBMITTED


@pytest.mark.parametrize(("by", "error"), [("E4", PermissionDenied), ("E5", NotFound)])
def test_the_employee_and_peers_do_not_record_the_discussion(uow, cycle_id, clock, by, error):
    drive(uow, cycle_id, clock, S.MANAGER_SUBMITTED)
    with refused(uow, error):
        save_discussion(uow, cycle_id, clock, submit=True, by=by)


@pytest.mark.parametrize("by", ["E3", "E2"])
def test_nobody_acknowledges_for_the_employee(uow, cycle_id, clock, by):
    drive(uow, cycle_id, clock, S.DISCUSSED)
    with refused(uow, PermissionDenied):
        acknowledge(uow, cycle_id, clock, by=by)


@pytest.mark.parametrize("by", ["E4", "E3", "E1"])
def test_only_hr_finalises_and_returns(uow, cycle_id, clock, by):
    drive(uow, cycle_id, clock, S.ACKNOWLEDGED)
    with refused(uow, PermissionDenied):
        finalise(uow, cycle_id, clock, by=by)
    with refused(uow, PermissionDenied):
        return_review(uow, cycle_id, clock, "discussed", by=by)
    assert stored(uow, cycle_id).state is S.ACKNOWLEDGED


def test_hr_does_not_finalise_or_return_their_own_review(uow, cycle_id, clock):
    save_self(uow, cycle_id, clock, submit=True, by="E2", employee_id="E2")
    with refused(uow, PermissionDenied):
        return_review(uow, cycle_id, clock, "not_started", by="E2", employee_id="E2")


@pytest.mark.parametrize("by", ["E5", "E6"])
def test_peers_and_strangers_cannot_read_a_review_it_is_missing_to_them(uow, cycle_id, by):
    with refused(uow, NotFound):
        review_svc.open_review(uow, who(uow, by), cycle_id, "E4")


def test_a_skip_level_manager_reads_a_review_below_them(uow, cycle_id):
    assert review_svc.open_review(uow, who(uow, "E1"), cycle_id, "E4").employee_id == "E4"


def test_a_skip_level_manager_reads_nothing_when_the_cycle_says_so():
    from service.services import policy
    from service.services.auth import Principal

    ceo = Principal("E1", "Ada", frozenset())
    with_setting = policy.review_roles(ceo, "E4", "E3", ("E1", "E3"), skip_level_read=True)
    without = policy.review_roles(ceo, "E4", "E3", ("E1", "E3"), skip_level_read=False)
    assert policy.may_read_review(with_setting) and not policy.may_act_on_review(with_setting, "manager")
    assert not policy.may_read_review(without)


def test_the_team_overview_shows_a_manager_their_reports_and_nothing_else(uow, cycle_id, clock):
    save_self(uow, cycle_id, clock, submit=True)
    rows = review_svc.team_reviews(uow, who(uow, "E3"), cycle_id)
    assert [(r.employee_id, r.state, r.next_task) for r in rows] == [
        ("E5", "not_started", "self_assessment"),
        ("E4", "self_submitted", "manager_assessment"),
    ]
    assert all(not hasattr(r, "self_assessment") for r in rows)
    assert review_svc.team_reviews(uow, who(uow, "E4"), cycle_id) == []


# --- stale edits and a closed cycle ------------------------------------------------------------------------------


def test_a_stale_edit_is_refused_and_the_newer_content_kept(uow, cycle_id, clock):
    save_self(uow, cycle_id, clock, content=f.self_content(achievements="Newer"))
    with refused(uow, StaleWrite):
        save_self(uow, cycle_id, clock, content=f.self_content(achievements="Older"), version=1)
    assert stored(uow, cycle_id).self_assessment["achievements"] == "Newer"


def test_a_stale_edit_is_refused_before_its_content_is_judged(uow, cycle_id, clock):
    save_self(uow, cycle_id, clock)
    with refused(uow, StaleWrite):
        save_self(uow, cycle_id, clock, submit=True, content={"achievements": ""}, version=1)


def test_a_stale_transition_is_refused(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.ACKNOWLEDGED)
    old = stored(uow, cycle_id).version - 1
    with refused(uow, StaleWrite):
        review_svc.finalise(uow, who(uow, "E2"), cycle_id, "E4", old, clock)
    assert stored(uow, cycle_id).state is S.ACKNOWLEDGED


def close(uow, cycle_id, clock) -> None:
    c = cycle_svc.get_cycle(uow, cycle_id)
    cycle_svc.close_cycle(uow, who(uow, "E2"), cycle_id, c.version, clock)


def test_a_closed_cycle_is_read_only_but_still_readable(uow, cycle_id, clock):
    save_self(uow, cycle_id, clock, submit=True)
    close(uow, cycle_id, clock)
    with refused(uow, Conflict):
        save_manager(uow, cycle_id, clock, submit=True)
    with refused(uow, Conflict):
        return_review(uow, cycle_id, clock, "not_started")
    assert stored(uow, cycle_id).state is S.SELF_SUBMITTED
    view = review_svc.open_review(uow, who(uow, "E3"), cycle_id, "E4")
    assert view.self_assessment == f.self_content()


def test_a_stale_edit_of_a_closed_cycle_says_it_is_closed(uow, cycle_id, clock):
    close(uow, cycle_id, clock)
    with refused(uow, Conflict) as caught:
        save_self(uow, cycle_id, clock, version=99)
    assert not isinstance(caught.value, StaleWrite) and "closed" in caught.value.message


# --- the actions about a person, read by key from their index (issue 24) -------------------------------------


def carried(uow: UnitOfWork, cycle_id: str) -> list[str]:
    """The carried actions a request (a unit of work with its identity map, as a page's) shows on E4's review."""
    view = review_svc.open_review(UnitOfWork(uow.table, identity_map=True), who(uow, "E3"), cycle_id, "E4")
    return [a.description for a in view.carried_actions]


def test_the_carried_actions_follow_every_change_of_the_actions_about_the_person(uow, cycle_id, clock):
    drive(uow, cycle_id, clock, S.MANAGER_SUBMITTED)  # an obstacle's remediation, open
    later = f.launched_cycle(uow.table, clock, name="2027 review").cycle_id
    assert carried(uow, later) == ["Buy faster runners"]
    assert carried(uow, cycle_id) == []  # this cycle's own actions do not carry into it
    # The earlier cycle goes on after the next one launched: its discussion's agreed action carries too.
    save_discussion(uow, cycle_id, clock, submit=True)
    assert carried(uow, later) == ["Pair on design", "Buy faster runners"]  # as the history orders them
    # An action done no longer carries.
    [remediation] = [a for a in uow.actions.about("E4") if a.kind == "remediation"]
    action_svc.update_action_status(uow, who(uow, "E3"), remediation.action_id, "done", remediation.version, clock)
    assert carried(uow, later) == ["Pair on design"]
    # Without a complete index (stored before indexing began) the person's history is queried instead.
    index = uow.table.get(keys.action_index("E4"))
    uow.table.transact([Put({k: v for k, v in index.items() if k != "complete"})])
    assert carried(uow, later) == ["Pair on design"]
