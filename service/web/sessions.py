"""The session cookie signed with the key from Secrets Manager, read on the first request that needs it.

While the key cannot be read, a request gets an `UnreadableSession`: a request that never looks at its session
(`/healthz`, static files, an API call authorised by a JWT) answers as usual, and one that does gets
`SecretUnavailable` (503 with Retry-After) instead of a crash while the request is being set up.
"""

from __future__ import annotations

from typing import Any, NoReturn

from flask import Flask, Request
from flask.sessions import NullSession, SecureCookieSessionInterface

from service.adapters.secrets import SecretUnavailable, web_secret
from service.web.wiring import Wiring

HEALTH_PATH = "/healthz"


class UnreadableSession(NullSession):
    """The session of a request whose cookie cannot be read because the signing key is unavailable.

    Any use of it, reading or writing, raises the `SecretUnavailable` that made it; Flask never saves it."""

    def __init__(self, error: SecretUnavailable) -> None:
        super().__init__()
        self.error = error

    def _unavailable(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise SecretUnavailable(self.error.reason)

    get = __getitem__ = __contains__ = __iter__ = __len__ = keys = values = items = _unavailable  # type: ignore[assignment]
    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _unavailable  # type: ignore[assignment]


class SecretKeySessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, keyed by the web secret (fetched once per process, so importing stays cheap)."""

    def __init__(self, wiring: Wiring) -> None:
        self._wiring = wiring

    def get_signing_serializer(self, app: Flask) -> Any:
        """The serializer, with the app's key taken from the secret on first use."""
        if app.secret_key in (None, "", self._wiring.settings.secret_key):
            app.secret_key = web_secret(self._wiring.settings, self._wiring.extras.get("secret_fetch")).session_key
        return super().get_signing_serializer(app)

    def open_session(self, app: Flask, request: Request) -> Any:
        """The request's session; none for the health check and static files, which never use one."""
        if request.path == HEALTH_PATH or request.path.startswith(f"{app.static_url_path}/"):
            return self.make_null_session(app)
        try:
            return super().open_session(app, request)
        except SecretUnavailable as exc:
            return UnreadableSession(exc)
