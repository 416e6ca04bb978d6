"""A bounded load test of the local run on loopback (`make load`).

`python benchmarks/load_test.py [--people 200] [--workers 8] [--seconds 30] [--requests 3000]` starts
`python -m service.cli run` on a fresh data directory, imports an organisation through the CLI, and has HR
launch a cycle over everyone through the API. Then `--workers` threads send requests with bearer tokens,
each for people of its own (so no two writers race for one review), until `--seconds` have passed or
`--requests` were sent: an employee reads their review (35%), saves a draft self assessment with If-Match
(35%), reads /api/me (15%); a manager reads the team overview (15%). It reports requests per second,
p50/p95/p99 per kind and overall, errors (anything but the expected status; target 0), the server
process's memory after warm-up, at the end and at its peak, and how long a Ctrl-C (SIGINT) takes to stop it.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load_journey import TEMPLATE, self_content
from benchmarks.load_support import (
    HEAD_OF_PEOPLE,
    PHASES,
    LocalServer,
    MemoryWatch,
    Timings,
    managers_of,
    organisation_csv,
    percentile,
)

MIX = (("review", 35), ("draft save", 35), ("me", 15), ("team", 15))


def prepare(server: LocalServer, people: int) -> tuple[str, dict[str, str | None], dict[str, str], float]:
    """Import the organisation and launch a cycle over everyone: (cycle id, managers, tokens, import seconds)."""
    csv_text = organisation_csv(people)
    managers = managers_of(csv_text)
    csv_file = server.data_dir.parent / "organisation.csv"
    csv_file.write_text(csv_text, encoding="utf-8")
    began = time.perf_counter()
    done = server.cli("import-org", str(csv_file))
    imported = time.perf_counter() - began
    if done.returncode != 0:
        raise RuntimeError(f"import-org failed: {done.stderr[-2000:]}")
    tokens = server.tokens(list(managers))
    hr = tokens[HEAD_OF_PEOPLE]
    template = server.request("POST", "/api/templates", TEMPLATE, hr).body
    body = {
        "name": "Load test",
        "period_start": "2026-01-01",
        "period_end": "2026-12-31",
        "template_id": template["template_id"],
        "phases": PHASES,
        "participant_mode": "everyone",
    }
    cycle = server.request("POST", "/api/cycles", body, hr).body
    launched = server.request("POST", f"/api/cycles/{cycle['cycle_id']}/launch", token=hr, if_match=cycle["version"])
    if launched.status != 202:
        raise RuntimeError(f"launch answered {launched.status}: {launched.body}")
    return cycle["cycle_id"], managers, tokens, imported


def load(
    server: LocalServer,
    cycle_id: str,
    managers: dict[str, str | None],
    tokens: dict[str, str],
    workers: int,
    seconds: float,
    max_requests: int,
    seed: int = 7,
) -> tuple[Timings, float, int]:
    """Send the mix until time or requests run out: (timings, elapsed seconds, requests sent)."""
    timings = Timings()
    bosses = sorted({m for m in managers.values() if m})
    employees = [e for e, m in managers.items() if m]
    sent = 0
    sent_lock = threading.Lock()
    deadline = time.monotonic() + seconds
    kinds = [k for k, weight in MIX for _ in range(weight)]

    def worker(n: int) -> None:
        nonlocal sent
        rng = random.Random(seed + n)
        mine = employees[n::workers]  # each worker writes only its own people's reviews: no races
        versions: dict[str, int] = {}
        while time.monotonic() < deadline:
            with sent_lock:
                if sent >= max_requests:
                    return
                sent += 1
            kind = rng.choice(kinds)
            person = rng.choice(mine)
            url = f"/api/cycles/{cycle_id}/reviews/{person}"
            if kind == "review":
                resp = timings.add(kind, server.request("GET", url, token=tokens[person]))
                if resp.status == 200:
                    versions[person] = resp.etag
            elif kind == "draft save":
                if person not in versions:
                    versions[person] = server.request("GET", url, token=tokens[person]).etag
                body = {"content": self_content(f"load {rng.random():.6f}"), "submit": False}
                resp = timings.add(kind, server.request("PUT", f"{url}/self", body, tokens[person], versions[person]))
                if resp.status == 200:
                    versions[person] = resp.etag
            elif kind == "me":
                timings.add(kind, server.request("GET", "/api/me", token=tokens[person]))
            else:
                boss = rng.choice(bosses)
                timings.add(kind, server.request("GET", f"/api/cycles/{cycle_id}/team", token=tokens[boss]))

    began = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,), name=f"load-{n}") for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return timings, time.perf_counter() - began, sent


def run(people: int, workers: int, seconds: float, max_requests: int, work: Path) -> dict[str, Any]:
    """The whole load test on a fresh local run; what was measured."""
    server = LocalServer(work / "data", work / "logs")
    try:
        server.start(reset=True)
        with MemoryWatch(server.pid) as watch:
            cycle_id, managers, tokens, imported = prepare(server, people)
            warm = server.memory()[0]
            timings, elapsed, sent = load(server, cycle_id, managers, tokens, workers, seconds, max_requests)
            end = server.memory()[0]
        code, stop_s = server.stop()
        everything = [ms for samples in timings.ms.values() for ms in samples]
        return {
            "people": people,
            "workers": workers,
            "import_s": round(imported, 2),
            "requests": sent,
            "seconds": round(elapsed, 1),
            "requests_per_s": round(sent / elapsed, 1) if elapsed else 0.0,
            "p50_ms": round(percentile(everything, 50), 1),
            "p95_ms": round(percentile(everything, 95), 1),
            "p99_ms": round(percentile(everything, 99), 1),
            "errors": len(timings.errors),
            "error_samples": timings.errors[:5],
            "rss_after_warm_up_mb": round(warm, 1),
            "rss_end_mb": round(end, 1),
            "peak_rss_mb": round(max(watch.peak_mb, server.peak_rss_mb), 1),
            "stop_exit_code": code,
            "stop_s": round(stop_s, 2),
            "by_kind": timings.summary(),
        }
    finally:
        server.kill()


def main(argv: list[str] | None = None) -> int:
    """Run the load test and print what was measured; exit 1 if any request failed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="stop sending after this long")
    parser.add_argument("--requests", type=int, default=3000, help="stop sending after this many requests")
    parser.add_argument("--json", metavar="FILE", help="also write the results to FILE")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="load-") as work:
        result = run(args.people, args.workers, args.seconds, args.requests, Path(work))
    by_kind = result.pop("by_kind")
    for name, value in result.items():
        print(f"{name:22} {value}")
    print(f"\n{'request':12} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, s in sorted(by_kind.items()):
        print(f"{name:12} {s['count']:6} {s['p50_ms']:8} {s['p95_ms']:8} {s['p99_ms']:8} {s['max_ms']:8}")
    if args.json:
        Path(args.json).write_text(json.dumps({**result, "by_kind": by_kind}, indent=2), encoding="utf-8")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
