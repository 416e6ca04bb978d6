"""Failed sign-ins are rate-limited per source address: past the limit, sign-in waits for the window to end."""

from __future__ import annotations

from service.adapters.clock import Clock
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import TooManyAttempts

WINDOW_SECONDS = 15 * 60


def _window(clock: Clock) -> tuple[str, int]:
    """(window label, seconds left in it)."""
    epoch = int(clock.now().timestamp())
    start = epoch - epoch % WINDOW_SECONDS
    return str(start), start + WINDOW_SECONDS - epoch


def refuse_if_blocked(uow: UnitOfWork, source: str, clock: Clock, allowed: int) -> None:
    """Refuse a sign-in from `source` once `allowed` sign-ins from it failed in the current window."""
    window, left = _window(clock)
    if uow.signin_attempts.failures(source, window) >= allowed:
        raise TooManyAttempts("Too many failed sign-ins from here; wait a few minutes and try again.", retry_after=left)


def record_failure(uow: UnitOfWork, source: str, clock: Clock) -> None:
    """Count one failed sign-in from `source` (written at once, whatever the request does next)."""
    window, _ = _window(clock)
    with uow:
        uow.signin_attempts.add_failure(source, window, int(window) + 2 * WINDOW_SECONDS)
        uow.commit()
