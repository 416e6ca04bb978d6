"""The one policy: may this person do this to this object? Pages, API and use cases all ask here.

Each rule is a pure function of a principal and what they act on; `require(...)` turns a refusal into
`PermissionDenied` with a message for people. The pages ask the `may_*` functions to decide what to
show, and the use cases call the `require_*` ones, so a rule is written once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from service.domain.directory import Role as _Role
from service.domain.errors import PermissionDenied as _Denied
from service.domain.goals import GoalLevel

if TYPE_CHECKING:
    from service.domain.directory import Employee
    from service.services.auth import Principal

# --- reviews, history and actions -----------------------------------------------------------------


# --- goals ---------------------------------------------------------------------------------------


def goal_edit_refusal(principal: Principal, level: GoalLevel, owner: Employee) -> str | None:
    """Why this person may not create or change a goal of this level owned by `owner` (None: they may)."""
    if principal.has(_Role.HR):
        return None
    if level is GoalLevel.ORGANISATION:
        return None if principal.has(_Role.LEADERSHIP) else "organisation goals are set by leadership or HR"
    if principal.employee_id == owner.employee_id:
        return "team goals belong to managers" if level is GoalLevel.TEAM and not owner.is_manager else None
    if level is GoalLevel.INDIVIDUAL and owner.manager_id == principal.employee_id:
        return None
    if level is GoalLevel.TEAM and principal.employee_id in owner.chain:
        return None
    return "only the owner, their manager or HR may change this goal"


def may_edit_goal(principal: Principal, level: GoalLevel, owner: Employee) -> bool:
    """Whether the page offers to edit a goal of this level owned by `owner`."""
    return goal_edit_refusal(principal, level, owner) is None


def require_edit_goal(principal: Principal, level: GoalLevel, owner: Employee) -> None:
    """Refuse creating or changing a goal this person may not touch."""
    refusal = goal_edit_refusal(principal, level, owner)
    if refusal is not None:
        raise _Denied(refusal)


def require_assign_goal(principal: Principal, to_department: bool, manager_id: str) -> None:
    """Refuse giving a goal to people: a department is for HR or leadership, a team for its manager or HR."""
    if to_department:
        if not (principal.has(_Role.HR) or principal.has(_Role.LEADERSHIP)):
            raise _Denied("HR or leadership give a goal to a whole department")
    elif principal.employee_id != manager_id and not principal.has(_Role.HR):
        raise _Denied("a manager gives their own team goal to their reports")


def alignment_report_scope(principal: Principal) -> str:
    """Which alignment report someone sees: "organisation" (leadership, HR) or "subtree" (managers)."""
    if principal.has(_Role.LEADERSHIP) or principal.has(_Role.HR):
        return "organisation"
    if principal.has(_Role.MANAGER):
        return "subtree"
    raise _Denied("the alignment report is for leadership, HR and managers")
