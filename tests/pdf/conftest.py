"""One small world per module for the PDF tests: the test organisation on the in-memory table, a cycle,
E4's review finalised (with hostile text in it) and E5's with a manager draft, and the app over them.

WeasyPrint is slow next to the rest of the suite, so PDFs are made once per module (`pdfs`) and shared.
`every_element` is the demo's summary that uses every element of the template; `tagged` reads a PDF's
structure tree back (issue 25: PDFs a screen reader can read).
"""

from __future__ import annotations

import copy
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
from service.services.summaries import summary_for
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


def finalise_e4(table: Any, c: str, clock: Any) -> None:
    """E4's review through every step to finalised, hostile text in the achievements."""
    emp, mgr, hr = (f.principal(table, p) for p in ("E4", "E3", "E2"))

    def version() -> int:
        return UnitOfWork(table).reviews.get(c, "E4").version

    review_svc.save_self_assessment(
        UnitOfWork(table), emp, c, "E4", f.self_content(achievements=HOSTILE), version(), True, clock
    )
    review_svc.save_manager_assessment(UnitOfWork(table), mgr, c, "E4", f.manager_content(), version(), True, clock)
    review_svc.save_discussion(UnitOfWork(table), mgr, c, "E4", f.discussion_content(), version(), True, clock)
    review_svc.acknowledge(UnitOfWork(table), emp, c, "E4", "disagree", "Delivery deserved a 4.", version(), clock)
    review_svc.finalise(UnitOfWork(table), hr, c, "E4", version(), clock)


def build_world() -> World:
    """The organisation, one launched cycle, E4 finalised, E5 with a manager draft."""
    from service.services.directory import import_organisation
    from service.web import create_app

    clock = FixedClock(NOW)
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    cycle = f.launched_cycle(table, clock)
    c = cycle.cycle_id
    finalise_e4(table, c, clock)
    mgr = f.principal(table, "E3")

    def version(who: str) -> int:
        return UnitOfWork(table).reviews.get(c, who).version

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


@pytest.fixture(scope="module")
def every_element():
    """The demo's finalised review (feedback groups, learning, obstacles, actions) as HR reads it, with goal
    results and ratings and a narrative of several lines added: its HTML uses every element of the template."""
    from service.adapters.clock import Clock
    from service.adapters.store import MemoryTable
    from service.demo.scenario import HR, load_demo

    table, clock = MemoryTable(), Clock()
    load_demo(table, clock)
    cycle = next(c for c in UnitOfWork(table).cycles.list() if c.state.value == "active")
    summary = summary_for(UnitOfWork(table), f.principal(table, HR), cycle.cycle_id, "E008", clock.now())
    context = copy.deepcopy(summary.context)
    view = context["view"]
    goal_id = view.goals[0].goal_id
    view.self_assessment["goal_results"] = [
        {"goal_id": goal_id, "title": "", "result": "Shipped in May", "rating": 4},
        {"goal_id": "gone", "title": "Retired goal", "result": "Dropped with the team", "rating": 2},
    ]
    view.manager_assessment["goal_ratings"] = [
        {"goal_id": goal_id, "title": "", "rating": 3, "comment": "Late but solid"},
        {"goal_id": "older", "title": "Older goal", "rating": 3, "comment": "Carried over"},
    ]
    view.manager_assessment["narrative"] = "First line.\nSecond line.\nThird line."
    return context


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


@dataclass
class Tag:
    """One element of a PDF's structure tree: its role (H1, Table, TH, Figure…), attributes, /Alt and /ID, and
    what it holds in reading order (the text of its marked content, and its child elements)."""

    role: str
    attributes: dict[str, Any]
    alt: str | None
    id: str | None
    parts: list[Any] = field(default_factory=list)

    @property
    def text(self) -> str:
        """Its text and its children's, in reading order, spaces normalised."""
        words = " ".join(p.text if isinstance(p, Tag) else p for p in self.parts)
        return " ".join(words.split())

    def find(self, role: str) -> list[Tag]:
        """Every element below this one with this role, in reading order."""
        found = []
        for part in self.parts:
            if isinstance(part, Tag):
                found += ([part] if part.role == role else []) + part.find(role)
        return found

    def roles(self) -> list[Any]:
        """The tree's shape: each element's role and its children's shapes."""
        return [(p.role, p.roles()) for p in self.parts if isinstance(p, Tag)]


@dataclass
class Tagged:
    """What a PDF tells assistive technology: the catalog's flags, its metadata and its structure tree."""

    lang: str | None
    marked: bool
    display_title: bool
    title: str | None
    xmp: str
    root: Tag


def tagged(data: bytes) -> Tagged:
    """The structure of a PDF read back from its bytes with pypdf: the text of each marked-content id, then the
    tree from /StructTreeRoot, each element's text taken from the ids it holds."""
    from io import BytesIO

    from pypdf import PdfReader

    reader = PdfReader(BytesIO(data))
    pages = {page.indirect_reference.idnum: n for n, page in enumerate(reader.pages)}
    texts: dict[tuple[int, int], str] = {}
    for n, page in enumerate(reader.pages):
        open_ids: list[int | None] = []

        def operator(op: bytes, args: list[Any], *_: Any, open_ids: list[int | None] = open_ids) -> None:
            if op == b"BDC":
                props = args[1] if len(args) > 1 and hasattr(args[1], "get") else {}
                open_ids.append(props.get("/MCID"))
            elif op == b"BMC":
                open_ids.append(None)
            elif op == b"EMC" and open_ids:
                open_ids.pop()

        def text(t: str, *_: Any, n: int = n, open_ids: list[int | None] = open_ids) -> None:
            ids = [i for i in open_ids if i is not None]
            if ids:
                texts[(n, ids[-1])] = texts.get((n, ids[-1]), "") + t

        page.extract_text(visitor_operand_before=operator, visitor_text=text)

    def element(obj: Any, page: int | None) -> Tag:
        obj = obj.get_object()
        if "/Pg" in obj:
            page = pages[obj.raw_get("/Pg").idnum]
        attributes = obj.get("/A")
        tag = Tag(
            role=str(obj["/S"])[1:],
            attributes=dict(attributes.get_object()) if attributes is not None else {},
            alt=str(obj["/Alt"]) if "/Alt" in obj else None,
            id=str(obj["/ID"]) if "/ID" in obj else None,
        )
        kids = obj.get("/K")
        kids = kids.get_object() if kids is not None else []
        for kid in kids if isinstance(kids, list) else [kids]:
            if isinstance(kid, int):
                tag.parts.append(texts.get((page, kid), ""))
                continue
            kid = kid.get_object()
            if kid.get("/Type") == "/MCR":
                on = pages[kid.raw_get("/Pg").idnum] if "/Pg" in kid else page
                tag.parts.append(texts.get((on, kid["/MCID"]), ""))
            elif "/S" in kid:
                tag.parts.append(element(kid, page))
        return tag

    catalog = reader.trailer["/Root"]
    tree = catalog["/StructTreeRoot"].get_object()
    root = Tag("StructTreeRoot", {}, None, None)
    for kid in tree["/K"] if isinstance(tree["/K"], list) else [tree["/K"]]:
        root.parts.append(element(kid, None))
    metadata = catalog.get("/Metadata")
    return Tagged(
        lang=str(catalog["/Lang"]) if "/Lang" in catalog else None,
        marked=bool(catalog.get("/MarkInfo", {}).get("/Marked")),
        display_title=bool(catalog.get("/ViewerPreferences", {}).get("/DisplayDocTitle")),
        title=(reader.metadata or {}).get("/Title"),
        xmp=metadata.get_object().get_data().decode() if metadata is not None else "",
        root=root,
    )
