"""Feedback on the review process (issue 27, point 5) through the JSON API and the pages (in-memory table)."""

from __future__ import annotations

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV, AuthActions

GOOD = {"fair": 4, "useful": 5, "time_taken": "1_2h", "change": "Shorter forms"}


@pytest.fixture
def table(clock) -> MemoryTable:
    t = MemoryTable()
    import_organisation(UnitOfWork(t), None, ORG_CSV, clock)
    return t


@pytest.fixture
def app(settings, table, clock):
    from service.web import create_app

    return create_app(settings, table=table, clock=clock)


def signed_in(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth


def closed_cycle(table, clock):
    cycle = f.launched_cycle(table, clock)
    return cycles.close_cycle(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, cycle.version, clock)


def test_the_api_takes_one_answer_after_the_review_and_refuses_bad_input_with_field_messages(app, table, clock):
    cycle = f.launched_cycle(table, clock)
    client, auth = signed_in(app, "E4")
    url = f"/api/cycles/{cycle.cycle_id}/process-feedback"
    assert client.post(url, json=GOOD, headers=auth.headers()).status_code == 409  # the review is not over
    cycles.close_cycle(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, cycle.version, clock)
    for body, field in [({**GOOD, "fair": 7}, "fair"), ({**GOOD, "time_taken": "ages"}, "time_taken")]:
        refused = client.post(url, json=body, headers=auth.headers())
        assert refused.status_code == 422 and field in refused.get_json()["errors"]
    assert UnitOfWork(table).process_feedback.answers(cycle.cycle_id) == []
    given = client.post(url, json=GOOD, headers=auth.headers())
    assert given.status_code == 201 and given.get_json()["given"] is True
    assert client.post(url, json=GOOD, headers=auth.headers()).status_code == 409
    assert len(UnitOfWork(table).process_feedback.answers(cycle.cycle_id)) == 1


def test_hr_reads_the_group_beside_the_template_and_others_are_refused(app, table, clock):
    cycle = closed_cycle(table, clock)
    for who in ("E1", "E3", "E4", "E5"):
        client, auth = signed_in(app, who)
        client.post(f"/api/cycles/{cycle.cycle_id}/process-feedback", json=GOOD, headers=auth.headers())
    hr, auth = signed_in(app, "E2")
    data = hr.get(f"/api/templates/{cycle.template_id}/process-feedback", headers=auth.headers()).get_json()
    (summary,) = data["cycles"]
    assert summary["answers"] == 4 and summary["withheld"] is True and summary["changes"] is None
    page = hr.get(f"/hr/templates/{cycle.template_id}/process-feedback").get_data(as_text=True)
    assert "Withheld: fewer than 5 people answered" in page and "Shorter forms" not in page
    assert "What people said of its process" in hr.get("/hr/templates").get_data(as_text=True)
    client, auth = signed_in(app, "E6")
    client.post(f"/api/cycles/{cycle.cycle_id}/process-feedback", json=GOOD, headers=auth.headers())
    page = hr.get(f"/hr/templates/{cycle.template_id}/process-feedback").get_data(as_text=True)
    assert "Fair: <strong>4.0</strong> of 5" in page and "Shorter forms" in page
    manager, mauth = signed_in(app, "E3")
    assert (
        manager.get(f"/api/templates/{cycle.template_id}/process-feedback", headers=mauth.headers()).status_code == 403
    )


def test_the_page_form_works_without_javascript(app, table, clock):
    cycle = closed_cycle(table, clock)
    client, auth = signed_in(app, "E4")
    url = f"/cycles/{cycle.cycle_id}/process-feedback"
    assert "Send anonymously" in client.get(url).get_data(as_text=True)
    refused = client.post(url, data={"csrf_token": auth.csrf, "fair": "4", "useful": "", "time_taken": "1_2h"})
    assert refused.status_code == 422 and "Choose one" in refused.get_data(as_text=True)
    assert UnitOfWork(table).process_feedback.answers(cycle.cycle_id) == []
    sent = client.post(url, data={"csrf_token": auth.csrf, "fair": "4", "useful": "3", "time_taken": "1_2h"})
    assert sent.status_code == 302
    assert [a.useful for a in UnitOfWork(table).process_feedback.answers(cycle.cycle_id)] == [3]
    assert "You already answered for this cycle" in client.get(url).get_data(as_text=True)
