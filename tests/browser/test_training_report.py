"""The training-need report, HR's topic catalogue and an individual's needs in a real browser, at 1280 and
390 px, over the demo organisation: screenshots (test-artifacts/screenshots/) and axe-core (0 serious or critical)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from service.adapters.clock import Clock
from service.adapters.store import MemoryTable
from service.demo.scenario import load_demo
from tests.browser.conftest import shot

pytestmark = pytest.mark.browser
WIDTHS = {"wide": {"width": 1280, "height": 900}, "narrow": {"width": 390, "height": 844}}


@pytest.fixture
def demo(live):
    """The demo story (built in memory through the use cases) copied into the live moto table."""
    memory = MemoryTable()
    load_demo(memory, Clock())
    items = memory.all_items()
    name = live.settings.table_name
    for start in range(0, len(items), 25):
        batch = [{"PutRequest": {"Item": live.table.encode(i)}} for i in items[start : start + 25]]
        live.table.client.batch_write_item(RequestItems={name: batch})
    return live


def check(page, name: str, problems: list[str]) -> None:
    """Screenshot the page and collect axe-core's serious and critical violations on it."""
    from axe_playwright_python.sync_playwright import Axe

    shot(page, name)
    for v in Axe().run(page).response["violations"]:
        if v["impact"] in ("serious", "critical"):
            targets = ", ".join(str(n["target"]) for n in v["nodes"][:3])
            problems.append(f"{name}: {v['id']} ({v['impact']}): {v['help']} at {targets}")


@pytest.mark.parametrize("width", list(WIDTHS))
def test_training_pages_read_well_and_pass_axe(demo, open_as, width):
    problems: list[str] = []
    viewport = WIDTHS[width]

    # Leadership opens on last year's closed cycle: the running one's figures are shown when it closes.
    leader = open_as(demo, "E001", viewport)
    leader.get_by_text("Reports", exact=True).click()
    leader.get_by_role("link", name="Training needs").click()
    expect(leader.get_by_role("heading", name="By topic")).to_be_visible()
    expect(leader.get_by_role("img", name="Training needs by topic: people this cycle")).to_be_visible()
    leader.get_by_label("Topics in the suggested programme").fill("2")
    leader.get_by_role("button", name="Suggest").click()
    expect(leader.get_by_role("heading", name="Suggested training programme: 2 topics")).to_be_visible()
    check(leader, f"training-report-{width}", problems)
    running = leader.get_by_label("Cycle shown").locator("option").first.get_attribute("value")
    leader.goto(f"/reports/training?cycle={running}")
    expect(leader.locator("#figures-held")).to_contain_text("This cycle's figures are shown when it closes.")
    expect(leader.get_by_role("heading", name="By topic")).to_have_count(0)
    check(leader, f"training-report-held-{width}", problems)
    leader.goto("/reports/diagnosis")
    expect(leader.locator("#figures-held")).to_contain_text("2025 annual review")
    check(leader, f"diagnosis-held-{width}", problems)
    hr_live = open_as(demo, "E005", viewport)
    hr_live.goto(f"/reports/training?cycle={running}")
    expect(hr_live.locator("#figures-live")).to_be_visible()
    check(hr_live, f"training-report-live-{width}", problems)

    hr = open_as(demo, "E005", viewport)
    hr.goto("/reports/training/topics")
    expect(hr.get_by_role("heading", name="Merge two topics")).to_be_visible()
    check(hr, f"training-topics-{width}", problems)
    hr.goto("/reports/training/topics?cycle=nope")
    expect(hr.get_by_role("alert")).to_contain_text("There is no cycle “nope” to show here")
    check(hr, f"training-topics-unknown-cycle-{width}", problems)

    # A cycle just launched has no figures yet: nothing to suggest or download, and the page says why.
    empty = _launch(demo, f"Just launched ({width})")
    hr.goto(f"/reports/training?cycle={empty}")
    expect(hr.get_by_text("There is no programme to suggest and nothing to download yet")).to_be_visible()
    expect(hr.get_by_role("button", name="Suggest")).to_have_count(0)
    expect(hr.get_by_role("link", name="Download CSV")).to_have_count(0)
    check(hr, f"training-report-no-figures-{width}", problems)

    manager = open_as(demo, "E022", viewport)
    manager.goto("/people/E025/training-needs")
    expect(manager.get_by_role("button", name="Log training").first).to_be_visible()
    check(manager, f"training-needs-{width}", problems)
    assert not problems, "\n".join(problems)


def _launch(live, name: str) -> str:
    """A cycle HR launches now (for one person, to keep it quick): nobody has named a training need in it."""
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import cycles, templates
    from tests import factories as f

    hr = f.principal(live.table, "E005")
    template_id = templates.list_templates(UnitOfWork(live.table))[0].template_id
    cycle = cycles.create_cycle(
        UnitOfWork(live.table),
        hr,
        f.cycle_data(template_id, name=name, participant_mode="list", employee_ids=["E009"]),
        live.clock,
    )
    queue = f.inline_queue(live.table, live.clock)
    cycles.launch_cycle(UnitOfWork(live.table), hr, cycle.cycle_id, cycle.version, live.clock, queue)
    return cycle.cycle_id
