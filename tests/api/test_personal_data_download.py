"""A signed-in person downloads their own data (limits of issue 28): from the API and from their settings page, the
same content as HR's `export-person` gives for them with the same exclusions, each download audited, and requests
that grow per review no more than the command's."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from service.adapters.mailer import MemoryMailer
from service.adapters.unit_of_work import UnitOfWork
from service.services.personal_data import download_my_data, export_person
from tests import factories as f
from tests.api.test_one_to_ones_web import as_, browser
from tests.integration.test_calibration_request_counts import CountingTable
from tests.integration.test_personal_data import between_cycles, table  # noqa: F401 - fixtures used below


@pytest.fixture
def app(settings, between_cycles, clock):  # noqa: F811
    from service.web import create_app

    application = create_app(settings, table=between_cycles, clock=clock)
    application.extensions["reviews"].extras["mailer"] = MemoryMailer()
    return application


def test_my_download_is_what_the_command_gives_for_me_and_leaves_out_what_it_leaves_out(app, between_cycles):  # noqa: F811
    got = as_(app, "E4")("GET", "/api/me/personal-data")
    assert got.status_code == 200
    mine = got.get_json()
    assert mine == json.loads(json.dumps(asdict(export_person(UnitOfWork(between_cycles), "E4"))))
    assert mine["employee"]["employee_id"] == "E4" and mine["one_to_ones"][0]["meetings"][0]["my_private_notes"]
    text = json.dumps(mine)
    assert "Alan's own worry" not in text  # the manager's private notes on our meeting
    assert "She carried the launch" not in text  # a contribution about me, written for my manager


def test_each_download_leaves_an_audit_record_naming_who_and_when(app, between_cycles, clock):  # noqa: F811
    kath = as_(app, "E4")
    kath("GET", "/api/me/personal-data")
    page, _ = browser(app, "E4")
    settings_page = page.get("/me/notifications").get_data(as_text=True)
    assert 'href="/me/personal-data"' in settings_page
    file = page.get("/me/personal-data")
    assert file.status_code == 200 and file.headers["Content-Disposition"].endswith('"personal-data-E4.json"')
    assert json.loads(file.get_data())["employee"]["email"] == "katherine@example.com"
    trail = UnitOfWork(between_cycles).audit.of_entity("PDATA#E4")
    assert [(r["actor"], r["action"], r["version"]) for r in trail] == [
        ("E4", "download_personal_data", 1),
        ("E4", "download_personal_data", 2),
    ]
    assert trail[-1]["at"].startswith(clock.now().date().isoformat())
    assert UnitOfWork(between_cycles).audit.of_entity("PDATA#E3") == []  # nobody else's


def test_the_openapi_document_describes_the_download(app):
    doc = as_(app, "E4")("GET", "/api/openapi.json").get_json()
    assert "200" in doc["paths"]["/api/me/personal-data"]["get"]["responses"]


def _requests(cycles: int) -> tuple[int, int]:
    """(requests of the command's export, of a self-service download) of a person with `cycles` reviews."""
    from datetime import UTC, datetime

    from service.adapters.clock import FixedClock
    from service.services.directory import import_organisation
    from tests.conftest import ORG_CSV

    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    counted = CountingTable()
    import_organisation(UnitOfWork(counted), None, ORG_CSV, clock)
    for n in range(cycles):
        f.launched_cycle(counted, clock, name=f"Cycle {n}")
    kath = f.principal(counted, "E4")
    counted.calls.clear()
    export_person(UnitOfWork(counted), "E4")
    command = sum(counted.calls.values())
    counted.calls.clear()
    download_my_data(UnitOfWork(counted), kath, clock)
    return command, sum(counted.calls.values())


def test_a_download_costs_what_the_command_costs_plus_its_audit_write_whatever_the_history():
    command_1, download_1 = _requests(1)
    command_4, download_4 = _requests(4)
    assert download_1 - command_1 == download_4 - command_4 == 2  # the download count read and its audited write
    assert download_4 - download_1 == command_4 - command_1 == 0  # one Query of the goals of every cycle


def test_my_download_holds_my_reviews_as_i_may_see_them_never_my_managers_draft(app, between_cycles, clock):  # noqa: F811
    """HR's command exports a review in full (a subject access request HR answers); the self-service download gives
    the person what their own pages show: no manager's draft, no ratings before the manager submits."""
    from service.services import reviews as review_svc

    e3, e4 = f.principal(between_cycles, "E3"), f.principal(between_cycles, "E4")
    (review,), _ = UnitOfWork(between_cycles).reviews.history("E4")
    draft = f.manager_content(narrative="Draft only: not yet ready for a bigger scope")
    review_svc.save_part(
        UnitOfWork(between_cycles), e3, review.cycle_id, "E4", draft, review.version, False, clock, part="manager"
    )
    assert "Draft only" in json.dumps(asdict(export_person(UnitOfWork(between_cycles), "E4")))  # HR's command

    mine = as_(app, "E4")("GET", "/api/me/personal-data").get_json()
    (seen,) = mine["reviews"]
    assert seen["manager_assessment"] is None and seen["score"] is None and seen["calibration"] is None
    assert "Draft only" not in json.dumps(mine)
    assert seen["employee_id"] == "E4" and seen["cycle_id"] == review.cycle_id
    assert download_my_data(UnitOfWork(between_cycles), e4, clock).reviews == mine["reviews"]
