"""Sign-in accounts follow the organisation file: created for new people, updated, and disabled only on request.

The app refuses a person the directory marks inactive on their very next request (`Principal.of`); with
`disable_missing` the sync also disables the Cognito accounts of people missing from the file and signs them
out there, so no new token is issued either. Without it, missing people are only reported: a partial file (a
batch, an export of one department) never locks anyone out.

The pool itself is the record of progress: an account that exists is not created again, so when an email
sending limit stops a run (Cognito's own sender allows 50 invitations a day; SES has its own quota) the same
command run again continues with the people still pending. An invitation Cognito could not deliver leaves an
account without one: those ids are returned as `undelivered`, the caller keeps them (the CLI in a progress file),
and the next run sends those invitations again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from service.adapters.user_pool import InvitationNotDelivered, SendingLimitReached, UserPool
from service.domain.directory import parse_csv
from service.domain.errors import ValidationFailed

# A "complete" file that would disable more than this share of the enabled accounts is almost surely partial.
MOST_DISABLED_SHARE = 0.5


class PartialFileRefused(ValidationFailed):
    """--disable-missing with a file that names too few of the people who have accounts."""

    code = "partial_file"


@dataclass
class SyncResult:
    """What a sync did (or, dry, would do): employee ids by change, and why it stopped early if it did."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    enabled: list[str] = field(default_factory=list)
    disabled: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # enabled accounts not in the file, left enabled
    pending: list[str] = field(default_factory=list)  # new people not invited yet (limit reached)
    reinvited: list[str] = field(default_factory=list)  # invitations of an earlier run sent again
    undelivered: list[str] = field(default_factory=list)  # accounts whose invitation did not reach them yet
    stopped: str | None = None

    def as_dict(self) -> dict[str, object]:
        """The result as the CLI prints it."""
        return dict(self.__dict__)


def sync_accounts(
    pool: UserPool,
    csv_text: str,
    dry_run: bool = False,
    disable_missing: bool = False,
    max_new: int | None = None,
    undelivered: set[str] | frozenset[str] = frozenset(),
) -> SyncResult:
    """Make the pool's accounts follow the file (validated as a whole first).

    At most `max_new` invitations are sent (new accounts, and again to the `undelivered` of an earlier run whose
    account still waits for its first sign-in); a sending limit stops the invitations there. People not invited
    are `pending` and a later run with the same file invites them. Accounts missing from the file are
    disabled only with `disable_missing`, and never when the file names fewer than half of the enabled ones.
    """
    people = {p.employee_id: p for p in parse_csv(csv_text)}
    accounts = pool.accounts()
    result = SyncResult()
    missing = sorted(e for e, a in accounts.items() if e not in people and a.enabled)
    enabled_count = sum(1 for a in accounts.values() if a.enabled)
    if disable_missing and missing and len(missing) > MOST_DISABLED_SHARE * enabled_count:
        raise PartialFileRefused(
            f"the file would disable {len(missing)} of {enabled_count} enabled accounts: it looks partial, "
            "so nothing was changed. Give the complete organisation file with --disable-missing.",
            {"missing": len(missing), "enabled": enabled_count},
        )

    def may_invite() -> bool:
        if not result.stopped and max_new is not None and len(result.created) + len(result.reinvited) >= max_new:
            result.stopped = f"at most {max_new} invitations per run"
        return result.stopped is None

    def invite(employee_id: str, send, done: list[str], waiting: list[str]) -> None:
        if not may_invite():
            waiting.append(employee_id)
            return
        if not dry_run:
            try:
                send()
            except SendingLimitReached as exc:
                result.stopped = str(exc)
                waiting.append(employee_id)
                return
            except InvitationNotDelivered:
                result.undelivered.append(employee_id)
                return
        done.append(employee_id)

    for employee_id in sorted(undelivered):
        account = accounts.get(employee_id)
        if employee_id in people and account and account.enabled and account.status == "FORCE_CHANGE_PASSWORD":
            invite(employee_id, lambda e=employee_id: pool.resend(e), result.reinvited, result.undelivered)
    for employee_id, person in sorted(people.items()):
        account = accounts.get(employee_id)
        if account is None:
            create = lambda e=employee_id, p=person: pool.create(e, p.email, p.name)  # noqa: E731
            invite(employee_id, create, result.created, result.pending)
            continue
        changed = (account.email, account.name) != (person.email, person.name)
        if not account.enabled:
            result.enabled.append(employee_id)
            if not dry_run:
                pool.enable(employee_id)
        if changed:
            result.updated.append(employee_id)
            if not dry_run:
                pool.update(employee_id, person.email, person.name)
        if account.enabled and not changed:
            result.unchanged.append(employee_id)
    for employee_id in missing:
        if not disable_missing:
            result.missing.append(employee_id)
            continue
        result.disabled.append(employee_id)
        if not dry_run:
            pool.disable(employee_id)
    return result
