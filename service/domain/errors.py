"""Domain errors. Each carries a machine-readable code; the web edge maps them to HTTP once.

Errors that callers act on carry structured fields (`data_fields`, in the manner of zulip's
`zerver/lib/exceptions.py`): code tests a field, never the wording of a message, and no storage key
ever reaches a message.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Protocol, TypeVar


class DomainError(Exception):
    """Base of every error a use case may raise on purpose."""

    code = "error"
    data_fields: tuple[str, ...] = ()

    def __init__(self, message: str, errors: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors if errors is not None else {}

    def data(self) -> dict[str, Any]:
        """The structured fields of this error, for callers and the JSON body."""
        return {name: getattr(self, name) for name in self.data_fields}


class ValidationFailed(DomainError):
    """Input is well-formed but breaks a rule; `errors` maps fields (or rows) to messages."""

    code = "validation_failed"


class FieldErrors(dict[str, list[str]]):
    """The messages of each field, gathered while input is checked; `refuse` raises them together."""

    def add(self, name: str, message: str) -> None:
        """One more message for a field."""
        self.setdefault(name, []).append(message)

    def refuse(self, message: str) -> None:
        """Raise ValidationFailed with `message` and every field's messages, when there are any."""
        if self:
            raise ValidationFailed(message, dict(self))


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


class Clash(StrEnum):
    """Why a write was refused by its condition."""

    EXISTS = "exists"  # the item was to be created and already exists
    STALE = "stale"  # the item changed since it was read (or vanished)
    STATE = "state"  # the action does not fit the current state (a rule, not a race)


class Conflict(DomainError):
    """The action does not fit the current state (e.g. it already exists).

    `entity` names the kind of thing that clashed ("review", "goal_rollup", ...) and `clash` says how.
    """

    code = "conflict"
    data_fields = ("entity", "clash")

    def __init__(self, message: str, errors: Any = None, *, entity: str = "", clash: Clash = Clash.STATE) -> None:
        super().__init__(message, errors)
        self.entity = entity
        self.clash = clash


class StaleWrite(Conflict):
    """Someone else changed the item since it was read; the write was refused."""

    code = "stale_write"

    def __init__(self, message: str, errors: Any = None, *, entity: str = "") -> None:
        super().__init__(message, errors, entity=entity, clash=Clash.STALE)


class Versioned(Protocol):
    """Anything stored with a version a reader sends back."""

    @property
    def version(self) -> int: ...


def expect_version(
    found: Versioned, expected: int, what: str, *, by: str = "by someone else", entity: str = ""
) -> None:
    """Refuse a stale edit: `found` is no longer at the version the reader read (`what` names it in the sentence,
    `by` says who changed it)."""
    if found.version != expected:
        raise StaleWrite(f"{what} was changed {by} (now version {found.version}); reload it", entity=entity)


V = TypeVar("V", bound=Versioned)


def found_at(
    thing: V | None, missing: str, expected: int | None, what: str, *, by: str = "by someone else", entity: str = ""
) -> V:
    """The thing a change is about, as its reader read it: NotFound(`missing`) when there is none, StaleWrite when it
    changed since (`expect_version`; `expected` None: a read, any version will do)."""
    if thing is None:
        raise NotFound(missing)
    if expected is not None:
        expect_version(thing, expected, what, by=by, entity=entity)
    return thing


class TooLarge(DomainError):
    """The request is larger than the service accepts."""

    code = "too_large"


BUSY = "The service is busy; try again in a few seconds."


class Unavailable(DomainError):
    """Storage is throttled, failing or slow (throttled, 5xx, timed out): nothing was changed, try again."""

    code = "unavailable"
    data_fields = ("retry_after",)

    def __init__(
        self,
        message: str = "The service is busy; try again in a few seconds.",
        errors: Any = None,
        retry_after: int = 2,
    ) -> None:
        super().__init__(message, errors)
        self.retry_after = retry_after


class TooManyAttempts(DomainError):
    """Too many failed attempts from one place; try again after `retry_after` seconds."""

    code = "too_many_attempts"
    data_fields = ("retry_after",)

    def __init__(self, message: str, errors: Any = None, retry_after: int = 60) -> None:
        super().__init__(message, errors)
        self.retry_after = retry_after


# What a person reads when something asked for is missing, or not theirs to see (the two answer alike); the ids
# asked for are in the request's own address, never in the sentence (issue 25).
NO_CYCLE = "There is no such cycle."
NO_REVIEW = "There is no such review for you to see in this cycle."
NO_PERSON = "There is no such person for you to see."
NO_GOAL = "There is no such goal for you to see."
