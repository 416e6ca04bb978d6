"""The review domain on its own (no Flask, no table): scoring, content rules, and the transition table."""

from __future__ import annotations

from datetime import date
from itertools import product

import pytest

from service.domain.errors import Conflict, ValidationFailed
from service.domain.reviews import (
    ORDER,
    RETURNS,
    SCORE_RULE,
    TRANSITIONS,
    ReviewAction,
    ReviewState,
    at_least,
    check_discussion,
    check_manager,
    check_self,
    compute_score,
    next_state,
)
from service.domain.templates import Competency, Form, Question, Scale, Template

S, A = ReviewState, ReviewAction
TODAY = date(2026, 3, 2)


def template(weights: dict[str, int] | None = None) -> Template:
    """Two competencies, a 4-point scale (Below, Meets, Exceeds, Outstanding), required questions."""
    return Template(
        template_id="t1",
        name="Annual",
        competencies=(
            Competency("delivery", "Delivery", "Ships."),
            Competency("collaboration", "Collaboration", "Helps."),
        ),
        scale=Scale(("Below", "Meets", "Exceeds", "Outstanding")),
        questions={
            Form.SELF: (Question("proud", "What are you proud of?", required=True),),
            Form.MANAGER: (Question("next", "What next?", required=True), Question("aside", "Anything else?")),
        },
        weights=weights or {"goals": 40, "competencies": 40, "feedback": 20},
    )


def manager(competencies: dict[str, int | None], goals: list[int | None] = ()) -> dict:
    """Manager content with these ratings."""
    return {
        "competency_ratings": {c: {"rating": r} for c, r in competencies.items()},
        "goal_ratings": [{"title": f"Goal {n}", "rating": r} for n, r in enumerate(goals)],
    }


def errors_of(call) -> dict[str, list[str]]:
    """The field errors a check raises (it must raise)."""
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors


# --- compute_score ---------------------------------------------------------------------------------------


def test_a_rating_counts_from_0_for_the_lowest_point_to_100_for_the_highest():
    t = template(weights={"goals": 0, "competencies": 100, "feedback": 0})
    assert compute_score(t, manager({"delivery": 1, "collaboration": 1})).value == 0
    assert compute_score(t, manager({"delivery": 4, "collaboration": 4})).value == 100
    assert compute_score(t, manager({"delivery": 2, "collaboration": 3})).value == 50  # (33.3 + 66.7) / 2


def test_every_part_with_data_counts_by_its_weight():
    score = compute_score(template(), manager({"delivery": 4, "collaboration": 3}, goals=[4]), feedback_ratings=[3])
    # goals 100 × 40, competencies 83.3 × 40, feedback 66.7 × 20, over 100
    assert score.value == 86.7
    assert [(p.name, p.weight, round(p.value, 1)) for p in score.parts] == [
        ("goals", 40, 100.0),
        ("competencies", 40, 83.3),
        ("feedback", 20, 66.7),
    ]
    assert score.rule == SCORE_RULE


def test_an_absent_part_is_left_out_and_the_others_renormalised_never_averaged_with_zero():
    score = compute_score(template(), manager({"delivery": 4, "collaboration": 3}, goals=[4]))
    # (100 × 40 + 83.3 × 40) / 80, where counting feedback as zero would give 73.3
    assert score.value == 91.7
    feedback = score.as_dict()["parts"][2]
    assert feedback == {
        "name": "feedback",
        "weight": 20,
        "value": None,
        "basis": "0 peer/upward rating(s)",
        "used": False,
    }


def test_only_competency_ratings_score_as_the_competencies_alone():
    assert compute_score(template(), manager({"delivery": 3, "collaboration": 3})).value == 66.7


def test_an_unrated_competency_or_goal_is_left_out_not_counted_as_the_lowest_point():
    score = compute_score(template(), manager({"delivery": 4, "collaboration": None}, goals=[None, 4]))
    assert score.value == 100
    assert "1 competency" in score.parts[1].basis and "1 goal(s)" in score.parts[0].basis


def test_nothing_rated_gives_no_score():
    assert compute_score(template(), None).value is None
    assert compute_score(template(), manager({})).value is None


def test_a_part_weighted_zero_does_not_count_even_with_data():
    t = template(weights={"goals": 0, "competencies": 50, "feedback": 50})
    assert compute_score(t, manager({"delivery": 4, "collaboration": 4}, goals=[1])).value == 100


def test_weights_decide_how_much_a_part_moves_the_score():
    content = manager({"delivery": 4, "collaboration": 4}, goals=[1])
    goal_heavy = compute_score(template({"goals": 80, "competencies": 20, "feedback": 0}), content)
    competency_heavy = compute_score(template({"goals": 20, "competencies": 80, "feedback": 0}), content)
    assert (goal_heavy.value, competency_heavy.value) == (20, 80)


def test_linked_goals_score_by_their_weighted_progress_instead_of_the_managers_goal_ratings():
    t = template(weights={"goals": 100, "competencies": 0, "feedback": 0})
    score = compute_score(t, manager({}, goals=[1]), goal_progress=[(60, 50.0), (40, 100.0)])
    assert score.value == 70  # (60 × 50 + 40 × 100) / 100; the manager's rating of 1 is not used
    assert score.parts[0].basis == "weighted progress of 2 goal(s)"


def test_a_mostly_exceeding_review_scores_between_exceeds_and_outstanding():
    content = manager({"delivery": 4, "collaboration": 3}, goals=[3, 3, 4])
    score = compute_score(template(), content, feedback_ratings=[3, 3, 3, 4])
    # goals (66.7 + 66.7 + 100) / 3 = 77.8; competencies 83.3; feedback 75.0 → (40·77.8 + 40·83.3 + 20·75) / 100
    assert score.value == 79.4
    assert 66.7 < score.value < 100


# --- content rules: drafts may be incomplete, a submission must be complete -----------------------------------


COMPLETE_SELF = {
    "competency_ratings": {"delivery": {"rating": 3}, "collaboration": {"rating": 2}},
    "goal_results": [{"title": "Importer", "result": "Shipped", "rating": 3}],
    "achievements": "The importer.",
    "answers": {"proud": "The importer."},
}


def test_an_empty_self_draft_is_fine_but_an_empty_submission_names_every_missing_field():
    check_self({}, template(), submit=False)
    errors = errors_of(lambda: check_self({}, template(), submit=True))
    assert set(errors) == {
        "competency_ratings.delivery.rating",
        "competency_ratings.collaboration.rating",
        "answers.proud",
        "achievements",
    }


def test_a_complete_self_assessment_can_be_submitted():
    check_self(COMPLETE_SELF, template(), submit=True)


def test_a_submitted_goal_result_must_say_what_was_achieved():
    content = COMPLETE_SELF | {"goal_results": [{"title": "Importer", "result": " ", "rating": 3}]}
    check_self(content, template(), submit=False)
    assert set(errors_of(lambda: check_self(content, template(), submit=True))) == {"goal_results.0.result"}


def test_a_self_draft_is_still_refused_when_it_makes_no_sense():
    content = {
        "competency_ratings": {"delivery": {"rating": 5}, "charisma": {"rating": 2}},
        "goal_results": [{"title": "x", "rating": 0}],
        "answers": {"unknown": "?"},
        "training_needs": [{"topic": " ?! "}],
    }
    errors = errors_of(lambda: check_self(content, template(), submit=False))
    assert set(errors) == {
        "competency_ratings.delivery.rating",
        "competency_ratings.charisma",
        "goal_results.0.rating",
        "answers.unknown",
        "training_needs.0.topic",
    }


COMPLETE_MANAGER = {
    "competency_ratings": {"delivery": {"rating": 4}, "collaboration": {"rating": 3}},
    "strengths": "Ownership.",
    "areas_to_strengthen": "Delegation.",
    "narrative": "A strong year.",
    "answers": {"next": "Lead a project."},
    "obstacles": [{"description": "Slow CI", "remediation": "Faster runners", "owner_id": "E3", "due": "2026-05-01"}],
}


def test_a_complete_manager_assessment_can_be_submitted():
    check_manager(COMPLETE_MANAGER, template(), submit=True, people={"E3"})


def test_an_empty_manager_draft_is_fine_but_a_submission_needs_ratings_texts_and_required_answers():
    check_manager({}, template(), submit=False, people=set())
    errors = errors_of(lambda: check_manager({}, template(), submit=True, people=set()))
    assert set(errors) == {
        "competency_ratings.delivery.rating",
        "competency_ratings.collaboration.rating",
        "answers.next",
        "strengths",
        "areas_to_strengthen",
        "narrative",
    }


def test_a_submitted_obstacle_needs_a_remediation_an_owner_and_a_due_date():
    content = COMPLETE_MANAGER | {"obstacles": [{"description": "Slow CI"}]}
    check_manager(content, template(), submit=False, people={"E3"})
    errors = errors_of(lambda: check_manager(content, template(), submit=True, people={"E3"}))
    assert set(errors) == {"obstacles.0.remediation", "obstacles.0.owner_id", "obstacles.0.due"}


def test_an_action_owned_by_someone_unknown_is_refused_even_in_a_draft():
    errors = errors_of(lambda: check_manager(COMPLETE_MANAGER, template(), submit=False, people={"E4"}))
    assert errors == {"obstacles.0.owner_id": ["unknown person 'E3'"]}


def test_a_manager_goal_rating_off_the_scale_is_refused():
    content = {"goal_ratings": [{"title": "x", "rating": 9}]}
    assert set(errors_of(lambda: check_manager(content, template(), submit=False, people=set()))) == {
        "goal_ratings.0.rating"
    }


COMPLETE_DISCUSSION = {
    "date": "2026-03-01",
    "notes": "Talked it through.",
    "agreed_actions": [{"description": "Pair on design", "owner_id": "E4", "due": "2026-06-01"}],
}


def test_a_complete_discussion_can_be_recorded():
    check_discussion(COMPLETE_DISCUSSION, submit=True, people={"E4"}, today=TODAY)


def test_a_discussion_draft_may_be_empty_but_a_record_needs_its_date_and_notes():
    check_discussion({}, submit=False, people=set(), today=TODAY)
    assert set(errors_of(lambda: check_discussion({}, submit=True, people=set(), today=TODAY))) == {"date", "notes"}


def test_an_agreed_action_needs_an_owner_and_a_due_date_when_recorded():
    content = COMPLETE_DISCUSSION | {"agreed_actions": [{"description": "Pair on design"}]}
    check_discussion(content, submit=False, people=set(), today=TODAY)
    errors = errors_of(lambda: check_discussion(content, submit=True, people=set(), today=TODAY))
    assert set(errors) == {"agreed_actions.0.owner_id", "agreed_actions.0.due"}


def test_a_discussion_cannot_be_recorded_before_it_happens_not_even_as_a_draft():
    content = COMPLETE_DISCUSSION | {"date": "2026-03-03"}
    assert set(errors_of(lambda: check_discussion(content, submit=False, people={"E4"}, today=TODAY))) == {"date"}
    check_discussion(content | {"date": "2026-03-02"}, submit=True, people={"E4"}, today=TODAY)


# --- the transition table ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), list(TRANSITIONS), ids=lambda v: v.value)
def test_every_row_of_the_transition_table_is_allowed(state, action):
    assert next_state(state, action) is TRANSITIONS[(state, action)]


REFUSED = [(s, a) for s, a in product(ReviewState, ReviewAction) if a is not A.RETURN and (s, a) not in TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=lambda v: v.value)
def test_every_transition_not_in_the_table_is_refused(state, action):
    with pytest.raises(Conflict) as caught:
        next_state(state, action)
    assert state.replace("_", " ") in caught.value.message


def test_the_table_walks_a_review_from_not_started_to_finalised():
    path = [A.SAVE_SELF, A.SUBMIT_SELF, A.SAVE_MANAGER, A.SUBMIT_MANAGER, A.SAVE_DISCUSSION]
    path += [A.RECORD_DISCUSSION, A.ACKNOWLEDGE, A.FINALISE]
    state = S.NOT_STARTED
    for action in path:
        state = next_state(state, action)
    assert state is S.FINALISED


def test_drafts_never_change_the_state():
    drafts = {a for a in ReviewAction if a.value.startswith("save_")}
    assert all(TRANSITIONS[(s, a)] is s for s, a in TRANSITIONS if a in drafts)


@pytest.mark.parametrize(("state", "to"), [(s, t) for s in ReviewState for t in RETURNS[s]], ids=lambda v: v.value)
def test_hr_may_return_a_review_to_any_earlier_state(state, to):
    assert next_state(state, A.RETURN, to) is to


@pytest.mark.parametrize(
    ("state", "to"), [(s, t) for s in ReviewState for t in ReviewState if at_least(t, s)], ids=lambda v: v.value
)
def test_a_return_to_the_same_or_a_later_state_is_refused(state, to):
    with pytest.raises(Conflict):
        next_state(state, A.RETURN, to)


def test_a_return_must_name_where_to_and_a_new_review_has_nowhere_to_go_back_to():
    with pytest.raises(Conflict):
        next_state(S.DISCUSSED, A.RETURN)
    with pytest.raises(Conflict) as caught:
        next_state(S.NOT_STARTED, A.RETURN, S.NOT_STARTED)
    assert "nothing" in caught.value.message
    assert RETURNS[S.FINALISED] == tuple(s for s in ORDER[:-1] if s is not S.IN_CALIBRATION)


def test_hr_never_returns_a_review_into_calibration():
    """Only a calibration session holds a review in calibration (reopening one puts it back); a return into it
    would leave the review waiting for a session that does not exist."""
    assert all(S.IN_CALIBRATION not in targets for targets in RETURNS.values())
    with pytest.raises(Conflict):
        next_state(S.DISCUSSED, A.RETURN, to=S.IN_CALIBRATION)
    assert next_state(S.DISCUSSED, A.RETURN, to=S.SELF_SUBMITTED) is S.SELF_SUBMITTED
