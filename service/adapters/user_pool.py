"""The Cognito user pool's accounts, as the organisation sync sees them (admin API, operator credentials)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

EMPLOYEE_ID = "custom:employee_id"
# Cognito's answers when an invitation cannot be sent now: its own sender's daily limit, or SES's quota or rate.
SENDING_LIMITS = {"LimitExceededException", "TooManyRequestsException"}


class SendingLimitReached(Exception):
    """The pool may send no more invitation emails for now; nothing was created for this person."""


class InvitationNotDelivered(Exception):
    """Cognito could not deliver the invitation (e.g. SES refused the address); the account may exist without it."""


@dataclass(frozen=True)
class Account:
    """One person's sign-in account: its user name is the employee id."""

    employee_id: str
    email: str
    name: str
    enabled: bool
    status: str = "CONFIRMED"  # FORCE_CHANGE_PASSWORD until the first sign-in with the invitation's password


class UserPool:
    """Accounts of one pool through the cognito-idp admin API."""

    def __init__(self, client: Any, pool_id: str) -> None:
        self._client = client
        self._pool_id = pool_id

    def accounts(self) -> dict[str, Account]:
        """Every account, by employee id (users without one are not the sync's business)."""
        found: dict[str, Account] = {}
        for page in self._client.get_paginator("list_users").paginate(UserPoolId=self._pool_id):
            for user in page["Users"]:
                attrs = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                employee_id = attrs.get(EMPLOYEE_ID)
                if employee_id:
                    found[employee_id] = Account(
                        employee_id,
                        attrs.get("email", ""),
                        attrs.get("name", ""),
                        bool(user.get("Enabled", True)),
                        user.get("UserStatus", "CONFIRMED"),
                    )
        return found

    def create(self, employee_id: str, email: str, name: str) -> None:
        """A new account; Cognito emails the invitation with a temporary password (SendingLimitReached when it may
        send no more now, InvitationNotDelivered when the email could not be delivered)."""
        self._inviting(lambda: self._create(employee_id, email, name))

    def resend(self, employee_id: str) -> None:
        """Send the invitation of an account again (a new temporary password), with the errors of `create`."""
        self._inviting(
            lambda: self._client.admin_create_user(
                UserPoolId=self._pool_id, Username=employee_id, MessageAction="RESEND", DesiredDeliveryMediums=["EMAIL"]
            )
        )

    @staticmethod
    def _inviting(call: Callable[[], object]) -> None:
        from botocore.exceptions import ClientError

        try:
            call()
        except ClientError as exc:
            error = exc.response.get("Error", {})
            message = error.get("Message") or error.get("Code", "")
            if error.get("Code") in SENDING_LIMITS:
                raise SendingLimitReached(message) from exc
            if error.get("Code") == "CodeDeliveryFailureException":
                raise InvitationNotDelivered(message) from exc
            raise

    def _create(self, employee_id: str, email: str, name: str) -> None:
        self._client.admin_create_user(
            UserPoolId=self._pool_id,
            Username=employee_id,
            UserAttributes=[*_profile(email, name), {"Name": EMPLOYEE_ID, "Value": employee_id}],  # id: set once, here
            DesiredDeliveryMediums=["EMAIL"],
        )

    def update(self, employee_id: str, email: str, name: str) -> None:
        """New email or name from the HR system (the employee id never changes)."""
        self._client.admin_update_user_attributes(
            UserPoolId=self._pool_id,
            Username=employee_id,
            UserAttributes=_profile(email, name),
        )

    def enable(self, employee_id: str) -> None:
        """Let someone who came back sign in again."""
        self._client.admin_enable_user(UserPoolId=self._pool_id, Username=employee_id)

    def disable(self, employee_id: str) -> None:
        """Stop a leaver signing in, and end the sessions Cognito holds for them."""
        self._client.admin_disable_user(UserPoolId=self._pool_id, Username=employee_id)
        self._client.admin_user_global_sign_out(UserPoolId=self._pool_id, Username=employee_id)


def _profile(email: str, name: str) -> list[dict[str, str]]:
    """The attributes the HR system keeps current (the address counts as verified: HR vouches for it)."""
    return [
        {"Name": "email", "Value": email},
        {"Name": "email_verified", "Value": "true"},
        {"Name": "name", "Value": name},
    ]
