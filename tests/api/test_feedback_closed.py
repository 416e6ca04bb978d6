"""Dead-end tasks (issue 25, point 1): once feedback about a person is closed (here: the manager submitted the
assessment), a request nobody answered leaves the reviewer's home, Feedback page and API list; its page says
when it closed and offers a way back instead of a form; every save, autosave, submit and decline, through the
page or the JSON API, answers 409 with one sentence and changes nothing."""

from __future__ import annotations

import pytest

from service.adapters.mailer import MemoryMailer
from tests.api.conftest import assert_error, ok, submit_manager, submit_self

pytestmark = pytest.mark.usefixtures("launched_state")

SENTENCE = "Feedback on Katherine Johnson closed on 2 Mar 2026; nothing more can be added."


@pytest.fixture(scope="module")
def app(module_app):
    module_app.extensions["reviews"].extras["mailer"] = MemoryMailer()
    return module_app


@pytest.fixture
def closed(as_, launched_cycle_id):
    """Edsger (E5) and Barbara (E6) are asked about Katherine (E4); Edsger saves a draft; her manager submits."""
    cid, review = launched_cycle_id, f"/api/cycles/{launched_cycle_id}/reviews/E4"
    ok(as_("E4").put(f"{review}/nominations", {"reviewer_ids": ["E5", "E6", "E2"]}))
    ok(as_("E3").post(f"{review}/nominations/decisions", {"approve": ["E5", "E6", "E2"]}))
    ok(as_("E5").put(f"/api/feedback/{cid}/E4/draft", {"ratings": {"delivery": 2}}, version=0))
    task = f"/feedback/{cid}/E4"
    assert task in as_("E6").get("/").text and "Katherine Johnson" in asked(as_("E6"))
    submit_self(as_("E4"), cid)
    submit_manager(as_("E3"), cid)
    return cid


def asked(actor) -> str:
    """The Feedback page's list of requests (to answer, and done)."""
    page = actor.get("/feedback").text
    return page[page.index('id="h-asked"') : page.index('id="h-send"')]


def page_post(actor, url: str, data: dict[str, str], autosave: bool = False):
    headers = {"X-Autosave": "1", "Accept": "application/json"} if autosave else {}
    return actor.client.post(url, data={**data, "csrf_token": actor.auth.csrf}, headers=headers)


def test_a_closed_request_leaves_the_home_the_feedback_page_and_the_api_list(as_, closed):
    reviewer = as_("E6")
    assert f"/feedback/{closed}/E4" not in reviewer.get("/").text
    assert "Katherine Johnson" not in asked(reviewer)
    assert [r["subject_id"] for r in ok(reviewer.get("/api/feedback/requests"))["requests"]] == []


def test_the_old_link_shows_when_it_closed_and_a_way_back_not_a_form(as_, closed):
    page = as_("E6").get(f"/feedback/{closed}/E4")
    text = page.text
    assert page.status_code == 200 and SENTENCE in text
    assert 'href="/feedback"' in text and "<textarea" not in text and "data-autosave" not in text
    assert ok(as_("E6").get(f"/api/feedback/{closed}/E4"))["closed_on"] == "2026-03-02"


def test_saves_submits_and_declines_answer_409_with_one_sentence_and_change_nothing(as_, closed):
    url, reviewer = f"/feedback/{closed}/E4", as_("E5")
    before = ok(reviewer.get(f"/api{url}"))
    autosave = page_post(reviewer, url, {"version": "1", "ratings.delivery": "4"}, autosave=True)
    assert autosave.status_code == 409 and autosave.get_json()["message"] == SENTENCE  # the script says "Not saved"
    for action in ("save", "submit"):
        page = page_post(reviewer, url, {"version": "1", "ratings.delivery": "4", "action": action})
        assert page.status_code == 409 and SENTENCE in page.text and "<textarea" not in page.text
    declined = page_post(reviewer, f"{url}/decline", {"reason": "late"})
    assert declined.status_code == 409 and SENTENCE in declined.text
    assert assert_error(reviewer.put(f"/api{url}/draft", {"ratings": {"delivery": 4}}, version=1), 409) == {}
    assert reviewer.put(f"/api{url}/draft", {"ratings": {}}, version=1).get_json()["message"] == SENTENCE
    assert reviewer.post(f"/api{url}/answer", {"ratings": {"delivery": 4}}).get_json()["message"] == SENTENCE
    assert reviewer.post(f"/api{url}/decline", {"reason": "late"}).get_json()["message"] == SENTENCE
    after = ok(reviewer.get(f"/api{url}"))
    assert after == before and after["state"] == "approved" and after["draft"]["ratings"] == {"delivery": 2}
    counts = ok(as_("E2").get(f"/api/cycles/{closed}/reviews/E4/nominations"))["counts"]["peer"]
    assert counts["answered"] == 0 and counts["declined"] == 0


def test_an_autosave_refusal_is_one_sentence_the_script_prefixes_once(as_, launched_cycle_id):
    cid, review = launched_cycle_id, f"/api/cycles/{launched_cycle_id}/reviews/E4"
    ok(as_("E4").put(f"{review}/nominations", {"reviewer_ids": ["E5", "E6", "E2"]}))
    ok(as_("E3").post(f"{review}/nominations/decisions", {"approve": ["E5", "E6", "E2"]}))
    reviewer = as_("E5")
    ok(reviewer.post(f"/api/feedback/{cid}/E4/answer", {"ratings": {"delivery": 3}}))  # in another window
    late = page_post(reviewer, f"/feedback/{cid}/E4", {"version": "0", "ratings.delivery": "4"}, autosave=True)
    assert late.status_code == 409 and late.get_json()["message"] == "this request is already answered."
