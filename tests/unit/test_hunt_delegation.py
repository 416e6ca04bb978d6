"""Acting managers across time (issue 28): an acting manager who left the directory acts for nobody, so the
manager's overdue tasks come back to the manager instead of going to someone who is no longer emailed; and nobody
below the manager acts for them (they would assess their own manager)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import NotFound, ValidationFailed
from service.services import delegation as svc
from service.services import reminders
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV


def test_the_tasks_of_a_manager_whose_acting_manager_left_go_back_to_the_manager(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    me = f.principal(table, "E5")
    review_svc.save_self_assessment(UnitOfWork(table), me, cycle.cycle_id, "E5", f.self_content(), 1, True, clock)
    period = {"manager_id": "E3", "acting_id": "E6", "starts": date(2026, 4, 1), "ends": date(2026, 4, 10)}
    svc.name_acting_manager(UnitOfWork(table), f.principal(table, "E3"), period, clock)
    without_barbara = "\n".join(line for line in ORG_CSV.splitlines() if not line.startswith("E6,")) + "\n"
    import_organisation(UnitOfWork(table), None, without_barbara, clock)  # Barbara leaves during the period

    tasks = reminders.overdue_tasks(UnitOfWork(table), date(2026, 4, 5))
    owners = {t.owner_id for t in tasks if t.subject_id == "E5" and t.task == "manager_assessment"}
    assert owners == {"E3"}
    assert svc.acting_managers_on(UnitOfWork(table), date(2026, 4, 5)) == {}


def test_nobody_below_the_manager_is_named_to_act_for_them(clock):
    """Ada (E1) manages Alan (E3), who manages Katherine (E4): Katherine acting for Ada would assess her own
    manager's review, read its contributions and approve its reviewers."""
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    period = {"acting_id": "E4", "starts": date(2026, 3, 2), "ends": date(2026, 3, 10)}
    with pytest.raises(ValidationFailed) as refused:
        svc.name_acting_manager(UnitOfWork(table), f.principal(table, "E1"), period, clock)
    assert "acting_id" in refused.value.errors
    assert UnitOfWork(table).delegations.of_manager("E1") == []
    with pytest.raises(NotFound):
        review_svc.open_review(UnitOfWork(table), f.principal(table, "E4"), cycle.cycle_id, "E3")


def test_nominations_to_approve_are_sent_to_the_acting_manager_during_the_period(clock):
    """Alan (E3) is away and Barbara (E6) acts for him: she approves Katherine's reviewers, so she is told."""
    from service.adapters.mailer import MemoryMailer
    from service.services import feedback_nominations, feedback_settings

    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    settings = {"min_peers": 1, "max_peers": 3, "threshold": 3, "upward": False}
    feedback_settings.save_settings(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, settings, 0, clock)
    today = clock.now().date()
    period = {"acting_id": "E6", "starts": today, "ends": today + timedelta(days=5)}
    svc.name_acting_manager(UnitOfWork(table), f.principal(table, "E3"), period, clock)
    sent = MemoryMailer()
    kath = f.principal(table, "E4")
    feedback_nominations.nominate_peers(UnitOfWork(table), kath, cycle.cycle_id, "E4", ["E5"], clock, sent, "https://r")
    assert [m.to for m in sent.sent] == [("barbara@example.com",)]


def test_an_acting_manager_moved_below_the_manager_since_acts_for_them_no_more(clock):
    """Barbara (E6) acts for Alan (E3); an import then makes Alan her manager: she would manage her new peers'
    reviews (Katherine's, E4) and read what was said about them."""
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    today = clock.now().date()
    period = {"acting_id": "E6", "starts": today, "ends": today + timedelta(days=5)}
    svc.name_acting_manager(UnitOfWork(table), f.principal(table, "E3"), period, clock)
    barbara = f.principal(table, "E6")

    def uow() -> UnitOfWork:
        made = UnitOfWork(table)
        made.today = today  # the request's day, as the web app's wiring sets it
        return made

    assert review_svc.open_review(uow(), barbara, cycle.cycle_id, "E4").employee_id == "E4"
    moved = ORG_CSV.replace("People Partner,People,E2,", "People Partner,People,E3,")
    import_organisation(UnitOfWork(table), None, moved, clock)

    with pytest.raises(NotFound):
        review_svc.open_review(uow(), barbara, cycle.cycle_id, "E4")
    assert svc.acting_for(uow(), barbara, "E3") == frozenset()
    assert review_svc.team_reviews(uow(), barbara, cycle.cycle_id) == []  # nor lists their reviews
    assert svc.managers_of_team(uow(), barbara, today) == []
