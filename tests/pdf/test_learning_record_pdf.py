"""The personal learning record as PDF (issue 27, point 4), over the demo: Aiko Tanaka (E015) picks one log entry
(her plan's done item, with a manager's comment) and one plan item (the course addressing her Accessibility need).
Read back with pdftotext: only what she picked, the needs and comments only when asked; tagged PDF/UA; a pick that
is not hers, or none, is refused with the form again (page) or a 422 (API)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from service.adapters.unit_of_work import UnitOfWork
from tests.pdf.conftest import pdf_info, pdf_text, tagged
from tests.pdf.test_training_report_pdf import demo, signed_in  # noqa: F401 - the demo app fixture

COMMENT = "Great initiative: share the tokens with the whole team."


@pytest.fixture(scope="module")
def picks(demo):  # noqa: F811 - the imported fixture
    """Aiko's done entry (given a manager's comment, as the review's evidence would) and her in-progress course."""
    _, table, _ = demo
    uow = UnitOfWork(table)
    items = {i.title: i for i in uow.learning_plan.of_owner("E015")}
    done = items["Pair with the design-systems team for a day"]
    course = items["Web accessibility specialist course"]
    with uow:
        entry = uow.learning.get("E015", done.activity_id)
        comment = {"by": "E013", "name": "Fatima Al-Sayed", "at": "2026-03-01T10:00:00+00:00", "text": COMMENT}
        uow.learning.save(
            replace(entry, comments=[comment]), new=False, actor="E013", action="comment_activity", at=comment["at"]
        )
        uow.commit()
    return done.activity_id, course.item_id


@pytest.fixture(scope="module")
def full(demo, picks):  # noqa: F811
    app, _, _ = demo
    client, _ = signed_in(app, "E015")
    activity, item = picks
    return client.get(f"/learning/record.pdf?activity={activity}&item={item}&needs=1&comments=1")


def test_the_record_is_a_named_tagged_pdf_without_people_in_its_metadata(full, tmp_path):
    assert full.status_code == 200 and full.mimetype == "application/pdf"
    assert full.headers["Content-Disposition"] == 'attachment; filename="learning-record-aiko-tanaka.pdf"'
    info = pdf_info(full.data, tmp_path)
    assert info["Title"] == "Learning record" and "Author" not in info and info["Page size"].startswith("595.")
    doc = tagged(full.data)
    assert doc.marked and doc.lang == "en"
    assert [h.text for h in doc.root.find("H2")] == ["Learning activities", "Planned learning"]


def test_the_record_holds_what_was_picked_with_needs_and_comments(full, tmp_path):
    text = " ".join(pdf_text(full.data, tmp_path).split())
    assert "Learning record: Aiko Tanaka" in text
    assert "Pair with the design-systems team for a day" in text and "Tokens make contrast checks automatic." in text
    assert "Web accessibility specialist course" in text and "Accessibility (" in text
    assert COMMENT in text and "Fatima Al-Sayed" in text
    for not_picked in ("Inclusive Design Patterns", "Three.js", "Priya Raman", "Test automation"):
        assert not_picked not in text


def test_without_needs_and_comments_the_record_leaves_them_out(demo, picks, tmp_path):  # noqa: F811
    app, _, _ = demo
    client, auth = signed_in(app, "E015")
    activity, item = picks
    resp = client.get(f"/api/learning/record.pdf?activity_ids={activity}&item_ids={item}", headers=auth.headers())
    assert resp.status_code == 200
    text = " ".join(pdf_text(resp.data, tmp_path).split())
    assert "Web accessibility specialist course" in text
    assert COMMENT not in text and "Accessibility (" not in text and "Training need" not in text


def test_nothing_picked_or_someone_elses_entry_is_refused(demo, picks):  # noqa: F811
    app, _, _ = demo
    client, auth = signed_in(app, "E017")
    activity, _ = picks
    page = client.get("/learning/record.pdf")
    assert page.status_code == 422 and page.mimetype == "text/html"
    assert "Choose what your record holds." in page.get_data(as_text=True)
    theirs = client.get(f"/api/learning/record.pdf?activity_ids={activity}", headers=auth.headers())
    assert theirs.status_code == 422 and "activity_ids" in theirs.get_json()["errors"]


def test_text_typed_into_the_record_is_escaped_never_markup():
    from service.domain.learning import ActivityType
    from service.pdf.learning_record_pdf import learning_record_html
    from service.services.learning_plan import LearningRecord, RecordEntry

    hostile = '<img src="http://169.254.169.254/latest/meta-data/"> & <b>bold</b>'
    entry = RecordEntry(ActivityType.COURSE, hostile, "2026-02-01", 2, hostile, hostile, [hostile], [])
    record = LearningRecord("Ada", "", "", "2026-03-02", [entry], [], 2, True, True)
    html = learning_record_html({"record": record})
    assert "<img" not in html and "<b>bold" not in html and "&lt;img src=" in html
