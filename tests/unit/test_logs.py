"""Logs on the local console are readable lines, not JSON."""

from __future__ import annotations

import json
import subprocess
import sys

SCRIPT = """
import logging
from service.adapters.logs import configure_local_logging
configure_local_logging()
logging.getLogger("service.services.reminders").warning("sending %r failed", "Overdue review tasks (1)")
logging.getLogger("service.local.http").info("127.0.0.1 - GET / 200")
logging.getLogger("service.services.cycles").debug("not shown")
"""


def test_local_logs_are_readable_lines_on_stderr():
    run = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, timeout=60, check=True)
    lines = run.stderr.splitlines()
    assert run.stdout == "" and len(lines) == 2
    time, level, rest = lines[0].split(" ", 2)
    assert level == "WARNING" and rest == "service.services.reminders: sending 'Overdue review tasks (1)' failed"
    assert len(time) == 8 and time.count(":") == 2
    assert lines[1] == "127.0.0.1 - GET / 200"  # the local run's own lines stay as they are
    for line in lines:
        try:
            json.loads(line)
        except ValueError:
            continue
        raise AssertionError(f"a JSON line on the local console: {line}")
