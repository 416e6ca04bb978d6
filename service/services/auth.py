"""Who is acting: the principal behind a request (what they may do is decided in `policy`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from service.domain.directory import Employee, Role
from service.domain.errors import NotAuthenticated


@dataclass(frozen=True)
class Principal:
    """An authenticated person acting on the service."""

    employee_id: str
    name: str
    roles: frozenset[Role]
    time_zone: str | None = None  # their own zone, as their directory record holds it (None: the organisation's)

    def has(self, role: Role) -> bool:
        """True when the principal holds the role."""
        return role in self.roles

    @classmethod
    def of(cls, employee: Employee, extra_roles: frozenset[Role] = frozenset()) -> Principal:
        """The principal for an active employee (roles from the directory plus trusted extras)."""
        if not employee.active:
            raise NotAuthenticated(f"{employee.employee_id} is no longer active")
        return cls(employee.employee_id, employee.name, frozenset(employee.roles | extra_roles), employee.time_zone)


# The attribute a federated identity provider's mapping writes (template.yaml: UserPool's sso_employee_id).
FEDERATED_EMPLOYEE_ID = "custom:sso_employee_id"
FEDERATED_TYPES = {"SAML", "OIDC"}


def federated_provider(claims: Mapping[str, Any]) -> str | None:
    """The identity provider that signed this person in, from the `identities` claim only Cognito sets; else None."""
    identities = claims.get("identities")
    if isinstance(identities, str):  # the API Gateway authorizer hands claims on as strings
        try:
            identities = json.loads(identities)
        except ValueError:
            return None
    if not isinstance(identities, list):
        return None
    for identity in identities:
        if isinstance(identity, dict) and identity.get("providerType") in FEDERATED_TYPES:
            name = identity.get("providerName")
            return name if isinstance(name, str) and name else None
    return None


def employee_id_from_claims(claims: Mapping[str, Any], employee_id_claim: str) -> str | None:
    """The employee a verified ID token names: the pool account's immutable attribute, or for a person signed in
    through the organisation's identity provider, the employee id that provider's mapping wrote.

    The federated attribute is mutable (Cognito rewrites it at each sign-in), so it counts only when Cognito says
    the token comes from a federated provider: a pool account that wrote it itself is not linked by it.
    """
    native = claims.get(employee_id_claim)
    if isinstance(native, str) and native:
        return native
    if federated_provider(claims) is None:
        return None
    federated = claims.get(FEDERATED_EMPLOYEE_ID)
    return federated.strip() if isinstance(federated, str) and federated.strip() else None
