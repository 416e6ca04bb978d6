"""Issue 23: a calibration journey on the web function, under its own role (every AWS call checked against the
policy template.yaml gives it): HR opens a session, adjusts a rating with a reason and closes the session."""

from __future__ import annotations

import re

from service.adapters.unit_of_work import UnitOfWork
from service.services import calibration as cal
from service.services import reviews as review_svc
from tests import factories as f
from tests.handlers.conftest import LambdaContext
from tests.handlers.deployed import start
from tests.handlers.test_every_function_starts import scheduler_event
from tests.handlers.test_journeys_under_roles import Browser, mails_to, sign_in, stack  # noqa: F401 - the stack fixture


def in_calibration(world, clock) -> str:
    """A calibrating cycle (deadlines in spring 2026) with E4's and E5's manager assessments in calibration."""
    cycle_id = f.launched_cycle(world.table, clock, template={"calibration": True}).cycle_id
    for person in ("E4", "E5"):
        v = UnitOfWork(world.table).reviews.get(cycle_id, person).version
        me, mgr = f.principal(world.table, person), f.principal(world.table, "E3")
        review_svc.save_self_assessment(UnitOfWork(world.table), me, cycle_id, person, f.self_content(), v, True, clock)
        content = f.manager_content()
        review_svc.save_manager_assessment(UnitOfWork(world.table), mgr, cycle_id, person, content, v + 1, True, clock)
    return cycle_id


def test_hr_calibrates_on_the_web_function_under_its_role(stack, monkeypatch, http_event, clock):  # noqa: F811
    cycle_id = in_calibration(stack, clock)
    web = start(stack, "WebFunction", monkeypatch)
    hr = sign_in(stack, web, http_event, "E2")
    sessions = f"/cycles/{cycle_id}/calibration"
    form = [
        ("name", "Engineering"),
        ("group", "list"),
        ("employee_ids", "E4"),
        ("employee_ids", "E5"),
        ("version", "0"),
    ]
    page = hr.post(sessions, form, token_from=sessions)
    assert page["statusCode"] == 200 and "is open with 2 people" in page["body"]
    (session_id,) = {s.session_id for s in UnitOfWork(stack.table).calibration.of_cycle(cycle_id)}
    adjust = f"/calibration/{session_id}/people/E4"
    rated = [("competency_ratings.delivery", "2"), ("competency_ratings.collaboration", "2")]
    page = hr.post(adjust, [*rated, ("reason", "Evidence"), ("version", "0")], token_from=adjust)
    assert page["statusCode"] == 200 and "calibration is saved" in page["body"]
    session_page = f"/calibration/{session_id}"
    version = re.search(r'name="version" value="(\d+)"', hr.get(session_page)["body"]).group(1)
    page = hr.post(f"{session_page}/close", [("version", version)], token_from=session_page)
    assert page["statusCode"] == 200 and "is closed" in page["body"]
    review = UnitOfWork(stack.table).reviews.get(cycle_id, "E4")
    assert review.state.value == "manager_submitted" and review.calibration["reason"] == "Evidence"
    # the claims deleted by the close and the session checked by each adjustment: allowed by the role
    assert {"dynamodb:DeleteItem", "dynamodb:ConditionCheckItem"} <= stack.recorder.actions("WebFunction")

    # the reports' PDFs: API Gateway routes them to PdfFunction, which reads the session and reviews under its role
    pdf = start(stack, "PdfFunction", monkeypatch)
    hr_on_pdf = Browser(pdf, http_event)
    hr_on_pdf.cookies = dict(hr.cookies)
    for path in (f"{session_page}/report.pdf", f"/cycles/{cycle_id}/ratings.pdf"):
        answer = hr_on_pdf.get(path)
        assert answer["statusCode"] == 200 and answer["headers"]["content-type"] == "application/pdf", path


def test_the_daily_run_reminds_the_facilitators_of_an_overdue_calibration_under_its_role(stack, monkeypatch, clock):  # noqa: F811
    cycle_id = in_calibration(stack, clock)
    data = {"name": "Engineering", "group": "list", "employee_ids": ["E4", "E5"]}
    cal.create_session(UnitOfWork(stack.table), f.principal(stack.table, "E2"), cycle_id, data, clock)
    reminders = start(stack, "RemindersFunction", monkeypatch)  # runs today: the calibration's 7 April is past
    assert reminders(scheduler_event(), LambdaContext())["failed"] == 0
    (daily,) = [m for m in mails_to(stack, "grace@example.com") if "Overdue review tasks" in m.subject]
    assert "Calibration (close its session) for Katherine Johnson" in daily.body
