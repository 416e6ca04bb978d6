"""The learning plan people own through the JSON API and the pages (issue 27, point 4; Flask client on moto): an
item planned, moved along and marked done (in the log, its need addressed), its privacy (404 for anyone else, the
manager reads shared items only), bad input (422, nothing stored), and the pages' forms redisplayed with messages.
The record's PDF is read back in tests/pdf/test_learning_record_pdf.py."""

from __future__ import annotations

import re

import pytest

from tests.api.test_learning_api import csrf, my_need

pytestmark = pytest.mark.usefixtures("launched_state")
ITEM = {"kind": "course", "title": "Bayesian statistics", "target_date": "2026-03-20"}


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def test_an_item_is_planned_moved_along_and_done_into_the_log(as_, launched_cycle_id):
    me = as_("E4")
    need = my_need(me, launched_cycle_id)
    made = me.post("/api/learning/plan", {**ITEM, "need_id": need, "notes": "budget?"})
    assert made.status_code == 201 and made.headers["ETag"] == '"1"'
    iid = made.get_json()["item_id"]
    assert made.get_json()["need_name"].startswith("Statistics")
    assert me.post(f"/api/learning/plan/{iid}/actions", {"action": "start"}, version=1).get_json()["status"] == (
        "in_progress"
    )
    assert me.post(f"/api/learning/plan/{iid}/actions", {"action": "resume"}, version=2).status_code == 409
    assert me.post(f"/api/learning/plan/{iid}/done", {"hours": 6}, version=1).status_code == 412
    done = me.post(f"/api/learning/plan/{iid}/done", {"hours": 6, "learnt": "priors"}, version=2)
    assert done.status_code == 200 and done.get_json()["status"] == "done"
    (activity,) = me.get("/api/learning/activities").get_json()["activities"]
    assert (activity["activity_id"], activity["title"], activity["need_id"]) == (
        done.get_json()["activity_id"],
        "Bayesian statistics",
        need,
    )
    needs = me.get(f"/api/people/E4/training-needs?cycle_id={launched_cycle_id}").get_json()["needs"]
    assert [n["status"] for n in needs] == ["addressed"]
    assert me.patch(f"/api/learning/plan/{iid}", {"title": "Other"}, version=3).status_code == 409


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ITEM, "kind": "karaoke"}, "kind"),
        ({**ITEM, "target_date": "2026-02-01"}, "target_date"),
        ({**ITEM, "target_date": "soon"}, "target_date"),
        ({**ITEM, "title": ""}, "title"),
        ({**ITEM, "need_id": "someone-elses"}, "need_id"),
        ({**ITEM, "contact_id": "c-nobody"}, "contact_id"),
    ],
)
def test_bad_items_get_a_422_with_the_field_and_nothing_is_stored(as_, body, field):
    me = as_("E4")
    resp = me.post("/api/learning/plan", body)
    assert resp.status_code == 422 and field in resp.get_json()["errors"]
    assert me.get("/api/learning/plan").get_json()["items"] == []


def test_an_interview_item_links_to_its_contact_in_the_planner(as_):
    me = as_("E4")
    contact = me.post("/api/learning/contacts", {"name": "Mae Jemison", "role": "Scientist"}).get_json()["contact_id"]
    body = {**ITEM, "kind": "informational_interview", "title": "Talk to Mae", "contact_id": contact}
    made = me.post("/api/learning/plan", body).get_json()
    assert made["contact_name"] == "Mae Jemison"
    page = me.get(f"/learning/plan/{made['item_id']}").get_data(as_text=True)
    assert f'href="/learning/interviews/{contact}">Mae Jemison</a>' in page
    contact_page = me.get(f"/learning/interviews/{contact}").get_data(as_text=True)
    assert (
        f'In your learning plan: <a href="/learning/plan/{made["item_id"]}">Talk to Mae</a> (Planned)' in contact_page
    )


def test_the_plan_is_private_and_the_manager_reads_only_shared_items(as_, launched_cycle_id):
    me = as_("E4")
    my_need(me, launched_cycle_id)  # a submitted self assessment: the manager's review page links the shared plan
    private = me.post("/api/learning/plan", {**ITEM, "notes": "secret"}).get_json()["item_id"]
    me.post("/api/learning/plan", {**ITEM, "title": "Shared one", "notes": "secret", "shared_with_manager": True})
    for other in ("E3", "E2", "E5"):
        assert as_(other).get(f"/api/learning/plan/{private}").status_code == 404
        assert as_(other).get("/api/learning/plan").get_json()["items"] == []
    shared = as_("E3").get("/api/people/E4/learning-plan")
    assert [i["title"] for i in shared.get_json()["items"]] == ["Shared one"] and "secret" not in shared.text
    for other in ("E2", "E5", "E1"):
        assert as_(other).get("/api/people/E4/learning-plan").status_code == 404
    page = as_("E3").get("/learning/people/E4/plan").get_data(as_text=True)
    assert "Shared one" in page and "secret" not in page
    review = as_("E3").get(f"/cycles/{launched_cycle_id}/reviews/E4").get_data(as_text=True)
    assert 'href="/learning/people/E4/plan"' in review


def test_pages_plan_an_item_redisplay_errors_and_mark_it_done(auth, client):
    auth.login("E4")
    token = csrf(client.get("/learning/plan").data)
    bad = client.post("/learning/plan", data={"csrf_token": token, "kind": "course", "title": "", "target_date": ""})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "The item was not planned." in html and 'id="f-title-error"' in html
    made = client.post(
        "/learning/plan",
        data={"csrf_token": token, "kind": "reading", "title": "Thinking in Systems", "target_date": "2026-03-09"},
    )
    assert made.status_code == 302
    listed = client.get("/learning/plan").get_data(as_text=True)
    url = re.search(r'href="(/learning/plan/[^"]+)"><strong>Thinking in Systems', listed).group(1)
    assert client.post(url, data={"csrf_token": token, "version": 1, "do": "fly"}).status_code == 422
    started = client.post(url, data={"csrf_token": token, "version": 1, "do": "start"}, follow_redirects=True)
    assert "Started: it stays in your plan" in started.get_data(as_text=True)
    late = client.post(url, data={"csrf_token": token, "version": 2, "do": "done", "done_on": "2026-04-01"})
    assert late.status_code == 422 and "mark it done once it has happened" in late.get_data(as_text=True).lower()
    stale = client.post(url, data={"csrf_token": token, "version": 1, "do": "done"}, follow_redirects=True)
    assert "changed elsewhere" in stale.get_data(as_text=True)
    done = client.post(url, data={"csrf_token": token, "version": 2, "do": "done", "hours": "3", "learnt": "loops"})
    assert done.status_code == 302
    page = client.get(url).get_data(as_text=True)
    assert "See it in your learning log" in page and "Mark done" not in page
    assert "Thinking in Systems" in client.get("/learning").get_data(as_text=True)


def test_the_action_choices_offered_are_the_ones_the_domain_takes_and_done_has_its_own_request(as_):
    from service.domain.learning_plan import PLAN_WORKFLOW, PlanAction, PlanStep
    from service.domain.workflow import Progress
    from service.web.pages_learning_plan import ACTION_WORDS

    me = as_("E4")
    doc = me.get("/api/openapi.json").get_json()
    body = doc["components"]["schemas"]["LearningPlanAction"]
    assert body["properties"]["action"]["enum"] == ["start", "drop", "resume"]
    assert set(ACTION_WORDS) == set(PlanStep)  # the page's buttons: the same choices
    # Each choice is one the workflow takes from some state; "complete" is refused with the field, nothing stored.
    assert all(any(PLAN_WORKFLOW.allows(s, PlanAction(a)) for s in Progress) for a in PlanStep)
    iid = me.post("/api/learning/plan", {**ITEM, "title": "Choices"}).get_json()["item_id"]
    refused = me.post(f"/api/learning/plan/{iid}/actions", {"action": "complete"}, version=1)
    assert refused.status_code == 422 and "action" in refused.get_json()["errors"]
    assert me.get(f"/api/learning/plan/{iid}").get_json()["status"] == "planned"


def test_a_head_of_an_item_page_answers_as_its_get_and_changes_nothing(as_, auth, client):
    iid = as_("E4").post("/api/learning/plan", {**ITEM, "title": "Heads up"}).get_json()["item_id"]
    auth.login("E4")
    url = f"/learning/plan/{iid}"
    got = client.get(url)
    assert got.status_code == 200 and "Heads up" in got.get_data(as_text=True)
    # Even a HEAD carrying a step's form, as a POST would, is read as the GET: no write, no refusal.
    head = client.head(url, data={"csrf_token": csrf(got.data), "version": 1, "do": "drop"})
    assert head.status_code == 200 and head.data == b""
    item = as_("E4").get(f"/api/learning/plan/{iid}")
    assert item.headers["ETag"] == '"1"' and item.get_json()["status"] == "planned"
