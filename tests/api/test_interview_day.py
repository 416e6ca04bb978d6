"""An interview scheduled at an instant (through the API) offers, as the day it was held, the organisation's date of
that instant: in New York, 02:30 UTC on 2 March is the evening of 1 March."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo


def _send(client, auth, method, path, body=None, version=None):
    headers = auth.headers()
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return client.open(path, method=method, json=body, headers=headers)


def _held_on_field(page: str) -> str:
    field = re.search(r'<input[^>]*name="completed_on"[^>]*>', page).group(0)
    return re.search(r'value="([^"]*)"', field).group(1)


def _scheduled(client, auth, when: str) -> str:
    auth.login("E4")
    made = _send(client, auth, "POST", "/api/learning/contacts", {"name": "Mae", "role": "Scientist"})
    cid = made.get_json()["contact_id"]
    actions = f"/api/learning/contacts/{cid}/actions"
    assert _send(client, auth, "POST", actions, {"action": "send"}, 1).status_code == 200
    assert _send(client, auth, "POST", actions, {"action": "schedule", "scheduled_for": when}, 2).status_code == 200
    return cid


def test_new_york_is_offered_the_evening_it_was_held(auth, client, seeded, clock):
    clock.at = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    clock.zone = clock.at.tzinfo
    cid = _scheduled(client, auth, "2026-03-02T02:30:00Z")
    assert _held_on_field(client.get(f"/learning/interviews/{cid}").get_data(as_text=True)) == "2026-03-01"


def test_a_time_as_typed_keeps_its_own_date(auth, client, seeded, clock):
    clock.at = datetime(2026, 3, 2, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    clock.zone = clock.at.tzinfo
    cid = _scheduled(client, auth, "2026-03-01T23:30")
    assert _held_on_field(client.get(f"/learning/interviews/{cid}").get_data(as_text=True)) == "2026-03-01"
