"""Calibration's reports as PDF (issue 23): a session's report (before and after, changes and their direction per
manager) and a cycle's rating report (by department and level, withheld groups without figures), from the page
and the API routes, authorised like the session view and the rating report. Over the demo organisation, whose
last cycle has a closed session (one rating raised, one lowered)."""

from __future__ import annotations

import re

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.services import calibration, cycles
from service.services.auth import Principal
from service.services.directory import get_person
from tests.pdf.conftest import pdf_info, pdf_text, tagged
from tests.pdf.test_training_report_pdf import demo, signed_in  # noqa: F401 - the demo app fixture


@pytest.fixture(scope="module")
def world(demo):  # noqa: F811 - the imported fixture
    """The demo's app, this year's cycle and last year's closed session."""
    app, table, current = demo
    last = cycles.list_cycles(UnitOfWork(table))[1]
    hr = Principal.of(get_person(UnitOfWork(table), "E005"))
    (session,) = calibration.sessions_of(UnitOfWork(table), hr, last.cycle_id)
    return app, current, session


@pytest.fixture(scope="module")
def session_pdf(world):
    app, _, session = world
    client, _ = signed_in(app, "E005")
    return client.get(f"/calibration/{session.session_id}/report.pdf")


@pytest.fixture(scope="module")
def ratings_pdf(world):
    app, current, _ = world
    client, _ = signed_in(app, "E001")
    return client.get(f"/cycles/{current.cycle_id}/ratings.pdf")


def test_the_session_report_is_a_named_tagged_pdf_with_its_chart(session_pdf, tmp_path):
    assert session_pdf.status_code == 200 and session_pdf.mimetype == "application/pdf"
    assert session_pdf.headers["Content-Disposition"] == 'attachment; filename="calibration-platform-team.pdf"'
    info = pdf_info(session_pdf.data, tmp_path)
    assert info["Title"] == "Calibration report" and "Author" not in info and info["Page size"].startswith("595.")
    doc = tagged(session_pdf.data)
    assert doc.marked and doc.lang == "en"
    assert [h.text for h in doc.root.find("H2")] == ["Distribution of overall ratings", "Before and after"]
    (alt,) = [f.alt for f in doc.root.find("Figure") if f.alt]
    assert "Overall ratings in this session" in alt


def test_the_session_report_shows_the_changes_per_manager_and_the_distribution_before_and_after(session_pdf, tmp_path):
    text = pdf_text(session_pdf.data, tmp_path)
    assert "Calibration report: Platform team" in text
    # Lukas's three people: two changed, one raised (Meeting→Exceeding... 4→5), one lowered (4→3)
    assert re.search(r"Lukas Becker\s+3\s+2\s+1\s+1", text), text
    assert re.search(r"The session\s+3\s+2\s+1\s+1", text)
    assert re.search(r"3 Meeting\s+0\s+1", text) and re.search(r"4 Exceeding\s+3\s+1", text)
    assert re.search(r"5 Outstanding\s+0\s+1", text)


def test_the_session_report_api_route_answers_the_same_and_refuses_whom_the_view_refuses(world, tmp_path):
    app, _, session = world
    client, auth = signed_in(app, "E005")
    resp = client.get(f"/api/calibration-sessions/{session.session_id}/report.pdf", headers=auth.headers())
    assert resp.status_code == 200 and "Calibration report: Platform team" in pdf_text(resp.data, tmp_path)
    client, auth = signed_in(app, "E009")  # in the session as a person, not a participant
    assert client.get(f"/calibration/{session.session_id}/report.pdf").status_code == 404
    resp = client.get(f"/api/calibration-sessions/{session.session_id}/report.pdf", headers=auth.headers())
    assert resp.status_code == 404 and resp.get_json()["status"] == 404


def test_the_rating_report_pdf_withholds_small_groups_as_the_page_does(ratings_pdf, world, tmp_path):
    app, current, _ = world
    assert ratings_pdf.status_code == 200 and ratings_pdf.mimetype == "application/pdf"
    assert pdf_info(ratings_pdf.data, tmp_path)["Title"] == "Rating report"
    text = pdf_text(ratings_pdf.data, tmp_path)
    assert f"Rating report: {current.name}" in text and "By department" in text and "By level" in text
    client, auth = signed_in(app, "E001")
    report = client.get(f"/api/cycles/{current.cycle_id}/rating-report", headers=auth.headers()).get_json()
    hidden = [r["group"] for r in report["departments"] + report["levels"] if r["total"] is None]
    assert "Sales" in hidden
    for name in hidden:  # a withheld group is named with dashes only, never a figure
        (line,) = [ln for ln in text.splitlines() if ln.strip().startswith(name + " ")]
        assert not re.search(r"\d", line.strip().removeprefix(name)), line


def test_the_rating_report_pdf_is_refused_to_an_employee_and_linked_from_the_page(world):
    app, current, _ = world
    client, auth = signed_in(app, "E009")
    assert client.get(f"/cycles/{current.cycle_id}/ratings.pdf").status_code == 403
    resp = client.get(f"/api/cycles/{current.cycle_id}/rating-report.pdf", headers=auth.headers())
    assert resp.status_code == 403 and resp.get_json()["status"] == 403
    client, _ = signed_in(app, "E001")
    page = client.get(f"/cycles/{current.cycle_id}/ratings").get_data(as_text=True)
    assert f'href="/cycles/{current.cycle_id}/ratings.pdf" download>Download the report (PDF)</a>' in page
