"""`/healthz`, the deployed health check: does this function answer, and can it reach what it depends on?

Each dependency is listed with its state (`ok`, `down`, `refusing`, `not_used`) and a short detail. The table is
read (one GetItem of a key never written) and the session secret is read unless this process already holds it:
both are calls the web function's role allows. Email cannot be probed without a permission the function has
no other use for, so its state is what this function's own sends found: `down` while the last send in the
past `EMAIL_WINDOW` seconds failed because SES was unreachable, throttling or failing. While SES is down,
further sends fail at once (`EMAIL_PAUSE` seconds) instead of each spending botocore's retries: the write a
mail belongs to is already committed, reminders are retried by the daily run, and a page that saved something
whose mails could not go says so (a flashed message; "Remind now" counts them in its own).

Any dependency down: 503 in the error shape `{code, status, message, errors}` plus `dependencies`, with
Retry-After. All reachable: 200 `{"status": "ok", "dependencies": {...}}`.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, flash, g, has_request_context, jsonify, request

from service.adapters import keys
from service.adapters.mailer import AddressBouncing, Email, Mailer, SendFailed
from service.domain.errors import Unavailable
from service.web.errors import json_error, wants_json
from service.web.wiring import Wiring

# Views whose own message already counts the mails they could not send.
REPORT_UNSENT = frozenset({"pages_hr.remind"})
EMAIL_WINDOW = 300
EMAIL_PAUSE = 30
RETRY_AFTER = 5


@dataclass
class WatchedMailer(Mailer):
    """The app's mailer, built on first use, that remembers how its last send went (per process)."""

    build: Callable[[], Mailer]
    clock: Callable[[], float] = time.monotonic
    _mailer: Mailer | None = None
    _last_failure: tuple[float, str, bool] | None = None  # (when, why, SES unreachable or failing?)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def send(self, email: Email) -> None:
        """Send through the real mailer; while it is down, fail at once without trying."""
        failure = self._last_failure
        if failure is not None and failure[2] and self.clock() - failure[0] < EMAIL_PAUSE:
            _count_unsent()
            raise SendFailed(f"email is down ({failure[1]}); not tried again for a few seconds")
        if self._mailer is None:
            self._mailer = self.build()
        try:
            self._mailer.send(email)
        except AddressBouncing:
            raise  # skipped on purpose, not SES failing (issue 21: HR sees the address on the overdue page)
        except SendFailed as exc:
            _count_unsent()
            outage = _is_outage(exc)
            with self._lock:
                self._last_failure = (self.clock(), _why(exc), outage)
                if outage:
                    self._mailer = None  # the next try, after the pause, starts on fresh connections
            raise
        with self._lock:
            self._last_failure = None

    def health(self) -> dict[str, str]:
        """Email's state from this process's last send."""
        failure = self._last_failure
        if failure is None or self.clock() - failure[0] >= EMAIL_WINDOW:
            return {"state": "ok", "detail": f"no failed send in the last {EMAIL_WINDOW} s"}
        ago = int(self.clock() - failure[0])
        detail = f"the last send, {ago} s ago, failed: {failure[1]}"
        return {"state": "down" if failure[2] else "refusing", "detail": detail}


def _count_unsent() -> None:
    """Count a mail this request could not send (the page says so: `_tell_unsent`)."""
    if has_request_context():
        g.unsent_mail = g.get("unsent_mail", 0) + 1


def _why(exc: SendFailed) -> str:
    cause = exc.__cause__
    if cause is None:
        return str(exc)
    from service.adapters.aws import reason

    return reason(cause)


def _is_outage(exc: SendFailed) -> bool:
    """SES unreachable, slow, throttling or failing; not a message it refused (the outbox's disk errors count)."""
    cause = exc.__cause__
    if cause is None or isinstance(cause, OSError):
        return True
    from service.adapters.aws import is_outage

    return is_outage(cause)


def _table_health(wiring: Wiring) -> dict[str, str]:
    from service.adapters.aws import reason

    try:
        wiring.table.get(keys.health_probe())
    except Unavailable as exc:
        return {"state": "down", "detail": reason(exc.__cause__ or exc)}
    except _aws_errors() as exc:  # reachable, but refusing: access denied, no such table
        return {"state": "down", "detail": reason(exc)}
    return {"state": "ok", "detail": "read"}


def _aws_errors() -> tuple[type[BaseException], ...]:
    """botocore's errors (imported only once something failed; the in-memory table raises none)."""
    from botocore.exceptions import BotoCoreError, ClientError

    return (ClientError, BotoCoreError)


def dependencies(wiring: Wiring) -> dict[str, dict[str, str]]:
    """Each dependency of the web function with its state."""
    from service.adapters.secrets import health as secret_health

    mailer = wiring.extras.get("mailer")
    return {
        "table": _table_health(wiring),
        "session_secret": secret_health(wiring.settings, wiring.extras.get("secret_fetch")),
        "email": mailer.health() if isinstance(mailer, WatchedMailer) else {"state": "ok", "detail": "not watched"},
    }


def install(app: Flask, wiring: Wiring) -> None:
    """The health check, and the watched mailer it reports on."""
    if "mailer" not in wiring.extras:
        from service.adapters.factory import build_mailer

        wiring.extras["mailer"] = WatchedMailer(lambda: build_mailer(wiring.settings, wiring.table))

    @app.after_request
    def _tell_unsent(response: Response) -> Response:
        # The write a mail belongs to is committed before it is sent; a page that saved it says what was not sent.
        unsent = g.get("unsent_mail", 0)
        if unsent and response.status_code < 400 and not wants_json() and request.endpoint not in REPORT_UNSENT:
            emails = "an email" if unsent == 1 else f"{unsent} emails"
            flash(
                f"Saved, but {emails} could not be sent because email is unavailable right now. "
                "Let the people concerned know.",
                "error",
            )
        return response

    @app.get("/healthz")
    def healthz() -> Any:
        """Health: the function answers and lists each dependency's state (503 when one is down)."""
        found = dependencies(wiring)
        down = sorted(name for name, d in found.items() if d["state"] == "down")
        if not down:
            return jsonify({"status": "ok", "dependencies": found})
        message = f"Unavailable: {', '.join(down)} {'is' if len(down) == 1 else 'are'} down."
        response = json_error("unavailable", 503, message, dependencies=found)
        response.headers["Retry-After"] = str(RETRY_AFTER)
        return response
