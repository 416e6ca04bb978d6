"""The declared workflow: the table decides, the rest is refused with the workflow's own words."""

import pytest

from service.domain.cycles import CYCLE_TRANSITIONS, CycleAction, CycleState, next_cycle_state
from service.domain.errors import Conflict
from service.domain.learning import INTERVIEW_TRANSITIONS, InterviewAction, InterviewStatus
from service.domain.learning import allows as interview_allows
from service.domain.reviews import TRANSITIONS, ReviewAction, ReviewState
from service.domain.reviews import allows as review_allows
from service.domain.workflow import STAYS, Workflow, steps

DOOR = Workflow({("shut", "open"): "open", ("open", "shut"): "shut"}, lambda s, a: f"cannot {a} a door that is {s}")


def test_next_follows_the_table():
    assert DOOR.next("shut", "open") == "open"


def test_next_refuses_what_the_table_lacks_in_the_workflows_words():
    with pytest.raises(Conflict, match="cannot open a door that is open"):
        DOOR.next("open", "open")


def test_allows_is_exactly_the_tables_rows():
    assert DOOR.allows("open", "shut") and not DOOR.allows("shut", "shut")


def test_a_row_of_steps_may_name_several_states_and_actions():
    table = steps(("shut", "open", "open"), (("open", "ajar"), ("shut", "slam"), "shut"))
    assert table == {
        ("shut", "open"): "open",
        ("open", "shut"): "shut",
        ("open", "slam"): "shut",
        ("ajar", "shut"): "shut",
        ("ajar", "slam"): "shut",
    }


def test_a_step_that_stays_leads_back_to_each_state_it_starts_from():
    assert steps((("open", "shut"), "paint", STAYS)) == {("open", "paint"): "open", ("shut", "paint"): "shut"}


def test_actions_from_keeps_the_actions_order():
    assert Workflow(steps(("open", ("slam", "shut"), "shut")), str).actions_from("open", ["shut", "lock", "slam"]) == [
        "shut",
        "slam",
    ]


@pytest.mark.parametrize(
    ("allows", "table", "states", "actions"),
    [
        (review_allows, TRANSITIONS, ReviewState, ReviewAction),
        (interview_allows, INTERVIEW_TRANSITIONS, InterviewStatus, InterviewAction),
    ],
    ids=["review", "interview"],
)
def test_each_feature_allows_its_tables_rows_only(allows, table, states, actions):
    assert {(s, a) for s in states for a in actions if allows(s, a)} == set(table)


def test_a_cycle_refusal_names_the_action_and_the_state():
    assert (CycleState.CLOSED, CycleAction.LAUNCH) not in CYCLE_TRANSITIONS
    with pytest.raises(Conflict, match="cannot launch a cycle that is closed"):
        next_cycle_state(CycleState.CLOSED, CycleAction.LAUNCH)


def test_a_labelled_choice_is_stored_by_its_value_and_shown_by_its_label():
    from service.domain.workflow import Labelled, labels

    class Colour(Labelled):
        RED = "red", "Bright red"
        BLUE = "blue", "Deep blue"

    assert Colour("red") is Colour.RED and Colour.RED == "red" and f"{Colour.BLUE}" == "blue"
    assert labels(Colour) == {Colour.RED: "Bright red", Colour.BLUE: "Deep blue"}
    assert list(labels(Colour)) == [Colour.RED, Colour.BLUE]
