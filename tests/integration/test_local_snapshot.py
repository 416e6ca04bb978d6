"""The local run's snapshot is never lost: written whole or not at all, a failed save is reported and tried
again, and a stop whose save fails keeps the previous snapshot."""

from __future__ import annotations

import errno
import json
import logging
import os
import time

import pytest

from service.local import LocalStack, Snapshot

WAIT = 30.0


class DiskFull:
    """Makes fsync fail as on a full disk while `failing` is set (a fault of the machine, not of the code)."""

    def __init__(self, monkeypatch) -> None:
        self.failing = False
        real = os.fsync

        def fsync(fd: int) -> None:
            if self.failing:
                raise OSError(errno.ENOSPC, "No space left on device")
            real(fd)

        monkeypatch.setattr(os, "fsync", fsync)


def wait_for(condition, what: str):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"{what} did not happen within {WAIT} s")


@pytest.fixture
def environment():
    """The local run points this process's environment at its emulator: put it back afterwards."""
    saved = dict(os.environ)
    yield
    os.environ.clear()
    os.environ.update(saved)


@pytest.fixture
def stack(tmp_path, environment):
    run = LocalStack(tmp_path / "data", port=0, snapshot_interval=0.05)
    run.start()
    yield run
    run.stop()


def snapshot_keys(path) -> set[str]:
    state = json.loads(path.read_text(encoding="utf-8"))
    return {i["pk"]["S"] for items in state["dynamodb"].values() for i in items}


def put_marker(stack: LocalStack, name: str) -> None:
    item = {"pk": {"S": name}, "sk": {"S": "MARKER"}}
    stack.dynamodb().put_item(TableName=stack.settings.table_name, Item=item)


def test_a_failing_write_keeps_the_previous_snapshot(tmp_path, monkeypatch):
    snapshot = Snapshot(tmp_path / "snapshot.json")
    snapshot.save({"format": 1, "dynamodb": {"t": []}, "n": "previous"})
    disk = DiskFull(monkeypatch)
    disk.failing = True

    with pytest.raises(OSError):
        snapshot.save({"format": 1, "dynamodb": {"t": []}, "n": "new"})

    assert snapshot.load()["n"] == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["snapshot.json"]  # no temporary file left behind


def test_a_failed_save_is_reported_and_tried_again_until_it_succeeds(stack, monkeypatch, caplog):
    disk = DiskFull(monkeypatch)
    wait_for(lambda: not stack._changes.changed.is_set(), "the first save")
    disk.failing = True
    put_marker(stack, "WRITTEN-WHILE-THE-DISK-IS-FULL")

    wait_for(lambda: "could not save" in caplog.text, "a report of the failed save")
    assert "WRITTEN-WHILE-THE-DISK-IS-FULL" not in snapshot_keys(stack.snapshot.path)  # the previous one, whole

    disk.failing = False
    wait_for(lambda: "WRITTEN-WHILE-THE-DISK-IS-FULL" in snapshot_keys(stack.snapshot.path), "a save after the fault")
    wait_for(lambda: "again, after" in caplog.text, "a report that saving works again")


def test_a_stop_whose_save_fails_keeps_the_previous_snapshot(stack, monkeypatch, caplog):
    disk = DiskFull(monkeypatch)
    wait_for(lambda: not stack._changes.changed.is_set(), "the first save")
    before = stack.snapshot.path.read_bytes()
    disk.failing = True
    put_marker(stack, "LOST-ON-A-FULL-DISK")
    caplog.set_level(logging.ERROR, logger="service.local")

    stack.stop()

    assert stack.snapshot.path.read_bytes() == before
    assert "keeps the one saved at" in caplog.text
    assert [p.name for p in stack.snapshot.path.parent.iterdir() if p.suffix == ".tmp"] == []


def test_a_stop_saves_what_changed_since_the_last_snapshot(tmp_path, environment):
    stack = LocalStack(tmp_path / "data", port=0, snapshot_interval=3600)  # only the stop saves
    stack.start()
    put_marker(stack, "WRITTEN-JUST-BEFORE-THE-STOP")

    stack.stop()

    assert "WRITTEN-JUST-BEFORE-THE-STOP" in snapshot_keys(stack.snapshot.path)
