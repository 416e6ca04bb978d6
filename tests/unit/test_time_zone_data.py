"""People's time zones (issue 28) work where the runtime has no system zone data (a Lambda image without
/usr/share/zoneinfo): zoneinfo then reads the `tzdata` package the service depends on, never falling back to UTC."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

CHECK = """
from datetime import date, time
from service.domain.time_zones import instant, is_zone
print(is_zone("Europe/Berlin"), instant(date(2026, 1, 15), time(9, 0), "Europe/Berlin").isoformat())
"""


def test_zones_resolve_without_the_systems_zone_data(tmp_path: Path):
    empty = tmp_path / "no-zoneinfo"
    empty.mkdir()
    env = {**os.environ, "PYTHONTZPATH": str(empty)}  # the system's zone files are out of reach
    out = subprocess.run([sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "2026-01-15T08:00:00+00:00"]
