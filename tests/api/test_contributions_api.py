"""Contribution requests (issue 28, point 3): the manager asks a project lead; the contributor gets a task and a
small form; the manager reads it, HR sees that it exists, the employee never sees it."""

from __future__ import annotations

import re

import pytest

from service.adapters.mailer import MemoryMailer
from tests.api.conftest import assert_error, ok, review_url

pytestmark = pytest.mark.usefixtures("launched_state")
ASK = {"contributor_id": "E6", "question": "How did Katherine lead the data migration?"}
WORDS = "She planned it well and kept everyone informed."


@pytest.fixture(scope="module")
def app(module_app):
    module_app.extensions["reviews"].extras["mailer"] = MemoryMailer()
    return module_app


def test_the_contribution_reaches_the_manager_only(app, as_, launched_cycle_id):
    cid = launched_cycle_id
    url = review_url(cid, "E4", "contributions")
    asked = ok(as_("E3").post(url, ASK), 201)
    assert app.extensions["reviews"].extras["mailer"].sent[-1].to == ("barbara@example.com",)
    contributor = as_("E6")
    home = contributor.get("/").get_data(as_text=True)
    assert "Give your contribution to Katherine Johnson" in home
    mine = ok(contributor.get("/api/contributions"))["contributions"]
    assert [(c["employee_id"], c["question"]) for c in mine] == [("E4", ASK["question"])]
    given = ok(contributor.put(f"/api/contributions/{asked['contribution_id']}", {"text": WORDS}, asked["version"]))
    assert given["state"] == "given"
    assert "Give your contribution" not in contributor.get("/").get_data(as_text=True)
    rows = ok(as_("E3").get(url))["contributions"]
    assert [(r["contributor_name"], r["text"]) for r in rows] == [("Barbara Liskov", WORDS)]
    hr_rows = ok(as_("E2").get(url))["contributions"]
    assert [(r["state"], r["text"], r["question"]) for r in hr_rows] == [("given", None, None)]
    employee = as_("E4")
    assert_error(employee.get(url), 404)
    assert WORDS not in employee.get(review_url(cid, "E4")).get_data(as_text=True)
    assert WORDS not in employee.get(f"/cycles/{cid}/reviews/E4").get_data(as_text=True)
    assert WORDS not in as_("E2").get(review_url(cid, "E4")).get_data(as_text=True)  # not part of the review
    page = as_("E3").get(f"/cycles/{cid}/reviews/E4/contributions").get_data(as_text=True)
    assert WORDS in page


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**ASK, "contributor_id": "E4"}, "contributor_id"),  # the employee
        ({**ASK, "contributor_id": "E99"}, "contributor_id"),  # nobody
        ({**ASK, "question": "   "}, "question"),
        ({"contributor_id": "E6"}, "question"),
    ],
)
def test_a_bad_request_is_a_field_error_and_stores_nothing(as_, launched_cycle_id, body, field):
    url = review_url(launched_cycle_id, "E4", "contributions")
    assert field in assert_error(as_("E3").post(url, body), 422)
    assert ok(as_("E3").get(url))["contributions"] == []


def test_only_the_manager_asks_and_only_the_contributor_writes(as_, launched_cycle_id):
    url = review_url(launched_cycle_id, "E4", "contributions")
    assert_error(as_("E5").post(url, ASK), 404)  # a colleague: the review does not exist for them
    assert_error(as_("E2").post(url, ASK), 403)  # HR sees the review but does not ask
    asked = ok(as_("E3").post(url, ASK), 201)
    assert_error(as_("E3").post(url, ASK), 422)  # asked once
    target = f"/api/contributions/{asked['contribution_id']}"
    assert_error(as_("E3").put(target, {"text": WORDS}, asked["version"]), 404)
    assert_error(as_("E6").put(target, {"text": ""}, asked["version"]), 422)
    assert_error(as_("E6").put(target, {"text": WORDS}, asked["version"] + 1), 412)


def test_the_contributor_writes_through_the_plain_form(as_, launched_cycle_id):
    ok(as_("E3").post(review_url(launched_cycle_id, "E4", "contributions"), ASK), 201)
    contributor = as_("E6")
    page = contributor.get("/contributions").get_data(as_text=True)
    assert ASK["question"] in page and 'class="hint next-step"' in page
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    action = re.search(r'action="(/contributions/[^"]+)"', page).group(1)
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    empty = contributor.client.post(action, data={"csrf_token": token, "version": version, "text": " "})
    assert empty.status_code == 422 and "The contribution is empty" in empty.get_data(as_text=True)
    sent = contributor.client.post(action, data={"csrf_token": token, "version": version, "text": WORDS})
    assert sent.status_code == 302
    assert WORDS in contributor.get("/contributions").get_data(as_text=True)
