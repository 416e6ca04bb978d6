"""Issue 24 (scale): the daily reminders and the directory import read what they act on, not the whole organisation."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

from service.adapters.clock import FixedClock
from service.adapters.delegation_store import DELEGATION
from service.adapters.directory_store import employee_to_item
from service.adapters.store import Delete, MemoryTable, Put
from service.adapters.unit_of_work import UnitOfWork
from service.domain.delegation import Delegation
from service.domain.directory import Employee, parse_csv, plan_import
from service.services.delegation import acting_managers_on
from service.services.directory import move_to_current_managers
from tests import factories as f

TODAY = date(2026, 3, 2)


def _delegation(n: int, manager: str, acting: str, starts: date, ends: date) -> Delegation:
    return Delegation(f"D{n:04d}", manager, acting, starts, ends, "E2", "2026-01-01T00:00:00Z", version=1)


def test_the_reminders_see_a_running_delegation_behind_hundreds_of_newer_ones():
    table = MemoryTable(page_size=50)  # several pages
    running = _delegation(0, "E3", "E6", TODAY - timedelta(days=40), TODAY + timedelta(days=5))
    later = [
        _delegation(n, f"M{n}", f"A{n}", TODAY + timedelta(days=n), TODAY + timedelta(days=n + 3))
        for n in range(1, 260)
    ]
    too_old = _delegation(999, "E4", "E7", TODAY - timedelta(days=400), TODAY - timedelta(days=380))
    acting = ["E6", "E7", *(d.acting_id for d in later)]  # acting managers still in the directory
    for start in range(0, len(acting), 90):
        people = [Employee(a, f"Acting {a}", f"{a.lower()}@example.com", "Ops") for a in acting[start : start + 90]]
        table.transact([Put(employee_to_item(p)) for p in people])
    table.transact([Put(DELEGATION.to_item(d)) for d in [running, too_old]])
    for start in range(0, len(later), 90):
        table.transact([Put(DELEGATION.to_item(d)) for d in later[start : start + 90]])
    assert acting_managers_on(UnitOfWork(table), TODAY) == {"E3": "E6"}
    assert acting_managers_on(UnitOfWork(table), TODAY + timedelta(days=7)) == {f"M{n}": f"A{n}" for n in (4, 5, 6, 7)}


def _organisation(people: int) -> str:
    rows = [
        "employee_id,name,email,title,department,manager_id,roles",
        "E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership",
        "E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr",
        "M1,Alan Turing,alan@example.com,Manager,Engineering,E1,",
        "M2,Barbara Liskov,barbara@example.com,Manager,Engineering,E1,",
    ]
    rows += [f"P{n:04d},Person {n},p{n}@example.com,Engineer,Engineering,M1," for n in range(people)]
    return "\n".join(rows)


def _moved_requests(people: int) -> tuple[dict[str, int], list[str]]:
    """The requests of the reviews' move after an import gives two people a new manager, in an organisation of
    `people` read in pages of 50."""
    from service.services.directory import import_organisation
    from tests.integration.test_calibration_request_counts import CountingTable

    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = CountingTable()
    table.page_size = 50
    csv = _organisation(people)
    import_organisation(UnitOfWork(table), None, csv, clock)
    cycle = f.launched_cycle(table, clock)
    moved = csv.replace(
        "P0001,Person 1,p1@example.com,Engineer,Engineering,M1,",
        "P0001,Person 1,p1@example.com,Engineer,Engineering,M2,",
    )
    moved = moved.replace(
        "P0002,Person 2,p2@example.com,Engineer,Engineering,M1,",
        "P0002,Person 2,p2@example.com,Engineer,Engineering,M2,",
    )
    uow = UnitOfWork(table)
    with uow:  # the import's directory change, with its marks, as the import commits it
        for _, after in plan_import(uow.directory.all(), parse_csv(moved)).updated:
            uow.directory.note_manager_change(after.employee_id)
            uow.directory.save(after, new=False)
        uow.commit()
    table.calls.clear()
    moves = move_to_current_managers(UnitOfWork(table), "E2", clock)
    calls = dict(table.calls)
    reviews = UnitOfWork(table).reviews.get_many(cycle.cycle_id, ["P0001", "P0002", "P0003"])
    assert [r.manager_id for r in reviews] == ["M2", "M2", "M1"]
    assert move_to_current_managers(UnitOfWork(table), "E2", clock) == []  # the marks are gone with the move
    return calls, sorted(m.employee_id for m in moves)


def test_a_manager_change_reads_the_reviews_of_the_people_moved_only():
    small, large = _moved_requests(10), _moved_requests(400)
    assert small == large
    assert large[1] == ["P0001", "P0002"]
    # the marks, the cycles, the two people, their reviews, the former manager; per review moved a GetItem (its audited
    # write) and a transaction; one for the marks
    assert large[0] == {"Query": 2, "BatchGetItem": 3, "GetItem": 2, "TransactWriteItems": 3}, large[0]


def _daily_run(people: int, legacy: bool = False) -> tuple[dict[str, int], list[tuple[tuple[str, ...], str, str]]]:
    """The requests and the emails of the reminders' daily run on the day two people's goals are due a check-in
    (nothing else due), in an organisation of `people` read in pages of 50; `legacy`: the cycle was created before
    the check-in marks (its goals are read per participant)."""
    from service.adapters import keys
    from service.adapters.mailer import MemoryMailer
    from service.services import goals as goal_svc
    from service.services.directory import import_organisation
    from service.services.reminders import send_reminders
    from tests.integration.test_calibration_request_counts import CountingTable

    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = CountingTable()
    table.page_size = 50
    import_organisation(UnitOfWork(table), None, _organisation(people), clock)
    cycle = f.launched_cycle(table, clock)
    for n, who in enumerate(("P0001", "P0002")):
        data = {"level": "individual", "title": f"Goal {n}", "cycle_id": cycle.cycle_id, "weight": 100}
        goal_svc.create_goal(UnitOfWork(table), f.principal(table, who), {**data, "checkin_rhythm": "weekly"}, clock)
    if legacy:
        mark = table.get(keys.goal_owner_total(cycle.cycle_id))
        table.transact([Put({k: v for k, v in mark.items() if k != "check_ins"})])
    clock.at = datetime(2026, 3, 9, 8, tzinfo=UTC)
    mailer = MemoryMailer()
    table.calls.clear()
    run = send_reminders(UnitOfWork(table), mailer, clock, "https://reviews.example")
    assert run.reminded == 2
    return dict(table.calls), [(m.to, m.subject, m.text) for m in mailer.sent]


def test_the_daily_run_reads_the_check_ins_due_not_every_participants_goals():
    (small, small_mail), (large, large_mail) = _daily_run(10), _daily_run(400)
    assert small == large, (small, large)
    assert [m[:2] for m in large_mail] == [
        (("p1@example.com",), "Goal check-ins due (1)"),
        (("p2@example.com",), "Goal check-ins due (1)"),
    ]
    assert large_mail == small_mail
    legacy, legacy_mail = _daily_run(400, legacy=True)
    assert legacy_mail == large_mail and legacy["Query"] > large["Query"] + 400  # a cycle from before: per participant


class HeldQueue:
    """A work queue that keeps what is sent (the worker runs it later, message by message)."""

    def __init__(self) -> None:
        self.messages: list[dict] = []

    def send_many(self, messages: list[dict]) -> None:
        self.messages.extend(json.loads(json.dumps(m)) for m in messages)


def test_a_calendar_day_for_everyone_goes_to_the_worker_in_chunks_each_made_once():
    from service.adapters.mailer import MemoryMailer
    from service.services import schedules
    from service.services import templates as template_svc
    from service.services.cycles import LAUNCH_BATCH
    from service.services.directory import import_organisation
    from service.services.worker import dispatch

    clock = FixedClock(datetime(2026, 3, 1, 6, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, _organisation(100), clock)
    hr = f.principal(table, "E2")
    template_id = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock).template_id
    data = {"name": "Spring", "kind": "calendar", "template_id": template_id, "every_months": 12}
    schedules.create_rule(UnitOfWork(table), hr, data | {"first_date": date(2026, 3, 2)}, clock)
    clock.at = datetime(2026, 3, 2, 6, tzinfo=UTC)
    queue, mailer = HeldQueue(), MemoryMailer()
    run = schedules.run_schedules(UnitOfWork(table), mailer, clock, "https://r.example", queue)  # type: ignore[arg-type]

    assert (run.reviews, run.queued, len(queue.messages)) == (0, -(-104 // LAUNCH_BATCH), -(-104 // LAUNCH_BATCH))
    [cycle] = [c for c in UnitOfWork(table).cycles.list() if c.cycle_id.startswith("sched-")]
    assert UnitOfWork(table).reviews.of_cycle(cycle.cycle_id) == [] and mailer.sent == []
    for message in queue.messages:
        dispatch(table, message, clock, mailer=lambda: mailer)
    dispatch(table, queue.messages[0], clock, mailer=lambda: mailer)  # SQS delivers a chunk twice
    assert len(UnitOfWork(table).reviews.of_cycle(cycle.cycle_id)) == 104
    assert len(mailer.sent) == 104  # one email per review created, to the person and their manager
    assert mailer.sent[5].to == ("p1@example.com", "alan@example.com")
    assert f"https://r.example/cycles/{cycle.cycle_id}/reviews/P0001" in mailer.sent[5].text
    again = schedules.run_schedules(UnitOfWork(table), mailer, clock, "https://r.example", queue)  # type: ignore[arg-type]
    assert again.queued == 0 and len(queue.messages) == 3


def _bouncing(people: int, legacy: bool = False) -> tuple[dict[str, int], list[tuple[str, str | None, str | None]]]:
    """The requests and the rows of HR's list of bouncing addresses (one of a person renamed since, one nobody's),
    in an organisation of `people` read in pages of 50; `legacy`: before an import filled the index of addresses."""
    from service.adapters import keys
    from service.adapters.bounces import BounceList
    from service.services import mail_feedback
    from service.services.directory import import_organisation
    from tests.integration.test_calibration_request_counts import CountingTable

    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = CountingTable()
    table.page_size = 50
    csv = _organisation(people)
    import_organisation(UnitOfWork(table), None, csv, clock)
    renamed = csv.replace("P0003,Person 3,", "P0003,Person Three,")
    import_organisation(UnitOfWork(table), None, renamed, clock)
    for address in ("P3@example.com", "gone@example.com", "alan@example.com"):
        BounceList(table).record(address, "bounce", "Permanent bounce (General)", "2026-03-01T09:00:00Z")
    if legacy:
        table.transact([Delete(keys.employee_emails_complete())])
    hr = f.principal(table, "E2")
    table.calls.clear()
    rows = mail_feedback.bouncing_addresses(UnitOfWork(table), hr)
    return dict(table.calls), [(r.address, r.employee_id, r.name) for r in rows]


def test_hr_sees_whose_bouncing_addresses_are_by_key_not_from_the_whole_directory():
    (small, small_rows), (large, large_rows) = _bouncing(10), _bouncing(400)
    assert small == large == {"Query": 1, "BatchGetItem": 1}, (small, large)
    assert (
        small_rows
        == large_rows
        == [
            ("alan@example.com", "M1", "Alan Turing"),
            ("gone@example.com", None, None),
            ("P3@example.com", "P0003", "Person Three"),
        ]
    )
    legacy, legacy_rows = _bouncing(400, legacy=True)
    assert legacy_rows == large_rows and legacy["Query"] > 8  # until an import fills the index: the directory


def _upward(people: int) -> tuple[dict[str, int], int, int]:
    """The reads of HR's request for upward feedback in an organisation of `people` in teams of 10 (the directory
    and the cycle's requests fit one page each, as 1 MB pages hold a few thousand), and what it asked."""
    from benchmarks.request_counts import org_csv
    from service.adapters.mailer import MemoryMailer
    from service.services import feedback_nominations, feedback_settings
    from service.services.directory import import_organisation
    from tests.integration.test_calibration_request_counts import CountingTable

    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = CountingTable()
    import_organisation(UnitOfWork(table), None, org_csv(people), clock)
    cycle = f.launched_cycle(table, clock)
    hr = f.principal(table, "E2")
    s = UnitOfWork(table).feedback.settings(cycle.cycle_id)
    data = {"min_peers": s.min_peers, "max_peers": s.max_peers, "threshold": s.threshold, "upward": True}
    feedback_settings.save_settings(UnitOfWork(table), hr, cycle.cycle_id, data, s.version, clock)
    table.calls.clear()
    mailer = MemoryMailer()
    asked = feedback_nominations.request_upward(UnitOfWork(table), hr, cycle.cycle_id, clock, mailer)
    reads = {k: v for k, v in table.calls.items() if k != "TransactWriteItems"}
    assert table.calls["TransactWriteItems"] == asked.managers and len(mailer.sent) == asked.asked
    return reads, asked.managers, asked.asked


def test_upward_feedback_is_asked_with_reads_that_do_not_grow_per_participant():
    small, large = _upward(60), _upward(300)
    assert small[0] == large[0], (small, large)  # the directory, the cycle's requests and reviews: never per person
    assert (small[1:], large[1:]) == ((7, 59), (31, 299))  # a manager per team of 10, everyone below someone asked


def test_upward_feedback_reaches_every_report_of_a_manager_of_120():
    # One transaction holds 100 items: a large team's requests go in several (it failed as a whole before).
    from service.services import feedback_nominations, feedback_settings
    from service.services.directory import import_organisation

    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, _organisation(120), clock)
    cycle = f.launched_cycle(table, clock)
    hr = f.principal(table, "E2")
    s = UnitOfWork(table).feedback.settings(cycle.cycle_id)
    data = {"min_peers": s.min_peers, "max_peers": s.max_peers, "threshold": s.threshold, "upward": True}
    feedback_settings.save_settings(UnitOfWork(table), hr, cycle.cycle_id, data, s.version, clock)
    feedback_nominations.request_upward(UnitOfWork(table), hr, cycle.cycle_id, clock)
    about_m1 = UnitOfWork(table).feedback.about(cycle.cycle_id, "M1")
    assert len(about_m1) == 120 and {r.kind.value for r in about_m1} == {"upward"}
    again = feedback_nominations.request_upward(UnitOfWork(table), hr, cycle.cycle_id, clock)
    assert again.asked == 0


def test_an_import_that_changes_nobody_still_fills_the_index_of_addresses():
    from service.adapters import keys
    from service.services.directory import import_organisation, owners_of_addresses

    clock = FixedClock(datetime(2026, 3, 2, 9, tzinfo=UTC))
    table = MemoryTable()
    csv = _organisation(3)
    import_organisation(UnitOfWork(table), None, csv, clock)
    table.transact([Delete(keys.employee_emails_complete()), Delete(keys.employee_email("p1@example.com"))])
    assert UnitOfWork(table).directory.owners_of(["p1@example.com"]) is None  # as before the index existed
    result = import_organisation(UnitOfWork(table), None, csv, clock)
    assert result.import_id is None and len(UnitOfWork(table).imports.latest()) == 1  # no import recorded
    assert UnitOfWork(table).directory.owners_of(["P1@example.com"]) == {"p1@example.com": ("P0001", "Person 1")}
    assert owners_of_addresses(UnitOfWork(table), ["nobody@example.com"]) == {}
