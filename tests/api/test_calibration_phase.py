"""Issue 23, point 1: a template with a calibration phase holds submitted manager assessments for calibration.

While a review is in calibration its manager assessment and score are hidden from the employee everywhere they
could read them (review JSON, review page, history, the summary PDF), and the score is marked provisional for the
manager and HR. Built on the in-memory table with the app (tests/conftest.py's organisation: Alan (E3) manages
Katherine (E4), Grace (E2) is HR).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from service.adapters.clock import FixedClock
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.config import Settings
from service.domain.errors import Conflict
from service.domain.reviews import ReviewState
from service.services import reviews as review_svc
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV
from tests.pdf.conftest import pdf_text

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
# Words only the manager assessment holds: none may reach the employee before the calibration closes.
SECRET_NARRATIVE = "Calibrate-me narrative"
SECRET_STRENGTH = "Hidden-strength words"


class World:
    """A calibrating cycle with the manager assessments of `submitted` in calibration, and the app."""

    def __init__(
        self, org: str = ORG_CSV, submitted: tuple[str, ...] = ("E4",), template: dict | None = None, **content
    ) -> None:
        from service.web import create_app

        self.clock = FixedClock(NOW)
        self.table = MemoryTable()
        import_organisation(UnitOfWork(self.table), None, org, self.clock)
        overrides = {"calibration": True, **(template or {})}
        self.cycle_id = f.launched_cycle(self.table, self.clock, template=overrides).cycle_id
        self.content = content  # extra fields of each manager assessment
        for person in submitted:
            self.submit(person)
        settings = Settings(table_name="reviews-cal", region="eu-west-1", secret_key="test-secret-key-" + "x" * 20)
        self.app = create_app(settings, table=self.table, clock=self.clock)
        self.app.config["TESTING"] = True
        self.clients: dict[str, object] = {}
        self.csrf: dict[str, str] = {}

    def submit(self, person: str) -> None:
        """The person's self assessment, then their manager's (E3) submission with words only it holds."""
        c, uow = self.cycle_id, UnitOfWork(self.table)
        v = uow.reviews.get(c, person).version
        emp, mgr = f.principal(self.table, person), f.principal(self.table, "E3")
        review_svc.save_self_assessment(UnitOfWork(self.table), emp, c, person, f.self_content(), v, True, self.clock)
        content = f.manager_content(narrative=SECRET_NARRATIVE, strengths=SECRET_STRENGTH, **self.content)
        review_svc.save_manager_assessment(UnitOfWork(self.table), mgr, c, person, content, v + 1, True, self.clock)

    def client(self, employee_id: str):
        """A client signed in as this person through the local sign-in page."""
        if employee_id not in self.clients:
            c = self.app.test_client()
            page = c.get("/signin")
            csrf = re.search(rb'name="csrf_token" value="([^"]+)"', page.data).group(1).decode()
            assert c.post("/signin", data={"csrf_token": csrf, "employee_id": employee_id}).status_code == 302
            self.clients[employee_id] = c
            self.csrf[employee_id] = csrf
        return self.clients[employee_id]

    def send(self, who: str, method: str, url: str, body=None, version=None):
        """A JSON call with the CSRF header (and If-Match when a version is given)."""
        c = self.client(who)
        headers = {"X-CSRF-Token": self.csrf[who]}
        if version is not None:
            headers["If-Match"] = f'"{version}"'
        return c.open(url, method=method, json=body, headers=headers)

    def post_form(self, who: str, url: str, data: dict):
        """A page form posted with its CSRF token."""
        return self.client(who).post(url, data={"csrf_token": self.csrf[who], **data})

    def review(self, reader: str):
        return self.client(reader).get(f"/api/cycles/{self.cycle_id}/reviews/E4")


@pytest.fixture(scope="module")
def world() -> World:
    """The world of this module's read-only tests, built once."""
    return World()


def test_a_manager_submission_under_a_calibrating_template_waits_in_calibration(world):
    stored = UnitOfWork(world.table).reviews.get(world.cycle_id, "E4")
    assert stored.state is ReviewState.IN_CALIBRATION
    assert stored.score and stored.score["value"] is not None  # scored as usual, shown as provisional
    assert stored.manager_assessment["narrative"] == SECRET_NARRATIVE


def test_without_a_calibration_phase_the_manager_submission_goes_on_to_the_discussion(clock):
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    c = f.launched_cycle(table, clock).cycle_id
    emp, mgr = f.principal(table, "E4"), f.principal(table, "E3")
    review_svc.save_self_assessment(UnitOfWork(table), emp, c, "E4", f.self_content(), 1, True, clock)
    view = review_svc.save_manager_assessment(UnitOfWork(table), mgr, c, "E4", f.manager_content(), 2, True, clock)
    assert view.state == "manager_submitted" and view.provisional is False


def test_the_employee_json_hides_the_manager_assessment_and_the_score(world):
    body = world.review("E4").get_json()
    assert body["state"] == "in_calibration"
    assert body["manager_assessment"] is None and body["score"] is None
    assert SECRET_NARRATIVE not in str(body) and SECRET_STRENGTH not in str(body)


def test_the_manager_and_hr_read_the_score_marked_provisional(world):
    for reader in ("E3", "E2"):
        body = world.review(reader).get_json()
        assert body["provisional"] is True
        assert body["score"]["value"] is not None
        assert body["manager_assessment"]["narrative"] == SECRET_NARRATIVE


def test_the_employee_review_page_shows_no_rating_and_the_manager_page_says_provisional(world):
    employee_page = world.client("E4").get(f"/cycles/{world.cycle_id}/reviews/E4")
    assert employee_page.status_code == 200
    text = employee_page.get_data(as_text=True)
    assert "In calibration" in text
    assert SECRET_NARRATIVE not in text and SECRET_STRENGTH not in text and "of 100" not in text
    manager_page = world.client("E3").get(f"/cycles/{world.cycle_id}/reviews/E4").get_data(as_text=True)
    assert SECRET_NARRATIVE in manager_page and "provisional" in manager_page


def test_the_employee_history_hides_the_score_the_manager_history_shows_it(world):
    mine = world.client("E4").get("/api/people/E4/history").get_json()
    theirs = world.client("E3").get("/api/people/E4/history").get_json()
    assert SECRET_NARRATIVE not in str(mine)
    (row,) = [r for r in mine["reviews"] if r["cycle_id"] == world.cycle_id]
    assert row["score"] is None
    (row,) = [r for r in theirs["reviews"] if r["cycle_id"] == world.cycle_id]
    assert row["score"] is not None


def test_the_discussion_cannot_be_recorded_while_the_rating_is_in_calibration(world):
    uow = UnitOfWork(world.table)
    with pytest.raises(Conflict):
        review_svc.save_discussion(
            uow, f.principal(world.table, "E3"), world.cycle_id, "E4", f.discussion_content(), 3, True, world.clock
        )
    assert UnitOfWork(world.table).reviews.get(world.cycle_id, "E4").state is ReviewState.IN_CALIBRATION


def test_the_employee_pdf_holds_no_rating_and_the_hr_pdf_marks_the_score_provisional(world, tmp_path):
    url = f"/api/cycles/{world.cycle_id}/reviews/E4/summary.pdf"
    employee = world.client("E4").get(url)
    assert employee.status_code == 200
    text = pdf_text(employee.data, tmp_path)
    assert SECRET_NARRATIVE not in text and SECRET_STRENGTH not in text and "of 100" not in text
    hr = pdf_text(world.client("E2").get(url).data, tmp_path)
    assert "Score (provisional)" in hr and SECRET_NARRATIVE in hr


def test_hrs_cycle_page_shows_the_calibration_deadline_and_what_is_overdue_against_it():
    world = World()
    world.clock.now = lambda: datetime(2026, 4, 9, 9, 0, tzinfo=UTC)  # past the calibration's 7 April
    page = world.client("E2").get(f"/hr/cycles/{world.cycle_id}").get_data(as_text=True)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert re.search(r"Manager assessment 31 Mar 2026 Calibration 7 Apr 2026 Review discussion", text), text
    assert "Calibration (deadline 7 Apr 2026): 1 not done" in text
