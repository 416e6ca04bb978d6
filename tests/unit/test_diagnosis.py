"""Where problems sit (issue 27, point 2) and the improvement plan's table (point 3): the pure rules, with properties
for the suppression of the diagnosis's own figures (competency gaps by department, upward feedback by level),
audited by tests/unit/suppression_audit.py, which works out from the raw data what a reader can compute."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from service.domain.decisions import expectation_point
from service.domain.diagnosis import (
    AREA_LABELS,
    AREA_OF,
    ORG,
    CycleFigures,
    FindingKind,
    GapCell,
    GapRow,
    LevelFigure,
    ProblemArea,
    TrainingFigure,
    TrainingTotals,
    UpwardGroup,
    areas_from,
    gap_rows,
    known_apart,
    reading,
    upward_levels,
)
from service.domain.errors import Conflict
from service.domain.improvement_plan import PLAN_WORKFLOW, PlanAction, actions_from
from service.domain.reviews import ObstacleCategory
from service.domain.workflow import Progress
from tests.unit.suppression_audit import Audit

EXAMPLES = int(os.environ.get("SUPPRESSION_EXAMPLES", "40"))
COMPETENCIES = {"delivery": "Delivery", "collaboration": "Collaboration"}
DEPARTMENTS = ("Eng", "Sales", "Ops")


def test_every_obstacle_category_sits_in_one_area_and_every_area_has_words():
    assert set(AREA_OF) == set(ObstacleCategory)
    assert set(AREA_LABELS) == set(ProblemArea)
    assert {a for a in ProblemArea if a is not ProblemArea.OTHER} <= set(AREA_OF.values())


def test_expectations_are_met_at_the_point_named_meeting_not_at_not_yet_meeting():
    demo_scale = ["Not yet meeting", "Partly meeting", "Meeting", "Exceeding", "Outstanding"]
    assert expectation_point(demo_scale) == 3
    assert expectation_point(["Below expectations", "Meets expectations", "Exceeds", "Outstanding"]) == 2
    assert expectation_point(["1", "2", "3", "4", "5"]) == 3  # no label says so: the middle


def test_an_area_sums_its_categories_and_is_withheld_when_one_of_them_is():
    areas = {a.area: a.obstacles for a in areas_from({"tools": 4, "process": 3, "management_and_leadership": None})}
    assert areas[ProblemArea.TOOLS_AND_PROCESSES] == 7
    assert areas[ProblemArea.MANAGEMENT] is None
    assert areas[ProblemArea.WORKLOAD] == 0  # nothing recorded: a known zero


def figures(**overrides) -> CycleFigures:
    base = {
        "cycle_id": "c2",
        "cycle_name": "2026",
        "areas": areas_from({"tools": 9, "management_and_leadership": 6, "workload": None}),
        "training": TrainingTotals(20, 5),
        "levels": [LevelFigure(2, 3, 12, 2.1), LevelFigure(3, None, None, None), LevelFigure(4, 2, 6, 3.4)],
        "departments": [GapRow("Eng", 10, (GapCell("delivery", "Delivery", 6),), 6)],
        "topics": [TrainingFigure("sql", "SQL", 8, 9, 2)],
    }
    return CycleFigures(**{**base, **overrides})


def test_the_reading_says_what_stands_out_from_the_figures_shown_only():
    before = figures(
        cycle_id="c1",
        cycle_name="2025",
        areas=areas_from({"tools": 2, "management_and_leadership": 7}),
        levels=[LevelFigure(2, 2, 9, 2.6)],
    )
    found = {f.key: f.text for f in reading(figures(), before, 4, 2)}
    assert found["obstacles:tools_and_processes"].startswith("Most obstacles recorded sit with tools and processes: 9")
    assert "rose from 2 in 2025 to 9 in 2026" in found["obstacles_rising:tools_and_processes"]
    assert "obstacles_rising:management_and_leadership" not in found  # it fell
    assert found["upward:level-2"] == (
        "Upward feedback is lowest for managers at level 2: 2.1 on the 4-point scale, at or above expectations "
        "(12 answers); 2.6 in 2025."
    )
    assert found["gap:Eng:delivery"] == "Eng: 6 of 10 people rated were below expectations in Delivery."
    assert found["training:delivered"] == "5 of 20 training needs named in 2026 were addressed (25%)."
    assert found["training:topic:sql"] == "SQL: 7 of 9 needs named not addressed yet."
    # A withheld figure is never read: workload (withheld) and level 3 (withheld) are in no sentence.
    assert not any("workload" in t.casefold() or "level 3" in t for t in found.values())


def test_the_upward_finding_names_the_cycle_before_only_when_its_level_was_shown():
    withheld_before = figures(cycle_name="2025", levels=[LevelFigure(2, None, None, None)])
    text = next(f.text for f in reading(figures(), withheld_before, 4, 2) if f.kind is FindingKind.UPWARD)
    assert text.endswith("(12 answers).") and "2025" not in text
    alone = next(
        f.text
        for f in reading(figures(levels=[LevelFigure(3, 2, 10, 3.35)]), None, 5, 3)
        if f.kind is FindingKind.UPWARD
    )
    assert alone.startswith("Upward feedback is shown only for managers at level 3: 3.35 on the 5-point scale")


def test_nothing_stands_out_when_everything_is_withheld():
    withheld = figures(
        areas=areas_from({"tools": None}), training=TrainingTotals(0, None), levels=[], departments=[], topics=[]
    )
    assert reading(withheld, None, 4, 2) == []


def test_a_cycle_after_one_without_obstacles_reads_no_rise():
    before = figures(cycle_name="2025", areas=areas_from({}))
    assert FindingKind.OBSTACLES_RISING not in {f.kind for f in reading(figures(), before, 4, 2)}


def test_the_plan_moves_by_its_table_and_refuses_the_rest():
    assert PLAN_WORKFLOW.next(Progress.PLANNED, PlanAction.START) is Progress.IN_PROGRESS
    assert PLAN_WORKFLOW.next(Progress.IN_PROGRESS, PlanAction.COMPLETE) is Progress.DONE
    assert actions_from(Progress.DONE) == [PlanAction.REOPEN]
    with pytest.raises(Conflict, match="an item done cannot be started"):
        PLAN_WORKFLOW.next(Progress.DONE, PlanAction.START)


# --- suppression properties -------------------------------------------------------------------------------

person = st.tuples(st.sampled_from(DEPARTMENTS), st.booleans(), st.booleans())  # department, below in each


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person, min_size=0, max_size=40))
def test_competency_gaps_give_no_group_under_5_away(people):
    rated: dict[str, set[str]] = {}
    below: dict[tuple[str, str], set[str]] = {}
    for n, (dept, low_delivery, low_collaboration) in enumerate(people):
        who = f"P{n}"
        rated.setdefault(dept, set()).add(who)
        for cid, low in (("delivery", low_delivery), ("collaboration", low_collaboration)):
            if low:
                below.setdefault((dept, cid), set()).add(who)
    org, rows = gap_rows(rated, below, COMPETENCIES)
    a = Audit()
    everyone = set().union(*rated.values()) if rated else set()
    a.cell(("rated",), everyone)
    anyone: set[str] = set()
    for cid in COMPETENCIES:
        a.cell(("gap", cid), set().union(*(below.get((d, cid), set()) for d in DEPARTMENTS)))
    for d in DEPARTMENTS:
        mine = rated.get(d, set())
        low = set().union(*(below.get((d, cid), set()) for cid in COMPETENCIES))
        anyone |= low
        a.cell(("rated", d), mine)
        a.cell(("any", d), low)
        a.nested(("rated", d), ("any", d))
        for cid in COMPETENCIES:
            a.cell(("gap", d, cid), below.get((d, cid), set()))
            a.nested(("rated", d), ("gap", d, cid))
            a.nested(("any", d), ("gap", d, cid))
    a.cell(("any",), anyone)
    a.equal(("rated",), *(("rated", d) for d in DEPARTMENTS))
    a.equal(("any",), *(("any", d) for d in DEPARTMENTS))
    a.nested(("rated",), ("any",))
    for cid in COMPETENCIES:
        a.equal(("gap", cid), *(("gap", d, cid) for d in DEPARTMENTS))
        a.nested(("rated",), ("gap", cid))
        a.nested(("any",), ("gap", cid))
    for row in [org, *rows]:
        where = () if row.group == ORG else (row.group,)
        a.publish(("rated", *where), row.rated)
        a.publish(("any", *where), row.any_below)
        for c in row.gaps:
            a.publish(("gap", *where, c.competency_id), c.below)
    for k, c in a.cells.items():  # a department absent from the table is known to have nobody
        if not c.members and k[0] != "rest":
            c.published = True
    leaks = a.leaks()
    assert not leaks, "\n".join(leaks)


@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(1, 4), st.integers(3, 9)), max_size=12))
def test_upward_feedback_by_level_gives_no_group_under_5_away(groups):
    shown = [UpwardGroup(level, n, 2.5 * n, n) for level, n in groups]
    rows = upward_levels(shown)
    a = Audit()
    start, members_of = 0, {}
    for level, n in groups:
        members_of.setdefault(level, set()).update(f"R{i}" for i in range(start, start + n))
        start += n
    a.cell(("upward",), set().union(*members_of.values()) if members_of else set())
    for level in range(1, 5):
        a.cell(("level", level), members_of.get(level, set()))
    a.equal(("upward",), *(("level", n) for n in range(1, 5)))
    for r in rows:
        a.publish(("level", r.level), r.respondents)
        assert (r.average is None) == (r.respondents is None)
    for k, c in a.cells.items():
        if not c.members:
            c.published = True
    leaks = a.leaks()
    assert not leaks, "\n".join(leaks)


def test_a_level_is_withheld_where_a_manager_above_some_of_its_groups_would_be_left_with_under_5_others():
    lin = [
        UpwardGroup(3, 3, 9.0, 6, frozenset({"M1", "L1", "E1"})),
        UpwardGroup(3, 3, 9.0, 6, frozenset({"M2", "L1", "E1"})),
    ]
    mo = UpwardGroup(3, 4, 8.0, 8, frozenset({"M3", "L2", "E1"}))
    assert known_apart([*lin, mo])  # Lin reads Mia's and Max's groups: 10 − 6 = Mo's 4
    assert upward_levels([*lin, mo]) == [LevelFigure(3, None, None, None)]
    bigger = UpwardGroup(3, 5, 10.0, 10, frozenset({"M3", "L2", "E1"}))
    assert not known_apart([*lin, bigger])  # 5 others for Lin, 6 for Lars, 8 for Mia or Max, none for Ada
    assert upward_levels([*lin, bigger]) == [LevelFigure(3, 3, 11, 1.27)]


def test_upward_figures_are_final_after_the_deadlines_midnight_on_the_organisations_clock():
    from datetime import UTC, date, datetime
    from zoneinfo import ZoneInfo

    from service.domain.diagnosis import upward_final
    from service.domain.feedback import ReleaseRule

    new_york = ZoneInfo("America/New_York")
    deadline = date(2026, 3, 20)
    evening = datetime(2026, 3, 20, 23, 0, tzinfo=new_york)  # 03:00 UTC on 21 March: a UTC organisation's is final
    assert upward_final(ReleaseRule.DEADLINE, deadline, False, evening) is False
    assert upward_final(ReleaseRule.DEADLINE, deadline, False, evening.astimezone(UTC)) is True
    assert upward_final(ReleaseRule.DEADLINE, deadline, False, datetime(2026, 3, 21, 0, 15, tzinfo=new_york)) is True
