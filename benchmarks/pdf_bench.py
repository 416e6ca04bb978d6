"""Benchmarks of issue 11, registered in benchmarks/run.py: the render of one appraisal summary (the bulk
export's benchmarks are benchmarks/export_bench.py)."""

from __future__ import annotations

import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any


def demo_summary() -> Any:
    """The finalised demo review's HR copy (the demo story, loaded in memory)."""
    from service.adapters.clock import Clock
    from service.adapters.store import MemoryTable
    from service.adapters.unit_of_work import UnitOfWork
    from service.demo.scenario import HR, load_demo
    from service.services.auth import Principal
    from service.services.directory import get_person
    from service.services.summaries import summary_for

    table, clock = MemoryTable(), Clock()
    load_demo(table, clock)
    cycle = next(c for c in UnitOfWork(table).cycles.list() if c.state.value == "active")
    hr = Principal.of(get_person(UnitOfWork(table), HR))
    return summary_for(UnitOfWork(table), hr, cycle.cycle_id, "E008", clock.now())


def pages_of(pdf: bytes) -> int:
    """Pages of a PDF, as pdfinfo counts them."""
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        Path(f.name).write_bytes(pdf)
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def render_samples(runs: int = 25) -> tuple[list[float], list[float], int, int]:
    """(wall ms, CPU ms, pages, bytes) of rendering the demo summary `runs` times, after one warm-up.

    Our 2-core machines are shared and their speed drifts: the same render measured a median of 300 to 460 ms
    within minutes. 25 runs keep one slow stretch from deciding the median."""
    from service.pdf.summary_pdf import summary_pdf

    summary = demo_summary()
    pdf = summary_pdf(summary)  # warm-up: WeasyPrint imported, stylesheet and fonts loaded
    wall, cpu = [], []
    for _ in range(runs):
        w0, c0 = time.perf_counter(), time.process_time()
        summary_pdf(summary)
        wall.append((time.perf_counter() - w0) * 1000)
        cpu.append((time.process_time() - c0) * 1000)
    return wall, cpu, pages_of(pdf), len(pdf)


def summary_render_report(report_cls: Any, row_cls: Any, limit_ms: float = 350.0) -> Any:
    """The `pdf_render` benchmark's report."""
    wall, cpu, pages, size = render_samples()
    median = statistics.median(wall)
    return report_cls(
        rows=[row_cls("render the finalised demo review (HR copy)", wall), row_cls("  CPU time of the same", cpu)],
        facts={"pages": pages, "pdf_bytes": size, "median_ms": round(median, 1)},
        target=f"median <= {limit_ms:.0f} ms for a 2-3 page summary",
        passed=median <= limit_ms and 2 <= pages <= 3,
    )
