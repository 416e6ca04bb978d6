"""The review pages without a browser: forms work without script, autosave answers JSON, CSRF, validation
re-renders with an error summary, stale edits keep what was typed, confirmation before submit, permissions."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.domain.changes import flatten
from service.services import reviews as review_svc
from service.web import forms
from tests import factories as f

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    """One app per module; each test gets the organisation and one launched cycle afresh."""
    return module_app


@pytest.fixture
def table(app):
    """The table behind the app (the use cases set up what the pages are tested on)."""
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
    """The launched cycle (factory template: delivery, collaboration; a 4-point scale)."""
    return launched_cycle_id


def url(cycle_id: str, part: str = "", employee_id: str = "E4") -> str:
    return f"/cycles/{cycle_id}/reviews/{employee_id}" + (f"/{part}" if part else "")


def hidden(html: str, name: str) -> str:
    """The value of a hidden field of a page."""
    found = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', html)
    assert found, f"no hidden field {name}"
    import html as html_lib

    return html_lib.unescape(found.group(1))


def form_of(content: dict) -> dict[str, str]:
    """Content as the form posts it: dotted names, strings."""
    return {k: "" if v is None else str(v) for k, v in flatten(content).items()}


def post_form(
    actor,
    path: str,
    data: dict[str, str],
    *,
    version: int | str | None = None,
    base: str | None = None,
    autosave: bool = False,
    csrf: bool = True,
):
    body = dict(data)
    if csrf:
        body["csrf_token"] = actor.auth.csrf
    if version is not None:
        body["version"] = str(version)
    if base is not None:
        body["_base"] = base
    headers = {"X-Autosave": "1", "Accept": "application/json"} if autosave else {}
    return actor.client.post(path, data=body, headers=headers)


def stored(table, cycle_id: str, employee_id: str = "E4", as_id: str = "E2") -> review_svc.ReviewView:
    return review_svc.open_review(UnitOfWork(table), f.principal(table, as_id), cycle_id, employee_id)


def submit_self(table, clock, cycle_id: str) -> None:
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", f.self_content(), 1, True, clock
    )


# --- the self assessment form -------------------------------------------------------------------


def test_the_self_form_offers_the_scales_labels_as_radio_buttons_and_the_templates_questions(as_, cycle_id):
    page = as_("E4").get(url(cycle_id, "self")).get_data(as_text=True)
    for n, label in enumerate(["Below", "Meets", "Exceeds", "Outstanding"], start=1):
        assert f'type="radio" name="competency_ratings.delivery.rating" value="{n}"' in page
        assert label in page
    assert "What are you proud of?" in page and 'name="answers.proud"' in page
    for name in (
        "training_needs.0.topic",
        "training_needs.0.priority",
        "training_needs.0.format",
        "training_needs.0.rationale",
        "training_needs.0.estimated_cost",
        "learning.0.activity",
        "goal_results.0.result",
        "obstacles.0.description",
        "development_wishes",
        "achievements",
    ):
        assert f'name="{name}"' in page
    assert 'for="f-achievements"' in page and 'id="f-achievements"' in page
    assert hidden(page, "version") == "1" and re.search(r'src="/static/app\.[0-9a-f]{8}\.js"', page)


def test_the_form_lists_its_sections_with_completion_and_folds_the_done_ones(as_, cycle_id):
    employee = as_("E4")
    post_form(employee, url(cycle_id, "self"), {"achievements": "Shipped the importer", "action": "save"}, version=1)
    page = employee.get(url(cycle_id, "self")).get_data(as_text=True)
    assert "1 of 3 sections done</h2>" in page and "Optional sections left empty are not counted." in page
    # Done sections fold (a <details> without `open`, no script needed); the rest stay open.
    assert '<section class="card form-section is-done" id="s-achievements"' in page
    assert "<details data-section data-done>" in page and "<details open data-section>" in page
    assert page.count("<details open data-section>") == 6


def test_save_draft_without_script_stores_the_draft_and_comes_back_saying_when(as_, cycle_id, table):
    employee = as_("E4")
    data = form_of(f.self_content(achievements="Half written")) | {"action": "save"}
    resp = post_form(employee, url(cycle_id, "self"), data, version=1)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url(cycle_id, "self"))
    page = employee.get(url(cycle_id, "self")).get_data(as_text=True)
    assert "Draft saved at 09:00 UTC" in page and "Half written" in page
    view = stored(table, cycle_id)
    assert view.state == "not_started" and view.version == 2
    assert view.self_assessment == f.self_content(achievements="Half written") | {
        "goal_results": [{"goal_id": None, "title": "Launch importer", "result": "Launched in March", "rating": 3}],
        "learning": [{"activity": "AWS course", "kind": "course", "date": None, "note": ""}],
        "training_needs": [
            {
                "topic": "Public speaking",
                "priority": "high",
                "format": "course",
                "rationale": "",
                "estimated_cost": None,
            }
        ],
    }


def test_the_forms_content_has_the_shape_the_json_api_stores(as_, cycle_id, table):
    """The same content through the page and through the JSON API is stored the same."""
    content = f.self_content()
    post_form(as_("E4"), url(cycle_id, "self"), form_of(content), version=1)
    through_page = stored(table, cycle_id).self_assessment
    api = as_("E4").put(f"/api/cycles/{cycle_id}/reviews/E4/self", {"content": through_page}, version=2)
    assert api.status_code == 200, api.get_json()
    assert stored(table, cycle_id).self_assessment == through_page


def test_empty_rows_are_left_out_and_the_rest_renumbered(as_, cycle_id, table):
    data = {
        "achievements": "x",
        "training_needs.0.topic": "",
        "training_needs.0.priority": "high",
        "training_needs.1.topic": "Negotiation",
        "training_needs.1.priority": "low",
    }
    post_form(as_("E4"), url(cycle_id, "self"), data, version=1)
    needs = stored(table, cycle_id).self_assessment["training_needs"]
    assert [(n["topic"], n["priority"]) for n in needs] == [("Negotiation", "low")]


def test_an_autosave_answers_json_with_the_new_version_and_when(as_, cycle_id, table):
    resp = post_form(as_("E4"), url(cycle_id, "self"), {"achievements": "Typed"}, version=1, autosave=True)
    assert resp.status_code == 200 and resp.mimetype == "application/json"
    body = resp.get_json()
    assert body["version"] == 2 and body["saved_at"] == "2026-03-02T09:00:00.000Z"
    assert forms.parse_base(body["base"])["achievements"] == "Typed"
    assert stored(table, cycle_id).self_assessment["achievements"] == "Typed"


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(as_, cycle_id, table):
    employee = as_("E4")
    page = post_form(employee, url(cycle_id, "self"), {"achievements": "Forged"}, version=1, csrf=False)
    assert page.status_code == 403 and "did not come from this site" in page.get_data(as_text=True)
    auto = post_form(employee, url(cycle_id, "self"), {"achievements": "Forged"}, version=1, autosave=True, csrf=False)
    assert auto.status_code == 403 and auto.get_json()["code"] == "csrf_refused"
    assert stored(table, cycle_id).self_assessment is None


def test_an_autosave_after_the_session_ended_fails_visibly(app, as_, cycle_id, table):
    employee = as_("E4")
    csrf = employee.auth.csrf
    employee.client.delete_cookie("session")  # the browser dropped the expired cookie
    resp = employee.client.post(
        url(cycle_id, "self"),
        data={"achievements": "Late", "version": "1", "csrf_token": csrf},
        headers={"X-Autosave": "1", "Accept": "application/json"},
    )
    assert resp.status_code == 401 and resp.get_json()["code"] == "not_authenticated"
    assert stored(table, cycle_id).self_assessment is None


def test_an_invalid_draft_comes_back_with_an_error_summary_linked_to_the_fields_and_nothing_lost(as_, cycle_id, table):
    data = {
        "achievements": "Kept text",
        "training_needs.0.rationale": "Needed for talks",
        "training_needs.0.estimated_cost": "lots",
        "competency_ratings.delivery.comment": "Kept comment",
    }
    resp = post_form(as_("E4"), url(cycle_id, "self"), data, version=1)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    summary = page[page.index('id="error-summary"') : page.index("</div>", page.index('id="error-summary"'))]
    assert 'href="#f-training_needs-0-topic"' in summary and "Training need 1, topic: This is required." in summary
    assert 'href="#f-training_needs-0-estimated_cost"' in summary and "Enter a number." in summary
    assert 'id="f-training_needs-0-topic-error"' in page and 'aria-invalid="true"' in page
    assert "Kept text" in page and "Kept comment" in page and "Needed for talks" in page and 'value="lots"' in page
    assert stored(table, cycle_id).self_assessment is None


def test_an_invalid_autosave_answers_422_json_with_labelled_problems(as_, cycle_id):
    resp = post_form(as_("E4"), url(cycle_id, "self"), {"training_needs.0.rationale": "Why"}, version=1, autosave=True)
    body = resp.get_json()
    assert resp.status_code == 422 and body["code"] == "validation_failed"
    assert body["errors"] == {"training_needs.0.topic": ["Missing data for required field."]}
    assert body["summary"][0]["label"] == "Training need 1, topic"


def test_submitting_an_incomplete_assessment_saves_it_and_lists_what_is_missing(as_, cycle_id, table):
    data = form_of(f.self_content(achievements="", answers={"proud": ""})) | {"action": "submit"}
    data.pop("competency_ratings.collaboration.rating")
    resp = post_form(as_("E4"), url(cycle_id, "self"), data, version=1)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Your draft is saved. Before you can submit" in page
    for anchor in ("f-competency_ratings-collaboration-rating", "f-answers-proud", "f-achievements"):
        assert f'href="#{anchor}"' in page
    view = stored(table, cycle_id)
    assert view.state == "not_started" and view.version == 2
    assert hidden(page, "version") == "2"


def test_submit_asks_for_confirmation_saying_what_happens_next_then_submits(as_, cycle_id, table):
    employee = as_("E4")
    data = form_of(f.self_content()) | {"action": "submit"}
    confirm = post_form(employee, url(cycle_id, "self"), data, version=1)
    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Submit your self assessment?" in page
    assert "What happens next" in page and "Alan Turing" in page and "no longer change it" in page
    assert stored(table, cycle_id).state == "not_started"  # nothing submitted until confirmed
    done = post_form(employee, url(cycle_id, "self"), {"action": "confirm"}, version=hidden(page, "version"))
    assert done.status_code == 302 and done.headers["Location"].endswith(url(cycle_id))
    view = stored(table, cycle_id)
    assert (
        view.state == "self_submitted"
        and view.self_assessment
        == review_svc.open_review(UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4").self_assessment
    )
    assert "Your self assessment is submitted" in employee.get(url(cycle_id)).get_data(as_text=True)


def test_a_confirmation_of_an_outdated_draft_is_not_submitted(as_, cycle_id, table, clock):
    employee = as_("E4")
    confirm = post_form(employee, url(cycle_id, "self"), form_of(f.self_content()) | {"action": "submit"}, version=1)
    version = hidden(confirm.get_data(as_text=True), "version")
    post_form(employee, url(cycle_id, "self"), {"achievements": "Changed in another tab"}, version=version)
    resp = post_form(employee, url(cycle_id, "self"), {"action": "confirm"}, version=version)
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url(cycle_id, "self"))
    assert stored(table, cycle_id).state == "not_started"


def test_a_stale_edit_keeps_what_was_typed_and_names_the_fields_someone_else_changed(as_, cycle_id, table, clock):
    employee = as_("E4")
    post_form(employee, url(cycle_id, "self"), form_of(f.self_content()), version=1)
    opened = employee.get(url(cycle_id, "self")).get_data(as_text=True)
    version, base = hidden(opened, "version"), hidden(opened, "_base")
    # Meanwhile the same employee, in another tab, changes the achievements.
    other = f.self_content(achievements="Written in the other tab")
    review_svc.save_self_assessment(UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", other, 2, False, clock)

    mine = form_of(f.self_content(development_wishes="Typed in this tab"))
    resp = post_form(employee, url(cycle_id, "self"), mine, version=version, base=base)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409
    assert "Someone else saved this review while you were editing" in page
    changed = page[page.index("Changed since you opened this form") : page.index("Compare with your text")]
    assert 'href="#f-achievements"' in changed and "development_wishes" not in changed
    assert "Saved version now: <q>Written in the other tab</q>" in page
    assert "Typed in this tab" in page and hidden(page, "version") == "3"
    assert stored(table, cycle_id).self_assessment["achievements"] == "Written in the other tab"

    # Saving again, having seen the difference, keeps this tab's text.
    again = post_form(
        employee, url(cycle_id, "self"), mine, version=hidden(page, "version"), base=hidden(page, "_base")
    )
    assert again.status_code == 302
    assert stored(table, cycle_id).self_assessment["development_wishes"] == "Typed in this tab"


def test_a_stale_autosave_answers_412_json_and_stores_nothing(as_, cycle_id, table, clock):
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", f.self_content(), 1, False, clock
    )
    resp = post_form(
        as_("E4"), url(cycle_id, "self"), {"achievements": "Late"}, version=1, autosave=True, base=forms.base_json({})
    )
    body = resp.get_json()
    assert resp.status_code == 412 and body["code"] == "stale_write" and body["version"] == 2
    assert "Achievements" in body["changed"]
    assert stored(table, cycle_id).self_assessment["achievements"] == "Led the directory import."


def test_a_submitted_self_assessment_form_sends_you_to_the_review(as_, cycle_id, table, clock):
    submit_self(table, clock, cycle_id)
    resp = as_("E4").get(url(cycle_id, "self"))
    assert resp.status_code == 302 and resp.headers["Location"].endswith(url(cycle_id))
    auto = post_form(as_("E4"), url(cycle_id, "self"), {"achievements": "x"}, version=2, autosave=True)
    assert auto.status_code == 409 and auto.get_json()["code"] == "conflict"


# --- permissions -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "part", "status"),
    [
        ("E5", "", 404),  # may not read it: answered like a missing review
        ("E5", "self", 404),
        ("E3", "self", 403),  # reads it, may not write this part
        ("E4", "manager", 403),
        ("E4", "discussion", 403),
        ("E1", "audit", 404),  # the audit trail is HR's: to anyone else it does not exist
        ("E3", "audit", 404),
    ],
)
def test_someone_not_permitted_gets_an_error_page(as_, cycle_id, who, part, status):
    resp = as_(who).get(url(cycle_id, part))
    assert resp.status_code == status and resp.mimetype == "text/html"
    assert "<h1>" in resp.get_data(as_text=True)


def test_a_page_asked_for_before_signing_in_goes_to_the_sign_in_and_back(client, auth, cycle_id):
    resp = client.get(url(cycle_id, "self"))
    assert resp.status_code == 302
    assert resp.headers["Location"] == f"/signin?next=/cycles/{cycle_id}/reviews/E4/self"
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert f'name="next" value="/cycles/{cycle_id}/reviews/E4/self"' in page


# --- manager, discussion, acknowledgement --------------------------------------------------------------


def test_the_manager_form_shows_the_self_ratings_and_starts_from_the_employees_goals(as_, cycle_id, table, clock):
    submit_self(table, clock, cycle_id)
    page = as_("E3").get(url(cycle_id, "manager")).get_data(as_text=True)
    # The two voices side by side: the self rating in the scale's words, marked on the whole scale.
    assert "Self rating: Exceeds (3 of 4)" in page
    assert '<li class="marked"><span class="visually-hidden">Katherine Johnson&#39;s self rating: </span>' in page
    assert 'name="goal_ratings.0.title" value="Launch importer"' in page
    assert "Read all of Katherine Johnson's self assessment" in page
    assert '<option value="E4"' in page and '<option value="E3"' in page  # owners to choose from


def test_the_manager_can_draft_before_the_self_assessment_but_not_submit(as_, cycle_id):
    page = as_("E3").get(url(cycle_id, "manager")).get_data(as_text=True)
    assert "Submitting is possible once Katherine Johnson has submitted" in page
    assert 'value="submit"' not in page


def test_the_manager_submits_after_confirming_the_score_and_obstacles_become_actions(as_, cycle_id, table, clock):
    submit_self(table, clock, cycle_id)
    manager = as_("E3")
    confirm = post_form(
        manager, url(cycle_id, "manager"), form_of(f.manager_content()) | {"action": "submit"}, version=2
    )
    page = confirm.get_data(as_text=True)
    assert "Submit the manager assessment for Katherine Johnson?" in page
    assert "The score it will carry" in page and "How the score is made" in page
    # The score in words, not a formula; the part that counts most first, a part without data said so.
    assert (
        "92 of 100: goals 100 (weight 50%), competencies 83 (50%); feedback not enough answers yet, left out, so the "
        "declared weights (goals 40%, competencies 40%, feedback 20%) were rescaled to the parts that count" in page
    )
    assert "Σ" not in page and "nearest to “Outstanding”" in page
    done = post_form(manager, url(cycle_id, "manager"), {"action": "confirm"}, version=hidden(page, "version"))
    assert done.status_code == 302
    view = stored(table, cycle_id)
    assert view.state == "manager_submitted" and view.score["value"] == 91.7
    home = manager.get("/").get_data(as_text=True)
    assert "Action for Katherine Johnson: Buy faster runners" in home
    assert "Hold and record the review discussion: Katherine Johnson" in home


def test_an_owner_who_is_not_a_person_is_refused_next_to_the_field(as_, cycle_id, table, clock):
    data = form_of(f.manager_content(owner_id="NOBODY"))
    resp = post_form(as_("E3"), url(cycle_id, "manager"), data, version=1)
    page = resp.get_data(as_text=True)
    assert (
        resp.status_code == 422
        and 'href="#f-obstacles-0-owner_id"' in page
        and "Unknown person &#39;NOBODY&#39;." in page
    )
    assert "Buy faster runners" in page


def test_the_discussion_is_recorded_and_the_employee_acknowledges_without_agreeing(as_, cycle_id, table, clock):
    submit_self(table, clock, cycle_id)
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", f.manager_content(), 2, True, clock
    )
    manager = as_("E3")
    form = manager.get(url(cycle_id, "discussion")).get_data(as_text=True)
    # The form opens with the talking points, and with today as the date of the discussion.
    points = form[form.index('id="h-points"') : form.index("</section>", form.index('id="h-points"'))]
    assert "92 of 100: goals 100 (weight 50%)" in points
    assert "<strong>Delivery</strong>: rated themselves Exceeds (3 of 4), you rated Outstanding (4 of 4)" in points
    assert "Slow CI" in points and "Public speaking" in points and "Delegation" in points
    assert 'name="date" value="2026-03-02"' in form
    confirm = post_form(
        manager, url(cycle_id, "discussion"), form_of(f.discussion_content()) | {"action": "submit"}, version=3
    )
    assert "Record the discussion with Katherine Johnson?" in confirm.get_data(as_text=True)
    post_form(
        manager,
        url(cycle_id, "discussion"),
        {"action": "confirm"},
        version=hidden(confirm.get_data(as_text=True), "version"),
    )
    assert stored(table, cycle_id).state == "discussed"

    employee = as_("E4")
    page = employee.get(url(cycle_id)).get_data(as_text=True)
    assert "Acknowledging is not agreeing." in page and "How the score is made" in page and "Strengths" in page
    version = hidden(page[page.index('id="acknowledge"') :], "version")
    missing = post_form(employee, url(cycle_id, "acknowledge"), {"response": "Kept response"}, version=version)
    text = missing.get_data(as_text=True)
    assert missing.status_code == 422 and 'href="#f-agreement"' in text and "Kept response" in text
    done = post_form(
        employee, url(cycle_id, "acknowledge"), {"agreement": "disagree", "response": "Too low."}, version=version
    )
    assert done.status_code == 302
    view = stored(table, cycle_id)
    assert view.state == "acknowledged"
    assert view.acknowledgement == {
        "agreement": "disagree",
        "response": "Too low.",
        "at": "2026-03-02T09:00:00.000Z",
    }
    assert "did not agree" in employee.get(url(cycle_id)).get_data(as_text=True)


def test_hr_returns_a_review_with_a_reason_and_a_return_without_one_is_explained(as_, cycle_id, table, clock):
    submit_self(table, clock, cycle_id)
    hr = as_("E2")
    page = hr.get(url(cycle_id)).get_data(as_text=True)
    assert "Return to an earlier state" in page and "Audit trail of this review" in page
    bad = post_form(hr, url(cycle_id, "return"), {"to_state": "not_started", "reason": " "}, version=2)
    assert bad.status_code == 422 and 'href="#f-reason"' in bad.get_data(as_text=True)
    ok = post_form(hr, url(cycle_id, "return"), {"to_state": "not_started", "reason": "Add evidence"}, version=2)
    assert ok.status_code == 302
    view = stored(table, cycle_id)
    assert view.state == "not_started" and view.last_return["reason"] == "Add evidence"
    assert "Returned by HR" in as_("E4").get(url(cycle_id)).get_data(as_text=True)


def test_hr_finalises_an_acknowledged_review(as_, cycle_id, table, clock):
    table, hr_p = table, f.principal(table, "E3")
    submit_self(table, clock, cycle_id)
    review_svc.save_manager_assessment(UnitOfWork(table), hr_p, cycle_id, "E4", f.manager_content(), 2, True, clock)
    review_svc.save_discussion(UnitOfWork(table), hr_p, cycle_id, "E4", f.discussion_content(), 3, True, clock)
    review_svc.acknowledge(UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", "agree", "", 4, clock)
    hr = as_("E2")
    assert "Finalise the review" in hr.get(url(cycle_id)).get_data(as_text=True)
    resp = post_form(hr, url(cycle_id, "finalise"), {}, version=5)
    assert resp.status_code == 302 and stored(table, cycle_id).state == "finalised"


def test_the_audit_page_shows_who_when_what_from_to_and_that_the_chain_verifies(as_, cycle_id, table):
    post_form(as_("E4"), url(cycle_id, "self"), {"achievements": "First draft"}, version=1)
    page = as_("E2").get(url(cycle_id, "audit")).get_data(as_text=True)
    assert "The chain verifies" in page
    # A history, not records: who did what, when (as people write dates), the field under its label.
    assert "Katherine Johnson saved a draft of the self assessment</strong>, <time" in page
    assert "opened the review</strong>" in page and "2 Mar 2026, 09:00 UTC" in page
    assert "<dt>Self assessment › Achievements</dt>" in page and "First draft" in page
    assert "self_assessment.achievements" not in page and "2026-03-02T" not in page.replace('datetime="2026-03-02T', "")


# --- the team overview -------------------------------------------------------------------------


def test_the_team_overview_shows_each_reports_state_next_task_due_and_overdue(as_, cycle_id, table, clock):
    submit_self(table, clock, cycle_id)
    clock.at = datetime(2026, 3, 12, 9, 0, tzinfo=UTC)  # past the self-assessment deadline
    page = as_("E3").get(f"/cycles/{cycle_id}/team").get_data(as_text=True)
    katherine = page[page.index("Katherine Johnson") : page.index("</tr>", page.index("Katherine Johnson"))]
    assert "Self assessment submitted" in katherine and "Write the manager assessment" in katherine
    assert "31 Mar 2026" in katherine and "due in 19 days" in katherine
    edsger = page[page.index("Edsger Dijkstra") : page.index("</tr>", page.index("Edsger Dijkstra"))]
    assert "Not started" in edsger and "overdue by 2 days" in edsger
    # The manager's page in the manager's voice: what they wait for, not "Write your self assessment".
    assert "Edsger writes their self assessment" in edsger and "Write your self assessment" not in page
