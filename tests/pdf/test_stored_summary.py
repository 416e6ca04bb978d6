"""Summaries rendered once and kept (issue 24): a finalised review's PDF is stored under the hash of what it shows
and read from there afterwards; a long one is rendered in the background (202, then the PDF); the reader's access
is checked before anything stored is looked at; drafts are never kept."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from benchmarks.pdf_bench import long_summary
from service.adapters.blobs import MemoryBlobStore
from service.adapters.queue import InlineQueue
from service.adapters.unit_of_work import UnitOfWork
from service.pdf import stored_summary
from service.services import reviews as review_svc
from service.services.summaries import Summary
from service.web.summaries import use_summaries
from tests import factories as f
from tests.pdf.conftest import build_world, pdf_text

PDF = "application/pdf"


@pytest.fixture(scope="module")
def world():
    """The PDF world of tests/pdf/conftest.py, its summaries kept in memory and its background renders recorded."""
    made = build_world()
    made.blobs = MemoryBlobStore()
    made.sent = []
    use_summaries(made.app, queue=InlineQueue(made.sent.append), blobs=made.blobs)
    return made


def stored_pdfs(world) -> dict[str, bytes]:
    """The PDFs kept in the bucket, by object key."""
    return {k: v for k, v in world.blobs.objects.items() if k.startswith("summaries/") and k.endswith(".pdf")}


def etag(resp) -> str:
    return resp.headers["ETag"].strip('"')


def test_a_finalised_summary_is_stored_under_the_hash_of_what_it_shows_then_read_from_there(world):
    first = world.pdf("E2", "E4")
    assert first.status_code == 200 and first.mimetype == PDF
    key = f"summaries/{etag(first)}.pdf"
    assert stored_pdfs(world)[key] == first.data  # the object exists under the hash key, the bytes served
    assert world.blobs.metadata[key]["rendered-at"] == "2026-03-02T09:00:00.000Z"

    # What is stored is what is served: a second download (later) reads the object and renders nothing.
    world.blobs.objects[key] = b"%PDF-1.7 the stored file"
    world.clock.at = world.clock.at + timedelta(hours=2)
    second = world.pdf("E2", "E4")
    assert second.status_code == 200 and second.data == b"%PDF-1.7 the stored file"
    assert etag(second) == etag(first)
    assert world.blobs.metadata[key]["rendered-at"] == "2026-03-02T09:00:00.000Z"


def test_each_reader_has_their_own_copy_and_key(world):
    hr, employee = world.pdf("E2", "E4"), world.pdf("E4", "E4")
    assert employee.status_code == 200 and etag(employee) != etag(hr)
    assert f"summaries/{etag(employee)}.pdf" in stored_pdfs(world)


def test_access_is_checked_before_the_store(world, tmp_path):
    assert world.pdf("E2", "E4").status_code == 200  # HR's copy is stored
    for stranger in ("E5", "E6"):  # a colleague and someone outside the team
        resp = world.pdf(stranger, "E4")
        assert resp.status_code == 404 and resp.mimetype == "application/json"
        assert b"%PDF" not in resp.data


def test_a_draft_summary_is_rendered_for_the_request_and_never_kept(world, tmp_path):
    before = set(stored_pdfs(world))
    resp = world.pdf("E2", "E5")
    assert resp.status_code == 200 and "DRAFT-ONLY strengths" in pdf_text(resp.data, tmp_path)
    assert set(stored_pdfs(world)) == before


def test_a_change_a_reader_can_see_makes_a_new_key(world):
    old = etag(world.pdf("E2", "E4"))
    hr = f.principal(world.table, "E2")
    review = UnitOfWork(world.table).reviews.get(world.cycle_id, "E4")
    back = review_svc.return_review(
        UnitOfWork(world.table), hr, world.cycle_id, "E4", "acknowledged", "Typo", review.version, world.clock
    )
    review_svc.finalise(UnitOfWork(world.table), hr, world.cycle_id, "E4", back.version, world.clock)
    new = world.pdf("E2", "E4")
    assert new.status_code == 200 and etag(new) != old
    assert {f"summaries/{old}.pdf", f"summaries/{etag(new)}.pdf"} <= set(stored_pdfs(world))


def test_a_long_summary_is_prepared_in_the_background_then_served(world, tmp_path):
    from service.handlers.pdf import process_records

    use_summaries(world.app, inline_pages=0)  # every summary is "long": the background path, without a long render
    try:
        path = f"/api/cycles/{world.cycle_id}/reviews/E5/summary.pdf"
        asked = world.client("E5").get(path)
        assert asked.status_code == 202 and asked.headers["Location"] == path
        assert asked.json["state"] == "preparing" and int(asked.headers["Retry-After"]) > 0
        again = world.client("E5").get(path)
        assert again.status_code == 202 and len(world.sent) == 1  # asked once, not on every poll
        page = world.client("E5").get(path.removeprefix("/api"))
        assert page.status_code == 202 and "being prepared" in page.text and f'href="{path[4:]}"' in page.text

        record = {"messageId": "m1", "body": json.dumps(world.sent[0]), "eventSourceARN": "arn:aws:sqs:q"}
        queue = InlineQueue(world.sent.append)  # a summary render queues nothing
        assert process_records([record], world.table, world.blobs, 3, world.clock, queue) == {"batchItemFailures": []}
        ready = world.client("E5").get(path)
        assert ready.status_code == 200 and ready.mimetype == PDF
        assert stored_pdfs(world)[f"summaries/{etag(ready)}.pdf"] == ready.data
        text = pdf_text(ready.data, tmp_path)
        assert "Employee copy" in text and "DRAFT-ONLY" not in text  # the reader's own copy, rendered elsewhere
    finally:
        use_summaries(world.app, inline_pages=stored_summary.INLINE_PAGES)


def test_the_page_estimate_sends_a_200_goal_summary_to_the_background(every_element):
    demo = Summary(every_element, "demo.pdf", "sha256:x", "C", "E008", True)
    assert stored_summary.prepare(demo).pages <= 3
    assert stored_summary.prepare(long_summary(demo)).pages > stored_summary.INLINE_PAGES
    assert stored_summary.prepare(long_summary(demo)).key != stored_summary.prepare(demo).key


def test_a_background_render_that_never_finishes_is_told_as_failed_once_then_asked_for_again(world):
    """Every attempt timed out (nothing marked it): once the queue's retries are over, the reader is told it failed,
    and the next ask queues it again; an unreadable marker is asked for again at once."""
    from service.adapters.export_settings import load_export_settings

    use_summaries(world.app, inline_pages=0)
    try:
        path = f"/api/cycles/{world.cycle_id}/reviews/E6/summary.pdf"
        before = len(world.sent)
        assert world.client("E2").get(path).json["state"] == "preparing" and len(world.sent) == before + 1
        (marker,) = [k for k in world.blobs.objects if k == f"summaries/{world.sent[-1]['key']}.pending"]
        world.blobs.objects[marker] = b"\xff not a time"
        assert world.client("E2").get(path).json["state"] == "preparing" and len(world.sent) == before + 2
        world.clock.at += timedelta(seconds=load_export_settings().give_up_seconds - 60)
        assert world.client("E2").get(path).json["state"] == "preparing" and len(world.sent) == before + 2
        world.clock.at += timedelta(seconds=120)
        told = world.client("E2").get(path)
        assert told.status_code == 202 and told.json["state"] == "failed" and told.headers["Location"] == path
        assert "could not be prepared" in told.json["message"] and len(world.sent) == before + 2
        again = world.client("E2").get(path)
        assert again.json["state"] == "preparing" and len(world.sent) == before + 3
    finally:
        use_summaries(world.app, inline_pages=stored_summary.INLINE_PAGES)


def test_a_background_render_failing_on_its_last_attempt_is_told_on_the_page_and_asked_again(world, monkeypatch):
    from service.handlers import pdf

    use_summaries(world.app, inline_pages=0)
    try:
        path = f"/cycles/{world.cycle_id}/reviews/E5/summary.pdf"
        assert "being prepared" in world.client("E2").get(path).text
        message = world.sent[-1]

        def broken(*args, **kwargs):
            raise RuntimeError("out of fonts")

        monkeypatch.setattr(stored_summary, "render_message", broken)
        queue = InlineQueue(world.sent.append)
        for count, left in (("2", "being prepared"), ("3", "could not be prepared")):
            record = {"messageId": "m", "body": json.dumps(message), "attributes": {"ApproximateReceiveCount": count}}
            assert pdf.process_records([record], world.table, world.blobs, 3, world.clock, queue) == {
                "batchItemFailures": [{"itemIdentifier": "m"}]
            }
            page = world.client("E2").get(path)
            assert page.status_code == 202 and left in page.text
        assert "Ask for the PDF again" in page.text and f'href="{path}"' in page.text
        sent = len(world.sent)
        assert "being prepared" in world.client("E2").get(path).text and len(world.sent) == sent + 1
    finally:
        use_summaries(world.app, inline_pages=stored_summary.INLINE_PAGES)


def test_the_stored_download_benchmark_runs_and_reads_back_what_it_stored():
    """`make bench`'s pdf_stored measures the real route on moto's S3 (it crashed unnoticed once a benchmark had
    no test)."""
    from benchmarks.pdf_bench import stored_download_samples

    wall, first_ms, size = stored_download_samples(runs=2)
    assert len(wall) == 2 and first_ms > 0 and size > 10_000


@pytest.mark.parametrize("api", [True, False], ids=["api", "page"])
def test_if_none_match_with_the_etag_answers_304_from_the_hash_without_the_bucket(world, api):
    path = f"{'/api' if api else ''}/cycles/{world.cycle_id}/reviews/E4/summary.pdf"
    first = world.client("E2").get(path)
    key = f"summaries/{etag(first)}.pdf"
    del world.blobs.objects[key]  # were the bucket read (or the PDF rendered again), the object would come back
    same = world.client("E2").get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert same.status_code == 304 and same.data == b"" and etag(same) == etag(first)
    assert key not in stored_pdfs(world)
    other = world.client("E2").get(path, headers={"If-None-Match": '"0123abcd"'})
    assert other.status_code == 200 and other.mimetype == PDF and stored_pdfs(world)[key] == other.data
    stranger = world.client("E6").get(path, headers={"If-None-Match": first.headers["ETag"]})
    assert stranger.status_code == 404  # access is decided before the hash is compared


def test_the_openapi_document_names_the_304_of_a_summary_download(world):
    op = (
        world.client("E2")
        .get("/api/openapi.json")
        .json["paths"]["/api/cycles/{cycle_id}/reviews/{employee_id}/summary.pdf"]["get"]
    )
    assert "304" in op["responses"] and "If-None-Match" in {p["name"] for p in op["parameters"]}
