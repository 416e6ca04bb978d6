"""HR pages without a browser: import with a row-numbered report, templates, cycle set-up, launch progress,
the dashboard, close and reopen."""

from __future__ import annotations

import io
import re
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from service.adapters.queue import Message, Queue
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import directory as directory_svc
from service.services import templates as template_svc
from service.services.worker import dispatch
from tests import factories as f
from tests.conftest import ORG_CSV

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    """One app per module; each test gets the organisation and one launched cycle afresh."""
    return module_app


@pytest.fixture
def table(app):
    return app.extensions["reviews"].table


@pytest.fixture
def clock(app):
    """The app's clock (2026-03-02 09:00 UTC), put back after a test moves it."""
    clock = app.extensions["reviews"].clock
    at = clock.at
    yield clock
    clock.at = at


@pytest.fixture
def hr(as_):
    return as_("E2")


class HeldQueue(Queue):
    """Keeps the launch's batches until the test lets them run (a worker that has not caught up yet)."""

    def __init__(self) -> None:
        self.held: list[Message] = []

    def send_many(self, messages: list[Message]) -> None:
        self.held.extend(messages)


@pytest.fixture
def held_queue(app):
    wiring = app.extensions["reviews"]
    before = wiring.extras.get("queue")
    wiring.extras["queue"] = queue = HeldQueue()
    yield queue
    if before is None:
        wiring.extras.pop("queue")
    else:
        wiring.extras["queue"] = before


def post(actor, path: str, data: dict[str, Any] | None = None, **kwargs: Any):
    return actor.client.post(path, data={"csrf_token": actor.auth.csrf, **(data or {})}, **kwargs)


def text(resp) -> str:
    return resp.get_data(as_text=True)


def upload(actor, csv: str, **extra: str):
    data = {"file": (io.BytesIO(csv.encode()), "people.csv"), **extra}
    return post(actor, "/hr/import", data, content_type="multipart/form-data")


# --- organisation import ----------------------------------------------------------------------------


def test_only_hr_reaches_the_hr_pages(as_, launched_cycle_id):
    for path in ("/hr/import", "/hr/templates", "/hr/cycles", "/hr/cycles/new", f"/hr/cycles/{launched_cycle_id}"):
        assert as_("E4").get(path).status_code == 403, path
    refused = post(as_("E4"), "/hr/import", {"file": (io.BytesIO(b"x"), "x.csv")}, content_type="multipart/form-data")
    assert refused.status_code == 403


def test_a_bad_file_is_rejected_with_a_row_numbered_report_and_nothing_changes(hr, table):
    bad = ORG_CSV.replace("alan@example.com", "not-an-email") + "E7,Loop,loop@example.com,Engineer,Engineering,E8,\n"
    resp = upload(hr, bad)
    html = text(resp)
    assert resp.status_code == 422 and "people.csv was rejected: nothing was changed" in html
    report = html[html.index('class="table import-errors"') :]
    rows = re.findall(r"<tr><td>(\d+)</td><td>([^<]*)</td><td>([^<]*)</td></tr>", report)
    assert ("4", "email", "&#39;not-an-email&#39; is not an email address") in rows
    assert any(r[0] == "8" and r[1] == "manager_id" for r in rows)
    assert directory_svc.get_person(UnitOfWork(table), "E3").email == "alan@example.com"


def test_a_good_file_is_imported_and_summarised(hr, table):
    csv = ORG_CSV + "E7,Mary Jackson,mary@example.com,Engineer,Engineering,E3,\n"
    html = text(upload(hr, csv))
    assert "people.csv imported." in html and re.search(r"<dt>New people</dt><dd>1</dd>", html)
    assert directory_svc.get_person(UnitOfWork(table), "E7").name == "Mary Jackson"


def test_check_only_shows_what_would_change_and_changes_nothing(hr, table):
    csv = ORG_CSV + "E7,Mary Jackson,mary@example.com,Engineer,Engineering,E3,\n"
    html = text(upload(hr, csv, dry_run="1"))
    assert "nothing was changed (check only)" in html and re.search(r"<dt>New people</dt><dd>1</dd>", html)
    assert [p.employee_id for p in directory_svc.people_for_signin(UnitOfWork(table)) if p.employee_id == "E7"] == []


def test_an_import_without_a_file_asks_for_one(hr):
    resp = post(hr, "/hr/import", {}, content_type="multipart/form-data")
    assert resp.status_code == 422 and 'href="#f-file"' in text(resp) and "Choose the CSV file" in text(resp)


# --- templates --------------------------------------------------------------------------------------------


TEMPLATE_FORM = {
    "name": "Engineering review",
    "competencies.0.name": "Delivery",
    "competencies.0.id": "",
    "competencies.0.description": "Ships.",
    "competencies.1.name": "Code review",
    "competencies.1.id": "",
    "competencies.1.description": "Reviews well.",
    "competencies.2.name": "",
    "competencies.2.id": "",
    "competencies.2.description": "",
    "scale.0": "Low",
    "scale.1": "Solid",
    "scale.2": "High",
    "scale.3": "",
    "questions.self.0.text": "What are you proud of?",
    "questions.self.0.id": "",
    "questions.self.0.required": "1",
    "questions.manager.0.text": "What comes next?",
    "questions.manager.0.id": "next",
    "weights.goals": "50",
    "weights.competencies": "50",
    "weights.feedback": "0",
}


def test_hr_creates_a_template_with_competencies_scale_questions_and_weights(hr, table):
    resp = post(hr, "/hr/templates/new", TEMPLATE_FORM)
    assert resp.status_code == 302 and resp.headers["Location"] == "/hr/templates"
    saved = next(t for t in template_svc.list_templates(UnitOfWork(table)) if t.name == "Engineering review")
    assert [(c.id, c.name) for c in saved.competencies] == [("delivery", "Delivery"), ("code-review", "Code review")]
    assert saved.scale.labels == ("Low", "Solid", "High")
    assert [(q.id, q.text, q.required) for q in saved.questions["self"]] == [
        ("what-are-you-proud-of", "What are you proud of?", True)
    ]
    assert [(q.id, q.required) for q in saved.questions["manager"]] == [("next", False)]
    assert saved.weights == {"goals": 50, "competencies": 50, "feedback": 0}
    assert "saved as version 1" in text(hr.get("/hr/templates"))


def test_weights_that_do_not_add_up_come_back_with_the_form_as_typed(hr):
    resp = post(hr, "/hr/templates/new", TEMPLATE_FORM | {"weights.feedback": "10"})
    html = text(resp)
    assert resp.status_code == 422 and 'href="#f-weights"' in html and "Weights add up to 110, not 100." in html
    assert 'value="Engineering review"' in html and "Reviews well." in html


def test_a_stale_template_edit_keeps_the_edit_and_offers_the_new_version(hr, table, clock):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    page = text(hr.get(f"/hr/templates/{template.template_id}"))
    assert 'name="competencies.0.name" value="Delivery"' in page
    template_svc.update_template(
        UnitOfWork(table),
        f.principal(table, "E2"),
        template.template_id,
        f.template_data(name="Renamed elsewhere"),
        template.version,
        clock,
    )
    resp = post(hr, f"/hr/templates/{template.template_id}", TEMPLATE_FORM | {"version": str(template.version)})
    html = text(resp)
    assert resp.status_code == 409 and "Someone else saved this template meanwhile" in html
    assert 'value="Engineering review"' in html
    assert re.search(rf'name="version" value="{template.version + 1}"', html)


# --- cycles -------------------------------------------------------------------------------------------


def cycle_form(template_id: str, **overrides: str) -> dict[str, Any]:
    data = {
        "name": "Mid-year",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
        "template_id": template_id,
        "phases.goal_setting": "2026-03-05",
        "phases.self_assessment": "2026-03-10",
        "phases.feedback": "2026-03-15",
        "phases.manager_assessment": "2026-03-20",
        "phases.discussion": "2026-03-31",
        "participant_mode": "departments",
        "departments": ["Engineering"],
        "employee_ids": "",
    }
    data.update(overrides)
    return data


def test_hr_sets_up_a_draft_cycle_for_chosen_departments(hr, table):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    form = text(hr.get("/hr/cycles/new"))
    assert 'value="Engineering"' in form and template.template_id in form
    resp = post(hr, "/hr/cycles/new", cycle_form(template.template_id))
    assert resp.status_code == 302
    cycle = next(c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Mid-year")
    assert resp.headers["Location"] == f"/hr/cycles/{cycle.cycle_id}"
    assert cycle.state == "draft" and cycle.departments == ["Engineering"]
    assert cycle.phases["discussion"].isoformat() == "2026-03-31"
    page = text(hr.get(resp.headers["Location"]))
    assert "Launch the cycle" in page and "Edit the draft" in page


def test_a_new_cycle_on_an_unknown_template_is_refused_and_nothing_stored(hr, table):
    before = len(cycle_svc.list_cycles(UnitOfWork(table)))
    resp = post(hr, "/hr/cycles/new", cycle_form("no-such-template"))
    assert resp.status_code == 404 and "There is no such template." in text(resp)  # in words, no id (issue 25)
    assert len(cycle_svc.list_cycles(UnitOfWork(table))) == before


def test_phase_deadlines_out_of_order_are_explained_and_the_form_kept(hr, table):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    resp = post(
        hr,
        "/hr/cycles/new",
        cycle_form(template.template_id, **{"phases.feedback": "2026-03-01", "phases.discussion": ""}),
    )
    html = text(resp)
    assert resp.status_code == 422
    assert 'href="#f-phases-discussion"' in html and "Enter a date." in html
    fixed = post(hr, "/hr/cycles/new", cycle_form(template.template_id, **{"phases.feedback": "2026-03-01"}))
    html = text(fixed)
    assert fixed.status_code == 422 and 'href="#f-phases"' in html and "must follow the order" in html
    assert 'value="Mid-year"' in html and 'value="2026-03-01"' in html


def test_hr_edits_a_draft_but_not_a_launched_cycle(hr, table, launched_cycle_id):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    post(hr, "/hr/cycles/new", cycle_form(template.template_id))
    draft = next(c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Mid-year")
    page = text(hr.get(f"/hr/cycles/{draft.cycle_id}/edit"))
    assert 'value="Mid-year"' in page and 'value="Engineering" checked' in page
    resp = post(
        hr,
        f"/hr/cycles/{draft.cycle_id}/edit",
        cycle_form(template.template_id, name="Mid-year, renamed") | {"version": str(draft.version)},
    )
    assert (
        resp.status_code == 302 and cycle_svc.get_cycle(UnitOfWork(table), draft.cycle_id).name == "Mid-year, renamed"
    )
    launched = hr.get(f"/hr/cycles/{launched_cycle_id}/edit")
    assert launched.status_code == 302 and launched.headers["Location"] == f"/hr/cycles/{launched_cycle_id}"


def test_editing_a_draft_on_the_page_keeps_its_options_as_the_form_shows_them(hr, table, clock):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    data = f.cycle_data(template.template_id, name="Options kept", carry_over_goals=True, skip_level_read=False)
    draft = cycle_svc.create_cycle(UnitOfWork(table), f.principal(table, "E2"), data, clock)
    page = text(hr.get(f"/hr/cycles/{draft.cycle_id}/edit"))
    ticked = set(re.findall(r'<input type="checkbox" name="(\w+)" checked', page))
    assert "carry_over_goals" in ticked and "skip_level_read" not in ticked

    form = cycle_form(template.template_id, name="Options kept, renamed") | {"version": str(draft.version)}
    form |= {name: "on" for name in ticked}  # what the browser sends: the ticked boxes only
    assert post(hr, f"/hr/cycles/{draft.cycle_id}/edit", form).status_code == 302

    stored = cycle_svc.get_cycle(UnitOfWork(table), draft.cycle_id)
    assert stored.name == "Options kept, renamed"
    assert stored.carry_over_goals is True and stored.skip_level_read is False


def test_a_new_cycle_form_lets_managers_above_read_by_default(hr):
    page = text(hr.get("/hr/cycles/new"))
    assert '<input type="checkbox" name="skip_level_read" checked' in page
    assert '<input type="checkbox" name="carry_over_goals" checked' not in page


def test_a_launch_shows_its_progress_refreshing_until_every_review_exists(hr, table, clock, held_queue):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    post(hr, "/hr/cycles/new", cycle_form(template.template_id))
    draft = next(c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Mid-year")
    resp = post(hr, f"/hr/cycles/{draft.cycle_id}/launch", {"version": str(draft.version)})
    assert resp.headers["Location"] == f"/hr/cycles/{draft.cycle_id}/launch"
    waiting = text(hr.get(resp.headers["Location"]))
    assert '<meta http-equiv="refresh" content="2">' in waiting
    assert re.search(r"<strong data-created>0</strong> of <strong data-expected>3</strong>", waiting)
    for message in held_queue.held:
        dispatch(table, message, clock)
    done = text(hr.get(resp.headers["Location"]))
    assert 'http-equiv="refresh"' not in done and "Mid-year is launched" in done
    assert re.search(r"<strong data-created>3</strong> of <strong data-expected>3</strong>", done)


def test_the_dashboard_shows_reviews_per_state_per_department_and_overdue(hr, table, clock, launched_cycle_id):
    from service.services import reviews as review_svc

    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), launched_cycle_id, "E4", f.self_content(), 1, True, clock
    )
    clock.at = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # past the self-assessment deadline
    html = text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    assert "6 reviews, 0 finalised." in html and "5 overdue tasks: see who" in html
    assert re.search(r"<th scope=\"row\">Not started</th><td>5</td>", html)
    assert re.search(r"<th scope=\"row\">Self assessment submitted</th><td>1</td>", html)
    assert re.search(r"<th scope=\"row\">Engineering</th>.*?0% <span class=\"muted\">\(0 of 3\)</span>", html, re.S)
    assert "Self assessment (deadline 10 Mar 2026): " in html and "<strong>5</strong> not done" in html
    picker = hr.get(f"/hr/cycles/{launched_cycle_id}/review?employee_id=E4")
    assert picker.headers["Location"] == f"/cycles/{launched_cycle_id}/reviews/E4"


def test_hr_closes_a_cycle_and_reopens_it_only_with_a_reason(hr, table, launched_cycle_id):
    cycle = cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id)
    confirm = text(hr.get(f"/hr/cycles/{launched_cycle_id}/close"))
    assert "All 6 reviews of this cycle become read-only" in confirm and "6 reviews are not finalised" in confirm
    assert cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id).state == "active"  # asking changes nothing
    post(hr, f"/hr/cycles/{launched_cycle_id}/close", {"version": str(cycle.version)})
    closed = cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id)
    assert closed.state == "closed" and "is closed; its reviews are read-only" in text(
        hr.get(f"/hr/cycles/{launched_cycle_id}")
    )
    post(hr, f"/hr/cycles/{launched_cycle_id}/reopen", {"version": str(closed.version), "reason": "  "})
    assert cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id).state == "closed"
    assert "say why the cycle is reopened" in text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    post(hr, f"/hr/cycles/{launched_cycle_id}/reopen", {"version": str(closed.version), "reason": "Late joiner"})
    assert cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id).state == "active"


# --- the dashboard leads to the work ---------------------------------------------------------------------


def _acknowledged(table, clock, cycle_id: str, employee_id: str, agreement: str, response: str = "") -> None:
    """Take one report of E3 through to an acknowledged review."""
    from service.services import reviews as review_svc

    me, boss = f.principal(table, employee_id), f.principal(table, "E3")
    review_svc.save_self_assessment(UnitOfWork(table), me, cycle_id, employee_id, f.self_content(), 1, True, clock)
    manager = f.manager_content(owner_id=employee_id)
    review_svc.save_manager_assessment(UnitOfWork(table), boss, cycle_id, employee_id, manager, 2, True, clock)
    discussion = f.discussion_content(owner_id=employee_id)
    review_svc.save_discussion(UnitOfWork(table), boss, cycle_id, employee_id, discussion, 3, True, clock)
    review_svc.acknowledge(UnitOfWork(table), me, cycle_id, employee_id, agreement, response, 4, clock)


def test_finalise_lands_on_exactly_the_acknowledged_reviews(hr, table, clock, launched_cycle_id):
    _acknowledged(table, clock, launched_cycle_id, "E4", "agree")
    _acknowledged(table, clock, launched_cycle_id, "E5", "disagree", "My delivery was rated too low")
    dashboard = text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    assert f'href="/hr/cycles/{launched_cycle_id}/to-finalise">Finalise 2 acknowledged reviews' in dashboard
    html = text(hr.get(f"/hr/cycles/{launched_cycle_id}/to-finalise"))
    rows = re.findall(r"<tr(?: class=\"is-flagged\")?>\s*<td><a href=\"[^\"]+\">([^<]+)</a>", html)
    assert rows == ["Edsger Dijkstra", "Katherine Johnson"]
    assert "Did not agree" in html and "My delivery was rated too low" in html
    assert "<select" not in html


def test_disagreements_are_flagged_on_the_dashboard(hr, table, clock, launched_cycle_id):
    _acknowledged(table, clock, launched_cycle_id, "E5", "disagree", "Not what we discussed")
    html = text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    flagged = html[html.index('id="h-disagreed"') : html.index('id="h-progress"')]
    assert "1 employee did not agree with their review" in flagged
    assert "Edsger Dijkstra" in flagged and "Not what we discussed" in flagged
    assert "Katherine Johnson" not in flagged


def test_the_disagreements_follow_the_review_when_hr_returns_it(hr, table, clock, launched_cycle_id):
    from service.services import reviews as review_svc

    _acknowledged(table, clock, launched_cycle_id, "E5", "disagree", "Not what we discussed")
    assert "did not agree with their review" in text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    principal = f.principal(table, "E2")
    cid = launched_cycle_id
    review_svc.return_review(UnitOfWork(table), principal, cid, "E5", "manager_submitted", "Again", 5, clock)
    stored = review_svc.open_review(UnitOfWork(table), principal, launched_cycle_id, "E5")
    assert stored.state == "manager_submitted" and stored.acknowledgement is None
    html = text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    assert 'id="h-disagreed"' not in html and "Not what we discussed" not in html


def test_the_dashboard_lists_the_first_disagreements_and_says_more_did(table, clock, launched_cycle_id):
    _acknowledged(table, clock, launched_cycle_id, "E4", "disagree", "Too low")
    _acknowledged(table, clock, launched_cycle_id, "E5", "disagree", "Not what we discussed")
    hr_principal = f.principal(table, "E2")
    first = cycle_svc.disagreements(UnitOfWork(table), hr_principal, launched_cycle_id, limit=1)
    assert [r.employee_name for r in first.rows] == ["Edsger Dijkstra"] and first.more
    both = cycle_svc.disagreements(UnitOfWork(table), hr_principal, launched_cycle_id, limit=2)
    assert [r.employee_name for r in both.rows] == ["Edsger Dijkstra", "Katherine Johnson"] and not both.more


def test_the_dashboard_finds_a_participant_by_search_not_from_a_list_of_everyone(hr, launched_cycle_id):
    page = text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    assert "<select" not in page[page.index('id="h-open"') :] and "Edsger Dijkstra" not in page
    found = text(hr.get(f"/hr/cycles/{launched_cycle_id}?people_q=dijkstra"))
    section = found[found.index('id="h-open"') :]
    assert f'href="/cycles/{launched_cycle_id}/reviews/E5">Edsger Dijkstra</a>' in section
    assert "Not started" in section and "1 review matches “dijkstra”" in section
    nobody = text(hr.get(f"/hr/cycles/{launched_cycle_id}?people_q=nobody+here"))
    assert "Nobody in this cycle matches “nobody here”" in nobody


def test_overdue_lists_the_names_per_phase(hr, table, clock, launched_cycle_id):
    from service.services import reviews as review_svc

    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), launched_cycle_id, "E4", f.self_content(), 1, True, clock
    )
    clock.at = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # past the self-assessment deadline
    html = text(hr.get(f"/hr/cycles/{launched_cycle_id}/overdue"))
    section = html[html.index('id="phase-self_assessment"') :]
    assert "5 not done" in section
    for name in ("Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov"):
        assert name in section
    assert "Katherine Johnson" not in section
    assert "Send reminder now" in section


def test_send_reminder_now_emails_the_overdue_once_a_day(app, hr, table, clock, launched_cycle_id):
    from service.adapters.mailer import MemoryMailer

    wiring = app.extensions["reviews"]
    wiring.extras["mailer"] = mailer = MemoryMailer()
    try:
        clock.at = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
        resp = post(hr, f"/hr/cycles/{launched_cycle_id}/remind", {"phase": "self_assessment"})
        assert resp.status_code == 302 and resp.headers["Location"].endswith("/overdue")
        assert sorted(e.to[0] for e in mailer.sent) == sorted(
            f"{n}@example.com" for n in ("ada", "grace", "alan", "katherine", "edsger", "barbara")
        )
        assert "Reminder sent to 6 people." in text(hr.get(f"/hr/cycles/{launched_cycle_id}/overdue"))
        post(hr, f"/hr/cycles/{launched_cycle_id}/remind", {})
        assert len(mailer.sent) == 6
        assert "6 already had today" in text(hr.get(f"/hr/cycles/{launched_cycle_id}/overdue"))
    finally:
        wiring.extras.pop("mailer")


def test_send_reminder_needs_the_form_token(hr, launched_cycle_id):
    resp = hr.client.post(f"/hr/cycles/{launched_cycle_id}/remind", data={})
    assert resp.status_code in (400, 403)


def test_launching_asks_to_confirm_showing_who_will_be_emailed_and_launches_only_when_confirmed(hr, table, held_queue):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    post(hr, "/hr/cycles/new", cycle_form(template.template_id))
    draft = next(c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Mid-year")
    cycle_page = text(hr.get(f"/hr/cycles/{draft.cycle_id}"))
    # The cycle page's button leads to the confirmation; it does not launch.
    assert f'href="/hr/cycles/{draft.cycle_id}/launch">Launch the cycle…</a>' in cycle_page
    page = text(hr.get(f"/hr/cycles/{draft.cycle_id}/launch"))
    assert "Launch Mid-year?" in page and "emails each of them" in page
    assert "Who will be emailed (3)" in page and page.count('<th scope="row">') == 3
    assert "Launch and email 3 people" in page and 'http-equiv="refresh"' not in page
    stored = cycle_svc.get_cycle(UnitOfWork(table), draft.cycle_id)
    assert stored.state.value == "draft" and held_queue.held == []  # looking changes nothing
    resp = post(hr, f"/hr/cycles/{draft.cycle_id}/launch", {"version": str(draft.version)})
    assert resp.headers["Location"] == f"/hr/cycles/{draft.cycle_id}/launch"
    assert cycle_svc.get_cycle(UnitOfWork(table), draft.cycle_id).state.value == "active"


def test_a_draft_whose_participants_cannot_take_part_says_why_instead_of_asking_to_launch(hr, table, clock):
    template = template_svc.list_templates(UnitOfWork(table))[0]
    post(hr, "/hr/cycles/new", cycle_form(template.template_id))
    draft = next(c for c in cycle_svc.list_cycles(UnitOfWork(table)) if c.name == "Mid-year")
    uow = UnitOfWork(table)
    with uow:  # everyone in the cycle's only department has left since the draft was saved
        for person in uow.directory.all():
            if person.department == "Engineering":
                uow.directory.save(replace(person, active=False), new=False)
        uow.commit()
    resp = hr.get(f"/hr/cycles/{draft.cycle_id}/launch")
    assert resp.status_code == 302 and resp.headers["Location"] == f"/hr/cycles/{draft.cycle_id}"
    assert "Cannot launch yet" in text(hr.get(resp.headers["Location"]))
    assert cycle_svc.get_cycle(UnitOfWork(table), draft.cycle_id).state.value == "draft"


def _follow(hr, url: str) -> list[list[str]]:
    """The names on each page of a paged HR list, following its "Next page" links (plain GET links, no script)."""
    pages = []
    while url:
        html = text(hr.get(url))
        pages.append(re.findall(r'<td><a href="/cycles/[^"]+">([^<]+)</a>', html))
        found = re.search(r'<a href="([^"]+)" rel="next">Next page</a>', html)
        url = found.group(1).replace("&amp;", "&") if found else ""
    return pages


def test_overdue_and_to_finalise_are_read_a_page_at_a_time_by_next_page_links(
    hr, table, clock, launched_cycle_id, monkeypatch
):
    """Issue 24: the lists are pages of an index by state (never the whole cycle); each page links to the next."""
    _acknowledged(table, clock, launched_cycle_id, "E4", "agree")
    _acknowledged(table, clock, launched_cycle_id, "E5", "disagree", "Too low")
    monkeypatch.setattr(cycle_svc, "WORK_PAGE", 2)
    clock.at = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # past the self-assessment deadline
    pages = _follow(hr, f"/hr/cycles/{launched_cycle_id}/overdue")
    assert pages == [["Ada Lovelace", "Alan Turing"], ["Barbara Liskov", "Grace Hopper"]]  # not started, by name
    assert "4 not done, 2 on this page" in text(hr.get(f"/hr/cycles/{launched_cycle_id}/overdue"))

    clock.at = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # past every deadline: the discussion's spans three states
    discussion = _follow(hr, f"/hr/cycles/{launched_cycle_id}/overdue?phase=discussion")
    assert [n for p in discussion for n in p] == ["Ada Lovelace", "Alan Turing", "Barbara Liskov", "Grace Hopper"]
    assert all(len(p) <= 2 for p in discussion)

    assert _follow(hr, f"/hr/cycles/{launched_cycle_id}/to-finalise") == [["Edsger Dijkstra", "Katherine Johnson"]]
    monkeypatch.setattr(cycle_svc, "WORK_PAGE", 1)
    assert _follow(hr, f"/hr/cycles/{launched_cycle_id}/to-finalise") == [["Edsger Dijkstra"], ["Katherine Johnson"]]


@pytest.mark.parametrize(
    "query", ["phase=no_such_phase", "phase=goal_setting", "state=acknowledged&after=" + "x" * 600]
)
def test_a_bad_page_of_the_overdue_list_is_a_4xx_that_changes_nothing(hr, table, clock, launched_cycle_id, query):
    clock.at = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)
    resp = hr.get(f"/hr/cycles/{launched_cycle_id}/overdue?{query}")
    assert 400 <= resp.status_code < 500


def test_a_launched_cycle_shows_how_many_took_part_from_its_count(hr, launched_cycle_id):
    """Issue 24: the ids sit beside the cycle item; its pages show the count the launch kept on it."""
    assert "<dd>6 people</dd>" in text(hr.get(f"/hr/cycles/{launched_cycle_id}"))
    assert "<td>6 people</td>" in text(hr.get("/hr/cycles"))
