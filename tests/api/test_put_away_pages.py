"""Putting away on the pages (issue 28, point 6): plain forms, a redirect with a message, lists that follow."""

from __future__ import annotations

from typing import Any

import pytest

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import goals as goal_svc
from service.services import templates as template_svc
from tests import factories as f

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    """One app per module; each test gets the organisation and one launched cycle afresh."""
    return module_app


@pytest.fixture
def table(app):
    return app.extensions["reviews"].table


def post(actor, path: str, data: dict[str, Any] | None = None):
    return actor.client.post(path, data={"csrf_token": actor.auth.csrf, **(data or {})}, follow_redirects=True)


def text(resp) -> str:
    return resp.get_data(as_text=True)


def test_hr_archives_a_template_from_the_list_and_restores_it(as_, table):
    hr = as_("E2")
    [t] = template_svc.list_templates(UnitOfWork(table))
    page = post(hr, f"/hr/templates/{t.template_id}/archive", {"version": str(t.version)})
    assert page.status_code == 200 and f"Template “{t.name}” archived." in text(page)
    assert "Archived review templates" in text(page) and "Restore" in text(page)
    assert t.name not in text(hr.get("/hr/templates")) and t.name not in text(hr.get("/hr/cycles/new"))
    stale = post(hr, f"/hr/templates/{t.template_id}/restore", {"version": str(t.version)})
    assert "Not restored:" in text(stale)
    assert template_svc.get_template(UnitOfWork(table), t.template_id).archived is True
    post(hr, f"/hr/templates/{t.template_id}/restore", {"version": str(t.version + 1)})
    assert template_svc.get_template(UnitOfWork(table), t.template_id).archived is False


def test_hr_archives_restores_and_deletes_a_draft_but_not_a_launched_cycle(app, as_, table, launched_cycle_id):
    hr = as_("E2")
    [t] = template_svc.list_templates(UnitOfWork(table))
    draft = cycle_svc.create_cycle(
        UnitOfWork(table),
        f.principal(table, "E2"),
        f.cycle_data(t.template_id, name="Spare draft"),
        app.extensions["reviews"].clock,
    )
    page = text(post(hr, f"/hr/cycles/{draft.cycle_id}/archive", {"version": str(draft.version)}))
    assert "Draft “Spare draft” archived." in page and "Restore the draft" in page and "Edit the draft" not in page
    assert "Spare draft" not in text(hr.get("/hr/cycles")) and "Spare draft" in text(hr.get("/hr/cycles?archived=1"))
    post(hr, f"/hr/cycles/{draft.cycle_id}/restore", {"version": str(draft.version + 1)})
    assert "Spare draft" in text(hr.get("/hr/cycles"))
    confirm = text(hr.get(f"/hr/cycles/{draft.cycle_id}/delete"))
    assert "Delete “Spare draft”?" in confirm
    done = text(post(hr, f"/hr/cycles/{draft.cycle_id}/delete", {"version": str(draft.version + 2)}))
    assert "Draft “Spare draft” deleted; its audit trail is kept." in done
    assert UnitOfWork(table).cycles.get(draft.cycle_id) is None

    launched = cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id)
    assert "cannot be deleted" in text(hr.get(f"/hr/cycles/{launched_cycle_id}/delete"))
    refused = text(post(hr, f"/hr/cycles/{launched_cycle_id}/delete", {"version": str(launched.version)}))
    assert "Not deleted: cannot delete a cycle that is active" in refused
    assert cycle_svc.get_cycle(UnitOfWork(table), launched_cycle_id).version == launched.version


def test_an_owner_archives_a_done_goal_from_its_page(app, as_, table, launched_cycle_id):
    emp = as_("E4")
    goal = goal_svc.create_goal(
        UnitOfWork(table),
        f.principal(table, "E4"),
        {"level": "individual", "title": "Write the guide", "cycle_id": launched_cycle_id, "status": "done"},
        app.extensions["reviews"].clock,
    )
    page = text(emp.get(f"/goals/{goal.goal_id}"))
    assert "Archive the goal" in page
    page = text(post(emp, f"/goals/{goal.goal_id}/archive", {"version": str(goal.version)}))
    assert "Goal “Write the guide” archived." in page and "Restore the goal" in page and "Save goal" not in page
    assert "Write the guide" not in text(emp.get(f"/goals?cycle={launched_cycle_id}"))
    assert "Archive the goal" not in text(as_("E6").get(f"/goals/{goal.goal_id}"))
    post(emp, f"/goals/{goal.goal_id}/restore", {"version": str(goal.version + 1)})
    assert goal_svc.get_goal(UnitOfWork(table), None, goal.goal_id).archived is False
