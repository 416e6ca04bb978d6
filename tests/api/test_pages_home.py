"""Pages for everyone without a browser: my tasks, actions, history, the session, and the headers pages carry."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.services import cycles as cycle_svc
from service.services import reviews as review_svc
from service.services import templates as template_svc
from service.services.directory import import_organisation
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
def cycle_id(launched_cycle_id) -> str:
    return launched_cycle_id


def page_of(actor, path: str = "/") -> str:
    resp = actor.get(path)
    assert resp.status_code == 200, resp.status_code
    return resp.get_data(as_text=True)


def tasks(html: str) -> str:
    """The "Your tasks" card."""
    start = html.index('id="h-tasks"')
    return html[start : html.index("</section>", start)]


def to_manager_submitted(table, clock, cycle_id: str, employee_id: str = "E4") -> None:
    me, manager = f.principal(table, employee_id), f.principal(table, "E3")
    review_svc.save_self_assessment(UnitOfWork(table), me, cycle_id, employee_id, f.self_content(), 1, True, clock)
    review_svc.save_manager_assessment(
        UnitOfWork(table), manager, cycle_id, employee_id, f.manager_content(), 2, True, clock
    )


# --- my tasks -------------------------------------------------------------------------------------


def test_an_employees_tasks_name_the_self_assessment_with_its_deadline(as_, cycle_id):
    html = tasks(page_of(as_("E4")))
    assert "Write your self assessment" in html and f"/cycles/{cycle_id}/reviews/E4/self" in html
    assert "due in 8 days · 10 Mar 2026" in html and "is-overdue" not in html


def test_a_started_self_assessment_says_how_many_sections_are_done_not_not_started(as_, table, clock, cycle_id):
    draft = {"achievements": "Shipped the importer.", "competency_ratings": {"delivery": {"rating": 3}}}
    review_svc.save_self_assessment(UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", draft, 1, False, clock)
    html = page_of(as_("E4"))
    # Achievements is done; the competencies are not (collaboration is not rated yet); the questions neither;
    # the four optional sections, left empty, are not counted (issue 25, point 6).
    assert "Continue: 1 of 3 sections done" in tasks(html)
    assert "Self assessment started: 1 of 3 sections done" in html


def test_a_managers_started_assessment_says_how_far_it_is(as_, table, clock, cycle_id):
    draft = {"strengths": "Ownership.", "areas_to_strengthen": "Delegation."}
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", draft, 1, False, clock
    )
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", f.self_content(), 2, True, clock
    )
    html = tasks(page_of(as_("E3")))
    assert "Continue: 1 of 3 sections done" in html and "Engineer · 2026 annual review" in html  # with their title


def test_a_managers_draft_is_not_done_while_a_suggested_training_need_waits_for_a_decision(as_, table, clock, cycle_id):
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", f.self_content(), 1, True, clock
    )
    low = {"delivery": {"rating": 1, "comment": "Missed"}, "collaboration": {"rating": 3, "comment": "Good"}}
    draft = f.manager_content(competency_ratings=low, training_needs=[])
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", draft, 2, False, clock
    )
    # The low rating's suggested need waits: the training needs section counts, and is not done (issue 25).
    assert "Continue: 5 of 6 sections done" in tasks(page_of(as_("E3")))
    decided = draft | {"need_suggestions": {"delivery": "dismissed"}}
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", decided, 3, False, clock
    )
    assert "Continue: 5 of 5 sections done" in tasks(page_of(as_("E3")))


def test_a_task_past_its_deadline_shows_as_overdue(as_, clock):
    clock.at = datetime(2026, 3, 13, 9, 0, tzinfo=UTC)
    html = tasks(page_of(as_("E4")))
    assert "overdue by 3 days · 10 Mar 2026" in html and "is-overdue" in html


def test_a_managers_tasks_list_each_report_waiting_for_them(as_, table, clock, cycle_id):
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", f.self_content(), 1, True, clock
    )
    html = page_of(as_("E3"))
    assert "Write the manager assessment: Katherine Johnson" in tasks(html)
    assert "Edsger Dijkstra" not in tasks(html)  # his self assessment is not in yet
    assert f"/cycles/{cycle_id}/team" in html and "1 waiting for you" in html


def test_an_employee_sees_who_their_review_waits_for(as_, table, clock, cycle_id):
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", f.self_content(), 1, True, clock
    )
    html = page_of(as_("E4"))
    assert "Nothing to do right now." in tasks(html)
    assert "Self assessment submitted" in html and "waiting for your manager (due in 29 days)" in html


def test_hr_steers_cycles_finalises_acknowledged_reviews_and_launches_drafts(as_, table, clock, cycle_id):
    to_manager_submitted(table, clock, cycle_id)
    review_svc.save_discussion(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", f.discussion_content(), 3, True, clock
    )
    review_svc.acknowledge(UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", "agree", "", 4, clock)
    hr = f.principal(table, "E2")
    template = template_svc.list_templates(UnitOfWork(table))[0]
    cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id, name="Mid-year"), clock)
    html = page_of(as_("E2"))
    assert "Finalise 1 acknowledged review" in tasks(html)
    assert "Set up and launch “Mid-year”" in tasks(html)
    steer = html[html.index('id="h-steer"') :]
    assert "2026 annual review" in steer and "6 reviews, 0 finalised" in steer


def test_open_actions_are_listed_for_their_owner_who_moves_them_along(as_, table, clock, cycle_id):
    to_manager_submitted(table, clock, cycle_id)
    manager = as_("E3")
    html = page_of(manager)
    assert "Action for Katherine Johnson: Buy faster runners" in tasks(html)
    assert "due in 60 days · 1 May 2026" in tasks(html)
    action_id = re.search(r'id="action-([^"]+)"', html).group(1)
    resp = manager.client.post(
        f"/actions/{action_id}/status", data={"csrf_token": manager.auth.csrf, "status": "done", "version": "1"}
    )
    assert resp.status_code == 302 and resp.headers["Location"].endswith(f"#action-{action_id}")
    html = page_of(manager)
    assert "Action marked “Done”." in html and "Buy faster runners" not in tasks(html)


def test_action_rows_name_the_person_and_cycle_and_an_action_about_a_leaver_is_no_task(as_, table, clock, cycle_id):
    to_manager_submitted(table, clock, cycle_id, "E4")
    to_manager_submitted(table, clock, cycle_id, "E5")
    rows = re.findall(r"<li class=\"task.*?</li>", tasks(page_of(as_("E3"))), re.S)
    actions = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", r)).strip() for r in rows if "Buy faster runners" in r]
    assert len(actions) == 2 and all("Remove an obstacle · 2026 annual review" in a for a in actions)
    assert {a.split(":")[0] for a in actions} == {"Action for Katherine Johnson", "Action for Edsger Dijkstra"}
    without_edsger = "\n".join(line for line in ORG_CSV.splitlines() if not line.startswith("E5,"))
    import_organisation(UnitOfWork(table), f.principal(table, "E2"), without_edsger, clock)
    html = page_of(as_("E3"))
    assert "Action for Edsger Dijkstra" not in tasks(html) and "Action for Katherine Johnson" in tasks(html)
    assert html.count("Buy faster runners</strong>") == 2  # still in the open actions, to be dropped


def test_a_stale_action_update_says_so_and_changes_nothing(as_, table, clock, cycle_id):
    to_manager_submitted(table, clock, cycle_id)
    manager = as_("E3")
    action_id = re.search(r'id="action-([^"]+)"', page_of(manager)).group(1)
    resp = manager.client.post(
        f"/actions/{action_id}/status", data={"csrf_token": manager.auth.csrf, "status": "done", "version": "7"}
    )
    assert resp.status_code == 302
    assert "Someone else changed this action meanwhile" in page_of(manager)
    assert "Buy faster runners" in tasks(page_of(manager))


# --- history -----------------------------------------------------------------------------------------


def test_history_lists_ones_reviews_with_score_and_actions(as_, table, clock, cycle_id):
    to_manager_submitted(table, clock, cycle_id)
    html = page_of(as_("E4"), "/history")
    assert "Your review history" in html and "2026 annual review" in html
    assert "92 of 100" in html and "91.7" not in html and "Exceeds" in html and "Buy faster runners" in html


def test_a_manager_reads_a_reports_history_and_a_peer_may_not(as_, cycle_id):
    assert "Review history: Katherine Johnson" in page_of(as_("E3"), "/people/E4/history")
    assert as_("E5").get("/people/E4/history").status_code == 404


# --- the session ----------------------------------------------------------------------------------


def test_the_session_state_gives_the_page_script_a_fresh_csrf_token(client, auth):
    assert client.get("/session").get_json() == {"signed_in": False, "employee_id": None, "expires_in": 0}
    auth.login("E4")
    state = client.get("/session").get_json()
    assert state == {"signed_in": True, "employee_id": "E4", "expires_in": 1800, "csrf_token": auth.csrf}


def test_staying_signed_in_issues_the_session_again_and_needs_the_csrf_token(client, auth):
    auth.login("E4")
    refused = client.post("/session/extend", headers={"Accept": "application/json"})
    assert refused.status_code == 403 and refused.get_json()["code"] == "csrf_refused"
    resp = client.post("/session/extend", headers={"Accept": "application/json", "X-CSRF-Token": auth.csrf})
    assert resp.get_json() == {"signed_in": True, "expires_in": 1800}
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("session=") and "Expires=" in cookie and "HttpOnly" in cookie


def test_signing_in_again_returns_to_the_page_that_asked(client, auth):
    resp = client.get("/session/resumed")
    assert resp.headers["Location"] == "/signin?next=/session/resumed"
    auth.login("E4")
    back = client.post("/signin", data={"csrf_token": auth.csrf, "employee_id": "E4", "next": "/session/resumed"})
    assert back.headers["Location"] == "/session/resumed"
    assert "You are signed in again" in client.get("/session/resumed").get_data(as_text=True)


def test_every_signed_in_page_tells_the_script_how_long_the_session_lasts(as_):
    html = page_of(as_("E4"))
    assert 'data-session-seconds="1800"' in html and 'id="session-banner"' in html
    assert "/signin?next=/session/resumed" in html


# --- headers, cookies, no inline script ------------------------------------------------------------------


PAGES = ["/", "/history", "/cycles/{c}/reviews/E4", "/cycles/{c}/reviews/E4/self", "/cycles/{c}/team"]
HR_PAGES = [
    "/hr/import",
    "/hr/templates",
    "/hr/templates/new",
    "/hr/cycles",
    "/hr/cycles/new",
    "/hr/cycles/{c}",
    "/hr/cycles/{c}/launch",
    "/cycles/{c}/reviews/E4/audit",
]


def assert_safe_page(resp) -> None:
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Cache-Control"] == "no-store"
    html = resp.get_data(as_text=True)
    assert not re.search(r"<script(?![^>]*\bsrc=)", html), "inline script"
    assert not re.search(r"\son[a-z]+\s*=", html), "inline event handler"
    assert not re.search(r"\sstyle\s*=", html), "inline style"


def test_pages_carry_the_security_headers_and_no_inline_script_or_style(as_, cycle_id):
    for who, paths in (("E4", PAGES), ("E2", HR_PAGES)):
        for path in paths:
            resp = as_(who).get(path.format(c=cycle_id))
            assert resp.status_code == 200, (path, resp.status_code)
            assert_safe_page(resp)


def test_error_pages_carry_the_headers_too(as_, cycle_id):
    resp = as_("E5").get(f"/cycles/{cycle_id}/reviews/E4")
    assert resp.status_code == 404
    assert_safe_page(resp)


def test_the_static_script_is_served_from_self(client):
    with client.get("/static/app.js") as resp:
        assert resp.status_code == 200 and resp.mimetype in ("text/javascript", "application/javascript")
        assert "X-Autosave" in resp.get_data(as_text=True)


def test_deployed_pages_add_hsts_and_a_secure_host_only_cookie(table, launched_state):
    from service.web import create_app

    settings = Settings(table_name="unused", auth_mode="jwt", deployed=True, secret_key="d" * 40)
    app = create_app(settings, table=table)
    claims = {"apig_wsgi.request_context": {"authorizer": {"jwt": {"claims": {"custom:employee_id": "E4"}}}}}
    resp = app.test_client().get("/", environ_overrides=claims)
    assert resp.status_code == 200
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")
    cookie = resp.headers["Set-Cookie"]
    assert cookie.startswith("__Host-session=")
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie


def test_the_reports_menu_appears_for_those_who_may_see_reports_and_not_for_others(as_):
    leader, employee = page_of(as_("E1")), page_of(as_("E4"))
    menu = leader[leader.index('<details class="nav-menu">') : leader.index("</details>", leader.index("nav-menu"))]
    assert ">Reports</summary>" in menu and 'href="/goals/alignment"' in menu and "Goal alignment" in menu
    assert "nav-menu" not in employee and ">Reports</summary>" not in employee
