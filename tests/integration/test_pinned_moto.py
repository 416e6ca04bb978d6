"""The moto patches run only on the moto release they were written for, and every install gets that release:
pyproject.toml pins it, requirements.lock locks it, and anything else stops with a message that says what to do."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from service import local
from service.adapters import moto_patches

ROOT = Path(__file__).resolve().parents[2]


def locked() -> dict[str, str]:
    """requirements.lock as {normalised name: version}."""
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        match = re.match(r"^([A-Za-z0-9_.\-]+)==([^\s;]+)", line)
        if match:
            pins[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return pins


def declared() -> list[Requirement]:
    """Every requirement pyproject.toml declares (the base and each extra)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        lines += extra
    return [Requirement(line) for line in lines if not line.startswith("review-cycles")]


def test_a_moto_the_patches_were_not_written_for_is_refused_with_what_to_do():
    with pytest.raises(moto_patches.MotoVersionMismatch) as refused:
        moto_patches.check_moto_version("5.3.0")
    message = str(refused.value)
    assert "moto 5.3.0 is installed" in message
    assert f"written for moto {moto_patches.MOTO_VERSION}" in message
    assert "requirements.lock" in message


def test_the_installed_moto_is_the_release_the_patches_name():
    moto_patches.check_moto_version()  # raises on any other release


def test_pyproject_pins_moto_to_the_release_the_patches_name_and_the_lock_agrees():
    (moto,) = [req for req in declared() if req.name == "moto"]
    assert str(moto.specifier) == f"=={moto_patches.MOTO_VERSION}"
    assert locked()["moto"] == moto_patches.MOTO_VERSION


def test_the_lock_pins_every_declared_dependency_within_its_declared_range():
    pins = locked()
    for req in declared():
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        assert name in pins, f"{req.name} is declared in pyproject.toml but missing from requirements.lock (make lock)"
        assert req.specifier.contains(pins[name], prereleases=True), f"{name}=={pins[name]} is outside {req}"


def test_the_local_run_stops_with_the_message_when_moto_is_another_release(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(moto_patches, "MOTO_VERSION", "0.0.1")
    assert local.main(port=0, data_dir=tmp_path / "data") == 1
    err = capsys.readouterr().err
    assert "The local run cannot start: moto" in err
    assert "written for moto 0.0.1" in err
    assert not moto_patches.installed()
