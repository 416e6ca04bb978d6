"""The web function's secret in Secrets Manager: the session-signing key, and the app client id beside it.

template.yaml generates the secret (`SessionSecret`): nobody types a key, and it never sits in an environment
variable. The web function names it by its name, not by a `!Ref`, and the app client id travels inside it
because the function cannot name the client directly: the client's callback URL names the API, and the
API names the function (a dependency cycle CloudFormation refuses).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass

from service.config import ConfigError, Settings

MIN_KEY_LENGTH = 32


@dataclass(frozen=True)
class WebSecret:
    """What the web function reads once per cold start."""

    session_key: str
    client_id: str | None


Fetch = Callable[[str], str]
_cache: dict[str, WebSecret] = {}
_lock = threading.Lock()


def _fetch_with_boto3(settings: Settings) -> Fetch:
    def fetch(secret_id: str) -> str:
        from service.adapters.aws import client

        return client("secretsmanager", settings).get_secret_value(SecretId=secret_id)["SecretString"]

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
    """The web secret: read from Secrets Manager on first use (a cold start), then kept for the process."""
    if settings.session_secret_id is None:
        return WebSecret(settings.secret_key, None)
    with _lock:
        if settings.session_secret_id not in _cache:
            text = (fetch or _fetch_with_boto3(settings))(settings.session_secret_id)
            _cache[settings.session_secret_id] = parse(text)
        return _cache[settings.session_secret_id]


def forget() -> None:
    """Drop what was read (tests start each function cold)."""
    with _lock:
        _cache.clear()
