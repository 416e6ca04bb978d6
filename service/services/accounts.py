"""Sign-in accounts follow the organisation file: created for new people, updated, disabled for leavers.

The app refuses a person the directory marks inactive on their very next request (`Principal.of`); the
sync also disables their Cognito account and signs them out there, so no new token is issued either.
"""

from __future__ import annotations

from service.adapters.user_pool import UserPool
from service.domain.directory import parse_csv


def sync_accounts(pool: UserPool, csv_text: str, dry_run: bool = False) -> dict[str, list[str]]:
    """Make the pool's accounts match the file (validated as a whole first); the ids changed, by change."""
    people = {p.employee_id: p for p in parse_csv(csv_text)}
    accounts = pool.accounts()
    plan: dict[str, list[str]] = {"created": [], "updated": [], "enabled": [], "disabled": [], "unchanged": []}
    for employee_id, person in sorted(people.items()):
        account = accounts.get(employee_id)
        if account is None:
            plan["created"].append(employee_id)
            if not dry_run:
                pool.create(employee_id, person.email, person.name)
            continue
        changed = (account.email, account.name) != (person.email, person.name)
        if not account.enabled:
            plan["enabled"].append(employee_id)
            if not dry_run:
                pool.enable(employee_id)
        if changed:
            plan["updated"].append(employee_id)
            if not dry_run:
                pool.update(employee_id, person.email, person.name)
        if account.enabled and not changed:
            plan["unchanged"].append(employee_id)
    for employee_id, account in sorted(accounts.items()):
        if employee_id not in people and account.enabled:
            plan["disabled"].append(employee_id)
            if not dry_run:
                pool.disable(employee_id)
    return plan
