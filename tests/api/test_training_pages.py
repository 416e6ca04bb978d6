"""The training-need report's pages, CSV and JSON API over the demo organisation (in-memory table)."""

from __future__ import annotations

import csv
import io
import re

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.training import ReportSchedule
from service.services import cycles
from tests.conftest import AuthActions


@pytest.fixture
def demo_table(clock) -> MemoryTable:
    table = MemoryTable()
    load_demo(table, clock)
    return table


@pytest.fixture
def app(settings, demo_table, clock):
    from service.web import create_app

    return create_app(settings, table=demo_table, clock=clock)


def signed_in(app, employee_id: str) -> tuple:
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth


def current_cycle(table) -> str:
    return cycles.list_cycles(UnitOfWork(table))[0].cycle_id


def closed(table, clock) -> str:
    """HR closes the demo's running cycle: leadership and managers read its figures from then on
    (services/report_release.py; while it runs they read "shown when it closes")."""
    from tests import factories as f

    cycle = cycles.get_cycle(UnitOfWork(table), current_cycle(table))
    cycles.close_cycle(UnitOfWork(table), f.principal(table, "E005"), cycle.cycle_id, cycle.version, clock)
    return cycle.cycle_id


def test_leadership_reaches_the_report_from_the_reports_menu_and_sees_charts_tables_and_programme(
    app, demo_table, clock
):
    closed(demo_table, clock)
    client, _ = signed_in(app, "E001")
    home = client.get("/").get_data(as_text=True)
    assert 'href="/reports/training"' in home
    page = client.get("/reports/training?n=2").get_data(as_text=True)
    assert page.count('<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img"') == 3
    assert "<title id=" in page and "<desc id=" in page
    assert "Suggested training programme: 2 topics" in page
    assert "Negotiation" in page and "Public speaking" in page
    # Leadership (1 person with needs) is below the threshold; the next-smallest department goes with it.
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th>\s*<td colspan="4" class="muted">.*?(Withheld)', page))
    assert set(rows) == {"Leadership", "Finance"}
    assert re.search(r'<th scope="row">Engineering</th>\s*<td>11</td>', page)


def test_an_employee_gets_no_report_and_no_menu_entry(app):
    client, _ = signed_in(app, "E009")
    assert "/reports/training" not in client.get("/").get_data(as_text=True)
    assert client.get("/reports/training").status_code == 403
    assert client.get("/reports/training.csv").status_code == 403


def test_a_head_of_department_sees_their_whole_subtree(app, demo_table, clock):
    closed(demo_table, clock)
    client, auth = signed_in(app, "E004")  # VP Sales: two managers and their teams below
    data = client.get(f"/api/cycles/{current_cycle(demo_table)}/training-report", headers=auth.headers()).get_json()
    assert data["scope"] == "subtree" and data["people_with_needs"] == 7
    # 5 of the 7 named Negotiation: shown, 7 − 5 would give away the 2 who did not. Withheld, with the rest.
    assert {t["topic"]: t["suppressed"] for t in data["topics"]}["Negotiation"] is True
    assert [t for t in data["topics"] if not t["suppressed"]] == []
    assert data["departments"] == [] and data["programme"] is None


def test_the_csv_has_no_cell_a_spreadsheet_would_run(app, demo_table, clock):
    from service.services import training
    from tests import factories as f

    hr = f.principal(demo_table, "E005")
    for payload in ("=HYPERLINK(1)", "+SUM(A1)", "-2+3", "@cmd", "\tTab", "\rCR"):
        training.create_topic(UnitOfWork(demo_table), hr, {"name": "x" + payload, "synonyms": []}, clock)
    client, _ = signed_in(app, "E001")
    resp = client.get("/reports/training.csv")
    assert resp.mimetype == "text/csv"
    cells = [c for row in csv.reader(io.StringIO(resp.get_data(as_text=True))) for c in row]
    assert cells[0] == "Section" and any(c == "Negotiation" for c in cells)
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]


def test_json_report_is_in_openapi_and_refuses_a_bad_n(app, demo_table):
    client, auth = signed_in(app, "E005")
    spec = client.get("/api/openapi.json").get_json()
    assert "/api/cycles/{cycle_id}/training-report" in spec["paths"]
    bad = client.get(f"/api/cycles/{current_cycle(demo_table)}/training-report?n=99", headers=auth.headers())
    assert bad.status_code == 422 and "n" in bad.get_json()["errors"]


def test_an_individuals_needs_are_for_them_their_chain_and_hr_only(app, demo_table):
    url = "/api/people/E025/training-needs"
    for who, status in (
        ("E025", 200),
        ("E022", 200),
        ("E004", 200),
        ("E001", 200),
        ("E005", 200),
        ("E026", 404),
    ):  # denied looks like missing
        client, auth = signed_in(app, who)
        assert client.get(url, headers=auth.headers()).status_code == status, who
    client, auth = signed_in(app, "E025")
    needs = client.get(url, headers=auth.headers()).get_json()["needs"]
    assert {n["topic"] for n in needs} >= {"Negotiation", "Public speaking"}


def test_a_manager_logs_training_against_a_need_and_the_report_counts_it_addressed(app, demo_table):
    lead, lauth = signed_in(app, "E005")  # HR reads the running cycle's live figures
    report_url = f"/api/cycles/{current_cycle(demo_table)}/training-report"
    before = UnitOfWork(demo_table).training.aggregate(current_cycle(demo_table), "ORG")
    client, auth = signed_in(app, "E022")
    page_url = "/people/E025/training-needs"
    page = client.get(page_url).get_data(as_text=True)
    cycle_id = current_cycle(demo_table)
    need = re.search(rf'action="/training-needs/({cycle_id}[^"]+)/training"', page).group(1)
    resp = client.post(
        f"/training-needs/{need}/training",
        data={"csrf_token": auth.csrf, "title": "Negotiation masterclass", "date": "2026-02-20", "back": page_url},
    )
    assert resp.status_code == 302
    stored = UnitOfWork(demo_table).training.get(need.replace("%23", "#"))
    assert stored.status == "addressed" and "Negotiation masterclass" in stored.addressed_by
    report = lead.get(report_url, headers=lauth.headers()).get_json()
    after = UnitOfWork(demo_table).training.aggregate(current_cycle(demo_table), "ORG")
    key = f"a|{stored.topic_id}"
    assert after[key] == before.get(key, 0) + 1  # the demo's learning log addressed some already
    topic = next(t for t in report["topics"] if t["topic_id"] == stored.topic_id)
    # Needs addressed for fewer than 5 people are withheld; shown, the figure is the stored one.
    assert topic["addressed"] == (after[key] if after[f"ap|{stored.topic_id}"] >= 5 else None)


def test_the_manager_form_offers_obstacle_categories_and_a_need_for_a_low_rating(app, demo_table):
    cycle_id = current_cycle(demo_table)
    client, auth = signed_in(app, "E013")  # Jonas (E014) has submitted his self assessment
    url = f"/api/cycles/{cycle_id}/reviews/E014"
    version = client.get(url, headers=auth.headers()).get_json()["version"]
    ratings = {c: {"rating": 3, "comment": ""} for c in ("delivery", "collaboration", "ownership", "growth")}
    ratings["ownership"] = {"rating": 2, "comment": "Drops follow-ups."}
    content = {"competency_ratings": ratings, "need_suggestions": {"ownership": "confirmed"}}
    saved = client.put(
        url + "/manager", json={"content": content}, headers={**auth.headers(), "If-Match": f'"{version}"'}
    )
    assert saved.status_code == 200, saved.get_json()
    page = client.get(f"/cycles/{cycle_id}/reviews/E014/manager").get_data(as_text=True)
    assert "Suggested need: Ownership" in page
    assert re.search(r'name="need_suggestions.ownership" value="confirmed"[^>]*checked', page)
    assert 'name="obstacles.0.category"' in page and "Management and leadership" in page


def test_the_pdf_template_renders_the_same_report_and_charts_outside_a_request(demo_table, clock):
    from service.pdf.training_pdf import training_report_html
    from service.services.training_reports import report_context
    from tests import factories as f

    ctx = report_context(
        UnitOfWork(demo_table), f.principal(demo_table, "E001"), closed(demo_table, clock), 3, "https://x"
    )
    html = training_report_html(ctx)
    assert html.count('role="img"') == 3 and "Suggested training programme: 3 topics" in html
    assert "https://x/reports/training?cycle=" in html and "Withheld: fewer than 5 people" in html


def test_the_demo_learning_log_addresses_training_needs_in_both_reports(app, demo_table):
    lead, auth = signed_in(app, "E005")  # HR: the running cycle's live figures
    report = lead.get(f"/api/cycles/{current_cycle(demo_table)}/training-report", headers=auth.headers()).get_json()
    org = UnitOfWork(demo_table).training.aggregate(current_cycle(demo_table), "ORG")
    assert org["a|data-analysis"] >= 1 and org["a|negotiation"] >= 1
    # In the report, needs addressed for fewer than 5 people are withheld (null), never printed.
    for t in report["topics"]:
        if not t["suppressed"] and t["addressed"] is not None and t["addressed"] > 0:
            assert org[f"ap|{t['topic_id']}"] >= 5
    assert any(t.get("addressed", 0) is None for t in report["topics"])
    learning = lead.get("/api/learning/report?year=2026", headers=auth.headers()).get_json()
    assert learning["totals"]["*"]["needs"] >= 5


def test_a_withheld_free_text_topic_is_not_named_in_the_report_but_hr_can_still_merge_it(app, demo_table, clock):
    closed(demo_table, clock)
    lead, auth = signed_in(app, "E001")
    report = lead.get(f"/api/cycles/{current_cycle(demo_table)}/training-report", headers=auth.headers()).get_json()
    withheld = [t for t in report["topics"] if t["suppressed"]]
    assert "Ownership" not in {t["topic"] for t in report["topics"]}  # typed by fewer than 5 people
    assert {
        "topic_id": None,
        "topic": "Free-text topics named by too few people to show",
        "suppressed": True,
    } in withheld
    csv_text = lead.get(f"/reports/training.csv?cycle={current_cycle(demo_table)}").get_data(as_text=True)
    assert "topic,Ownership" not in csv_text and "topic,Free-text topics named by too few people" in csv_text
    hr, _ = signed_in(app, "E005")
    page = hr.get("/reports/training/topics").get_data(as_text=True)
    assert '<option value="free-ownership">Ownership (free text)</option>' in page


def test_hr_sets_the_report_email_schedule_on_the_topics_page_and_a_stale_form_changes_nothing(app, demo_table):
    hr, auth = signed_in(app, "E005")
    chosen = re.compile(r'<option value="(off|weekly|monthly)" selected>')  # the schedule's, not the cycle's
    version = re.compile(r'name="version" value="(\d+)"')
    page = hr.get("/reports/training/topics").get_data(as_text=True)
    assert chosen.findall(page) == ["off"] and version.findall(page) == ["0"]
    form = {"csrf_token": auth.csrf, "version": "0", "frequency": "weekly"}
    assert hr.post("/reports/training/schedule", data=form).status_code == 302
    page = hr.get("/reports/training/topics").get_data(as_text=True)
    assert chosen.findall(page) == ["weekly"] and version.findall(page) == ["1"]
    hr.post("/reports/training/schedule", data={**form, "frequency": "monthly"})  # the version read before
    assert UnitOfWork(demo_table).training.schedule() == ReportSchedule("weekly", 1)


def _new_launched_cycle(table, clock) -> str:
    """A cycle HR has just launched over the demo organisation: nobody has named a training need in it yet."""
    from service.services import templates
    from tests import factories as f

    hr = f.principal(table, "E005")
    template_id = templates.list_templates(UnitOfWork(table))[0].template_id
    data = f.cycle_data(template_id, name="2027 review")
    cycle = cycles.create_cycle(UnitOfWork(table), hr, data, clock)
    cycles.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, f.inline_queue(table, clock))
    return cycle.cycle_id


def test_a_report_without_figures_offers_no_suggestion_or_download_and_says_why(app, demo_table, clock):
    empty = _new_launched_cycle(demo_table, clock)
    lead, _ = signed_in(app, "E001")
    held = lead.get(f"/reports/training?cycle={empty}").get_data(as_text=True)  # running: held from leadership
    assert "This cycle&#39;s figures are shown when it closes." in held and "Download CSV" not in held
    lead, _ = signed_in(app, "E005")  # HR reads it live: nobody named a need yet
    page = lead.get(f"/reports/training?cycle={empty}").get_data(as_text=True)
    assert "nothing can be shown yet" in page
    assert "There is no programme to suggest and nothing to download yet: fewer than 5 people" in page
    assert 'id="programme-n"' not in page and ">Suggest</button>" not in page
    assert "Download CSV" not in page and "Download PDF" not in page
    full = lead.get("/reports/training").get_data(as_text=True)  # the newest cycle with figures
    assert ">Suggest</button>" in full and "Download CSV" in full and "nothing to download" not in full
    hr, _ = signed_in(app, "E005")
    page = hr.get(f"/reports/training?cycle={empty}").get_data(as_text=True)
    assert "Topic catalogue and email schedule" in page and "Download PDF" not in page


def test_the_topics_page_picks_its_cycle_by_the_reports_rule_and_refuses_an_unknown_one(app, demo_table, clock):
    newest_with_figures = current_cycle(demo_table)
    _new_launched_cycle(demo_table, clock)  # newer, without figures: passed over as on the report
    hr, _ = signed_in(app, "E005")
    page = hr.get("/reports/training/topics")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert f'<option value="{newest_with_figures}" selected>' in html
    assert "no figures here yet" in html
    assert '<option value="free-ownership">Ownership (free text)</option>' in html
    refused = hr.get("/reports/training/topics?cycle=nope")
    assert refused.status_code == 404
    html = refused.get_data(as_text=True)
    assert "There is no cycle “nope” to show here" in html
    assert '<option value="free-ownership">Ownership (free text)</option>' in html  # the default is shown
