"""The self assessment's goals section (issue 25, point 6): optional, and said so throughout; the employee's own
goals filled in as on the manager form; an optional section left empty is not counted as undone."""

from __future__ import annotations

import re

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.services import goals as goal_svc
from service.services import reviews as review_svc
from tests import factories as f

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _goal(app, cycle_id: str) -> str:
    """Katherine's (E4) goal in the cycle; its id."""
    table, clock = app.extensions["reviews"].table, app.extensions["reviews"].clock
    data = {"level": "individual", "title": "Cut p95 latency", "weight": 100, "cycle_id": cycle_id}
    return goal_svc.create_goal(UnitOfWork(table), f.principal(table, "E4"), data, clock).goal_id


def _section(html: str, key: str) -> str:
    start = html.index(f'id="s-{key}"')
    return html[start : html.index("</section>", start)]


def test_the_employees_own_goals_are_filled_in_and_nothing_in_the_optional_section_is_needed(
    as_, app, launched_cycle_id
):
    goal_id = _goal(app, launched_cycle_id)
    html = as_("E4").get(f"/cycles/{launched_cycle_id}/reviews/E4/self").get_data(as_text=True)
    goals = _section(html, "goals")
    assert re.search(r'name="goal_results\.0\.goal_id" value="' + goal_id, goals)
    assert 'name="goal_results.0.title" value="Cut p95 latency"' in goals
    assert ">Optional</span>" in goals and "(needed to submit)" not in goals
    assert "Needed to submit if you rate this goal." in goals  # the one condition, said where it applies


def test_a_submission_may_leave_the_goals_it_lists_without_a_result(as_, app, launched_cycle_id):
    goal_id = _goal(app, launched_cycle_id)
    table = app.extensions["reviews"].table
    me = as_("E4")
    form = {
        "csrf_token": me.auth.csrf,
        "version": "1",
        "action": "submit",
        "competency_ratings.delivery.rating": "3",
        "competency_ratings.collaboration.rating": "3",
        "achievements": "Shipped the importer.",
        "answers.proud": "The importer.",
        "goal_results.0.goal_id": goal_id,
        "goal_results.0.title": "Cut p95 latency",
        "goal_results.0.result": "",
    }
    path = f"/cycles/{launched_cycle_id}/reviews/E4/self"
    confirm = me.client.post(path, data=form).get_data(as_text=True)
    assert "Submit your self assessment?" in confirm  # the draft was saved; nothing refused
    version = re.search(r'name="version" value="(\d+)"', confirm).group(1)
    done = me.client.post(path, data={"csrf_token": me.auth.csrf, "version": version, "action": "confirm"})
    assert done.status_code in (302, 303)
    review = review_svc.open_review(UnitOfWork(table), f.principal(table, "E4"), launched_cycle_id, "E4")
    assert review.state == "self_submitted"
    assert review.self_assessment["goal_results"] == [
        {"goal_id": goal_id, "title": "Cut p95 latency", "result": "", "rating": None}
    ]


def test_home_does_not_count_an_empty_optional_section_as_undone(as_, app, launched_cycle_id):
    _goal(app, launched_cycle_id)
    table, clock = app.extensions["reviews"].table, app.extensions["reviews"].clock
    draft = f.self_content(goal_results=[])  # everything but the goals section
    review_svc.save_self_assessment(
        UnitOfWork(table), f.principal(table, "E4"), launched_cycle_id, "E4", draft, 1, False, clock
    )
    home = as_("E4").get("/").get_data(as_text=True)
    assert "Continue: 6 of 6 sections done" in home
    form = as_("E4").get(f"/cycles/{launched_cycle_id}/reviews/E4/self").get_data(as_text=True)
    assert "6 of 6 sections done</h2>" in form and "Optional sections left empty are not counted." in form
