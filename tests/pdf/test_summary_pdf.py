"""The appraisal summary PDF: downloaded through the page and the API, authorised like the review, each
reader's copy holding what their review page shows, with a content hash HR can check."""

from __future__ import annotations

import re

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.domain.content_hash import review_hash
from tests.pdf.conftest import embedded_files, pdf_info, pdf_text


@pytest.fixture(scope="module")
def pdfs(world):
    """The PDFs this module reads, made once: E4's (finalised) and E5's (manager draft) for HR and employee."""
    made = {}
    for reader, subject in (("E2", "E4"), ("E4", "E4"), ("E2", "E5"), ("E5", "E5")):
        resp = world.pdf(reader, subject)
        assert resp.status_code == 200, resp.data[:300]
        made[(reader, subject)] = resp
    return made


def text(pdfs, tmp_path, reader, subject, page=None) -> str:
    return pdf_text(pdfs[(reader, subject)].data, tmp_path, page)


def test_the_api_answers_an_a4_pdf_with_a_named_attachment(pdfs, tmp_path):
    resp = pdfs[("E2", "E4")]
    assert resp.mimetype == "application/pdf"
    assert resp.headers["Content-Disposition"] == (
        'attachment; filename="appraisal-summary-2026-annual-review-katherine-johnson-e4-hr.pdf"'
    )
    info = pdf_info(resp.data, tmp_path)
    assert "A4" in info["Page size"]
    assert int(info["Pages"]) >= 2


def test_every_page_has_the_running_header_page_number_and_content_hash(pdfs, tmp_path, world):
    pages = int(pdf_info(pdfs[("E2", "E4")].data, tmp_path)["Pages"])
    digest = review_hash(UnitOfWork(world.table).reviews.get(world.cycle_id, "E4"))
    for n in range(1, pages + 1):
        page = text(pdfs, tmp_path, "E2", "E4", n)
        assert "Appraisal summary · Katherine Johnson · 2026 annual review" in page
        assert "HR copy" in page
        assert f"Page {n} of {pages}" in page
        assert f"Content hash {digest}" in page.replace("\n", " ")


def test_the_summary_holds_every_part_of_a_finalised_review(pdfs, tmp_path):
    body = " ".join(text(pdfs, tmp_path, "E2", "E4").split())
    for expected in (
        "Katherine Johnson, Engineer",  # employee
        "Alan Turing, Engineering Manager",  # manager
        "Score",
        "Competency ratings",
        "Outstanding (4 of 4)",  # the manager's delivery rating in the scale's words
        "Ownership.",  # strengths
        "Delegation.",  # areas to strengthen
        "Buy faster runners",  # remediation of an obstacle
        "Public speaking",  # a training need
        "AWS course",  # learning evidence
        "Pair on design",  # an agreed action
        "did not agree",
        "Delivery deserved a 4.",  # the written response
        "Acknowledged by Katherine Johnson",
        "Finalised by Grace Hopper (HR)",
    ):
        assert expected in body, expected


def test_user_text_is_printed_as_text_never_as_markup(pdfs, tmp_path):
    body = text(pdfs, tmp_path, "E4", "E4")
    assert '<b>bold?</b> <img src="http://169.254.169.254/latest/meta-data/"> & “quotes”' in " ".join(body.split())


def test_the_hr_copy_shows_the_manager_draft_and_the_employee_copy_does_not(pdfs, tmp_path):
    hr = text(pdfs, tmp_path, "E2", "E5")
    mine = text(pdfs, tmp_path, "E5", "E5")
    assert "DRAFT-ONLY strengths" in hr and "HR copy" in hr
    assert "DRAFT-ONLY strengths" not in mine and "Employee copy" in mine
    assert "Buy faster runners" in hr and "Buy faster runners" not in mine


def test_both_copies_carry_the_same_hash_of_the_stored_review(pdfs, tmp_path, world):
    stored = review_hash(UnitOfWork(world.table).reviews.get(world.cycle_id, "E5"))
    for reader in ("E2", "E5"):
        assert pdfs[(reader, "E5")].headers["X-Content-Hash"] == stored
        assert stored in " ".join(text(pdfs, tmp_path, reader, "E5").split())


def test_hr_checks_a_pdf_footer_against_the_review_as_stored(pdfs, tmp_path, world):
    footer = re.search(r"sha256:[0-9a-f]{64}", text(pdfs, tmp_path, "E2", "E4")).group(0)
    resp = world.client("E2").get(f"/api/cycles/{world.cycle_id}/reviews/E4/content-hash")
    assert resp.status_code == 200
    assert resp.get_json()["content_hash"] == footer
    assert resp.get_json()["state"] == "finalised"


def test_only_hr_checks_a_content_hash(world):
    assert world.client("E4").get(f"/api/cycles/{world.cycle_id}/reviews/E4/content-hash").status_code == 403
    assert world.client("E5").get(f"/api/cycles/{world.cycle_id}/reviews/E4/content-hash").status_code == 404


def test_a_review_the_reader_may_not_see_answers_like_a_missing_one(world):
    denied = world.pdf("E5", "E4")  # a peer
    missing = world.pdf("E5", "E9")  # nobody
    assert denied.status_code == missing.status_code == 404
    assert denied.get_json()["code"] == missing.get_json()["code"] == "not_found"
    assert set(denied.get_json()) == {"code", "status", "message", "errors"}
    assert denied.get_json()["message"] == missing.get_json()["message"]  # the same words a missing review gets


def test_the_summary_needs_a_signed_in_reader(world):
    resp = world.app.test_client().get(f"/api/cycles/{world.cycle_id}/reviews/E4/summary.pdf")
    assert resp.status_code == 401


def test_the_pdf_has_no_attachments_and_no_people_in_its_metadata(pdfs, tmp_path):
    data = pdfs[("E2", "E4")].data
    assert embedded_files(data, tmp_path).startswith("0 embedded files")
    info = pdf_info(data, tmp_path)
    assert info["Title"] == "Appraisal summary"
    assert "Author" not in info
    assert b"Alan Turing" not in data.split(b"stream")[0]  # nothing of the people before the first content stream


@pytest.mark.parametrize("reader", ["E4", "E3", "E2"])
def test_the_review_page_offers_each_reader_their_pdf(world, reader):
    page = world.client(reader).get(f"/cycles/{world.cycle_id}/reviews/E4").get_data(as_text=True)
    assert f'href="/cycles/{world.cycle_id}/reviews/E4/summary.pdf"' in page
    assert "Download PDF" in page


def test_the_page_route_serves_the_same_copy(world, tmp_path):
    resp = world.pdf("E3", "E4", api=False)
    assert resp.status_code == 200 and resp.mimetype == "application/pdf"
    assert "Manager copy" in pdf_text(resp.data, tmp_path, 1)
    assert world.pdf("E5", "E4", api=False).status_code == 404


def test_a_long_table_splits_between_rows_and_repeats_its_header(world, tmp_path):
    from service.services import reviews as review_svc
    from tests import factories as f

    obstacles = [
        {
            "description": f"Obstacle number {n:02d}: "
            + "a long description of what stands in the way " * 3
            + f"tail{n:02d}",
            "remediation": f"Remedy {n:02d}",
            "owner_id": "E3",
            "due": "2026-05-01",
            "status": "open",
        }
        for n in range(40)
    ]
    version = UnitOfWork(world.table).reviews.get(world.cycle_id, "E6").version
    review_svc.save_manager_assessment(
        UnitOfWork(world.table),
        f.principal(world.table, "E2"),  # E6's manager is HR's Grace Hopper
        world.cycle_id,
        "E6",
        f.manager_content(obstacles=obstacles),
        version,
        False,
        world.clock,
    )
    data = world.pdf("E2", "E6").data
    (tmp_path / "long.pdf").write_bytes(data)
    pages = int(pdf_info(data, tmp_path)["Pages"])
    with_rows = [n for n in range(1, pages + 1) if "Obstacle number" in pdf_text(data, tmp_path, n)]
    assert len(with_rows) >= 2  # the table spans pages
    for n in with_rows:
        page = pdf_text(data, tmp_path, n)
        assert "OBSTACLE" in page and "REMEDIATION" in page  # the header row repeats
    texts = [" ".join(pdf_text(data, tmp_path, n).split()) for n in with_rows]
    for number in range(40):  # each row is whole on one page: its first words, its last and its remedy
        (page,) = [t for t in texts if f"Remedy {number:02d}" in t]
        assert f"Obstacle number {number:02d}" in page and f"tail{number:02d}" in page


def test_the_operator_checks_a_pdf_against_the_stored_review_from_the_command_line(world, pdfs, tmp_path, monkeypatch):
    from service import cli

    monkeypatch.setattr(cli, "_table", lambda settings: world.table)
    path = tmp_path / "summary.pdf"
    path.write_bytes(pdfs[("E2", "E4")].data)
    assert cli.main(["summary-hash", world.cycle_id, "E4", "--pdf", str(path)]) == 0
    path.write_bytes(pdfs[("E2", "E5")].data)  # another review's PDF
    assert cli.main(["summary-hash", world.cycle_id, "E4", "--pdf", str(path)]) == 2
