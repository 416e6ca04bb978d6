"""A one-to-one in a real browser (issue 28, point 1): the manager sets the rhythm and adds an action, the report
adds a talking point while the manager's private note stays hidden from them, the manager writes the shared notes
and marks the meeting held; the open action moves to the next meeting, and HR sees only that it happened. Each page
is screenshotted and checked with axe-core (0 serious or critical) at 1280 px during the journey, then at 390 px,
where it is no wider than the phone (one journey, two widths: the cost of one live server)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.adapters.mailer import MemoryMailer
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser


def test_a_manager_and_report_hold_a_one_to_one(live, open_as):
    problems: list[str] = []
    live.app.extensions["reviews"].extras["mailer"] = mailer = MemoryMailer()
    alan = open_as(live, "E3", WIDTHS["wide"])
    alan.goto("/one-to-ones")
    check(alan, "one-to-ones-list-wide", problems)
    alan.get_by_role("link", name="With Katherine Johnson").click()
    check(alan, "one-to-one-new-wide", problems)
    alan.get_by_label("Rhythm").select_option("weekly")
    alan.get_by_label(re.compile(r"^Time \(HH:MM, UTC\)")).fill("10:00")
    alan.get_by_label("First meeting").fill(live.clock.now().date().isoformat())
    alan.get_by_role("button", name="Save rhythm").click()
    expect(alan.get_by_text("Saved: you meet weekly.")).to_be_visible()
    alan.get_by_label("A new action").fill("Book the AWS course")
    alan.get_by_role("button", name="Add action").click()
    expect(alan.get_by_text("Action added.")).to_be_visible()
    alan.get_by_label("Only you read these").fill("Ask about the team move carefully")
    alan.get_by_role("button", name="Save private notes").click()

    kath = open_as(live, "E4", WIDTHS["wide"])
    kath.goto("/one-to-ones")
    kath.get_by_label(re.compile("^Time zone")).fill("Asia/Kolkata")
    kath.get_by_role("button", name="Save time zone").click()
    expect(kath.get_by_text("Saved: times are shown in Asia/Kolkata.")).to_be_visible()
    kath.goto("/one-to-ones/E4")
    expect(kath.get_by_role("heading", name=re.compile(r"Next meeting: .* at 15:30 \(Asia.Kolkata\)"))).to_be_visible()
    kath.get_by_label("A talking point").fill("Moving to the platform team")
    kath.get_by_role("button", name="Add to the agenda").click()
    expect(kath.get_by_text("Added to the agenda.")).to_be_visible()
    expect(kath.get_by_text("Ask about the team move carefully")).to_have_count(0)
    check(kath, "one-to-one-agenda-wide", problems)

    alan.goto("/one-to-ones/E4")
    expect(alan.get_by_text("Moving to the platform team")).to_be_visible()
    expect(alan.get_by_role("heading", name=re.compile(r"Next meeting: .* at 10:00 \(UTC\)"))).to_be_visible()
    alan.get_by_label("A talking point").fill("Conference budget")
    alan.get_by_role("button", name="Add to the agenda").click()
    alan.get_by_role("button", name=re.compile(r"Mark covered\W+Conference budget")).click()
    expect(alan.get_by_text("Agenda updated.")).to_be_visible()
    alan.get_by_label("Notes you both read").fill("Katherine will shadow the platform on-call for a week.")
    alan.get_by_role("button", name="Save shared notes").click()
    expect(alan.get_by_text("Shared notes saved.")).to_be_visible()
    alan.get_by_role("button", name="Mark this meeting held").click()
    expect(alan.get_by_text("Marked held: open actions")).to_be_visible()
    check(alan, "one-to-one-held-wide", problems)
    assert [m.subject.split(" on ")[0] for m in mailer.sent] == ["One-to-one", "One-to-one"]

    kath.goto("/one-to-ones/E4")
    history = kath.locator("section", has=kath.get_by_role("heading", name="Meetings held"))
    expect(history.get_by_text("Katherine will shadow the platform on-call for a week.")).to_be_visible()
    carried = kath.get_by_role("button", name=re.compile(r"Mark done\W+Book the AWS course"))
    expect(carried).to_be_visible()  # carried to the next meeting
    agenda = kath.locator("ol.agenda")
    expect(agenda).to_contain_text("Moving to the platform team")  # not covered: carried, and says so
    expect(agenda).to_contain_text("carried from")
    expect(agenda).not_to_contain_text("Conference budget")
    expect(kath.get_by_text("Ask about the team move carefully")).to_have_count(0)
    hr = open_as(live, "E2", WIDTHS["wide"])
    hr.goto("/hr/one-to-ones")
    expect(hr.get_by_role("cell", name="Katherine Johnson")).to_be_visible()
    expect(hr.get_by_text("shadow the platform")).to_have_count(0)
    check(hr, "one-to-ones-hr-wide", problems)

    # The held meeting goes into Katherine's review, which is then finalised: the meeting says so (limits of issue 28).
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import one_to_ones as svc
    from tests import factories as f
    from tests.pdf.conftest import finalise_e4

    cycle = f.launched_cycle(live.table, live.clock)
    (held,) = [m for m in UnitOfWork(live.table).one_to_ones.meetings("E3", "E4") if m.state.value == "held"]
    svc.pull_into_review(
        UnitOfWork(live.table), f.principal(live.table, "E3"), "E4", held.date, cycle.cycle_id, live.clock
    )
    finalise_e4(live.table, cycle.cycle_id, live.clock)
    alan.bring_to_front()
    alan.goto("/one-to-ones")
    alan.goto("/one-to-ones/E4")
    expect(alan.get_by_text("Part of the finalised review")).to_be_visible()
    check(alan, "one-to-one-finalised-wide", problems)

    narrow = WIDTHS["narrow"]
    for page, path, name in (
        (alan, "/one-to-ones", "one-to-ones-list"),
        (alan, "/one-to-ones/E4", "one-to-one-finalised"),
        (kath, "/one-to-ones/E4", "one-to-one-agenda"),
        (hr, "/hr/one-to-ones", "one-to-ones-hr"),
    ):
        page.bring_to_front()  # three signed-in pages are open: the one looked at is in front
        page.set_viewport_size(narrow)
        page.goto(path)
        check(page, f"{name}-narrow", problems)
        assert page.evaluate("document.documentElement.scrollWidth") <= narrow["width"], path
    assert not problems, "\n".join(problems)
