"""Goals: cascading alignment rules, weighted roll-up, team assignment, carry-over, the report.

The numbers are checked against a small tree computed by hand:

    ORG  (organisation, across cycles, E1)
    ├── T3   team, E3, weight 60, no key results → rolls up its children
    │   ├── I4a  individual, E4, weight 50, KR 0→10 at 5        → 50 %
    │   └── I5   individual, E5, weight 100, KR 100→0 at 25     → 75 % (a decreasing target)
    └── I4b  individual, E4, weight 50, KR 0→4 at 4             → 100 %
    I6   individual, E6, weight 100, no parent, at risk         → orphan

    T3  = (50×50 + 100×75) / 150       = 66.67
    ORG = (60×66.67 + 50×100) / 110    = 81.82
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.goal_store import RollupStore
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, PermissionDenied, ValidationFailed
from service.domain.goals import AlignmentFacts, Goal, GoalLevel, KeyResult, check_alignment
from service.services import cycles as cycle_svc
from service.services import goals as svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def kr(start, target, current):
    return [{"id": "k1", "title": "measure", "start": start, "target": target, "current": current, "unit": ""}]


@pytest.fixture
def world():
    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    CYCLE[:] = [cycle.cycle_id]
    return table, clock, cycle


@pytest.fixture
def tree(world):
    table, clock, cycle = world
    p = lambda e: f.principal(table, e)  # noqa: E731
    c = cycle.cycle_id
    ids = {}
    ids["ORG"] = svc.create_goal(
        UnitOfWork(table), p("E1"), {"level": "organisation", "title": "Grow revenue 20%"}, clock
    ).goal_id
    ids["T3"] = svc.create_goal(
        UnitOfWork(table),
        p("E3"),
        {"level": "team", "title": "Ship platform", "weight": 60, "cycle_id": c, "parent_id": ids["ORG"]},
        clock,
    ).goal_id
    ids["I4a"] = svc.create_goal(
        UnitOfWork(table),
        p("E4"),
        {
            "level": "individual",
            "title": "Importer",
            "weight": 50,
            "cycle_id": c,
            "parent_id": ids["T3"],
            "key_results": kr(0, 10, 5),
        },
        clock,
    ).goal_id
    ids["I5"] = svc.create_goal(
        UnitOfWork(table),
        p("E5"),
        {
            "level": "individual",
            "title": "Cut errors",
            "weight": 100,
            "cycle_id": c,
            "parent_id": ids["T3"],
            "key_results": kr(100, 0, 25),
        },
        clock,
    ).goal_id
    ids["I4b"] = svc.create_goal(
        UnitOfWork(table),
        p("E4"),
        {
            "level": "individual",
            "title": "Sales demo",
            "weight": 50,
            "cycle_id": c,
            "parent_id": ids["ORG"],
            "key_results": kr(0, 4, 4),
        },
        clock,
    ).goal_id
    ids["I6"] = svc.create_goal(
        UnitOfWork(table),
        p("E6"),
        {"level": "individual", "title": "Hiring plan", "weight": 100, "cycle_id": c, "status": "at_risk"},
        clock,
    ).goal_id
    return table, clock, cycle, ids


def progress(table, goal_id):
    goal = svc.get_goal(UnitOfWork(table), None, goal_id)
    return svc.get_goal(UnitOfWork(table), None, goal_id, goal.cycle_id or CYCLE[0]).progress


CYCLE: list[str] = []


def report(table, cycle):
    return asdict(svc.alignment_report(UnitOfWork(table), f.principal(table, "E1"), cycle.cycle_id))


def test_key_result_progress_handles_decreasing_targets():
    assert KeyResult("k", "t", 100, 0, 25, "").percent == 75
    assert KeyResult("k", "t", 0, 10, 15, "").percent == 100
    assert KeyResult("k", "t", 0, 10, -3, "").percent == 0


def test_roll_up_matches_the_hand_computed_tree(tree):
    table, _, _, ids = tree
    assert progress(table, ids["I4a"]) == 50
    assert progress(table, ids["I5"]) == 75
    assert progress(table, ids["T3"]) == 66.67
    assert progress(table, ids["ORG"]) == 81.82


def test_report_matches_the_hand_computed_tree(tree):
    table, _, cycle, ids = tree
    r = report(table, cycle)
    assert r["organisation_goals"] == [
        {
            "goal_id": ids["ORG"],
            "title": "Grow revenue 20%",
            "owner_id": "E1",
            "status": "on_track",
            "standing": "on_track",  # issue 25: the badge (no day given: no pace, so the status)
            "aligned_goals": 4,
            "people": 3,
            "progress": 81.82,
            "key_results": [],  # issue 25: each key result in words that fit its direction
            "checked_in": None,  # issue 28: when the latest check-in was (none here)
        }
    ]
    assert r["departments"] == [
        {"department": "Engineering", "individual_goals": 3, "aligned": 3, "share_aligned": 1.0},
        {"department": "People", "individual_goals": 1, "aligned": 0, "share_aligned": 0.0},
    ]
    assert r["orphans"]["count"] == 1 and [g["goal_id"] for g in r["orphans"]["goals"]] == [ids["I6"]]
    assert r["at_risk"]["count"] == 1 and r["at_risk"]["goals"][0]["title"] == "Hiring plan"


def test_progress_update_is_recomputed_up_the_chain(tree):
    table, clock, _, ids = tree
    goal = svc.get_goal(UnitOfWork(table), None, ids["I4a"])
    svc.update_goal(
        UnitOfWork(table), f.principal(table, "E4"), ids["I4a"], {"key_results": kr(0, 10, 10)}, goal.version, clock
    )
    assert progress(table, ids["T3"]) == 83.33  # (50×100 + 100×75) / 150
    assert progress(table, ids["ORG"]) == 90.91  # (60×83.33 + 50×100) / 110


def test_realignment_moves_the_contribution(tree):
    table, clock, cycle, ids = tree
    goal = svc.get_goal(UnitOfWork(table), None, ids["I5"])
    svc.update_goal(
        UnitOfWork(table), f.principal(table, "E5"), ids["I5"], {"parent_id": ids["ORG"]}, goal.version, clock
    )
    assert progress(table, ids["T3"]) == 50  # only I4a is left under T3
    assert progress(table, ids["ORG"]) == 73.81  # (60×50 + 50×100 + 100×75) / 210
    assert report(table, cycle)["organisation_goals"][0]["aligned_goals"] == 4


def test_dropping_a_goal_takes_it_out_of_the_weighting(tree):
    table, clock, _, ids = tree
    goal = svc.get_goal(UnitOfWork(table), None, ids["I4b"])
    svc.update_goal(UnitOfWork(table), f.principal(table, "E4"), ids["I4b"], {"status": "dropped"}, goal.version, clock)
    assert progress(table, ids["ORG"]) == 66.67  # only T3 (66.67) is left


def test_aligning_an_orphan_updates_department_share_and_orphans(tree):
    table, clock, cycle, ids = tree
    goal = svc.get_goal(UnitOfWork(table), None, ids["I6"])
    svc.update_goal(
        UnitOfWork(table), f.principal(table, "E6"), ids["I6"], {"parent_id": ids["ORG"]}, goal.version, clock
    )
    r = report(table, cycle)
    assert r["orphans"]["count"] == 0
    assert {d["department"]: d["share_aligned"] for d in r["departments"]} == {"Engineering": 1.0, "People": 1.0}
    assert r["organisation_goals"][0]["people"] == 4


def test_individual_goal_may_not_align_to_another_managers_team_goal(world):
    table, clock, cycle = world
    t2 = svc.create_goal(
        UnitOfWork(table),
        f.principal(table, "E2"),
        {"level": "team", "title": "People plan", "cycle_id": cycle.cycle_id},
        clock,
    )
    with pytest.raises(ValidationFailed) as info:
        svc.create_goal(
            UnitOfWork(table),
            f.principal(table, "E4"),
            {"level": "individual", "title": "x", "weight": 10, "cycle_id": cycle.cycle_id, "parent_id": t2.goal_id},
            clock,
        )
    assert "manager's team goal" in info.value.errors["parent_id"][0]


def test_a_goal_may_not_align_to_a_lower_goal(tree):
    table, clock, cycle, ids = tree
    with pytest.raises(ValidationFailed) as info:
        svc.create_goal(
            UnitOfWork(table),
            f.principal(table, "E3"),
            {"level": "team", "title": "x", "cycle_id": cycle.cycle_id, "parent_id": ids["I4a"]},
            clock,
        )
    assert "not higher" in info.value.errors["parent_id"][0]
    with pytest.raises(ValidationFailed):
        svc.create_goal(
            UnitOfWork(table),
            f.principal(table, "E1"),
            {"level": "organisation", "title": "x", "parent_id": ids["ORG"]},
            clock,
        )


def test_team_goal_aligns_to_a_team_goal_higher_up_only(tree):
    table, clock, cycle, ids = tree
    t1 = svc.create_goal(
        UnitOfWork(table),
        f.principal(table, "E1"),
        {"level": "team", "title": "Exec team", "cycle_id": cycle.cycle_id},
        clock,
    )
    t3 = svc.get_goal(UnitOfWork(table), None, ids["T3"])
    svc.update_goal(
        UnitOfWork(table), f.principal(table, "E3"), ids["T3"], {"parent_id": t1.goal_id}, t3.version, clock
    )
    t1_now = svc.get_goal(UnitOfWork(table), None, t1.goal_id)
    with pytest.raises(ValidationFailed) as info:
        svc.update_goal(
            UnitOfWork(table),
            f.principal(table, "E1"),
            t1.goal_id,
            {"parent_id": ids["T3"]},
            t1_now.version,
            clock,
        )
    assert "loop" in info.value.errors["parent_id"][0]


def test_loops_are_refused_even_between_equals():
    a = Goal("A", GoalLevel.TEAM, "M1", "a", cycle_id="c")
    b = Goal("B", GoalLevel.TEAM, "M0", "b", cycle_id="c", parent_id="A")
    facts = AlignmentFacts("M0", ("M0",), False, ("B", "A"))
    with pytest.raises(ValidationFailed) as info:
        check_alignment(a, b, facts)
    assert "loop" in info.value.errors["parent_id"][0]


def test_alignment_to_a_goal_in_a_closed_cycle_is_refused(world):
    table, clock, cycle = world
    hr = f.principal(table, "E2")
    t3 = svc.create_goal(
        UnitOfWork(table),
        f.principal(table, "E3"),
        {"level": "team", "title": "old", "cycle_id": cycle.cycle_id},
        clock,
    )
    cycle_svc.close_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock)
    template = f.template_svc.list_templates(UnitOfWork(table))[0]
    nxt = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id, name="Next"), clock)
    facts = AlignmentFacts("E3", ("E1", "E3"), True, (t3.goal_id,))
    goal = Goal("new", GoalLevel.INDIVIDUAL, "E4", "n", cycle_id=nxt.cycle_id)
    with pytest.raises(ValidationFailed) as info:
        check_alignment(goal, UnitOfWork(table).goals.existing(t3.goal_id), facts)
    assert "closed cycle" in info.value.errors["parent_id"][0]
    with pytest.raises(Conflict):
        svc.create_goal(
            UnitOfWork(table),
            f.principal(table, "E4"),
            {"level": "individual", "title": "late", "weight": 5, "cycle_id": cycle.cycle_id},
            clock,
        )


def test_weights_warn_while_drafting(tree):
    table, clock, cycle, _ = tree
    extra = svc.create_goal(
        UnitOfWork(table),
        f.principal(table, "E4"),
        {"level": "individual", "title": "More", "weight": 10, "cycle_id": cycle.cycle_id},
        clock,
    )
    assert extra.warnings == ["goal weights of E4 add up to 110, not 100"]


def test_weights_must_add_up_when_the_self_assessment_is_submitted(tree):
    from service.services import reviews as review_svc

    table, clock, cycle, _ = tree
    emp = f.principal(table, "E4")
    svc.create_goal(
        UnitOfWork(table),
        emp,
        {"level": "individual", "title": "More", "weight": 10, "cycle_id": cycle.cycle_id},
        clock,
    )
    with pytest.raises(ValidationFailed) as info:
        review_svc.save_self_assessment(UnitOfWork(table), emp, cycle.cycle_id, "E4", f.self_content(), 1, True, clock)
    assert info.value.errors["goals"] == ["your goal weights add up to 110, not 100"]
    review_svc.save_self_assessment(UnitOfWork(table), emp, cycle.cycle_id, "E4", f.self_content(), 1, False, clock)


def test_only_owners_managers_and_hr_edit_goals(tree):
    table, clock, _cycle, ids = tree
    goal = svc.get_goal(UnitOfWork(table), None, ids["I4a"])
    with pytest.raises(PermissionDenied):
        svc.update_goal(UnitOfWork(table), f.principal(table, "E5"), ids["I4a"], {"weight": 10}, goal.version, clock)
    with pytest.raises(PermissionDenied):
        svc.create_goal(UnitOfWork(table), f.principal(table, "E4"), {"level": "organisation", "title": "x"}, clock)
    svc.update_goal(UnitOfWork(table), f.principal(table, "E3"), ids["I4a"], {"weight": 40}, goal.version, clock)


def test_team_assignment_gives_each_report_an_aligned_copy(tree):
    table, clock, _cycle, ids = tree
    result = asdict(svc.assign_to_team(UnitOfWork(table), f.principal(table, "E3"), ids["T3"], {"weight": 20}, clock))
    assert len(result["created"]) == 2
    copies = [svc.get_goal(UnitOfWork(table), None, g) for g in result["created"]]
    assert sorted(c.owner_id for c in copies) == ["E4", "E5"]
    assert all(c.parent_id == ids["T3"] and c.source_goal_id == ids["T3"] for c in copies)
    again = asdict(svc.assign_to_team(UnitOfWork(table), f.principal(table, "E3"), ids["T3"], {"weight": 20}, clock))
    assert again["created"] == [] and sorted(again["skipped"]) == ["E4", "E5"]


def test_editing_the_source_does_not_overwrite_personal_copies(tree):
    table, clock, _cycle, ids = tree
    made = svc.assign_to_team(UnitOfWork(table), f.principal(table, "E3"), ids["T3"], {"weight": 20}, clock).created
    t3 = svc.get_goal(UnitOfWork(table), None, ids["T3"])
    svc.update_goal(UnitOfWork(table), f.principal(table, "E3"), ids["T3"], {"title": "Renamed"}, t3.version, clock)
    assert {svc.get_goal(UnitOfWork(table), None, g).title for g in made} == {"Ship platform"}


def test_department_assignment_needs_hr_or_leadership(tree):
    table, clock, cycle, ids = tree
    data = {"weight": 10, "department": "Engineering", "cycle_id": cycle.cycle_id}
    with pytest.raises(PermissionDenied):
        svc.assign_to_team(UnitOfWork(table), f.principal(table, "E3"), ids["ORG"], data, clock)
    result = asdict(svc.assign_to_team(UnitOfWork(table), f.principal(table, "E2"), ids["ORG"], data, clock))
    assert len(result["created"]) == 3


def test_carry_over_copies_unfinished_goals_with_history(tree):
    table, clock, cycle, ids = tree
    hr = f.principal(table, "E2")
    cycle_svc.close_cycle(
        UnitOfWork(table), hr, cycle.cycle_id, cycle_svc.get_cycle(UnitOfWork(table), cycle.cycle_id).version, clock
    )
    template = f.template_svc.list_templates(UnitOfWork(table))[0]
    nxt = cycle_svc.create_cycle(
        UnitOfWork(table), hr, f.cycle_data(template.template_id, name="Next", carry_over_goals=True), clock
    )
    cycle_svc.launch_cycle(UnitOfWork(table), hr, nxt.cycle_id, nxt.version, clock, f.inline_queue(table, clock))
    carried = svc.person_goals(UnitOfWork(table), "E4", nxt.cycle_id)
    assert sorted(g.title for g in carried) == ["Importer", "Sales demo"]
    demo = next(g for g in carried if g.title == "Sales demo")
    assert demo.parent_id == ids["ORG"]  # still aligned to the organisation goal across cycles
    importer = next(g for g in carried if g.title == "Importer")
    assert importer.parent_id is None and importer.carried_from == ids["I4a"]
    assert importer.history[-1]["carried_from_cycle"] == cycle.cycle_id
    assert importer.progress == 50


def test_carry_over_from_a_third_cycle_copies_only_the_latest(tree):
    table, clock, cycle, _ = tree
    hr = f.principal(table, "E2")
    template = f.template_svc.list_templates(UnitOfWork(table))[0]
    previous = cycle
    for name in ("Second", "Third"):
        current = cycle_svc.get_cycle(UnitOfWork(table), previous.cycle_id)
        cycle_svc.close_cycle(UnitOfWork(table), hr, current.cycle_id, current.version, clock)
        nxt = cycle_svc.create_cycle(
            UnitOfWork(table), hr, f.cycle_data(template.template_id, name=name, carry_over_goals=True), clock
        )
        cycle_svc.launch_cycle(UnitOfWork(table), hr, nxt.cycle_id, nxt.version, clock, f.inline_queue(table, clock))
        previous = nxt
    titles = sorted(g.title for g in svc.person_goals(UnitOfWork(table), "E4", previous.cycle_id))
    assert titles == ["Importer", "Sales demo"]


def test_a_goal_may_not_align_to_an_organisation_goal_of_another_cycle(world):
    table, clock, cycle = world
    hr = f.principal(table, "E2")
    only_then = svc.create_goal(
        UnitOfWork(table),
        f.principal(table, "E1"),
        {"level": "organisation", "title": "This cycle", "cycle_id": cycle.cycle_id},
        clock,
    )
    template = f.template_svc.list_templates(UnitOfWork(table))[0]
    other = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id, name="Other"), clock)
    with pytest.raises(ValidationFailed) as info:
        svc.create_goal(
            UnitOfWork(table),
            f.principal(table, "E4"),
            {
                "level": "individual",
                "title": "x",
                "weight": 10,
                "cycle_id": other.cycle_id,
                "parent_id": only_then.goal_id,
            },
            clock,
        )
    assert "within one cycle" in info.value.errors["parent_id"][0]


def test_a_concurrent_first_roll_up_is_retried_not_refused(world, monkeypatch):
    table, clock, cycle = world
    org = svc.create_goal(UnitOfWork(table), f.principal(table, "E1"), {"level": "organisation", "title": "O"}, clock)
    real_stage = RollupStore.stage
    raced = []

    def stage_after_a_rival(self):
        if not raced:  # a rival creates the first goal under O between our read and our commit
            raced.append(1)
            svc.create_goal(
                UnitOfWork(table),
                f.principal(table, "E5"),
                {
                    "level": "individual",
                    "title": "rival",
                    "weight": 50,
                    "cycle_id": cycle.cycle_id,
                    "parent_id": org.goal_id,
                },
                clock,
            )
        return real_stage(self)

    monkeypatch.setattr(RollupStore, "stage", stage_after_a_rival)
    svc.create_goal(
        UnitOfWork(table),
        f.principal(table, "E4"),
        {"level": "individual", "title": "mine", "weight": 50, "cycle_id": cycle.cycle_id, "parent_id": org.goal_id},
        clock,
    )
    report = asdict(svc.alignment_report(UnitOfWork(table), f.principal(table, "E1"), cycle.cycle_id))
    assert report["organisation_goals"][0]["aligned_goals"] == 2 and report["organisation_goals"][0]["people"] == 2
