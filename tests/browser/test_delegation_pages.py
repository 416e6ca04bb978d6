"""Acting managers, a manager change and contributions in a real browser (issue 28, point 3): the manager names an
acting manager; the new manager after a move takes over the former draft; the manager asks for a contribution and
the contributor writes it. Each page at 1280 and 390 px, screenshotted and checked with axe-core (0 serious or
critical), and no wider than the phone. One live server for both widths."""

from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from service.adapters.mailer import MemoryMailer
from service.adapters.unit_of_work import UnitOfWork
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.browser.test_hr_goal_pages import WIDTHS, check, launch
from tests.conftest import ORG_CSV

pytestmark = pytest.mark.browser


def _fits(page, viewport) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


def test_acting_manager_manager_change_and_contribution(live, open_as):
    live.app.extensions["reviews"].extras["mailer"] = MemoryMailer()
    problems: list[str] = []
    today = live.clock.now().date()
    cycle = launch(live, "Mid-year review", today.replace(month=1, day=1), [-10, 3, 5, 20, 30])
    cid = cycle.cycle_id
    e3 = f.principal(live.table, "E3")
    draft = f.manager_content(narrative="Alan's notes so far")
    review_svc.save_manager_assessment(UnitOfWork(live.table), e3, cid, "E4", draft, 1, False, live.clock)
    for width, viewport in WIDTHS.items():
        manager = open_as(live, "E3", viewport)
        manager.goto("/delegations")
        if width == "wide":  # named once; the narrow pass shows the list with it
            manager.get_by_label("Acting manager", exact=True).select_option("E6")
            manager.get_by_label("First day").fill(today.isoformat())
            manager.get_by_label("Last day (included)").fill((today + timedelta(days=5)).isoformat())
            manager.get_by_role("button", name="Name acting manager").click()
            expect(manager.get_by_text("Acting manager named")).to_be_visible()
        expect(manager.get_by_text("Acting now")).to_be_visible()
        check(manager, f"delegations-manager-{width}", problems)
        _fits(manager, viewport)

        manager.goto(f"/cycles/{cid}/reviews/E5/contributions")
        if width == "wide":
            manager.get_by_label("Whom to ask").select_option("E2")
            manager.get_by_label("What would you like them to comment on?").fill("How did Edsger run the audit?")
            manager.get_by_role("button", name="Ask for a contribution").click()
            expect(manager.get_by_text("Asked:")).to_be_visible()
        check(manager, f"contributions-review-{width}", problems)
        _fits(manager, viewport)

        contributor = open_as(live, "E2", viewport)
        contributor.goto("/contributions")
        if width == "wide":
            contributor.get_by_label("Your contribution").fill("Careful and on time.")
            contributor.get_by_role("button", name="Send to the manager").click()
            expect(contributor.get_by_text("only the manager reads your contribution")).to_be_visible()
        check(contributor, f"contributions-mine-{width}", problems)
        _fits(contributor, viewport)

    # E4 moves to Barbara Liskov (E6): the draft Alan started waits for her.
    moved = ORG_CSV.replace(
        "E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E3,",
        "E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E6,",
    )
    import_organisation(UnitOfWork(live.table), None, moved, live.clock)
    for width, viewport in WIDTHS.items():
        new = open_as(live, "E6", viewport)
        new.goto(f"/cycles/{cid}/reviews/E4/manager")
        expect(new.get_by_text("Draft by Alan Turing")).to_be_visible()
        check(new, f"former-draft-{width}", problems)
        _fits(new, viewport)
        if width == "narrow":
            new.get_by_role("button", name="Take over the draft").click()
            expect(new.get_by_text("The draft is yours now")).to_be_visible()
            expect(new.get_by_text("Draft by Alan Turing")).to_have_count(0)
    assert not problems, "\n".join(problems)
