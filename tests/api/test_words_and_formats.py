"""Words and formats people trust (issue 25, points 9, 10 and 12) over the demo organisation: the training
report and its CSV in plain words with the currency named, one score and one date format, the favicon, and a
goals page that mentions the self assessment only while it is still to submit."""

from __future__ import annotations

import csv
import io
import re

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.filenames import slug
from service.services import goals as goal_svc
from service.services.summaries import summary_filename
from tests import factories as f
from tests.conftest import AuthActions


@pytest.fixture(scope="module")
def demo():
    from service.adapters.clock import Clock
    from service.config import Settings
    from service.web import create_app

    table, clock = MemoryTable(), Clock()
    load_demo(table, clock)
    settings = Settings(table_name="reviews-words", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
    return create_app(settings, table=table, clock=clock), table, clock


def client_of(demo, employee_id: str, **headers: str):
    client = demo[0].test_client()
    AuthActions(client).login(employee_id)
    if headers:
        client.environ_base.update({f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})
    return client


def active_cycle(table) -> str:
    return next(c.cycle_id for c in UnitOfWork(table).cycles.list() if c.state.value == "active")


def test_the_training_report_speaks_plainly_and_never_shows_a_withheld_figure_as_zero(demo):
    # HR reads the running cycle live (leadership reads it once closed: tests/api/test_reports_over_time.py).
    page = client_of(demo, "E005").get("/reports/training").get_data(as_text=True)
    assert "Σ" not in page and "Greedy" not in page and "set cover" not in page
    assert "<summary>How this is calculated</summary>" in page and "3 for high, 2 for medium, 1 for low" in page
    # Resources and Workload count fewer than 5 people: their areas say why no total is given, never "0".
    assert re.search(r"Workforce: <strong><span class=\"suppressed\"[^>]*>withheld", page)
    assert "Workforce: <strong>0" not in page and "Workforce: 0" not in page
    assert "Estimated cost (EUR)" in page and "€4,800" in page and "On-the-job training" in page
    assert "on the job" not in page and "Management and leadership" in page


def test_the_csv_has_labels_plain_numbers_the_currency_and_rows_as_wide_as_its_header(demo):
    _, table, _ = demo
    resp = client_of(demo, "E005").get(f"/reports/training.csv?cycle={active_cycle(table)}")
    assert resp.headers["Content-Disposition"] == 'attachment; filename="training-needs-2026-mid-year-review.csv"'
    rows = list(csv.reader(io.StringIO(resp.get_data(as_text=True))))
    header = rows[0]
    assert header[:3] == ["Section", "Group", "People"] and "Estimated cost (EUR)" in header
    assert {len(r) for r in rows} == {len(header)}
    cells = [c for r in rows for c in r]
    assert not [c for c in cells if re.search(r"\d\.0\b", c)], "4800.0: a spreadsheet number has no stray .0"
    assert not [c for c in cells if re.search(r"\b[a-z]+_[a-z_]+\b", c)], "raw codes such as on_the_job"
    topics = {r[1]: r for r in rows if r[0] == "topic"}
    assert topics["Data analysis"][header.index("Estimated cost (EUR)")] == "4800"
    assert "On-the-job training suppressed" in topics["Coaching"][header.index("Formats")]
    assert [r[1] for r in rows if r[0] == "obstacle"][:2] == ["Resources", "Tools"]


def test_history_gives_each_score_by_one_rounding_rule(demo):
    page = client_of(demo, "E008").get("/history").get_data(as_text=True)
    assert "2026 mid-year review: <strong>70 of 100</strong>" in page
    assert "2025 annual review: <strong>69 of 100</strong>" in page  # 68.8, halves up
    assert not re.search(r"\d+\.\d of 100", page)


def test_dates_follow_the_persons_english_else_the_organisations(demo):
    british = client_of(demo, "E008").get("/history").get_data(as_text=True)
    american = client_of(demo, "E008", **{"Accept-Language": "en-US,en;q=0.8"}).get("/history")
    american = american.get_data(as_text=True)
    assert '<html lang="en-GB">' in british and '<html lang="en-US">' in american
    assert re.search(r"<td>1 Jan 2025</td>", british) and re.search(r"<td>Jan 1, 2025</td>", american)
    from service.views import labels

    assert labels.day("2025-01-01") == "1 Jan 2025"  # the request's locale did not outlive it in this thread


def test_the_favicon_is_served_and_cached(demo):
    client = demo[0].test_client()
    with client.get("/favicon.ico") as resp:
        assert resp.status_code == 200 and resp.mimetype == "image/vnd.microsoft.icon"
        assert resp.data[:4] == b"\x00\x00\x01\x00" and resp.headers["Cache-Control"] == "public, max-age=86400"
    page = client_of(demo, "E008").get("/history").get_data(as_text=True)
    href = re.search(r'<link rel="icon" href="([^"]+)"', page)[1]
    with client.get(href) as linked:
        assert linked.status_code == 200 and "immutable" in linked.headers["Cache-Control"]


def test_download_names_transliterate_letters_accents_alone_would_drop():
    assert slug("Elif Yılmaz") == "elif-yilmaz" and slug("Chloé Martin") == "chloe-martin"
    assert slug("Łukasz Søndergaard-Weiß") == "lukasz-sondergaard-weiss"
    assert "-elif-yilmaz-e018-" in summary_filename("2026 mid-year review", "Elif Yılmaz", "E018", "hr")


def test_the_goals_page_asks_for_weights_before_the_self_assessment_only_while_it_is_to_come(demo):
    _, table, clock = demo
    cycle_id = active_cycle(table)
    for person in ("E009", "E017"):  # self assessment submitted / not started; weights at 100 each
        extra = {"title": "One more thing", "level": "individual", "weight": 10, "cycle_id": cycle_id}
        goal_svc.create_goal(UnitOfWork(table), f.principal(table, person), extra, clock)
    submitted = client_of(demo, "E009").get("/goals").get_data(as_text=True)
    to_come = client_of(demo, "E017").get("/goals").get_data(as_text=True)
    assert "Weights add up to <strong>110</strong>: they need to add up to 100." in submitted
    assert "before you submit your self assessment" not in submitted
    assert "they need to add up to 100 before you submit your self assessment." in to_come


def test_the_departments_obstacles_never_let_the_total_give_a_withheld_zero_away(demo):
    _, table, _ = demo
    report = client_of(demo, "E005").get(f"/api/cycles/{active_cycle(table)}/training-report").get_json()
    total = report["obstacles"]["people"]
    counts = [d["obstacle_people"] for d in report["departments"]]
    assert total == 20 and None in counts
    # Finance and Leadership have nobody with an obstacle: "20 minus those shown" must not say so.
    assert total - sum(c for c in counts if c is not None) >= 5


def test_the_report_email_says_withheld_where_the_report_withholds(demo):
    from service.adapters.documents import render
    from service.services.training_reports import report_context

    _, table, _ = demo
    ctx = report_context(UnitOfWork(table), f.principal(table, "E005"), active_cycle(table), 3, "https://x")
    person = UnitOfWork(table).directory.get("E001")
    text = render("email/training_report.txt", person=person, r=ctx["report"], links=ctx["links"], reason="schedule")
    assert "Obstacles: workforce withheld, tools and processes withheld, leadership 5, other 7." in text
    assert "—" not in text and "it is never zero" in text
