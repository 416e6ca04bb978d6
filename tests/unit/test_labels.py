"""Words for people: the score as a sentence, the scale's words, dates, codes, and the audit trail as a story."""

from __future__ import annotations

from service.domain.templates import template_from_dict
from service.views import labels
from tests import factories as f


def template():
    data = f.template_data()
    return template_from_dict({**data, "template_id": "t", "version": 1})


SCORE = {
    "value": 72.4,
    "parts": [
        {"name": "goals", "weight": 40, "value": 65.0},
        {"name": "competencies", "weight": 40, "value": 80.0},
        {"name": "feedback", "weight": 20, "value": None},
    ],
}


def test_the_score_reads_as_a_sentence_with_weights_and_the_part_left_out():
    assert labels.score_sentence(SCORE) == (
        "72 of 100: goals 65 (weight 50%), competencies 80 (50%); feedback not enough answers yet, left out, so the"
        " declared weights (goals 40%, competencies 40%, feedback 20%) were rescaled to the parts that count"
    )


def test_the_score_is_read_back_on_the_rating_scale():
    assert labels.score_on_scale(SCORE, template()) == "On the 4-point scale that is 3.2, nearest to “Exceeds”."


def test_no_score_yet_says_so():
    assert labels.score_sentence(None) == "No score yet."


def test_ratings_codes_and_dates_read_as_words():
    assert labels.rating_word(3, template()) == "Exceeds (3 of 4)"
    assert labels.rating_word(None, template()) == "not rated"
    assert labels.word("on_the_job") == "On-the-job training" and labels.word("in_progress") == "In progress"
    assert labels.when("2026-12-03T14:02:59+00:00") == "3 Dec 2026, 14:02 UTC"


def test_a_task_reads_in_the_voice_of_whoever_reads_it():
    assert labels.task_title("self_assessment", mine=True) == "Write your self assessment"
    assert labels.task_title("self_assessment", mine=False) == "Waiting for the self assessment"


def test_the_audit_trail_reads_as_a_history_with_labelled_changes():
    records = [
        {
            "version": 3,
            "at": "2026-12-03T14:02:10Z",
            "actor": "E3",
            "action": "submit_manager",
            "changes": [
                {"field": "manager_assessment.competency_ratings.delivery.rating", "from": None, "to": 4},
                {"field": "manager_assessment.narrative", "from": "", "to": "x" * 400},
                {"field": "submitted.manager_submitted", "from": None, "to": "2026-12-03T14:02:10Z"},
                {"field": "state", "from": "self_submitted", "to": "manager_submitted"},
            ],
        }
    ]
    [entry] = labels.audit_story(records, template(), {"E3": "Fatima Al-Sayed"})
    assert entry["sentence"] == "Fatima Al-Sayed submitted the manager assessment"
    assert entry["when"] == "3 Dec 2026, 14:02 UTC"
    changes = {c["label"]: c for c in entry["changes"]}
    assert changes["Manager assessment › Delivery rating"]["after"] == "Outstanding (4 of 4)"
    assert changes["Manager assessment › Narrative"]["long"] is True
    assert changes["State"]["before"] == "Self assessment submitted"
    assert not any("submitted." in c["label"] for c in entry["changes"])  # bookkeeping stays out
