"""Decisions in front of the person who decides (issue 25, point 3), without a browser: peer nominations waiting
for the manager's approval are a task on the manager's home, a line on the team overview and on the review page,
and leave them once decided or once they can no longer be decided; training needs that low ratings suggest come
back with each autosave, are a task while undecided, and a submit asks for the decision instead of skipping it."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.domain.feedback import RequestState
from service.services import feedback_nominations
from service.services import reviews as review_svc
from tests import factories as f
from tests.api.test_pages_home import page_of, tasks
from tests.api.test_pages_reviews import form_of, hidden, post_form, stored, submit_self, url

pytestmark = pytest.mark.usefixtures("launched_state")

APPROVE = "Approve peer reviewers for Katherine Johnson"
DECIDE_NEEDS = "Confirm or dismiss suggested training needs: Katherine Johnson"


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


def nominate(table, clock, cycle_id: str) -> None:
    """Katherine (E4) nominates three peers; her manager Alan (E3) has not decided."""
    feedback_nominations.nominate_peers(
        UnitOfWork(table), f.principal(table, "E4"), cycle_id, "E4", ["E5", "E6", "E2"], clock
    )


def row_of(page: str, name: str) -> str:
    """A person's row of the team overview."""
    start = page.index(name)
    return page[start : page.index("</tr>", start)]


def low_draft(**overrides) -> dict:
    """A manager draft rating Delivery 1 of 4 (a low rating), with no decision on the need it suggests."""
    content = f.manager_content(**overrides)
    content["competency_ratings"] = {"delivery": {"rating": 1, "comment": "Late"}, "collaboration": {"rating": 3}}
    return content


# --- nominations ---------------------------------------------------------------------------------


def test_nominations_waiting_are_a_task_a_team_line_and_a_review_notice_for_the_manager(as_, table, clock, cycle_id):
    nominate(table, clock, cycle_id)
    manager = as_("E3")
    nominations_url = f"/cycles/{cycle_id}/reviews/E4/nominations"
    home = tasks(page_of(manager))
    assert APPROVE in home and "3 peer reviewers to approve · 2026 annual review" in home
    assert f'href="{nominations_url}"' in home and "due in 18 days · 20 Mar 2026" in home  # the nomination deadline
    team = row_of(page_of(manager, f"/cycles/{cycle_id}/team"), "Katherine Johnson")
    assert "3 peer reviewers to approve" in team and f'href="{nominations_url}"' in team
    review = page_of(manager, url(cycle_id))
    assert "Waiting for your decision" in review
    assert f'<a href="{nominations_url}">3 peer reviewers to approve' in review
    # Katherine herself and her peers have nothing to decide.
    assert APPROVE not in page_of(as_("E4")) and "Waiting for your decision" not in page_of(as_("E4"), url(cycle_id))
    assert APPROVE not in page_of(as_("E5"))
    assert "Waiting for your decision" not in page_of(as_("E2"), url(cycle_id))  # HR reads it; the manager decides


def test_decided_nominations_leave_the_tasks_the_team_overview_and_the_review(as_, table, clock, cycle_id):
    nominate(table, clock, cycle_id)
    feedback_nominations.decide_nominations(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", ["E5", "E6"], ["E2"], [], clock
    )
    assert UnitOfWork(table).feedback.request(cycle_id, "E4", "E5").state is RequestState.APPROVED
    manager = as_("E3")
    assert APPROVE not in page_of(manager)
    assert "to approve" not in page_of(manager, f"/cycles/{cycle_id}/team")
    assert "Waiting for your decision" not in page_of(manager, url(cycle_id))


def test_one_nomination_left_undecided_is_still_a_task_in_the_singular(as_, table, clock, cycle_id):
    nominate(table, clock, cycle_id)
    feedback_nominations.decide_nominations(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", ["E5", "E6"], [], [], clock
    )
    assert "1 peer reviewer to approve ·" in tasks(page_of(as_("E3")))


def test_nominations_leave_the_tasks_when_feedback_closes_with_the_managers_submission(as_, table, clock, cycle_id):
    nominate(table, clock, cycle_id)
    submit_self(table, clock, cycle_id)
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", f.manager_content(), 2, True, clock
    )
    manager = as_("E3")
    assert APPROVE not in page_of(manager)
    assert "to approve" not in page_of(manager, f"/cycles/{cycle_id}/team")
    assert UnitOfWork(table).feedback.request(cycle_id, "E4", "E5").state is RequestState.NOMINATED  # undecided


def test_nominations_leave_the_managers_tasks_after_the_nomination_deadline(as_, table, clock, cycle_id):
    nominate(table, clock, cycle_id)
    clock.at = datetime(2026, 3, 21, 9, 0, tzinfo=UTC)  # the feedback phase (the nomination deadline) has ended
    assert APPROVE not in page_of(as_("E3"))


# --- suggested training needs --------------------------------------------------------------------


def test_an_autosave_answers_with_the_needs_low_ratings_suggest_and_their_block(as_, table, cycle_id):
    resp = post_form(as_("E3"), url(cycle_id, "manager"), form_of(low_draft()), version=1, autosave=True)
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["version"] == 2 and set(body) >= {"saved_at", "base"}  # the fields it always had
    assert body["suggestions"] == [
        {"competency_id": "delivery", "name": "Delivery", "rating": 1, "points": 4, "answer": "", "undecided": True}
    ]
    html = body["suggestions_html"]
    assert "Suggested need: Delivery" in html and 'name="need_suggestions.delivery" value="confirmed"' in html
    assert 'id="f-need_suggestions-delivery"' in html and "Collaboration" not in html  # 3 of 4 is not low
    assert stored(table, cycle_id).manager_assessment["competency_ratings"]["delivery"]["rating"] == 1


def test_an_autosave_without_low_ratings_answers_no_suggestion(as_, cycle_id):
    body = post_form(as_("E3"), url(cycle_id, "manager"), form_of(f.manager_content()), version=1, autosave=True)
    assert body.get_json()["suggestions"] == [] and "fieldset" not in body.get_json()["suggestions_html"]


def test_the_self_assessments_autosave_answers_as_before(as_, cycle_id):
    body = post_form(as_("E4"), url(cycle_id, "self"), form_of(f.self_content()), version=1, autosave=True)
    assert set(body.get_json()) == {"version", "saved_at", "base"}


def test_an_undecided_suggested_need_is_a_task_until_decided(as_, table, clock, cycle_id):
    manager = as_("E3")
    post_form(manager, url(cycle_id, "manager"), form_of(low_draft()), version=1)
    home = tasks(page_of(manager))
    assert DECIDE_NEEDS in home and "1 suggested by low ratings · 2026 annual review" in home
    assert f'href="/cycles/{cycle_id}/reviews/E4/manager#s-training"' in home and "31 Mar 2026" in home
    assert "1 suggested training need to confirm or dismiss" in row_of(
        page_of(manager, f"/cycles/{cycle_id}/team"), "Katherine Johnson"
    )
    decided = form_of(low_draft()) | {"need_suggestions.delivery": "dismissed"}
    assert post_form(manager, url(cycle_id, "manager"), decided, version=2).status_code == 302
    assert stored(table, cycle_id).manager_assessment["need_suggestions"] == {"delivery": "dismissed"}
    assert DECIDE_NEEDS not in page_of(manager)
    assert "suggested training need" not in page_of(manager, f"/cycles/{cycle_id}/team")


def test_submitting_with_an_undecided_suggestion_asks_for_the_decision_and_submits_nothing(as_, table, clock, cycle_id):
    submit_self(table, clock, cycle_id)
    manager = as_("E3")
    resp = post_form(manager, url(cycle_id, "manager"), form_of(low_draft()) | {"action": "submit"}, version=2)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422
    assert "Your draft is saved. Before you can submit, confirm or dismiss each suggested training need." in page
    assert 'href="#f-need_suggestions-delivery"' in page and "Suggested need: Delivery" in page
    assert "Add it as a training need or dismiss it." in page
    view = stored(table, cycle_id)
    assert view.state == "self_submitted" and view.version == 3 and hidden(page, "version") == "3"
    # Confirmed, the submit goes on to the confirmation step, and the need is added on submit.
    data = form_of(low_draft()) | {"need_suggestions.delivery": "confirmed", "action": "submit"}
    confirm = post_form(manager, url(cycle_id, "manager"), data, version=3)
    assert confirm.status_code == 200 and "Submit the manager assessment for Katherine Johnson?" in confirm.text
    done = post_form(manager, url(cycle_id, "manager"), {"action": "confirm"}, version=hidden(confirm.text, "version"))
    assert done.status_code == 302 and stored(table, cycle_id).state == "manager_submitted"
    needs = UnitOfWork(table).training.of_person("E4", cycle_id)
    assert any(n.competency_id == "delivery" and n.source.value == "manager" for n in needs)


def test_a_confirmation_posted_over_an_undecided_suggestion_is_not_submitted(as_, table, clock, cycle_id):
    submit_self(table, clock, cycle_id)
    review_svc.save_manager_assessment(
        UnitOfWork(table), f.principal(table, "E3"), cycle_id, "E4", low_draft(), 2, False, clock
    )
    resp = post_form(as_("E3"), url(cycle_id, "manager"), {"action": "confirm"}, version=3)
    assert resp.status_code == 422 and "Not submitted: confirm or dismiss each suggested training need" in resp.text
    assert stored(table, cycle_id).state == "self_submitted"


def test_a_new_rows_empty_choices_read_as_their_blank_option_not_as_a_code_no_longer_offered(as_, cycle_id):
    page = page_of(as_("E3"), url(cycle_id, "manager"))
    assert "(no longer offered)" not in page
    assert '<option value="">Choose an owner</option>' in page and '<option value="">Not rated</option>' in page


def test_the_apis_manager_save_answers_the_suggested_needs_beside_the_review(as_, table, cycle_id):
    manager = as_("E3")
    api = f"/api/cycles/{cycle_id}/reviews/E4/manager"
    headers = {**manager.auth.headers(), "If-Match": '"1"'}
    content = low_draft() | {"need_suggestions": {"delivery": "dismissed"}}
    resp = manager.client.put(api, json={"content": content}, headers=headers)
    assert resp.status_code == 200, resp.get_json()
    body = resp.get_json()
    assert body["version"] == 2 and body["manager_assessment"]["need_suggestions"] == {"delivery": "dismissed"}
    assert body["suggested_needs"] == [
        {
            "competency_id": "delivery",
            "name": "Delivery",
            "rating": 1,
            "points": 4,
            "answer": "dismissed",
            "undecided": False,
        }
    ]
    assert stored(table, cycle_id).manager_assessment["need_suggestions"] == {"delivery": "dismissed"}
    spec = manager.client.get("/api/openapi.json").get_json()
    assert "suggested_needs" in spec["components"]["schemas"]["ManagerSaved"]["properties"]
