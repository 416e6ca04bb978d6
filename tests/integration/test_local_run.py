"""The embedded local run: the demo organisation, and data that survives a restart."""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from pathlib import Path

import pytest

from service.demo import organisation_csv
from service.domain.directory import Role, parse_csv, with_hierarchy
from service.local import LocalStack
from service.local_exports import BUCKET

REPO = Path(__file__).resolve().parents[2]
START_TIMEOUT = 40.0
STOP_TIMEOUT = 20.0
NEW_HIRE = "E900"


def test_demo_organisation_is_a_realistic_valid_import():
    people = with_hierarchy(parse_csv(organisation_csv()))
    departments = Counter(p.department for p in people)
    roots = [p for p in people if p.manager_id is None]

    assert 35 <= len(people) <= 45
    assert len([d for d, n in departments.items() if n >= 5]) >= 4
    assert len(roots) == 1 and Role.LEADERSHIP in roots[0].roles
    assert max(len(p.chain) for p in people) == 3
    assert any(Role.HR in p.roles and p.department == "People" for p in people)
    assert len([p for p in people if Role.LEADERSHIP in p.roles]) >= 2
    assert all(p.email.endswith("@example.com") for p in people)


def test_reset_forgets_the_saved_exports_with_the_snapshot(tmp_path):
    stack = LocalStack(tmp_path)
    zip_file = tmp_path / "exports" / "exports" / "e1" / "1" / "appraisal-summaries.zip"
    zip_file.parent.mkdir(parents=True)
    zip_file.write_bytes(b"PK")
    (tmp_path / "snapshot.json").write_text("{}")
    stack.forget_saved_data()
    assert not (tmp_path / "exports").exists() and not (tmp_path / "snapshot.json").exists()
    stack.forget_saved_data()  # nothing saved: nothing to do


class LocalRun:
    """`python -m service.cli run` in a subprocess, and a browser-like client with cookies."""

    def __init__(self, data_dir: Path, log_dir: Path) -> None:
        self.data_dir = data_dir
        self.log_dir = log_dir
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
        self.csrf = ""

    def start(self) -> None:
        self.runs += 1
        self.out = self.log_dir / f"run{self.runs}.out"
        self.err = self.log_dir / f"run{self.runs}.err"
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        with self.out.open("wb") as out, self.err.open("wb") as err:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "service.cli", "run", "--port", str(self.port), "--data", str(self.data_dir)],
                cwd=REPO,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"the local run exited with {self.process.returncode}:\n{self.err.read_text()}")
            try:
                with urllib.request.urlopen(f"{self.base}/healthz", timeout=1) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.1)
        pytest.fail(f"the local run did not answer within {START_TIMEOUT} s:\n{self.err.read_text()}")

    def stop(self, sig: int = signal.SIGINT) -> int:
        assert self.process is not None
        self.process.send_signal(sig)
        try:
            return self.process.wait(timeout=STOP_TIMEOUT)
        finally:
            if self.process.poll() is None:
                self.process.kill()
                self.process.wait()

    def request(self, path: str, data: bytes | None = None, headers: dict[str, str] | None = None):
        req = urllib.request.Request(f"{self.base}{path}", data=data, headers=headers or {})
        try:
            with self.opener.open(req, timeout=10) as resp:
                return resp.status, resp.read().decode()
        except urllib.error.HTTPError as exc:
            with exc:
                return exc.code, exc.read().decode()

    def sign_in(self, employee_id: str) -> None:
        status, page = self.request("/signin")
        assert status == 200
        self.csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        form = urllib.parse.urlencode({"csrf_token": self.csrf, "employee_id": employee_id, "next": "/"})
        status, _ = self.request("/signin", form.encode())  # follows the redirect home
        assert status == 200


def _moto_s3(data_dir: Path):
    """An S3 client for the running local run's moto server, as local.env describes it."""
    import boto3

    env = dict(
        shlex.split(line.removeprefix("export "))[0].split("=", 1)
        for line in (data_dir / "local.env").read_text().splitlines()
    )
    return boto3.client(
        "s3",
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def local_run(tmp_path):
    run = LocalRun(tmp_path / "data", tmp_path)
    yield run
    if run.process is not None and run.process.poll() is None:
        run.process.kill()
        run.process.wait()


def test_local_run_loads_the_demo_and_keeps_changes_across_a_restart(local_run):
    people = parse_csv(organisation_csv())
    ceo = next(p for p in people if p.manager_id is None)
    hr = next(p for p in people if Role.HR in p.roles)
    engineer = next(p for p in people if p.department == "Engineering" and p.manager_id != ceo.employee_id)
    new_hire = f"{NEW_HIRE},Ngozi Eze,ngozi.eze@example.com,Software Engineer,Engineering,{engineer.manager_id},\n"

    local_run.start()
    status, page = local_run.request("/signin")
    assert status == 200 and ceo.name in page and hr.name in page

    local_run.sign_in(hr.employee_id)
    status, body = local_run.request(
        "/api/org/imports",
        (organisation_csv() + new_hire).encode(),
        {"Content-Type": "text/csv", "X-CSRF-Token": local_run.csrf},
    )
    assert status == 200, body
    assert json.loads(body)["summary"]["created"] == 1
    assert local_run.stop(signal.SIGINT) == 0
    assert "Traceback" not in local_run.err.read_text()
    kept = local_run.data_dir / "exports" / "exports" / "e1" / "1" / "appraisal-summaries.zip"
    kept.parent.mkdir(parents=True)
    kept.write_bytes(b"PK\x05\x06" + bytes(18))  # an empty ZIP, as if a finished export had been kept

    local_run.start()
    assert (
        _moto_s3(local_run.data_dir)
        .get_object(Bucket=BUCKET, Key="exports/e1/1/appraisal-summaries.zip")["Body"]
        .read()
        == kept.read_bytes()
    )
    local_run.sign_in(hr.employee_id)
    status, body = local_run.request(f"/api/people/{NEW_HIRE}")
    assert status == 200, body
    assert json.loads(body)["name"] == "Ngozi Eze"
    assert "restored" in local_run.out.read_text()
    assert local_run.stop(signal.SIGTERM) == 0
    assert "Traceback" not in local_run.err.read_text()
    assert not (local_run.data_dir / "local.env").exists()
