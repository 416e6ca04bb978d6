"""Failed sign-ins counted per source address and time window (one counter item each, expiring by TTL)."""

from __future__ import annotations

from service.adapters import keys
from service.adapters.repository import Repository
from service.adapters.store import Increment


class SigninAttempts(Repository):
    """Counters of failed sign-ins; an increment needs no read, so a burst of failures is counted exactly."""

    def failures(self, source: str, window: str) -> int:
        """How many sign-ins from `source` failed in `window` (a consistent read: the count must be current)."""
        item = self._table.get(keys.signin_failures(source, window), consistent=True)
        return int(item["failures"]) if item else 0

    def add_failure(self, source: str, window: str, expires_at: int) -> None:
        """Stage one more failure; the item removes itself (TTL) once the window is long past."""
        key = keys.signin_failures(source, window)
        self._uow.add(Increment(key, {"failures": 1}, {"type": "signin_failures", "expires_at": expires_at}))
