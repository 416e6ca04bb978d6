"""Summaries a screen reader can read (issue 25, point 11): the PDF is tagged PDF/UA-1, with its language, its
title, its headings and its tables' header cells in the structure tree, and each goal's progress bar a figure
whose alternative text says the figure it draws. Everything is read back from the rendered bytes."""

from __future__ import annotations

import copy

import pytest

from service.pdf import render
from service.pdf.documents import summary_html
from service.pdf.summary_pdf import TITLE, context_pdf
from tests.pdf.conftest import pdf_info, tagged


@pytest.fixture(scope="module")
def made(every_element):
    """The every-element summary as the service makes it (XHTML read by the XML parser, the lean UA sheet)."""
    return context_pdf(every_element)


@pytest.fixture(scope="module")
def doc(made):
    return tagged(made)


def test_the_summary_is_tagged_pdf_ua_1_with_its_language_and_title(made, doc, tmp_path):
    assert pdf_info(made, tmp_path)["Tagged"] == "yes"
    assert doc.marked and doc.lang == "en"
    assert doc.title == TITLE and doc.display_title  # a viewer shows the title, not the file name
    assert 'pdfuaid:part="1"' in doc.xmp and f">{TITLE}</rdf:li>" in doc.xmp


def test_the_headings_of_the_structure_tree_are_the_summarys_in_reading_order(doc, every_element):
    tree = render.well_formed_tree(summary_html(every_element))
    written = [" ".join("".join(h.itertext()).split()) for h in tree.iter("h2")]
    assert [h.text for h in doc.root.find("H1")] == ["Appraisal summary HR copy"]
    assert [h.text for h in doc.root.find("H2")] == written
    assert written[:3] == ["Score", "Goals", "Competency ratings"]
    assert "How the score is made" in [h.text for h in doc.root.find("H3")]


def test_every_table_header_cell_heads_its_column_and_every_cell_names_its_header(doc):
    tables = doc.root.find("Table")
    assert len(tables) >= 8
    for table in tables:
        heads = {th.id: th for th in table.find("TH")}
        assert heads and all(th.attributes["/Scope"] == "/Column" for th in heads.values())
        for td in table.find("TD"):
            assert td.attributes["/Headers"] and set(td.attributes["/Headers"]) <= set(heads)
    score = tables[0]
    assert [th.text for th in score.find("TH")] == ["PART", "WEIGHT", "VALUE (0–100)", "BASED ON"]
    weights = [td for td in score.find("TD") if td.text.endswith("%")]
    assert weights and all(score_head(score, td) == "WEIGHT" for td in weights)


def score_head(table, td) -> str:
    (head,) = [th.text for th in table.find("TH") if th.id in td.attributes["/Headers"]]
    return head


def test_each_progress_bar_is_a_figure_whose_text_alternative_carries_its_figure(doc, every_element):
    goals = every_element["view"].goals
    assert len(goals) >= 2
    figures = doc.root.find("Figure")
    assert [f.alt for f in figures] == [f"Progress of {g.title}: {g.progress or 0:.0f}%" for g in goals]


def test_the_fast_path_tags_the_summary_as_the_html5_parser_and_weasyprints_own_sheet_do(every_element, doc):
    """summary-ua.css and the XML parser change nothing in the tree: the default way builds the same one."""
    default = tagged(render.render_pdf(summary_html(every_element), TITLE))
    assert default.root.roles() == doc.root.roles()
    assert [f.alt for f in default.root.find("Figure")] == [f.alt for f in doc.root.find("Figure")]
    assert default.lang == doc.lang == "en"


def test_a_summary_the_xml_parser_cannot_read_is_tagged_too(every_element):
    context = copy.deepcopy(every_element)
    context["view"].manager_assessment["narrative"] = "Pasted\x0bfrom a slide"  # forbidden in XML: HTML5 parser
    assert render.well_formed_tree(summary_html(context)) is None
    other = tagged(context_pdf(context))
    assert other.lang == "en" and other.marked
    assert [h.text for h in other.root.find("H1")] == ["Appraisal summary HR copy"]
    assert all(f.alt and f.alt.startswith("Progress of ") for f in other.root.find("Figure"))
