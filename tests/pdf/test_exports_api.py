"""Bulk exports through the API and HR's pages, with the real renderer and an in-memory bucket (the queue
runs inline): a department's ZIP holds its HR copies as PDFs that pdftotext reads."""

from __future__ import annotations

import io
import re
import zipfile

import pytest

from service.adapters.blobs import MemoryBlobStore
from service.adapters.unit_of_work import UnitOfWork
from service.web.exports import use_exports
from tests.pdf.conftest import pdf_text


@pytest.fixture(scope="module")
def bucket(world):
    blobs = MemoryBlobStore()
    use_exports(world.app, blobs=blobs)
    return blobs


@pytest.fixture(scope="module")
def people_export(world, bucket):
    """An export of the People department (two reviews), made once for the module."""
    hr = world.client("E2")
    body = {"cycle_id": world.cycle_id, "department": "People"}
    first = hr.post("/api/exports", json=body, headers={"X-CSRF-Token": hr.csrf, "Idempotency-Key": "people-1"})
    again = hr.post("/api/exports", json=body, headers={"X-CSRF-Token": hr.csrf, "Idempotency-Key": "people-1"})
    return first, again


def test_an_export_is_created_once_per_idempotency_key(people_export):
    first, again = people_export
    assert first.status_code == 201, first.get_json()
    assert again.status_code == 200 and again.headers["Idempotent-Replayed"] == "true"
    assert again.get_json()["export_id"] == first.get_json()["export_id"]


def test_the_finished_export_holds_each_reviews_hr_copy(world, bucket, people_export, tmp_path):
    hr = world.client("E2")
    export_id = people_export[0].get_json()["export_id"]
    job = hr.get(f"/api/exports/{export_id}").get_json()
    assert job["state"] == "done" and job["done"] == job["total"] == 2 and job["percent"] == 100
    link = hr.get(f"/api/exports/{export_id}/link").get_json()
    assert link["expires_in"] == 300 and link["filename"] == "appraisal-summaries-2026-annual-review-people.zip"
    key = re.search(r"memory://(.*)\?", link["url"]).group(1)
    archive = zipfile.ZipFile(io.BytesIO(bucket.objects[key]))
    (barbara,) = [n for n in archive.namelist() if "barbara-liskov" in n]
    assert barbara.endswith("-hr.pdf")
    text = pdf_text(archive.read(barbara), tmp_path, 1)
    assert "Barbara Liskov" in text and "HR copy" in text


@pytest.mark.parametrize(
    ("body", "headers", "field"),
    [
        ({}, {}, "cycle_id"),
        ({"cycle_id": "no such/cycle"}, {}, "cycle_id"),
        ({"cycle_id": "CYCLE", "department": ""}, {}, "department"),
        ({"cycle_id": "CYCLE"}, {"Idempotency-Key": "bad key with spaces"}, "Idempotency-Key"),
    ],
)
def test_a_bad_request_is_a_422_with_field_messages_and_no_job(world, bucket, body, headers, field):
    hr = world.client("E2")
    before = len(hr.get("/api/exports").get_json()["exports"])
    body = {k: (world.cycle_id if v == "CYCLE" else v) for k, v in body.items()}
    resp = hr.post("/api/exports", json=body, headers={"X-CSRF-Token": hr.csrf, **headers})
    assert resp.status_code == 422 and field in resp.get_json()["errors"], resp.get_json()
    assert len(hr.get("/api/exports").get_json()["exports"]) == before


@pytest.mark.parametrize(
    ("method", "path"),
    [("POST", "/api/exports"), ("GET", "/api/exports"), ("GET", "/hr/exports")],
)
def test_only_hr_exports(world, method, path):
    manager = world.client("E3")
    resp = manager.open(path, method=method, json={"cycle_id": world.cycle_id}, headers={"X-CSRF-Token": manager.csrf})
    assert resp.status_code == 403


def test_hr_exports_through_the_pages_and_downloads_by_a_fresh_link(world, bucket):
    hr = world.client("E2")
    page = hr.get("/hr/exports").get_data(as_text=True)
    assert "Export the summaries" in page
    key = re.search(r'name="request_key" value="([^"]+)"', page).group(1)
    form = {"csrf_token": hr.csrf, "request_key": key, "cycle_id": world.cycle_id, "department": "People"}
    made = hr.post("/hr/exports", data=form)
    assert made.status_code == 302
    again = hr.post("/hr/exports", data=form)  # a double submit: the same export
    assert again.headers["Location"] == made.headers["Location"]
    status = hr.get(made.headers["Location"]).get_data(as_text=True)
    assert "Download the ZIP" in status and "2 of 2 summaries made" in status
    download = hr.get(made.headers["Location"] + "/download")
    assert download.status_code == 303 and download.headers["Location"].startswith("memory://exports/")


def test_the_export_form_redisplays_with_messages(world):
    hr = world.client("E2")
    resp = hr.post("/hr/exports", data={"csrf_token": hr.csrf, "cycle_id": ""})
    assert resp.status_code == 422
    assert "error-summary" in resp.get_data(as_text=True)


def test_the_openapi_document_describes_the_pdf_and_the_exports(world):
    doc = world.client("E2").get("/api/openapi.json").get_json()
    pdf = doc["paths"]["/api/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf"]["get"]
    assert "application/pdf" in pdf["responses"]["200"]["content"]
    assert {"401", "404"} <= set(pdf["responses"])
    assert {"post", "get"} <= set(doc["paths"]["/api/exports"])
    assert "/api/exports/{export_id}/link" in doc["paths"]


def test_the_export_page_offers_the_departments_of_the_launched_cycles_only():
    """From the cycles' counters, not the directory: a department hired into after the launch has no
    reviews to export, so it is not offered (and the page does not read the whole organisation)."""
    from service.services.directory import import_organisation
    from tests.conftest import ORG_CSV
    from tests.pdf.conftest import build_world

    world = build_world()
    later = ORG_CSV + "E9,Mary Jackson,mary@example.com,Analyst,Finance,E1,\n"
    import_organisation(UnitOfWork(world.table), None, later, world.clock)
    page = world.client("E2").get("/hr/exports").get_data(as_text=True)
    select = page[page.index('name="department"') : page.index("</select>", page.index('name="department"'))]
    offered = re.findall(r'<option value="([^"]+)"', select)
    reviewed = {r.department for r in UnitOfWork(world.table).reviews.of_cycle(world.cycle_id)}
    assert offered == sorted(reviewed) and "Finance" not in offered and "Engineering" in offered


def test_a_zip_deleted_after_two_days_is_said_so_not_linked_to():
    """The bucket's lifecycle rule deletes ZIPs after two days: the page says when, and asking for the ZIP
    afterwards answers 409 with the reason (API) or the export's page with it (page), never a dead link."""
    from datetime import timedelta

    from service.services.exports import RETENTION_DAYS
    from tests.pdf.conftest import build_world

    world = build_world()
    blobs = MemoryBlobStore()
    use_exports(world.app, blobs=blobs, render=lambda summary: b"%PDF stand-in")
    hr = world.client("E2")
    made = hr.post(
        "/api/exports", json={"cycle_id": world.cycle_id, "department": "People"}, headers={"X-CSRF-Token": hr.csrf}
    )
    export_id = made.get_json()["export_id"]
    job = hr.get(f"/api/exports/{export_id}").get_json()
    assert job["state"] == "done" and job["kept_until"] == "2026-03-04T09:00:00.000Z"  # finished at NOW, + 2 days
    page = hr.get(f"/hr/exports/{export_id}").get_data(as_text=True)
    assert "Download the ZIP" in page and "Kept until 4 Mar 2026" in page

    (key,) = [k for k in blobs.objects if k.endswith(".zip")]  # the ZIP (beside its chunks' pieces)
    del blobs.objects[key]  # what the lifecycle rule does
    link = hr.get(f"/api/exports/{export_id}/link")
    assert link.status_code == 409 and "no longer kept" in link.get_json()["message"]
    download = hr.get(f"/hr/exports/{export_id}/download")
    assert download.status_code == 303 and download.headers["Location"].endswith(f"/hr/exports/{export_id}")
    shown = hr.get(download.headers["Location"]).get_data(as_text=True)
    assert "Not downloaded: the ZIP of this export is no longer kept" in shown

    world.clock.at += timedelta(days=RETENTION_DAYS, seconds=1)
    later = hr.get(f"/hr/exports/{export_id}").get_data(as_text=True)
    assert "Download the ZIP" not in later and "The ZIP was deleted on 4 Mar 2026" in later


def test_the_retention_the_pages_state_is_the_buckets_lifecycle_rule():
    from pathlib import Path

    from service.services.exports import RETENTION_DAYS

    text = (Path(__file__).resolve().parents[2] / "template.yaml").read_text()
    rule = text[text.index("Id: ExpireExports") :]
    assert f"ExpirationInDays: {RETENTION_DAYS}\n" in rule[: rule.index("AbortIncompleteMultipartUpload")]


def test_the_export_page_shows_the_parts_made_and_a_failed_part_being_tried_again(monkeypatch):
    """Issue 24: the export is cut into parts (chunks); the page and the API say how many are done and which
    part failed and is being retried on its own, while the others are kept."""
    from service.adapters.queue import InlineQueue
    from service.services import exports as export_svc
    from tests.pdf.conftest import build_world

    monkeypatch.setattr(export_svc, "CHUNK_SIZE", 2)
    world = build_world()
    sent: list[dict] = []
    blobs = MemoryBlobStore()
    use_exports(world.app, queue=InlineQueue(sent.append), blobs=blobs, render=lambda summary: b"%PDF stand-in")
    hr = world.client("E2")
    made = hr.post("/api/exports", json={"cycle_id": world.cycle_id}, headers={"X-CSRF-Token": hr.csrf})
    export_id = made.get_json()["export_id"]
    export_svc.run_export(world.table, sent.pop(0), world.clock, blobs, lambda s: b"%PDF", InlineQueue(sent.append))
    export_svc.run_export(world.table, sent.pop(0), world.clock, blobs, lambda s: b"%PDF", InlineQueue(sent.append))
    broken = MemoryBlobStore()
    broken.start_upload = lambda key, content_type: (_ for _ in ()).throw(OSError("no bucket"))
    with pytest.raises(OSError):
        export_svc.run_export(world.table, sent[0], world.clock, broken, lambda s: b"%PDF", InlineQueue(sent.append))

    job = hr.get(f"/api/exports/{export_id}").get_json()
    assert (job["state"], job["chunks"], job["chunks_done"], job["done"], job["total"]) == ("running", 3, 1, 2, 6)
    assert job["chunk_retries"] == 1 and job["last_retry"]["chunk"] == 1
    page = hr.get(f"/hr/exports/{export_id}").get_data(as_text=True)
    assert "2 of 6 summaries made" in page and "1 of 3 parts done" in page
    assert "Part 2 failed (attempt 1: an error in the service (logged)) and is being tried again on its own" in page
    listed = hr.get("/hr/exports").get_data(as_text=True)
    assert "parts 1 of 3" in listed


def test_a_second_export_reads_the_kept_finalised_summaries_and_renders_only_the_others():
    """Issue 24: a finalised summary is kept under the hash of what it shows; an export renders it once, the next
    export (or download) reads it back."""
    from tests.pdf.conftest import build_world

    world = build_world()
    blobs, rendered = MemoryBlobStore(), []

    def render(summary):
        rendered.append((summary.employee_id, summary.finalised))
        return f"%PDF {summary.employee_id} {len(rendered)}".encode()

    use_exports(world.app, blobs=blobs, render=render)
    hr = world.client("E2")

    def export() -> dict[str, bytes]:
        made = hr.post("/api/exports", json={"cycle_id": world.cycle_id}, headers={"X-CSRF-Token": hr.csrf})
        assert hr.get(f"/api/exports/{made.get_json()['export_id']}").get_json()["state"] == "done"
        (key,) = [k for k in blobs.objects if k.endswith(".zip") and made.get_json()["export_id"] in k]
        archive = zipfile.ZipFile(io.BytesIO(blobs.objects[key]))
        return {n: archive.read(n) for n in archive.namelist()}

    first = export()
    finalised = {e for e, done in rendered if done}
    assert finalised and len(rendered) == len(first)  # every summary made once; the finalised ones kept
    rendered.clear()
    second = export()
    assert rendered and not {e for e, done in rendered if done}  # only the unfinalised ones are rendered again
    kept = [n for n in first if any(f"%PDF {e} ".encode() in first[n] for e in finalised)]
    assert kept and all(second[n] == first[n] for n in kept)  # the very bytes kept the first time
