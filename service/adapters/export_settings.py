"""Where bulk exports go, read from the environment when asked for (never at import time).

EXPORT_QUEUE_URL (the export queue; unset: exports run inline, in tests), EXPORT_DLQ_ARN (records from it mark
their job failed), EXPORT_BUCKET (the private bucket of ZIPs), EXPORT_LINK_ENDPOINT (the local run: links
point at moto's loopback server so a browser can follow them).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.adapters.blobs import BlobStore, S3BlobStore
from service.config import Settings


@dataclass(frozen=True)
class ExportSettings:
    """The export queue, its dead-letter queue and the bucket."""

    queue_url: str | None = None
    dlq_arn: str | None = None
    bucket: str | None = None
    link_endpoint: str | None = None


def load_export_settings(environ: Mapping[str, str] | None = None) -> ExportSettings:
    """Read the export settings from the environment."""
    env = os.environ if environ is None else environ
    return ExportSettings(
        queue_url=env.get("EXPORT_QUEUE_URL") or None,
        dlq_arn=env.get("EXPORT_DLQ_ARN") or None,
        bucket=env.get("EXPORT_BUCKET") or None,
        link_endpoint=env.get("EXPORT_LINK_ENDPOINT") or None,
    )


def build_blob_store(settings: Settings, exports: ExportSettings) -> BlobStore:
    """The export bucket (imports boto3 when called)."""
    from service.adapters.aws import client

    if not exports.bucket:
        raise RuntimeError("EXPORT_BUCKET is not set")
    s3 = client("s3", settings)
    link_client: Any = None
    if exports.link_endpoint:
        link_client = client("s3", settings.with_overrides(endpoint_url=exports.link_endpoint))
    return S3BlobStore(s3, exports.bucket, link_client)
