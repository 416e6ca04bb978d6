"""A summary shows the sections its person has (issue 25, point 12): a non-manager's PDF has no empty "Upward
feedback" section; scores and dates in the one format of views/labels.py. Read back with pdftotext."""

from __future__ import annotations

from service.pdf.summary_pdf import context_pdf
from tests.pdf.conftest import pdf_text


def test_a_non_managers_summary_has_peer_feedback_and_no_empty_upward_section(every_element, tmp_path):
    # The demo's Mei Chen manages nobody: her peer group was answered, her upward group cannot be.
    kinds = {g["kind"]: g["answers"] for g in every_element["feedback_groups"]}
    assert kinds == {"peer": 3, "upward": 0}
    text = pdf_text(context_pdf(every_element), tmp_path)
    assert "Peer feedback" in text and "3 answers, shown only as a group" in text
    assert "Upward feedback" not in text
    assert "of 100" in text and " UTC UTC" not in text  # "made 5 Dec 2026, 19:11 UTC", said once
