"""Error sentences people read name things in words, never by raw ids (issue 25): the JSON message and the
error page's lead say "There is no such review…", while the ids asked for stay in the request's own address."""

from __future__ import annotations

from service.domain.errors import NO_CYCLE, NO_GOAL, NO_REVIEW
from tests import factories as f
from tests.conftest import AuthActions


def _client(app, employee_id: str):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login(employee_id)
    return client, auth


def test_a_missing_review_is_told_in_words_in_json_and_on_the_page(app, seeded, clock):
    cycle = f.launched_cycle(seeded, clock).cycle_id
    client, auth = _client(app, "E1")
    resp = client.get(f"/api/cycles/{cycle}/reviews/E999", headers=auth.headers())
    body = resp.get_json()
    assert resp.status_code == 404 and body["message"] == NO_REVIEW
    assert "E999" not in str(body) and cycle not in str(body)
    page = client.get(f"/cycles/{cycle}/reviews/E999")
    html = page.get_data(as_text=True)
    assert page.status_code == 404 and "There is no such review for you to see in this cycle." in html
    assert "E999" not in html.replace(f"/cycles/{cycle}/reviews/E999", "")  # only in the address itself


def test_a_missing_goal_and_cycle_are_told_without_their_ids(app, seeded, clock):
    client, auth = _client(app, "E1")
    resp = client.get("/api/goals/g-nope-42", headers=auth.headers())
    assert resp.status_code == 404 and resp.get_json()["message"] == NO_GOAL and "g-nope-42" not in str(resp.get_json())
    body = {"level": "individual", "title": "Ship", "cycle_id": "c-nope-42", "weight": 100}
    resp = client.post("/api/goals", json=body, headers=auth.headers())
    assert resp.status_code == 422 and resp.get_json()["errors"] == {"cycle_id": ["no such cycle"]}
    resp = client.get("/api/cycles/c-nope-42", headers=auth.headers())
    assert resp.status_code == 404 and resp.get_json()["message"] == NO_CYCLE, resp.get_json()
