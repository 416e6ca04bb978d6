"""The calibration domain (issue 23): distributions, outliers, contradictions, targets, groups. Pure examples."""

from __future__ import annotations

import pytest

from service.domain.calibration import (
    GroupKind,
    check_target,
    contradictions,
    distribution,
    flag_against,
    participants_for,
    select_people,
)
from service.domain.directory import Employee, Role
from service.domain.errors import ValidationFailed
from service.domain.templates import template_from_dict
from tests import factories as f

TEMPLATE = template_from_dict({**f.template_data(), "template_id": "t"})  # a 4-point scale


def test_a_distribution_counts_each_point_with_its_average_and_spread():
    d = distribution("Team", [1, 3, 3, 4], 4)
    assert d.counts == [1, 0, 2, 1] and d.total == 4
    assert d.mean == 2.75 and d.spread == pytest.approx(1.09, abs=0.01)


def test_a_manager_whose_average_is_off_the_sessions_by_more_than_half_a_point_is_flagged():
    session = distribution("Session", [2, 2, 3, 3, 3, 2], 4)
    generous = flag_against(distribution("Alan", [4, 4], 4), session)
    usual = flag_against(distribution("Grace", [2, 3], 4), session)
    assert generous.flags and "average 4.0" in generous.flags[0]
    assert usual.flags == []


def test_a_manager_whose_spread_is_off_the_sessions_is_flagged():
    session = distribution("Session", [2, 3, 2, 3, 2, 3], 4)
    wide = flag_against(distribution("Ada", [1, 4, 1, 4], 4), session)
    assert any(flag.startswith("spread") for flag in wide.flags)


def test_a_rating_far_from_a_part_of_its_score_contradicts_it():
    parts = [
        {"name": "goals", "value": 0.0},  # read as 1 of 4
        {"name": "competencies", "value": 100.0},  # the rating's own part is not compared
        {"name": "feedback", "value": None},
    ]
    assert contradictions(4, parts, TEMPLATE) == ["goals read as Below"]
    assert contradictions(2, parts, TEMPLATE) == []


def test_a_target_gives_a_percentage_per_point_adding_up_to_100():
    check_target([10, 20, 50, 20], 4)
    check_target([], 4)
    with pytest.raises(ValidationFailed):
        check_target([50, 50], 4)
    with pytest.raises(ValidationFailed):
        check_target([10, 20, 50, 30], 4)


def person(eid: str, manager: str | None, department: str, chain: tuple[str, ...], *roles: Role) -> Employee:
    return Employee(
        eid, eid, f"{eid}@x", department=department, manager_id=manager, chain=chain, roles=frozenset(roles)
    )


PEOPLE = [
    person("L", None, "Board", (), Role.LEADERSHIP),
    person("M", "L", "Eng", ("L",), Role.MANAGER),
    person("A", "M", "Eng", ("L", "M")),
    person("B", "M", "Sales", ("L", "M")),
]


def test_a_subtree_holds_the_root_and_everyone_below_who_is_in_the_cycle():
    chosen = select_people(GroupKind.SUBTREE, "", "M", [], PEOPLE, {"M", "A"})
    assert [p.employee_id for p in chosen] == ["A", "M"]


def test_a_listed_person_outside_the_cycle_is_refused():
    with pytest.raises(ValidationFailed) as refused:
        select_people(GroupKind.LIST, "", "", ["A", "Z"], PEOPLE, {"A"})
    assert "'Z'" in str(refused.value.errors)


def test_participants_are_the_managers_and_the_leadership_above_them():
    members = [p for p in PEOPLE if p.employee_id in ("A", "B")]
    directory = {p.employee_id: p for p in PEOPLE}
    assert participants_for(members, directory, {"A": "M", "B": "M"}) == ["L", "M"]


def test_changes_count_the_adjusted_people_and_which_way_their_overall_rating_moved():
    from service.domain.calibration import changes_of

    c = changes_of("Alan", [(True, 4, 3), (True, 2, 3), (True, 3, 3), (False, 3, 3), (False, None, None)])
    assert (c.people, c.changed, c.up, c.down) == (5, 3, 1, 1)


def test_the_rating_report_withholds_groups_under_5_and_what_subtraction_would_reveal():
    from service.domain.calibration import rating_rows

    now = {"Engineering": [3] * 6 + [4] * 5, "Sales": [2] * 5 + [3] * 5, "Legal": [3] * 3}
    everyone, rows = rating_rows(now, {"Engineering": [2] * 6}, 4)
    by = {r.group: r for r in rows}
    assert by["Legal"].total is None and by["Legal"].counts == [None] * 4 and by["Legal"].mean is None
    # Legal's 3 could be read as everyone minus Engineering minus Sales: another total goes too
    assert by["Engineering"].total is None or by["Sales"].total is None or everyone.total is None
    assert by["Engineering"].counts[0] in (0, None)  # nobody at 1: a known zero may show
    # the 3s: Engineering 6, Sales 5, Legal 3 (withheld) → Sales' or Engineering's 3s go with it, or everyone's
    threes = [by["Engineering"].counts[2], by["Sales"].counts[2], everyone.counts[2]]
    assert threes.count(None) >= 1
    assert by["Engineering"].previous_mean in (2.0, None)


def test_the_rating_report_shows_groups_of_5_or_more_with_the_trend():
    from service.domain.calibration import rating_rows

    now = {"Engineering": [3] * 5 + [4] * 5, "Sales": [2] * 5 + [3] * 5}
    everyone, rows = rating_rows(now, {"Engineering": [2] * 5, "Sales": [3] * 5}, 4)
    by = {r.group: r for r in rows}
    assert by["Engineering"].counts == [0, 0, 5, 5] and by["Engineering"].mean == 3.5
    assert by["Engineering"].previous_mean == 2.0 and everyone.total == 20 and everyone.previous_mean == 2.5
