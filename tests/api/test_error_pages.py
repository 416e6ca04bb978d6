"""Error pages answer where am I, what it means and what next (issue 25): a heading for the kind of error, a lead
with the error's own sentence and whether anything changed, and a way back to where the person can act (the page
they came from, when it is on this site, and their tasks)."""

from __future__ import annotations

import re

import pytest

from service.domain.errors import Conflict, StaleWrite


def _parts(page: str) -> tuple[str, str, str]:
    """(h1, lead, next step) of an error page, tags stripped."""
    found = [re.search(rf"<{tag}[^>]*>(.*?)</{tag.split()[0]}>", page, re.S) for tag in ("h1", 'p class="lead"')]
    step = re.search(r'<p class="next-step">(.*?)</p>', page, re.S)
    return tuple(re.sub(r"\s+", " ", m.group(1)).strip() if m else "" for m in (*found, step))  # type: ignore[return-value]


@pytest.fixture
def refusing(app):
    """Routes that refuse a form's POST the way a use case does, outside any form's own answer."""

    def conflict():
        raise Conflict("the cycle is closed")

    def stale():
        raise StaleWrite("the goal changed since it was read")

    app.add_url_rule("/test/conflict", "test_conflict", conflict, methods=["POST"])
    app.add_url_rule("/test/stale", "test_stale", stale, methods=["POST"])
    return app


@pytest.mark.parametrize(
    ("path", "status", "heading", "meaning"),
    [
        ("/test/conflict", 409, "This cannot be done now", "The cycle is closed. Nothing was changed."),
        ("/test/stale", 412, "Someone changed this since you opened it", "The goal changed since it was read."),
    ],
)
def test_a_refused_post_says_nothing_changed_and_leads_back_to_the_form(
    refusing, client, auth, path, status, heading, meaning
):
    auth.login("E4")
    resp = client.post(path, data={"csrf_token": auth.csrf}, headers={"Referer": "http://localhost/goals"})
    assert resp.status_code == status and resp.mimetype == "text/html"
    h1, lead, step = _parts(resp.get_data(as_text=True))
    assert h1 == heading
    assert lead.startswith(meaning) and "Nothing was changed" in lead
    assert '<a href="/goals">Back to the page you came from</a>' in step and 'href="/"' in step


def test_an_unknown_address_says_so_plainly_and_never_links_off_the_site(client, auth):
    auth.login("E4")
    resp = client.get("/no-such-page", headers={"Referer": "https://elsewhere.example/goals"})
    assert resp.status_code == 404
    h1, lead, step = _parts(resp.get_data(as_text=True))
    assert h1 == "Not found"
    assert lead == "There is no page at this address. It may have been removed, or the link may be old or mistyped."
    assert step == '<a href="/">Go to your tasks</a>: everything waiting for you is listed there.'


def test_a_page_not_open_to_the_person_says_whom_to_ask(client, auth):
    auth.login("E4")
    resp = client.get("/hr/cycles")
    h1, lead, step = _parts(resp.get_data(as_text=True))
    assert resp.status_code == 403 and h1 == "This is not open to you"
    assert lead.endswith("If you think you need it for your work, ask HR.") and "Nothing was changed" not in lead
    assert "go to your tasks" in step.lower()
