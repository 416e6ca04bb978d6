"""The directory through the JSON API: reads, imports, the one error shape, identity."""

from __future__ import annotations

import io

import boto3

from service.adapters.unit_of_work import UnitOfWork
from service.web.auth import mint_token
from tests.conftest import ORG_CSV


def stored(settings) -> list[dict]:
    raw = boto3.client("dynamodb", region_name=settings.region)
    return sorted(raw.scan(TableName=settings.table_name)["Items"], key=lambda i: (i["pk"]["S"], i["sk"]["S"]))


def assert_error_shape(resp, status: int, code: str) -> None:
    assert resp.status_code == status
    assert resp.is_json
    body = resp.get_json()
    assert set(body) == {"code", "status", "message", "errors"}
    assert body["status"] == status and body["code"] == code and body["message"]


def test_requests_without_a_principal_get_401(client):
    assert_error_shape(client.get("/api/me"), 401, "not_authenticated")


def test_me_names_the_principal_and_roles(auth, client):
    auth.login("E3")
    assert client.get("/api/me").get_json() == {
        "employee_id": "E3",
        "name": "Alan Turing",
        "roles": ["employee", "manager"],
    }


def test_person_reports_chain_and_department(auth, client):
    auth.login("E4")
    assert client.get("/api/people/E4").get_json()["manager_id"] == "E3"
    assert [p["employee_id"] for p in client.get("/api/people/E3/reports").get_json()["people"]] == ["E5", "E4"]
    assert [p["employee_id"] for p in client.get("/api/people/E4/chain").get_json()["people"]] == ["E3", "E1"]
    assert [p["name"] for p in client.get("/api/departments/People/people").get_json()["people"]] == [
        "Barbara Liskov",
        "Grace Hopper",
    ]


def test_unknown_person_and_department_are_404(auth, client):
    auth.login("E4")
    assert_error_shape(client.get("/api/people/NOPE"), 404, "not_found")
    assert_error_shape(client.get("/api/departments/Nowhere/people"), 404, "not_found")


def test_hr_imports_a_csv_body(auth, client, settings):
    auth.login("E2")
    text = ORG_CSV + "E7,Margaret Hamilton,margaret@example.com,Engineer,Engineering,E3,\n"
    resp = client.post("/api/org/imports", data=text, content_type="text/csv", headers=auth.headers())
    assert resp.status_code == 200
    assert resp.get_json()["summary"] == {"created": 1, "updated": 0, "deactivated": 0, "unchanged": 6}
    assert client.get("/api/people/E7").get_json()["name"] == "Margaret Hamilton"
    history = client.get("/api/org/imports").get_json()["imports"]
    assert history[0]["actor"] == "E2" and history[0]["summary"]["created"] == 1


def test_import_accepts_a_multipart_upload_and_a_dry_run(auth, client, settings):
    auth.login("E2")
    before = stored(settings)
    text = ORG_CSV + "E7,Margaret Hamilton,margaret@example.com,Engineer,Engineering,E3,\n"
    resp = client.post(
        "/api/org/imports?dry_run=true",
        data={"file": (io.BytesIO(text.encode()), "people.csv")},
        content_type="multipart/form-data",
        headers=auth.headers(),
    )
    assert resp.status_code == 200 and resp.get_json()["dry_run"] is True
    assert resp.get_json()["summary"]["created"] == 1
    assert stored(settings) == before


def test_rejected_import_returns_row_numbered_errors_and_stores_nothing(auth, client, settings):
    auth.login("E2")
    before = stored(settings)
    text = ORG_CSV + "E7,Margaret,not-mail,Engineer,Engineering,E3,\nE8,Ken,ken@example.com,Eng,Engineering,E77,\n"
    resp = client.post("/api/org/imports", data=text, content_type="text/csv", headers=auth.headers())
    assert_error_shape(resp, 422, "import_rejected")
    assert resp.get_json()["errors"] == [
        {"row": 8, "field": "email", "message": "'not-mail' is not an email address"},
        {"row": 9, "field": "manager_id", "message": "unknown manager 'E77'"},
    ]
    assert stored(settings) == before


def test_non_hr_cannot_import(auth, client, settings):
    auth.login("E3")
    before = stored(settings)
    resp = client.post("/api/org/imports", data=ORG_CSV, content_type="text/csv", headers=auth.headers())
    assert_error_shape(resp, 403, "forbidden")
    assert stored(settings) == before


def test_json_import_rejects_unknown_fields(auth, client):
    auth.login("E2")
    resp = client.post("/api/org/imports", json={"csv": ORG_CSV, "force": True}, headers=auth.headers())
    assert_error_shape(resp, 422, "invalid_request")
    assert resp.get_json()["errors"] == {"force": ["Unknown field."]}


def test_non_utf8_file_is_a_clear_error(auth, client):
    auth.login("E2")
    resp = client.post("/api/org/imports", data=b"\xff\xfe\x00bad", content_type="text/csv", headers=auth.headers())
    assert_error_shape(resp, 422, "validation_failed")


def test_bearer_token_from_the_cli_authenticates_without_csrf(app, settings):
    token = mint_token(settings, "E2")
    c = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert c.get("/api/me", headers=headers).get_json()["employee_id"] == "E2"
    resp = c.post("/api/org/imports?dry_run=1", data=ORG_CSV, content_type="text/csv", headers=headers)
    assert resp.status_code == 200


def test_a_forged_token_is_refused(app):
    c = app.test_client()
    resp = c.get("/api/me", headers={"Authorization": "Bearer eyJzdWIiOiJFMiJ9.forged.sig"})
    assert_error_shape(resp, 401, "not_authenticated")


def test_leaver_can_no_longer_act(app, auth, client, clock, seeded):
    from service.services.directory import import_organisation

    auth.login("E5")
    import_organisation(
        UnitOfWork(seeded),
        None,
        ORG_CSV.replace("E5,Edsger Dijkstra,edsger@example.com,Engineer,Engineering,E3,\n", ""),
        clock,
    )
    assert_error_shape(client.get("/api/me"), 401, "not_authenticated")
