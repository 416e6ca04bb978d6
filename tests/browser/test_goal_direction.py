"""Goals where lower is better and the self assessment's goals section (issue 25, points 5 and 6) in a real
browser at 1280 and 390 px: a decrease key result set on the form and said as such on the goals list and the goal
page; a goal set seconds ago is on track, not behind; the self assessment lists the employee's own goals in an
optional section with nothing marked "needed to submit". Screenshots, and axe-core finds nothing serious."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time

import pytest
from playwright.sync_api import expect

from service.adapters.clock import FixedClock
from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser

WORDS = "300 ms now, target 200 ms or less, from 450 ms: 60% of the way"


def test_a_decrease_goal_reads_as_lower_is_better_and_the_self_assessment_lists_it(live, open_as):
    cid = live.launch().cycle_id
    problems: list[str] = []
    wide = open_as(live, "E4", WIDTHS["wide"])
    wide.goto(f"/goals?cycle={cid}")
    add = wide.locator("section", has=wide.get_by_role("heading", name="Add a goal"))
    add.get_by_label("Title").fill("Cut p95 latency to 200 ms")
    add.get_by_label("Weight (0–100)").fill("100")
    first = add.get_by_role("group", name="Key result 1")
    first.get_by_label("What is measured").fill("p95 latency")
    first.get_by_label("Unit").fill("ms")
    first.get_by_label("Which way is better").select_option("decrease")
    first.get_by_label("Start").fill("450")
    first.get_by_label("Target").fill("200")
    first.get_by_label("Now").fill("300")
    add.get_by_role("button", name="Add goal").click()
    expect(wide.get_by_text("Goal “Cut p95 latency to 200 ms” added.")).to_be_visible()
    (goal,) = goal_svc.person_goals(UnitOfWork(live.table), "E4", cid)
    assert [k.direction for k in goal.key_results] == ["decrease"]
    # A goal set on the cycle's first day that has not moved since: its time has gone by, its progress has not.
    early = FixedClock(datetime.combine(date(live.clock.now().year, 1, 1), time(9), UTC))
    docs = {"level": "individual", "title": "Write the runbooks", "weight": 0, "cycle_id": cid}
    goal_svc.create_goal(UnitOfWork(live.table), f.principal(live.table, "E4"), docs, early)

    narrow = open_as(live, "E4", WIDTHS["narrow"])
    for page, width in ((wide, "wide"), (narrow, "narrow")):
        page.goto(f"/goals?cycle={cid}")
        item = page.locator("li.goal", has_text="Cut p95 latency to 200 ms")
        # Set seconds ago in a cycle mostly gone: none of its own period has passed, so it is on track.
        expect(item.locator(".pill")).to_have_text("On track")
        expect(item.locator(".pace")).to_contain_text("0% of its time gone")
        expect(item.locator(".pace")).to_contain_text("on pace")
        expect(item.locator(".kr-lines")).to_have_text(f"p95 latency: {WORDS}")
        stale = page.locator("li.goal", has_text="Write the runbooks")
        expect(stale.locator(".pill")).to_have_text("Behind")
        expect(stale.locator(".pace")).to_contain_text("behind")
        check(page, f"goal-direction-01-list-{width}", problems)
        item.get_by_role("link", name="Cut p95 latency to 200 ms").click()
        expect(page.locator(".kr-list")).to_contain_text(f"p95 latency: {WORDS}")
        expect(page.get_by_role("group", name="Key result 1").get_by_label("Which way is better")).to_have_value(
            "decrease"
        )
        check(page, f"goal-direction-02-goal-{width}", problems)

        page.goto(f"/cycles/{cid}/reviews/E4/self")
        section = page.locator("#s-goals")
        expect(section.locator(".sec-state")).to_have_text("Optional")
        expect(section.get_by_role("group", name=re.compile("^Goal 1")).get_by_label("Goal", exact=True)).to_have_value(
            "Cut p95 latency to 200 ms"
        )
        latency = section.locator(".review-goal", has_text="Cut p95 latency to 200 ms")
        expect(latency.locator(".key-results")).to_contain_text(WORDS)
        expect(latency).to_contain_text("· on track")
        expect(latency.locator(".progress-line")).to_contain_text("60% done · 0% of its time gone")
        expect(section.get_by_label("Your rating of this goal").first).to_have_value("")  # "Not rated", no stray option
        expect(section.locator("option", has_text="no longer offered")).to_have_count(0)
        expect(section.get_by_text("(needed to submit)")).to_have_count(0)
        check(page, f"goal-direction-03-self-goals-{width}", problems)
    assert problems == []
