"""Cognito behind small ports: the hosted UI (authorize, token, logout URLs), the pool's JWKS, ID-token checks.

Browser sign-in when deployed is the authorization-code flow with PKCE against the hosted UI; the ID token
that comes back is verified here against the pool's published keys (issuer, audience, expiry, token_use),
so the app never trusts a token it did not check. The JWKS and the token endpoint are reached through
injectable callables: the tests hand in moto's JWKS and a hosted UI that signs people in through moto.
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from service.domain.errors import NotAuthenticated

JwksFetch = Callable[[str], dict[str, Any]]
# A token answer or JWKS bigger than this is not Cognito's.
MAX_RESPONSE_BYTES = 256 * 1024
HTTP_TIMEOUT = 5


class SignInFailed(NotAuthenticated):
    """The hosted UI's answer could not be turned into a verified identity."""

    code = "signin_failed"


def issuer(region: str, user_pool_id: str) -> str:
    """The `iss` of the pool's tokens (and the base of its JWKS URL)."""
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge) for one sign-in (RFC 7636)."""
    verifier = secrets.token_urlsafe(64)[:96]
    return verifier, pkce_challenge(verifier)


def pkce_challenge(verifier: str) -> str:
    """The S256 challenge of a verifier."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _http_json(request: urllib.request.Request) -> dict[str, Any]:
    # Only https URLs built from the template's domain reach here (S310: no file:// or custom schemes).
    if not request.full_url.startswith("https://"):
        raise SignInFailed("Cognito is reached over https only")
    with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT) as response:  # noqa: S310
        return json.loads(response.read(MAX_RESPONSE_BYTES))


def fetch_jwks(url: str) -> dict[str, Any]:
    """The pool's JSON Web Key Set over https (the default fetcher)."""
    return _http_json(urllib.request.Request(url, headers={"Accept": "application/json"}))  # noqa: S310 - https only


class HostedUi(Protocol):
    """The Cognito hosted UI as the sign-in flow uses it."""

    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        """Where the browser goes to sign in."""
        ...

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """The token endpoint's answer for an authorization code (with the PKCE verifier)."""
        ...

    def logout_url(self, logout_uri: str) -> str:
        """Where the browser goes to end the Cognito session too."""
        ...


@dataclass(frozen=True)
class CognitoHostedUi:
    """The real hosted UI at `https://<domain>` for one public app client."""

    domain: str
    client_id: str
    scopes: str = "openid email profile"

    def authorize_url(self, redirect_uri: str, state: str, challenge: str) -> str:
        """Where the browser goes to sign in."""
        query = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": self.scopes,
            "state": state,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
        return f"https://{self.domain}/oauth2/authorize?{urllib.parse.urlencode(query)}"

    def exchange(self, code: str, redirect_uri: str, verifier: str) -> dict[str, Any]:
        """POST the code and verifier to the token endpoint."""
        body = urllib.parse.urlencode(
            {
                "grant_type": "authorization_code",
                "client_id": self.client_id,
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": verifier,
            }
        ).encode()
        request = urllib.request.Request(
            f"https://{self.domain}/oauth2/token",
            data=body,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"},
            method="POST",
        )
        try:
            return _http_json(request)
        except OSError as exc:  # urllib's HTTPError (a refused code) and network errors alike
            raise SignInFailed("the sign-in could not be completed; try again") from exc

    def logout_url(self, logout_uri: str) -> str:
        """The hosted UI's logout, coming back to `logout_uri` (one of the client's sign-out URLs)."""
        query = urllib.parse.urlencode({"client_id": self.client_id, "logout_uri": logout_uri})
        return f"https://{self.domain}/logout?{query}"


@dataclass
class TokenVerifier:
    """Checks ID tokens of one pool and app client against the pool's JWKS (fetched once, again on a new key).

    State and PKCE bind the code to this browser's sign-in, so no nonce is needed (OAuth 2.1, section 7.5.3).
    """

    region: str
    user_pool_id: str
    client_id: str
    fetch: JwksFetch = fetch_jwks
    now: Callable[[], float] = time.time
    leeway_seconds: int = 60
    _keys: Any = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def issuer(self) -> str:
        """The issuer every accepted token names."""
        return issuer(self.region, self.user_pool_id)

    def _key_set(self, refresh: bool = False) -> Any:
        from joserfc.jwk import KeySet

        with self._lock:
            if self._keys is None or refresh:
                self._keys = KeySet.import_key_set(self.fetch(f"{self.issuer}/.well-known/jwks.json"))  # type: ignore[arg-type]
            return self._keys

    def verify_id_token(self, token: str) -> dict[str, Any]:
        """The claims of a valid ID token of this pool and client; anything else raises SignInFailed."""
        from joserfc import jwt
        from joserfc.errors import JoseError

        try:
            try:
                decoded = jwt.decode(token, self._key_set(), algorithms=["RS256"])
            except JoseError:
                decoded = jwt.decode(token, self._key_set(refresh=True), algorithms=["RS256"])  # keys rotated
            registry = jwt.JWTClaimsRegistry(
                now=int(self.now()),
                leeway=self.leeway_seconds,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                exp={"essential": True},
                token_use={"essential": True, "value": "id"},
            )
            registry.validate(decoded.claims)
        except (JoseError, ValueError) as exc:
            raise SignInFailed("the sign-in token was not accepted") from exc
        return dict(decoded.claims)
