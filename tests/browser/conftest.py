"""Browser tests: the app served in-process over moto's server, driven through Debian's Chromium by Playwright.

Never `playwright install`: the browser is /usr/bin/chromium (infra/ensure-system-packages.sh installs it).
Each test gets its own table on one moto server, its own app on a free port, and fresh browser contexts.
Screenshots of the key pages go to test-artifacts/screenshots/ (gitignored).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from service.adapters.clock import Clock
from service.adapters.queue import Message, Queue
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from tests import factories as f
from tests.conftest import ORG_CSV

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
_tables = count(1)


class QuietHandler(WSGIRequestHandler):
    """No request log lines in the test output."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


class SlowQueue(Queue):
    """The launch's batches run one after another in a background thread, a pause before each, so that a
    page can watch a launch in progress (SQS and the worker function stand behind the same port when deployed)."""

    def __init__(self, dispatch: Callable[[Message], None], pause: float) -> None:
        self.dispatch = dispatch
        self.pause = pause
        self.threads: list[threading.Thread] = []

    def send_many(self, messages: list[Message]) -> None:
        def work() -> None:
            for message in messages:
                time.sleep(self.pause)
                self.dispatch(json.loads(json.dumps(message)))

        thread = threading.Thread(target=work, daemon=True)
        self.threads.append(thread)
        thread.start()


@dataclass
class Live:
    """The app served on a free port, over its own table."""

    url: str
    table: Table
    settings: Settings
    app: Any
    clock: Clock = field(default_factory=Clock)

    def hr(self):
        return f.principal(self.table, "E2")

    def launch(self, template: dict[str, Any] | None = None, **overrides: Any):
        """A template (factory defaults, with `template`'s overrides) and an active cycle over the whole
        organisation, deadlines counted from today."""
        from service.services import cycles as cycle_svc
        from service.services import templates as template_svc

        today = self.clock.now().date()
        phases = {
            "goal_setting": today - timedelta(days=7),
            "self_assessment": today + timedelta(days=5),
            "feedback": today + timedelta(days=10),
            "manager_assessment": today + timedelta(days=20),
            "discussion": today + timedelta(days=30),
        }
        data = f.template_data(**(template or {}))
        template = template_svc.create_template(UnitOfWork(self.table), self.hr(), data, self.clock)
        cycle_data = f.cycle_data(
            template.template_id,
            phases=phases,
            period_start=date(today.year, 1, 1),
            period_end=date(today.year, 12, 31),
            **overrides,
        )
        cycle = cycle_svc.create_cycle(UnitOfWork(self.table), self.hr(), cycle_data, self.clock)
        cycle_svc.launch_cycle(
            UnitOfWork(self.table),
            self.hr(),
            cycle.cycle_id,
            cycle.version,
            self.clock,
            f.inline_queue(self.table, self.clock),
        )
        return cycle_svc.get_cycle(UnitOfWork(self.table), cycle.cycle_id)


@pytest.fixture(autouse=True)
def _needs_chromium() -> None:
    """Skip before anything starts when Debian's Chromium is not there."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium (infra/ensure-system-packages.sh)")


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    """One moto server (its own thread, a free port) for the whole browser session."""
    from moto.server import ThreadedMotoServer

    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Chromium from Debian, shared by the session."""
    if not CHROMIUM.exists():
        pytest.skip("/usr/bin/chromium is missing: install Debian's chromium (infra/ensure-system-packages.sh)")
    from playwright.sync_api import expect, sync_playwright

    # Two test processes share the 2 cores (make test runs pytest-xdist): waits are generous, never a pace.
    expect.set_options(timeout=15_000)
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def serve(moto_endpoint) -> Iterator[Callable[..., Live]]:
    """serve(session_seconds=None) → the app on a free port over a fresh table holding the test organisation."""
    from service.adapters.aws import client
    from service.adapters.dynamo import DynamoTable
    from service.adapters.table_setup import create_table
    from service.services.directory import import_organisation
    from service.web import create_app

    servers: list[tuple[Any, threading.Thread]] = []

    def start(session_seconds: int | None = None) -> Live:
        settings = Settings(
            table_name=f"browser-{next(_tables)}",
            region="eu-west-1",
            endpoint_url=moto_endpoint,
            secret_key="browser-test-secret-" + "x" * 20,
        )
        table = DynamoTable(client("dynamodb", settings), settings.table_name)
        create_table(table.client, settings.table_name)
        clock = Clock()
        import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
        app = create_app(settings, clock=clock)
        if session_seconds is not None:
            # A session short enough to watch it end (settings.session_minutes counts whole minutes).
            app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(seconds=session_seconds)
        server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=QuietHandler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        servers.append((server, thread))
        return Live(f"http://127.0.0.1:{server.server_port}", table, settings, app, clock)

    yield start
    for server, thread in servers:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture
def live(serve) -> Live:
    """The app with a normal session length."""
    return serve()


@pytest.fixture
def open_as(browser, request) -> Iterator[Callable[..., Any]]:
    """open_as(live, "E4") → a page in a fresh browser context, signed in as that person."""
    contexts: list[Any] = []

    def sign_in(live: Live, employee_id: str, viewport: dict[str, int] | None = None):
        context = browser.new_context(
            base_url=live.url, viewport=viewport or {"width": 1280, "height": 900}, locale="en-GB"
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/signin")
        page.click(f"button[data-employee='{employee_id}']")
        page.wait_for_url(live.url + "/")
        return page

    yield sign_in
    for context in contexts:
        context.close()


def shot(page: Any, name: str, full_page: bool = True) -> Path:
    """Save a screenshot (the whole page, or what the window shows) as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=full_page)
    except Exception as exc:  # Chromium captures only the page in front: with several signed-in pages open, one
        if "Unable to capture screenshot" not in str(exc):  # behind may be refused; bring it to the front, once
            raise
        page.bring_to_front()
        page.screenshot(path=str(path), full_page=full_page)
    return path
