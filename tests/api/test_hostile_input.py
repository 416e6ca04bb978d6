"""Hostile input through every door, JSON API and HTML forms: each is refused with a 4xx in the one error shape
(or the form again with its messages), or stored and shown inert; a refusal leaves nothing written."""

from __future__ import annotations

import base64
import csv
import io
import json

import pytest
from markupsafe import escape

from service.domain.directory import spreadsheet_safe
from tests import factories as f
from tests.api.conftest import assert_error, create_template, etag, jsonable, ok, review_url
from tests.conftest import ORG_CSV

pytestmark = pytest.mark.usefixtures("launched_state")

XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "</textarea><svg onload=alert(1)>",
    '\'><a href="javascript:alert(1)">x</a>',
]
FORMULAS = ['=HYPERLINK("http://x","y")', "+SUM(1,1)", "-2+3", "@SUM(A1)", "\t=1+1", "\r=1+1"]
OUT_OF_RANGE = [1e308, -1e200, 2.2e-308, 1e-131]
BAD_TEXT = ["\ud800", "a\udfffb", "nul\x00byte", "bell\x07"]
RAW_SURROGATE = b'{"name": "\xed\xa0\x80"}'  # U+D800 encoded as if it were a character: not UTF-8


@pytest.fixture(scope="module")
def app(module_app):
    return module_app


def assert_inert(page: bytes, payload: str, shown: bool = True) -> None:
    """The payload is not in the page as markup (no tag or handler of it survives); `shown`: it is there, escaped."""
    text = page.decode()
    assert payload not in text
    for fragment in ("<script>alert", "<img src=x", "<svg onload", 'href="javascript:', "</textarea><"):
        if fragment in payload:
            assert fragment not in text, fragment
    if shown:
        assert str(escape(payload)) in text


def raw_json(actor, method: str, url: str, text: str | bytes, version: int | None = None):
    """Send a body as given, not re-encoded by the test client (for lone surrogates, depth, NaN)."""
    headers = {**actor.auth.headers(), "Content-Type": "application/json"}
    if version is not None:
        headers["If-Match"] = f'"{version}"'
    return actor.client.open(url, method=method, data=text, headers=headers)


def templates_stored(hr) -> int:
    return len(ok(hr.get("/api/templates"))["templates"])


# --- XSS: stored through the API, shown by every page, never as markup --------------------------------------


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_template_and_cycle_text_is_shown_inert_on_hr_pages(as_, payload):
    hr = as_("E2")
    template = create_template(
        hr,
        name=payload,
        competencies=[{"id": "delivery", "name": payload, "description": payload}],
        scale=[payload, "Meets"],
        questions={"self": [{"id": "q1", "text": payload, "required": False}], "manager": [], "peer": [], "upward": []},
    )
    cycle = ok(hr.post("/api/cycles", jsonable(f.cycle_data(template["template_id"], name=payload))), 201)
    for url in (
        "/hr/templates",
        f"/hr/templates/{template['template_id']}",
        "/hr/cycles",
        f"/hr/cycles/{cycle['cycle_id']}",
    ):
        resp = hr.get(url)
        assert resp.status_code == 200, url
        assert_inert(resp.data, payload)


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_review_content_is_shown_inert_to_the_employee_manager_and_hr(as_, launched_cycle_id, payload):
    employee, manager, hr = as_("E4"), as_("E3"), as_("E2")
    content = f.self_content(achievements=payload, development_wishes=payload)
    content["goal_results"] = [{"title": payload, "result": payload, "rating": 3}]
    content["learning"] = [{"activity": payload, "kind": "course", "note": payload}]
    content["training_needs"] = [{"topic": payload[:120], "rationale": payload, "estimated_cost": 10}]
    content["answers"] = {"proud": payload}
    url = review_url(launched_cycle_id, "E4", "self")
    ok(
        employee.put(
            url, {"content": content, "submit": True}, version=etag(employee.get(review_url(launched_cycle_id, "E4")))
        )
    )
    manager_content = f.manager_content(strengths=payload, narrative=payload)
    manager_content["obstacles"] = [
        {"description": payload, "remediation": payload, "owner_id": "E4", "due": "2026-06-01"}
    ]
    view = ok(manager.get(review_url(launched_cycle_id, "E4")))
    ok(
        manager.put(
            review_url(launched_cycle_id, "E4", "manager"),
            {"content": manager_content, "submit": True},
            view["version"],
        )
    )
    pages = [
        (employee, f"/cycles/{launched_cycle_id}/reviews/E4"),
        (manager, f"/cycles/{launched_cycle_id}/reviews/E4"),
        (hr, f"/cycles/{launched_cycle_id}/reviews/E4"),
        (hr, f"/cycles/{launched_cycle_id}/reviews/E4/audit"),
        (employee, "/"),  # the obstacle became an action E4 owns
        (employee, "/history"),
    ]
    for actor, page in pages:
        resp = actor.get(page)
        assert resp.status_code == 200, page
        assert_inert(resp.data, payload, shown=False)
    assert_inert(employee.get(f"/cycles/{launched_cycle_id}/reviews/E4").data, payload)


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_goals_is_shown_inert_on_goal_pages(as_, launched_cycle_id, payload):
    employee, leader = as_("E4"), as_("E1")
    org_goal = ok(leader.post("/api/goals", {"level": "organisation", "title": payload, "description": payload}), 201)
    goal = ok(
        employee.post(
            "/api/goals",
            {
                "level": "individual",
                "title": payload,
                "description": payload,
                "cycle_id": launched_cycle_id,
                "parent_id": org_goal["goal_id"],
                "key_results": [{"id": "k1", "title": payload, "target": 10, "unit": payload[:30]}],
            },
        ),
        201,
    )
    for actor, page in (
        (employee, f"/goals?cycle={launched_cycle_id}"),
        (employee, f"/goals/{goal['goal_id']}"),
        (leader, f"/goals/alignment?cycle={launched_cycle_id}"),
        (leader, "/goals/organisation"),
    ):
        resp = actor.get(page)
        assert resp.status_code == 200, page
        assert_inert(resp.data, payload, shown=False)
    assert_inert(employee.get(f"/goals/{goal['goal_id']}").data, payload)


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_the_organisation_file_is_shown_inert(app, as_, launched_cycle_id, payload):
    hr = as_("E2")
    rows = list(csv.reader(io.StringIO(ORG_CSV)))
    for row in rows:
        if row[0] == "E4":
            row[1], row[3], row[4] = payload, payload, payload
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    ok(
        hr.client.post(
            "/api/org/imports", data=out.getvalue(), headers={**hr.auth.headers(), "Content-Type": "text/csv"}
        )
    )
    assert_inert(app.test_client().get("/signin").data, payload)
    for actor, page in (
        (as_("E3"), f"/cycles/{launched_cycle_id}/team"),
        (hr, f"/cycles/{launched_cycle_id}/reviews/E4"),
    ):
        resp = actor.get(page)
        assert resp.status_code == 200, page
        assert_inert(resp.data, payload, shown=False)  # reviews show the name taken at launch


@pytest.mark.parametrize("payload", XSS[:2])
def test_markup_in_a_form_that_is_refused_comes_back_escaped(as_, payload):
    hr = as_("E2")
    resp = hr.client.post(
        "/hr/templates/new",
        data={"csrf_token": hr.auth.csrf, "name": payload, "scale.0": "Low", "weights.goals": "x"},
    )
    assert resp.status_code == 422
    assert_inert(resp.data, payload)


@pytest.mark.parametrize("payload", XSS)
def test_markup_in_the_sign_in_next_parameter_is_inert(app, payload):
    resp = app.test_client().get("/signin", query_string={"next": payload})
    assert resp.status_code == 200
    assert_inert(resp.data, payload)


@pytest.mark.parametrize("payload", XSS[:2])
def test_markup_in_a_path_is_not_reflected_by_the_error_page(as_, payload):
    resp = as_("E2").get("/hr/cycles/" + payload.replace("/", "%2F"))
    assert resp.status_code == 404
    assert_inert(resp.data, payload, shown=False)


# --- CSV formulas -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("formula", FORMULAS)
@pytest.mark.parametrize("column", ["name", "title", "department", "email"])
def test_an_organisation_file_with_a_formula_cell_is_rejected_whole(as_, formula, column):
    hr = as_("E2")
    before = ok(hr.get("/api/people/E4"))
    rows = list(csv.reader(io.StringIO(ORG_CSV)))
    index = rows[0].index(column)
    rows[4][index] = formula + ("@example.com" if column == "email" else "")
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    csv_text = out.getvalue()
    resp = hr.client.post("/api/org/imports", data=csv_text, headers={**hr.auth.headers(), "Content-Type": "text/csv"})
    errors = assert_error(resp, 422, "import_rejected")
    assert {"row": 5, "field": column} in [{"row": e["row"], "field": e["field"]} for e in errors]
    assert ok(hr.get("/api/people/E4")) == before


def test_the_import_page_reports_a_formula_cell_by_row(as_):
    hr = as_("E2")
    csv_text = ORG_CSV.replace("Katherine Johnson", "=cmd|' /C calc'!A0")
    resp = hr.client.post(
        "/hr/import",
        data={"csrf_token": hr.auth.csrf, "file": (io.BytesIO(csv_text.encode()), "org.csv")},
        content_type="multipart/form-data",
    )
    assert resp.status_code == 422
    assert b"a spreadsheet would run it" in resp.data
    assert ok(hr.get("/api/people/E4"))["name"] == "Katherine Johnson"


@pytest.mark.parametrize("cell", [*FORMULAS, "Ada", 3, None])
def test_an_export_cell_never_starts_a_formula(cell):
    safe = spreadsheet_safe(cell)
    assert not (isinstance(safe, str) and safe.startswith(("=", "+", "-", "@", "\t", "\r")))
    if isinstance(cell, str) and cell.startswith(("=", "+", "-", "@", "\t", "\r")):
        assert safe == "'" + cell
    else:
        assert safe == cell


@pytest.mark.parametrize(
    "csv_text",
    [
        ORG_CSV.replace("Ada Lovelace", "Ada\x00Lovelace"),
        ORG_CSV.replace("Ada Lovelace", '"' + "x" * 200_000 + '"'),
        ORG_CSV.replace("Ada Lovelace", "Ada\x1bLovelace"),
    ],
    ids=["nul", "cell-over-csv-limit", "escape-char"],
)
def test_an_unreadable_organisation_file_is_rejected_with_row_errors(as_, csv_text):
    hr = as_("E2")
    resp = hr.client.post("/api/org/imports", data=csv_text, headers={**hr.auth.headers(), "Content-Type": "text/csv"})
    errors = assert_error(resp, 422, "import_rejected")
    assert errors and all({"row", "field", "message"} <= set(e) for e in errors)
    assert ok(hr.get("/api/people/E1"))["name"] == "Ada Lovelace"


# --- huge strings, bodies and depth -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", "x" * 201), ("name", "x" * 1_000_000), ("scale", ["x" * 61, "y"])],
)
def test_a_huge_string_in_a_template_is_refused_by_field(as_, field, value):
    hr = as_("E2")
    before = templates_stored(hr)
    errors = assert_error(hr.post("/api/templates", f.template_data(**{field: value})), 422)
    assert field in errors
    assert templates_stored(hr) == before


def test_a_huge_string_in_review_content_is_refused_and_the_draft_is_unchanged(as_, launched_cycle_id):
    employee = as_("E4")
    version = etag(employee.get(review_url(launched_cycle_id, "E4")))
    body = {"content": f.self_content(achievements="x" * 10_001), "submit": False}
    errors = assert_error(employee.put(review_url(launched_cycle_id, "E4", "self"), body, version), 422)
    assert "achievements" in errors["content"]
    assert etag(employee.get(review_url(launched_cycle_id, "E4"))) == version


def test_too_many_answers_are_refused_by_field(as_, launched_cycle_id):
    employee = as_("E4")
    version = etag(employee.get(review_url(launched_cycle_id, "E4")))
    content = f.self_content()
    content["answers"] = {f"q{n}": "yes" for n in range(10_000)}
    errors = assert_error(employee.put(review_url(launched_cycle_id, "E4", "self"), {"content": content}, version), 422)
    assert "answers" in errors["content"]
    assert etag(employee.get(review_url(launched_cycle_id, "E4"))) == version


def test_a_body_over_the_size_limit_is_refused_with_413(as_):
    hr = as_("E2")
    resp = raw_json(hr, "POST", "/api/templates", b'{"name": "' + b"x" * (7 * 1024 * 1024) + b'"}')
    errors = assert_error(resp, 413)
    assert "body" in errors


def _multipart(parts: list[tuple[str, str, bytes]]) -> bytes:
    """A multipart body by hand (the test client's encoder spools large ones to a file it never closes)."""
    out = b""
    for name, filename, data in parts:
        disposition = f'form-data; name="{name}"' + (f'; filename="{filename}"' if filename else "")
        out += f"--b\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + data + b"\r\n"
    return out + b"--b--\r\n"


@pytest.mark.parametrize("size", [5 * 1024 * 1024 + 10, 7 * 1024 * 1024])
def test_an_organisation_upload_over_the_limit_is_refused_with_413(as_, size):
    hr = as_("E2")
    body = _multipart([("file", "org.csv", ORG_CSV.encode() + b"x" * (size - len(ORG_CSV)))])
    resp = hr.client.post(
        "/api/org/imports", data=body, content_type="multipart/form-data; boundary=b", headers=hr.auth.headers()
    )
    assert_error(resp, 413)
    assert len(ok(hr.get("/api/org/imports"))["imports"]) == 1  # the set-up import only


def test_a_form_over_the_size_limit_is_refused_with_413(as_):
    hr = as_("E2")
    resp = hr.client.post("/hr/templates/new", data={"csrf_token": hr.auth.csrf, "name": "x" * (7 * 1024 * 1024)})
    assert resp.status_code == 413


def test_a_multipart_field_over_the_form_memory_limit_is_refused_with_413(as_):
    hr = as_("E2")
    body = _multipart([("csrf_token", "", hr.auth.csrf.encode()), ("dry_run", "", b"1" * (2 * 1024 * 1024))])
    resp = hr.client.post("/hr/import", data=body, content_type="multipart/form-data; boundary=b")
    assert resp.status_code == 413


@pytest.mark.parametrize("depth", [33, 1_000, 100_000])
def test_deeply_nested_json_is_refused_with_400(as_, depth):
    hr = as_("E2")
    before = templates_stored(hr)
    body = '{"name": ' + "[" * depth + "]" * depth + "}"
    errors = assert_error(raw_json(hr, "POST", "/api/templates", body), 400, "malformed_request")
    assert errors
    assert templates_stored(hr) == before


def test_nesting_within_the_limit_reaches_the_schema(as_):
    errors = assert_error(raw_json(as_("E2"), "POST", "/api/templates", '{"name": ' + "[" * 20 + "]" * 20 + "}"), 422)
    assert "name" in errors


@pytest.mark.parametrize(
    "body", ["{", "[1,]", "NaN", '{"weights": Infinity}', b"\xff\xfe{", b"\xc3(", "{}".encode("utf-16")]
)
def test_a_body_that_is_not_json_is_refused_with_400(as_, body):
    assert_error(raw_json(as_("E2"), "POST", "/api/templates", body), 400, "malformed_request")


# --- lone surrogates, NUL and other controls ----------------------------------------------------------------


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_broken_text_in_a_template_name_is_refused_by_field(as_, bad):
    hr = as_("E2")
    before = templates_stored(hr)
    body = json.dumps(f.template_data(name=f"Annual {bad}"))  # ensure_ascii: the surrogate travels as \ud800
    errors = assert_error(raw_json(hr, "POST", "/api/templates", body), 422)
    assert list(errors) == ["name"]
    assert templates_stored(hr) == before


def test_a_raw_encoded_surrogate_is_not_utf8_and_refused_with_400(as_):
    errors = assert_error(raw_json(as_("E2"), "POST", "/api/templates", RAW_SURROGATE), 400, "malformed_request")
    assert "body" in errors


@pytest.mark.parametrize("bad", BAD_TEXT)
def test_broken_text_in_a_goal_title_is_refused_by_field(as_, launched_cycle_id, bad):
    employee = as_("E4")
    body = json.dumps({"level": "individual", "title": f"Ship {bad}", "cycle_id": launched_cycle_id})
    errors = assert_error(raw_json(employee, "POST", "/api/goals", body), 422)
    assert "title" in errors
    assert ok(employee.get(f"/api/people/E4/goals?cycle_id={launched_cycle_id}"))["goals"] == []


@pytest.mark.parametrize("bad", ["\ud800", "\x00"])
def test_broken_text_in_a_field_name_is_refused(as_, launched_cycle_id, bad):
    employee = as_("E4")
    version = etag(employee.get(review_url(launched_cycle_id, "E4")))
    content = f.self_content()
    content["answers"] = {f"proud{bad}": "yes"}
    resp = raw_json(
        employee, "PUT", review_url(launched_cycle_id, "E4", "self"), json.dumps({"content": content}), version
    )
    assert_error(resp, 422)
    assert etag(employee.get(review_url(launched_cycle_id, "E4"))) == version


def test_a_nul_byte_in_a_form_field_redisplays_the_form_with_its_message(as_, launched_cycle_id):
    employee = as_("E4")
    page = employee.get(f"/cycles/{launched_cycle_id}/reviews/E4/self")
    version = etag(employee.get(review_url(launched_cycle_id, "E4")))
    resp = employee.client.post(
        f"/cycles/{launched_cycle_id}/reviews/E4/self",
        data={"csrf_token": employee.auth.csrf, "version": str(version), "achievements": "a\x00b", "action": "save"},
    )
    assert page.status_code == 200
    assert resp.status_code == 422
    assert b"control character" in resp.data
    assert etag(employee.get(review_url(launched_cycle_id, "E4"))) == version


# --- numbers outside DynamoDB's range ------------------------------------------------------------------------


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_an_estimated_cost_outside_dynamodbs_range_is_refused(as_, launched_cycle_id, number):
    employee = as_("E4")
    version = etag(employee.get(review_url(launched_cycle_id, "E4")))
    content = f.self_content()
    content["training_needs"] = [{"topic": "Rust", "estimated_cost": number}]
    errors = assert_error(employee.put(review_url(launched_cycle_id, "E4", "self"), {"content": content}, version), 422)
    assert errors  # named by its path: content.training_needs.0.estimated_cost
    assert etag(employee.get(review_url(launched_cycle_id, "E4"))) == version


@pytest.mark.parametrize("number", OUT_OF_RANGE)
def test_a_key_result_outside_dynamodbs_range_is_refused(as_, launched_cycle_id, number):
    employee = as_("E4")
    body = {
        "level": "individual",
        "title": "Ship",
        "cycle_id": launched_cycle_id,
        "key_results": [{"id": "k1", "title": "Users", "target": number}],
    }
    errors = assert_error(employee.post("/api/goals", body), 422)
    assert errors
    assert ok(employee.get(f"/api/people/E4/goals?cycle_id={launched_cycle_id}"))["goals"] == []


def test_numbers_at_the_edge_of_dynamodbs_range_are_stored(as_, launched_cycle_id):
    employee = as_("E4")
    body = {
        "level": "individual",
        "title": "Ship",
        "cycle_id": launched_cycle_id,
        "key_results": [{"id": "k1", "title": "Users", "start": 1e-130, "target": 9.99e125}],
    }
    goal = ok(employee.post("/api/goals", body), 201)
    stored = ok(employee.get(f"/api/goals/{goal['goal_id']}"))["key_results"][0]
    assert (stored["start"], stored["target"]) == (1e-130, 9.99e125)


def test_a_whole_number_with_more_than_38_digits_is_refused(as_, launched_cycle_id):
    employee = as_("E4")
    version = etag(employee.get(review_url(launched_cycle_id, "E4")))
    content = f.self_content()
    content["competency_ratings"]["delivery"]["rating"] = 12345678901234567890123456789012345678901
    assert_error(employee.put(review_url(launched_cycle_id, "E4", "self"), {"content": content}, version), 422)


@pytest.mark.parametrize("number", ["1e308", "2.2e-308", "inf", "nan"])
def test_a_key_result_outside_the_range_in_the_goal_form_redisplays_it(as_, launched_cycle_id, number):
    employee = as_("E4")
    resp = employee.client.post(
        "/goals",
        data={
            "csrf_token": employee.auth.csrf,
            "cycle_id": launched_cycle_id,
            "level": "individual",
            "title": "Ship",
            "kr.0.title": "Users",
            "kr.0.target": number,
        },
    )
    assert resp.status_code == 422
    assert ok(employee.get(f"/api/people/E4/goals?cycle_id={launched_cycle_id}"))["goals"] == []


# --- ids in paths, bodies and queries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/api/people/..",
        "/api/people/..%2F..%2Fetc%2Fpasswd",
        "/api/people/E1%23X",
        "/api/people/E1%00",
        "/api/people/%C3%A9%E2%80%AE",
        "/api/people/%ED%A0%80",
        "/api/people/%FF%FE",
        "/api/people/" + "x" * 5000,
        "/api/cycles/%2E%2E/reviews/E4",
        "/api/templates/%F0%9F%92%A9",
        "/api/goals/" + "g" * 3000,
        "/api/departments/%00/people",
        "/api/departments/" + "d" * 3000 + "/people",
        "/api/departments/Ingenier%C3%ADa%2F..%2F/people",
    ],
)
def test_a_path_like_or_unicode_id_is_a_404(as_, path):
    assert_error(as_("E2").get(path), 404)


@pytest.mark.parametrize("path", ["/cycles/%2E%2E/reviews/E4", "/hr/templates/" + "t" * 3000, "/goals/a%23b"])
def test_a_page_with_an_impossible_id_is_a_404_page(as_, path):
    resp = as_("E2").get(path)
    assert resp.status_code == 404
    assert resp.mimetype == "text/html"


@pytest.mark.parametrize("value", ["../E1", "E1#X", "x" * 500, "é"])
def test_an_impossible_id_in_a_body_or_query_is_refused_by_field(as_, launched_cycle_id, value):
    hr, employee = as_("E2"), as_("E4")
    errors = assert_error(hr.post("/api/cycles", jsonable(f.cycle_data(value))), 422)
    assert "template_id" in errors
    resp = employee.client.get("/api/people/E4/goals", query_string={"cycle_id": value})
    assert "cycle_id" in assert_error(resp, 422)


def test_sign_in_as_an_impossible_id_is_refused(client):
    page = client.get("/signin")
    csrf = page.data.decode().split('name="csrf_token" value="')[1].split('"')[0]
    resp = client.post("/signin", data={"csrf_token": csrf, "employee_id": "x" * 5000})
    assert resp.status_code == 422


# --- tampered cursors ---------------------------------------------------------------------------------------


def _b64(value) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "cursor",
    [
        _b64({"pk": 5, "sk": None}),
        _b64({"pk": "ORG", "sk": "EMP#E1"}),
        _b64({"pk": "CYCLE#other", "sk": "REVIEW#E4"}),
        _b64({"pk": "x", "sk": "y", "extra": 1}),
        _b64([1, 2]),
        _b64("[" * 5000),
        base64.urlsafe_b64encode(b"[" * 5000 + b"]" * 5000).decode(),
        "not base64!",
        "\u00e9\u00e9",
        "A" * 10_000,
    ],
)
def test_a_tampered_cursor_is_refused_by_field(as_, launched_cycle_id, cursor):
    hr = as_("E2")
    resp = hr.client.get(f"/api/cycles/{launched_cycle_id}/reviews", query_string={"cursor": cursor})
    errors = assert_error(resp, 422)
    assert "cursor" in errors


def test_a_cursor_of_this_cycle_pages_on(as_, launched_cycle_id):
    hr = as_("E2")
    cursor = _b64({"pk": f"CYCLE#{launched_cycle_id}", "sk": "REVIEW#E3"})
    rows = ok(hr.client.get(f"/api/cycles/{launched_cycle_id}/reviews", query_string={"cursor": cursor}))["reviews"]
    assert [r["employee_id"] for r in rows] == ["E4", "E5", "E6"]


# --- authentication before CSRF -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/templates"), ("PUT", "/api/cycles/c1"), ("PATCH", "/api/actions/a1"), ("POST", "/hr/cycles/new")],
)
def test_an_unsafe_request_without_any_identity_is_401_not_403(client, method, path):
    resp = client.open(path, method=method, json={})
    assert resp.status_code == 401


def test_a_signed_in_browser_without_the_csrf_token_is_still_refused(as_):
    hr = as_("E2")
    before = templates_stored(hr)
    resp = hr.client.post("/api/templates", json=f.template_data())
    assert_error(resp, 403, "csrf_refused")
    assert templates_stored(hr) == before


def test_sign_in_without_the_csrf_token_is_refused(client):
    assert client.post("/signin", data={"employee_id": "E1"}).status_code == 403


def test_a_method_the_route_does_not_have_is_405_with_allow(as_):
    hr = as_("E2")
    resp = hr.client.delete("/api/templates", headers=hr.auth.headers())
    assert_error(resp, 405)
    assert set(resp.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "POST"}
