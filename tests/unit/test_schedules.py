"""Scheduled reviews (issue 28, point 4): the rules' dates (pure), the directory's start dates, and the daily run
on the in-memory table: each review once under retries and concurrent runs, a missed day caught up, paused rules
quiet, joiners added to a running cycle, and one email per review created."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from service.adapters.clock import Clock, FixedClock
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import CycleState
from service.domain.directory import Employee, parse_csv, plan_import, with_hierarchy
from service.domain.errors import Conflict, ImportRejected, PermissionDenied, StaleWrite, ValidationFailed
from service.domain.schedules import (
    CATCH_UP_DAYS,
    RuleAction,
    RuleKind,
    ScheduleRule,
    add_months,
    check_rule,
    occurrences,
    window_start,
)
from service.services import schedules as svc
from service.services.directory import import_organisation
from tests import factories as f

START = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)  # the daily run's hour, on the day of the test clock
# Katherine started 90 days before 2 March 2026 (her probation review is due that day); Edsger on 2 March 2021
# (his fifth anniversary that day); Barbara in a week.
ORG = f"""employee_id,name,email,title,department,manager_id,roles,start_date
E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership,2015-01-05
E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr,2018-06-01
E3,Alan Turing,alan@example.com,Engineering Manager,Engineering,E1,,2019-09-16
E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E3,,{date(2026, 3, 2) - timedelta(days=90)}
E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,,2021-03-02
E6,Barbara Liskov,barbara@example.com,People Partner,People,E2,,2026-03-09
"""


def person(start: date | None, **kw) -> Employee:
    return Employee("P1", "Pat", "pat@example.com", department=kw.pop("department", "Sales"), start_date=start, **kw)


def rule(kind: RuleKind, **kw) -> ScheduleRule:
    return ScheduleRule("r1", "Rule", kind, template_id="t1", **kw)


# --- dates (pure) ---------------------------------------------------------------------------------------------


def test_probation_falls_once_n_days_after_the_start():
    r = rule(RuleKind.PROBATION, days=90)
    assert occurrences(r, person(date(2026, 1, 1)), date(2026, 3, 1), date(2026, 4, 30)) == [date(2026, 4, 1)]
    assert occurrences(r, person(date(2026, 1, 1)), date(2026, 4, 1), date(2026, 4, 30)) == []  # (after, until]
    assert occurrences(r, person(None), date(2026, 3, 1), date(2026, 4, 30)) == []  # no start date known


def test_anniversaries_fall_each_year_and_a_leap_day_start_on_28_february():
    r = rule(RuleKind.ANNIVERSARY)
    assert occurrences(r, person(date(2020, 2, 29)), date(2022, 12, 31), date(2025, 3, 1)) == [
        date(2023, 2, 28),
        date(2024, 2, 29),
        date(2025, 2, 28),
    ]
    assert occurrences(r, person(date(2026, 3, 1)), date(2026, 2, 28), date(2026, 3, 31)) == []  # no year 0


def test_a_calendar_rule_repeats_every_n_months_for_people_already_there():
    r = rule(RuleKind.CALENDAR, every_months=6, first_date=date(2025, 1, 31))
    assert occurrences(r, person(None), date(2025, 1, 1), date(2026, 8, 1)) == [
        date(2025, 1, 31),
        date(2025, 7, 31),
        date(2026, 1, 31),
        date(2026, 7, 31),
    ]
    assert occurrences(r, person(date(2025, 9, 1)), date(2025, 1, 1), date(2026, 2, 1)) == [date(2026, 1, 31)]
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_a_rule_covers_active_people_of_its_departments_only():
    r = rule(RuleKind.PROBATION, days=10, departments=["sales"])
    assert occurrences(r, person(date(2026, 1, 1)), date(2026, 1, 1), date(2026, 2, 1)) == [date(2026, 1, 11)]
    assert occurrences(r, person(date(2026, 1, 1), department="HR"), date(2026, 1, 1), date(2026, 2, 1)) == []
    assert occurrences(r, person(date(2026, 1, 1), active=False), date(2026, 1, 1), date(2026, 2, 1)) == []


def test_a_run_catches_up_missed_days_but_not_further_than_the_limit():
    today = date(2026, 3, 2)
    assert window_start(date(2026, 2, 25), date(2026, 1, 1), today) == date(2026, 2, 25)
    assert window_start(None, date(2026, 3, 2), today) == date(2026, 3, 1)  # a new rule: from its first day
    assert window_start(date(2025, 1, 1), date(2025, 1, 1), today) == today - timedelta(days=CATCH_UP_DAYS)


def test_a_rule_that_makes_no_sense_is_refused_field_by_field():
    with pytest.raises(ValidationFailed) as caught:
        check_rule(ScheduleRule("r", " ", RuleKind.CALENDAR, template_id="", every_months=0))
    assert set(caught.value.errors) == {"name", "template_id", "every_months", "first_date"}
    backwards = dict(rule(RuleKind.PROBATION).offsets, discussion=3)
    with pytest.raises(ValidationFailed) as caught:
        check_rule(rule(RuleKind.PROBATION, days=90, offsets=backwards))
    assert caught.value.errors == {"offsets": ["phase deadlines must follow the order of the phases"]}


# --- the directory's start dates ------------------------------------------------------------------------------


def test_the_start_date_column_is_optional_and_checked():
    assert parse_csv(ORG)[3].start_date == date(2025, 12, 2)
    bad = ORG.replace("2021-03-02", "2021-02-30").replace("2026-03-09", "09/03/2026")
    with pytest.raises(ImportRejected) as caught:
        parse_csv(bad)
    assert {(e["row"], e["field"]) for e in caught.value.errors} == {(6, "start_date"), (7, "start_date")}


def test_an_empty_start_date_keeps_the_one_known():
    stored = with_hierarchy(parse_csv(ORG))
    blank = ORG.replace("2021-03-02", "")
    plan = plan_import(stored, parse_csv(blank))
    assert plan.changes == 0


# --- the use cases and the daily run -------------------------------------------------------------------------


@pytest.fixture
def world(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG, clock)
    hr = f.principal(table, "E2")
    from service.services import templates as template_svc

    template = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock)
    return table, hr, template.template_id


class CreatedAt(Clock):
    """A clock standing at one moment, with fresh ids (each rule its own)."""

    def __init__(self, at: datetime) -> None:
        self.at = at

    def now(self) -> datetime:
        return self.at


def make(table, hr, data, at: datetime = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)):
    return svc.create_rule(UnitOfWork(table), hr, data, CreatedAt(at))


def probation(template_id: str, **kw) -> dict:
    return {"name": "Probation review", "kind": "probation", "template_id": template_id, "days": 90, **kw}


def run(table, day: datetime = START):
    mailer = MemoryMailer()
    result = svc.run_schedules(UnitOfWork(table), mailer, FixedClock(day), "https://reviews.example.com")
    return result, mailer


def reviews_of(table, cycle_id: str) -> list[str]:
    return sorted(r.employee_id for r in UnitOfWork(table).reviews.of_cycle(cycle_id))


def test_the_daily_run_creates_each_due_review_once_and_emails_the_person_and_manager(world):
    table, hr, template_id = world
    made = make(table, hr, probation(template_id))
    result, mailer = run(table)
    assert (result.reviews, result.notified, result.failed) == (1, 1, 0)
    cycle_id = f"sched-{made.rule_id}-20260302"
    uow = UnitOfWork(table)
    cycle = uow.cycles.get(cycle_id)
    assert cycle.state is CycleState.ACTIVE and uow.cycles.participants(cycle) == ["E4"] and cycle.headcount == 1
    assert cycle.phases["self_assessment"] == date(2026, 3, 16) and cycle.period_start == date(2025, 12, 2)
    assert reviews_of(table, cycle_id) == ["E4"]
    (email,) = mailer.sent
    assert email.to == ("katherine@example.com", "alan@example.com")
    assert f"https://reviews.example.com/cycles/{cycle_id}/reviews/E4" in email.text
    assert "Self assessment (Katherine Johnson): due" in email.text

    again, mailer = run(table)  # Lambda's retry, or the run again the same day
    assert again.reviews == 0 and mailer.sent == [] and reviews_of(table, cycle_id) == ["E4"]
    assert UnitOfWork(table).cycles.counts(cycle_id)[2:] == (1, 1)  # launched, expected


def test_concurrent_runs_create_each_review_exactly_once(world):
    table, hr, template_id = world
    make(table, hr, probation(template_id))
    make(table, hr, {"name": "Anniversary", "kind": "anniversary", "template_id": template_id})
    results: list = []
    barrier = threading.Barrier(4)

    def one_run() -> None:
        barrier.wait()
        results.append(run(table)[0])

    threads = [threading.Thread(target=one_run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(r.reviews for r in results) == 2  # Katherine's probation, Edsger's anniversary: by one run each
    assert all(r.skipped == 0 for r in results)  # a run that lost a race reads what the winner made
    made = [i for i in table.all_items() if i.get("type") == "review"]
    assert sorted(i["employee_id"] for i in made) == ["E4", "E5"]


def test_a_day_missed_by_an_outage_is_caught_up_by_the_next_run(world):
    table, hr, template_id = world
    make(table, hr, probation(template_id))
    run(table, START - timedelta(days=3))  # the last run before the outage: nothing due yet
    result, _ = run(table, START + timedelta(days=2))  # 2 and 3 March missed
    assert result.reviews == 1 and reviews_of(table, next(iter(cycles(table)))) == ["E4"]


def cycles(table) -> list[str]:
    return [c.cycle_id for c in UnitOfWork(table).cycles.list() if c.cycle_id.startswith("sched-")]


def test_a_paused_rule_creates_nothing_and_resuming_it_does_not_catch_up(world):
    table, hr, template_id = world
    made = make(table, hr, probation(template_id))
    paused = svc.change_rule(UnitOfWork(table), hr, made.rule_id, RuleAction.PAUSE, made.version, FixedClock(START))
    assert run(table)[0].reviews == 0
    svc.change_rule(UnitOfWork(table), hr, made.rule_id, RuleAction.RESUME, paused.version, FixedClock(START))
    assert run(table, START + timedelta(days=1))[0].reviews == 0 and cycles(table) == []


def test_a_joiner_is_added_to_the_running_cycle(world, clock):
    table, hr, _template = world
    running = f.launched_cycle(table, clock)
    assert "E6" in UnitOfWork(table).cycles.participants(running)  # the launch took everyone
    uow = UnitOfWork(table)
    rule_ = make(table, hr, {"name": "Joiners", "kind": "joiners", "cycle_id": running.cycle_id})
    import_organisation(uow, None, ORG + "E7,Hedy Lamarr,hedy@example.com,Engineer,Engineering,E3,,2026-03-03\n", clock)
    upcoming = svc.preview(UnitOfWork(table), hr, date(2026, 3, 2))
    assert [(u.employee_id, u.cycle_id) for u in upcoming] == [("E7", running.cycle_id)]  # Barbara is in it
    result, mailer = run(table, START + timedelta(days=1))
    assert result.reviews == 1 and rule_.kind is RuleKind.JOINERS
    uow = UnitOfWork(table)
    cycle = uow.cycles.get(running.cycle_id)
    assert uow.cycles.participants(cycle)[-1] == "E7" and "E7" in reviews_of(table, running.cycle_id)
    assert cycle.participants == [] and cycle.headcount == 7  # a chunk item after the launch's, not on the cycle
    assert UnitOfWork(table).cycles.counts(running.cycle_id)[2:] == (7, 7)
    assert mailer.sent[0].to == ("hedy@example.com", "alan@example.com")


def test_preview_lists_who_gets_a_review_in_the_next_30_days(world):
    table, hr, template_id = world
    make(table, hr, probation(template_id))
    make(table, hr, {"name": "Anniversary", "kind": "anniversary", "template_id": template_id})
    upcoming = svc.preview(UnitOfWork(table), hr, date(2026, 3, 2))
    assert [(u.name, u.on, u.rule_name) for u in upcoming] == [
        ("Edsger Dijkstra", date(2026, 3, 2), "Anniversary"),
        ("Katherine Johnson", date(2026, 3, 2), "Probation review"),
    ]
    assert svc.preview(UnitOfWork(table), hr, date(2026, 3, 3)) == []  # nothing from 3 March to 2 April


def test_rules_are_hr_only_validated_versioned_and_audited(world):
    table, hr, template_id = world
    with pytest.raises(PermissionDenied):
        make(table, f.principal(table, "E4"), probation(template_id))
    with pytest.raises(ValidationFailed) as caught:
        make(table, hr, probation("nope", departments=["Nowhere"]))
    assert set(caught.value.errors) == {"template_id", "departments"}
    made = make(table, hr, probation(template_id))
    edited = svc.update_rule(
        UnitOfWork(table), hr, made.rule_id, probation(template_id, days=180), made.version, FixedClock(START)
    )
    assert edited.days == 180 and edited.version == 2
    with pytest.raises(StaleWrite):
        svc.update_rule(UnitOfWork(table), hr, made.rule_id, probation(template_id), made.version, FixedClock(START))
    archived = svc.change_rule(UnitOfWork(table), hr, made.rule_id, RuleAction.ARCHIVE, 2, FixedClock(START))
    with pytest.raises(Conflict):
        svc.update_rule(
            UnitOfWork(table), hr, made.rule_id, probation(template_id), archived.version, FixedClock(START)
        )
    assert svc.list_rules(UnitOfWork(table), hr) == [] and svc.list_rules(UnitOfWork(table), hr, archived=True)
    trail = [r["action"] for r in UnitOfWork(table).audit.of_entity(f"SCHEDRULE#{made.rule_id}")]
    assert trail == ["create_schedule_rule", "edit_schedule_rule", "archive_schedule_rule"]


def test_the_demo_has_a_probation_and_an_anniversary_rule_with_people_due_soon():
    from service.demo.scenario import load_demo

    table, clock = MemoryTable(), FixedClock(START)
    load_demo(table, clock)
    hr = f.principal(table, "E005")
    upcoming = svc.preview(UnitOfWork(table), hr, START.date())
    assert [(u.name, u.rule_name, (u.on - START.date()).days) for u in upcoming] == [
        ("Arjun Nair", "End of probation", 10),
        ("Mateusz Nowak", "Work anniversary", 12),
    ]


def test_a_rule_whose_template_is_archived_waits_and_catches_up_once_restored(world):
    from service.domain.archiving import ShelfAction
    from service.services import templates as template_svc

    table, hr, template_id = world
    make(table, hr, probation(template_id))
    shelved = template_svc.shelve_template(
        UnitOfWork(table), hr, template_id, ShelfAction.ARCHIVE, 1, FixedClock(START)
    )
    result, _ = run(table)
    assert (result.reviews, result.skipped) == (0, 1) and cycles(table) == []
    template_svc.shelve_template(
        UnitOfWork(table), hr, template_id, ShelfAction.RESTORE, shelved.version, FixedClock(START)
    )
    assert run(table, START + timedelta(days=1))[0].reviews == 1  # 2 March, missed while it waited


def test_during_a_delegation_the_acting_manager_is_told_of_the_review_not_the_manager(world, clock):
    from service.services import delegation

    table, hr, template_id = world
    make(table, hr, probation(template_id))
    uow = UnitOfWork(table)
    uow.today = clock.now().date()
    period = {"manager_id": "E3", "acting_id": "E6", "starts": START.date(), "ends": START.date()}
    delegation.name_acting_manager(uow, f.principal(table, "E3"), period, clock)
    _, mailer = run(table)
    (email,) = mailer.sent
    assert email.to == ("katherine@example.com", "barbara@example.com")


# --- the organisation's day: a rule's window starts on the day it was made on the organisation's wall ----------


def test_a_rule_made_on_a_new_york_evening_covers_reviews_due_that_day(world):
    table, hr, template_id = world
    new_york = ZoneInfo("America/New_York")
    # 1 March, 21:30 in New York (2 March, 02:30 UTC); Katherine's 89th day is 1 March.
    make(table, hr, probation(template_id, days=89), at=datetime(2026, 3, 2, 2, 30, tzinfo=UTC))
    result, _ = run(table, datetime(2026, 3, 2, 6, 0, tzinfo=new_york))
    assert result.reviews == 1 and len(cycles(table)) == 1 and cycles(table)[0].endswith("-20260301")


def test_a_rule_made_on_an_auckland_morning_makes_no_review_due_the_day_before(world):
    table, hr, template_id = world
    auckland = ZoneInfo("Pacific/Auckland")
    # 1 March, 01:30 in Auckland (28 February, 12:30 UTC); Katherine's 88th day, 28 February, came before the rule.
    make(table, hr, probation(template_id, days=88), at=datetime(2026, 2, 28, 12, 30, tzinfo=UTC))
    result, _ = run(table, datetime(2026, 3, 2, 6, 0, tzinfo=auckland))
    assert result.reviews == 0 and cycles(table) == []
