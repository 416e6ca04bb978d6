"""How a summary is made fast without changing what it shows: the template's layout whitespace is dropped, a
user-agent stylesheet naming only the template's elements replaces WeasyPrint's (same pages, pixel for pixel),
the page is read by an XML parser into the tree the HTML5 parser would build (same pages again), the garbage
collector pauses during a render only, and each goal's results sit in the goal's own row."""

from __future__ import annotations

import copy
import dataclasses
import gc
import re
import subprocess
from pathlib import Path

import pytest
import tinyhtml5
from markupsafe import escape

from service.adapters.unit_of_work import UnitOfWork
from service.pdf import render
from service.pdf.documents import PDF_ROOT, compact, summary_html
from service.pdf.summary_pdf import TITLE, USER_AGENT, context_pdf, summary_pdf
from service.services.summaries import summary_for
from tests import factories as f
from tests.pdf.conftest import NOW, pdf_text


@pytest.fixture(scope="module")
def summary(world):
    """HR's summary of E4's finalised review."""
    return summary_for(UnitOfWork(world.table), f.principal(world.table, "E2"), world.cycle_id, "E4", NOW)


def test_line_breaks_between_tags_go_and_spaces_inside_a_line_stay():
    html = '<div>\n  <p><strong>Goal</strong> <span class="muted">(team)</span></p>\n</div>\n<p>a\nb</p>'
    assert compact(html) == '<div><p><strong>Goal</strong> <span class="muted">(team)</span></p></div><p>a\nb</p>'


def test_the_summary_html_has_no_whitespace_only_lines_between_tags(summary):
    html = summary_html(summary.context)
    assert re.search(r">\s*\n\s*<", html) is None
    assert "Launched in March" in html and "Done well" in html  # content untouched


def ua_elements() -> set[str]:
    """The element names summary-ua.css gives rules to, and span (inline: it needs none)."""
    sheet = re.sub(r"/\*.*?\*/", "", USER_AGENT.read_text(), flags=re.S)
    selectors = " ".join(re.findall(r"([^{}]+)\{", sheet))
    return set(re.findall(r"(?<![-:@.#\w])([a-z][a-z0-9]*)\b", selectors)) | {"span"}


def test_the_user_agent_sheet_names_every_element_the_template_can_write():
    # Every tag of the template, whichever branch renders it (user text is escaped: it adds no elements).
    template = (PDF_ROOT / "summary.html").read_text()
    # What is inside an <svg> (its shapes and title) is drawn by WeasyPrint's SVG renderer, not styled by the sheet.
    template = re.sub(r"(<svg\b[^>]*>).*?</svg>", r"\1", template, flags=re.S)
    used = set(re.findall(r"<([a-z][a-z0-9]*)", template))
    assert used, "the template has elements"
    missing = used - ua_elements()
    assert not missing, f"add WeasyPrint's user-agent rules for {sorted(missing)} to summary-ua.css"


def test_weasyprint_takes_the_packaged_user_agent_sheet(summary, monkeypatch):
    document_class = render._document_class(USER_AGENT, xhtml=True)
    asked = []
    original = document_class._ua_stylesheets

    def spy(self, forms=False):
        asked.append(forms)
        return original(self, forms)

    monkeypatch.setattr(document_class, "_ua_stylesheets", spy)
    summary_pdf(summary)
    assert asked, "WeasyPrint no longer asks HTML._ua_stylesheets: the summary renders with its slower default sheet"


def page_images(data: bytes, tmp: Path, name: str) -> list[bytes]:
    (tmp / f"{name}.pdf").write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp / f"{name}.pdf"), str(tmp / name)], check=True)
    return [p.read_bytes() for p in sorted(tmp.glob(f"{name}-*.png"))]


def test_the_lean_user_agent_sheet_draws_the_same_pages_as_weasyprints_own(every_element, tmp_path):
    html = summary_html(every_element)
    template = (PDF_ROOT / "summary.html").read_text()
    assert set(re.findall(r"<([a-z][a-z0-9]*)", html)) == set(re.findall(r"<([a-z][a-z0-9]*)", template))
    lean = page_images(render.render_pdf(html, TITLE, user_agent=USER_AGENT), tmp_path, "lean")
    full = page_images(render.render_pdf(html, TITLE), tmp_path, "full")
    assert len(lean) >= 2
    assert lean == full


def shape(element) -> tuple:
    """An element tree as nested tuples: tag, attributes, text, tail and children (None text counts as "")."""
    return (element.tag, dict(element.attrib), element.text or "", element.tail or "", [shape(c) for c in element])


def html5_tree(html: str):
    """The tree WeasyPrint's own HTML5 parser builds of `html`."""
    return tinyhtml5.parse(html, namespace_html_elements=False)


def assert_read_as_html5_would(html: str) -> None:
    tree = render.well_formed_tree(html)
    assert tree is not None, "the template no longer writes well-formed XHTML: summaries parse 20 ms slower"
    assert shape(tree) == shape(html5_tree(html))


def test_the_xml_reading_of_a_summary_is_the_tree_the_html5_parser_builds(every_element):
    assert_read_as_html5_would(summary_html(every_element))


def test_a_page_xml_cannot_read_goes_to_the_html5_parser_and_renders_all_its_text(every_element, tmp_path):
    context = copy.deepcopy(every_element)
    # A vertical tab pasted into a narrative: allowed in HTML, forbidden in XML.
    context["view"].manager_assessment["narrative"] = "Pasted\x0bfrom a slide <b>deck</b>"
    html = summary_html(context)
    assert render.well_formed_tree(html) is None and html5_tree(html) is not None
    text = pdf_text(context_pdf(context), tmp_path)
    assert "from a slide <b>deck</b>" in text and "Shipped in May" in text


def test_both_parsers_give_weasyprint_the_same_document(every_element):
    from weasyprint import HTML

    html = summary_html(every_element)
    shared = render._shared()
    document_class = render._document_class(USER_AGENT, xhtml=True)
    base = PDF_ROOT.as_uri() + "/"
    fast = document_class(string=html, base_url=base, url_fetcher=shared["fetcher_class"]())
    slow = HTML(string=html, base_url=base, url_fetcher=fast.url_fetcher)
    # If WeasyPrint's HTML.__init__ starts setting something new, the fast path must set it too.
    assert set(vars(fast)) == set(vars(slow))
    assert (fast.base_url, fast.media_type) == (slow.base_url, slow.media_type)
    assert shape(fast.etree_element) == shape(slow.etree_element)


def test_the_xml_reading_draws_the_same_pages_as_the_html5_parser(every_element, tmp_path):
    fast = page_images(context_pdf(every_element), tmp_path, "fast")
    html5 = page_images(render.render_pdf(summary_html(every_element), TITLE, user_agent=USER_AGENT), tmp_path, "html5")
    assert len(fast) >= 2
    assert fast == html5


def test_table_columns_take_the_widths_written_on_their_header_cells(every_element, tmp_path):
    """Score table: Part 22%, Weight 12%, Value 20%, Based on 46% of the 178 mm between the page margins."""
    (tmp_path / "s.pdf").write_bytes(context_pdf(every_element))
    words = subprocess.run(["pdftotext", "-bbox", str(tmp_path / "s.pdf"), "-"], capture_output=True, text=True).stdout
    left = {w: float(x) for x, w in re.findall(r'xMin="([\d.]+)"[^>]*>(PART|BASED)</word>', words)}
    mm = 72 / 25.4
    assert left["PART"] == pytest.approx((16 + 1.6) * mm, abs=0.5)  # margin, then the cell's padding
    assert left["BASED"] == pytest.approx((16 + 0.54 * 178 + 1.6) * mm, abs=0.5)


def test_the_collector_runs_again_after_a_render_and_after_a_failed_one(monkeypatch):
    assert gc.isenabled()
    render.render_pdf("<p>one</p>", TITLE)
    assert gc.isenabled()

    def broken(*args, **kwargs):
        assert not gc.isenabled()  # paused while WeasyPrint works
        raise RuntimeError("layout failed")

    monkeypatch.setattr(render, "_strip", broken)
    with pytest.raises(RuntimeError):
        render.render_pdf("<p>two</p>", TITLE)
    assert gc.isenabled()


def test_a_collector_switched_off_by_the_caller_stays_off():
    gc.disable()
    try:
        render.render_pdf("<p>three</p>", TITLE)
        assert not gc.isenabled()
    finally:
        gc.enable()


def goal_context(summary) -> dict:
    """The summary's context with two goals, results and ratings for one of them, and a result for an old goal."""
    context = copy.deepcopy(summary.context)
    goal = {"title": "Ship the importer", "level": "individual", "weight": 60, "progress": 50, "status": "on_track"}
    goals = [dict(goal, goal_id="g1"), dict(goal, goal_id="g2", title="Mentor Ada", weight=40)]
    view = context["view"] = dataclasses.replace(context["view"], goals=goals)
    view.self_assessment["goal_results"] = [
        {"goal_id": "g1", "title": "Ship the importer", "result": "Shipped in May", "rating": 4},
        {"goal_id": "gone", "title": "Retired goal", "result": "Dropped with the team", "rating": 2},
    ]
    view.manager_assessment["goal_ratings"] = [
        {"goal_id": "g1", "title": "Ship the importer", "rating": 3, "comment": "Late but solid"}
    ]
    return context


def test_each_goal_row_holds_its_own_result_and_rating_and_older_ones_keep_a_table(summary):
    html = summary_html(goal_context(summary))
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    (first,) = [r for r in rows if "Ship the importer</strong>" in r]
    assert "Employee:</span>" in first and "Shipped in May" in first
    assert "Manager:</span>" in first and "Late but solid" in first
    (second,) = [r for r in rows if "Mentor Ada</strong>" in r]
    assert "Employee:" not in second and "Manager:" not in second
    results = html[html.index("Results the employee reported") :]
    assert "Retired goal" in results and "Dropped with the team" in results
    assert "Manager's goal ratings" not in html  # every rating found its goal


def test_every_review_of_the_demo_has_a_summary_for_hr_and_for_the_employee():
    """The demo holds reviews in every state, feedback groups above and below the threshold and ratings with
    too few answers to show: each one's summary (HTML, the part that can fail on data) is made for both readers."""
    from service.adapters.clock import Clock
    from service.adapters.store import MemoryTable
    from service.demo.scenario import HR, load_demo

    table, clock = MemoryTable(), Clock()
    load_demo(table, clock)
    made = 0
    for cycle in UnitOfWork(table).cycles.list():
        for review in UnitOfWork(table).reviews.of_cycle(cycle.cycle_id) if cycle.template_snapshot else []:
            for reader in (HR, review.employee_id):
                context = summary_for(
                    UnitOfWork(table), f.principal(table, reader), cycle.cycle_id, review.employee_id, clock.now()
                ).context
                html = summary_html(context)
                assert f"Appraisal summary — {escape(context['view'].employee_name)}" in html
                assert_read_as_html5_would(html)
                made += 1
    assert made >= 40
