"""The training needs low ratings suggest (domain/training.suggested_needs): the one rule the manager form, its
autosave answer, the submission check, the tasks and the needs added on submit all read."""

from __future__ import annotations

from service.domain.training import SuggestedNeed, suggested_needs

COMPETENCIES = [("delivery", "Delivery"), ("collaboration", "Collaboration"), ("ownership", "Ownership")]


def rated(**ratings) -> dict:
    return {"competency_ratings": {cid: {"rating": r} for cid, r in ratings.items()}}


def test_the_bottom_two_points_of_a_four_point_scale_suggest_a_need_in_the_templates_order():
    found = suggested_needs(COMPETENCIES, 4, rated(ownership=1, delivery=2, collaboration=3))
    assert found == [SuggestedNeed("delivery", "Delivery", 2, 4), SuggestedNeed("ownership", "Ownership", 1, 4)]
    assert all(s.undecided for s in found)


def test_on_a_three_point_scale_only_the_bottom_point_suggests_one():
    assert [s.competency_id for s in suggested_needs(COMPETENCIES, 3, rated(delivery=1, ownership=2))] == ["delivery"]


def test_a_form_sent_back_with_typed_text_is_read_and_nonsense_is_not_a_rating():
    content = {"competency_ratings": {"delivery": {"rating": "1"}, "ownership": {"rating": "x"}, "collaboration": {}}}
    content["competency_ratings"]["collaboration"] = {"rating": "0"}
    assert [s.competency_id for s in suggested_needs(COMPETENCIES, 4, content)] == ["delivery"]
    assert suggested_needs(COMPETENCIES, 4, {"competency_ratings": {"delivery": "1"}}) == []
    assert suggested_needs(COMPETENCIES, 4, None) == []


def test_the_managers_answer_is_carried_and_only_a_known_answer_decides():
    content = rated(delivery=1, ownership=2) | {"need_suggestions": {"delivery": "dismissed", "ownership": "maybe"}}
    delivery, ownership = suggested_needs(COMPETENCIES, 4, content)
    assert delivery.answer == "dismissed" and not delivery.undecided
    assert ownership.undecided


def test_a_rating_off_the_scale_or_of_another_shape_suggests_nothing():
    content = {"competency_ratings": {"delivery": {"rating": [1]}, "ownership": {"rating": -1}}}
    content["competency_ratings"]["collaboration"] = {"rating": True}
    assert suggested_needs(COMPETENCIES, 4, content) == []
