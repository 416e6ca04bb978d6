"""The leadership home paces goals on the organisation's days, as the goal pages and the API do: an organisation goal
set on the evening of 2 March in New York (3 March in UTC), due on 4 March, with nothing done, is behind on 3 March
(half its period gone), where reading its creation as UTC's 3 March would say its period had not started."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from tests import factories as f

NEW_YORK = ZoneInfo("America/New_York")


def _send(client, auth, method, path, body=None):
    return client.open(path, method=method, json=body, headers=auth.headers())


def test_the_leadership_home_counts_an_evening_goal_behind_on_the_organisations_next_day(auth, client, seeded, clock):
    cycle = f.launched_cycle(seeded, clock)
    clock.at = datetime(2026, 3, 2, 21, 30, tzinfo=NEW_YORK)  # 3 March, 02:30 in UTC
    clock.zone = NEW_YORK
    auth.login("E1")  # the chief executive: leadership
    body = {"level": "organisation", "title": "Open the Boston office", "cycle_id": cycle.cycle_id}
    made = _send(client, auth, "POST", "/api/goals", body | {"due": "2026-03-04"})
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["created_at"] == "2026-03-03T02:30:00.000Z"

    clock.at = datetime(2026, 3, 3, 12, 0, tzinfo=NEW_YORK)
    report = _send(client, auth, "GET", f"/api/cycles/{cycle.cycle_id}/alignment").get_json()
    assert report["at_risk"]["count"] == 1  # the API's reading, on the organisation's days
    home = client.get(f"/?cycle={cycle.cycle_id}").get_data(as_text=True)
    assert "1 goal at risk, off track or behind" in home
