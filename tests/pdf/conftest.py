"""One small world per module for the PDF tests: the test organisation on the in-memory table, a cycle,
E4's review finalised (with hostile text in it) and E5's with a manager draft, and the app over them.

WeasyPrint is slow next to the rest of the suite, so PDFs are made once per module (`pdfs`) and shared.
"""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import reviews as review_svc
from tests import factories as f
from tests.conftest import ORG_CSV

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
HOSTILE = '<b>bold?</b> <img src="http://169.254.169.254/latest/meta-data/"> & “quotes”'


@dataclass
class World:
    """The table, the app, the cycle, and signed-in clients by person."""

    table: MemoryTable
    app: Any
    cycle_id: str
    clock: FixedClock
    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, employee_id: str) -> Any:
        """A client signed in as this person (through the local sign-in page)."""
        if employee_id not in self.clients:
            c = self.app.test_client()
            page = c.get("/signin")
            csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
            resp = c.post("/signin", data={"csrf_token": csrf, "employee_id": employee_id})
            assert resp.status_code == 302
            c.csrf = csrf
            self.clients[employee_id] = c
        return self.clients[employee_id]

    def pdf(self, reader: str, employee_id: str, api: bool = True) -> Any:
        """The summary response of a review for a reader."""
        prefix = "/api" if api else ""
        return self.client(reader).get(f"{prefix}/cycles/{self.cycle_id}/reviews/{employee_id}/summary.pdf")


def build_world() -> World:
    """The organisation, one launched cycle, E4 finalised, E5 with a manager draft."""
    from service.services.directory import import_organisation
    from service.web import create_app

    clock = FixedClock(NOW)
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    c = cycle.cycle_id
    emp, mgr, hr = (f.principal(table, p) for p in ("E4", "E3", "E2"))

    def version(who: str) -> int:
        return UnitOfWork(table).reviews.get(c, who).version

    review_svc.save_self_assessment(
        UnitOfWork(table), emp, c, "E4", f.self_content(achievements=HOSTILE), version("E4"), True, clock
    )
    review_svc.save_manager_assessment(UnitOfWork(table), mgr, c, "E4", f.manager_content(), version("E4"), True, clock)
    review_svc.save_discussion(UnitOfWork(table), mgr, c, "E4", f.discussion_content(), version("E4"), True, clock)
    review_svc.acknowledge(UnitOfWork(table), emp, c, "E4", "disagree", "Delivery deserved a 4.", version("E4"), clock)
    review_svc.finalise(UnitOfWork(table), hr, c, "E4", version("E4"), clock)
    e5 = f.principal(table, "E5")
    review_svc.save_self_assessment(UnitOfWork(table), e5, c, "E5", f.self_content(), version("E5"), True, clock)
    draft = f.manager_content(strengths="DRAFT-ONLY strengths")
    review_svc.save_manager_assessment(UnitOfWork(table), mgr, c, "E5", draft, version("E5"), False, clock)
    settings = Settings(table_name="reviews-pdf", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    app = create_app(settings, table=table, clock=clock)
    app.config["TESTING"] = True
    return World(table, app, c, clock)


@pytest.fixture(scope="module")
def world() -> World:
    """The PDF test world, built once per module."""
    return build_world()


def pdf_text(data: bytes, tmp: Path, page: int | None = None) -> str:
    """The text of a PDF as pdftotext reads it (layout kept; one page when given)."""
    path = tmp / "doc.pdf"
    path.write_bytes(data)
    pages = ["-f", str(page), "-l", str(page)] if page else []
    return subprocess.run(
        ["pdftotext", "-layout", *pages, str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_info(data: bytes, tmp: Path) -> dict[str, str]:
    """pdfinfo's fields of a PDF."""
    path = tmp / "info.pdf"
    path.write_bytes(data)
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def embedded_files(data: bytes, tmp: Path) -> str:
    """What `pdfdetach -list` says a PDF embeds."""
    path = tmp / "detach.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfdetach", "-list", str(path)], capture_output=True, text=True, check=True).stdout
