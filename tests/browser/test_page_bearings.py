"""Every page answers at a glance where am I, what is expected of me here and what happens next (issue 25).

Signed in as each role of the demo, the pages reachable from home (the crawl of test_fits_phone.py) each have a
navigation link marked current (aria-current) or a breadcrumb; exactly one <h1>; directly under it (past only
in-page navigation, a picker or filter (a GET form), a deadline line or an error summary) a non-empty lead
paragraph (`p.lead`) saying what is expected of the reader; and, when the page has a form that sends something
on (a POST form with a submit button in the page's content: sign-out and the session banner sit outside it,
searches and filters are GET forms), a non-empty `.next-step` sentence in or right next to such a form, or in
its card, saying what happens after. Every offender is listed. The states the crawl cannot reach (the answers to
POSTs: a refused form, a confirmation, a launch, an import; Chloe's interview contacts; the 404 and 403 pages) are
opened one by one and must also show a `.next-step`. A few changed pages are screenshotted at 1280
and 390 px and checked with axe-core."""

from __future__ import annotations

from typing import Any

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.demo import organisation_csv
from service.demo.content import HR
from service.services.auth import Principal
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


def _bearings(page: Any, state: str) -> list[str]:
    """What the page now open lacks, as for a crawled page; a state the crawl cannot reach (the answer to a POST,
    an error) also says what happens next in a visible `.next-step`."""
    page.wait_for_load_state("domcontentloaded")  # a click's navigation has begun: read the page it leads to
    page.locator("main").first.wait_for()
    wrong = offences(state, page.evaluate(BEARINGS))
    if not any(el.is_visible() and el.inner_text().strip() for el in page.locator("main .next-step").all()):
        wrong.append(f"{state}: no visible .next-step sentence")
    return wrong


def _draft_cycle(at: Any) -> str:
    """A draft cycle for two people of Finance, ready to launch (the demo has none)."""
    from datetime import timedelta

    from service.demo.scenario import _phases
    from service.services import cycles, directory, templates

    uow = UnitOfWork(at.table)
    hr = Principal.of(directory.get_person(uow, HR))
    template = templates.list_templates(UnitOfWork(at.table))[0]
    today = at.clock.now().date()
    made = cycles.create_cycle(
        UnitOfWork(at.table),
        hr,
        {
            "name": "Finance probation review",
            "period_start": today - timedelta(days=90),
            "period_end": today,
            "template_id": template.template_id,
            "participant_mode": "list",
            "employee_ids": ["E038", "E039"],
            "phases": _phases(today + timedelta(days=10)),
        },
        at.clock,
    )
    return made.cycle_id


def test_states_the_crawl_cannot_reach_say_where_what_and_next(site, browser):  # noqa: F811 (site: the fixture)
    """The answers to POSTs (a form refused, a confirmation, a launch, an import), the interview planner's contact
    pages (only Chloe, E017, has contacts) and the error pages (404, 403, 409) each have their bearings."""
    problems: list[str] = []
    c = site.cycle_id

    chloe = signed_in(browser, site, "E017", PHONE)
    try:
        chloe.goto("/learning/interviews")
        contacts = sorted(
            set(
                chloe.eval_on_selector_all(
                    "main a[href^='/learning/interviews/']", "els => els.map(e => new URL(e.href).pathname)"
                )
            )
        )
        assert len(contacts) >= 3, contacts
        for path in contacts:
            chloe.goto(path)
            problems += _bearings(chloe, f"E017 {path}")
        chloe.goto("/learning/interviews")
        chloe.get_by_role("button", name="Add and draft the request").click()  # nothing filled in: refused
        problems += _bearings(chloe, "E017 the planner's form refused")
        chloe.goto(f"/cycles/{c}/reviews/E017/self")
        chloe.get_by_role("button", name="Submit to your manager…").click()
        problems += _bearings(chloe, "E017 the self assessment's confirmation")
        check(chloe, "bearings-self-confirm-narrow", problems)
    finally:
        chloe.context.close()

    mei = signed_in(browser, site, "E013", PHONE)
    try:
        for path, state in [("/no-such-page", "404 (an unknown address)"), ("/hr/cycles", "403 (HR's page)")]:
            assert mei.goto(path).status in (403, 404), path
            problems += _bearings(mei, f"E013 {state}")
        mei.goto("/goals")
        mei.evaluate("location.assign('/goals/no-such-goal')")  # followed from a page: the way back is to it
        mei.wait_for_url("**/no-such-goal")
        problems += _bearings(mei, "E013 404 (a goal that does not exist)")
        expect_back = mei.get_by_role("link", name="Back to the page you came from")
        assert expect_back.get_attribute("href") == "/goals"
        for width in WIDTHS:
            mei.set_viewport_size(WIDTHS[width])
            check(mei, f"bearings-error-404-{width}", problems)
    finally:
        mei.context.close()

    draft = _draft_cycle(site)
    hr = signed_in(browser, site, HR, PHONE)
    try:
        hr.goto(f"/hr/cycles/{draft}/launch")
        problems += _bearings(hr, "HR the launch's confirmation")
        hr.get_by_role("button", name="Launch and email 2 people").click()
        problems += _bearings(hr, "HR the launch's progress")
        check(hr, "bearings-launched-narrow", problems)
        hr.goto("/hr/import")
        hr.set_input_files(
            "input[name=file]",
            files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": organisation_csv().encode()}],
        )
        hr.get_by_label("Check only").check()
        hr.get_by_role("button", name="Import").click()
        problems += _bearings(hr, "HR an import checked")
        hr.set_input_files(
            "input[name=file]",
            files=[{"name": "broken.csv", "mimeType": "text/csv", "buffer": b"employee_id,name\nE1,\n"}],
        )
        hr.get_by_role("button", name="Import").click()
        problems += _bearings(hr, "HR an import rejected")
        check(hr, "bearings-import-rejected-narrow", problems)
    finally:
        hr.context.close()
    assert not problems, f"{len(problems)} states lack their bearings:\n" + "\n".join(problems)
