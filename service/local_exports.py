"""Bulk exports in the local run: moto's SQS (an export queue with its dead-letter queue) and S3 (the bucket),
and a poller thread that hands their messages to the PDF function's own record handler, as Lambda would.

A message that fails is made visible again at once and, after MAX_RECEIVES deliveries, moto moves it to
the dead-letter queue, whose records mark the job failed: the deployed flow, in one process.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from typing import Any

from service.adapters.clock import Clock
from service.adapters.export_settings import ExportSettings
from service.config import Settings

QUEUE = "review-exports"
DEAD_LETTERS = "review-exports-dlq"
BUCKET = "review-exports-local"
MAX_RECEIVES = 3  # as template.yaml's redrive policy
VISIBILITY_SECONDS = 300  # longer than any local export takes: a message is never handed out twice at once

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
    return ExportSettings(queue_url=url, dlq_arn=dlq_arn, bucket=BUCKET, link_endpoint=link_endpoint)


def export_environment(exports: ExportSettings) -> dict[str, str]:
    """The variables that point the app's export queue and bucket at the emulator."""
    env = {
        "EXPORT_QUEUE_URL": exports.queue_url or "",
        "EXPORT_DLQ_ARN": exports.dlq_arn or "",
        "EXPORT_BUCKET": exports.bucket or "",
    }
    if exports.link_endpoint:
        env["EXPORT_LINK_ENDPOINT"] = exports.link_endpoint
    return env


class ExportPoller:
    """Receives export messages (and dead letters) from the emulated SQS and runs them as Lambda would."""

    def __init__(self, settings: Settings, exports: ExportSettings, render: Any = None, clock: Clock | None = None):
        from service.adapters.aws import client
        from service.adapters.export_settings import build_blob_store
        from service.adapters.factory import build_table

        self.exports = exports
        self.sqs = client("sqs", settings)
        self.table = build_table(settings)
        self.blobs = build_blob_store(settings, exports)
        self.render = render
        self.clock = clock or Clock()
        self.dlq_url = self.sqs.get_queue_url(QueueName=exports.dlq_arn.rsplit(":", 1)[-1])["QueueUrl"]  # type: ignore[union-attr]
        self.queue_arn = self.sqs.get_queue_attributes(QueueUrl=exports.queue_url, AttributeNames=["QueueArn"])[
            "Attributes"
        ]["QueueArn"]

    def poll_once(self, wait: int = 0) -> int:
        """Handle what the queue and the dead-letter queue hold now; how many messages were handled."""
        handled = self._poll(self.exports.queue_url, self.queue_arn, wait)  # type: ignore[arg-type]
        return handled + self._poll(self.dlq_url, self.exports.dlq_arn, 0)  # type: ignore[arg-type]

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
        result = process_records(records, self.table, self.blobs, self.exports.dlq_arn, self.clock, self.render)
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
        """Poll until `stopping` is set; a failed poll is logged and tried again."""
        while not stopping.is_set():
            try:
                self.poll_once(wait=1)
            except Exception as exc:  # the poller must outlive any one failure, and say so
                log.error("the local export poller failed a poll: %s", exc)
                stopping.wait(2)


def start(settings: Settings, link_endpoint: str, stopping: threading.Event) -> threading.Thread:
    """Provision the exports in the emulator, point this process at them, and start the poller thread."""
    exports = provision(settings, link_endpoint)
    os.environ.update(export_environment(exports))
    poller = ExportPoller(settings, exports)
    thread = threading.Thread(target=poller.run, args=(stopping,), name="local-exports", daemon=True)
    thread.start()
    return thread
