"""The training-need report as PDF (issue 10): the page's figures and charts through the PDF renderer, from
the page route and the JSON API route, authorised like the report page; suppressed groups carry no figure.
Over the demo organisation (several departments above the threshold, Leadership and Finance below it)."""

from __future__ import annotations

import re

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.services import cycles
from tests.conftest import AuthActions
from tests.factories import principal
from tests.pdf.conftest import NOW, pdf_info, pdf_text


@pytest.fixture(scope="module")
def demo():
    from service.adapters.clock import FixedClock
    from service.config import Settings
    from service.web import create_app

    table, clock = MemoryTable(), FixedClock(NOW)
    load_demo(table, clock)
    settings = Settings(table_name="reviews-pdf", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    app = create_app(settings, table=table, clock=clock)
    cycle = cycles.list_cycles(UnitOfWork(table))[0]
    # Leadership reads a cycle's figures once it is closed (services/report_release.py): HR closes it.
    hr = principal(table, "E005")
    cycle = cycles.close_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock)
    return app, table, cycle


def signed_in(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth


@pytest.fixture(scope="module")
def leader_pdf(demo):
    app, _, cycle = demo
    client, _ = signed_in(app, "E001")
    return client.get(f"/reports/training.pdf?cycle={cycle.cycle_id}&n=2")


def test_the_page_route_answers_a_named_pdf_attachment(leader_pdf, demo, tmp_path):
    assert leader_pdf.status_code == 200 and leader_pdf.mimetype == "application/pdf"
    assert re.fullmatch(
        r'attachment; filename="training-needs-[a-z0-9-]+\.pdf"', leader_pdf.headers["Content-Disposition"]
    )
    info = pdf_info(leader_pdf.data, tmp_path)
    assert info["Title"] == "Training-need report" and "Author" not in info
    assert info["Page size"].startswith("595.")  # A4


def test_the_pdf_shows_the_reports_headings_figures_and_charts(leader_pdf, demo, tmp_path):
    _, _, cycle = demo
    text = pdf_text(leader_pdf.data, tmp_path)
    for heading in (
        f"Training-need report: {cycle.name}",
        "By topic",
        "Suggested training programme: 2 topics",
        "By department",
        "By competency",
        "Obstacles: where problems sit",
    ):
        assert heading in text, heading
    assert "This cycle" in text and "Previous cycle" in text  # the SVG chart's legend
    # Data analysis: 10 people; the demo's learning log addressed 2 of its needs: 2 people, so withheld.
    row = next(line for line in text.splitlines() if line.strip().startswith("Data analysis") and " of " in line)
    assert re.search(r"Data analysis\s+10\s", row) and re.search(r"withheld of\b", row)
    assert f"/reports/training?cycle={cycle.cycle_id}" in text.replace("\n", "")


def test_a_suppressed_group_shows_no_figure_anywhere_in_the_pdf(leader_pdf, demo, tmp_path):
    app, _, cycle = demo
    client, auth = signed_in(app, "E001")
    report = client.get(f"/api/cycles/{cycle.cycle_id}/training-report", headers=auth.headers()).get_json()
    hidden = [d["department"] for d in report["departments"] if d["suppressed"]]
    hidden += [t["topic"] for t in report["topics"] if t["suppressed"]]
    assert {"Leadership", "Finance"} <= set(hidden)
    text = pdf_text(leader_pdf.data, tmp_path)
    for name in hidden:
        first = name.split()[0]  # a long name wraps in its cell: its first line starts with its first word
        lines = [line for line in text.splitlines() if line.strip().startswith(first)]
        # Named only as a row that says it is withheld (as on the page), never with a figure or in a chart.
        assert lines, name
        for line in lines:
            assert "Withheld" in line and not re.search(r"\d", line.split("Withheld")[0]), line


def test_the_api_route_answers_the_same_report(demo, tmp_path):
    app, _, cycle = demo
    client, auth = signed_in(app, "E001")
    resp = client.get(f"/api/reports/training.pdf?cycle={cycle.cycle_id}", headers=auth.headers())
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "Suggested training programme: 3 topics" in pdf_text(resp.data, tmp_path)
    assert client.get("/api/reports/training.pdf", headers=auth.headers()).status_code == 422
    assert client.get("/api/reports/training.pdf?cycle=nope", headers=auth.headers()).status_code == 404


def test_an_employee_is_refused_the_pdf_as_the_page(demo):
    app, _, cycle = demo
    client, auth = signed_in(app, "E009")
    assert client.get(f"/reports/training?cycle={cycle.cycle_id}").status_code == 403
    assert client.get(f"/reports/training.pdf?cycle={cycle.cycle_id}").status_code == 403
    resp = client.get(f"/api/reports/training.pdf?cycle={cycle.cycle_id}", headers=auth.headers())
    assert resp.status_code == 403 and resp.get_json()["status"] == 403


def test_the_report_page_links_the_pdf(demo):
    app, _, cycle = demo
    client, _ = signed_in(app, "E001")
    page = client.get(f"/reports/training?cycle={cycle.cycle_id}").get_data(as_text=True)
    assert f'href="/reports/training.pdf?cycle={cycle.cycle_id}&amp;n=3" download>Download PDF</a>' in page


# --- issue 25: words for executives, and charts a screen reader can read (points 9 and 11) -------------------


def test_the_pdf_is_tagged_and_each_charts_alternative_text_carries_its_figures(leader_pdf):
    from tests.pdf.conftest import tagged

    doc = tagged(leader_pdf.data)
    assert doc.marked and doc.lang == "en" and doc.title == "Training-need report"
    assert [h.text for h in doc.root.find("H2")][:2] == ["By topic", "Suggested training programme: 2 topics"]
    alts = [f.alt for f in doc.root.find("Figure") if f.alt]
    assert len(alts) == 3, alts
    topics, departments, obstacles = alts
    # The figures the bars draw, in words: a title alone would tell a screen reader nothing.
    assert topics.startswith("Training needs by topic: people this cycle and last: Data analysis 10 (previous cycle")
    assert "Data analysis 10 (previous cycle withheld)" in topics
    assert "Negotiation 7 (previous cycle 7)" in topics
    assert "Engineering 11" in departments and "withheld: " in departments and "Finance" in departments
    assert "Tools 5" in obstacles and "withheld: Resources, Workload" in obstacles
    assert not any(re.search(r"Finance \d", a) for a in alts)  # a withheld group is named, never with a figure


def test_the_pdf_speaks_plainly_names_the_currency_and_never_shows_a_withheld_figure_as_zero(leader_pdf, tmp_path):
    text = " ".join(pdf_text(leader_pdf.data, tmp_path).split())
    assert "Σ" not in text and "Greedy" not in text and "set cover" not in text
    assert "How this is calculated" in text and "3 for high, 2 for medium, 1 for low" in text
    assert "(EUR)" in text and "€4,800" in text and "4800.0" not in text
    # Workforce and tools-and-processes each hold a withheld category: their totals say so, never "0".
    assert "Workforce: withheld" in text and "Tools and processes: withheld" in text
    assert "Workforce: 0" not in text and "On the job" not in text
