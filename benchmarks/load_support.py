"""Driving the real local run from outside: start and stop it, import an organisation through the CLI, call
the JSON API with bearer tokens, and watch the server process's memory.

Shared by the scale journey (benchmarks/load_journey.py), the load test (benchmarks/load_test.py, `make load`)
and the integration test of the journey (tests/integration/test_local_scale.py).
"""

from __future__ import annotations

import http.client
import json
import os
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
START_TIMEOUT = 120.0
STOP_TIMEOUT = 60.0
REQUEST_TIMEOUT = 60.0
PHASES = {
    "goal_setting": "2026-03-01",
    "self_assessment": "2026-03-10",
    "feedback": "2026-03-20",
    "manager_assessment": "2026-03-31",
    "discussion": "2026-04-15",
}
DEPARTMENTS = ("Engineering", "Sales", "Operations", "Finance")
TEAM_SIZE = 8
CEO, HEAD_OF_PEOPLE, HR_PARTNER = "P0000", "P0001", "P0002"


def organisation_csv(n: int) -> str:
    """n people: a CEO, a head of People (HR) and an HR partner, 4 department heads, managers of 8, staff.

    Two HR people, so that each one's own review is finalised by the other.
    """
    rows = [
        "employee_id,name,email,title,department,manager_id,roles",
        f"{CEO},Chief Executive,p0000@example.com,CEO,Leadership,,leadership",
        f"{HEAD_OF_PEOPLE},Head of People,p0001@example.com,Head of People,People,{CEO},hr;leadership",
        f"{HR_PARTNER},HR Partner,p0002@example.com,HR Partner,People,{HEAD_OF_PEOPLE},hr",
    ]
    heads = [f"P{i:04d}" for i in range(3, 7)]
    for i, head in enumerate(heads):
        rows.append(f"{head},Head {i},{head.lower()}@example.com,Head,{DEPARTMENTS[i]},{CEO},leadership")
    next_id, remaining, team = 7, n - 7, 0
    while remaining > 0:
        department = team % len(DEPARTMENTS)
        manager = f"P{next_id:04d}"
        rows.append(
            f"{manager},Manager {next_id},{manager.lower()}@example.com,Manager,{DEPARTMENTS[department]},"
            f"{heads[department]},"
        )
        next_id, remaining, team = next_id + 1, remaining - 1, team + 1
        for _ in range(min(TEAM_SIZE, remaining)):
            person = f"P{next_id:04d}"
            rows.append(
                f"{person},Person {next_id},{person.lower()}@example.com,Engineer,{DEPARTMENTS[department]},{manager},"
            )
            next_id, remaining = next_id + 1, remaining - 1
    return "\n".join(rows) + "\n"


def managers_of(csv_text: str) -> dict[str, str | None]:
    """employee id → manager id (None at the top), from an organisation CSV."""
    lines = csv_text.strip().splitlines()[1:]
    return {row[0]: (row[5] or None) for row in (line.split(",") for line in lines)}


def free_port() -> int:
    """A TCP port free on loopback now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) MB of a process, from /proc (Linux)."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values.get("VmRSS", 0.0), values.get("VmHWM", 0.0)


def percentile(samples: list[float], q: float) -> float:
    """The q-th percentile (0-100) of samples, by linear interpolation; 0 when empty."""
    if not samples:
        return 0.0
    if len(samples) == 1:
        return samples[0]
    return statistics.quantiles(samples, n=100, method="inclusive")[min(98, max(0, round(q) - 1))]


@dataclass
class Response:
    """What the API answered."""

    status: int
    headers: dict[str, str]
    body: Any
    ms: float

    @property
    def etag(self) -> int:
        return int(self.headers["etag"].strip('"'))


class LocalServer:
    """`python -m service.cli run` in a subprocess on a free port, with its data in `data_dir`."""

    def __init__(self, data_dir: Path, log_dir: Path | None = None, port: int | None = None) -> None:
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir or data_dir)
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.peak_rss_mb = 0.0
        self._watching = threading.Event()

    def start(self, reset: bool = False) -> float:
        """Start it and wait until it answers; returns the seconds it took."""
        self.runs += 1
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.out = self.log_dir / f"run{self.runs}.out"
        self.err = self.log_dir / f"run{self.runs}.err"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        command = [sys.executable, "-m", "service.cli", "run", "--port", str(self.port), "--data", str(self.data_dir)]
        began = time.perf_counter()
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [*command, *(["--reset"] if reset else [])],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the local run exited with {self.process.returncode}:\n{self.err.read_text()}")
            try:
                if self.request("GET", "/healthz", timeout=1).status == 200:
                    return time.perf_counter() - began
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the local run did not answer within {START_TIMEOUT} s:\n{self.err.read_text()}")

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def memory(self) -> tuple[float, float]:
        """(resident, peak resident) MB of the server process now."""
        return memory_mb(self.pid)

    def stop(self, sig: int = signal.SIGINT) -> tuple[int, float]:
        """Ask it to stop; (exit status, seconds until it exited)."""
        assert self.process is not None
        self.peak_rss_mb = max(self.peak_rss_mb, self.memory()[1])
        began = time.perf_counter()
        self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout=STOP_TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()
        return code, time.perf_counter() - began

    def kill(self) -> None:
        """End it at once, if it still runs."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()

    def cli_env(self) -> dict[str, str]:
        """This process's environment plus what `.local/local.env` of the run exports."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
        for line in (self.data_dir / "local.env").read_text(encoding="utf-8").splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0] if value else ""
        return env

    def cli(self, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        """Run `python -m service.cli ARGS` in another process, pointed at this run (as local.env does)."""
        return subprocess.run(
            [sys.executable, "-m", "service.cli", *args],
            cwd=ROOT,
            env=self.cli_env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def tokens(self, employee_ids: list[str]) -> dict[str, str]:
        """Bearer tokens for these people, as `mint-token` makes them (minted here: one process, not one each)."""
        from service.config import load_settings
        from service.web.auth import mint_token

        settings = load_settings(self.cli_env())
        return {e: mint_token(settings, e) for e in employee_ids}

    def request(
        self,
        method: str,
        path: str,
        body: Any = None,
        token: str | None = None,
        if_match: int | None = None,
        timeout: float = REQUEST_TIMEOUT,
        content_type: str = "application/json",
    ) -> Response:
        """One HTTP request to the app (a connection of its own: the server speaks HTTP/1.0)."""
        headers = {"Accept": "application/json"}
        data: bytes | None = None
        if body is not None:
            data = body.encode() if isinstance(body, str) else json.dumps(body).encode()
            headers["Content-Type"] = content_type
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if if_match is not None:
            headers["If-Match"] = f'"{if_match}"'
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        began = time.perf_counter()
        try:
            connection.request(method, path, body=data, headers=headers)
            resp = connection.getresponse()
            raw = resp.read()
            ms = (time.perf_counter() - began) * 1000
            parsed: Any = raw.decode(errors="replace")
            if resp.getheader("Content-Type", "").startswith("application/json"):
                parsed = json.loads(raw)
            return Response(resp.status, {k.lower(): v for k, v in resp.getheaders()}, parsed, ms)
        finally:
            connection.close()


class MemoryWatch:
    """Samples a process's resident memory in the background: the peak and a series."""

    def __init__(self, pid: int, every: float = 0.25) -> None:
        self.pid = pid
        self.every = every
        self.samples: list[tuple[float, float]] = []
        self.peak_mb = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="memory-watch", daemon=True)

    def __enter__(self) -> MemoryWatch:
        self._began = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while True:
            try:
                rss, peak = memory_mb(self.pid)
            except OSError:
                return
            self.samples.append((time.monotonic() - self._began, rss))
            self.peak_mb = max(self.peak_mb, peak)
            if self._stop.wait(self.every):
                return


@dataclass
class Timings:
    """Latencies by name, and failed requests with what they answered."""

    ms: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, name: str, resp: Response, expect: int = 200) -> Response:
        """Record a response; one with another status than `expect` counts as an error."""
        with self.lock:
            self.ms.setdefault(name, []).append(resp.ms)
            if resp.status != expect:
                self.errors.append(f"{name}: {resp.status} {str(resp.body)[:200]}")
        return resp

    def summary(self) -> dict[str, dict[str, float]]:
        """count, p50, p95, p99 and max ms by name."""
        return {
            name: {
                "count": len(v),
                "p50_ms": round(percentile(v, 50), 1),
                "p95_ms": round(percentile(v, 95), 1),
                "p99_ms": round(percentile(v, 99), 1),
                "max_ms": round(max(v), 1),
            }
            for name, v in self.ms.items()
        }
