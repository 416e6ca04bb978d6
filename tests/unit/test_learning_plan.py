"""The learning plan people own (issue 27, point 4) on the in-memory table: items planned and moved along their
workflow, audited and versioned; done moves an item into the log in one transaction (addressing its need); links
to needs and planner contacts are the owner's only; the manager reads shared items only; the daily digest's list;
the learning record holds only what was picked. Organisation: tests/conftest.py's (Alan E3 manages Katherine E4
and Edsger E5; Grace E2 is HR). The clock stands on Monday 2026-03-02."""

from __future__ import annotations

from datetime import date

import pytest

from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import Conflict, NotFound, StaleWrite, ValidationFailed
from service.domain.learning_plan import remind_on
from service.services import interviews, learning
from service.services import learning_plan as plan
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.unit.test_learning import need_id

TODAY = date(2026, 3, 2)


@pytest.fixture
def uow(clock) -> UnitOfWork:
    uow = UnitOfWork(MemoryTable())
    import_organisation(uow, None, ORG_CSV, clock)
    return uow


def who(uow: UnitOfWork, employee_id: str = "E4"):
    return f.principal(uow.table, employee_id)


def items(uow: UnitOfWork, kind: str) -> list[dict]:
    return [i for i in uow.table.all_items() if i.get("type") == kind]


COURSE = {"kind": "course", "title": "Bayesian statistics", "target_date": "2026-03-20"}


def add(uow, clock, owner="E4", **more):
    return plan.add_item(UnitOfWork(uow.table), who(uow, owner), {**COURSE, **more}, clock)


def test_a_planned_item_is_stored_audited_and_listed_with_a_reminder_line(uow, clock):
    made = add(uow, clock, notes="ask for the budget")
    (stored,) = items(uow, "learning_plan_item")
    assert (stored["title"], stored["status"], stored["target_date"], stored["version"]) == (
        "Bayesian statistics",
        "planned",
        "2026-03-20",
        1,
    )
    assert any(i["pk"].startswith("AUDIT#LPLAN#E4") for i in uow.table.all_items())
    assert [(i["owner_id"], i["target_date"]) for i in items(uow, "learning_plan_due")] == [("E4", "2026-03-20")]
    assert [v.title for v in plan.my_plan(UnitOfWork(uow.table), who(uow), TODAY)] == [made.title]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"title": " "}, "title"),
        ({"target_date": "2026-03-01"}, "target_date"),
        ({"need_id": "../x"}, "need_id"),
        ({"contact_id": "c-nobody"}, "contact_id"),
    ],
)
def test_a_bad_item_is_refused_with_its_field_and_nothing_is_stored(uow, clock, body, field):
    with pytest.raises(ValidationFailed) as refused:
        add(uow, clock, **body)
    assert field in refused.value.errors
    assert items(uow, "learning_plan_item") == [] and items(uow, "learning_plan_due") == []


def test_a_colleagues_need_or_contact_cannot_be_linked(uow, clock):
    theirs = need_id(uow, clock, owner="E5")
    contact = interviews.add_contact(UnitOfWork(uow.table), who(uow, "E5"), {"name": "Mary Jackson"}, clock)
    with pytest.raises(ValidationFailed) as refused:
        add(uow, clock, need_id=theirs, contact_id=contact.contact_id)
    assert set(refused.value.errors) == {"need_id", "contact_id"}


def test_the_workflow_moves_an_item_and_refuses_the_rest(uow, clock):
    made = add(uow, clock)
    started = plan.act(UnitOfWork(uow.table), who(uow), made.item_id, "start", 1, clock)
    assert started.status == "in_progress" and started.version == 2
    with pytest.raises(StaleWrite):
        plan.act(UnitOfWork(uow.table), who(uow), made.item_id, "drop", 1, clock)
    dropped = plan.act(UnitOfWork(uow.table), who(uow), made.item_id, "drop", 2, clock)
    assert dropped.status == "dropped" and items(uow, "learning_plan_due") == []
    with pytest.raises(Conflict):
        plan.act(UnitOfWork(uow.table), who(uow), made.item_id, "start", 3, clock)
    resumed = plan.act(UnitOfWork(uow.table), who(uow), made.item_id, "resume", 3, clock)
    assert resumed.status == "planned" and len(items(uow, "learning_plan_due")) == 1


def test_marking_done_moves_the_item_into_the_log_and_addresses_its_need(uow, clock):
    need = need_id(uow, clock)
    made = add(uow, clock, need_id=need)
    done = plan.complete_item(
        UnitOfWork(uow.table), who(uow), made.item_id, {"hours": 6, "learnt": "priors matter"}, 1, clock
    )
    (activity,) = items(uow, "learning_activity")
    assert (activity["title"], activity["activity_type"], activity["hours"], activity["need_id"]) == (
        "Bayesian statistics",
        "course",
        6,
        need,
    )
    assert (done.status, done.activity_id, done.done_on) == ("done", activity["activity_id"], "2026-03-02")
    assert items(uow, "learning_plan_due") == []
    (stored_need,) = UnitOfWork(uow.table).training.of_person("E4")
    assert stored_need.status == "addressed"
    with pytest.raises(Conflict):  # a done item's record is its log entry
        plan.update_item(UnitOfWork(uow.table), who(uow), made.item_id, {"title": "Other"}, 2, clock)
    shared = plan.update_item(UnitOfWork(uow.table), who(uow), made.item_id, {"shared_with_manager": True}, 2, clock)
    assert shared.shared_with_manager


def test_done_is_one_transaction_a_refused_log_entry_leaves_the_item_open(uow, clock):
    made = add(uow, clock)
    with pytest.raises(ValidationFailed):
        plan.complete_item(UnitOfWork(uow.table), who(uow), made.item_id, {"hours": 99999}, 1, clock)
    with pytest.raises(ValidationFailed):
        plan.complete_item(UnitOfWork(uow.table), who(uow), made.item_id, {"done_on": "2026-03-03"}, 1, clock)
    assert items(uow, "learning_activity") == []
    assert [i["status"] for i in items(uow, "learning_plan_item")] == ["planned"]


def test_an_interview_item_links_to_the_planners_entry_instead_of_logging_it_twice(uow, clock):
    me = who(uow)
    contact = interviews.add_contact(UnitOfWork(uow.table), me, {"name": "Mary Jackson", "role": "Analyst"}, clock)
    made = add(uow, clock, kind="informational_interview", title="Talk to Mary", contact_id=contact.contact_id)
    assert made.contact_name == "Mary Jackson"
    c = UnitOfWork(uow.table).planner.get("E4", contact.contact_id)
    interviews.act(UnitOfWork(uow.table), me, c.contact_id, "schedule", c.version, clock, "2026-03-01T10:00")
    c = UnitOfWork(uow.table).planner.get("E4", contact.contact_id)
    interviews.complete(UnitOfWork(uow.table), me, c.contact_id, {"learnt": "a lot"}, c.version, clock)
    done = plan.complete_item(UnitOfWork(uow.table), me, made.item_id, {}, 1, clock)
    (activity,) = items(uow, "learning_activity")
    assert done.activity_id == activity["activity_id"]


def test_the_plan_is_private_and_the_manager_reads_only_shared_items_without_notes(uow, clock):
    kept = add(uow, clock, title="Private goal", notes="secret")
    add(uow, clock, title="Shared goal", notes="secret too", shared_with_manager=True)
    for other in ("E3", "E2", "E5"):
        with pytest.raises(NotFound):
            plan.get_item(UnitOfWork(uow.table), who(uow, other), kept.item_id, TODAY)
    seen = plan.shared_plan(UnitOfWork(uow.table), who(uow, "E3"), "E4")
    assert [i.title for i in seen.items] == ["Shared goal"] and not hasattr(seen.items[0], "notes")
    for other in ("E2", "E5", "E1"):
        with pytest.raises(NotFound):
            plan.shared_plan(UnitOfWork(uow.table), who(uow, other), "E4")


def test_the_digest_lists_open_items_a_week_and_a_day_before_on_the_day_and_mondays_once_late(uow, clock):
    assert [remind_on(d, TODAY) for d in ("2026-03-09", "2026-03-03", "2026-03-02", "2026-03-05")] == [
        True,
        True,
        True,
        False,
    ]
    assert remind_on("2026-02-20", TODAY) and not remind_on("2026-02-20", date(2026, 3, 3))
    add(uow, clock, title="Soon", target_date="2026-03-09")
    add(uow, clock, title="Later", target_date="2026-03-20")
    done = add(uow, clock, title="Today", target_date="2026-03-02")
    plan.complete_item(UnitOfWork(uow.table), who(uow), done.item_id, {}, 1, clock)
    due = plan.due_plan_items(UnitOfWork(uow.table), TODAY)
    assert {k: [d.title for d in v] for k, v in due.items()} == {"E4": ["Soon"]}


def test_the_record_holds_only_what_was_picked_and_needs_and_comments_only_when_asked(uow, clock):
    need = need_id(uow, clock)
    first = add(uow, clock, title="Picked", need_id=need)
    add(uow, clock, title="Not picked")
    plan.complete_item(UnitOfWork(uow.table), who(uow), first.item_id, {"hours": 3, "learnt": "x"}, 1, clock)
    upcoming = add(uow, clock, title="Upcoming", need_id=need)
    (activity,) = UnitOfWork(uow.table).learning.of_owner("E4")
    bare = plan.learning_record(UnitOfWork(uow.table), who(uow), [activity.activity_id], [], False, False, TODAY)
    assert [e.title for e in bare.entries] == ["Picked"] and bare.planned == [] and bare.entries[0].needs == []
    full = plan.learning_record(
        UnitOfWork(uow.table), who(uow), [activity.activity_id], [upcoming.item_id], True, True, TODAY
    )
    assert [p.title for p in full.planned] == ["Upcoming"] and full.hours == 3
    assert full.entries[0].needs == [full.planned[0].needs[0]] and full.entries[0].needs[0].startswith("Statistics")
    with pytest.raises(ValidationFailed):
        plan.learning_record(UnitOfWork(uow.table), who(uow), [], [], True, True, TODAY)
    with pytest.raises(ValidationFailed) as refused:
        plan.learning_record(UnitOfWork(uow.table), who(uow, "E5"), [activity.activity_id], [], True, True, TODAY)
    assert "activity_ids" in refused.value.errors


def test_the_daily_email_lists_an_item_a_week_before_its_date_and_not_once_done(uow, clock):
    made = add(uow, clock, title="Read Thinking in Systems", target_date="2026-03-09")
    mailer = MemoryMailer()
    send_reminders(UnitOfWork(uow.table), mailer, clock, "https://reviews.example")
    [mail] = mailer.sent
    assert mail.to == ("katherine@example.com",) and mail.subject == "Learning plan items due (1)"
    assert (
        f"- Read Thinking in Systems: target date 9 Mar 2026 — mark it done or move it at "
        f"https://reviews.example/learning/plan/{made.item_id}" in mail.text
    )
    plan.complete_item(UnitOfWork(uow.table), who(uow), made.item_id, {}, 1, clock)
    clock.at = clock.at.replace(day=8)  # a day before its date: listed again were it still open
    mailer = MemoryMailer()
    send_reminders(UnitOfWork(uow.table), mailer, clock, "https://reviews.example")
    assert mailer.sent == []


def test_a_done_items_log_entry_removed_since_is_no_longer_linked(uow, clock):
    made = add(uow, clock)
    done = plan.complete_item(UnitOfWork(uow.table), who(uow), made.item_id, {}, 1, clock)
    learning.delete_activity(UnitOfWork(uow.table), who(uow), done.activity_id, 1)
    (view,) = plan.my_plan(UnitOfWork(uow.table), who(uow), TODAY)
    assert (view.status, view.activity_id) == ("done", None)
