"""The domain's own checks of the codes, points and dates it later parses (issue 22): whatever a stored draft
holds, a check answers with field errors (ValidationFailed), never a ValueError or TypeError; codes read back
from the table that the enums no longer know read as a default."""

from __future__ import annotations

from datetime import date

import pytest

from service.domain.errors import ValidationFailed
from service.domain.reviews import NeedFormat, Priority, check_discussion, check_manager, check_self
from service.domain.training import (
    Catalogue,
    NeedSource,
    NeedStatus,
    TrainingNeed,
    needs_from_content,
)
from tests.unit.test_domain_reviews import template

TODAY = date(2026, 3, 2)


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationFailed) as caught:
        call()
    return caught.value.errors


def self_draft(**content) -> dict:
    return {"competency_ratings": {}, "answers": {}, "training_needs": [], **content}


@pytest.mark.parametrize("submit", [False, True])
@pytest.mark.parametrize(
    ("row", "field"),
    [
        ({"format": "webinar"}, "training_needs.0.format"),
        ({"format": 3}, "training_needs.0.format"),
        ({"priority": "urgent"}, "training_needs.0.priority"),
        ({"estimated_cost": "about 300"}, "training_needs.0.estimated_cost"),
        ({"estimated_cost": -5}, "training_needs.0.estimated_cost"),
        ({"estimated_cost": float("nan")}, "training_needs.0.estimated_cost"),
        ({"estimated_cost": True}, "training_needs.0.estimated_cost"),
    ],
)
def test_a_need_with_a_code_or_cost_the_domain_cannot_parse_is_a_field_error(row, field, submit):
    content = self_draft(training_needs=[{"topic": "Speaking", **row}])
    assert field in errors_of(lambda: check_self(content, template(), submit))


@pytest.mark.parametrize("fmt", list(NeedFormat))
def test_every_format_is_accepted_and_parsed(fmt):
    content = self_draft(training_needs=[{"topic": "Speaking", "priority": "high", "format": fmt.value}])
    errors = errors_of(lambda: check_self(content, template(), True))
    assert not any(k.startswith("training_needs") for k in errors)
    (need,) = needs_from_content(
        content["training_needs"],
        cycle_id="c1",
        employee_id="E4",
        department="Eng",
        chain=(),
        source=NeedSource.SELF,
        catalogue=Catalogue([]),
    )
    assert need.format is fmt and need.priority is Priority.HIGH


@pytest.mark.parametrize("rating", ["3", 3.0, True, 0, 5, [3]])
def test_a_rating_that_is_not_a_whole_point_of_the_scale_is_a_field_error(rating):
    content = self_draft(competency_ratings={"delivery": {"rating": rating}})
    assert "competency_ratings.delivery.rating" in errors_of(lambda: check_self(content, template(), False))


@pytest.mark.parametrize(
    ("obstacle", "field"),
    [
        ({"category": "culture"}, "obstacles.0.category"),
        ({"status": "blocked"}, "obstacles.0.status"),
        ({"due": "soon"}, "obstacles.0.due"),
        ({"due": "2026-02-30"}, "obstacles.0.due"),
        ({"due": 20260301}, "obstacles.0.due"),
    ],
)
def test_an_obstacle_with_a_code_or_date_the_domain_cannot_parse_is_a_field_error(obstacle, field):
    content = {"obstacles": [{"description": "Old laptops", **obstacle}]}
    assert field in errors_of(lambda: check_manager(content, template(), False, set()))


@pytest.mark.parametrize("held", ["next week", "2026-13-01", 2026])
def test_a_discussion_date_that_is_not_a_date_is_a_field_error(held):
    assert "date" in errors_of(lambda: check_discussion({"date": held}, False, set(), TODAY))


def test_a_stored_need_with_codes_no_longer_known_reads_as_the_defaults():
    record = {
        "need_id": "c1.E4.self.0",
        "cycle_id": "c1",
        "employee_id": "E4",
        "source": "self",
        "topic_id": "speaking",
        "priority": "urgent",
        "format": "webinar",
        "status": "parked",
    }
    need = TrainingNeed.from_record(record)
    assert (need.format, need.priority, need.status) == (NeedFormat.OTHER, Priority.MEDIUM, NeedStatus.OPEN)
    assert TrainingNeed.from_record({**record, "format": "coaching"}).format is NeedFormat.COACHING
