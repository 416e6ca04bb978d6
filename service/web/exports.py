"""Bulk export of appraisal summaries (HR): the JSON API, the pages, and their queue and bucket.

Deployed, the export queue is SQS (EXPORT_QUEUE_URL) and the PDF function does the work; the local run
points the same settings at moto's SQS and S3 and polls the queue in-process (service/local_exports.py);
tests give the app an inline queue and an in-memory bucket (`use_exports`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from marshmallow import Schema, fields, validate

from service.adapters.blobs import BlobStore, MemoryBlobStore
from service.adapters.clock import iso
from service.adapters.queue import InlineQueue, Queue, SqsQueue
from service.domain.errors import Conflict, ValidationFailed
from service.domain.exports import ExportState
from service.services import exports as export_svc
from service.web import forms
from service.web.api_io import load_body, respond, versioned
from service.web.auth import current_principal
from service.web.docs import api_change, api_doc, api_report
from service.web.fields import Id, Text
from service.web.form_flow import OnRefusal, attempt
from service.web.pages_hr import hr
from service.web.schemas import list_of
from service.web.versioning import expected_version
from service.web.wiring import Wiring, wiring

bp = Blueprint("exports", __name__)
LABELS = {"cycle_id": "Cycle", "department": "Department"}
KEY_RE = re.compile(r"[A-Za-z0-9._:-]{1,100}")


class ExportInSchema(Schema):
    """What HR asks to export: a cycle, or one department of it."""

    cycle_id = Id(required=True)
    department = Text(load_default=None, allow_none=True, validate=validate.Length(min=1, max=200))


class FailureSchema(Schema):
    """A review whose summary could not be made."""

    employee_id = fields.String()
    employee_name = fields.String()
    reason = fields.String()


class ChunkRetrySchema(Schema):
    """The latest failed attempt of one chunk of an export (SQS delivers that chunk again, alone)."""

    chunk = fields.Integer()
    tries = fields.Integer()
    error = fields.String()
    at = fields.String()


class ExportSchema(Schema):
    """An export job and its progress (summaries, and the chunks the work is cut into)."""

    export_id = fields.String(required=True)
    cycle_id = fields.String(required=True)
    cycle_name = fields.String()
    department = fields.String(allow_none=True)
    requested_by = fields.String()
    requested_at = fields.String()
    state = fields.String(required=True, metadata={"enum": [s.value for s in ExportState]})
    total = fields.Integer()
    done = fields.Integer()
    failed = fields.Integer(metadata={"description": "summaries that could not be made"})
    percent = fields.Integer()
    chunks = fields.Integer(metadata={"description": "chunks the export is cut into (0 until it is cut)"})
    chunks_done = fields.Integer()
    chunk_retries = fields.Integer(metadata={"description": "failed chunk attempts, each retried alone"})
    last_retry = fields.Nested(ChunkRetrySchema, allow_none=True)
    failures = fields.List(fields.Nested(FailureSchema))
    size = fields.Integer()
    error = fields.String()
    attempts = fields.Integer()
    updated_at = fields.String()
    finished_at = fields.String(allow_none=True)
    kept_until = fields.String(allow_none=True, metadata={"description": "when the ZIP is deleted (done exports)"})
    filename = fields.String()
    version = fields.Integer()


ExportListSchema = list_of("exports", ExportSchema)


class LinkSchema(Schema):
    """A presigned download link, minted now."""

    url = fields.String(required=True)
    expires_in = fields.Integer(required=True, metadata={"description": "seconds (at most 300)"})
    filename = fields.String(required=True)


def use_exports(app: Flask, queue: Queue | None = None, blobs: BlobStore | None = None, render: Any = None) -> None:
    """Give an app its export queue and bucket (tests; the defaults come from the environment)."""
    extras = app.extensions["reviews"].extras
    if blobs is not None:
        extras["export_blobs"] = blobs
    if render is not None:
        extras["export_render"] = render
    if queue is not None:
        extras["export_queue"] = queue


def _blobs(w: Wiring) -> BlobStore:
    if "export_blobs" not in w.extras:
        from service.adapters.export_settings import build_blob_store, load_export_settings

        exports = load_export_settings()
        _require(w, exports.bucket, "EXPORT_BUCKET")
        # No bucket configured (an app in a test): ZIPs are kept in this process's memory.
        w.extras["export_blobs"] = build_blob_store(w.settings, exports) if exports.bucket else MemoryBlobStore()
    return w.extras["export_blobs"]


def _require(w: Wiring, value: str | None, name: str) -> None:
    """Deployed, the web function never falls back to the in-process stand-ins (issue 21: a missing variable)."""
    if w.settings.deployed and not value:
        from service.config import ConfigError

        raise ConfigError(f"the deployed web function has no {name} (template.yaml: Globals)")


def _queue(w: Wiring) -> Queue:
    """SQS when EXPORT_QUEUE_URL is set; otherwise the export runs inline in this process."""
    if "export_queue" not in w.extras:
        from service.adapters.export_settings import load_export_settings

        url = load_export_settings().queue_url
        _require(w, url, "EXPORT_QUEUE_URL")
        if url:
            from service.adapters.aws import client

            w.extras["export_queue"] = SqsQueue(client("sqs", w.settings), url)
        else:
            w.extras["export_queue"] = InlineQueue(lambda m: _run_inline(w, m))
    return w.extras["export_queue"]


def _run_inline(w: Wiring, message: dict[str, Any]) -> None:
    render = w.extras.get("export_render")
    if render is None:
        from service.pdf.summary_pdf import summary_pdf as render
    from service.pdf.stored_summary import keeping

    kept = keeping(render, _blobs(w), w.clock)  # a finalised summary kept already is read back, not made again
    export_svc.run_export(w.table, message, w.clock, _blobs(w), kept, _queue(w))  # its chunks: inline too


def _idempotency_key() -> str | None:
    raw = request.headers.get("Idempotency-Key")
    if raw is None:
        return None
    if not KEY_RE.fullmatch(raw):
        raise ValidationFailed(
            "The Idempotency-Key header is malformed.",
            {"Idempotency-Key": ["1–100 letters, digits, '.', '_', ':' or '-'"]},
        )
    return raw


def _export_response(job: export_svc.ExportView, status: int = 200):
    return versioned(job, ExportSchema, status)


# --- JSON API --------------------------------------------------------------------------------------


@bp.post("/api/exports")
@api_doc(
    "Export the appraisal summaries of a cycle or of one department as a ZIP, in the background (HR); "
    "an Idempotency-Key header makes a repeat answer with the same job (200)",
    response=ExportSchema,
    body=ExportInSchema,
    status=201,
    also=(200,),
    errors=(404, 409),
)
def create_export():
    """Queue an export job (idempotent on the Idempotency-Key header)."""
    principal = current_principal()
    data = load_body()
    w = wiring()
    job, created = export_svc.request_export(
        w.uow(), principal, data["cycle_id"], data.get("department"), _idempotency_key(), w.clock, _queue(w)
    )
    resp = _export_response(job, 201 if created else 200)
    if not created:
        resp.headers["Idempotent-Replayed"] = "true"
    return resp


@bp.get("/api/exports")
@api_report("The newest export jobs (HR)", ExportListSchema)
def list_exports():
    """The newest exports with their progress."""
    w = wiring()
    return respond({"exports": export_svc.list_exports(w.uow(), current_principal(), w.clock)})


@bp.get("/api/exports/<export_id>")
@api_report("One export job and its progress (HR)", ExportSchema)
def get_export(export_id: str):
    """One export job."""
    w = wiring()
    return _export_response(export_svc.get_export(w.uow(), current_principal(), export_id, w.clock))


@bp.post("/api/exports/<export_id>/retry")
@api_change("Queue a failed export again (HR)", ExportSchema)
def retry_export(export_id: str):
    """Retry a failed export."""
    w = wiring()
    job = export_svc.retry_export(w.uow(), current_principal(), export_id, expected_version(), w.clock, _queue(w))
    return _export_response(job)


@bp.get("/api/exports/<export_id>/link")
@api_doc(
    "A presigned link to a finished export's ZIP, minted now, valid 5 minutes, saved as an attachment (HR)",
    response=LinkSchema,
    errors=(403, 409),
)
def export_link(export_id: str):
    """Mint a download link."""
    w = wiring()
    return respond(export_svc.download_link(w.uow(), current_principal(), export_id, _blobs(w)))


# --- pages ---------------------------------------------------------------------------------------------


@bp.route("/hr/exports", methods=["GET", "POST"])
def exports_page():
    """HR's exports: ask for a cycle's or a department's summaries, and the newest exports."""
    principal = hr()
    w = wiring()
    uow = w.uow()
    values: dict[str, Any] = {}
    errors: forms.Errors = {}
    status = 200
    if request.method == "POST":
        raw = {k: request.form.get(k, "").strip() for k in ("cycle_id", "department")}
        values = raw
        data, errors = forms.load(ExportInSchema(), {k: v for k, v in raw.items() if v})
        if not errors and data is not None:

            def again(errs: forms.Errors, message: str, code: int):
                return _exports_page(principal, raw, errs, message, code)

            job, _created = attempt(
                lambda: export_svc.request_export(
                    uow,
                    principal,
                    data["cycle_id"],
                    data.get("department"),
                    request.form.get("request_key") or None,
                    w.clock,
                    _queue(w),
                ),
                OnRefusal(back=url_for("exports.exports_page"), form=again, prefix="Not exported"),
            )
            flash("The export is under way.", "success")
            return redirect(url_for("exports.export_page", export_id=job.export_id))
        status = 422
    return _exports_page(principal, values, errors, "Check the request." if errors else "", status)


def _exports_page(principal, values: dict[str, Any], errors: forms.Errors, message: str, status: int):
    w = wiring()
    uow = w.uow()
    cycles, departments = export_svc.export_choices(uow, principal)
    body = render_template(
        "pages/hr_exports.html",
        exports=export_svc.list_exports(uow, principal, w.clock),
        cycle_options=[(c.cycle_id, c.name) for c in cycles],
        department_options=[(d, d) for d in departments],
        values=values,
        errors=errors,
        summary=forms.summary(errors, lambda name: LABELS.get(name, name)),
        message=message,
        request_key=w.clock.new_id(),
    )
    return body, status


@bp.get("/hr/exports/<export_id>")
def export_page(export_id: str):
    """One export: its progress (the page refreshes itself while it runs), the download, or a retry."""
    principal = hr()
    w = wiring()
    job = export_svc.get_export(w.uow(), principal, export_id, w.clock)
    gone = bool(job.kept_until) and job.kept_until <= iso(w.clock.now())
    return render_template("pages/hr_export.html", job=job, gone=gone)


@bp.get("/hr/exports/<export_id>/download")
def export_download(export_id: str):
    """Mint a five-minute link to the ZIP and go there."""
    principal = hr()
    w = wiring()
    try:
        link = export_svc.download_link(w.uow(), principal, export_id, _blobs(w))
    except Conflict as exc:  # deleted after its retention, or not finished: say so on the export's page
        flash(f"Not downloaded: {exc}.", "error")
        return redirect(url_for("exports.export_page", export_id=export_id), code=303)
    return redirect(link.url, code=303)


@bp.post("/hr/exports/<export_id>/retry")
def export_retry(export_id: str):
    """Queue a failed export again."""
    principal = hr()
    w = wiring()
    attempt(
        lambda: export_svc.retry_export(w.uow(), principal, export_id, expected_version(), w.clock, _queue(w)),
        OnRefusal(back=url_for("exports.export_page", export_id=export_id), prefix="Not retried"),
    )
    flash("The export is queued again.", "success")
    return redirect(url_for("exports.export_page", export_id=export_id))
