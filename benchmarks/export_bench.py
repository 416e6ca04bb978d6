"""Benchmarks of issue 24's bulk export, registered in benchmarks/run.py: the fan-out in chunks of
CHUNK_SIZE summaries (one SQS message each) and the streamed assembly.

- `export_memory`: peak memory (tracemalloc) of one chunk invocation and of the assembly, for an export of 500 and
  of 50,000 summaries. The chunk renders stand-in PDFs of FAKE_PDF_BYTES; at 50,000 its export is the real one of
  500 reviews with the plan extended to 2,000 chunks (the chunk reads only its own item and the job's). The
  assembly copies pieces of small stand-in PDFs (ASSEMBLY_PDF_BYTES each, so 50,000 fit in seconds), generated
  when read, as S3 would stream them, into a ZIP on disk that is then opened and counted.
- `export_fanout`: the wall time of a 10,000-summary export with the template's concurrency, from measured times:
  one chunk of 25 real summaries rendered by WeasyPrint, the plan, the assembly of 10,000 (stand-in pieces) plus
  the copy of the real PDF bytes at S3_STREAM_MB_S (an assumption, not measured here: one stream GET + UploadPart
  in a 2 GB Lambda), computed as plan + ceil(chunks / concurrency) x chunk + assembly.
"""

from __future__ import annotations

import io
import math
import os
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

FAKE_PDF_BYTES = 120 * 1024  # a stand-in bigger than the demo's 3-page summary (~26 KB): 25 fill most of a part
ASSEMBLY_PDF_BYTES = 12 * 1024  # 500 of them fill a 5 MiB part, as 50,000 do: both hold what the design holds at most
SEEDED = 500
LARGE = 50_000
WALL_SUMMARIES = 10_000
S3_STREAM_MB_S = 50.0  # assumed: one object streamed from S3 into a multipart upload by one invocation
TIMEOUT_S = 900  # template.yaml: PdfFunction's Timeout


class Collect:
    """The export queue, keeping what is sent (the benchmark runs the messages it wants)."""

    def __init__(self) -> None:
        self.sent: list[dict[str, Any]] = []
        self.plan_seconds = 0.0  # how long the plan that filled it took

    def send_many(self, messages: list[dict[str, Any]]) -> None:
        self.sent.extend(messages)


class Discard:
    """A bucket that keeps nothing of what is uploaded: it counts the parts' bytes."""

    def __init__(self) -> None:
        self.bytes = 0

    def start_upload(self, key: str, content_type: str) -> Any:
        store = self

        class Upload:
            def part(self, number: int, data: Any) -> None:
                store.bytes += data.getbuffer().nbytes

            def complete(self) -> None:
                pass

            def abort(self) -> None:
                pass

        return Upload()


def seeded_export(reviews: int = SEEDED) -> tuple[Any, Any, Any, Collect]:
    """A launched cycle of `reviews` people on the in-memory table and HR's export of it, planned: (table, clock,
    the job's id, the queue holding its chunk messages)."""
    from benchmarks.seed import organisation_csv
    from service.adapters.clock import Clock
    from service.adapters.queue import InlineQueue
    from service.adapters.store import MemoryTable
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import cycles as cycle_svc
    from service.services import exports as export_svc
    from service.services import templates as template_svc
    from service.services.auth import Principal
    from service.services.directory import get_person, import_organisation
    from service.services.worker import dispatch
    from tests import factories as f

    table, clock = MemoryTable(), Clock()
    import_organisation(UnitOfWork(table), None, organisation_csv(reviews), clock)
    hr = Principal.of(get_person(UnitOfWork(table), "P0000"))
    template = template_svc.create_template(UnitOfWork(table), hr, f.template_data(), clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, f.cycle_data(template.template_id), clock)
    cycle_svc.launch_cycle(
        UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, InlineQueue(lambda m: dispatch(table, m, clock))
    )
    queue = Collect()
    job, _ = export_svc.request_export(UnitOfWork(table), hr, cycle.cycle_id, None, None, clock, queue)
    plan = queue.sent.pop()
    began = time.perf_counter()
    export_svc.run_export(table, plan, clock, Discard(), _fake_render, queue)  # type: ignore[arg-type]
    queue.plan_seconds = time.perf_counter() - began
    return table, clock, job.export_id, queue


def _fake_render(summary: Any) -> bytes:
    return os.urandom(FAKE_PDF_BYTES)


def _extend_plan(table: Any, export_id: str, summaries: int) -> None:
    """Make the export look cut into chunks for `summaries` (more chunk items, a bigger plan)."""
    from service.adapters import keys
    from service.domain.exports import CHUNK_SIZE, chunk_count

    first = table.get(keys.export_chunk(export_id, 0))
    chunks = chunk_count(summaries)
    plan = table.get(keys.export_plan(export_id))
    start = int(plan["chunks"])
    table.load(
        {**first, **keys.export_chunk(export_id, n), "chunk": n} for n in range(start, chunks)
    )  # the same 25 people again: only the number of items matters here
    table.load([{**plan, "chunks": chunks, "total": chunks * CHUNK_SIZE}])


def chunk_peak(summaries: int, seeded: int = SEEDED) -> dict[str, Any]:
    """Peak memory (tracemalloc) of the invocation that makes chunk 0 of an export of `summaries` (a real export
    of `seeded` reviews, its plan extended beyond that)."""
    from service.services import exports as export_svc

    table, clock, export_id, queue = seeded_export(seeded)
    if summaries > seeded:
        _extend_plan(table, export_id, summaries)
    message = next(m for m in queue.sent if m["chunk"] == 0)
    store = Discard()
    tracemalloc.start()
    began = time.perf_counter()
    made = export_svc.run_export(table, message, clock, store, _fake_render, queue)  # type: ignore[arg-type]
    took = time.perf_counter() - began
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {
        "invocation": "chunk",
        "summaries": summaries,
        "made": made.done,  # type: ignore[union-attr]
        "peak_mib": round(peak / 2**20, 2),
        "seconds": round(took, 2),
    }


class Pieces:
    """Chunk pieces of stand-in PDFs, made again each time they are read (so none is held in memory, as none is
    when S3 streams it), and a ZIP written to a file on disk part by part."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.files: dict[str, list[str]] = {}  # piece key → the names in it
        self.parts = 0

    def piece(self, key: str, names: list[str]) -> tuple[bytes, list[Any]]:
        from service.adapters.export_zip import FragmentWriter

        self.files[key] = names
        buffer = io.BytesIO()
        writer = FragmentWriter(buffer, 0, 0x21)
        for name in names:
            writer.add(name, name.encode().ljust(ASSEMBLY_PDF_BYTES, b"."))
        return buffer.getvalue(), writer.entries

    def read(self, key: str) -> Iterator[bytes]:
        yield self.piece(key, self.files[key])[0]

    def start_upload(self, key: str, content_type: str) -> Any:
        store = self
        file = self.out.open("wb")

        class Upload:
            def part(self, number: int, data: Any) -> None:
                store.parts += 1
                file.write(data.getbuffer())

            def complete(self) -> None:
                file.close()

            def abort(self) -> None:
                file.close()

        return Upload()


def assembly_run(summaries: int, measure_memory: bool = True) -> dict[str, Any]:
    """The assembly of an export of `summaries` stand-in PDFs: peak memory, time, and the ZIP's entries counted."""
    from service.adapters import keys
    from service.adapters.clock import Clock, iso
    from service.adapters.store import MemoryTable
    from service.adapters.unit_of_work import UnitOfWork
    from service.domain.exports import CHUNK_SIZE, ChunkState, ExportJob, ExportState, chunk_count
    from service.services import exports as export_svc

    table, clock = MemoryTable(), Clock()
    at = iso(clock.now())
    job = ExportJob("bench", "c", "Bench cycle", None, "P0000", at, state=ExportState.ASSEMBLING, attempts=1)
    uow = UnitOfWork(table)
    with uow:
        uow.exports.save(job, new=True, actor="bench", action="request", at=at)
        uow.commit()
    chunks = chunk_count(summaries)
    UnitOfWork(table).exports.save_plan(job, chunks, summaries, at)
    with tempfile.TemporaryDirectory() as tmp:
        store = Pieces(Path(tmp) / "export.zip")
        items = []
        for n in range(chunks):
            names = [
                f"summary-{n * CHUNK_SIZE + i:06d}.pdf" for i in range(min(CHUNK_SIZE, summaries - n * CHUNK_SIZE))
            ]
            data, entries = store.piece(f"exports/bench/chunks/{n:06d}", names)
            items.append(
                {
                    **keys.export_chunk("bench", n),
                    "type": "export_chunk",
                    "export_id": "bench",
                    "chunk": n,
                    "state": ChunkState.DONE.value,
                    "version": 2,
                    "piece_key": f"exports/bench/chunks/{n:06d}",
                    "piece_size": len(data),
                    "entries": [e.row() for e in entries],
                    "failures": [],
                }
            )
        table.load(items)
        del items
        message = {"kind": export_svc.ASSEMBLE_KIND, "export_id": "bench", "attempt": 1}
        if measure_memory:
            tracemalloc.start()
        began = time.perf_counter()
        made = export_svc.run_export(table, message, clock, store, _fake_render, Collect())  # type: ignore[arg-type]
        took = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1] if measure_memory else 0
        if measure_memory:
            tracemalloc.stop()
        with zipfile.ZipFile(store.out) as archive:
            entries = len(archive.infolist())
            crc_ok = archive.testzip() is None if summaries <= SEEDED else None  # read back at the small size
    return {
        "invocation": "assembly",
        "summaries": summaries,
        "made": entries,
        "crc_ok": crc_ok,
        "zip_mib": round(made.size / 2**20, 1),  # type: ignore[union-attr]
        "parts": store.parts,
        "peak_mib": round(peak / 2**20, 2),
        "seconds": round(took, 2),
    }


def memory_report(report_cls: Any, sizes: tuple[int, int] = (SEEDED, LARGE)) -> Any:
    """The `export_memory` benchmark: each invocation's peak memory must not grow from 500 to 50,000 summaries."""
    table = [chunk_peak(n) for n in sizes] + [assembly_run(n) for n in sizes]
    ratios = {}
    for kind in ("chunk", "assembly"):
        small, large = (r["peak_mib"] for r in table if r["invocation"] == kind)
        ratios[f"{kind}_peak_ratio"] = round(large / small, 2) if small else None
    complete = all(r["made"] == (r["summaries"] if r["invocation"] == "assembly" else 25) for r in table)
    complete = complete and all(r.get("crc_ok") is not False for r in table)
    return report_cls(
        rows=[],
        facts={**ratios, "every_summary_in_the_zip": complete},
        target=f"peak memory for {sizes[1]:,} summaries <= 1.25 x the peak for {sizes[0]:,}, for a chunk and for the"
        " assembly (stand-in PDFs; the assembly's pieces generated as read)",
        passed=complete and all(r is not None and r <= 1.25 for r in ratios.values()),
        table=table,
    )


def template_concurrency() -> dict[str, int]:
    """How many chunks run at once: the export trigger's MaximumConcurrency, within PdfFunction's reserve."""
    from service.adapters.table_setup import load_template

    template = load_template()
    trigger = template["Resources"]["PdfExportTrigger"]["Properties"]["ScalingConfig"]["MaximumConcurrency"]
    reserved = template["Parameters"]["PdfConcurrency"]["Default"]
    return {"maximum_concurrency": int(trigger), "reserved": int(reserved), "concurrency": min(trigger, reserved)}


def real_chunk_seconds() -> tuple[float, int]:
    """(seconds, bytes) of one chunk of 25 summaries rendered by WeasyPrint (after a warm-up render)."""
    from service.pdf.summary_pdf import summary_pdf
    from service.services import exports as export_svc

    table, clock, _export_id, queue = seeded_export()
    first, second = (m for m in queue.sent if m["chunk"] in (0, 1))
    export_svc.run_export(table, first, clock, Discard(), summary_pdf, queue)  # type: ignore[arg-type]  # warm-up
    store = Discard()
    began = time.perf_counter()
    export_svc.run_export(table, second, clock, store, summary_pdf, queue)  # type: ignore[arg-type]
    return time.perf_counter() - began, store.bytes


def kept_chunk_seconds() -> tuple[float, int]:
    """(seconds, summaries rendered) of the same chunk exported again once its summaries are kept (issue 24: a
    finalised summary is read back from the bucket under its content hash, not rendered; the seeded reviews are
    counted as finalised here, as after the cycle's finalisation)."""
    from dataclasses import replace

    from service.adapters.blobs import MemoryBlobStore
    from service.adapters.unit_of_work import UnitOfWork
    from service.pdf.stored_summary import keeping
    from service.pdf.summary_pdf import summary_pdf
    from service.services import exports as export_svc

    table, clock, export_id, queue = seeded_export()
    rendered = []

    def counted(summary: Any) -> bytes:
        rendered.append(summary.employee_id)
        return summary_pdf(summary)

    kept, store = MemoryBlobStore(), Discard()
    made = keeping(counted, kept, clock)
    as_finalised = lambda summary: made(replace(summary, finalised=True))  # noqa: E731
    first = next(m for m in queue.sent if m["chunk"] == 0)
    export_svc.run_export(table, first, clock, Discard(), as_finalised, queue)  # type: ignore[arg-type]
    repo = UnitOfWork(table).exports  # the same chunk made again, as a second export's would be
    repo.reopen_chunk(repo.chunk(export_id, 0))
    rendered.clear()
    began = time.perf_counter()
    export_svc.run_export(table, first, clock, store, as_finalised, queue)  # type: ignore[arg-type]
    return time.perf_counter() - began, len(rendered)


def fanout_report(report_cls: Any, summaries: int = WALL_SUMMARIES) -> Any:
    """The `export_fanout` benchmark: the wall time of an export of `summaries` with the template's concurrency."""
    from service.domain.exports import CHUNK_SIZE, chunk_count

    chunk_s, chunk_bytes = real_chunk_seconds()
    kept_s, kept_rendered = kept_chunk_seconds()
    planned = seeded_export()[3]
    plan_s = planned.plan_seconds * summaries / SEEDED  # a page of reviews at a time: linear in the count
    assembly = assembly_run(summaries, measure_memory=False)
    copy_s = summaries * (chunk_bytes / CHUNK_SIZE) / (S3_STREAM_MB_S * 2**20)
    assembly_s = assembly["seconds"] + copy_s
    concurrency = template_concurrency()
    chunks = chunk_count(summaries)
    waves = math.ceil(chunks / concurrency["concurrency"])
    wall_s = plan_s + waves * chunk_s + assembly_s
    large_assembly_s = assembly_s * LARGE / summaries
    large_wall_s = plan_s * LARGE / summaries + math.ceil(chunk_count(LARGE) / concurrency["concurrency"]) * chunk_s
    facts = {
        "summaries": summaries,
        "chunks": chunks,
        **concurrency,
        "seconds_per_chunk": round(chunk_s, 2),
        "seconds_per_summary": round(chunk_s / CHUNK_SIZE, 3),
        "seconds_per_chunk_kept": round(kept_s, 2),  # a second export of finalised summaries: read back
        "summaries_rendered_again_kept": kept_rendered,
        "kib_per_summary": round(chunk_bytes / CHUNK_SIZE / 1024, 1),
        "plan_seconds": round(plan_s, 1),
        "assembly_seconds": round(assembly_s, 1),
        "assembly_copy_assumed_mb_s": S3_STREAM_MB_S,
        "wall_seconds": round(wall_s),
        "wall_minutes": round(wall_s / 60, 1),
        "assembly_seconds_at_50000": round(large_assembly_s),
        "wall_minutes_at_50000": round((large_wall_s + large_assembly_s) / 60, 1),
        "one_invocation_before": "41 summaries in 5.4 s; a 900 s timeout stopped it at about 6,000",
    }
    return report_cls(
        rows=[],
        facts=facts,
        target=f"{summaries:,} summaries = plan + ceil(chunks / concurrency) x chunk + assembly; every invocation"
        f" (a chunk, the assembly of {LARGE:,}) well under PdfFunction's {TIMEOUT_S} s",
        passed=chunk_s < TIMEOUT_S / 10 and large_assembly_s < TIMEOUT_S,
    )
