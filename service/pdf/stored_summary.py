"""Appraisal summaries rendered once and kept (issue 24): addressed by the hash of what they show, big ones in
the background.

A summary's key is the SHA-256 of its HTML (everything the PDF shows: the reader's copy, every part, names, the
review's content hash) without the one thing that differs between two renders of the same content, the "made
<time>" of its header. Any change a reader could see (an audited correction, a finalisation, a released
feedback group, another day's goal standing) makes a new key; two readers whose copies differ get different
keys, and a key can be known only by someone who has read the whole copy.

- A finalised review's summary is rendered once, stored at `summaries/<key>.pdf` and read from there afterwards.
- A summary estimated over `INLINE_PAGES` is never rendered in the request: a message on the export queue has
  the PDF function render and store it (finalised or not: it must be stored to be handed over), and the reader
  is told it is being prepared; asking again serves it once stored. A render whose last attempt failed (the
  function marks it), or that is not stored within the queue's `give_up_seconds` (every attempt timed out or
  crashed), is told as failed once, and the next ask queues it again: never a link that never comes.
- Any other unfinalised summary (a draft changes with every keystroke) is rendered for the request, not kept.
- A bulk export reads a finalised summary kept under its key instead of rendering it again (`keeping`), and
  keeps the ones it renders.
- A reader who sends the key back (If-None-Match) gets "not modified" from the hash alone: nothing is read from
  the bucket or rendered.

The reader's access is checked before any of this (`summaries.summary_for` answers 404 first), on every ask.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable, Container
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.adapters.blobs import BlobStore
from service.adapters.clock import Clock, iso
from service.adapters.queue import Queue
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.pdf.documents import summary_html
from service.services.directory import principal_for
from service.services.summaries import Summary, summary_for
from service.views.labels import when

KIND = "render_summary"  # a message of the export queue, consumed by the PDF function
PREFIX = "summaries/"  # template.yaml: ExportBucket's lifecycle rule ExpireStoredSummaries
# Measured on the demo's 3-page summary (11 KB of HTML) and a 200-goal one (144 KB, 22 pages): ~6.5 KB a page.
PAGE_BYTES = 6500
# At ~75 ms a page (a render at 2 GB, ~3x that on a loaded machine), 12 pages stay far inside API Gateway's 30 s.
INLINE_PAGES = 12
# The marker beside a background render's key: when it was asked for (ISO), FAILED (its last attempt failed) or
# TOLD (the reader was told it failed: the next ask queues it again).
FAILED, TOLD = b"failed", b"told"
RETRY_AFTER = 5  # seconds a reader is asked to wait before asking again
Render = Callable[[Summary], bytes]


@dataclass(frozen=True)
class Prepared:
    """A summary's HTML, its storage key (hex digest) and its estimated pages."""

    summary: Summary
    html: str
    key: str
    pages: int

    @property
    def object_key(self) -> str:
        """Where the PDF is stored."""
        return f"{PREFIX}{self.key}.pdf"


@dataclass(frozen=True)
class Ready:
    """The PDF and its key (the ETag)."""

    pdf: bytes
    key: str


@dataclass(frozen=True)
class Unchanged:
    """The reader holds this key's copy already (If-None-Match): nothing read from the bucket, nothing sent."""

    key: str


@dataclass(frozen=True)
class Preparing:
    """The PDF is being rendered in the background; ask again after `retry_after` seconds."""

    key: str
    retry_after: int = RETRY_AFTER


@dataclass(frozen=True)
class RenderFailed:
    """The background render failed or never finished; asking again queues it once more."""

    key: str


def prepare(summary: Summary) -> Prepared:
    """The summary's HTML, key and estimated pages (Jinja only: about a millisecond)."""
    html = summary_html(summary.context)
    made = f"made {when(summary.context['generated_at'])}<"
    digest = hashlib.sha256(html.replace(made, "<", 1).encode("utf-8")).hexdigest()
    return Prepared(summary, html, digest, max(1, math.ceil(len(html) / PAGE_BYTES)))


def _render(summary: Summary) -> bytes:
    """The one way a summary becomes a PDF (looked up when called: WeasyPrint loads on the first PDF)."""
    from service.pdf import summary_pdf

    return summary_pdf.summary_pdf(summary)


def render_and_store(prepared: Prepared, store: BlobStore, now: datetime, render: Render | None = None) -> bytes:
    """Render the PDF and keep it under its key (its metadata says when it was made)."""
    pdf = (render or _render)(prepared.summary)
    store.put(prepared.object_key, pdf, "application/pdf", {"rendered-at": iso(now), "pages": str(prepared.pages)})
    return pdf


def keeping(render: Render, store: BlobStore, clock: Clock) -> Render:
    """`render` as a bulk export uses it: a finalised summary already kept under its key is read back (nothing
    rendered), one not kept yet is rendered and kept for the next export or download; a draft is only rendered."""

    def made(summary: Summary) -> bytes:
        if not summary.finalised:
            return render(summary)
        prepared = prepare(summary)
        stored = store.get(prepared.object_key)
        return stored.data if stored is not None else render_and_store(prepared, store, clock.now(), render)

    return made


def download(
    summary: Summary,
    store: BlobStore,
    queue: Queue,
    clock: Clock,
    reader_id: str,
    inline_pages: int = INLINE_PAGES,
    held: Container[str] = (),
    give_up_seconds: int | None = None,
) -> Ready | Preparing | RenderFailed | Unchanged:
    """The reader's summary (already allowed to them): the stored PDF, a fresh render, "being prepared" or "that
    render failed"; or Unchanged when its key is among the ETags the reader `held` (answered from the hash, the
    bucket unread). `give_up_seconds`: the export queue's (EXPORT_MAX_RECEIVES × EXPORT_VISIBILITY_SECONDS + margin)."""
    prepared = prepare(summary)
    if prepared.key in held:
        return Unchanged(prepared.key)
    big = prepared.pages > inline_pages
    if prepared.summary.finalised or big:
        stored = store.get(prepared.object_key)
        if stored is not None:
            return Ready(stored.data, prepared.key)
    if not big:
        if prepared.summary.finalised:
            return Ready(render_and_store(prepared, store, clock.now()), prepared.key)
        return Ready(_render(summary), prepared.key)
    if give_up_seconds is None:
        from service.adapters.export_settings import load_export_settings

        give_up_seconds = load_export_settings().give_up_seconds
    return _ask_once(prepared, store, queue, clock, reader_id, give_up_seconds)


def _marker(key: str) -> str:
    return f"{PREFIX}{key}.pending"


def _ask_once(
    prepared: Prepared, store: BlobStore, queue: Queue, clock: Clock, reader_id: str, give_up_seconds: int
) -> Preparing | RenderFailed:
    """Queue the background render unless one is under way (a marker object beside the PDF's key); a render
    marked failed, or asked for longer ago than the queue retries it, is told as failed (once)."""
    marker = _marker(prepared.key)
    now = clock.now()
    asked = store.get(marker)
    if asked is not None and asked.data != TOLD:
        at = _asked_at(asked.data)
        if asked.data == FAILED or (at is not None and (now - at).total_seconds() > give_up_seconds):
            store.put(marker, TOLD, "text/plain")
            return RenderFailed(prepared.key)
        if at is not None:
            return Preparing(prepared.key)
    store.put(marker, iso(now).encode(), "text/plain")
    summary = prepared.summary
    message = {"kind": KIND, "cycle_id": summary.cycle_id, "employee_id": summary.employee_id}
    queue.send_many([message | {"reader": reader_id, "key": prepared.key}])
    return Preparing(prepared.key)


def _asked_at(data: bytes) -> datetime | None:
    """When a marker says its render was asked for; None for any other marker (an unreadable one: asked again)."""
    try:
        return datetime.fromisoformat(data.decode())
    except ValueError:  # UnicodeDecodeError included
        return None


def render_failed(store: BlobStore, message: dict[str, Any]) -> None:
    """The PDF function's last attempt at a background render failed: the reader's next ask is told so."""
    if message.get("key"):
        store.put(_marker(message["key"]), FAILED, "text/plain")


@dataclass(frozen=True)
class Rendered:
    """What a background render stored (another key than the one asked for when the review changed meanwhile)."""

    key: str
    pages: int


def render_message(table: Table, message: dict[str, Any], clock: Clock, store: BlobStore) -> Rendered:
    """The PDF function's side of a background render: the reader's summary as it is now, rendered and stored.

    The summary is read again through the reader's own visibility rules; if the review changed since it was
    asked for, the new content is stored under its own key (the reader's next ask finds it there)."""
    uow = UnitOfWork(table)
    reader = principal_for(uow, message["reader"])
    summary = summary_for(uow, reader, message["cycle_id"], message["employee_id"], clock.now())
    prepared = prepare(summary)
    if store.get(prepared.object_key) is None:
        render_and_store(prepared, store, clock.now())
    return Rendered(prepared.key, prepared.pages)
