"""Where bulk exports go, read from the environment when asked for (never at import time).

EXPORT_QUEUE_URL (the export queue; unset: exports run inline, in tests), EXPORT_MAX_RECEIVES and
EXPORT_VISIBILITY_SECONDS (the queue's maxReceiveCount and visibility timeout: the attempt SQS will not retry fails
its job, and a job silent for longer than `give_up_seconds` reads as failed), EXPORT_BUCKET (the private bucket of
ZIPs), EXPORT_LINK_ENDPOINT (the local run: links point at moto's loopback server so a browser can follow them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.adapters.blobs import BlobStore, S3BlobStore
from service.config import Settings

MAX_RECEIVES = 3  # template.yaml: ExportQueue's maxReceiveCount (the default where the variable is unset: tests)
VISIBILITY_SECONDS = 5400  # template.yaml: ExportQueue's VisibilityTimeout
# One more PdfFunction timeout: an invocation that saw its job alive ends (or is ended) before then, so no write of
# a late attempt lands after the job reads as failed.
MARGIN_SECONDS = 900


@dataclass(frozen=True)
class ExportSettings:
    """The export queue (and how often it delivers a message) and the bucket."""

    queue_url: str | None = None
    bucket: str | None = None
    link_endpoint: str | None = None
    max_receives: int = MAX_RECEIVES
    visibility_seconds: int = VISIBILITY_SECONDS

    @property
    def give_up_seconds(self) -> int:
        """How long an unfinished job may show no progress before it reads as failed: every delivery SQS would
        make of its message timed out (a crash, a timeout, memory), plus a margin."""
        return self.visibility_seconds * self.max_receives + MARGIN_SECONDS


def load_export_settings(environ: Mapping[str, str] | None = None) -> ExportSettings:
    """Read the export settings from the environment."""
    env = os.environ if environ is None else environ
    return ExportSettings(
        queue_url=env.get("EXPORT_QUEUE_URL") or None,
        bucket=env.get("EXPORT_BUCKET") or None,
        link_endpoint=env.get("EXPORT_LINK_ENDPOINT") or None,
        max_receives=int(env.get("EXPORT_MAX_RECEIVES") or MAX_RECEIVES),
        visibility_seconds=int(env.get("EXPORT_VISIBILITY_SECONDS") or VISIBILITY_SECONDS),
    )


def build_blob_store(settings: Settings, exports: ExportSettings) -> BlobStore:
    """The export bucket (imports boto3 when called)."""
    from service.adapters.aws import client

    if not exports.bucket:
        raise RuntimeError("EXPORT_BUCKET is not set")
    return S3BlobStore(client("s3", settings), exports.bucket, _signing_client(settings, exports.link_endpoint))


def _signing_client(settings: Settings, link_endpoint: str | None) -> Any:
    """An S3 client that signs links with SigV4 (X-Amz-Expires is what limits a link to five minutes); locally
    aimed at moto's loopback server with path-style URLs, so a browser can follow them."""
    from botocore.config import Config

    from service.adapters.aws import made

    endpoint = link_endpoint or settings.endpoint_url
    config = Config(
        signature_version="s3v4",
        region_name=settings.region,
        s3={"addressing_style": "path" if endpoint else "virtual"},
    )
    return made("s3", endpoint, config)
