"""The session cookie signed with the key from Secrets Manager, read on the first request that needs it."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from service.adapters.secrets import web_secret
from service.web.wiring import Wiring


class SecretKeySessionInterface(SecureCookieSessionInterface):
    """Flask's signed cookie, keyed by the web secret (fetched once per process, so importing stays cheap)."""

    def __init__(self, wiring: Wiring) -> None:
        self._wiring = wiring

    def get_signing_serializer(self, app: Flask) -> Any:
        """The serializer, with the app's key taken from the secret on first use."""
        if app.secret_key in (None, "", self._wiring.settings.secret_key):
            app.secret_key = web_secret(self._wiring.settings, self._wiring.extras.get("secret_fetch")).session_key
        return super().get_signing_serializer(app)
