"""Bulk exports in the local run: moto's SQS (an export queue with its dead-letter queue) and S3 (the bucket),
and a poller thread that hands their messages to the PDF function's own record handler, as Lambda would. The
fan-out is SQS's here too: a job's plan queues one message per chunk on the moto queue, the poller hands them
over ten at a time, and the last chunk queues the assembly (issue 24).

A message that fails is made visible again at once; its MAX_RECEIVES-th delivery, failing, marks its job failed,
and moto then moves it to the dead-letter queue, which nothing polls: the deployed flow, in one process.

moto's SQS and S3 live in memory only, so a restart would lose both the ZIPs and the messages of unfinished
jobs (the jobs themselves are in the DynamoDB snapshot). `SavedExports` keeps each finished ZIP as a file in
the data directory (copied after a poll that handled messages, and once more when the poller stops) and
uploads them back at start; `start` also queues again every job still queued or running.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from service.adapters.clock import Clock
from service.adapters.export_settings import ExportSettings
from service.config import Settings

QUEUE = "review-exports"
DEAD_LETTERS = "review-exports-dlq"
BUCKET = "review-exports-local"
MAX_RECEIVES = 3  # as template.yaml's redrive policy
VISIBILITY_SECONDS = 300  # longer than any local export takes: a message is never handed out twice at once
CHUNK = 1024 * 1024  # a ZIP is copied to and from the disk this much at a time
TEMP_SUFFIX = ".tmp"

log = logging.getLogger(__name__)


def provision(settings: Settings, link_endpoint: str | None = None) -> ExportSettings:
    """Create the bucket and the queues in the emulator; the export settings that name them."""
    from service.adapters.aws import client

    s3 = client("s3", settings)
    s3.create_bucket(Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": settings.region})
    sqs = client("sqs", settings)
    dlq_url = sqs.create_queue(QueueName=DEAD_LETTERS)["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": str(MAX_RECEIVES)})
    url = sqs.create_queue(
        QueueName=QUEUE, Attributes={"RedrivePolicy": redrive, "VisibilityTimeout": str(VISIBILITY_SECONDS)}
    )["QueueUrl"]
    return ExportSettings(
        queue_url=url,
        bucket=BUCKET,
        link_endpoint=link_endpoint,
        max_receives=MAX_RECEIVES,
        visibility_seconds=VISIBILITY_SECONDS,
    )


def export_environment(exports: ExportSettings) -> dict[str, str]:
    """The variables that point the app's export queue and bucket at the emulator."""
    env = {
        "EXPORT_QUEUE_URL": exports.queue_url or "",
        "EXPORT_MAX_RECEIVES": str(exports.max_receives),
        "EXPORT_VISIBILITY_SECONDS": str(exports.visibility_seconds),
        "EXPORT_BUCKET": exports.bucket or "",
    }
    if exports.link_endpoint:
        env["EXPORT_LINK_ENDPOINT"] = exports.link_endpoint
    return env


class SavedExports:
    """The export bucket's objects kept as files under `root` (one per object key), so they outlive moto.

    Objects are never changed once written, so a key already on disk is not copied again; a file is written
    to a temporary name and renamed, so it is whole or absent, and the body goes through in chunks.
    """

    def __init__(self, s3: Any, bucket: str, root: Path) -> None:
        self.s3 = s3
        self.bucket = bucket
        self.root = Path(root)

    def save_new(self) -> list[str]:
        """Copy the bucket's ZIPs not yet on disk (not the chunks' pieces, which only the assembly reads); the
        keys copied."""
        from service.services.exports import PIECE_SUFFIX

        copied = []
        for key in self._keys():
            if key.endswith(PIECE_SUFFIX):
                continue
            path = self._path(key)
            if path is None or path.exists():
                continue
            body = self.s3.get_object(Bucket=self.bucket, Key=key)["Body"]
            try:
                _write_whole(path, body.iter_chunks(CHUNK))
            finally:
                body.close()
            copied.append(key)
        return copied

    def restore(self) -> list[str]:
        """Upload every saved file back into the bucket under its key (a missing directory: nothing)."""
        from boto3.s3.inject import upload_fileobj  # boto3's managed upload, on the botocore client (adapters/aws.py)
        from boto3.s3.transfer import TransferConfig

        if not self.root.is_dir():
            return []
        config = TransferConfig(multipart_chunksize=8 * CHUNK, use_threads=False)
        restored = []
        for path in sorted(self.root.rglob("*")):
            if not path.is_file() or path.name.startswith(".") or path.name.endswith(TEMP_SUFFIX):
                continue  # a temporary file a crash left behind: never a whole object
            key = path.relative_to(self.root).as_posix()
            with path.open("rb") as body:
                upload_fileobj(
                    self.s3,
                    body,
                    self.bucket,
                    key,
                    ExtraArgs={"ContentType": "application/zip", "ServerSideEncryption": "AES256"},
                    Config=config,
                )
            restored.append(key)
        return restored

    def _keys(self) -> Iterator[str]:
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                yield item["Key"]

    def _path(self, key: str) -> Path | None:
        """Where a key's file goes; None for a key that would land outside `root` (never one the app makes)."""
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()) or path.name.startswith("."):
            log.warning("not keeping export object %r on disk: its key is not a plain relative path", key)
            return None
        return path


def _write_whole(path: Path, chunks: Iterator[bytes]) -> None:
    """Write chunks to a temporary file beside `path`, then rename it over `path` (never half written)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    try:
        with os.fdopen(fd, "wb") as out:
            for chunk in chunks:
                out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


class ExportPoller:
    """Receives export messages from the emulated SQS and runs them as Lambda would."""

    def __init__(
        self,
        settings: Settings,
        exports: ExportSettings,
        render: Any = None,
        clock: Clock | None = None,
        saved: SavedExports | None = None,
    ):
        from service.adapters.aws import client
        from service.adapters.export_settings import build_blob_store
        from service.adapters.factory import build_table
        from service.adapters.queue import SqsQueue

        self.exports = exports
        self.sqs = client("sqs", settings)
        self.queue = SqsQueue(self.sqs, exports.queue_url)  # type: ignore[arg-type]  # chunks go back on it
        self.table = build_table(settings)
        self.blobs = build_blob_store(settings, exports)
        self.render = render
        self.clock = clock or Clock(settings.time_zone)
        self.saved = saved
        self._unsaved = False  # messages were handled since the bucket was last copied to disk
        self.queue_arn = self.sqs.get_queue_attributes(QueueUrl=exports.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def poll_once(self, wait: int = 0) -> int:
        """Handle what the queue holds now, then keep any new ZIP on disk; how many messages were handled."""
        handled = self._poll(self.exports.queue_url, self.queue_arn, wait)  # type: ignore[arg-type]
        self._unsaved = self._unsaved or handled > 0
        if self._unsaved:
            self.save_new()
        return handled

    def drain(self, most: int = 10_000) -> int:
        """Poll until the queue is empty: every message an export's plan and chunks queue in turn is handled
        (tests and benchmarks; the local run's thread polls forever); how many messages were handled."""
        handled = 0
        for _ in range(most):
            got = self.poll_once()
            if not got:
                return handled
            handled += got
        raise RuntimeError(f"the export queues were still not empty after {most} polls")

    def save_new(self) -> None:
        """Copy finished ZIPs not yet on disk (if this poller keeps them); a failure leaves it to the next call."""
        if self.saved is not None:
            self.saved.save_new()
        self._unsaved = False

    def _poll(self, url: str, arn: str, wait: int) -> int:
        from service.handlers.pdf import process_records

        got = self.sqs.receive_message(
            QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=wait, AttributeNames=["All"]
        ).get("Messages", [])
        if not got:
            return 0
        records = [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "eventSource": "aws:sqs",
                "eventSourceARN": arn,
            }
            for m in got
        ]
        result = process_records(
            records, self.table, self.blobs, self.exports.max_receives, self.clock, self.queue, self.render
        )
        failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        for record in records:
            if record["messageId"] in failed:  # visible again at once: the next poll retries it
                self.sqs.change_message_visibility(
                    QueueUrl=url, ReceiptHandle=record["receiptHandle"], VisibilityTimeout=0
                )
            else:
                self.sqs.delete_message(QueueUrl=url, ReceiptHandle=record["receiptHandle"])
        return len(records)

    def run(self, stopping: threading.Event) -> None:
        """Poll until `stopping` is set, then keep what finished last on disk; a failed poll is logged and
        tried again."""
        while not stopping.is_set():
            try:
                self.poll_once(wait=1)
            except Exception as exc:  # the poller must outlive any one failure, and say so
                log.error("the local export poller failed a poll: %s", exc)
                stopping.wait(2)
        try:
            self.save_new()  # a ZIP finished by the last poll: the stop joins this thread before moto goes
        except Exception as exc:  # the stop must go on, and say what is lost
            log.error("could not keep the last export ZIPs in %s: %s", self.saved and self.saved.root, exc)


def resume(settings: Settings, exports: ExportSettings, saved: SavedExports | None) -> tuple[list[str], list[str]]:
    """Put back what a restart lost: the saved ZIPs into the new bucket, and a message for every job still
    queued or running; (keys restored, export ids queued again)."""
    from service.adapters.aws import client
    from service.adapters.factory import build_table
    from service.adapters.queue import SqsQueue
    from service.adapters.unit_of_work import UnitOfWork
    from service.services.exports import resume_unfinished

    restored = saved.restore() if saved is not None else []
    queue = SqsQueue(client("sqs", settings), exports.queue_url)  # type: ignore[arg-type]
    requeued = resume_unfinished(UnitOfWork(build_table(settings)), queue)
    if restored or requeued:
        log.info("exports: %d ZIPs restored, %d unfinished jobs queued again", len(restored), len(requeued))
    return restored, requeued


def start(
    settings: Settings, link_endpoint: str, stopping: threading.Event, saved_dir: Path | None = None
) -> threading.Thread:
    """Provision the exports in the emulator, put back what a restart lost (the ZIPs kept in `saved_dir`, the
    messages of unfinished jobs), point this process at them, and start the poller thread."""
    from service.adapters.aws import client

    exports = provision(settings, link_endpoint)
    saved = SavedExports(client("s3", settings), BUCKET, saved_dir) if saved_dir is not None else None
    resume(settings, exports, saved)
    os.environ.update(export_environment(exports))
    poller = ExportPoller(settings, exports, saved=saved)
    thread = threading.Thread(target=poller.run, args=(stopping,), name="local-exports", daemon=True)
    thread.start()
    return thread
