"""Object-level authorization: what one identity owns, another identity of the same role is refused.

schemathesis 4's own `object_level_authorization` check needs its stateful engine and a WFC document
listing the users, which its pytest integration does not drive in-process; this is the same check by
hand over the fuzz organisation (tests/fuzz/conftest.py), each pair tried in both directions. Writes are
sent with the version the owner reads now, so that only authorization stands between them and success.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from tests.fuzz.conftest import PAIRS

pytestmark = pytest.mark.fuzz


@dataclass(frozen=True)
class Probe:
    """One request the peer must be refused."""

    method: str
    path: str  # with {c} (the cycle), {owner} and the owner's {goal} / {action}
    body: dict | None = None
    versioned: str | None = None  # the path whose ETag the write sends as If-Match


REVIEW = "/api/cycles/{c}/reviews/{owner}"
SELF = Probe("PUT", REVIEW + "/self", {"content": {"achievements": "written by a peer"}}, REVIEW)
ACK = Probe("POST", REVIEW + "/acknowledge", {"agreement": "agree"}, REVIEW)
READ_REVIEW = Probe("GET", REVIEW)
HISTORY = Probe("GET", "/api/people/{owner}/history")
REVIEW_AUDIT = Probe("GET", REVIEW + "/audit")
GOAL = Probe("PATCH", "/api/goals/{goal}", {"title": "renamed by a peer"}, "/api/goals/{goal}")
ACTION = Probe("PATCH", "/api/actions/{action}", {"status": "dropped"}, "/api/actions")
MANAGER = Probe("PUT", "/api/cycles/{c}/reviews/{report}/manager", {"content": {"strengths": "peer"}}, REVIEW)

# role → what its owner has that the peer of the same role may not read or change.
OWNED: dict[str, tuple[Probe, ...]] = {
    "employee": (READ_REVIEW, SELF, ACK, HISTORY, REVIEW_AUDIT, GOAL, ACTION),
    "manager": (READ_REVIEW, SELF, ACK, HISTORY, GOAL, ACTION, MANAGER),
    "hr": (SELF, ACK),  # HR reads every review, and moves goals and actions, by design (docs/SECURITY.md)
    "leadership": (READ_REVIEW, SELF, ACK, HISTORY, REVIEW_AUDIT, GOAL),
}
REPORT = {"M1": "E1", "M2": "E3"}


def _cases() -> list[tuple[str, str, str, Probe]]:
    cases = []
    for role, (a, b) in PAIRS.items():
        for owner, peer in ((a, b), (b, a)):
            cases.extend((role, owner, peer, probe) for probe in OWNED[role])
    return cases


def _fill(path: str, world, owner: str) -> str:
    return path.format(
        c=world.cycle_id,
        owner=owner,
        goal=world.goals.get(owner, "none"),
        action=world.actions.get(owner, "none"),
        report=REPORT.get(owner, owner),
    )


@pytest.mark.parametrize(
    ("role", "owner", "peer", "probe"),
    _cases(),
    ids=[f"{r}-{o}-by-{p}-{pr.method}-{pr.path}" for r, o, p, pr in _cases()],
)
def test_a_peer_of_the_same_role_is_refused(world, role, owner, peer, probe):
    client = world.app.test_client()
    owner_of_resource = REPORT.get(owner, owner) if probe is MANAGER else owner
    path = _fill(probe.path, world, owner)
    headers = world.headers(peer)
    before = None
    if probe.versioned:
        seen = client.get(_fill(probe.versioned, world, owner_of_resource), headers=world.headers(owner))
        assert seen.status_code == 200, seen.get_json()
        before = seen.get_json()
        if probe is ACTION:  # actions are read as a list: the owner's copy of this one carries its version
            mine = next(a for a in before["actions"] if a["action_id"] == world.actions[owner])
            headers["If-Match"] = f'"{mine["version"]}"'
        else:
            headers["If-Match"] = seen.headers["ETag"]
    resp = client.open(path, method=probe.method, json=probe.body, headers=headers)
    assert resp.status_code in (403, 404), (resp.status_code, resp.get_json())
    body = resp.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    if probe.versioned:
        after = client.get(_fill(probe.versioned, world, owner_of_resource), headers=world.headers(owner)).get_json()
        assert after == before  # nothing written


@pytest.mark.parametrize(("manager", "peer"), [("M1", "M2"), ("M2", "M1")])
def test_a_managers_team_shows_only_their_own_reports(world, manager, peer):
    client = world.app.test_client()
    team = client.get(f"/api/cycles/{world.cycle_id}/team", headers=world.headers(peer)).get_json()["reviews"]
    mine = {"M1": {"E1", "E2"}, "M2": {"E3", "E4"}}[manager]
    assert mine.isdisjoint({row["employee_id"] for row in team})
