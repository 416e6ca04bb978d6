"""Benchmarks: `python benchmarks/run.py [name ...]` runs the named ones (all by default).

Each benchmark is a function registered with `@benchmark("name")` that returns a `Report`: rows of
timings (name, median, min, max, ratio to a baseline) plus facts and, optionally, a target. The
report is printed as a table and stored under its name in benchmarks/results.json (other keys kept).
Benchmarks report; they do not fail: the exit status is 0 whether a target is met or not.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))  # `python benchmarks/run.py` from anywhere can import service and benchmarks
RESULTS = Path(__file__).resolve().with_name("results.json")

# The environment template.yaml and the Lambda runtime give the web function.
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "review-cycles-web",
    "AUTH_MODE": "jwt",
    "SECRET_KEY": "benchmark-secret-key-" + "b" * 19,
    "TABLE_NAME": "reviews",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "EMPLOYEE_ID_CLAIM": "custom:employee_id",
}

# Runs in a fresh interpreter: times one import statement, reports what it pulled in.
PROBE = """
import json, sys, time
start = time.perf_counter()
exec(sys.argv[1])
elapsed = time.perf_counter() - start
watch = sys.argv[2].split(",") if len(sys.argv) > 2 and sys.argv[2] else []
print(json.dumps({"ms": elapsed * 1000, "loaded": {m: m in sys.modules for m in watch}}))
"""


@dataclass
class Row:
    """One measured subject."""

    name: str
    samples_ms: list[float]
    ratio: float | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.samples_ms)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "median_ms": round(self.median, 2),
            "min_ms": round(min(self.samples_ms), 2),
            "max_ms": round(max(self.samples_ms), 2),
            "ratio": None if self.ratio is None else round(self.ratio, 3),
            "runs": len(self.samples_ms),
        }


@dataclass
class Report:
    """What a benchmark found: rows, facts, and an optional target."""

    rows: list[Row]
    facts: dict[str, Any] = field(default_factory=dict)
    target: str | None = None
    passed: bool | None = None
    table: list[dict[str, Any]] = field(default_factory=list)  # counts rather than timings, printed as columns

    def as_dict(self) -> dict[str, Any]:
        return {
            "measured_at": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "python": platform.python_version(),
            "interpreter": interpreter(),
            "machine": platform.machine(),
            "rows": [r.as_dict() for r in self.rows],
            "facts": self.facts,
            "target": self.target,
            "passed": self.passed,
        } | ({"table": self.table} if self.table else {})


BENCHMARKS: dict[str, Callable[[], Report]] = {}


def interpreter() -> str:
    """Which Python build runs the benchmarks: timings of pure-Python work (WeasyPrint's layout) depend on it.

    A distribution's static, PGO-built interpreter (Debian's /usr/bin/python3) runs the PDF render about a fifth
    faster than one linking libpython as a shared library without PGO (pyenv's default build)."""
    try:
        maps = Path("/proc/self/maps").read_text()
    except OSError:
        maps = ""
    linked = "libpython shared" if "libpython" in maps else "libpython static"
    return f"{os.path.realpath(sys.executable)} ({linked})"


def benchmark(name: str) -> Callable[[Callable[[], Report]], Callable[[], Report]]:
    """Register a benchmark under a name."""

    def register(fn: Callable[[], Report]) -> Callable[[], Report]:
        BENCHMARKS[name] = fn
        return fn

    return register


def lambda_env() -> dict[str, str]:
    """This process's environment plus the web function's, with the repository importable."""
    env = {k: v for k, v in os.environ.items() if k not in ("AWS_ENDPOINT_URL", "PYTHONSTARTUP")}
    env.update(LAMBDA_ENV)
    # Fresh processes import from bytecode, as a deployed function's packaged dependencies do: with
    # PYTHONDONTWRITEBYTECODE set, every process compiled Flask, boto3 and the service from source, and the
    # warm-ups wrote nothing. The bytecode goes under the temporary directory, never into the tree.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "review-cycles-benchmark-bytecode")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    return env


def probe(statement: str, watch: tuple[str, ...] = ()) -> dict[str, Any]:
    """Run `statement` in a fresh interpreter with the Lambda environment: its time and what it loaded."""
    done = subprocess.run(
        [sys.executable, "-c", PROBE, statement, ",".join(watch)],
        cwd=ROOT,
        env=lambda_env(),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


@benchmark("cold_import")
def cold_import(runs: int = 10) -> Report:
    """Import of the web handler plus its first AWS client beside a bare Flask + boto3 + the same client, each in
    fresh interpreters (interleaved)."""
    first_client = (
        "from service.adapters.aws import client; from service.config import load_settings; "
        "client('dynamodb', load_settings())"
    )
    subjects = {
        "handler + first client": f"import service.handlers.web; {first_client}",
        "flask + boto3 + client (bare)": f"import flask, apig_wsgi, boto3; {first_client}",
        # informational: the handler module alone, and bare flask
        "service.handlers.web": "import service.handlers.web",
    }
    watch = ("weasyprint", "boto3", "botocore", "marshmallow")
    for statement in subjects.values():
        probe(statement)  # warm-up: bytecode caches written, not counted
    samples: dict[str, list[float]] = {name: [] for name in subjects}
    loaded: dict[str, bool] = {}
    for run in range(runs):  # interleaved, so drift in machine load hits both alike
        for name in list(subjects) if run % 2 == 0 else reversed(subjects):
            result = probe(subjects[name], watch)
            samples[name].append(result["ms"])
            if name == "service.handlers.web":
                loaded = {m: loaded.get(m, False) or seen for m, seen in result["loaded"].items()}
    handler, bare, module = (Row(name, samples[name]) for name in subjects)
    bare.ratio = 1.0
    handler.ratio = handler.median / bare.median
    module.ratio = module.median / bare.median
    limit = 1.2
    return Report(
        rows=[handler, bare, module],
        facts={
            "handler_imports_weasyprint": loaded["weasyprint"],
            "handler_imports_boto3": loaded["boto3"],
            "handler_imports_botocore": loaded["botocore"],
            "handler_imports_marshmallow": loaded["marshmallow"],
        },
        target=f"handler + first client median <= {limit} x bare median, and WeasyPrint not imported",
        passed=handler.ratio <= limit and not loaded["weasyprint"],
    )


@benchmark("cold_start")
def cold_start(runs: int = 20, warm_up: bool = True) -> Report:
    """A fresh process to its first answered `/healthz` and signed-in page through apig-wsgi, beside a bare Flask
    app making the same AWS calls on the same emulated AWS (benchmarks/cold_start.py)."""
    from benchmarks.cold_start import facts_of, measure

    found = measure(runs, warm_up)
    rows, ratios = [], []
    for name, subjects in found.items():
        service, bare = (
            Row(f"{name} ({label})", [s["ms"] for s in subjects[key]])
            for key, label in (("service", "handler"), ("bare", "bare"))
        )
        bare.ratio = 1.0
        service.ratio = service.median / bare.median
        rows += [service, bare]
        ratios.append(service.ratio)
    limit = 1.3
    return Report(
        rows=rows,
        facts=facts_of(found),
        target=f"first answer median <= {limit} x the bare app's, for /healthz and a signed-in page",
        passed=all(r <= limit for r in ratios),
    )


@benchmark("alignment_report")
def alignment_report_reads(sizes: tuple[int, ...] = (200, 2000, 10000), runs: int = 5) -> Report:
    """DynamoDB requests and items the organisation-wide alignment report reads, by organisation size.

    Organisations are seeded through the real use cases (5 goals a person) on the in-memory table and
    counted at the table port: GetItem, BatchGetItem (per 100 keys) and Query (per page). The test
    tests/integration/test_alignment_scale.py counts the same on moto through botocore events.
    """
    import time

    from benchmarks.seed import goal_organisation
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.auth import Principal
    from service.services.directory import get_person
    from service.services.goals import alignment_report

    rows, facts = [], {}
    for n in sizes:
        table, cycle_id = goal_organisation(n)
        counting = CountingTable(table)
        ceo = Principal.of(get_person(UnitOfWork(table), "P0000"))
        samples = []
        for _ in range(runs):
            counting.reset()
            start = time.perf_counter()
            alignment_report(UnitOfWork(counting), ceo, cycle_id, date(2026, 6, 1))  # goals behind counted too
            samples.append((time.perf_counter() - start) * 1000)
        rows.append(Row(f"{n} people, {n * 5} goals", samples))  # in-memory table time, not DynamoDB time
        facts[f"{n}_people"] = {
            "requests": counting.requests,
            "items_read": counting.items_read,
            "goals": sum(1 for i in table.all_items() if i.get("type") == "goal"),
        }
    facts["timing"] = (
        "median ms of the report on the in-memory table (its queries sort whole partitions); "
        "DynamoDB work is the request and item counts"
    )
    reads = {(f["requests"], f["items_read"]) for k, f in facts.items() if k != "timing"}
    return Report(rows=rows, facts=facts, target="requests and items read equal for every size", passed=len(reads) == 1)


@benchmark("training_report")
def training_report_reads(sizes: tuple[int, ...] = (200, 2000, 10000), runs: int = 3) -> Report:
    """The training-need report (issue 10) by organisation size: requests, items read, render time.

    Counted at the table port on the in-memory table (benchmarks/training_bench.py seeds it).
    """
    from benchmarks.training_bench import measure

    measured, facts = measure(sizes, runs, CountingTable)
    rows = [Row(name, samples) for name, samples in measured]
    facts["timing"] = "median ms on the in-memory table; DynamoDB work is the request and item counts"
    reads = {f["requests"] for k, f in facts.items() if k != "timing"}
    return Report(
        rows=rows,
        facts=facts,
        target="requests equal for every size (items read grow with departments and managers, not needs)",
        passed=len(reads) == 1,
    )


@benchmark("launch_1000")
def launch_1000(people: int = 1000, runs: int = 3) -> Report:
    """Launching a cycle of 1,000 participants: the request only snapshots and queues batches; the
    worker creates the reviews 40 to a transaction. Counted at the table port; timed in memory."""
    import time

    from benchmarks.seed import organisation_csv
    from service.adapters.clock import Clock
    from service.adapters.queue import Queue
    from service.adapters.store import MemoryTable
    from service.adapters.unit_of_work import UnitOfWork
    from service.services import cycles as cycle_svc
    from service.services import templates as template_svc
    from service.services.auth import Principal
    from service.services.directory import get_person, import_organisation
    from service.services.worker import dispatch

    class Recorder(Queue):
        def __init__(self) -> None:
            self.sent: list[dict[str, Any]] = []

        def send_many(self, messages: list[dict[str, Any]]) -> None:
            self.sent.extend(messages)

    request_ms, worker_ms, facts = [], [], {}
    for _ in range(runs):
        clock = Clock()
        table = MemoryTable()
        import_organisation(UnitOfWork(table), None, organisation_csv(people), clock)
        hr = Principal.of(get_person(UnitOfWork(table), "P0000"))
        template = template_svc.create_template(
            UnitOfWork(table),
            hr,
            {
                "name": "Annual",
                "scale": ["1", "2", "3", "4"],
                "questions": {},
                "weights": {"goals": 50, "competencies": 50, "feedback": 0},
                "competencies": [{"id": "delivery", "name": "Delivery", "description": "Ships."}],
            },
            clock,
        )
        from datetime import date

        cycle = cycle_svc.create_cycle(
            UnitOfWork(table),
            hr,
            {
                "name": "2026",
                "period_start": date(2026, 1, 1),
                "period_end": date(2026, 12, 31),
                "template_id": template.template_id,
                "phases": {
                    p: date(2026, 3 + i, 1)
                    for i, p in enumerate(
                        ("goal_setting", "self_assessment", "feedback", "manager_assessment", "discussion")
                    )
                },
            },
            clock,
        )
        counting, queue = CountingTable(table), Recorder()
        start = time.perf_counter()
        cycle_svc.launch_cycle(UnitOfWork(counting), hr, cycle.cycle_id, cycle.version, clock, queue)  # type: ignore[arg-type]
        request_ms.append((time.perf_counter() - start) * 1000)
        request_requests = counting.requests
        before = table.transactions
        start = time.perf_counter()
        for message in queue.sent:
            dispatch(table, message, clock)
        worker_ms.append((time.perf_counter() - start) * 1000)
        progress = cycle_svc.launch_progress(UnitOfWork(table), cycle.cycle_id)
        facts = {
            "participants": people,
            "request_dynamodb_requests": request_requests,
            "request_transactions": 1,
            "queued_batches": len(queue.sent),
            "sqs_send_message_batch_calls": -(-len(queue.sent) // 10),
            "worker_transactions": table.transactions - before,
            "reviews_created": progress.created,
        }
    return Report(
        rows=[Row("launch request (in memory)", request_ms), Row("worker, all batches (in memory)", worker_ms)],
        facts=facts,
        target="the request does a fixed handful of DynamoDB calls and one transaction; every review created",
        passed=facts["reviews_created"] == people and facts["request_dynamodb_requests"] <= 6,
    )


@benchmark("requests")
def requests_per_operation(sizes: tuple[int, ...] | None = None) -> Report:
    """DynamoDB requests of one HTTP request per page read and per write, counted on moto through botocore
    events (benchmarks/request_counts.py); the table says, where a target is missed, which reads and what would
    remove them."""
    from benchmarks.request_counts import GROWS_BY_PAGES, PAGED, SIZES, TARGETS, measure_requests, rows

    # Issue 24: at each organisation size (REQUEST_SIZES=200,10000 by default); a count must not grow with size.
    if sizes is None:
        sizes = tuple(int(n) for n in os.environ.get("REQUEST_SIZES", ",".join(map(str, SIZES))).split(","))
    table = [row for n in sizes for row in rows(measure_requests(n), people=n)]
    missed = [f"{r['operation']} ({r['people']})" for r in table if not r["met"]]
    totals: dict[str, set[int]] = {}
    for r in table:  # a fan-out row grows by its directory's pages, a paged report by its reviews' pages (shown only)
        if r["kind"] not in GROWS_BY_PAGES and r["operation"] not in PAGED:
            totals.setdefault(r["operation"], set()).add(r["total"])
    grown = sorted(op for op, seen in totals.items() if len(seen) > 1)
    return Report(
        rows=[],
        facts={"met": len(table) - len(missed), "missed": len(missed), "scans": 0, "grow with size": len(grown)},
        target=(
            f"page read <= {TARGETS['read']} requests, write <= {TARGETS['write']}, leadership report <= "
            f"{TARGETS['report']}, background run <= {TARGETS['job']}, no Scan, same at every size (but for the "
            "pages a fan-out reads of the directory and a report of the cycle's reviews)"
        ),
        passed=not missed and not grown,
        table=table,
    )


@benchmark("pdf_render")
def pdf_render() -> Report:
    """Median render of the finalised demo review's appraisal summary (issue 11; benchmarks/pdf_bench.py)."""
    from benchmarks.pdf_bench import summary_render_report

    return summary_render_report(Report, Row)


@benchmark("pdf_stored")
def pdf_stored() -> Report:
    """A kept summary's second download in-process, and where the 200-goal summary is made (issue 24;
    benchmarks/pdf_bench.py)."""
    from benchmarks.pdf_bench import stored_summary_report

    return stored_summary_report(Report, Row)


@benchmark("export_memory")
def export_memory() -> Report:
    """Peak memory of an export's chunk invocation and of its assembly, for 500 and for 50,000 summaries (issue 24;
    benchmarks/export_bench.py)."""
    from benchmarks.export_bench import memory_report

    return memory_report(Report)


@benchmark("export_fanout")
def export_fanout() -> Report:
    """The wall time of a 10,000-summary export with the template's concurrency, from the measured time of a chunk
    of real summaries, the plan and the assembly (issue 24; benchmarks/export_bench.py)."""
    from benchmarks.export_bench import fanout_report

    return fanout_report(Report)


@benchmark("cost")
def cost(people: int | None = None, doc: Path | None = None, **options: Any) -> Report:
    """What a cycle costs on AWS per 1,000 people, by service and by journey, and the fixed monthly cost, against
    the targets (issue 24); writes docs/COST.md (benchmarks/cost_model.py, benchmarks/cost_journey.py)."""
    from benchmarks.cost_model import (
        COST_DOC,
        DEFAULT_PEOPLE,
        TARGET_FIXED,
        TARGET_VARIABLE,
        cost_table,
        journey_table,
        measure_cost,
        write_cost_doc,
    )

    model = measure_cost(people or DEFAULT_PEOPLE, **options)
    write_cost_doc(model, doc or COST_DOC)
    return Report(
        rows=[],
        facts={
            "people measured": model.people,
            "scaled to": "1,000 people (linear)",
            "variable_usd_per_1000_per_cycle": round(model.variable_usd, 4),
            "fixed_usd_per_month": round(model.fixed_usd, 4),
            **{
                f"journey {j['journey']}": f"{j['USD per 1,000']} per 1,000 people ({j['dearest']})"
                for j in journey_table(model)
            },
            "wrote": str((doc or COST_DOC).relative_to(ROOT) if (doc or COST_DOC).is_relative_to(ROOT) else doc),
        },
        target=f"variable <= ${TARGET_VARIABLE:.2f} per 1,000 people per cycle, fixed <= ${TARGET_FIXED:.2f} a month",
        passed=model.variable_passed and model.fixed_passed,
        table=cost_table(model),
    )


class CountingTable:
    """Wraps a table port and counts the DynamoDB requests it would make and the items it reads."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.items_read = 0

    def get(self, key: Any, consistent: bool = False) -> Any:
        self.requests += 1
        item = self.inner.get(key, consistent)
        self.items_read += item is not None
        return item

    def get_many(self, keys: list[Any], consistent: bool = False) -> list[Any]:
        self.requests += max(1, -(-len(keys) // 100))
        items = self.inner.get_many(keys, consistent)
        self.items_read += len(items)
        return items

    def transact(self, ops: list[Any], token: str | None = None) -> None:
        self.requests += 1
        self.inner.transact(ops, token=token)

    def query_page(self, *args: Any, **kwargs: Any) -> Any:
        self.requests += 1
        page = self.inner.query_page(*args, **kwargs)
        self.items_read += len(page.items)
        return page

    def query(self, pk: str, sk_prefix: str | None = None, index: str | None = None, descending: bool = False) -> Any:
        from service.adapters.store import Table

        return Table.query(self, pk, sk_prefix, index, descending)  # type: ignore[arg-type]


def print_table(table: list[dict[str, Any]]) -> None:
    """Rows of counts as columns; the long `why` of a row goes on lines of its own below it."""
    columns = [c for c in table[0] if c != "why"]
    widths = {c: max(len(c), *(len(_cell(r[c])) for r in table)) for c in columns}
    header = "  " + " ".join(f"{c:<{widths[c]}}" if c == columns[0] else f"{c:>{widths[c]}}" for c in columns)
    explains = any(r.get("why") for r in table)
    print(header + ("  why" if explains else ""))
    print("  " + "-" * (len(header) + (3 if explains else -2)))
    for r in table:
        cells = [f"{_cell(r[c]):<{widths[c]}}" if c == columns[0] else f"{_cell(r[c]):>{widths[c]}}" for c in columns]
        print("  " + " ".join(cells) + ("  see below" if r.get("why") else ""))
        if r.get("why"):
            print(textwrap.fill(r["why"], width=116, initial_indent="      ", subsequent_indent="      "))


def _cell(value: Any) -> str:
    return ("yes" if value else "NO") if isinstance(value, bool) else str(value)


def print_report(name: str, report: Report) -> None:
    """The report as a small table."""
    print(f"\n{name}")
    if report.table:
        print_table(report.table)
    header = f"  {'name':<28} {'median ms':>10} {'min':>9} {'max':>9} {'ratio':>7}"
    if report.rows:
        print(header)
        print("  " + "-" * (len(header) - 2))
    for row in report.rows:
        ratio = "" if row.ratio is None else f"{row.ratio:.2f}x"
        print(
            f"  {row.name:<28} {row.median:>10.1f} {min(row.samples_ms):>9.1f} {max(row.samples_ms):>9.1f} {ratio:>7}"
        )
    for key, value in report.facts.items():
        print(f"  {key}: {value}")
    if report.target is not None:
        print(f"  target: {report.target} -> {'PASS' if report.passed else 'FAIL'}")


def save(results: dict[str, dict[str, Any]], path: Path = RESULTS) -> None:
    """Merge reports into the results file, keeping keys other benchmarks wrote."""
    stored = json.loads(path.read_text()) if path.exists() else {}
    stored.update(results)
    path.write_text(json.dumps(stored, indent=2, sort_keys=True) + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the named benchmarks (all when none are named), print them, store them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", metavar="name", help=f"one of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--people", type=int, help="people in the cost benchmark's cycle (default 50)")
    args = parser.parse_args(argv)
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")
    results = {}
    print(f"Python {platform.python_version()}: {interpreter()}")
    for name in args.names or list(BENCHMARKS):
        report = BENCHMARKS[name](**({"people": args.people} if name == "cost" and args.people else {}))
        print_report(name, report)
        results[name] = report.as_dict()
    save(results)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
