"""Continuous learning through the JSON API and the pages (Flask client on moto): the log, the planner from a
contact to a completed interview with a referral, its privacy (404 for everyone else), evidence in the self
assessment with the manager's comment, the report's suppression, and bad input."""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


COURSE = {"type": "course", "title": "Statistics", "date": "2026-02-10", "hours": 6, "learnt": "Bayes"}


def my_need(actor, cycle_id: str, employee_id: str = "E4", topic: str = "Statistics") -> str:
    """Submit the self assessment naming one training need; the typed need's id (as the person reads it)."""
    from tests.api.conftest import jsonable, submit_self

    submit_self(actor, cycle_id, employee_id, training_needs=jsonable([{"topic": topic, "priority": "high"}]))
    needs = actor.get(f"/api/people/{employee_id}/training-needs?cycle_id={cycle_id}").get_json()["needs"]
    return next(n["need_id"] for n in needs if n["topic"] == topic)


def test_an_activity_is_logged_read_changed_and_removed(as_, launched_cycle_id):
    me = as_("E4")
    need = my_need(me, launched_cycle_id)
    made = me.post("/api/learning/activities", COURSE)
    assert made.status_code == 201 and made.headers["ETag"] == '"1"'
    aid = made.get_json()["activity_id"]
    assert [a["title"] for a in me.get("/api/learning/activities").get_json()["activities"]] == ["Statistics"]
    changed = me.patch(f"/api/learning/activities/{aid}", {"hours": 8, "need_id": need}, version=1)
    assert changed.status_code == 200 and changed.get_json()["need_id"] == need
    needs = me.get(f"/api/people/E4/training-needs?cycle_id={launched_cycle_id}").get_json()["needs"]
    assert [(n["need_id"], n["status"]) for n in needs] == [(need, "addressed")]
    assert me.patch(f"/api/learning/activities/{aid}", {"hours": 9}, version=1).status_code == 412
    assert me.send("DELETE", f"/api/learning/activities/{aid}", version=2).status_code == 204
    assert me.get(f"/api/learning/activities/{aid}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**COURSE, "type": "karaoke"}, "type"),
        ({**COURSE, "date": "2026-12-31"}, "date"),
        ({**COURSE, "hours": -2}, "hours"),
        ({**COURSE, "need_id": "../x"}, "need_id"),
        ({k: v for k, v in COURSE.items() if k != "title"}, "title"),
    ],
)
def test_bad_activities_get_a_422_with_the_field_and_nothing_is_stored(as_, body, field):
    me = as_("E4")
    resp = me.post("/api/learning/activities", body)
    assert resp.status_code == 422 and field in resp.get_json()["errors"]
    assert me.get("/api/learning/activities").get_json()["activities"] == []


def test_an_unknown_or_a_colleagues_need_is_a_422_on_need_id_and_nothing_is_stored(as_, launched_cycle_id):
    theirs = my_need(as_("E5"), launched_cycle_id, "E5")
    me = as_("E4")
    for need in (theirs, f"{launched_cycle_id}.E4.self.7"):
        resp = me.post("/api/learning/activities", {**COURSE, "need_id": need})
        assert resp.status_code == 422 and resp.get_json()["errors"] == {"need_id": ["no such training need of yours"]}
    assert me.get("/api/learning/activities").get_json()["activities"] == []
    assert as_("E1").get("/api/learning/report?year=2026").get_json()["rows"] == {}
    needs = as_("E5").get(f"/api/people/E5/training-needs?cycle_id={launched_cycle_id}").get_json()["needs"]
    assert [n["status"] for n in needs] == ["open"]


def test_from_a_contact_to_a_completed_interview_with_a_referral(as_):
    me = as_("E4")
    made = me.post(
        "/api/learning/contacts",
        {"name": "Mae Jemison", "role": "Data Scientist", "organisation": "Orbit", "found_via": "conference"},
    )
    assert made.status_code == 201
    cid = made.get_json()["contact_id"]
    assert "20 minutes" in made.get_json()["outreach"]
    sent = me.post(f"/api/learning/contacts/{cid}/actions", {"action": "send"}, version=1)
    assert sent.get_json()["follow_up_on"] == "2026-03-09"
    on = me.post(
        f"/api/learning/contacts/{cid}/actions", {"action": "schedule", "scheduled_for": "2026-03-01"}, version=2
    )
    assert on.get_json()["status"] == "scheduled"
    body = {"learnt": "Start with the data", "referrals": [{"name": "Dorothy Vaughan", "role": "Lead"}]}
    done = me.post(f"/api/learning/contacts/{cid}/complete", body, version=3)
    assert done.status_code == 200 and done.get_json()["status"] == "completed"
    tree = me.get("/api/learning/contacts").get_json()["tree"]
    assert tree[0]["name"] == "Mae Jemison" and tree[0]["referrals"][0]["name"] == "Dorothy Vaughan"
    log = me.get("/api/learning/activities").get_json()["activities"]
    assert [a["type"] for a in log] == ["informational_interview"]


def test_the_planner_is_404_for_everyone_else_and_a_summary_reaches_only_the_manager(as_):
    me = as_("E4")
    cid = me.post("/api/learning/contacts", {"name": "Mae", "role": "Scientist"}).get_json()["contact_id"]
    for other in ("E2", "E3", "E1", "E5"):
        peer = as_(other)
        assert peer.get(f"/api/learning/contacts/{cid}").status_code == 404
        assert peer.patch(f"/api/learning/contacts/{cid}", {"notes": "x"}, version=1).status_code == 404
        assert peer.get(f"/learning/interviews/{cid}").status_code == 404
    assert as_("E3").get("/api/learning/people/E4/interview-summaries").get_json() == {"summaries": []}
    assert as_("E2").get("/api/learning/people/E4/interview-summaries").status_code == 404


def test_evidence_is_picked_in_the_self_assessment_and_the_manager_comments(as_, launched_cycle_id):
    me = as_("E4")
    aid = me.post("/api/learning/activities", COURSE).get_json()["activity_id"]
    picks = me.get(f"/api/learning/evidence?cycle_id={launched_cycle_id}").get_json()["activities"]
    assert [a["activity_id"] for a in picks] == [aid]
    page = me.get(f"/cycles/{launched_cycle_id}/reviews/E4/self")
    assert page.status_code == 200 and f'value="{aid}"' in page.get_data(as_text=True)
    review = me.get(f"/api/cycles/{launched_cycle_id}/reviews/E4").get_json()
    from tests import factories as f
    from tests.api.conftest import jsonable

    content = jsonable(f.self_content(learning_refs=[aid]))
    saved = me.put(
        f"/api/cycles/{launched_cycle_id}/reviews/E4/self", {"content": content, "submit": True}, review["version"]
    )
    assert saved.status_code == 200, saved.get_json()
    boss = as_("E3")
    url = f"/api/learning/reviews/{launched_cycle_id}/E4/evidence/{aid}/comments"
    assert boss.post(url, {"text": "Use it on the SLOs."}).status_code == 201
    assert as_("E5").post(url, {"text": "Me too"}).status_code in (403, 404)
    html = boss.get(f"/cycles/{launched_cycle_id}/reviews/E4").get_data(as_text=True)
    assert "Learning activities from the log" in html and "Use it on the SLOs." in html


def test_the_report_is_for_leadership_and_hides_small_groups(as_):
    as_("E4").post("/api/learning/activities", COURSE)
    report = as_("E1").get("/api/learning/report?year=2026")
    assert report.status_code == 200
    assert report.get_json()["rows"]["Engineering"]["*"] is None
    assert as_("E4").get("/api/learning/report?year=2026").status_code == 403
    assert as_("E1").get("/api/learning/report?year=20x6").status_code == 422
    html = as_("E1").get("/learning/report?year=2026").get_data(as_text=True)
    assert 'withheld<span class="visually-hidden"> (fewer than 5 people, or it would reveal such a group)' in html
    assert ">—<" not in html


def test_the_learning_and_training_reports_say_withheld_with_one_explanation(as_):
    """Issue 25: the same word for a figure withheld and the same sentence explaining it, on both reports."""
    as_("E4").post("/api/learning/activities", COURSE)
    learning = as_("E1").get("/learning/report?year=2026").get_data(as_text=True)
    training = as_("E1").get("/reports/training").get_data(as_text=True)
    sentence = (
        "A figure marked “withheld” counts fewer than 5 people, or would give such a group away: it is never zero."
    )
    assert sentence in learning and sentence in training


def test_the_report_page_shows_the_kinds_it_can_and_names_those_withheld(as_):
    for who in ("E1", "E2", "E3", "E4", "E5", "E6"):
        assert as_(who).post("/api/learning/activities", COURSE).status_code == 201
    as_("E4").post("/api/learning/activities", {**COURSE, "type": "reading", "title": "A book"})
    html = as_("E1").get("/learning/report?year=2026").get_data(as_text=True)
    by_kind = html[html.index('id="h-type"') : html.index('id="h-cross"')]
    # Course (6 people, with 1 of them also reading) is withheld: everyone minus those on a course would be 0 or 1
    # person. Only sentences name the kinds, no table row of nothing but "—".
    assert "<table" not in by_kind and "Withheld in 2026" in by_kind and "Course, Reading." in by_kind
    cross = html[html.index('id="h-cross"') :]
    assert "<table" not in cross and "No kind of activity can be shown per department in 2026" in cross
    as_("E4").post("/api/learning/activities", {**COURSE, "type": "course", "title": "More statistics"})
    for who in ("E1", "E2", "E3", "E5", "E6"):
        as_(who).post("/api/learning/activities", {**COURSE, "type": "reading", "title": "A book"})
    html = as_("E1").get("/learning/report?year=2026").get_data(as_text=True)
    by_kind = html[html.index('id="h-type"') : html.index('id="h-cross"')]
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="num">(\d+)</td>', by_kind)
    assert rows == [("Course", "6"), ("Reading", "6")] and "Withheld" not in by_kind


def test_pages_add_a_contact_complete_it_with_a_referral_and_show_the_tree(auth, client):
    auth.login("E4")
    page = client.get("/learning/interviews")
    token = csrf(page.data)
    resp = client.post(
        "/learning/interviews",
        data={
            "csrf_token": token,
            "name": "Mae Jemison",
            "role": "Scientist",
            "organisation": "Orbit",
            "found_via": "alumni",
            "format": "video",
            "purpose": "",
        },
    )
    assert resp.status_code == 302
    url = resp.headers["Location"]
    html = client.get(url).get_data(as_text=True)
    assert "Dear Mae" in html and "Mark as sent" in html
    for version, data in ((1, {"do": "send"}), (2, {"do": "schedule", "scheduled_for": "2026-03-01T10:00"})):
        assert client.post(url, data={"csrf_token": token, "version": version, **data}).status_code == 302
    bad = client.post(url, data={"csrf_token": token, "version": 3, "do": "complete", "learnt": ""})
    assert bad.status_code == 422 and "What you learnt" in bad.get_data(as_text=True)
    done = client.post(
        url,
        data={
            "csrf_token": token,
            "version": 3,
            "do": "complete",
            "learnt": "Plenty",
            "referrals.0.name": "Dorothy Vaughan",
            "referrals.0.role": "Lead",
        },
    )
    assert done.status_code == 302
    tree = client.get("/learning/interviews").get_data(as_text=True)
    assert tree.index("Mae Jemison") < tree.index("Dorothy Vaughan") and 'class="referral-tree"' in tree
    log = client.get("/learning").get_data(as_text=True)
    assert "Informational interview: Scientist at Orbit" in log


def test_pages_log_an_activity_and_redisplay_errors(auth, client, as_, launched_cycle_id):
    need = my_need(as_("E4"), launched_cycle_id)
    auth.login("E4")
    form = client.get("/learning").get_data(as_text=True)
    assert re.search(rf'name="need_id" value="{re.escape(need)}"> Statistics \(', form)  # offered by topic and cycle
    token = csrf(form.encode())
    bad = client.post("/learning", data={"csrf_token": token, "type": "course", "title": "", "date": "2026-02-01"})
    assert bad.status_code == 422 and "The learning activity was not saved." in bad.get_data(as_text=True)
    assert "What it was" in bad.get_data(as_text=True)
    mentoring = {
        "csrf_token": token,
        "type": "mentoring",
        "title": "Mentoring with Sam",
        "date": "2026-02-01",
        "hours": "2",
    }
    ok = client.post("/learning", data=mentoring | {"need_id": "need-9"})
    assert ok.status_code == 422 and "No such training need of yours." in ok.get_data(as_text=True)
    assert ok.get_data(as_text=True).count('id="f-need_id-error"') == 1
    ok = client.post("/learning", data=mentoring | {"need_id": need})
    assert ok.status_code == 302
    html = client.get("/learning").get_data(as_text=True)
    assert "Mentoring with Sam" in html and "addresses the training need “Statistics (2026 annual review)”" in html


def test_pages_change_an_activity_redisplay_a_refusal_and_remove_it(as_, auth, client):
    me = as_("E4")
    aid = me.post("/api/learning/activities", COURSE).get_json()["activity_id"]
    url = f"/learning/activities/{aid}"
    token = csrf(client.get(url).data)
    fields = {"csrf_token": token, "type": "course", "date": "2026-02-10", "hours": "6"}
    bad = client.post(url, data=fields | {"title": "", "version": "1"})
    assert bad.status_code == 422 and "The learning activity was not saved." in bad.get_data(as_text=True)
    assert me.get(f"/api/learning/activities/{aid}").get_json()["title"] == "Statistics"
    saved = client.post(url, data=fields | {"title": "Statistics II", "version": "1"})
    assert saved.status_code == 302 and saved.headers["Location"].endswith(url)
    assert me.get(f"/api/learning/activities/{aid}").get_json()["title"] == "Statistics II"
    removed = client.post(url, data={"csrf_token": token, "do": "delete", "version": "2"})
    assert removed.status_code == 302 and removed.headers["Location"].endswith("/learning")
    assert me.get(f"/api/learning/activities/{aid}").status_code == 404
