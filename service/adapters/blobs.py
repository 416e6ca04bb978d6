"""Where export ZIPs go: S3 deployed (and on moto locally), written as a stream of multipart-upload parts.

`PartStream` is a write-only file the ZIP writer writes into: it keeps at most one part in memory (5 MiB,
S3's smallest part but the last) and uploads each part as it fills, so an export of any size holds one
part and one PDF at a time. Downloads are presigned GET links, minted when asked for, short-lived, with an
attachment Content-Disposition. Small objects (a stored appraisal summary, issue 24) are put and read whole.
"""

from __future__ import annotations

import io
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from service.adapters.dynamo import unavailable_on_transient_errors

MIN_PART = 5 * 1024 * 1024  # S3 refuses smaller parts, except the last
READ_CHUNK = 1024 * 1024  # an object is read this much at a time
LINK_SECONDS = 300  # a download link lives at most five minutes


class Upload(ABC):
    """One object being uploaded in parts."""

    @abstractmethod
    def part(self, number: int, data: io.BytesIO) -> None:
        """Upload part `number` (1-based) from a buffer positioned at its start (read, not copied)."""

    @abstractmethod
    def complete(self) -> None:
        """Make the object from the parts uploaded."""

    @abstractmethod
    def abort(self) -> None:
        """Give up: the parts are discarded."""


@dataclass(frozen=True)
class Blob:
    """An object read whole: its bytes and the metadata it was put with."""

    data: bytes
    metadata: dict[str, str] = field(default_factory=dict)


class BlobStore(ABC):
    """Objects of the export bucket."""

    @abstractmethod
    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None:
        """Store a small object whole (encrypted at rest), replacing any object of that key."""

    @abstractmethod
    def get(self, key: str) -> Blob | None:
        """The object of `key` with its metadata, or None when none is stored."""

    @abstractmethod
    def start_upload(self, key: str, content_type: str) -> Upload:
        """Begin a multipart upload of `key`."""

    @abstractmethod
    def download_link(self, key: str, filename: str, seconds: int = LINK_SECONDS) -> str:
        """A presigned GET of `key` that saves as `filename`, valid for `seconds` (≤ 300)."""

    @abstractmethod
    def exists(self, key: str) -> bool:
        """Whether `key` is still stored (the bucket's lifecycle rule deletes ZIPs after two days)."""

    @abstractmethod
    def read(self, key: str) -> Iterator[bytes]:
        """The object's bytes, READ_CHUNK at a time (an export's pieces are copied into its ZIP this way)."""


class PartStream(io.RawIOBase):
    """A write-only, non-seekable stream that uploads its buffer as a part once it holds `part_size` bytes.

    The buffer itself is handed to the upload (no copy) and a new one started, so memory stays at one part
    (a little over 5 MiB) plus the write in hand, however big the object grows.
    """

    def __init__(self, upload: Upload, part_size: int = MIN_PART) -> None:
        super().__init__()
        self.upload = upload
        self.part_size = max(part_size, MIN_PART)
        self._buffer = io.BytesIO()
        self._parts = 0
        self.size = 0
        self.peak_buffer = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:  # type: ignore[override]
        """Buffer `data`; a full buffer goes out as a part (every part but the last is at least 5 MiB)."""
        written = self._buffer.write(data)
        self.size += written
        self.peak_buffer = max(self.peak_buffer, self._buffer.tell())
        if self._buffer.tell() >= self.part_size:
            self._send()
        return written

    def _send(self) -> None:
        buffer, self._buffer = self._buffer, io.BytesIO()
        buffer.seek(0)
        self._parts += 1
        self.upload.part(self._parts, buffer)
        buffer.close()

    def finish(self) -> int:
        """Upload what is left as the last part and complete the object; returns its size."""
        if self._buffer.tell() or not self._parts:
            self._send()
        self.upload.complete()
        return self.size


class S3Upload(Upload):
    """A multipart upload to S3."""

    def __init__(self, client: Any, bucket: str, key: str, content_type: str) -> None:
        self.client, self.bucket, self.key = client, bucket, key
        started = client.create_multipart_upload(
            Bucket=bucket, Key=key, ContentType=content_type, ServerSideEncryption="AES256"
        )
        self.upload_id = started["UploadId"]
        self.parts: list[dict[str, Any]] = []

    def part(self, number: int, data: io.BytesIO) -> None:
        done = self.client.upload_part(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, PartNumber=number, Body=data
        )
        self.parts.append({"PartNumber": number, "ETag": done["ETag"]})

    def complete(self) -> None:
        self.client.complete_multipart_upload(
            Bucket=self.bucket, Key=self.key, UploadId=self.upload_id, MultipartUpload={"Parts": self.parts}
        )

    def abort(self) -> None:
        self.client.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=self.upload_id)


class S3BlobStore(BlobStore):
    """The export bucket in S3. `link_client` signs links (locally: one aimed at moto's loopback server)."""

    def __init__(self, client: Any, bucket: str, link_client: Any = None) -> None:
        self.client = client
        self.bucket = bucket
        self.link_client = link_client or client

    def start_upload(self, key: str, content_type: str) -> Upload:
        return S3Upload(self.client, self.bucket, key, content_type)

    @unavailable_on_transient_errors  # S3 throttled or failing: 503 with Retry-After, not a 500
    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None:
        self.client.put_object(
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            ServerSideEncryption="AES256",
            Metadata=metadata or {},
        )

    @unavailable_on_transient_errors
    def get(self, key: str) -> Blob | None:
        from botocore.exceptions import ClientError

        try:
            found = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
        return Blob(found["Body"].read(), dict(found.get("Metadata") or {}))

    def download_link(self, key: str, filename: str, seconds: int = LINK_SECONDS) -> str:
        return self.link_client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self.bucket,
                "Key": key,
                "ResponseContentDisposition": f'attachment; filename="{filename}"',
                "ResponseContentType": "application/zip",
            },
            ExpiresIn=min(seconds, LINK_SECONDS),
        )

    def exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def read(self, key: str) -> Iterator[bytes]:
        body = self.client.get_object(Bucket=self.bucket, Key=key)["Body"]
        try:
            yield from body.iter_chunks(READ_CHUNK)
        finally:
            body.close()


def _missing(exc: Any) -> bool:
    """Whether S3 answered "no such object" (a caller that may not list the bucket gets 403 instead)."""
    return exc.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound")


class MemoryUpload(Upload):
    """An upload kept in memory (unit tests)."""

    def __init__(self, store: MemoryBlobStore, key: str) -> None:
        self.store, self.key = store, key
        self.parts: dict[int, bytes] = {}

    def part(self, number: int, data: io.BytesIO) -> None:
        if number > 1 and len(self.parts.get(number - 1, b"")) < MIN_PART:
            raise ValueError("a part before the last is smaller than 5 MiB")  # S3's rule, kept by the fake
        self.parts[number] = data.read()
        self.store.part_sizes.append(len(self.parts[number]))

    def complete(self) -> None:
        self.store.objects[self.key] = b"".join(self.parts[n] for n in sorted(self.parts))

    def abort(self) -> None:
        self.parts.clear()
        self.store.aborted.append(self.key)


class MemoryBlobStore(BlobStore):
    """Objects in a dict (unit tests); links name the key and the file."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}
        self.metadata: dict[str, dict[str, str]] = {}
        self.part_sizes: list[int] = []
        self.aborted: list[str] = []

    def start_upload(self, key: str, content_type: str) -> Upload:
        return MemoryUpload(self, key)

    def put(self, key: str, data: bytes, content_type: str, metadata: dict[str, str] | None = None) -> None:
        self.objects[key] = bytes(data)
        self.metadata[key] = dict(metadata or {})

    def get(self, key: str) -> Blob | None:
        if key not in self.objects:
            return None
        return Blob(self.objects[key], dict(self.metadata.get(key, {})))

    def download_link(self, key: str, filename: str, seconds: int = LINK_SECONDS) -> str:
        return f"memory://{key}?filename={filename}&expires={min(seconds, LINK_SECONDS)}"

    def exists(self, key: str) -> bool:
        return key in self.objects

    def read(self, key: str) -> Iterator[bytes]:
        data = self.objects[key]
        for start in range(0, len(data), READ_CHUNK):
            yield data[start : start + READ_CHUNK]
