"""The one rule for the cycle leadership's views open on (services/report_cycles.py): asked for, else kept, else
the newest launched cycle with data for the view; an empty newer cycle never becomes the default."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.report_views import ReportView
from service.services import goals as goal_svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from service.services.report_cycles import choose_cycle
from tests import factories as f
from tests.conftest import ORG_CSV


@pytest.fixture
def two_cycles(clock):
    """Last year's cycle with an aligned goal, then a newer launched cycle nobody has done anything in yet."""
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    older = f.launched_cycle(table, clock, name="2025 review")
    org = goal_svc.create_goal(
        UnitOfWork(table), f.principal(table, "E1"), {"level": "organisation", "title": "Grow"}, clock
    )
    _goal(table, clock, "E4", older.cycle_id, org.goal_id)
    newer = f.launched_cycle(table, clock, name="Finance pilot", participant_mode="list", employee_ids=["E6"])
    return table, older, newer, org


def _goal(table, clock, owner: str, cycle_id: str, parent_id: str) -> None:
    data = {"level": "individual", "title": "Mine", "weight": 100, "cycle_id": cycle_id, "parent_id": parent_id}
    goal_svc.create_goal(UnitOfWork(table), f.principal(table, owner), data, clock)


def _shown(table, view: ReportView, asked: str | None = None, kept: str | None = None):
    return choose_cycle(UnitOfWork(table), view, asked, kept)


def test_an_empty_newer_cycle_is_passed_over_and_named(two_cycles):
    table, older, newer, _ = two_cycles
    for view in (ReportView.HOME, ReportView.GOALS):
        choice = _shown(table, view)
        assert choice.cycle.cycle_id == older.cycle_id and not choice.chosen and choice.unknown is None
        assert [c.cycle_id for c in choice.passed_over] == [newer.cycle_id]
        assert [c.cycle_id for c in choice.cycles] == [newer.cycle_id, older.cycle_id]  # both offered


def test_the_newer_cycle_becomes_the_default_once_it_has_data_for_the_view(two_cycles, clock):
    table, older, newer, org = two_cycles
    me = f.principal(table, "E6")
    version = review_svc.open_review(UnitOfWork(table), me, newer.cycle_id, "E6").version
    review_svc.save_self_assessment(UnitOfWork(table), me, newer.cycle_id, "E6", f.self_content(), version, True, clock)
    assert _shown(table, ReportView.HOME).cycle.cycle_id == newer.cycle_id  # a submitted review is data
    assert _shown(table, ReportView.GOALS).cycle.cycle_id == older.cycle_id  # but no goal yet
    _goal(table, clock, "E6", newer.cycle_id, org.goal_id)
    choice = _shown(table, ReportView.GOALS)
    assert choice.cycle.cycle_id == newer.cycle_id and choice.passed_over == []


def test_training_needs_count_only_once_the_report_can_show_figures(two_cycles, clock):
    table, _, newer, _ = two_cycles
    me = f.principal(table, "E6")
    version = review_svc.open_review(UnitOfWork(table), me, newer.cycle_id, "E6").version
    review_svc.save_self_assessment(UnitOfWork(table), me, newer.cycle_id, "E6", f.self_content(), version, True, clock)
    assert UnitOfWork(table).training.aggregate(newer.cycle_id, "ORG")["people"] == 1  # one person: withheld
    # no cycle has figures to show: the newest active one, as before
    assert _shown(table, ReportView.TRAINING).cycle.cycle_id == newer.cycle_id


def test_a_cycle_asked_for_or_kept_wins_and_an_unknown_one_is_refused(two_cycles):
    table, older, newer, _ = two_cycles
    asked = _shown(table, ReportView.GOALS, asked=newer.cycle_id, kept=older.cycle_id)
    assert asked.cycle.cycle_id == newer.cycle_id and asked.chosen
    kept = _shown(table, ReportView.GOALS, kept=newer.cycle_id)
    assert kept.cycle.cycle_id == newer.cycle_id and kept.chosen and kept.passed_over == []
    unknown = _shown(table, ReportView.GOALS, asked="nope", kept=newer.cycle_id)
    assert unknown.unknown == "nope" and not unknown.chosen and unknown.cycle.cycle_id == older.cycle_id
    stale = _shown(table, ReportView.GOALS, kept="gone")  # a kept cycle that is no more: the default, silently
    assert stale.cycle.cycle_id == older.cycle_id and stale.unknown is None


def test_drafts_are_offered_but_never_the_default(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    assert _shown(table, ReportView.HOME).cycle is None  # no cycle at all
    launched = f.launched_cycle(table, clock)
    hr = f.principal(table, "E2")
    from service.services import cycles as cycle_svc

    draft = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(launched.template_id, name="Next year"), clock)
    choice = _shown(table, ReportView.HOME)
    assert choice.cycle.cycle_id == launched.cycle_id  # nothing has data: the newest active cycle
    assert draft.cycle_id in [c.cycle_id for c in choice.cycles]
