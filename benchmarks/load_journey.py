"""A whole review cycle for a large organisation, driven through the real local run from outside.

`python benchmarks/load_journey.py [--people 1000] [--workers 8] [--draft-saves 200]` starts
`python -m service.cli run` on a fresh data directory, imports the organisation in one CLI run (as a new HR
team would, with local.env), then through the JSON API with bearer tokens: HR creates a template and a
cycle and launches it; one employee saves a draft many times (latency and memory per save); everyone
submits a self assessment, managers (HR for the CEO) submit theirs and record the discussions, employees
acknowledge, HR finalises. It checks that every review is finalised, the audit chain verifies, and a stop
and restart keeps it all; and reports the import time, latencies, the server's memory and its exit time.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.load_support import (
    HEAD_OF_PEOPLE,
    HR_PARTNER,
    PHASES,
    LocalServer,
    MemoryWatch,
    Timings,
    managers_of,
    organisation_csv,
    percentile,
)

TEMPLATE = {
    "name": "Annual review",
    "competencies": [
        {"id": "delivery", "name": "Delivery", "description": "Ships what matters, on time."},
        {"id": "collaboration", "name": "Collaboration", "description": "Makes the team better."},
    ],
    "scale": ["Below", "Meets", "Exceeds", "Outstanding"],
    "questions": {
        "self": [{"id": "proud", "text": "What are you proud of?", "required": True}],
        "manager": [],
        "peer": [],
        "upward": [],
    },
    "weights": {"goals": 40, "competencies": 40, "feedback": 20},
}


def self_content(note: str = "") -> dict[str, Any]:
    """A self assessment (`note` makes each draft differ)."""
    return {
        "competency_ratings": {
            "delivery": {"rating": 3, "comment": f"Shipped the importer {note}".strip()},
            "collaboration": {"rating": 2, "comment": ""},
        },
        "goal_results": [{"title": "Launch importer", "result": "Launched in March", "rating": 3}],
        "achievements": "Led the directory import.",
        "obstacles": [{"description": "Slow CI"}],
        "learning": [{"activity": "AWS course", "kind": "course"}],
        "development_wishes": "Lead a project.",
        "training_needs": [{"topic": "Public speaking", "priority": "high", "format": "course"}],
        "answers": {"proud": "The importer."},
    }


def manager_content(owner_id: str) -> dict[str, Any]:
    """A manager assessment with one tracked obstacle."""
    return {
        "competency_ratings": {
            "delivery": {"rating": 4, "comment": "Excellent"},
            "collaboration": {"rating": 3, "comment": "Good"},
        },
        "goal_ratings": [{"title": "Launch importer", "rating": 4, "comment": "Done well"}],
        "strengths": "Ownership.",
        "areas_to_strengthen": "Delegation.",
        "obstacles": [
            {
                "description": "Slow CI",
                "remediation": "Buy faster runners",
                "owner_id": owner_id,
                "due": "2026-12-01",
                "status": "open",
            }
        ],
        "training_needs": [{"topic": "Delegation", "priority": "medium", "format": "mentoring"}],
        "narrative": "A strong year.",
        "answers": {},
    }


def discussion_content(owner_id: str) -> dict[str, Any]:
    """A discussion record with one agreed action."""
    return {
        "date": "2026-04-01",
        "notes": "Talked it through.",
        "agreed_actions": [{"description": "Pair on design", "owner_id": owner_id, "due": "2026-12-15"}],
    }


class JourneyFailed(AssertionError):
    """The journey did not end as it must (a review not finalised, an error, a broken audit chain)."""


def _review(cycle_id: str, employee_id: str, part: str = "") -> str:
    return f"/api/cycles/{cycle_id}/reviews/{employee_id}" + (f"/{part}" if part else "")


def run_journey(server: LocalServer, people: int, workers: int = 8, draft_saves: int = 200) -> dict[str, Any]:
    """Import `people`, run a whole cycle for them through the API on a started server; the facts measured."""
    facts: dict[str, Any] = {"people": people, "workers": workers}
    timings = Timings()
    csv_text = organisation_csv(people)
    managers = managers_of(csv_text)
    csv_file = server.data_dir.parent / f"organisation-{people}.csv"
    csv_file.write_text(csv_text, encoding="utf-8")

    with MemoryWatch(server.pid) as watch:
        facts["rss_start_mb"] = round(server.memory()[0], 1)
        began = time.perf_counter()
        done = server.cli("import-org", str(csv_file))
        facts["import_s"] = round(time.perf_counter() - began, 2)
        if done.returncode != 0:
            raise JourneyFailed(f"import-org exited with {done.returncode}: {done.stderr[-2000:]}")
        facts["import_summary"] = json.loads(done.stdout.strip().splitlines()[-1])
        if facts["import_summary"].get("created") != people:
            raise JourneyFailed(f"import created {facts['import_summary']}, not {people} people")
        minted = server.cli("mint-token", HEAD_OF_PEOPLE)
        if minted.returncode != 0:
            raise JourneyFailed(f"mint-token failed: {minted.stderr}")
        tokens = server.tokens(list(managers))
        tokens[HEAD_OF_PEOPLE] = minted.stdout.strip()
        hr = tokens[HEAD_OF_PEOPLE]

        def call(name: str, method: str, path: str, who: str, body: Any = None, version: int | None = None):
            expect = {"create": 201, "launch": 202}.get(name, 200)
            return timings.add(name, server.request(method, path, body, tokens[who], version), expect)

        template = call("create", "POST", "/api/templates", HEAD_OF_PEOPLE, TEMPLATE).body
        cycle_body = {
            "name": "2026 annual review",
            "period_start": "2026-01-01",
            "period_end": "2026-12-31",
            "template_id": template["template_id"],
            "phases": PHASES,
            "participant_mode": "everyone",
        }
        cycle = call("create", "POST", "/api/cycles", HEAD_OF_PEOPLE, cycle_body).body
        cycle_id = cycle["cycle_id"]
        began = time.perf_counter()
        launched = call("launch", "POST", f"/api/cycles/{cycle_id}/launch", HEAD_OF_PEOPLE, version=cycle["version"])
        facts["launch_s"] = round(time.perf_counter() - began, 2)
        progress = server.request("GET", f"/api/cycles/{cycle_id}/progress", token=hr)
        if progress.status != 200 or progress.body["launch"]["created"] != people:
            raise JourneyFailed(f"launch answered {launched.status} {launched.body}; progress {progress}")
        facts["rss_after_launch_mb"] = round(server.memory()[0], 1)

        # One employee saves a draft again and again: each save must cost the same, in time and memory.
        drafter = next(e for e, m in managers.items() if m and e not in (HEAD_OF_PEOPLE, HR_PARTNER))
        version = server.request("GET", _review(cycle_id, drafter), token=tokens[drafter]).etag
        draft_rss = []
        for n in range(draft_saves):
            body = {"content": self_content(f"draft {n}"), "submit": False}
            resp = call("draft save", "PUT", _review(cycle_id, drafter, "self"), drafter, body, version)
            version = resp.etag if resp.status == 200 else version
            if n in (draft_saves // 4, draft_saves - 1):
                draft_rss.append(round(server.memory()[0], 1))
        facts["rss_draft_saves_mb"] = draft_rss
        versions: dict[str, int] = {}

        def step(name: str, method: str, part: str, actor, body) -> None:
            def one(employee_id: str) -> None:
                who = actor(employee_id)
                if employee_id not in versions:
                    versions[employee_id] = server.request(
                        "GET", _review(cycle_id, employee_id), token=tokens[who]
                    ).etag
                b = body(employee_id)
                resp = call(name, method, _review(cycle_id, employee_id, part), who, b, versions[employee_id])
                if resp.status == 200:
                    versions[employee_id] = resp.etag

            began = time.perf_counter()
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(one, managers))
            facts[f"{name}_s"] = round(time.perf_counter() - began, 2)
            facts[f"rss_after_{name}_mb"] = round(server.memory()[0], 1)

        def manager(e: str) -> str:
            return managers[e] or HEAD_OF_PEOPLE  # HR assesses the CEO

        def finaliser(e: str) -> str:
            return HR_PARTNER if e == HEAD_OF_PEOPLE else HEAD_OF_PEOPLE

        step("self", "PUT", "self", lambda e: e, lambda e: {"content": self_content(), "submit": True})
        step("manager", "PUT", "manager", manager, lambda e: {"content": manager_content(manager(e)), "submit": True})
        step("discussion", "PUT", "discussion", manager, lambda e: {"content": discussion_content(e), "submit": True})
        step("acknowledge", "POST", "acknowledge", lambda e: e, lambda e: {"agreement": "agree", "response": ""})
        step("finalise", "POST", "finalise", finaliser, lambda e: None)

        states = _states(server, cycle_id, hr)
        audit = server.request("GET", f"/api/cycles/{cycle_id}/audit", token=hr, timeout=300)
        facts["rss_end_mb"] = round(server.memory()[0], 1)
    facts["peak_rss_mb"] = round(watch.peak_mb, 1)
    facts["finalised"] = states.get("finalised", 0)
    facts["audit_verified"] = audit.status == 200 and audit.body["verified"]
    facts["requests"] = timings.summary()
    facts["errors"] = len(timings.errors)
    facts["error_samples"] = timings.errors[:10]
    saves = timings.ms.get("draft save", [])
    facts["draft_save_p95_ms"] = round(percentile(saves, 95), 1)
    facts["cycle_id"] = cycle_id
    facts["problems"] = []
    if timings.errors:
        facts["problems"].append(f"{len(timings.errors)} requests failed, e.g. {timings.errors[:3]}")
    if facts["finalised"] != people:
        facts["problems"].append(f"{facts['finalised']}/{people} reviews finalised: {states}")
    if not facts["audit_verified"]:
        chain = audit.body.get("problems", [])[:5] if audit.status == 200 else audit.body
        facts["problems"].append(f"the audit chain does not verify: {chain}")
    return facts


def _states(server: LocalServer, cycle_id: str, token: str) -> dict[str, int]:
    """Reviews of the cycle by state, read page by page as HR."""
    counts: dict[str, int] = {}
    cursor = ""
    while True:
        page = server.request(
            "GET", f"/api/cycles/{cycle_id}/reviews" + (f"?cursor={cursor}" if cursor else ""), token=token
        )
        if page.status != 200:
            raise JourneyFailed(f"listing the reviews answered {page.status}: {page.body}")
        for row in page.body["reviews"]:
            counts[row["state"]] = counts.get(row["state"], 0) + 1
        cursor = page.body.get("next") or ""
        if not cursor:
            return counts


def journey_with_restart(work_dir: Path, people: int, workers: int, draft_saves: int) -> dict[str, Any]:
    """Start a fresh run, do the journey, stop it (timed), start again and check everything came back."""
    server = LocalServer(work_dir / "data", work_dir / "logs")
    try:
        server.start(reset=True)
        facts = run_journey(server, people, workers, draft_saves)
        code, seconds = server.stop()
        facts["stop_exit_code"], facts["stop_s"] = code, round(seconds, 2)
        facts["snapshot_mb"] = round((server.data_dir / "snapshot.json").stat().st_size / 2**20, 1)
        facts["restart_s"] = round(server.start(), 2)
        token = server.tokens([HEAD_OF_PEOPLE])[HEAD_OF_PEOPLE]
        facts["finalised_after_restart"] = _states(server, facts["cycle_id"], token).get("finalised", 0)
        code, seconds = server.stop()
        facts["second_stop_s"] = round(seconds, 2)
        if facts["finalised_after_restart"] != facts["finalised"]:
            facts["problems"].append(f"after a restart {facts['finalised_after_restart']} reviews are finalised")
        if facts["stop_exit_code"] != 0:
            facts["problems"].append(f"the stop exited with {facts['stop_exit_code']}")
        return facts
    finally:
        server.kill()


def main(argv: list[str] | None = None) -> int:
    """Run the journey and print what was measured (also as JSON with --json)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--draft-saves", type=int, default=200)
    parser.add_argument("--json", metavar="FILE", help="also write the facts to FILE")
    parser.add_argument("--keep", metavar="DIR", help="work in DIR (kept: data, logs) instead of a temporary one")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="journey-") as temporary:
        work = args.keep or temporary
        try:
            facts = journey_with_restart(Path(work), args.people, args.workers, args.draft_saves)
        except JourneyFailed as exc:
            print(f"FAILED: {exc}", file=sys.stderr)
            for log in sorted(Path(work, "logs").glob("*.err")):
                print(f"--- {log.name}\n{log.read_text()[-3000:]}", file=sys.stderr)
            return 1
    requests, problems = facts.pop("requests"), facts.pop("problems")
    for name, value in facts.items():
        print(f"{name:28} {value}")
    print(f"\n{'request':14} {'count':>6} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    for name, s in requests.items():
        print(f"{name:14} {s['count']:6} {s['p50_ms']:8} {s['p95_ms']:8} {s['p99_ms']:8} {s['max_ms']:8}")
    if args.json:
        Path(args.json).write_text(json.dumps({**facts, "requests": requests}, indent=2), encoding="utf-8")
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
