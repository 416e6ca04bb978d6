"""Anonymity over time in the feedback on the review process (issue 27): HR reads a cycle's answers at two moments,
one answer apart, and subtracts. Once the group is shown, one more answer must not move anything HR reads, or the
difference is that one person's answer (HR sees who acknowledged their review, and so who could answer)."""

from __future__ import annotations

from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles
from tests import factories as f
from tests.api.test_process_feedback_api import app, signed_in, table  # noqa: F401 - the fixtures and sign-in

BODY = {"fair": 4, "useful": 4, "time_taken": "1_2h", "change": "Fewer questions"}
LAST = {"fair": 1, "useful": 1, "time_taken": "over_8h", "change": "The calibration felt rigged"}


def answer(app, cycle_id: str, employee_id: str, body: dict) -> None:  # noqa: F811 - the imported fixture
    client, auth = signed_in(app, employee_id)
    sent = client.post(f"/api/cycles/{cycle_id}/process-feedback", json=body, headers=auth.headers())
    assert sent.status_code == 201, sent.get_json()


def test_one_more_answer_after_the_group_is_shown_changes_nothing_hr_reads(app, table, clock):  # noqa: F811
    cycle = f.launched_cycle(table, clock)
    cycles.close_cycle(UnitOfWork(table), f.principal(table, "E2"), cycle.cycle_id, cycle.version, clock)
    for who in ("E1", "E3", "E4", "E5", "E6"):
        answer(app, cycle.cycle_id, who, BODY)
    hr, auth = signed_in(app, "E2")
    api = f"/api/templates/{cycle.template_id}/process-feedback"
    page = f"/hr/templates/{cycle.template_id}/process-feedback"
    before = hr.get(api, headers=auth.headers()).get_json()
    before_page = hr.get(page).get_data(as_text=True)
    assert before["cycles"][0]["withheld"] is False and "Fewer questions" in before_page

    answer(app, cycle.cycle_id, "E2", LAST)  # the sixth answer, its author known to whoever reads before and after

    after = hr.get(api, headers=auth.headers()).get_json()
    assert after == before
    after_page = hr.get(page).get_data(as_text=True)
    assert "rigged" not in after_page and after_page == before_page
    assert len(UnitOfWork(table).process_feedback.answers(cycle.cycle_id)) == 6  # kept, shown with the next group
