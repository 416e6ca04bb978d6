"""Who may read and write what in a review, one rule per test, through the JSON API.

The organisation (tests/conftest.py): E1 CEO (leadership) manages E2 and E3; E2 is head of People (HR)
and manages E6; E3 is the engineering manager of E4 and E5. Every test starts with a cycle over
everyone just launched: each review is not started, at version 1.
"""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import assert_error, drive, jsonable, ok, review_url, write

pytestmark = pytest.mark.usefixtures("launched_state")

SELF = {"content": f.self_content()}
MANAGER = {"content": f.manager_content()}


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module; each test starts from the same stored state (launched_state)."""
    return module_app


@pytest.fixture
def cycle_id(launched_cycle_id) -> str:
    """The cycle HR launched over the whole organisation (factory template and phases)."""
    return launched_cycle_id


def attempt(actor, cycle_id: str, part: str, body=None, version: int = 1, method: str = "PUT", employee_id="E4"):
    """Try to write a part of a review with an up-to-date If-Match (so only permission can refuse it)."""
    return actor.send(method, review_url(cycle_id, employee_id, part), body, version)


def hr_view(as_, cycle_id: str, employee_id: str = "E4") -> dict:
    """The review as HR sees it (everything, drafts included)."""
    return ok(as_("E2").get(review_url(cycle_id, employee_id)))


# --- writing -------------------------------------------------------------------------------------


def test_an_employee_cannot_write_someone_elses_self_assessment(as_, cycle_id):
    # E5 may not even read E4's review: it answers exactly like a missing one
    assert_error(attempt(as_("E5"), cycle_id, "self", SELF), 404, "not_found")
    assert ok(as_("E4").get(review_url(cycle_id, "E4")))["version"] == 1


def test_a_manager_cannot_write_a_reports_self_assessment(as_, cycle_id):
    assert_error(attempt(as_("E3"), cycle_id, "self", SELF), 403, "forbidden")


def test_a_colleague_cannot_write_the_manager_assessment(as_, cycle_id):
    assert_error(attempt(as_("E5"), cycle_id, "manager", MANAGER), 404, "not_found")
    assert hr_view(as_, cycle_id)["manager_assessment"] is None


def test_leadership_cannot_write_the_manager_assessment_of_someone_it_does_not_manage(as_, cycle_id):
    assert_error(attempt(as_("E1"), cycle_id, "manager", MANAGER), 403, "forbidden")
    assert hr_view(as_, cycle_id)["manager_assessment"] is None


def test_an_employee_cannot_write_their_own_manager_assessment(as_, cycle_id):
    assert_error(attempt(as_("E4"), cycle_id, "manager", MANAGER), 403, "forbidden")


@pytest.mark.parametrize("writer", ["E3", "E2"], ids=["current manager", "HR"])
def test_the_current_manager_or_hr_writes_the_manager_assessment(as_, cycle_id, writer):
    body = {"content": f.manager_content(narrative=f"By {writer}")}
    assert ok(attempt(as_(writer), cycle_id, "manager", body))["manager_assessment"]["narrative"] == f"By {writer}"


def test_after_a_move_the_new_manager_writes_the_manager_assessment_and_the_old_one_cannot(as_, cycle_id):
    hr = as_("E2")
    moved = (
        "employee_id,name,email,title,department,manager_id,roles\n"
        "E1,Ada Lovelace,ada@example.com,Chief Executive,Leadership,,leadership\n"
        "E2,Grace Hopper,grace@example.com,Head of People,People,E1,hr\n"
        "E3,Alan Turing,alan@example.com,Engineering Manager,Engineering,E1,\n"
        "E4,Katherine Johnson,katherine@example.com,Engineer,Engineering,E5,\n"
        "E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,\n"
        "E6,Barbara Liskov,barbara@example.com,People Partner,People,E2,\n"
    )
    ok(hr.client.post("/api/org/imports", data=moved, content_type="text/csv", headers=hr.auth.headers()))
    # issue 28: the import moved the open review to E5 (an audited write: version 2)
    assert hr_view(as_, cycle_id)["manager_id"] == "E5"
    assert_error(attempt(as_("E3"), cycle_id, "manager", MANAGER, version=2), 403, "forbidden")
    assert ok(attempt(as_("E5"), cycle_id, "manager", MANAGER, version=2))["version"] == 3


# --- reading -------------------------------------------------------------------------------------


def test_the_employee_does_not_see_a_manager_draft(as_, cycle_id):
    drive(as_, cycle_id, "self_submitted")
    write(as_("E3"), cycle_id, "E4", "manager", MANAGER)
    view = ok(as_("E4").get(review_url(cycle_id, "E4")))
    assert view["manager_assessment"] is None and view["score"] is None
    assert hr_view(as_, cycle_id)["manager_assessment"]["narrative"] == "A strong year."


def test_the_employee_sees_the_manager_assessment_once_submitted(as_, cycle_id):
    drive(as_, cycle_id, "manager_submitted")
    view = ok(as_("E4").get(review_url(cycle_id, "E4")))
    assert view["manager_assessment"]["narrative"] == "A strong year."
    assert view["score"]["value"] is not None


def test_the_manager_does_not_see_a_self_assessment_draft(as_, cycle_id):
    ok(attempt(as_("E4"), cycle_id, "self", SELF))
    assert ok(as_("E3").get(review_url(cycle_id, "E4")))["self_assessment"] is None


def test_the_manager_sees_the_self_assessment_once_submitted(as_, cycle_id):
    drive(as_, cycle_id, "self_submitted")
    view = ok(as_("E3").get(review_url(cycle_id, "E4")))
    assert view["self_assessment"]["achievements"] == "Led the directory import."


def test_the_employee_does_not_see_a_discussion_draft(as_, cycle_id):
    version = drive(as_, cycle_id, "manager_submitted")["version"]
    ok(attempt(as_("E3"), cycle_id, "discussion", {"content": f.discussion_content(notes="Draft notes")}, version))
    assert ok(as_("E4").get(review_url(cycle_id, "E4")))["discussion"] is None


def test_hr_sees_every_draft(as_, cycle_id):
    ok(attempt(as_("E4"), cycle_id, "self", {"content": f.self_content(achievements="Self draft")}))
    ok(attempt(as_("E3"), cycle_id, "manager", {"content": f.manager_content(narrative="Manager draft")}, 2))
    view = hr_view(as_, cycle_id)
    assert view["state"] == "not_started"
    assert view["self_assessment"]["achievements"] == "Self draft"
    assert view["manager_assessment"]["narrative"] == "Manager draft"


def test_a_colleague_cannot_read_a_review(as_, cycle_id):
    assert_error(as_("E5").get(review_url(cycle_id, "E4")), 404, "not_found")


def test_leadership_reads_the_review_of_someone_it_manages(as_, cycle_id):
    drive(as_, cycle_id, "self_submitted", employee_id="E3")
    view = ok(as_("E1").get(review_url(cycle_id, "E3")))
    assert view["employee_id"] == "E3" and view["self_assessment"]["achievements"] == "Led the directory import."


def test_leadership_reads_a_review_below_it_as_a_skip_level_manager_but_not_the_history(as_, cycle_id):
    leadership = as_("E1")  # E1 manages E3, who manages E4; the cycle lets skip-level managers read
    assert ok(leadership.get(review_url(cycle_id, "E4")))["employee_id"] == "E4"
    assert_error(leadership.get("/api/people/E4/history"), 404, "not_found")


def test_leadership_cannot_read_a_review_outside_its_subtree(as_, cycle_id):
    assert_error(as_("E3").get(review_url(cycle_id, "E6")), 404, "not_found")  # E6 reports to E2


def test_leadership_and_hr_see_progress_but_a_manager_does_not(as_, cycle_id):
    assert ok(as_("E1").get(f"/api/cycles/{cycle_id}/progress"))["total"] == 6
    assert ok(as_("E2").get(f"/api/cycles/{cycle_id}/progress"))["total"] == 6
    assert_error(as_("E3").get(f"/api/cycles/{cycle_id}/progress"), 403, "forbidden")


def test_history_is_for_the_person_their_manager_and_hr(as_, cycle_id):
    for person in ("E4", "E3", "E2"):
        assert ok(as_(person).get("/api/people/E4/history"))["employee_id"] == "E4"
    assert_error(as_("E5").get("/api/people/E4/history"), 404, "not_found")


# --- finalising, returning, acknowledging --------------------------------------------------------


def test_only_hr_finalises(as_, cycle_id):
    version = drive(as_, cycle_id, "acknowledged")["version"]
    for person in ("E3", "E4", "E1"):
        assert_error(attempt(as_(person), cycle_id, "finalise", None, version, "POST"), 403, "forbidden")
    assert ok(attempt(as_("E2"), cycle_id, "finalise", None, version, "POST"))["state"] == "finalised"


def test_hr_does_not_finalise_their_own_review(as_, cycle_id):
    resp = attempt(as_("E2"), cycle_id, "finalise", None, 1, "POST", employee_id="E2")
    assert_error(resp, 403, "forbidden")


def test_only_hr_returns_a_review(as_, cycle_id):
    version = drive(as_, cycle_id, "self_submitted")["version"]
    body = {"to_state": "not_started", "reason": "Please add evidence"}
    for person in ("E3", "E4"):
        assert_error(attempt(as_(person), cycle_id, "return", body, version, "POST"), 403, "forbidden")
    assert ok(attempt(as_("E2"), cycle_id, "return", body, version, "POST"))["state"] == "not_started"


def test_only_the_employee_acknowledges(as_, cycle_id):
    version = drive(as_, cycle_id, "discussed")["version"]
    body = {"agreement": "agree", "response": ""}
    for person in ("E3", "E2"):
        assert_error(attempt(as_(person), cycle_id, "acknowledge", body, version, "POST"), 403, "forbidden")
    assert ok(attempt(as_("E4"), cycle_id, "acknowledge", body, version, "POST"))["state"] == "acknowledged"


# --- set-up and actions --------------------------------------------------------------------------


def test_only_hr_sets_up_templates_and_cycles(as_):
    hr, manager = as_("E2"), as_("E3")
    cycles_before = ok(hr.get("/api/cycles"))["cycles"]
    assert_error(manager.post("/api/templates", f.template_data()), 403, "forbidden")
    template_id = ok(hr.post("/api/templates", f.template_data()), 201)["template_id"]
    assert_error(manager.post("/api/cycles", jsonable(f.cycle_data(template_id))), 403, "forbidden")
    assert_error(manager.put(f"/api/templates/{template_id}", f.template_data(name="Mine"), version=1), 403)
    assert ok(hr.get("/api/cycles"))["cycles"] == cycles_before
    assert ok(hr.get(f"/api/templates/{template_id}"))["name"] == "Annual review"


def test_only_hr_closes_a_cycle(as_, cycle_id):
    cycle = ok(as_("E2").get(f"/api/cycles/{cycle_id}"))
    for person in ("E3", "E1"):
        assert_error(as_(person).post(f"/api/cycles/{cycle_id}/close", version=cycle["version"]), 403, "forbidden")
    assert ok(as_("E2").get(f"/api/cycles/{cycle_id}"))["state"] == "active"


def test_only_the_owner_or_hr_updates_an_action(as_, cycle_id):
    drive(as_, cycle_id, "manager_submitted")  # the obstacle's remediation is owned by E3
    [action] = ok(as_("E3").get("/api/actions"))["actions"]
    url = f"/api/actions/{action['action_id']}"
    assert_error(as_("E4").patch(url, {"status": "done"}, action["version"]), 403, "forbidden")
    assert ok(as_("E2").patch(url, {"status": "in_progress"}, action["version"]))["status"] == "in_progress"
