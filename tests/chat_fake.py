"""A local HTTP server that plays Slack's Web API, Slack and Teams incoming webhooks and a Teams Workflows webhook
(and their errors), for the chat adapter's tests: there is no network here, and `Http(base_url=...)` aims the
adapter at it."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

SLACK_WEBHOOK = "https://hooks.slack.com/services/T000/B000/XXXXXXXX"
TEAMS_WEBHOOK = "https://example.webhook.office.com/webhookb2/abc/IncomingWebhook/def"
TEAMS_WORKFLOW = "https://prod-01.westeurope.logic.azure.com/workflows/abc/triggers/manual/paths/invoke?sig=x"
BOT_TOKEN = "xoxb-1234567890-abcdefghij"


@dataclass
class Received:
    """One request the fake service took."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


@dataclass
class FakeChat:
    """What the fake service knows and how it misbehaves; what it received."""

    url: str = ""
    slack_users: dict[str, str] = field(default_factory=dict)  # email -> Slack user id
    status: int = 200  # every answer's status (500, 429: an HTTP error)
    delay: float = 0.0  # seconds before answering (longer than the client's timeout: a timeout)
    drop: bool = False  # close the connection without answering
    received: list[Received] = field(default_factory=list)

    def posted(self, path_part: str) -> list[Any]:
        """Bodies of the POSTs whose path holds `path_part`."""
        return [r.body for r in self.received if r.method == "POST" and path_part in r.path]


def _handler(fake: FakeChat) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: Any) -> None:  # quiet
            pass

        def _answer(self, status: int, body: str, content_type: str = "application/json") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _take(self, method: str) -> Received:
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            got = Received(method, parts.path, parse_qs(parts.query), dict(self.headers), body)
            fake.received.append(got)
            return got

        def _serve(self, method: str) -> None:
            got = self._take(method)
            if fake.drop:
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if fake.delay:
                time.sleep(fake.delay)
            if fake.status != 200:
                self._answer(fake.status, '{"ok": false, "error": "fake_failure"}')
                return
            if got.path == "/api/users.lookupByEmail":
                email = (got.query.get("email") or [""])[0]
                user = fake.slack_users.get(email)
                answer = {"ok": True, "user": {"id": user}} if user else {"ok": False, "error": "users_not_found"}
                self._answer(200, json.dumps(answer))
            elif got.path == "/api/users.list":  # pages of `limit` members, the next page's cursor in the answer
                limit = int((got.query.get("limit") or ["100"])[0])
                start = int((got.query.get("cursor") or ["0"])[0])
                everyone = sorted(fake.slack_users.items())
                page = [{"id": u, "profile": {"email": e}} for e, u in everyone[start : start + limit]]
                more = str(start + limit) if start + limit < len(everyone) else ""
                self._answer(200, json.dumps({"ok": True, "members": page, "response_metadata": {"next_cursor": more}}))
            elif got.path == "/api/chat.postMessage":
                self._answer(200, json.dumps({"ok": got.headers.get("Authorization") == f"Bearer {BOT_TOKEN}"}))
            elif got.path.startswith("/services/"):
                self._answer(200, "ok", "text/plain")
            elif got.path.startswith("/webhookb2/"):
                self._answer(200, "1", "text/plain")
            elif got.path.startswith("/workflows/"):
                self._answer(202, "", "text/plain")
            else:
                self._answer(404, "no such path", "text/plain")

        def do_GET(self) -> None:
            self._serve("GET")

        def do_POST(self) -> None:
            self._serve("POST")

    return Handler


@contextmanager
def fake_chat() -> Iterator[FakeChat]:
    """Start the fake service on a free loopback port; stop it afterwards."""
    fake = FakeChat()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
