"""One-to-ones through the JSON API and the pages without JavaScript (issue 28, point 1), on the in-memory table:
the pair's agenda, shared and private notes, actions carried to the next meeting, the rhythm with its ICS
invitation, evidence in a review, HR's counts, and who may see what; a refused form comes back with its messages
and what was typed."""

from __future__ import annotations

import email
import re

import pytest

from service.adapters import keys
from service.adapters.mailer import MemoryMailer
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV, AuthActions

BASE = "/api/one-to-ones/E4"  # E3 (Alan) manages E4 (Katherine)
RHYTHM = {"rhythm": "weekly", "first_date": "2026-03-04", "time": "10:00", "minutes": 30}


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


def as_(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    headers = auth.headers()

    def call(method: str, path: str, body=None, version=None):
        extra = {"If-Match": f'"{version}"'} if version is not None else {}
        return client.open(path, method=method, json=body, headers={**headers, **extra})

    return call


def test_the_pair_shares_the_agenda_notes_and_actions_and_private_notes_stay_with_their_author(app, org):
    alan, kath = as_(app, "E3"), as_(app, "E4")
    assert alan("PUT", BASE + "/rhythm", RHYTHM, version=0).status_code == 200
    added = kath("POST", BASE + "/points", {"text": "Moving to the platform team?"})
    assert added.status_code == 201, added.get_json()
    meeting = alan("POST", BASE + "/actions", {"text": "Ask the platform lead", "owner_id": "E3"}).get_json()
    day = meeting["date"]
    assert day == "2026-03-04" and [p["text"] for p in meeting["points"]] == ["Moving to the platform team?"]
    shared = kath("PUT", f"{BASE}/meetings/{day}/notes", {"text": "Agreed to explore it."}, version=meeting["version"])
    assert shared.status_code == 200 and shared.headers["ETag"] == f'"{meeting["version"] + 1}"'
    secret = "Worried she will leave"
    assert alan("PUT", f"{BASE}/meetings/{day}/private-notes", {"text": secret}, version=0).status_code == 200
    seen_by_report = kath("GET", BASE)
    assert seen_by_report.status_code == 200
    assert secret not in seen_by_report.get_data(as_text=True)
    assert seen_by_report.get_json()["meeting"]["shared_notes"] == "Agreed to explore it."
    assert alan("GET", BASE).get_json()["private_notes"] == secret
    # Nor in the audit trail of the meeting the report could be shown: the private notes have a trail of their own.
    trail = UnitOfWork(org).audit.of_entity(keys.entity_one_to_one("E3", "E4", day))
    assert trail and secret not in str(trail)


def test_a_stale_edit_is_refused_and_changes_nothing(app, org):
    alan, kath = as_(app, "E3"), as_(app, "E4")
    meeting = kath("POST", BASE + "/points", {"text": "Training budget"}).get_json()
    day, version = meeting["date"], meeting["version"]
    assert alan("PUT", f"{BASE}/meetings/{day}/notes", {"text": "first"}, version=version).status_code == 200
    stale = kath("PUT", f"{BASE}/meetings/{day}/notes", {"text": "second"}, version=version)
    assert stale.status_code == 412 and stale.get_json()["status"] == 412
    assert kath("GET", BASE).get_json()["meeting"]["shared_notes"] == "first"
    assert kath("PUT", f"{BASE}/meetings/{day}/notes", {"text": "x"}).status_code == 428


def test_holding_a_meeting_carries_open_actions_and_invites_both_with_an_ics_file(app, org):
    alan = as_(app, "E3")
    alan("PUT", BASE + "/rhythm", RHYTHM, version=0)
    alan("POST", BASE + "/actions", {"text": "Book the course", "owner_id": "E4"})
    meeting = alan("POST", BASE + "/actions", {"text": "Share the roadmap"}).get_json()
    done_id = meeting["actions"][1]["action_id"]
    meeting = alan("PUT", f"{BASE}/actions/{done_id}", {"done": True}, version=meeting["version"]).get_json()
    held = alan("POST", f"{BASE}/meetings/{meeting['date']}/held", version=meeting["version"])
    assert held.status_code == 200 and held.get_json()["state"] == "held"
    now = alan("GET", BASE).get_json()
    assert now["meeting"]["date"] == "2026-03-11" and now["pair"]["held"] == 1
    assert [a["text"] for a in now["meeting"]["actions"]] == ["Book the course"]
    assert [m["date"] for m in now["history"]] == ["2026-03-04"]
    sent = app.extensions["reviews"].extras["mailer"].sent
    assert [m.subject for m in sent] == ["One-to-one on 2026-03-04", "One-to-one on 2026-03-11"]
    assert set(sent[1].to) == {"alan@example.com", "katherine@example.com"}
    ics = sent[1].attachments[0].data.decode()
    assert "UID:one-to-one-E3-E4-2026-03-11@review-cycles\r\n" in ics and "DTSTART:20260311T100000Z\r\n" in ics
    assert "SEQUENCE:2\r\n" in ics  # the pair's version: a re-sent meeting replaces the one calendars hold
    assert 'ATTENDEE;CN="Katherine Johnson"' in ics.replace("\r\n ", "")
    mime = email.message_from_bytes(bytes(sent[1].mime("reviews@example.com")))
    [part] = [p for p in mime.walk() if p.get_filename() == "invite.ics"]
    assert part.get_content_type() == "text/calendar"
    # A held meeting takes no more actions.
    assert alan("POST", f"{BASE}/meetings/2026-03-04/held", version=held.get_json()["version"]).status_code == 409


def test_talking_points_not_covered_carry_to_the_next_meeting_marked_as_carried(app, org):
    alan, kath = as_(app, "E3"), as_(app, "E4")
    alan("PUT", BASE + "/rhythm", RHYTHM, version=0)
    kath("POST", BASE + "/points", {"text": "My promotion case"})
    meeting = alan("POST", BASE + "/points", {"text": "The on-call rota"}).get_json()
    rota = meeting["points"][1]["point_id"]
    meeting = kath("PUT", f"{BASE}/points/{rota}", {"covered": True}, version=meeting["version"]).get_json()
    assert [p["covered"] for p in meeting["points"]] == [False, True]
    alan("POST", f"{BASE}/meetings/{meeting['date']}/held", version=meeting["version"])
    stored = UnitOfWork(org).one_to_ones.meeting("E3", "E4", "2026-03-11")
    assert [(p.text, p.carried_from, p.covered) for p in stored.points] == [("My promotion case", "2026-03-04", False)]
    # Not covered again: it moves on once more, still marked with the meeting it was first on.
    nxt = alan("GET", BASE).get_json()["meeting"]
    alan("POST", f"{BASE}/meetings/{nxt['date']}/held", version=nxt["version"])
    later = UnitOfWork(org).one_to_ones.meeting("E3", "E4", "2026-03-18")
    assert [(p.text, p.carried_from) for p in later.points] == [("My promotion case", "2026-03-04")]
    assert kath("PUT", f"{BASE}/points/nope", {"covered": True}, version=later.version).status_code == 422
    assert kath("PUT", f"{BASE}/points/{rota}", {"covered": "maybe"}, version=later.version).status_code == 422
    assert UnitOfWork(org).one_to_ones.meeting("E3", "E4", "2026-03-18").version == later.version


def test_bad_input_is_a_field_error_and_changes_nothing(app, org):
    kath = as_(app, "E4")
    bad = kath("PUT", BASE + "/rhythm", {**RHYTHM, "rhythm": "daily", "time": "25:99"}, version=0)
    assert bad.status_code == 422 and set(bad.get_json()["errors"]) == {"rhythm", "time"}
    far = kath("PUT", BASE + "/rhythm", {**RHYTHM, "first_date": "9999-12-31"}, version=0)
    assert far.status_code == 422 and set(far.get_json()["errors"]) == {"first_date"}
    assert kath("POST", BASE + "/points", {"text": "  "}).status_code == 422
    wrong = kath("POST", BASE + "/points", {"source": "goal", "ref": "nope"})
    assert wrong.status_code == 422 and "ref" in wrong.get_json()["errors"]
    owner = kath("POST", BASE + "/actions", {"text": "x", "owner_id": "E5"})
    assert owner.status_code == 422 and "owner_id" in owner.get_json()["errors"]
    assert UnitOfWork(org).one_to_ones.meetings("E3", "E4") == []
    assert UnitOfWork(org).one_to_ones.pair("E3", "E4") is None


def test_only_the_pair_sees_it_and_hr_sees_counts_only(app, org):
    alan, kath = as_(app, "E3"), as_(app, "E4")
    alan("PUT", BASE + "/rhythm", RHYTHM, version=0)
    m = kath("POST", BASE + "/points", {"text": "Confidential topic"}).get_json()
    alan("POST", f"{BASE}/meetings/{m['date']}/held", version=m["version"])
    for outsider in ("E5", "E2", "E1"):  # a peer, HR, the manager's manager
        assert as_(app, outsider)("GET", BASE).status_code == 404
        assert as_(app, outsider)("POST", BASE + "/points", {"text": "x"}).status_code == 404
    hr = as_(app, "E2")("GET", "/api/hr/one-to-ones")
    assert hr.status_code == 200 and "Confidential" not in hr.get_data(as_text=True)
    [row] = hr.get_json()["pairs"]
    assert (row["manager_name"], row["report_name"], row["held"], row["next_date"]) == (
        "Alan Turing",
        "Katherine Johnson",
        1,
        "2026-03-11",
    )
    assert kath("GET", "/api/hr/one-to-ones").status_code == 403
    mine = kath("GET", "/api/one-to-ones").get_json()["one_to_ones"]
    assert [(p["with_name"], p["held"]) for p in mine] == [("Alan Turing", 1)]


def test_a_goal_note_or_review_action_goes_on_the_agenda_by_reference(app, org, clock):
    from service.domain.one_to_ones import PointSource

    cycle = f.launched_cycle(org, clock)
    kath = as_(app, "E4")
    body = {"level": "individual", "title": "Ship the importer", "cycle_id": cycle.cycle_id, "weight": 100}
    goal = kath("POST", "/api/goals", {**body, "key_results": [{"id": "k", "title": "files", "target": 4}]}).get_json()
    suggestions = kath("GET", BASE).get_json()["suggestions"]
    assert {"source": "goal", "ref": goal["goal_id"], "text": "Goal: Ship the importer"} in suggestions
    added = kath(
        "POST", BASE + "/points", {"source": PointSource.GOAL.value, "ref": goal["goal_id"], "text": "ignored"}
    )
    assert added.status_code == 201
    [point] = added.get_json()["points"]
    assert (point["source"], point["text"]) == ("goal", "Goal: Ship the importer")
    again = kath("POST", BASE + "/points", {"source": "goal", "ref": goal["goal_id"]})
    assert again.status_code == 422  # already on the agenda: no longer offered


def test_a_held_meeting_is_pulled_into_the_review_as_evidence(app, org, clock):
    cycle = f.launched_cycle(org, clock)
    alan = as_(app, "E3")
    m = alan("POST", BASE + "/actions", {"text": "Pair on the importer", "owner_id": "E4"}).get_json()
    m = alan(
        "PUT", f"{BASE}/meetings/{m['date']}/notes", {"text": "Shipping went well."}, version=m["version"]
    ).get_json()
    alan("PUT", f"{BASE}/meetings/{m['date']}/private-notes", {"text": "private words"}, version=0)
    upcoming = alan("POST", f"{BASE}/meetings/{m['date']}/evidence", {"cycle_id": cycle.cycle_id})
    assert upcoming.status_code == 409  # only a held meeting (and a pair with a rhythm holds one)
    alan("PUT", BASE + "/rhythm", {**RHYTHM, "first_date": "2026-03-02"}, version=0)
    alan("POST", f"{BASE}/meetings/{m['date']}/held", version=m["version"])
    pulled = alan("POST", f"{BASE}/meetings/{m['date']}/evidence", {"cycle_id": cycle.cycle_id})
    assert pulled.status_code == 200 and pulled.get_json()["evidence"] == [cycle.cycle_id]
    page = as_(app, "E3")("GET", f"/cycles/{cycle.cycle_id}/reviews/E4/manager").get_data(as_text=True)
    assert "Shipping went well." in page and "Pair on the importer" in page and "private words" not in page
    assert re.search(r"One-to-ones used as evidence", page)


def test_the_openapi_document_describes_the_one_to_one_operations(app):
    doc = as_(app, "E4")("GET", "/api/openapi.json").get_json()
    rhythm = doc["paths"]["/api/one-to-ones/{employee_id}/rhythm"]["put"]
    assert {"200", "412", "422", "428"} <= set(rhythm["responses"])
    schemas = doc["components"]["schemas"]
    body = next(s for n, s in schemas.items() if n.startswith("RhythmIn"))
    assert body["properties"]["rhythm"]["enum"] == ["weekly", "fortnightly", "monthly"]
    assert "/api/hr/one-to-ones" in doc["paths"] and "post" in doc["paths"]["/api/one-to-ones/{employee_id}/points"]


# --- the pages, as a browser without JavaScript sends them ------------------------------------------------------

PAGE = "/one-to-ones/E4"


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


def test_a_point_marked_covered_on_the_page_stays_and_one_not_covered_shows_as_carried(app, org):
    alan, alan_post = browser(app, "E3")
    alan_post(PAGE + "/rhythm", rhythm="weekly", first_date="2026-03-04", time="10:00", minutes="30", version="0")
    alan_post(PAGE + "/points", text="Conference budget")
    alan_post(PAGE + "/points", text="Team offsite")
    page = alan.get(PAGE).get_data(as_text=True)
    (offsite,) = re.findall(r'action="/one-to-ones/E4/points/([^"]+)"', page)[1:]
    (version,) = set(re.findall(r'name="version" value="(\d+)"', page.split('id="h-agenda"')[1].split("</ol>")[0]))
    assert alan_post(f"{PAGE}/points/{offsite}", covered="true", version=version).status_code == 302
    assert "covered</span> Team offsite" in alan.get(PAGE).get_data(as_text=True)
    alan_post(PAGE + "/meetings/2026-03-04/held", version=str(int(version) + 1))
    page = alan.get(PAGE).get_data(as_text=True)
    agenda = page.split('id="h-agenda"')[1].split("</ol>")[0]
    assert "Conference budget" in agenda and "carried from" in agenda and "Team offsite" not in agenda


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


def test_the_shared_notes_of_a_meeting_not_written_yet_are_saved_from_its_page(app, org):
    alan, alan_post = browser(app, "E3")
    alan_post(PAGE + "/rhythm", rhythm="weekly", first_date="2026-03-04", time="10:00", minutes="30", version="0")
    saved = alan_post(PAGE + "/meetings/2026-03-04/notes", text="Prepared before we meet", version="0")
    assert saved.status_code == 302
    assert "Prepared before we meet" in alan.get(PAGE).get_data(as_text=True)
    assert alan_post(PAGE + "/meetings/2026-03-11/notes", text="x", version="0").status_code == 404


def test_my_time_zone_through_the_api_refuses_a_bad_name_and_moves_the_shown_time(app, org):
    kath, alan = as_(app, "E4"), as_(app, "E3")
    alan("PUT", BASE + "/rhythm", RHYTHM, version=0)  # 10:00 in the organisation's zone, UTC here
    mine = kath("GET", "/api/me/time-zone")
    assert mine.get_json() == {"own": None, "effective": "UTC", "version": int(mine.headers["ETag"].strip('"'))}
    bad = kath("PUT", "/api/me/time-zone", {"time_zone": "Europe/Nowhere"}, version=mine.get_json()["version"])
    assert bad.status_code == 422 and "time_zone" in bad.get_json()["errors"]
    assert UnitOfWork(org).directory.get("E4").time_zone is None
    good = kath("PUT", "/api/me/time-zone", {"time_zone": "Asia/Kolkata"}, version=mine.get_json()["version"])
    assert good.status_code == 200 and good.get_json()["effective"] == "Asia/Kolkata"
    view = kath("GET", BASE).get_json()
    assert view["zone"] == "Asia/Kolkata" and view["starts_at"].startswith("2026-03-04T10:00")
    assert view["local_start"].startswith("2026-03-04T15:30") and view["pair"]["zone"] == "UTC"
    stale = kath("PUT", "/api/me/time-zone", {"time_zone": ""}, version=mine.get_json()["version"])
    assert stale.status_code == 412 and UnitOfWork(org).directory.get("E4").time_zone == "Asia/Kolkata"


def test_the_page_shows_the_meeting_in_my_zone_named_and_a_bad_zone_comes_back_with_its_message(app, org):
    alan, alan_post = browser(app, "E3")
    alan_post(PAGE + "/rhythm", rhythm="weekly", first_date="2026-03-04", time="10:00", minutes="30", version="0")
    listing = alan.get("/one-to-ones").get_data(as_text=True)
    (version,) = re.findall(r'name="version" value="(\d+)"', listing)
    refused = alan_post("/me/time-zone", time_zone="Berlin", version=version)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert 'id="time_zone-error"' in page and 'value="Berlin"' in page and "is not a time zone" in page
    assert alan_post("/me/time-zone", time_zone="Europe/Berlin", version=version).status_code == 302
    page = alan.get(PAGE).get_data(as_text=True)
    assert 'Next meeting: 4 Mar 2026 at 11:00 <span class="zone">(Europe/Berlin)</span>' in page
    assert 'name="time" maxlength="2000" value="11:00"' in page


# --- a meeting pulled into a review that is now finalised (limits of issue 28) ------------------------------------


def _pulled_and_finalised(app, org, clock) -> tuple[str, str]:
    """A held meeting with shared notes and an action, pulled into E4's review, which is then finalised:
    (the cycle id, the meeting's date)."""
    from tests.pdf.conftest import finalise_e4

    cycle = f.launched_cycle(org, clock)
    alan = as_(app, "E3")
    alan("PUT", BASE + "/rhythm", {**RHYTHM, "first_date": "2026-03-02"}, version=0)
    m = alan("POST", BASE + "/actions", {"text": "Pair on the importer", "owner_id": "E4"}).get_json()
    m = alan("PUT", f"{BASE}/meetings/{m['date']}/notes", {"text": "As agreed."}, version=m["version"]).get_json()
    alan("POST", f"{BASE}/meetings/{m['date']}/held", version=m["version"])
    assert alan("POST", f"{BASE}/meetings/{m['date']}/evidence", {"cycle_id": cycle.cycle_id}).status_code == 200
    finalise_e4(org, cycle.cycle_id, clock)
    return cycle.cycle_id, m["date"]


def test_a_meeting_in_a_finalised_review_keeps_what_was_pulled_in_and_private_notes_stay_editable(app, org, clock):
    _, day = _pulled_and_finalised(app, org, clock)
    alan, kath = as_(app, "E3"), as_(app, "E4")
    before = UnitOfWork(org).one_to_ones.meeting("E3", "E4", day)
    refused = kath("PUT", f"{BASE}/meetings/{day}/notes", {"text": "Rewritten later."}, version=before.version)
    assert refused.status_code == 409
    body = refused.get_json()
    assert body["status"] == 409 and "part of the finalised review" in body["message"]
    assert UnitOfWork(org).one_to_ones.meeting("E3", "E4", day) == before
    mine = alan("PUT", f"{BASE}/meetings/{day}/private-notes", {"text": "still mine to edit"}, version=0)
    assert mine.status_code == 200
    assert UnitOfWork(org).one_to_ones.private_note("E3", "E4", day, "E3")["text"] == "still mine to edit"
    view = kath("GET", BASE).get_json()
    assert list(view["frozen"]) == [day]
    doc = kath("GET", "/api/openapi.json").get_json()
    assert "409" in doc["paths"]["/api/one-to-ones/{employee_id}/meetings/{day}/notes"]["put"]["responses"]


def test_a_held_meeting_is_not_pulled_into_a_finalised_review(app, org, clock):
    from tests.pdf.conftest import finalise_e4

    cycle = f.launched_cycle(org, clock)
    alan = as_(app, "E3")
    alan("PUT", BASE + "/rhythm", {**RHYTHM, "first_date": "2026-03-02"}, version=0)
    m = alan("POST", BASE + "/points", {"text": "Budget"}).get_json()
    alan("POST", f"{BASE}/meetings/{m['date']}/held", version=m["version"])
    finalise_e4(org, cycle.cycle_id, clock)
    refused = alan("POST", f"{BASE}/meetings/{m['date']}/evidence", {"cycle_id": cycle.cycle_id})
    assert refused.status_code == 409 and "is finalised" in refused.get_json()["message"]
    assert UnitOfWork(org).one_to_ones.meeting("E3", "E4", m["date"]).evidence == ()


def test_the_page_says_a_meeting_is_part_of_a_finalised_review_and_refuses_its_shared_notes(app, org, clock):
    _, day = _pulled_and_finalised(app, org, clock)
    kath, kath_post = browser(app, "E4")
    page = kath.get(PAGE).get_data(as_text=True)
    assert "Part of the finalised review" in page
    assert "Use in the review" not in page and "evidence in " not in page  # the finalised review is not offered
    before = UnitOfWork(org).one_to_ones.meeting("E3", "E4", day)
    refused = kath_post(f"{PAGE}/meetings/{day}/notes", text="Rewritten later.", version=str(before.version))
    assert refused.status_code == 409
    assert "can no longer change" in refused.get_data(as_text=True)
    assert UnitOfWork(org).one_to_ones.meeting("E3", "E4", day) == before
    form = re.search(rf'action="{PAGE}/meetings/{day}/private-notes".*?name="version" value="(\d+)"', page, re.S)
    assert form and "Edit your private notes" in page  # the held meeting's own private-notes form
    saved = kath_post(f"{PAGE}/meetings/{day}/private-notes", text="mine", version=form.group(1), held="1")
    assert saved.status_code == 302
    assert "Your private notes: mine" in kath.get(PAGE).get_data(as_text=True)
    stale = kath_post(f"{PAGE}/meetings/{day}/private-notes", text="again", version=form.group(1), held="1")
    assert stale.status_code == 412 and f'id="private-{day}-text"' in stale.get_data(as_text=True)
    assert UnitOfWork(org).one_to_ones.private_note("E3", "E4", day, "E4")["text"] == "mine"


# --- "today" on the reader's wall clock (limits of issue 28) ------------------------------------------------------


def test_just_after_midnight_in_auckland_the_page_shows_the_next_meeting_and_new_points_go_to_it(app, org, clock):
    from datetime import UTC, datetime

    kath = as_(app, "E4")
    zone = kath("PUT", "/api/me/time-zone", {"time_zone": "Pacific/Auckland"}, version=0)
    assert zone.status_code == 200, zone.get_json()
    set_ = kath("PUT", BASE + "/rhythm", {**RHYTHM, "first_date": "2026-03-04", "time_zone": "Pacific/Auckland"}, 0)
    assert set_.status_code == 200 and set_.get_json()["zone"] == "Pacific/Auckland"
    clock.at = datetime(2026, 3, 4, 11, 30, tzinfo=UTC)  # 00:30 on 5 March in Auckland: the 4 March meeting is past
    view = kath("GET", BASE).get_json()
    assert view["meeting"]["date"] == "2026-03-11" and view["local_start"].startswith("2026-03-11T10:00")
    assert kath("GET", "/api/one-to-ones").get_json()["one_to_ones"][0]["next_date"] == "2026-03-11"
    added = kath("POST", BASE + "/points", {"text": "After midnight"}).get_json()
    assert added["date"] == "2026-03-11"
    assert [m.date for m in UnitOfWork(org).one_to_ones.meetings("E3", "E4")] == ["2026-03-11"]
    page, _ = browser(app, "E4")
    assert "Next meeting: 11 Mar 2026 at 10:00" in page.get(PAGE).get_data(as_text=True)
