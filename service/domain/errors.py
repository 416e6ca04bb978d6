"""Domain errors. Each carries a machine-readable code; the web edge maps them to HTTP once."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """Base of every error a use case may raise on purpose."""

    code = "error"

    def __init__(self, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors if errors is not None else {}


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a rule; `errors` maps fields (or rows) to messages."""

    code = "validation_failed"


class ImportRejected(ValidationFailed):
    """A CSV import broke rules; `errors` is a list of {row, field, message}."""

    code = "import_rejected"


class NotFound(DomainError):
    """The thing asked for does not exist (or may not be seen by this principal)."""

    code = "not_found"


class PermissionDenied(DomainError):
    """The principal may not do this."""

    code = "forbidden"


class NotAuthenticated(DomainError):
    """No principal: sign in first."""

    code = "not_authenticated"


class Conflict(DomainError):
    """The action does not fit the current state (e.g. it already exists)."""

    code = "conflict"


class StaleWrite(Conflict):
    """Someone else changed the item since it was read; the write was refused."""

    code = "stale_write"


class TooLarge(DomainError):
    """The request is larger than the service accepts."""

    code = "too_large"


class Unavailable(DomainError):
    """A dependency is overloaded or unreachable (throttled, 5xx, timed out): nothing was changed, try again."""

    code = "unavailable"

    def __init__(self, message: str, errors: Any = None, retry_after: int = 2) -> None:
        super().__init__(message, errors)
        self.retry_after = retry_after
