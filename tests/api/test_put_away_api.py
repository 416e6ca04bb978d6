"""Putting things away (issue 28, point 6): archive and restore templates and draft cycles, delete a draft."""

from __future__ import annotations

import pytest

from tests import factories as f
from tests.api.conftest import assert_error, create_cycle, create_template, jsonable, launch, ok

pytestmark = pytest.mark.usefixtures("org_state")


@pytest.fixture(scope="module")
def app(module_app):
    """One app for the module; each test starts from the same stored state (org_state)."""
    return module_app


@pytest.fixture
def hr(as_):
    """Grace Hopper (E2), head of People, signed in."""
    return as_("E2")


def _ids(body: dict, kind: str, key: str) -> list[str]:
    return [x[key] for x in body[kind]]


def test_an_archived_template_leaves_the_list_stays_readable_and_comes_back(hr):
    t = create_template(hr)
    tid = t["template_id"]
    archived = ok(hr.post(f"/api/templates/{tid}/archive", version=t["version"]))
    assert archived["archived"] is True and archived["version"] == 2
    assert _ids(ok(hr.get("/api/templates")), "templates", "template_id") == []
    assert _ids(ok(hr.get("/api/templates?archived=true")), "templates", "template_id") == [tid]
    assert ok(hr.get(f"/api/templates/{tid}"))["archived"] is True
    restored = ok(hr.post(f"/api/templates/{tid}/restore", version=2))
    assert restored["archived"] is False
    assert _ids(ok(hr.get("/api/templates")), "templates", "template_id") == [tid]


def test_a_cycle_cannot_be_set_up_with_an_archived_template(hr):
    t = create_template(hr)
    ok(hr.post(f"/api/templates/{t['template_id']}/archive", version=t["version"]))
    resp = hr.post("/api/cycles", jsonable(f.cycle_data(t["template_id"])))
    assert_error(resp, 409, "conflict")
    assert "archived: restore it first" in resp.get_json()["message"]
    assert ok(hr.get("/api/cycles"))["cycles"] == []


def test_archiving_twice_or_a_stale_version_is_refused_and_changes_nothing(hr):
    t = create_template(hr)
    tid = t["template_id"]
    ok(hr.post(f"/api/templates/{tid}/archive", version=1))
    again = hr.post(f"/api/templates/{tid}/archive", version=2)
    assert_error(again, 409, "conflict")
    assert again.get_json()["message"] == "cannot archive: it is archived already"
    assert_error(hr.post(f"/api/templates/{tid}/restore", version=1), 412, "stale_write")
    edit = hr.put(f"/api/templates/{tid}", f.template_data(name="Renamed"), version=2)
    assert_error(edit, 409, "conflict")
    assert edit.get_json()["message"] == "the template is archived: restore it first"
    assert ok(hr.get(f"/api/templates/{tid}"))["version"] == 2


def test_only_hr_archives(as_, hr):
    t = create_template(hr)
    assert_error(as_("E4").post(f"/api/templates/{t['template_id']}/archive", version=1), 403)
    assert ok(hr.get(f"/api/templates/{t['template_id']}"))["archived"] is False


def test_an_archived_draft_cycle_is_out_of_the_list_and_cannot_be_launched_until_restored(hr):
    cycle = create_cycle(hr, create_template(hr)["template_id"])
    cid = cycle["cycle_id"]
    archived = ok(hr.post(f"/api/cycles/{cid}/archive", version=cycle["version"]))
    assert archived["archived"] is True and archived["state"] == "draft"
    assert ok(hr.get("/api/cycles"))["cycles"] == []
    assert _ids(ok(hr.get("/api/cycles?archived=true")), "cycles", "cycle_id") == [cid]
    refused = hr.post(f"/api/cycles/{cid}/launch", version=archived["version"])
    assert_error(refused, 409, "conflict")
    assert refused.get_json()["message"] == "the cycle is archived: restore it first"
    assert ok(hr.get(f"/api/cycles/{cid}"))["state"] == "draft"
    restored = ok(hr.post(f"/api/cycles/{cid}/restore", version=archived["version"]))
    ok(hr.post(f"/api/cycles/{cid}/launch", version=restored["version"]), 202)
    assert ok(hr.get(f"/api/cycles/{cid}"))["state"] == "active"


def test_a_launched_cycle_cannot_be_archived_or_deleted(hr):
    cycle = launch(hr)
    cid = cycle["cycle_id"]
    for resp in (
        hr.post(f"/api/cycles/{cid}/archive", version=cycle["version"]),
        hr.send("DELETE", f"/api/cycles/{cid}", version=cycle["version"]),
    ):
        assert_error(resp, 409, "conflict")
        assert "a launched cycle stays in the history" in resp.get_json()["message"]
    stored = ok(hr.get(f"/api/cycles/{cid}"))
    assert (stored["state"], stored["archived"], stored["version"]) == ("active", False, cycle["version"])


def test_deleting_a_draft_removes_it_and_its_audit_trail_records_the_deletion(hr):
    cycle = create_cycle(hr, create_template(hr)["template_id"])
    cid = cycle["cycle_id"]
    assert_error(hr.send("DELETE", f"/api/cycles/{cid}", version=cycle["version"] + 1), 412, "stale_write")
    resp = hr.send("DELETE", f"/api/cycles/{cid}", version=cycle["version"])
    assert resp.status_code == 204
    assert_error(hr.get(f"/api/cycles/{cid}"), 404)
    assert ok(hr.get("/api/cycles"))["cycles"] == []
    audit = ok(hr.get(f"/api/cycles/{cid}/audit"))
    assert audit["verified"] is True
    records = [r for r in audit["records"] if r["entity"] == f"CYCLE#{cid}"]
    assert [r["action"] for r in records] == ["create_cycle", "delete_cycle"]
    assert {"field": "name", "from": cycle["name"], "to": None} in records[-1]["changes"]
