"""The cycle domain on its own: the transition table, progress from counters, dates and participants."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from itertools import product

import pytest

from service.domain.cycles import (
    CYCLE_TRANSITIONS,
    Cycle,
    CycleAction,
    CycleState,
    ParticipantMode,
    Phase,
    check_cycle,
    next_cycle_state,
    progress,
    select_participants,
)
from service.domain.directory import Employee
from service.domain.errors import Conflict, ValidationFailed
from service.domain.reviews import ReviewState

DEADLINES = {
    Phase.GOAL_SETTING: date(2026, 3, 1),
    Phase.SELF_ASSESSMENT: date(2026, 3, 10),
    Phase.FEEDBACK: date(2026, 3, 20),
    Phase.MANAGER_ASSESSMENT: date(2026, 3, 31),
    Phase.DISCUSSION: date(2026, 4, 15),
}


def cycle(**changes) -> Cycle:
    """A valid draft cycle over everyone."""
    c = Cycle("c1", "2026", date(2026, 1, 1), date(2026, 12, 31), "t1", dict(DEADLINES))
    return replace(c, **changes)


# --- transitions ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "action"), list(CYCLE_TRANSITIONS), ids=lambda v: v.value)
def test_every_row_of_the_cycle_table_is_allowed(state, action):
    assert next_cycle_state(state, action) is CYCLE_TRANSITIONS[(state, action)]


REFUSED = [(s, a) for s, a in product(CycleState, CycleAction) if (s, a) not in CYCLE_TRANSITIONS]


@pytest.mark.parametrize(("state", "action"), REFUSED, ids=lambda v: v.value)
def test_every_cycle_transition_not_in_the_table_is_refused(state, action):
    with pytest.raises(Conflict) as caught:
        next_cycle_state(state, action)
    assert f"cannot {action} a cycle that is {state}" in caught.value.message


def test_a_cycle_is_edited_as_a_draft_launched_closed_and_reopened():
    state = CycleState.DRAFT
    for action, expected in [
        (CycleAction.EDIT, CycleState.DRAFT),
        (CycleAction.LAUNCH, CycleState.ACTIVE),
        (CycleAction.CLOSE, CycleState.CLOSED),
        (CycleAction.REOPEN, CycleState.ACTIVE),
    ]:
        state = next_cycle_state(state, action)
        assert state is expected


def test_only_a_draft_can_be_edited_or_launched():
    editable = {s for (s, a) in CYCLE_TRANSITIONS if a in (CycleAction.EDIT, CycleAction.LAUNCH)}
    assert editable == {CycleState.DRAFT}


# --- progress -------------------------------------------------------------------------------------------------

COUNTS = {"not_started": 5, "self_submitted": 3, "manager_submitted": 2, "discussed": 1, "finalised": 4}
BY_DEPARTMENT = {"Sales": {"not_started": 2}, "Engineering": {"not_started": 3, "finalised": 4}}


def test_progress_counts_every_state_with_zeros_and_sums_the_total():
    p = progress(cycle(), COUNTS, BY_DEPARTMENT, date(2026, 3, 2))
    assert p["total"] == 15
    assert p["by_state"] == {
        "not_started": 5,
        "self_submitted": 3,
        "manager_submitted": 2,
        "discussed": 1,
        "acknowledged": 0,
        "finalised": 4,
    }


def test_departments_are_in_name_order_with_every_state():
    p = progress(cycle(), COUNTS, BY_DEPARTMENT, date(2026, 3, 2))
    assert list(p["by_department"]) == ["Engineering", "Sales"]
    # every state its reviews pass through (no calibration in this cycle's template)
    assert p["by_department"]["Sales"] == {
        s.value: (2 if s is ReviewState.NOT_STARTED else 0) for s in ReviewState if s is not ReviewState.IN_CALIBRATION
    }


def test_nothing_is_overdue_before_the_first_task_deadline_nor_on_the_day():
    assert progress(cycle(), COUNTS, {}, date(2026, 3, 10))["overdue"] == {}


def test_after_the_self_assessment_deadline_the_reviews_not_started_are_overdue():
    assert progress(cycle(), COUNTS, {}, date(2026, 3, 11))["overdue"] == {"self_assessment": 5}


def test_after_the_manager_deadline_the_reviews_waiting_for_the_manager_are_overdue_too():
    overdue = progress(cycle(), COUNTS, {}, date(2026, 4, 1))["overdue"]
    assert overdue == {"self_assessment": 5, "manager_assessment": 5 + 3}


def test_after_the_discussion_deadline_everything_before_acknowledgement_is_overdue():
    overdue = progress(cycle(), COUNTS, {}, date(2026, 4, 16))["overdue"]
    assert overdue == {"self_assessment": 5, "manager_assessment": 8, "discussion": 5 + 3 + 2 + 1}


def test_progress_of_a_cycle_without_reviews_is_zero_everywhere():
    p = progress(cycle(), {}, {}, date(2026, 5, 1))
    assert p["total"] == 0 and set(p["by_state"].values()) == {0}
    assert p["overdue"] == {"self_assessment": 0, "manager_assessment": 0, "discussion": 0}


# --- dates, participants and tasks ----------------------------------------------------------------------------


def test_a_valid_cycle_passes_its_checks():
    check_cycle(cycle())


def test_a_cycle_with_dates_out_of_order_names_each_problem():
    c = cycle(name=" ", period_end=date(2025, 1, 1), phases=DEADLINES | {Phase.FEEDBACK: date(2026, 3, 5)})
    with pytest.raises(ValidationFailed) as caught:
        check_cycle(c)
    assert set(caught.value.errors) == {"name", "period_end", "phases"}


def test_a_missing_phase_deadline_is_named():
    phases = {p: d for p, d in DEADLINES.items() if p is not Phase.FEEDBACK}
    with pytest.raises(ValidationFailed) as caught:
        check_cycle(cycle(phases=phases))
    assert caught.value.errors == {"phases": ["give a deadline for feedback"]}


PEOPLE = [
    Employee("E2", "Grace", "g@example.com", department="People"),
    Employee("E1", "Ada", "a@example.com", department="Leadership"),
    Employee("E4", "Kat", "k@example.com", department="Engineering"),
    Employee("E9", "Left", "l@example.com", department="Engineering", active=False),
]


def test_everyone_means_the_active_people_in_id_order():
    assert [p.employee_id for p in select_participants(cycle(), PEOPLE)] == ["E1", "E2", "E4"]


def test_departments_match_without_regard_to_case_and_an_unknown_one_is_refused():
    c = cycle(participant_mode=ParticipantMode.DEPARTMENTS, departments=["engineering"])
    assert [p.employee_id for p in select_participants(c, PEOPLE)] == ["E4"]
    with pytest.raises(ValidationFailed):
        select_participants(replace(c, departments=["Marketing"]), PEOPLE)


def test_a_listed_person_who_has_left_cannot_take_part():
    c = cycle(participant_mode=ParticipantMode.LIST, employee_ids=["E4", "E9"])
    with pytest.raises(ValidationFailed) as caught:
        select_participants(c, PEOPLE)
    assert caught.value.errors == {"employee_ids": ["'E9' is not an active employee"]}


def test_each_state_owes_a_task_to_someone_until_it_is_finalised():
    c = cycle()
    assert c.task_for(ReviewState.NOT_STARTED) == ("self_assessment", "employee", date(2026, 3, 10))
    assert c.task_for(ReviewState.DISCUSSED) == ("acknowledgement", "employee", date(2026, 4, 15))
    assert c.task_for(ReviewState.ACKNOWLEDGED) == ("finalisation", "hr", None)
    assert c.task_for(ReviewState.FINALISED) is None
