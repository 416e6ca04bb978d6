"""The daily digest (issue 24): nominations and feedback requests wait in the table for the recipient's one email of
the day, which the reminders run sends; sent once, then removed; a retried run sends nothing twice.

The organisation is test_feedback_usecases.py's: Alan (F3) manages Katherine (F4) and her peers F5, F7, F8, F9.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest

from service.adapters import keys
from service.adapters.mailer import DigestingMailer, Email, MemoryMailer, SendFailed
from service.adapters.reminder_store import keep_for_digest
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import feedback_answers, feedback_nominations
from service.services.directory import import_organisation
from service.services.reminders import send_reminders
from tests import factories as f
from tests.unit.test_feedback_usecases import ORG, TEMPLATE

NEXT_MORNING = datetime(2026, 3, 3, 7, tzinfo=UTC)  # nothing is overdue yet: self assessments are due 2026-03-10


@dataclass
class RefusingMailer(MemoryMailer):
    """Refuses every message to the addresses in `refuse` (SES throttling, say)."""

    refuse: set[str] = field(default_factory=set)

    def send(self, email: Email) -> None:
        if set(email.to) & self.refuse:
            raise SendFailed("Throttling")
        super().send(email)


@pytest.fixture
def table(clock) -> MemoryTable:
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG, clock)
    return table


@pytest.fixture
def cycle_id(table, clock) -> str:
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc

    hr = f.principal(table, "F2")
    template = template_svc.create_template(UnitOfWork(table), hr, TEMPLATE, clock)
    c = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, c.cycle_id, c.version, clock, f.inline_queue(table, clock))
    return c.cycle_id


def waiting(table: MemoryTable) -> list[dict]:
    """The messages kept for a digest, as stored."""
    return [i for shard in range(keys.DIGEST_SHARDS) for i in table.query(keys.digest_partition(shard))]


def nominate(table, clock, cycle_id, subject, peers, sent: MemoryMailer) -> None:
    mailer = DigestingMailer(sent, keep_for_digest(table))
    feedback_nominations.nominate_peers(
        UnitOfWork(table), f.principal(table, subject), cycle_id, subject, peers, clock, mailer, "https://r"
    )


def three_nominations(table, clock, cycle_id, sent: MemoryMailer) -> None:
    """Three of Alan's reports nominate peers on one day: three things for Alan to decide."""
    nominate(table, clock, cycle_id, "F4", ["F5", "F7", "F8"], sent)
    nominate(table, clock, cycle_id, "F5", ["F4", "F7", "F8"], sent)
    nominate(table, clock, cycle_id, "F7", ["F4", "F5", "F8"], sent)


def ask_three(table, clock, cycle_id) -> None:
    """Katherine (F4) nominates Edsger, Margaret and Donald; Alan approves: each is asked, by a kept message."""
    nominate(table, clock, cycle_id, "F4", ["F5", "F7", "F8"], MemoryMailer())
    asking = DigestingMailer(MemoryMailer(), keep_for_digest(table))
    alan = f.principal(table, "F3")
    approve = ["F5", "F7", "F8"]
    feedback_nominations.decide_nominations(
        UnitOfWork(table), alan, cycle_id, "F4", approve, [], [], clock, asking, "https://r"
    )


def to(mailer: MemoryMailer, address: str) -> list[Email]:
    return [m for m in mailer.sent if address in m.to]


def test_three_events_in_a_day_make_one_email_the_next_morning_listing_all_three(table, clock, cycle_id):
    at_once = MemoryMailer()
    three_nominations(table, clock, cycle_id, at_once)
    assert at_once.sent == [] and len(waiting(table)) == 3  # nothing sent during the day, three kept for Alan

    clock.at = NEXT_MORNING
    daily = MemoryMailer()
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    [email] = to(daily, "alan@example.com")
    assert email.text.startswith("Hello Alan Turing,")
    for name, subject_id in (("Katherine Johnson", "F4"), ("Edsger Dijkstra", "F5"), ("Margaret Hamilton", "F7")):
        assert f"Peer reviewers to approve for {name}" in email.text
        assert f"https://r/cycles/{cycle_id}/reviews/{subject_id}/nominations" in email.text
    assert email.subject == "Your review updates today (3)"
    assert waiting(table) == []  # delivered: nothing kept any more


def test_a_retried_run_on_the_same_day_sends_nothing_twice(table, clock, cycle_id):
    three_nominations(table, clock, cycle_id, MemoryMailer())
    clock.at = NEXT_MORNING
    daily = MemoryMailer()
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    nominate(table, clock, cycle_id, "F8", ["F4", "F5", "F7"], MemoryMailer())  # a fourth, after the run
    send_reminders(UnitOfWork(table), daily, clock, "https://r")  # Lambda's retry, the same day
    assert len(to(daily, "alan@example.com")) == 1
    assert len(waiting(table)) == 1  # the fourth waits for tomorrow's email

    clock.at = NEXT_MORNING.replace(day=4)
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    assert "Peer reviewers to approve for Donald Knuth" in to(daily, "alan@example.com")[-1].text
    assert waiting(table) == []


def test_a_refused_digest_keeps_its_messages_for_the_retry(table, clock, cycle_id):
    three_nominations(table, clock, cycle_id, MemoryMailer())
    clock.at = NEXT_MORNING
    refusing = RefusingMailer(refuse={"alan@example.com"})
    assert send_reminders(UnitOfWork(table), refusing, clock, "https://r").failed == 1
    assert len(waiting(table)) == 3

    refusing.refuse.clear()
    send_reminders(UnitOfWork(table), refusing, clock, "https://r")  # the retry
    [email] = to(refusing, "alan@example.com")
    assert email.text.count("Peer reviewers to approve for") == 3
    assert waiting(table) == []


def test_a_new_request_is_announced_once_and_an_answered_one_not_at_all(table, clock, cycle_id):
    ask_three(table, clock, cycle_id)
    content = {"ratings": {"delivery": 3, "collaboration": 4}, "answers": {"strength": "Kind"}}
    feedback_answers.submit_answer(UnitOfWork(table), f.principal(table, "F5"), cycle_id, "F4", content, clock)

    clock.at = NEXT_MORNING
    daily = MemoryMailer()
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    assert to(daily, "edsger@example.com") == []  # answered the same day: the request is no longer news
    [email] = to(daily, "margaret@example.com")
    assert email.subject == "Your feedback on Katherine Johnson"
    assert email.text.count(f"https://r/feedback/{cycle_id}/F4") == 1  # announced, not listed again as waiting
    assert "anonymous" in email.text
    assert waiting(table) == []


def test_a_message_without_a_digest_key_is_sent_at_once(table):
    sent = MemoryMailer()
    DigestingMailer(sent, keep_for_digest(table)).send(Email(("ada@example.com",), "Report", "Here it is"))
    assert [m.subject for m in sent.sent] == ["Report"] and waiting(table) == []


def test_a_waiting_request_is_listed_on_mondays_and_each_of_the_last_three_days(table, clock, cycle_id):
    ask_three(table, clock, cycle_id)
    link = f"https://r/feedback/{cycle_id}/F4"
    listed = []
    for day in range(3, 21):  # Tuesday 3 March to the feedback deadline, Friday 20 March
        clock.at = NEXT_MORNING.replace(day=day)
        daily = MemoryMailer()
        send_reminders(UnitOfWork(table), daily, clock, "https://r")
        # From 11 March her overdue self assessment is in her daily email too; the request is not, every day.
        listed += [day for m in to(daily, "margaret@example.com") if link in m.text]
    assert listed == [3, 9, 16, 18, 19, 20]  # announced, two Mondays, the last three days


def test_hr_s_remind_now_takes_the_day_s_email_so_it_carries_what_waits(table, clock, cycle_id):
    from service.services.reminders import remind_cycle_now

    three_nominations(table, clock, cycle_id, MemoryMailer())
    clock.at = datetime(2026, 3, 11, 10, tzinfo=UTC)  # self assessments were due yesterday: Alan's is overdue
    now = MemoryMailer()
    remind_cycle_now(UnitOfWork(table), f.principal(table, "F2"), cycle_id, now, clock, "https://r")
    [email] = to(now, "alan@example.com")
    assert email.subject.startswith("Overdue review tasks") and email.text.count("Peer reviewers to approve") == 3
    assert waiting(table) == []
    later = MemoryMailer()
    send_reminders(UnitOfWork(table), later, clock, "https://r")  # the daily run, the same day
    assert to(later, "alan@example.com") == []


def test_nominations_during_a_delegation_go_to_the_acting_manager_and_after_it_to_the_manager(table, clock, cycle_id):
    from datetime import date

    from service.services import delegation

    uow = UnitOfWork(table)
    uow.today = clock.now().date()
    period = {"manager_id": "F3", "acting_id": "F10", "starts": date(2026, 3, 2), "ends": date(2026, 3, 3)}
    delegation.name_acting_manager(uow, f.principal(table, "F3"), period, clock)
    nominate(table, clock, cycle_id, "F4", ["F5", "F7", "F8"], MemoryMailer())
    clock.at = NEXT_MORNING
    daily = MemoryMailer()
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    [email] = to(daily, "linus@example.com")
    assert "Peer reviewers to approve for Katherine Johnson" in email.text
    assert "You are acting manager for Alan Turing" in email.text
    assert to(daily, "alan@example.com") == []

    clock.at = NEXT_MORNING.replace(day=4)  # the delegation ended yesterday
    nominate(table, clock, cycle_id, "F5", ["F4", "F7", "F8"], MemoryMailer())
    clock.at = NEXT_MORNING.replace(day=5)
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    [email] = [m for m in to(daily, "alan@example.com") if "Peer reviewers" in m.text]  # (and the end's notice)
    assert "Peer reviewers to approve for Edsger Dijkstra" in email.text and "You are acting" not in email.text


def test_a_kept_nomination_notice_goes_to_whoever_decides_when_the_digest_is_sent(table, clock, cycle_id):
    from datetime import date

    from service.services import delegation

    nominate(table, clock, cycle_id, "F4", ["F5", "F7", "F8"], MemoryMailer())  # kept for Alan, the manager then
    uow = UnitOfWork(table)
    uow.today = clock.now().date()
    period = {"manager_id": "F3", "acting_id": "F10", "starts": date(2026, 3, 3), "ends": date(2026, 3, 9)}
    delegation.name_acting_manager(uow, f.principal(table, "F3"), period, clock)  # Linus acts from the next day
    clock.at = NEXT_MORNING
    daily = MemoryMailer()
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    assert [m for m in to(daily, "alan@example.com") if "Peer reviewers" in m.text] == []
    [email] = [m for m in to(daily, "linus@example.com") if "Peer reviewers" in m.text]
    assert "Peer reviewers to approve for Katherine Johnson" in email.text
    assert "You are acting manager for Alan Turing" in email.text
    assert f"https://r/cycles/{cycle_id}/reviews/F4/nominations" in email.text
    assert waiting(table) == []  # delivered once, to the one who decides


def test_a_kept_nomination_notice_follows_a_manager_change_and_a_leaver_s_is_dropped(table, clock, cycle_id):
    nominate(table, clock, cycle_id, "F4", ["F5", "F7", "F8"], MemoryMailer())  # kept for Alan (F3)
    nominate(table, clock, cycle_id, "F5", ["F4", "F7", "F8"], MemoryMailer())  # kept for Alan too
    moved = ORG.replace(
        "Katherine Johnson,katherine@example.com,Engineer,Engineering,F3,",
        "Katherine Johnson,katherine@example.com,Engineer,Engineering,F1,",
    )
    moved = moved.replace("F5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,F3,\n", "")  # Edsger left
    import_organisation(UnitOfWork(table), None, moved, clock)  # Katherine now reports to Ada (F1)
    new_manager = UnitOfWork(table).directory.get("F1")
    clock.at = NEXT_MORNING
    daily = MemoryMailer()
    send_reminders(UnitOfWork(table), daily, clock, "https://r")
    assert [m for m in to(daily, "alan@example.com") if "Peer reviewers" in m.text] == []
    [email] = [m for m in to(daily, new_manager.email) if "Peer reviewers" in m.text]
    assert "Peer reviewers to approve for Katherine Johnson" in email.text and "Edsger" not in email.text
    assert waiting(table) == []
