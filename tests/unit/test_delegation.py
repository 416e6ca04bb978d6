"""Acting managers (issue 28, point 3): the rule, the use cases, and the audit trail that says on whose behalf."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.delegation import Delegation, DelegationStatus, check_delegation
from service.domain.errors import NotFound, PermissionDenied, ValidationFailed
from service.services import delegation as svc
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

MARCH = {"starts": date(2026, 3, 1), "ends": date(2026, 3, 10)}


def _uow(table: MemoryTable, day: date = date(2026, 3, 2)) -> UnitOfWork:
    uow = UnitOfWork(table)
    uow.today = day
    return uow


@pytest.fixture
def org(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return table, f.launched_cycle(table, clock)


def _name(table, clock, by="E3", acting="E6", **period):
    data = {"manager_id": "E3", "acting_id": acting, **MARCH, **period}
    return svc.name_acting_manager(_uow(table), f.principal(table, by), data, clock)


def test_status_follows_the_period_and_the_revocation():
    d = Delegation("d", "E3", "E6", date(2026, 3, 1), date(2026, 3, 10), "E3", "t")
    assert [d.status_on(date(2026, 3, n)) for n in (1, 10, 11)] == ["active", "active", "ended"]
    assert d.status_on(date(2026, 2, 28)) is DelegationStatus.UPCOMING
    assert replace(d, revoked_at="t").status_on(date(2026, 3, 5)) is DelegationStatus.REVOKED


@pytest.mark.parametrize(
    ("acting", "starts", "ends", "field"),
    [
        ("E3", date(2026, 3, 1), date(2026, 3, 5), "acting_id"),  # the manager themselves
        ("E4", date(2026, 3, 1), date(2026, 3, 5), "acting_id"),  # one of the reports it covers
        ("E2", date(2026, 3, 1), date(2026, 3, 5), "acting_id"),  # the person naming it
        ("E6", date(2026, 3, 5), date(2026, 3, 1), "ends"),  # backwards
        ("E6", date(2026, 2, 1), date(2026, 2, 5), "ends"),  # past
        ("E6", date(2026, 3, 1), date(2027, 3, 5), "ends"),  # too long
        ("E6", date(2026, 3, 7), date(2026, 3, 20), "starts"),  # overlaps the one in place
    ],
)
def test_a_bad_delegation_is_refused_with_the_field(acting, starts, ends, field):
    other = Delegation("d", "E3", "E1", date(2026, 3, 6), date(2026, 3, 7), "E3", "t")
    with pytest.raises(ValidationFailed) as exc:
        check_delegation("E3", acting, "E2", starts, ends, date(2026, 3, 2), frozenset({"E4", "E5"}), [other])
    assert list(exc.value.errors) == [field]


def test_the_acting_manager_writes_the_assessment_audited_on_the_managers_behalf(org, clock):
    table, cycle = org
    _name(table, clock)
    acting = f.principal(table, "E6")
    content = f.manager_content(narrative="Written by the acting manager")
    view = review_svc.save_manager_assessment(_uow(table), acting, cycle.cycle_id, "E4", content, 1, False, clock)
    assert view.manager_assessment["narrative"] == "Written by the acting manager"
    hr = f.principal(table, "E2")
    records, problems = review_svc.review_audit_checked(UnitOfWork(table), hr, cycle.cycle_id, "E4")
    assert problems == []  # the chain verifies with the new field in it
    assert (records[0]["actor"], records[0]["on_behalf_of"]) == ("E6", "E3")
    # The manager keeps their rights meanwhile, and writes as themselves.
    manager = f.principal(table, "E3")
    review_svc.save_manager_assessment(_uow(table), manager, cycle.cycle_id, "E4", content, 2, False, clock)
    records, _ = review_svc.review_audit_checked(UnitOfWork(table), hr, cycle.cycle_id, "E4")
    assert records[0]["actor"] == "E3" and "on_behalf_of" not in records[0]


def test_the_delegation_ends_after_its_last_day(org, clock):
    table, cycle = org
    _name(table, clock)
    acting = f.principal(table, "E6")
    assert review_svc.open_review(_uow(table, date(2026, 3, 10)), acting, cycle.cycle_id, "E4").employee_id == "E4"
    with pytest.raises(NotFound):
        review_svc.open_review(_uow(table, date(2026, 3, 11)), acting, cycle.cycle_id, "E4")
    with pytest.raises(NotFound):  # nor before its first day
        review_svc.open_review(_uow(table, date(2026, 2, 28)), acting, cycle.cycle_id, "E4")
    assert {r.employee_id for r in review_svc.team_reviews(_uow(table), acting, cycle.cycle_id)} == {"E4", "E5"}
    assert review_svc.team_reviews(_uow(table, date(2026, 3, 11)), acting, cycle.cycle_id) == []


def test_revoking_ends_it_at_once_and_is_audited(org, clock):
    table, cycle = org
    d = _name(table, clock)
    svc.revoke(_uow(table), f.principal(table, "E3"), d.delegation_id, d.version, clock)
    with pytest.raises(NotFound):
        review_svc.open_review(_uow(table), f.principal(table, "E6"), cycle.cycle_id, "E4")
    trail = UnitOfWork(table).audit.of_entity(f"DELEGATION#{d.delegation_id}")
    assert [(r["actor"], r["action"]) for r in sorted(trail, key=lambda r: r["version"])] == [
        ("E3", "name"),
        ("E3", "revoke"),
    ]


def test_only_the_manager_or_hr_names_one(org, clock):
    table, _ = org
    with pytest.raises(PermissionDenied):
        _name(table, clock, by="E5", acting="E6")
    assert _name(table, clock, by="E2", acting="E6").named_by == "E2"


def test_an_unknown_person_is_a_field_error(org, clock):
    table, _ = org
    with pytest.raises(ValidationFailed) as exc:
        _name(table, clock, acting="E99")
    assert "acting_id" in exc.value.errors


def test_the_acting_manager_asks_for_and_reads_contributions_on_the_managers_behalf(org, clock):
    from service.services import contributions as contribution_svc

    table, cycle = org
    _name(table, clock)
    acting = f.principal(table, "E6")
    ask = {"contributor_id": "E2", "question": "How was the audit project?"}
    c = contribution_svc.request_contribution(_uow(table), acting, cycle.cycle_id, "E4", ask, clock)
    assert [r.question for r in contribution_svc.for_review(_uow(table), acting, cycle.cycle_id, "E4")] == [
        ask["question"]
    ]
    record = UnitOfWork(table).audit.of_entity(f"CONTRIB#{c.contribution_id}")[0]
    assert (record["actor"], record["on_behalf_of"]) == ("E6", "E3")
    with pytest.raises(NotFound):  # after the period: neither
        contribution_svc.for_review(_uow(table, date(2026, 3, 11)), acting, cycle.cycle_id, "E4")


def test_overdue_manager_tasks_go_to_the_acting_manager_during_the_period(org, clock):
    from service.services import reminders

    table, cycle = org
    me = f.principal(table, "E5")
    review_svc.save_self_assessment(UnitOfWork(table), me, cycle.cycle_id, "E5", f.self_content(), 1, True, clock)
    _name(table, clock, starts=date(2026, 4, 1), ends=date(2026, 4, 10))

    def owner(day: date) -> str:
        tasks = reminders.overdue_tasks(UnitOfWork(table), day)
        return next(t.owner_id for t in tasks if t.subject_id == "E5" and t.task == "manager_assessment")

    assert owner(date(2026, 4, 5)) == "E6"
    assert owner(date(2026, 4, 11)) == "E3"  # the period over, back to the manager


def test_hr_names_one_only_for_someone_who_manages(org, clock):
    table, _ = org
    with pytest.raises(ValidationFailed) as exc:
        _name(table, clock, by="E2", acting="E6", manager_id="E5")
    assert "manager_id" in exc.value.errors


def test_hr_acting_for_a_manager_no_longer_sees_who_answered_about_that_team(org, clock):
    from service.services import feedback_nominations, feedback_settings
    from service.services.feedback_tracking import feedback_progress

    table, cycle = org
    hr = f.principal(table, "E2")
    settings = {"min_peers": 1, "max_peers": 3, "threshold": 3, "upward": False}
    feedback_settings.save_settings(UnitOfWork(table), hr, cycle.cycle_id, settings, 0, clock)
    feedback_nominations.nominate_peers(
        UnitOfWork(table), f.principal(table, "E4"), cycle.cycle_id, "E4", ["E5"], clock
    )
    e3 = f.principal(table, "E3")
    feedback_nominations.decide_nominations(UnitOfWork(table), e3, cycle.cycle_id, "E4", ["E5"], [], [], clock, None)
    seen = feedback_progress(UnitOfWork(table), hr, cycle.cycle_id, clock.now())
    assert [w.reviewer_id for w in seen.waiting] == ["E5"]
    _name(table, clock, by="E3", acting="E2")
    hidden = feedback_progress(_uow(table), hr, cycle.cycle_id, clock.now())
    assert hidden.waiting == []


def test_an_overdue_self_assessment_is_escalated_to_the_acting_manager_during_the_period(org, clock):
    from datetime import UTC, datetime

    from service.adapters.clock import FixedClock
    from service.adapters.mailer import MemoryMailer
    from service.services.reminders import send_reminders

    table, _ = org
    _name(table, clock, starts=date(2026, 3, 12), ends=date(2026, 3, 20))
    mailer = MemoryMailer()
    send_reminders(UnitOfWork(table), mailer, FixedClock(datetime(2026, 3, 14, 7, 0, tzinfo=UTC)))
    escalated = [m for m in mailer.sent if m.subject.startswith("Review tasks 3+ days overdue")]
    about_katherine = [m.to for m in escalated if "Katherine Johnson" in m.text]
    assert about_katherine == [("barbara@example.com",)]  # Barbara (E6) acts for Alan (E3), who is not told


def _daily_run(table, day: date):
    """The reminders function's daily run on `day`, with the digest kept in the table as deployed."""
    from datetime import UTC, datetime

    from service.adapters.clock import FixedClock
    from service.adapters.mailer import DigestingMailer, MemoryMailer
    from service.adapters.reminder_store import keep_for_digest
    from service.services.reminders import send_reminders

    sent = MemoryMailer()
    clock = FixedClock(datetime(day.year, day.month, day.day, 7, 0, tzinfo=UTC))
    send_reminders(UnitOfWork(table), DigestingMailer(sent, keep_for_digest(table)), clock)
    return sent


def _trail(table, d) -> list[tuple[str, str]]:
    trail = UnitOfWork(table).audit.of_entity(f"DELEGATION#{d.delegation_id}")
    return [(r["actor"], r["action"]) for r in sorted(trail, key=lambda r: r["version"])]


def test_the_natural_end_is_recorded_once_by_the_daily_run_and_both_are_told_in_their_digest(org, clock):
    table, _ = org
    d = _name(table, clock)
    _daily_run(table, date(2026, 3, 10))
    assert _trail(table, d) == [("E3", "name")]  # on its last day it still runs
    sent = _daily_run(table, date(2026, 3, 11))
    assert _trail(table, d) == [("E3", "name"), ("system", "end")]
    assert UnitOfWork(table).delegations.get(d.delegation_id).ended_at.startswith("2026-03-11")
    told = {m.to[0]: m.text for m in sent.sent if "ended after its last day" in m.text}
    assert set(told) == {"alan@example.com", "barbara@example.com"}
    assert "Barbara Liskov no longer acts as manager for Alan Turing" in told["alan@example.com"]
    again = _daily_run(table, date(2026, 3, 11))  # Lambda's retry
    later = _daily_run(table, date(2026, 3, 12))
    assert _trail(table, d) == [("E3", "name"), ("system", "end")]
    assert not [m for m in [*again.sent, *later.sent] if "ended after its last day" in m.text]


def test_a_revoked_delegation_has_no_natural_end(org, clock):
    table, _ = org
    d = _name(table, clock)
    svc.revoke(_uow(table), f.principal(table, "E3"), d.delegation_id, d.version, clock)
    _daily_run(table, date(2026, 3, 11))
    assert _trail(table, d) == [("E3", "name"), ("E3", "revoke")]


def test_concurrent_daily_runs_record_the_end_exactly_once(org, clock):
    import threading
    from datetime import UTC, datetime

    from service.adapters.clock import FixedClock
    from service.adapters.mailer import MemoryMailer

    table, _ = org
    d = _name(table, clock)
    after = FixedClock(datetime(2026, 3, 11, 7, 0, tzinfo=UTC))
    mailer, counts = MemoryMailer(), []

    class Racing:
        """The table, where each run's write waits until all four have read: every run saw the end unrecorded."""

        start = threading.Barrier(4)

        def __getattr__(self, name):
            return getattr(table, name)

        def transact(self, ops, token=None):
            self.start.wait()
            return table.transact(ops, token)

    threads = [
        threading.Thread(target=lambda: counts.append(svc.record_natural_ends(UnitOfWork(Racing()), mailer, after)))
        for _ in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(counts) == [0, 0, 0, 1] and len(mailer.sent) == 1
    assert _trail(table, d) == [("E3", "name"), ("system", "end")]


def test_an_end_caught_up_weeks_later_is_recorded_without_telling_anyone(org, clock):
    from datetime import UTC, datetime

    from service.adapters.clock import FixedClock
    from service.adapters.mailer import MemoryMailer

    table, _ = org
    d = _name(table, clock)  # its last day is 10 March
    mailer = MemoryMailer()
    assert svc.record_natural_ends(UnitOfWork(table), mailer, FixedClock(datetime(2026, 4, 1, 7, tzinfo=UTC))) == 1
    assert _trail(table, d) == [("E3", "name"), ("system", "end")] and mailer.sent == []
