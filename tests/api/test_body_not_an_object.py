"""A JSON API body that is not a JSON object is refused as it is (422, and nothing changes), never read as an empty
one: `null` used to load as `{}`, so a PUT of `null` to one's time zone reset it to the organisation's."""

from __future__ import annotations

import pytest

from service.web.api_io import NOT_AN_OBJECT
from tests.conftest import AuthActions


@pytest.mark.parametrize("raw", ["null", "[]", "0", "false", '""'])  # text that is not JSON: 400 before
def test_a_body_that_is_not_an_object_is_refused_and_changes_nothing(app, seeded, raw):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("E4")
    chosen = {"time_zone": "Europe/Paris"}
    current = client.get("/api/me/time-zone", headers=auth.headers()).headers["ETag"]
    put = client.put("/api/me/time-zone", json=chosen, headers=auth.headers() | {"If-Match": current})
    assert put.status_code == 200, put.get_json()
    version = put.headers["ETag"]
    refused = client.put(
        "/api/me/time-zone",
        data=raw,
        headers=auth.headers() | {"If-Match": version, "Content-Type": "application/json"},
    )
    assert refused.status_code == 422 and refused.get_json()["errors"] == {"_schema": [NOT_AN_OBJECT]}
    after = client.get("/api/me/time-zone", headers=auth.headers())
    assert after.get_json()["own"] == "Europe/Paris" and after.headers["ETag"] == version


def test_an_empty_body_still_names_the_fields_it_needs(app, seeded):
    client = app.test_client()
    auth = AuthActions(client)
    auth.login("E1")
    resp = client.post("/api/goals", headers=auth.headers())
    assert resp.status_code == 422 and "title" in resp.get_json()["errors"]
