"""Every page answers at a glance where am I, what is expected of me here and what happens next (issue 25).

Signed in as each role of the demo, the pages reachable from home (the crawl of test_fits_phone.py) each have a
navigation link marked current (aria-current) or a breadcrumb; exactly one <h1>; directly under it (past only
in-page navigation, a picker or filter (a GET form), a deadline line or an error summary) a non-empty lead
paragraph (`p.lead`) saying what is expected of the reader; and, when the page has a form that sends something
on (a POST form with a submit button in the page's content: sign-out and the session banner sit outside it,
searches and filters are GET forms), a non-empty `.next-step` sentence in or right next to such a form, or in
its card, saying what happens after. Every offender is listed. A few changed pages are screenshotted at 1280
and 390 px and checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from service.demo.content import HR
from tests.browser.test_fits_phone import PHONE, ROLES, crawl, signed_in, site  # noqa: F401 (site: fixture)
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser

BEARINGS = """() => {
  const main = document.querySelector('main');
  const h1s = [...main.querySelectorAll('h1')];
  let lead = null;
  if (h1s.length === 1) {
    let el = h1s[0].nextElementSibling;
    const skip = 'nav, form[method=get], .deadline, .error-summary, .flash, .flashes';
    while (el && el.matches(skip)) el = el.nextElementSibling;
    lead = el && el.matches('p.lead') ? el.textContent.trim() : '';
  }
  const submits = f => [...f.querySelectorAll('button:not([type]), button[type=submit], input[type=submit]')];
  const sending = [...main.querySelectorAll('form')].filter(
    f => (f.getAttribute('method') || 'get').toLowerCase() === 'post' && submits(f).length > 0);
  const near = el => sending.some(f => f.contains(el) || f.nextElementSibling === el || f.previousElementSibling === el
    || (el.closest('section, .card') || main).contains(f) && el.closest('section, .card'));
  const next = [...main.querySelectorAll('.next-step')].filter(el => el.textContent.trim() && near(el));
  const where = !!document.querySelector('nav [aria-current=page], nav.crumbs');
  return {h1: h1s.length, lead: lead, forms: sending.length, next: next.length, where: where};
}"""


def offences(path: str, found: dict) -> list[str]:
    """What the page at path lacks, one line each."""
    wrong = []
    if found["h1"] != 1:
        wrong.append(f"{path}: {found['h1']} h1")
    elif not found["lead"]:
        wrong.append(f"{path}: no lead under the h1")
    if not found["where"]:
        wrong.append(f"{path}: no navigation link marked current (aria-current) and no breadcrumb")
    if found["forms"] and not found["next"]:
        wrong.append(f"{path}: a form that sends something on, no .next-step sentence by it")
    return wrong


class Noting:
    """The crawl's page, noting each HTML page's bearings as the crawl opens it (so no page is visited twice)."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.found: dict[str, dict] = {}

    def goto(self, path: str) -> Any:
        response = self.page.goto(path)
        if response is not None and "text/html" in (response.headers.get("content-type") or ""):
            self.found[path] = self.page.evaluate(BEARINGS)
        return response

    def __getattr__(self, name: str) -> Any:
        return getattr(self.page, name)


def test_every_page_says_where_what_and_next(site, browser):  # noqa: F811 (site: the fixture imported)
    problems: list[str] = []
    for role, who in ROLES.items():
        page = Noting(signed_in(browser, site, who, PHONE))
        try:
            visited, _ = crawl(page, site.url)
        finally:
            page.context.close()
        assert len(visited) > 5, (role, visited)
        for path in visited:
            problems += [f"{role} {line}" for line in offences(path, page.found[path])]
    assert not problems, f"{len(problems)} pages lack their bearings:\n" + "\n".join(problems)


@pytest.mark.parametrize("width", list(WIDTHS))
def test_changed_pages_read_well_and_pass_axe(site, browser, width):  # noqa: F811 (site: the fixture imported)
    problems: list[str] = []
    c = site.cycle_id
    pages = {
        "E013": {
            "home": "/",
            "nominations": f"/cycles/{c}/reviews/E014/nominations",
            "feedback-answer": f"/feedback/{c}/E003",
        },
        HR: {"hr-close": f"/hr/cycles/{c}/close"},
    }
    for who, paths in pages.items():
        page = signed_in(browser, site, who, WIDTHS[width])
        try:
            for name, path in paths.items():
                page.goto(path)
                assert page.locator("main p.lead").first.is_visible(), path
                assert page.locator("main .next-step").first.is_visible(), path
                check(page, f"bearings-{name}-{width}", problems)
        finally:
            page.context.close()
    assert not problems, "\n".join(problems)
