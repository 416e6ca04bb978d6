"""Every page fits a phone: signed in as each role of the demo (employee, manager, HR, leadership) at 390 × 844,
the pages reachable from the home page's links (same origin, GET, a bounded depth) are no wider than the
window. Wide tables scroll inside a labelled region that says so instead of widening the page; the pages whose
tables changed are screenshotted at 1280 and 390 px (test-artifacts/screenshots/) and checked with axe-core.

One app for the module, over the demo story in memory (no moto server): the module runs in well under a minute."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from werkzeug.serving import make_server

from service.adapters.clock import Clock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.demo.content import CEO, HR
from service.demo.scenario import load_demo
from service.domain.cycles import CycleState
from service.services.cycles import list_cycles
from tests.browser.conftest import QuietHandler
from tests.browser.test_hr_goal_pages import WIDTHS, check

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}
ROLES = {"employee": "E008", "manager": "E013", "hr": HR, "leadership": CEO}
DEPTH = 3  # the home page, the pages it links to, and two more steps
PER_SHAPE = 2  # pages of one shape (the same path with other ids) visited per role
MOST = 60  # pages per role
# Links that leave the page for a file, the JSON API or the session: not pages to lay out.
SKIP = re.compile(r"(^/api/|/signout|/download|\.(pdf|csv|zip|json|ico|png)$|^/static/)")
ID = re.compile(r"^(E\d+|[0-9a-f-]{8,}|[A-Z0-9]{20,}|\d+)$", re.IGNORECASE)


@dataclass(frozen=True)
class Site:
    url: str
    cycle_id: str  # the demo's active cycle
    table: Any = None  # the demo's memory table, for a test that sets up a state the crawl cannot reach
    clock: Any = None


@pytest.fixture(scope="module")
def site() -> Iterator[Site]:
    """The app over the demo story on a free port, for the whole module."""
    from service.web import create_app

    memory = MemoryTable()
    clock = Clock()
    load_demo(memory, clock)
    app = create_app(Settings(secret_key="phone-test-secret-" + "x" * 20), table=memory, clock=clock)
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    active = next(c for c in list_cycles(UnitOfWork(memory)) if c.state is CycleState.ACTIVE)
    yield Site(f"http://127.0.0.1:{server.server_port}", active.cycle_id, memory, clock)
    server.shutdown()
    server.server_close()
    thread.join(5)


def shape(path: str) -> str:
    """/reviews/C1/E008/self → /reviews/*/*/self: pages that differ only in their ids share a shape."""
    return "/".join("*" if ID.match(part) else part for part in path.split("/"))


def links(page: Any, origin: str) -> list[str]:
    """The same-origin page links on the page, as paths with their query (no fragments, no downloads)."""
    hrefs = page.eval_on_selector_all("a[href]:not([download])", "els => els.map(e => e.href)")
    found = []
    for href in hrefs:
        url, _ = urldefrag(href)
        parts = urlsplit(url)
        if f"{parts.scheme}://{parts.netloc}" != origin:
            continue
        path = parts.path + (f"?{parts.query}" if parts.query else "")
        if not SKIP.search(parts.path):
            found.append(path)
    return found


def crawl(page: Any, origin: str) -> tuple[list[str], list[str]]:
    """Visit the pages reachable from home breadth first → (visited paths, 'path: N px' for each too wide)."""
    seen, shapes, visited, wide = {"/"}, {}, [], []
    frontier = ["/"]
    for depth in range(DEPTH + 1):
        following = []
        for path in frontier:
            if len(visited) >= MOST:
                break
            response = page.goto(path)
            if response is None or "text/html" not in (response.headers.get("content-type") or ""):
                continue
            visited.append(path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                wide.append(f"{path}: {width} px")
            if depth == DEPTH:
                continue
            for link in links(page, origin):
                key = shape(urlsplit(link).path)
                if link in seen or shapes.get(key, 0) >= PER_SHAPE:
                    continue
                seen.add(link)
                shapes[key] = shapes.get(key, 0) + 1
                following.append(link)
        frontier = following
    return visited, wide


def signed_in(browser: Any, site: Site, employee_id: str, viewport: dict[str, int]) -> Any:
    """A page in a fresh browser context, signed in as this person (close its context when done)."""
    context = browser.new_context(base_url=site.url, viewport=viewport, locale="en-GB")
    context.set_default_timeout(30_000)
    page = context.new_page()
    page.goto("/signin")
    page.click(f"button[data-employee='{employee_id}']")
    page.wait_for_url(site.url + "/")
    return page


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_fits_a_phone(site, browser, role):
    page = signed_in(browser, site, ROLES[role], PHONE)
    try:
        visited, wide = crawl(page, site.url)
    finally:
        page.context.close()
    assert len(visited) > 5, visited
    assert not wide, f"{role}: {len(wide)} of {len(visited)} pages are wider than 390 px:\n" + "\n".join(wide)


REGIONS = """() => [...document.querySelectorAll('.table-wrap')].map(e => ({
  name: e.getAttribute('aria-label') || e.getAttribute('aria-labelledby'), role: e.getAttribute('role'),
  focusable: e.tabIndex === 0, scrolls: e.scrollWidth > e.clientWidth + 1, hint: e.hasAttribute('data-scrolls')}))"""


@pytest.mark.parametrize("width", list(WIDTHS))
def test_pages_with_wide_tables_read_well_and_pass_axe(site, browser, width):
    problems: list[str] = []
    viewport = WIDTHS[width]
    c = site.cycle_id
    pages = {
        HR: {
            "home-hr-menu": "/",
            "learning-report": "/learning/report",
            "hr-cycle": f"/hr/cycles/{c}",
            "hr-feedback": f"/cycles/{c}/feedback",
            "review-hr": f"/cycles/{c}/reviews/E035",
        },
        "E013": {"nominations": f"/cycles/{c}/reviews/E014/nominations", "team": f"/cycles/{c}/team"},
    }
    for who, paths in pages.items():
        page = signed_in(browser, site, who, viewport)
        try:
            for name, path in paths.items():
                page.goto(path)
                if name == "home-hr-menu":
                    page.locator("summary", has_text="HR").click()
                    assert page.get_by_role("link", name="Templates").is_visible()
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"], path
                for region in page.evaluate(REGIONS):
                    # Every wide table sits in a named, focusable region; one that scrolls says so, and on a
                    # desktop none needs to.
                    assert region["name"] and region["role"] == "region" and region["focusable"], (path, region)
                    assert region["hint"] == region["scrolls"], (path, region)
                    assert not (width == "wide" and region["scrolls"]), (path, region)
                check(page, f"fits-{name}-{width}", problems)
        finally:
            page.context.close()
    assert not problems, "\n".join(problems)
