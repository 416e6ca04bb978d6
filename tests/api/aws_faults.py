"""AWS made unreachable the way a function sees an outage: a loopback endpoint that refuses connections, never
answers, throttles or fails with a 5xx, for one service at a time (botocore's `AWS_ENDPOINT_URL_<SERVICE>`).

Requests go through the real boto3 client, its retry handler and its error parser; only the far end is faulty.
`fast_aws` keeps that cheap: one try each, tenth-of-a-second timeouts.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

FAULTS = ("refused", "timeout", "throttled", "5xx")
ENDPOINT_VARIABLES = {
    "dynamodb": "AWS_ENDPOINT_URL_DYNAMODB",
    "secretsmanager": "AWS_ENDPOINT_URL_SECRETS_MANAGER",
    "ses": "AWS_ENDPOINT_URL_SES",
    "sqs": "AWS_ENDPOINT_URL_SQS",
}
# What AWS answers when it throttles or fails: (status, error code) per protocol of the services used here.
JSON_ERRORS = {"throttled": (400, "ThrottlingException"), "5xx": (500, "InternalServerError")}
QUERY_ERRORS = {"throttled": (400, "Throttling"), "5xx": (503, "ServiceUnavailable")}


class _Answer(BaseHTTPRequestHandler):
    fault = "5xx"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if "json" in (self.headers.get("Content-Type") or ""):  # DynamoDB, Secrets Manager
            status, code = JSON_ERRORS[self.fault]
            body = json.dumps({"__type": f"com.amazonaws#{code}", "message": "injected by the test"}).encode()
            content_type = "application/x-amz-json-1.0"
        else:  # SES (query protocol, XML errors)
            status, code = QUERY_ERRORS[self.fault]
            body = (
                '<ErrorResponse xmlns="http://ses.amazonaws.com/doc/2010-12-01/"><Error><Type>Sender</Type>'
                f"<Code>{code}</Code><Message>injected by the test</Message></Error>"
                "<RequestId>00000000-0000-0000-0000-000000000000</RequestId></ErrorResponse>"
            ).encode()
            content_type = "text/xml"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        """Quiet."""


@contextmanager
def faulty_endpoint(fault: str) -> Iterator[str]:
    """The URL of a loopback endpoint failing in the given way, for as long as the block lasts."""
    if fault in ("refused", "timeout"):
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        if fault == "timeout":
            sock.listen(16)  # the kernel accepts the connection; nobody ever reads or answers
        # (bound but not listening: every connection is refused)
        try:
            yield f"http://127.0.0.1:{sock.getsockname()[1]}"
        finally:
            sock.close()
        return
    handler = type("Answer", (_Answer,), {"fault": fault})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def fast_aws(monkeypatch):
    """boto3 clients built from here on try once, with tenth-of-a-second timeouts (the test's own, not production's)."""
    from service.adapters import aws

    monkeypatch.setattr(aws, "RETRIES", {"mode": "standard", "total_max_attempts": 1})
    monkeypatch.setattr(aws, "CONNECT_TIMEOUT", 0.2)
    monkeypatch.setattr(aws, "READ_TIMEOUT", 0.2)
    for name, value in (("AWS_ACCESS_KEY_ID", "testing"), ("AWS_SECRET_ACCESS_KEY", "testing")):
        monkeypatch.setenv(name, value)


@pytest.fixture
def down(monkeypatch, fast_aws):
    """down("ses", "refused"): point that service's clients at an endpoint failing that way (until the test ends)."""
    stack: list = []

    def make(service: str, fault: str) -> str:
        cm = faulty_endpoint(fault)
        url = cm.__enter__()
        stack.append(cm)
        monkeypatch.setenv(ENDPOINT_VARIABLES[service], url)
        return url

    yield make
    for cm in reversed(stack):
        cm.__exit__(None, None, None)
