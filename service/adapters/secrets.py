"""The web function's secret in Secrets Manager: the session-signing key, and the app client id beside it.

template.yaml generates the secret (`SessionSecret`): nobody types a key, and it never sits in an environment
variable. The web function names it by its name, not by a `!Ref`, and the app client id travels inside it
because the function cannot name the client directly: the client's callback URL names the API, and the
API names the function (a dependency cycle CloudFormation refuses).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from service.config import ConfigError, Settings
from service.domain.errors import Unavailable

log = logging.getLogger(__name__)
MIN_KEY_LENGTH = 32
# After a failed read, the next one waits this long (and clients are told to): while Secrets Manager is down,
# pages answer 503 at once instead of each spending botocore's retries on it.
RETRY_AFTER = 5


@dataclass(frozen=True)
class WebSecret:
    """What the web function reads once per cold start."""

    session_key: str
    client_id: str | None


class SecretUnavailable(Unavailable):
    """The web secret could not be read (Secrets Manager unreachable, throttling, refusing, or the value unusable).

    Pages need it to read the session cookie, so they answer 503; `/healthz`, static files and API requests
    authorised by a JWT do not need it and keep working."""

    def __init__(self, reason: str) -> None:
        super().__init__("Signing in is unavailable right now. Please try again in a moment.", retry_after=RETRY_AFTER)
        self.reason = reason


Fetch = Callable[[str], str]
_cache: dict[str, WebSecret] = {}
_failed: dict[str, tuple[float, str]] = {}  # secret id -> (monotonic time of the failed read, why)
_lock = threading.Lock()
_clock: Callable[[], float] = time.monotonic  # tests move it on


def _fetch_with_boto3(settings: Settings) -> Fetch:
    def fetch(secret_id: str) -> str:
        from botocore.exceptions import BotoCoreError, ClientError

        from service.adapters.aws import client, reason

        try:
            return client("secretsmanager", settings).get_secret_value(SecretId=secret_id)["SecretString"]
        except (ClientError, BotoCoreError) as exc:  # unreachable, throttled, 5xx, access denied, no such secret
            raise SecretUnavailable(f"Secrets Manager: {reason(exc)}") from exc

    return fetch


def parse(text: str) -> WebSecret:
    """The secret's JSON as the template generates it; a short or missing key is refused."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise ConfigError("the session secret is not JSON") from exc
    key = str(data.get("session_key") or "")
    if len(key) < MIN_KEY_LENGTH:
        raise ConfigError(f"the session secret's session_key must have {MIN_KEY_LENGTH}+ characters")
    return WebSecret(key, data.get("client_id") or None)


def web_secret(settings: Settings, fetch: Fetch | None = None) -> WebSecret:
    """The web secret: read from Secrets Manager on first use (a cold start), then kept for the process.

    Raises `SecretUnavailable` when it cannot be read; that failure is remembered for `RETRY_AFTER` seconds."""
    secret_id = settings.session_secret_id
    if secret_id is None:
        return WebSecret(settings.secret_key, None)
    with _lock:
        if secret_id in _cache:
            return _cache[secret_id]
        failed = _failed.get(secret_id)
        if failed is not None and _clock() - failed[0] < RETRY_AFTER:
            raise SecretUnavailable(failed[1])
        try:
            _cache[secret_id] = parse((fetch or _fetch_with_boto3(settings))(secret_id))
        except SecretUnavailable as exc:
            _remember_failure(secret_id, exc.reason)
            raise
        except ConfigError as exc:  # a value the template would not have generated: an operator must fix it
            _remember_failure(secret_id, str(exc))
            raise SecretUnavailable(str(exc)) from exc
        _failed.pop(secret_id, None)
        return _cache[secret_id]


def _remember_failure(secret_id: str, why: str) -> None:
    log.warning("the web secret could not be read: %s", why)
    _failed[secret_id] = (_clock(), why)


def health(settings: Settings, fetch: Fetch | None = None) -> dict[str, str]:
    """The secret's state for /healthz: ok once read (this process needs it no more), down while it cannot be."""
    if settings.session_secret_id is None:
        return {"state": "not_used", "detail": "sessions are signed with SECRET_KEY"}
    try:
        web_secret(settings, fetch)
    except SecretUnavailable as exc:
        return {"state": "down", "detail": exc.reason}
    return {"state": "ok", "detail": "read"}


def forget() -> None:
    """Drop what was read, and any failure remembered (tests start each function cold)."""
    with _lock:
        _cache.clear()
        _failed.clear()
