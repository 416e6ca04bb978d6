"""Background work: a queue port, SQS deployed, inline in tests and the local run."""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from service.adapters.dynamo import unavailable_on_transient_errors

Message = dict[str, Any]


class Queue(ABC):
    """Sends messages for the worker function."""

    @abstractmethod
    def send_many(self, messages: list[Message]) -> None:
        """Enqueue messages (each a dict with a 'kind')."""

    def retry_in(self, receipt_handle: str, seconds: int) -> None:
        """Hand a received message that failed out again after `seconds` (SQS would wait for its visibility
        timeout); a queue that holds no messages (inline) has none to hand out."""
        return None


class InlineQueue(Queue):
    """Runs each message at once through the worker's dispatcher (tests and the local run)."""

    def __init__(self, dispatch: Callable[[Message], None]) -> None:
        self.dispatch = dispatch
        self.sent: list[Message] = []

    def send_many(self, messages: list[Message]) -> None:
        for message in messages:
            self.sent.append(message)
            self.dispatch(json.loads(json.dumps(message)))


class SqsQueue(Queue):
    """Amazon SQS (batches of 10, the API's limit)."""

    def __init__(self, client: Any, url: str) -> None:
        self.client = client
        self.url = url

    @unavailable_on_transient_errors  # SQS throttled, failing or unreachable: 503 with Retry-After, not a 500
    def send_many(self, messages: list[Message]) -> None:
        for start in range(0, len(messages), 10):
            chunk = messages[start : start + 10]
            entries = [{"Id": str(n), "MessageBody": json.dumps(m)} for n, m in enumerate(chunk)]
            result = self.client.send_message_batch(QueueUrl=self.url, Entries=entries)
            if result.get("Failed"):
                raise RuntimeError(f"SQS refused {len(result['Failed'])} message(s): {result['Failed'][0]}")

    def retry_in(self, receipt_handle: str, seconds: int) -> None:
        self.client.change_message_visibility(
            QueueUrl=self.url, ReceiptHandle=receipt_handle, VisibilityTimeout=seconds
        )
