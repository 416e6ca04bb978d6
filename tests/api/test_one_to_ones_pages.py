"""One-to-one pages without JavaScript (issue 28, point 1): plain forms answered by a redirect, a refused form shown
again with its messages and what was typed, private notes kept from the other side, HR's counts."""

from __future__ import annotations

import re

import pytest

from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services.directory import import_organisation
from tests.conftest import ORG_CSV, AuthActions

PAGE = "/one-to-ones/E4"


@pytest.fixture
def org(clock) -> MemoryTable:
    table = MemoryTable()
    import_organisation(UnitOfWork(table), None, ORG_CSV, clock)
    return table


@pytest.fixture
def app(settings, org, clock):
    from service.web import create_app

    application = create_app(settings, table=org, clock=clock)
    application.extensions["reviews"].extras["mailer"] = MemoryMailer()
    return application


def browser(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)

    def post(path: str, **form):
        return client.post(path, data={"csrf_token": auth.csrf, **form})

    return client, post


def test_the_pair_adds_points_and_notes_and_the_other_never_reads_private_notes(app, org):
    alan, alan_post = browser(app, "E3")
    kath, kath_post = browser(app, "E4")
    resp = alan_post(
        PAGE + "/rhythm", rhythm="fortnightly", first_date="2026-03-05", time="09:30", minutes="45", version="0"
    )
    assert resp.status_code == 302
    assert kath_post(PAGE + "/points", text="My promotion case").status_code == 302
    assert (
        alan_post(PAGE + "/meetings/2026-03-05/private-notes", text="Ready in a year", version="0").status_code == 302
    )
    page = kath.get(PAGE).get_data(as_text=True)
    assert "One-to-one with Alan Turing" in page and "My promotion case" in page
    assert "Ready in a year" not in page
    assert "Ready in a year" in alan.get(PAGE).get_data(as_text=True)
    listing = kath.get("/one-to-ones").get_data(as_text=True)
    assert "With Alan Turing" in listing and "Fortnightly" in listing


def test_a_refused_form_comes_back_with_its_message_and_what_was_typed(app, org):
    _, kath_post = browser(app, "E4")
    resp = kath_post(PAGE + "/rhythm", rhythm="weekly", first_date="2026-03-05", time="nine", minutes="30", version="0")
    assert resp.status_code == 422
    page = resp.get_data(as_text=True)
    assert 'id="rhythm-time-error"' in page and 'value="nine"' in page
    assert UnitOfWork(org).one_to_ones.pair("E3", "E4") is None


def test_a_stale_shared_notes_edit_keeps_the_typed_text_and_changes_nothing(app, org):
    _, alan_post = browser(app, "E3")
    _, kath_post = browser(app, "E4")
    kath_post(PAGE + "/points", text="Budget")  # the meeting exists at version 1
    [meeting] = UnitOfWork(org).one_to_ones.meetings("E3", "E4")
    url = f"{PAGE}/meetings/{meeting.date}/notes"
    assert alan_post(url, text="Alan's notes", version="1").status_code == 302
    stale = kath_post(url, text="Katherine's notes", version="1")
    assert stale.status_code == 412
    assert "Katherine&#39;s notes" in stale.get_data(as_text=True)
    assert UnitOfWork(org).one_to_ones.meetings("E3", "E4")[0].shared_notes == "Alan's notes"


def test_hr_sees_counts_and_no_notes_and_others_cannot_open_the_page(app, org):
    _, alan_post = browser(app, "E3")
    alan_post(PAGE + "/rhythm", rhythm="weekly", first_date="2026-03-02", time="10:00", minutes="30", version="0")
    alan_post(PAGE + "/points", text="Secret plans")
    alan_post(PAGE + "/meetings/2026-03-02/held", version="1")
    hr, _ = browser(app, "E2")
    counts = hr.get("/hr/one-to-ones")
    text = counts.get_data(as_text=True)
    assert counts.status_code == 200 and "Secret plans" not in text
    assert re.search(r'data-label="Held">1<', text)
    assert hr.get(PAGE).status_code == 404
    peer, _ = browser(app, "E5")
    assert peer.get(PAGE).status_code == 404 and peer.get("/hr/one-to-ones").status_code == 403
