"""The embedded local run: AWS emulated in-process by moto, the demo organisation, the web app.

`python -m service.cli run` (`make run`) calls `main`. The app's boto3 clients reach moto in-process;
moto's server on a loopback port serves other processes (the CLI, with local.env). moto is patched
(`service.adapters.moto_patches`) so that transactions stay atomic and isolated under concurrent requests.
moto keeps its state in memory only, so the local run keeps its own snapshot of the emulated DynamoDB
tables in the data directory: written back through the DynamoDB API on start, saved atomically a moment
after anything changed and on shutdown. Emails land as .eml files in the outbox folder of the data
directory; background work runs inline. Bulk exports run on moto's SQS and S3 (`service.local_exports`):
their finished ZIPs are kept under exports/ in the data directory and uploaded back at start, and jobs left
unfinished are queued again. `LocalStack` holds the parts, so later additions have one place to live.
"""

from __future__ import annotations

import base64
import json
import logging
import os
import shlex
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from types import FrameType
from typing import IO, Any

from werkzeug.serving import WSGIRequestHandler

from service.adapters.moto_patches import MotoVersionMismatch
from service.config import ConfigError, Settings, load_settings

DEFAULT_PORT = 8000
DEFAULT_DATA_DIR = Path(".local")
HOST = "127.0.0.1"
REGION = "eu-west-1"
DUMMY_KEY = "local"  # moto accepts any credentials; these never leave the machine
SNAPSHOT_FILE = "snapshot.json"
SNAPSHOT_FORMAT = 1
SNAPSHOT_INTERVAL = 2.0
SAVE_PAUSE_FACTOR = 9  # pause after a save: at least this many times what the save took
DRAIN_SECONDS = 5.0
ENV_FILE = "local.env"
OUTBOX_DIR = "outbox"
EXPORTS_DIR = "exports"  # finished export ZIPs, one file per object key of the export bucket
LOCK_FILE = ".lock"
BATCH_WRITE_LIMIT = 25
FINAL_SAVE_ATTEMPTS = 3

# Variables that would take boto3 somewhere other than the in-process emulator, or the work to a real queue.
CLEARED_VARIABLES = (
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_SESSION_TOKEN",
    "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
    "QUEUE_URL",
    "EXPORT_QUEUE_URL",
    "EXPORT_BUCKET",
)

log = logging.getLogger(__name__)
http_log = logging.getLogger(f"{__name__}.http")

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


class LocalRunError(RuntimeError):
    """The local run cannot start: port taken, data directory in use, or an unreadable snapshot."""


class ChangeTracker:
    """Notes that the emulated DynamoDB state may have changed (the patched moto tells it after each write)."""

    def __init__(self) -> None:
        self.changed = threading.Event()

    def __call__(self, action: str) -> None:
        """A call that may write was served."""
        self.changed.set()


def _starting(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """What the port would answer before the app is in place (nothing is served that early)."""
    start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8")])
    return [b"starting\n"]


class InFlight:
    """WSGI middleware counting requests being served, so a shutdown can let them finish first."""

    def __init__(self, app: WsgiApp = _starting) -> None:
        self.app = app
        self._count = 0
        self._idle = threading.Condition()

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        """Serve the request, counting it until its response is closed."""
        with self._idle:
            self._count += 1
        try:
            response = self.app(environ, start_response)
        except BaseException:
            self._done()
            raise
        return _Served(response, self._done)

    def _done(self) -> None:
        with self._idle:
            self._count -= 1
            self._idle.notify_all()

    def wait_idle(self, timeout: float) -> bool:
        """Wait until no request is being served; False if some still are after `timeout` seconds."""
        with self._idle:
            return self._idle.wait_for(lambda: self._count == 0, timeout)


class _Served:
    """A response that counts as served once it is sent in full or closed, whichever comes first.

    werkzeug's server skips close() when the client resets the connection while the server drains what is
    left of the request (a client that leaves without reading a redirect's body does): counting only on close
    kept such a request "running", and every Ctrl-C after it waited the whole drain time.
    """

    def __init__(self, response: Iterable[bytes], done: Callable[[], None]) -> None:
        self._response = response
        self._done = done
        self._counted = False
        self._lock = threading.Lock()

    def __iter__(self) -> Iterator[bytes]:
        yield from self._response
        self._finish()

    def close(self) -> None:
        """Close the app's response, and count the request as served."""
        try:
            close = getattr(self._response, "close", None)
            if close is not None:
                close()
        finally:
            self._finish()

    def _finish(self) -> None:
        with self._lock:
            if self._counted:
                return
            self._counted = True
        self._done()


class RequestLog(WSGIRequestHandler):
    """Request lines of the local web app go to this module's logger (moto's own calls stay quiet)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """One plain line per request (werkzeug's own adds terminal colours)."""
        self.log("info", '"%s %s %s" %s %s', self.command, self.path, self.request_version, code, size)

    def log(self, type: str, message: str, *args: Any) -> None:
        """Send a line to the logger (errors at ERROR)."""
        level = logging.ERROR if type == "error" else logging.INFO
        http_log.log(level, f"{self.address_string()} - {message}", *args)


def _value_from_json(value: dict[str, Any]) -> dict[str, Any]:
    """An attribute value as the snapshot holds it, with its binary parts as bytes again."""
    ((kind, inner),) = value.items()
    if kind == "B":
        return {"B": base64.b64decode(inner)}
    if kind == "BS":
        return {"BS": [base64.b64decode(b) for b in inner]}
    if kind == "M":
        return {"M": {k: _value_from_json(v) for k, v in inner.items()}}
    if kind == "L":
        return {"L": [_value_from_json(v) for v in inner]}
    return value


def item_from_json(item: dict[str, Any]) -> dict[str, Any]:
    """An item as the snapshot holds it (binaries as base64 text), back in wire form for boto3."""
    return {name: _value_from_json(value) for name, value in item.items()}


def write_items(client: Any, table_name: str, items: list[dict[str, Any]]) -> None:
    """Put items in batches of 25, retrying whatever DynamoDB leaves unprocessed."""
    for start in range(0, len(items), BATCH_WRITE_LIMIT):
        pending: dict[str, Any] = {
            table_name: [{"PutRequest": {"Item": item}} for item in items[start : start + BATCH_WRITE_LIMIT]]
        }
        while pending:
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


class Snapshot:
    """The emulated state as one JSON file in the data directory, always replaced whole."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def exists(self) -> bool:
        """Whether a snapshot was saved before."""
        return self.path.exists()

    def load(self) -> dict[str, Any]:
        """The saved state; LocalRunError if it cannot be read (it is left as it is, for inspection)."""
        try:
            state = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise LocalRunError(f"cannot read {self.path}: {exc}; move it away or start afresh with --reset") from exc
        if not isinstance(state, dict) or state.get("format") != SNAPSHOT_FORMAT:
            raise LocalRunError(f"{self.path} is not a snapshot this version understands; start afresh with --reset")
        return state

    def save(self, state: dict[str, Any]) -> None:
        """Write the state to a temporary file, then rename it over the snapshot (never half written)."""
        self.write([json.dumps(state, ensure_ascii=False, separators=(",", ":"))])

    def write(self, chunks: Iterable[str]) -> None:
        """Write a snapshot given as pieces of its JSON text, whole or not at all (see `save`)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                out.writelines(chunks)
                out.flush()
                os.fsync(out.fileno())
            os.replace(temp, self.path)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        _fsync_directory(self.path.parent)  # the rename itself survives a crash

    def remove(self) -> None:
        """Forget the saved state."""
        self.path.unlink(missing_ok=True)


def _fsync_directory(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _jsonable(value: Any) -> Any:
    """An attribute value as moto holds it, with any raw bytes as base64 text (the snapshot's form)."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    return value


def emulated_items(tables: dict[str, Iterable[dict[str, Any]]]) -> dict[str, list[str]]:
    """Every item of the emulated tables (`moto_patches.stored_items`, read with the emulator's DynamoDB lock
    held), each as its JSON text. Text, not dicts: a large table as dicts took several times the memory, at
    every save."""
    return {
        name: [json.dumps(_jsonable(item), ensure_ascii=False, separators=(",", ":")) for item in items]
        for name, items in tables.items()
    }


def snapshot_chunks(saved_at: str, tables: dict[str, list[str]]) -> Iterator[str]:
    """The snapshot's JSON text, piece by piece, from items already encoded."""
    yield json.dumps({"format": SNAPSHOT_FORMAT, "saved_at": saved_at})[:-1] + ',"dynamodb":{'
    for n, (name, items) in enumerate(tables.items()):
        yield ("," if n else "") + json.dumps(name) + ":["
        for i, item in enumerate(items):
            yield ("," if i else "") + item
        yield "]"
    yield "}}"


class LocalStack:
    """moto's server, the settings pointing at it, the web app serving on loopback, and their snapshot."""

    def __init__(
        self,
        data_dir: Path = DEFAULT_DATA_DIR,
        port: int = DEFAULT_PORT,
        host: str = HOST,
        snapshot_interval: float = SNAPSHOT_INTERVAL,
    ) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self.snapshot_interval = snapshot_interval
        self.snapshot = Snapshot(self.data_dir / SNAPSHOT_FILE)
        self.outbox = self.data_dir / OUTBOX_DIR
        self.saved_exports = self.data_dir / EXPORTS_DIR
        self.settings: Settings | None = None
        self.app: Any = None
        self.endpoint_url = ""
        self.loaded_demo = False
        self._moto: Any = None
        self._in_process: Any = None
        self._stop_watching: Callable[[], None] = lambda: None
        self._dynamodb: Any = None
        self._changes: ChangeTracker | None = None
        self._http: Any = None
        self._serving = False
        self._in_flight = InFlight()
        self._threads: list[threading.Thread] = []
        self._stopping = threading.Event()
        self._save_lock = threading.Lock()
        self._lock_file: IO[str] | None = None
        self._patched = False
        self.saved_at = ""

    @property
    def url(self) -> str:
        """Base URL of the web app."""
        return f"http://{self.host}:{self.port}"

    def start(self, reset: bool = False) -> None:
        """Start moto, restore the saved data (or load the demo), and serve the app on loopback."""
        try:
            self._bind()  # first: a port in use is reported before anything is touched
            self.data_dir.mkdir(parents=True, exist_ok=True)
            self._lock()
            self._start_moto()
            self.settings = self._configure_environment()
            if reset:
                self.forget_saved_data()
            self._provision()
            self._start_exports()
            self._serve()
        except BaseException:
            self._shutdown(save=False)  # never save a half-restored state over the snapshot
            raise
        self._write_env_file()
        self._start_thread(self._snapshot_loop, "local-snapshot")

    def stop(self) -> None:
        """Stop serving, let requests in flight finish, save the data, stop moto (safe to call twice)."""
        self._shutdown(save=True)

    def dynamodb(self) -> Any:
        """A DynamoDB client for the emulator (one, shared: boto3 clients are thread-safe)."""
        from service.adapters.aws import client

        if self._dynamodb is None:
            self._dynamodb = client("dynamodb", self._settings())
        return self._dynamodb

    def forget_saved_data(self) -> None:
        """Remove everything the local run saved in the data directory (the snapshot, the outbox, the exports)."""
        self.snapshot.remove()
        if self.saved_exports.is_dir():
            shutil.rmtree(self.saved_exports)
        if self.outbox.is_dir():
            for message in self.outbox.iterdir():
                if message.is_file():
                    message.unlink()

    def save(self) -> None:
        """Snapshot the emulated tables now."""
        from service.adapters.moto_patches import dynamodb_lock, stored_items

        changes = self._require(self._changes)
        with self._save_lock:
            # Read under the emulator's lock: one consistent cut, no request half applied, no paging through
            # the HTTP API (Scan pages cost moto the whole table each). Writing the file happens after it.
            with dynamodb_lock():
                changes.changed.clear()  # a write after this marks the data changed again
                saved_at = datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
                tables = emulated_items(stored_items(REGION))
            self.snapshot.write(snapshot_chunks(saved_at, tables))
            self.saved_at = saved_at

    def save_if_changed(self) -> bool:
        """Snapshot if anything may have changed since the last one; True if it did."""
        if self._changes is None or not self._changes.changed.is_set():
            return False
        self.save()
        return True

    def _settings(self) -> Settings:
        return self._require(self.settings)

    @staticmethod
    def _require(value: Any) -> Any:
        if value is None:
            raise RuntimeError("the local stack is not started")
        return value

    def _lock(self) -> None:
        import fcntl

        lock_file = (self.data_dir / LOCK_FILE).open("a+", encoding="utf-8")
        try:
            fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            lock_file.close()
            raise LocalRunError(
                f"another local run is using {self.data_dir}/; stop it first, or pass --data with another directory"
            ) from exc
        self._lock_file = lock_file

    def _unlock(self) -> None:
        if self._lock_file is not None:
            self._lock_file.close()  # closing releases the lock
            self._lock_file = None

    def _start_moto(self) -> None:
        """moto in this process for this process's clients, and its server on loopback for other processes.

        The app's own boto3 clients reach moto in-process (mock_aws): no HTTP round trip and no server thread
        per call. The server, over the same emulated state, serves the CLI run from another shell (local.env).
        """
        from moto import mock_aws
        from moto.server import ThreadedMotoServer

        from service.adapters import moto_patches

        if not self._patched:
            moto_patches.install()  # atomic, isolated transactions however many requests run at once
            self._patched = True
        self._changes = ChangeTracker()
        self._stop_watching = moto_patches.on_write(self._changes)
        self._in_process = mock_aws()
        self._in_process.start()  # resets moto's state: before anything is put in it
        moto = ThreadedMotoServer(ip_address=HOST, port=0, verbose=False)
        moto.start()
        self._moto = moto
        host, port = moto.get_host_and_port()
        self.endpoint_url = f"http://{host}:{port}"

    def _configure_environment(self) -> Settings:
        """Dummy credentials and no endpoint override for this process's boto3 clients (mock_aws takes every
        call in-process, whatever the endpoint); mail to the outbox."""
        stale = [k for k in os.environ if k.startswith("AWS_ENDPOINT_URL") or k in CLEARED_VARIABLES]
        for name in stale:
            del os.environ[name]
        os.environ.update(
            {
                "AWS_ACCESS_KEY_ID": DUMMY_KEY,
                "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
                "AWS_REGION": REGION,
                "AWS_DEFAULT_REGION": REGION,
                "AUTH_MODE": "local",
                "OUTBOX_DIR": str(self.outbox.resolve()),
                "BASE_URL": self.url,
            }
        )
        return load_settings()

    def _provision(self) -> None:
        """Create the tables, then restore the snapshot, or load the demo organisation on a first start."""
        from service.adapters.table_setup import create_table

        settings = self._settings()
        client = self.dynamodb()
        changes = self._require(self._changes)
        if self.snapshot.exists():
            state = self.snapshot.load()
            for name, items in state.get("dynamodb", {}).items():
                create_table(client, name)
                write_items(client, name, [item_from_json(i) for i in items])
            create_table(client, settings.table_name)
            changes.changed.clear()  # what moto holds now is what the snapshot says
            return
        create_table(client, settings.table_name)
        self._load_demo()
        self.save()

    def _start_exports(self) -> None:
        """The export queue, its dead-letter queue and bucket in moto with the saved ZIPs back in it and the
        unfinished jobs queued again, and their poller, which keeps new ZIPs on disk until it stops (issue 11)."""
        from service import local_exports

        self._threads.append(
            local_exports.start(self._settings(), self.endpoint_url, self._stopping, self.saved_exports)
        )

    def _load_demo(self) -> None:
        """Build the demo story through the real use cases in memory, then write it to moto in batches.

        Running the use cases against moto's server directly costs about a minute of round trips.
        """
        from service.adapters.clock import Clock
        from service.adapters.dynamo import DynamoTable
        from service.adapters.store import MemoryTable
        from service.demo.scenario import load_demo

        memory = MemoryTable()
        load_demo(memory, Clock())
        settings = self._settings()
        codec = DynamoTable(self.dynamodb(), settings.table_name)
        write_items(self.dynamodb(), settings.table_name, [codec.encode(i) for i in memory.all_items()])
        self.loaded_demo = True

    def _bind(self) -> None:
        """Listen on the web port (the app is put behind it once the data is in place)."""
        from werkzeug.serving import make_server

        try:
            # werkzeug reports a port in use itself and exits: probe first, to say it our way.
            with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will
                probe.bind((self.host, self.port))
            self._http = make_server(self.host, self.port, self._in_flight, threaded=True, request_handler=RequestLog)
        except OSError as exc:
            raise LocalRunError(
                f"cannot listen on {self.host}:{self.port} ({exc.strerror}); is something else using it? "
                "Choose another port with --port"
            ) from exc
        self.port = self._http.server_port

    def _serve(self) -> None:
        from service.web import create_app

        self.app = create_app(self._settings())
        self._in_flight.app = self.app
        self._start_thread(self._http.serve_forever, "local-http")
        self._serving = True  # only now: shutdown() waits for a serve_forever that has been started

    def _start_thread(self, target: Callable[[], object], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _snapshot_loop(self) -> None:
        """Save a moment after a change, until the stack stops; a failed save is reported and tried again.

        A save of a large organisation takes a while and holds the emulator for part of it, so the pause
        between saves grows with the time the last one took: saving never takes more than a tenth of the time.
        """
        failures, took = 0, 0.0
        while not self._stopping.wait(max(self.snapshot_interval * min(2**failures, 16), took * SAVE_PAUSE_FACTOR)):
            began = time.monotonic()
            try:
                saved = self.save_if_changed()
            except Exception as exc:  # the saver must outlive any failure, and say so
                failures += 1
                self._require(self._changes).changed.set()  # try again next time
                log.error(
                    "could not save the local data to %s (attempt %d; trying again shortly; the previous "
                    "snapshot is kept): %s",
                    self.snapshot.path,
                    failures,
                    exc,
                )
                continue
            took = time.monotonic() - began if saved else took
            if saved and failures:
                log.warning("saved the local data to %s again, after %d failed attempts", self.snapshot.path, failures)
                failures = 0

    def _final_save(self) -> None:
        """Save on stop, trying a few times; if every attempt fails, say that the previous snapshot is kept."""
        for attempt in range(1, FINAL_SAVE_ATTEMPTS + 1):
            try:
                self.save_if_changed()
                return
            except Exception as exc:  # the stop must go on, and say what was kept
                log.error("could not save the local data to %s (attempt %d): %s", self.snapshot.path, attempt, exc)
                self._require(self._changes).changed.set()
                if attempt < FINAL_SAVE_ATTEMPTS:
                    time.sleep(0.5 * attempt)
        kept = f"saved at {self.saved_at}" if self.saved_at else "from before this run"
        log.error("the changes since the last snapshot are lost; %s keeps the one %s", self.snapshot.path, kept)

    def _write_env_file(self) -> None:
        """A shell file that points another shell's CLI at this run: `(. .local/local.env && python -m ...)`."""
        settings = self._settings()
        variables = {
            "AWS_ENDPOINT_URL": self.endpoint_url,
            "AWS_ACCESS_KEY_ID": DUMMY_KEY,
            "AWS_SECRET_ACCESS_KEY": DUMMY_KEY,
            "AWS_REGION": REGION,
            "AUTH_MODE": "local",
            "TABLE_NAME": settings.table_name,
            "OUTBOX_DIR": settings.outbox_dir or "",
            "BASE_URL": settings.base_url,
        }
        lines = [f"export {name}={shlex.quote(value)}" for name, value in variables.items()]
        (self.data_dir / ENV_FILE).write_text("\n".join(lines) + "\n", encoding="utf-8")

    def _shutdown(self, save: bool) -> None:
        self._stopping.set()
        if self._http is not None:
            if self._serving:
                self._http.shutdown()
                self._serving = False
            self._http.server_close()
            self._http = None
            if not self._in_flight.wait_idle(DRAIN_SECONDS):
                log.warning("some requests were still running after %.0f s; stopping anyway", DRAIN_SECONDS)
        for thread in self._threads:
            thread.join()
        self._threads.clear()
        try:
            if self._moto is not None and save:
                self._final_save()
        finally:
            if self._moto is not None:
                self._moto.stop()
                self._moto = None
                (self.data_dir / ENV_FILE).unlink(missing_ok=True)
            self._stop_watching()
            if self._in_process is not None:
                self._in_process.stop()  # puts this process's environment back as it was before the start
                self._in_process = None
            self._dynamodb = None
            for name in (
                "EXPORT_QUEUE_URL",
                "EXPORT_MAX_RECEIVES",
                "EXPORT_VISIBILITY_SECONDS",
                "EXPORT_BUCKET",
                "EXPORT_LINK_ENDPOINT",
            ):
                os.environ.pop(name, None)  # set by _start_exports: they name queues that are gone now
            if self._patched:
                from service.adapters import moto_patches

                moto_patches.uninstall()
                self._patched = False
            self._unlock()


def _configure_logging() -> None:
    """Request lines and the run's own messages on stderr, the app's as readable lines; moto's calls silenced."""
    from service.adapters.logs import configure_local_logging

    configure_local_logging()


def _on_signals(stop: threading.Event) -> dict[int, Any]:
    """Let SIGINT and SIGTERM ask for a clean stop; returns the handlers they replaced."""

    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous: dict[int, Any] = {}
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            previous[signum] = signal.signal(signum, handler)
    return previous


def main(port: int = DEFAULT_PORT, data_dir: Path = DEFAULT_DATA_DIR, reset: bool = False) -> int:
    """Run the local service until Ctrl-C or SIGTERM: 0 after a clean stop, 1 if it cannot start."""
    _configure_logging()
    stop = threading.Event()
    previous = _on_signals(stop)
    stack = LocalStack(data_dir, port)
    try:
        try:
            stack.start(reset=reset)
        except (LocalRunError, ConfigError, MotoVersionMismatch) as exc:
            print(f"The local run cannot start: {exc}", file=sys.stderr)
            return 1
        where = f"{stack.data_dir}/"
        origin = "demo organisation loaded" if stack.loaded_demo else f"data restored from {where}"
        print(f"Review cycles is running at {stack.url}/ ({origin}).", flush=True)
        hint = f"Sign in at {stack.url}/signin as anyone in the organisation; Ctrl-C stops, data stays in {where}"
        print(hint, flush=True)
        while not stop.wait(0.5):
            pass
        print("Stopping...", file=sys.stderr, flush=True)
        stack.stop()
        print(f"Stopped; data saved in {where}", file=sys.stderr, flush=True)
        return 0
    finally:
        stack.stop()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
