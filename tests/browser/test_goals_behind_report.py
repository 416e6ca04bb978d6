"""The organisation's alignment report counts every goal behind its time (issue 25), in a real browser at 1280 and
390 px over the demo: team and individual goals listed as "Behind" beside the owners' "At risk", with no hint that
they are left out; leadership's and a manager's home pages after the change. Screenshots; axe finds nothing
serious or critical; nothing is wider than the phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles
from service.services import goals as goal_svc
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check
from tests.browser.test_training_report import demo  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


def test_the_alignment_report_lists_team_and_individual_goals_behind_their_time(demo, open_as):  # noqa: F811
    newest = cycles.list_cycles(UnitOfWork(demo.table))[0]
    ceo = f.principal(demo.table, "E001")
    report = goal_svc.alignment_report(UnitOfWork(demo.table), ceo, newest.cycle_id, demo.clock.now().date())
    behind = [g for g in report.at_risk.goals if g.standing == "behind" and g.level != "organisation"]
    assert behind  # team and individual goals behind their time are counted over the whole organisation
    problems: list[str] = []
    for width, viewport in WIDTHS.items():
        page = open_as(demo, "E001", viewport)
        page.goto(f"/goals/alignment?cycle={newest.cycle_id}")
        heading = page.get_by_role("heading", name=f"At risk, off track or behind ({report.at_risk.count})")
        expect(heading).to_be_visible()
        expect(page.get_by_text(re.compile("other goals count here when their owners mark them"))).to_have_count(0)
        row = page.locator("#risk + p + ul li", has=page.get_by_role("link", name=behind[0].title, exact=True))
        expect(row.first.locator(".pill")).to_have_text("Behind")
        check(page, f"goals-behind-alignment-{width}", problems)
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= viewport["width"], f"alignment at {width}: {wide} px"
        page.goto("/")
        check(page, f"goals-behind-home-leader-{width}", problems)
        manager = open_as(demo, "E003", viewport)
        manager.goto("/")
        check(manager, f"goals-behind-home-manager-{width}", problems)
    assert problems == []
