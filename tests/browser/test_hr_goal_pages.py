"""HR's dashboard, history, goal pages, the team page and leadership's home in a real browser, at 1280 and 390 px:
each page is screenshotted (test-artifacts/screenshots/) and checked with axe-core (0 serious or critical)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from playwright.sync_api import expect

from service.adapters.mailer import MemoryMailer
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import goals as goal_svc
from service.services import reviews as review_svc
from service.services import templates as template_svc
from tests import factories as f
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser
WIDTHS = {"wide": {"width": 1280, "height": 900}, "narrow": {"width": 390, "height": 844}}


def launch(live, name: str, start: date, deadlines: list[int]) -> Any:
    """A cycle over everyone with its deadlines this many days from today (goal setting first)."""
    today = live.clock.now().date()
    hr = f.principal(live.table, "E2")
    template = template_svc.create_template(UnitOfWork(live.table), hr, f.template_data(), live.clock)
    phases = dict(
        zip(
            ("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion"),
            (today + timedelta(days=d) for d in deadlines),
            strict=True,
        )
    )
    data = f.cycle_data(
        template.template_id, name=name, phases=phases, period_start=start, period_end=date(start.year, 12, 31)
    )
    cycle = cycle_svc.create_cycle(UnitOfWork(live.table), hr, data, live.clock)
    queue = f.inline_queue(live.table, live.clock)
    cycle_svc.launch_cycle(UnitOfWork(live.table), hr, cycle.cycle_id, cycle.version, live.clock, queue)
    return cycle_svc.get_cycle(UnitOfWork(live.table), cycle.cycle_id)


def assess(live, cycle_id: str, employee_id: str, delivery: int, agreement: str | None = None) -> None:
    """Self and manager assessments submitted; with an agreement, discussed and acknowledged too."""
    t, c = live.table, live.clock
    me, boss = f.principal(t, employee_id), f.principal(t, "E3")
    review_svc.save_self_assessment(UnitOfWork(t), me, cycle_id, employee_id, f.self_content(), 1, True, c)
    ratings = {"delivery": {"rating": delivery, "comment": "Fine"}, "collaboration": {"rating": 3, "comment": "Ok"}}
    # A low delivery rating suggests a training need: the manager dismisses it (a submission must decide it).
    manager = f.manager_content(
        owner_id=employee_id, competency_ratings=ratings, need_suggestions={"delivery": "dismissed"}
    )
    review_svc.save_manager_assessment(UnitOfWork(t), boss, cycle_id, employee_id, manager, 2, True, c)
    if agreement:
        discussion = f.discussion_content(owner_id=employee_id)
        review_svc.save_discussion(UnitOfWork(t), boss, cycle_id, employee_id, discussion, 3, True, c)
        response = "The delivery rating misses the migration." if agreement == "disagree" else ""
        review_svc.acknowledge(UnitOfWork(t), me, cycle_id, employee_id, agreement, response, 4, c)


def goal(live, who: str, **data: Any) -> dict[str, Any]:
    return goal_svc.create_goal(UnitOfWork(live.table), f.principal(live.table, who), data, live.clock)


@pytest.fixture
def demo(live):
    """Last year's closed cycle and this year's, with acknowledged reviews (one disagreeing), overdue self
    assessments, and goals from the organisation down to people (one at risk)."""
    year = live.clock.now().year
    earlier = launch(live, f"{year - 1} annual review", date(year - 1, 1, 1), [-60, -50, -45, -40, -35])
    assess(live, earlier.cycle_id, "E4", delivery=2)
    hr = f.principal(live.table, "E2")
    cycle_svc.close_cycle(UnitOfWork(live.table), hr, earlier.cycle_id, earlier.version, live.clock)
    cycle = launch(live, f"{year} annual review", date(year, 1, 1), [-10, -3, 5, 20, 30])
    assess(live, cycle.cycle_id, "E4", delivery=4, agreement="agree")
    assess(live, cycle.cycle_id, "E5", delivery=2, agreement="disagree")
    org = goal(live, "E1", level="organisation", title="Delight customers", description="Answer every customer fast.")
    team = goal(live, "E3", level="team", title="Fast support", cycle_id=cycle.cycle_id, parent_id=org.goal_id)
    krs = [{"id": "kr1", "title": "Tickets answered within a day", "start": 0, "target": 40, "current": 12}]
    mine = goal(
        live,
        "E4",
        level="individual",
        title="Answer tickets within a day",
        weight=100,
        cycle_id=cycle.cycle_id,
        parent_id=team.goal_id,
        status="at_risk",
        key_results=krs,
    )
    goal(live, "E5", level="individual", title="Write the runbook", weight=100, cycle_id=cycle.cycle_id)
    live.app.extensions["reviews"].extras["mailer"] = mailer = MemoryMailer()
    return {"cycle": cycle, "org": org, "team": team, "mine": mine, "mailer": mailer}


def check(page, name: str, problems: list[str]) -> None:
    """Screenshot the page and collect axe-core's serious and critical violations on it."""
    from axe_playwright_python.sync_playwright import Axe

    shot(page, name)
    results = Axe().run(page)
    for v in results.response["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            problems.append(f"{name}: {v['id']} ({v['impact']}): {v['help']} at {targets}")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_hr_goal_and_home_pages_read_well_and_pass_axe(live, open_as, demo, width, monkeypatch):
    cycle_id = demo["cycle"].cycle_id
    problems: list[str] = []
    viewport = WIDTHS[width]

    hr = open_as(live, "E2", viewport)
    hr.goto(f"/hr/cycles/{cycle_id}")
    expect(hr.get_by_role("heading", name="1 employee did not agree with their review")).to_be_visible()
    check(hr, f"hr-dashboard-{width}", problems)
    hr.get_by_role("link", name="Finalise 2 acknowledged reviews").click()
    expect(hr.get_by_role("link", name="Edsger Dijkstra")).to_be_visible()
    expect(hr.get_by_role("link", name="Katherine Johnson")).to_be_visible()
    check(hr, f"hr-to-finalise-{width}", problems)
    hr.goto(f"/hr/cycles/{cycle_id}")
    hr.get_by_role("link", name="overdue tasks: see who").first.click()
    expect(hr.get_by_role("heading", name="Self assessment")).to_be_visible()
    check(hr, f"hr-overdue-{width}", problems)
    monkeypatch.setattr(cycle_svc, "WORK_PAGE", 2)  # issue 24: the list in pages, "Next page" a plain link
    hr.reload()
    check(hr, f"hr-overdue-paged-{width}", problems)
    hr.get_by_role("link", name="Next page").click()
    expect(hr.get_by_role("link", name="First page")).to_be_visible()
    monkeypatch.undo()
    hr.get_by_role("button", name="Send reminder now for self assessment").click()
    expect(hr.get_by_text("Reminder sent to")).to_be_visible()
    assert demo["mailer"].sent
    hr.goto(f"/hr/cycles/{cycle_id}")
    hr.get_by_role("link", name="Close the cycle…").click()
    expect(hr.get_by_role("heading", name="What will happen")).to_be_visible()
    check(hr, f"hr-close-confirm-{width}", problems)

    employee = open_as(live, "E4", viewport)
    employee.goto("/history")
    expect(employee.get_by_role("img", name="Delivery rating per cycle")).to_be_visible()
    check(employee, f"history-{width}", problems)

    manager = open_as(live, "E3", viewport)
    manager.goto("/goals")
    expect(manager.get_by_role("heading", name="Your reports' goals")).to_be_visible()
    check(manager, f"goals-manager-{width}", problems)
    manager.get_by_role("link", name="Give to the team… “Fast support”").click()
    manager.get_by_label("Edsger Dijkstra").uncheck()
    check(manager, f"goal-assign-choose-{width}", problems)
    manager.get_by_role("button", name="Continue").click()
    expect(manager.get_by_role("heading", name="Please confirm")).to_be_visible()
    check(manager, f"goal-assign-confirm-{width}", problems)
    manager.get_by_role("button", name="Yes, give it to 1 person").click()
    expect(manager.get_by_text("given to 1 person")).to_be_visible()
    manager.goto(f"/goals/{demo['mine'].goal_id}")
    expect(manager.get_by_role("heading", name="How progress is worked out")).to_be_visible()
    check(manager, f"goal-{width}", problems)
    manager.goto(f"/cycles/{cycle_id}/team")
    check(manager, f"team-{width}", problems)

    leader = open_as(live, "E1", viewport)
    expect(leader.get_by_role("heading", name="Your reports")).to_be_visible()
    check(leader, f"home-leadership-{width}", problems)
    leader.goto("/goals/alignment")
    check(leader, f"alignment-{width}", problems)
    leader.goto(f"/goals/{demo['org'].goal_id}")
    expect(leader.get_by_role("paragraph").filter(has_text="Answer every customer fast.")).to_be_visible()
    check(leader, f"goal-organisation-{width}", problems)
    leader.goto("/goals/organisation")
    check(leader, f"goals-organisation-{width}", problems)

    assert not problems, "\n".join(problems)
