"""Who is acting: the principal behind a request (what they may do is decided in `policy`)."""

from __future__ import annotations

from dataclasses import dataclass

from service.domain.directory import Employee, Role
from service.domain.errors import NotAuthenticated


@dataclass(frozen=True)
class Principal:
    """An authenticated person acting on the service."""

    employee_id: str
    name: str
    roles: frozenset[Role]

    def has(self, role: Role) -> bool:
        """True when the principal holds the role."""
        return role in self.roles

    @classmethod
    def of(cls, employee: Employee, extra_roles: frozenset[Role] = frozenset()) -> Principal:
        """The principal for an active employee (roles from the directory plus trusted extras)."""
        if not employee.active:
            raise NotAuthenticated(f"{employee.employee_id} is no longer active")
        return cls(employee.employee_id, employee.name, frozenset(employee.roles | extra_roles))
