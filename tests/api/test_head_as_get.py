"""A HEAD of a page that also takes its form by POST answers as the GET would, without a body, and writes nothing
(web/page_helpers.form_sent): never the POST path, whatever the HEAD carries."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.usefixtures("launched_state")


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def _pages(as_, cycle_id: str) -> list[tuple[str, str]]:
    """(who, page) for each GET-and-POST page of a kind: HR's import and calibration, a review form, a contact."""
    contact = {"name": "Mae Jemison", "role": "Data Scientist", "organisation": "Orbit", "found_via": "conference"}
    contact_id = as_("E4").post("/api/learning/contacts", contact).get_json()["contact_id"]
    return [
        ("E2", "/hr/import"),
        ("E2", f"/cycles/{cycle_id}/calibration"),
        ("E4", f"/cycles/{cycle_id}/reviews/E4/self"),
        ("E4", f"/learning/interviews/{contact_id}"),
    ]


def test_a_head_answers_as_the_get_of_each_page_with_a_form(as_, launched_cycle_id):
    for who, page in _pages(as_, launched_cycle_id):
        got, head = as_(who).get(page), as_(who).client.head(page)
        assert (page, head.status_code) == (page, got.status_code) and head.data == b""


def test_a_head_carrying_a_form_saves_nothing(as_, launched_cycle_id):
    me = as_("E4")
    review = f"/api/cycles/{launched_cycle_id}/reviews/E4"
    before = me.get(review)
    page = f"/cycles/{launched_cycle_id}/reviews/E4/self"
    form = {"csrf_token": me.auth.csrf, "version": before.headers["ETag"].strip('"'), "achievements": "Shipped it"}
    assert me.client.head(page, data=form).status_code == 200
    after = me.get(review)
    assert after.headers["ETag"] == before.headers["ETag"] and "Shipped it" not in after.get_data(as_text=True)
