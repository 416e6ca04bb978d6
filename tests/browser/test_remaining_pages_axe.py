"""Every page the two page suites do not visit, at 1280 and 390 px: screenshotted and checked with axe-core
(0 serious or critical violations): sign-in, HR's import, templates and cycles (lists and forms), the
launch progress, the session-resumed page and the error page."""

from __future__ import annotations

import pytest

from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("width", list(WIDTHS))
def test_the_remaining_pages_pass_axe(live, open_as, browser, width):
    problems: list[str] = []
    viewport = WIDTHS[width]
    cycle = live.launch()

    context = browser.new_context(base_url=live.url, viewport=viewport, locale="en-GB")
    anonymous = context.new_page()
    anonymous.goto("/signin")
    check(anonymous, f"signin-{width}", problems)
    context.close()

    hr = open_as(live, "E2", viewport)
    template_id = cycle.template_id
    for name, path in [
        ("hr-import", "/hr/import"),
        ("hr-templates", "/hr/templates"),
        ("hr-template-new", "/hr/templates/new"),
        ("hr-template-edit", f"/hr/templates/{template_id}"),
        ("hr-cycles", "/hr/cycles"),
        ("hr-cycle-new", "/hr/cycles/new"),
        ("hr-launch-progress", f"/hr/cycles/{cycle.cycle_id}/launch"),
        ("session-resumed", "/session/resumed"),
        ("not-found", "/hr/cycles/no-such-cycle"),
    ]:
        hr.goto(path)
        check(hr, f"{name}-{width}", problems)
    assert problems == []
