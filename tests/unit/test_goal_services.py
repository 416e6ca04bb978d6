"""Goal use cases on the in-memory fakes: a unit of work over a MemoryTable, no Flask, no moto.

In the manner of cosmicpython's tests/unit/test_services.py: the state is built through the
repositories, a use case runs, and the test reads back what was stored and what was returned.

    ORG  organisation, across cycles, E1
    └── T3   team, E3, weight 60
        ├── I4   individual, E4, weight 50, KR 0→10 at 5   → 50 %
        └── I5   individual, E5, weight 100, KR 100→0 at 25 → 75 %
    T3 = (50×50 + 100×75) / 150 = 66.67
"""

from __future__ import annotations

from dataclasses import asdict, replace
from datetime import UTC, date, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable, Page
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState, Phase
from service.domain.directory import Employee, Role
from service.domain.errors import Clash, Conflict, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.goals import GoalLevel
from service.services import goals, policy
from service.services.auth import Principal

AT = "2026-03-02T09:00:00Z"
PEOPLE = [
    # id, department, manager, roles, chain
    ("E1", "Leadership", None, {Role.LEADERSHIP, Role.MANAGER}, ()),
    ("E2", "People", "E1", {Role.HR, Role.MANAGER}, ("E1",)),
    ("E3", "Engineering", "E1", {Role.MANAGER}, ("E1",)),
    ("E4", "Engineering", "E3", set(), ("E1", "E3")),
    ("E5", "Engineering", "E3", set(), ("E1", "E3")),
    ("E6", "People", "E2", set(), ("E1", "E2")),
]


class LaggingIndex(MemoryTable):
    """A table whose indexes stop showing new items after `freeze()` (DynamoDB's GSIs are eventually consistent)."""

    def __init__(self) -> None:
        super().__init__()
        self.visible: set[tuple[str, str]] | None = None

    def freeze(self) -> None:
        self.visible = {(i["pk"], i["sk"]) for i in self.all_items()}

    def query_page(self, pk, sk_prefix=None, index=None, limit=None, cursor=None, descending=False) -> Page:
        page = super().query_page(pk, sk_prefix, index, limit, cursor, descending)
        if index is None or self.visible is None:
            return page
        return Page([i for i in page.items if (i["pk"], i["sk"]) in self.visible], page.cursor)


def employee(employee_id: str) -> Employee:
    _, department, manager, roles, chain = next(p for p in PEOPLE if p[0] == employee_id)
    return Employee(
        employee_id,
        f"Person {employee_id}",
        f"{employee_id.lower()}@example.com",
        department=department,
        manager_id=manager,
        roles=frozenset({Role.EMPLOYEE, *roles}),
        chain=chain,
    )


def who(employee_id: str) -> Principal:
    return Principal.of(employee(employee_id))


def new_cycle(uow: UnitOfWork, cycle_id: str, state: CycleState = CycleState.ACTIVE) -> Cycle:
    cycle = Cycle(
        cycle_id,
        f"Cycle {cycle_id}",
        date(2026, 1, 1),
        date(2026, 12, 31),
        "t1",
        {p: date(2026, 3 + n, 1) for n, p in enumerate(Phase)},
        state=state,
    )
    with uow:
        stored = uow.cycles.save(cycle, new=True, actor="E2", action="create_cycle", at=AT)
        uow.commit()
    return stored


def close(table: MemoryTable, cycle_id: str) -> None:
    uow = UnitOfWork(table)
    with uow:
        cycle = uow.cycles.get(cycle_id)
        assert cycle is not None
        uow.cycles.save(replace(cycle, state=CycleState.CLOSED), new=False, actor="E2", action="close", at=AT)
        uow.commit()


def kr(start: float, target: float, current: float) -> list[dict]:
    return [{"id": "k1", "title": "measure", "start": start, "target": target, "current": current, "unit": ""}]


def individual(title: str, cycle_id: str, weight: int, parent: str | None = None, **more) -> dict:
    return {"level": "individual", "title": title, "weight": weight, "cycle_id": cycle_id, "parent_id": parent, **more}


@pytest.fixture
def clock():
    return FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))


@pytest.fixture
def table():
    return LaggingIndex()


@pytest.fixture
def uow(table):
    uow = UnitOfWork(table)
    with uow:
        for person in PEOPLE:
            uow.directory.save(employee(person[0]), new=True)
        uow.commit()
    new_cycle(uow, "C1")
    return uow


@pytest.fixture
def tree(uow, clock):
    ids = {"ORG": goals.create_goal(uow, who("E1"), {"level": "organisation", "title": "Grow"}, clock).goal_id}
    team = {"level": "team", "title": "Platform", "weight": 60, "cycle_id": "C1", "parent_id": ids["ORG"]}
    ids["T3"] = goals.create_goal(uow, who("E3"), team, clock).goal_id
    ids["I4"] = goals.create_goal(
        uow, who("E4"), individual("Importer", "C1", 50, ids["T3"], key_results=kr(0, 10, 5)), clock
    ).goal_id
    ids["I5"] = goals.create_goal(
        uow, who("E5"), individual("Errors", "C1", 100, ids["T3"], key_results=kr(100, 0, 25)), clock
    ).goal_id
    return ids


def stored_goals(table: MemoryTable) -> list[dict]:
    return [i for i in table.all_items() if i.get("type") == "goal"]


# --- roll-ups -----------------------------------------------------------------------------------


def test_a_new_goal_rolls_up_its_chain_in_the_same_transaction(uow, tree):
    rollup = UnitOfWork(uow.table).rollups.get(tree["T3"], "C1")
    assert (rollup.weight_sum, rollup.weighted_sum, rollup.goals) == (150, 50 * 50 + 100 * 75, 2)
    top = UnitOfWork(uow.table).rollups.get(tree["ORG"], "C1")
    assert (top.goals, top.people) == (3, 3)  # T3, I4, I5 from E3, E4, E5
    assert goals.get_goal(uow, None, tree["T3"]).progress == 66.67
    assert goals.get_goal(uow, None, tree["ORG"], "C1").progress == 66.67


def test_progress_on_a_key_result_moves_every_roll_up_above(uow, tree, clock):
    version = goals.get_goal(uow, None, tree["I4"]).version
    saved = goals.update_goal(uow, who("E4"), tree["I4"], {"key_results": kr(0, 10, 10)}, version, clock)
    assert saved.progress == 100 and saved.version == version + 1
    assert saved.history[-1]["progress"] == 100
    assert goals.get_goal(uow, None, tree["T3"]).progress == 83.33  # (50×100 + 100×75) / 150


def test_realigning_to_nothing_makes_an_orphan_and_takes_the_person_off(uow, tree, clock):
    version = goals.get_goal(uow, None, tree["I5"]).version
    goals.update_goal(uow, who("E5"), tree["I5"], {"parent_id": None}, version, clock)
    report = asdict(goals.alignment_report(uow, who("E1"), "C1"))
    assert report["orphans"]["count"] == 1 and report["orphans"]["goals"][0]["goal_id"] == tree["I5"]
    assert report["organisation_goals"][0]["people"] == 2 and report["organisation_goals"][0]["aligned_goals"] == 2
    assert report["departments"] == [
        {"department": "Engineering", "individual_goals": 2, "aligned": 1, "share_aligned": 0.5}
    ]


def test_one_unit_of_work_serves_use_cases_one_after_another(uow, tree, clock):
    # The same unit of work reads afresh for every use case: no goal or roll-up is served stale.
    for current in (6, 7, 8):
        version = goals.get_goal(uow, None, tree["I4"]).version
        goals.update_goal(uow, who("E4"), tree["I4"], {"key_results": kr(0, 10, current)}, version, clock)
    assert goals.get_goal(uow, None, tree["I4"]).progress == 80
    assert goals.goal_progress_for_score(uow, "E4", "C1") == [(50.0, 80.0)]
    assert goals.weight_total(uow, "E4", "C1") == 50


def test_an_update_on_an_old_version_is_refused_and_changes_nothing(uow, tree, clock):
    version = goals.get_goal(uow, None, tree["I4"]).version
    goals.update_goal(uow, who("E4"), tree["I4"], {"weight": 40}, version, clock)
    with pytest.raises(StaleWrite) as info:
        goals.update_goal(uow, who("E4"), tree["I4"], {"weight": 30}, version, clock)
    assert info.value.entity == "goal"
    assert goals.get_goal(uow, None, tree["I4"]).weight == 40


# --- alignment rules and permissions ---------------------------------------------------------------


def test_an_individual_goal_may_not_align_to_another_managers_team_goal(uow, clock):
    people = goals.create_goal(uow, who("E2"), {"level": "team", "title": "People plan", "cycle_id": "C1"}, clock)
    with pytest.raises(ValidationFailed) as info:
        goals.create_goal(uow, who("E4"), individual("x", "C1", 10, people.goal_id), clock)
    assert "manager's team goal" in info.value.errors["parent_id"][0]
    assert len(stored_goals(uow.table)) == 1


def test_a_realignment_that_would_make_a_loop_is_refused(uow, tree, clock):
    top = goals.create_goal(uow, who("E1"), {"level": "team", "title": "Exec", "cycle_id": "C1"}, clock)
    t3 = goals.get_goal(uow, None, tree["T3"])
    goals.update_goal(uow, who("E3"), tree["T3"], {"parent_id": top.goal_id}, t3.version, clock)
    with pytest.raises(ValidationFailed) as info:
        goals.update_goal(uow, who("E1"), top.goal_id, {"parent_id": tree["T3"]}, top.version, clock)
    assert "loop" in info.value.errors["parent_id"][0]
    assert goals.get_goal(uow, None, top.goal_id).parent_id is None


def test_only_the_owner_their_manager_or_hr_change_a_goal(uow, tree, clock):
    version = goals.get_goal(uow, None, tree["I4"]).version
    with pytest.raises(PermissionDenied):
        goals.update_goal(uow, who("E5"), tree["I4"], {"weight": 10}, version, clock)
    with pytest.raises(PermissionDenied):
        goals.create_goal(uow, who("E4"), {"level": "organisation", "title": "Mine"}, clock)
    with pytest.raises(PermissionDenied):
        goals.create_goal(uow, who("E4"), {"level": "team", "title": "Mine", "cycle_id": "C1"}, clock)
    assert goals.update_goal(uow, who("E3"), tree["I4"], {"weight": 40}, version, clock).weight == 40
    assert goals.may_edit(uow, who("E2"), goals.get_goal(uow, None, tree["I4"]))
    assert not goals.may_edit(uow, who("E6"), goals.get_goal(uow, None, tree["I4"]))


def test_the_goal_rules_as_pure_functions():
    e4, e3 = employee("E4"), employee("E3")
    assert policy.may_edit_goal(who("E4"), GoalLevel.INDIVIDUAL, e4)
    assert policy.may_edit_goal(who("E3"), GoalLevel.INDIVIDUAL, e4)
    assert policy.may_edit_goal(who("E1"), GoalLevel.TEAM, e3)  # above the owner in the chain
    assert not policy.may_edit_goal(who("E1"), GoalLevel.INDIVIDUAL, e4)  # not the direct manager
    assert policy.goal_edit_refusal(who("E4"), GoalLevel.TEAM, e4) == "team goals belong to managers"
    assert policy.alignment_report_scope(who("E2")) == "organisation"
    assert policy.alignment_report_scope(who("E3")) == "subtree"
    with pytest.raises(PermissionDenied):
        policy.alignment_report_scope(who("E4"))


def test_a_manager_sees_the_report_of_their_subtree_only(uow, tree, clock):
    goals.create_goal(uow, who("E6"), individual("Hiring", "C1", 100, status="at_risk"), clock)
    report = asdict(goals.alignment_report(uow, who("E3"), "C1"))
    assert report["scope"] == "subtree of E3"
    assert (
        report["organisation_goals"][0]["aligned_goals"] == 2 and report["organisation_goals"][0]["progress"] == 66.67
    )
    assert report["orphans"]["count"] == 0 and report["at_risk"]["count"] == 0  # E6 is not below E3
    with pytest.raises(PermissionDenied):
        goals.alignment_report(uow, who("E4"), "C1")


# --- a closed cycle ----------------------------------------------------------------------------


def test_a_goal_write_is_refused_when_the_cycle_closes_before_its_commit(uow, tree, clock):
    before = len(uow.table.all_items())
    real_stage = uow.rollups.stage

    def close_then_stage() -> None:  # HR closes the cycle between the goal's read and its commit
        close(uow.table, "C1")
        real_stage()

    uow.rollups.stage = close_then_stage  # type: ignore[method-assign]
    with pytest.raises(Conflict) as info:
        goals.create_goal(uow, who("E4"), individual("Late", "C1", 10, tree["T3"]), clock)
    assert (info.value.entity, info.value.clash) == ("cycle", Clash.STATE)
    assert len(uow.table.all_items()) == before + 1  # only the audit record of the close
    assert [g.title for g in goals.person_goals(uow, "E4", "C1")] == ["Importer"]
    assert UnitOfWork(uow.table).rollups.get(tree["T3"], "C1").goals == 2


def test_an_update_is_refused_when_the_cycle_closes_before_its_commit(uow, tree, clock):
    version = goals.get_goal(uow, None, tree["I4"]).version
    real_stage = uow.rollups.stage
    uow.rollups.stage = lambda: (close(uow.table, "C1"), real_stage())  # type: ignore[method-assign]
    with pytest.raises(Conflict) as info:
        goals.update_goal(uow, who("E4"), tree["I4"], {"key_results": kr(0, 10, 9)}, version, clock)
    assert info.value.entity == "cycle"
    assert goals.get_goal(uow, None, tree["I4"]).progress == 50


def test_goals_of_a_closed_cycle_are_read_only(uow, tree, clock):
    close(uow.table, "C1")
    with pytest.raises(Conflict):
        goals.create_goal(uow, who("E4"), individual("Late", "C1", 10), clock)
    with pytest.raises(Conflict):
        goals.assign_to_team(uow, who("E3"), tree["T3"], {"weight": 10}, clock)


# --- team assignment -----------------------------------------------------------------------------


def test_a_retried_assignment_lists_each_person_once(uow, tree, clock):
    goals.assign_to_team(uow, who("E3"), tree["T3"], {"weight": 20}, clock)
    with uow:  # a new report joins E3's team
        uow.directory.save(replace(employee("E5"), employee_id="E7", email="e7@example.com"), new=True)
        uow.commit()
    rival = UnitOfWork(uow.table)
    real_stage = uow.rollups.stage
    raced: list[int] = []

    def rival_first() -> None:  # a concurrent goal under T3 moves its roll-up: the chunk is retried
        if not raced:
            raced.append(1)
            goals.create_goal(rival, who("E5"), individual("Rival", "C1", 10, tree["T3"]), clock)
        real_stage()

    uow.rollups.stage = rival_first  # type: ignore[method-assign]
    result = asdict(goals.assign_to_team(uow, who("E3"), tree["T3"], {"weight": 20}, clock))
    assert raced and sorted(result["skipped"]) == ["E4", "E5"] and len(result["created"]) == 1
    assert [g.owner_id for g in goals.person_goals(uow, "E7", "C1")] == ["E7"]
    assert UnitOfWork(uow.table).rollups.get(tree["T3"], "C1").goals == 2 + 2 + 1 + 1


def test_giving_a_department_a_goal_needs_hr_or_leadership(uow, tree, clock):
    data = {"weight": 10, "department": "Engineering", "cycle_id": "C1"}
    with pytest.raises(PermissionDenied):
        goals.assign_to_team(uow, who("E3"), tree["ORG"], data, clock)
    result = asdict(goals.assign_to_team(uow, who("E2"), tree["ORG"], data, clock))
    assert len(result["created"]) == 3 and result["skipped"] == []


# --- carry-over ----------------------------------------------------------------------------------


def carried(uow: UnitOfWork, cycle_id: str) -> list[dict]:
    return [g for g in stored_goals(uow.table) if g["cycle_id"] == cycle_id]


def test_carry_over_copies_unfinished_goals_into_the_new_cycle(uow, tree, clock):
    close(uow.table, "C1")
    new_cycle(uow, "C2")
    made = goals.carry_over(uow, "E4", "C2", clock)
    assert made == [goals.carried_goal_id(tree["I4"], "C2")]
    copy = goals.get_goal(uow, None, made[0])
    assert (copy.carried_from, copy.parent_id, copy.progress) == (tree["I4"], None, 50)
    assert copy.history[-1]["carried_from_cycle"] == "C1"
    assert asdict(goals.alignment_report(uow, who("E1"), "C2"))["orphans"]["count"] == 1


def test_carry_over_delivered_twice_creates_nothing_the_second_time(uow, tree, clock):
    close(uow.table, "C1")
    new_cycle(uow, "C2")
    uow.table.freeze()  # the owner's index will not show the copies yet
    first = goals.carry_over(uow, "E4", "C2", clock)
    items = len(uow.table.all_items())
    assert goals.carry_over(uow, "E4", "C2", clock) == []
    assert len(uow.table.all_items()) == items and len(carried(uow, "C2")) == len(first) == 1
    report = asdict(goals.alignment_report(uow, who("E1"), "C2"))
    assert report["orphans"]["count"] == 1 and report["departments"][0]["individual_goals"] == 1


def test_twin_deliveries_racing_make_one_set_of_copies(uow, tree, clock):
    close(uow.table, "C1")
    new_cycle(uow, "C2")
    twin = UnitOfWork(uow.table)
    real_stage = uow.rollups.stage
    raced: list[list[str]] = []

    def twin_commits_first() -> None:
        if not raced:
            a_second_later = FixedClock(datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC))
            raced.append(goals.carry_over(twin, "E4", "C2", a_second_later))
        real_stage()

    uow.rollups.stage = twin_commits_first  # type: ignore[method-assign]
    assert goals.carry_over(uow, "E4", "C2", clock) == []
    assert raced == [[goals.carried_goal_id(tree["I4"], "C2")]] and len(carried(uow, "C2")) == 1
    assert asdict(goals.alignment_report(uow, who("E1"), "C2"))["departments"][0]["individual_goals"] == 1


def test_carry_over_into_a_closed_cycle_is_refused(uow, tree, clock):
    close(uow.table, "C1")
    new_cycle(uow, "C2", CycleState.CLOSED)
    with pytest.raises(Conflict):
        goals.carry_over(uow, "E4", "C2", clock)
    assert carried(uow, "C2") == []


# --- the alignment chain kept on the goal (issue 24: the review page's reads) ---------------------------------


def chain_of(table: MemoryTable, owner: str) -> list[list[str]]:
    """The chains a request's unit of work (identity map on, as a page's) shows for someone's goals in C1."""
    views = goals.person_goals(UnitOfWork(table, identity_map=True), owner, "C1")
    return [[link.title for link in g.alignment_chain] for g in views]


def test_a_goal_keeps_the_ids_above_it_and_a_stale_copy_never_shows(uow, tree, clock):
    stored = {i["goal_id"]: i for i in stored_goals(uow.table)}
    assert stored[tree["I4"]]["above"] == [tree["T3"], tree["ORG"]]
    assert chain_of(uow.table, "E4") == [["Platform", "Grow"]]
    # The team goal moves under another organisation goal: I4's copy is stale, its page shows the chain as stored.
    other = goals.create_goal(uow, who("E1"), {"level": "organisation", "title": "Delight users"}, clock).goal_id
    t3 = goals.get_goal(uow, None, tree["T3"])
    goals.update_goal(uow, who("E3"), tree["T3"], {"parent_id": other}, t3.version, clock)
    goals.update_goal(uow, who("E1"), other, {"title": "Delight every user"}, 1, clock)
    assert chain_of(uow.table, "E4") == [["Platform", "Delight every user"]]
    # The copy is no content: no audit record names it.
    assert not [i for i in uow.table.all_items() if i.get("type") == "audit" and "above" in str(i)]


def kept_and_counted(table: MemoryTable, owner: str, cycle_id: str) -> tuple[tuple[bool, int | None], int | None]:
    """The weight total a review write reads in its first batch, beside the one its goals add up to; and the goals
    kept there (id, weight, progress) are those the goals' own reads give."""
    from service.services import reviews

    request = UnitOfWork(table, identity_map=True)
    reviews.prefetch(request, owner, cycle_id, owner, writing=True)
    kept = request.goals.kept_goals(owner, cycle_id)
    if kept is not None:
        views = goals.person_goals(UnitOfWork(table), owner, cycle_id)
        assert kept == [(g.goal_id, g.weight, g.progress) for g in views if g.status != "dropped" and g.weight > 0]
    return request.goals.kept_weight_total(owner, cycle_id), goals.weight_total(UnitOfWork(table), owner, cycle_id)


def test_an_owners_weight_total_moves_with_every_save_of_their_goals(uow, clock):
    new_cycle(uow, "C2")
    with uow:
        uow.goals.start_owner_totals("C2")  # as create_cycle does: every goal of C2 is counted
        uow.commit()
    assert kept_and_counted(uow.table, "E4", "C2") == ((True, None), None)
    a = goals.create_goal(uow, who("E4"), individual("A", "C2", 60, key_results=kr(0, 3, 1)), clock)
    b = goals.create_goal(uow, who("E4"), individual("B", "C2", 30), clock)
    assert kept_and_counted(uow.table, "E4", "C2") == ((True, 90), 90)
    goals.update_goal(uow, who("E4"), a.goal_id, {"weight": 70}, a.version, clock)
    assert kept_and_counted(uow.table, "E4", "C2") == ((True, 100), 100)
    a = goals.get_goal(uow, None, a.goal_id)
    goals.update_goal(uow, who("E4"), a.goal_id, {"key_results": kr(0, 3, 2)}, a.version, clock)  # 66.67 %
    assert kept_and_counted(uow.table, "E4", "C2") == ((True, 100), 100)
    goals.update_goal(uow, who("E4"), b.goal_id, {"status": "dropped"}, b.version, clock)
    assert kept_and_counted(uow.table, "E4", "C2") == ((True, 70), 70)
    # A cycle without the mark (created before totals were kept) is not trusted: its goals are added up.
    assert kept_and_counted(uow.table, "E4", "C1")[0] == (False, None)
