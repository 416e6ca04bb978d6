"""The one policy: may this person do this to this object? Pages, API and use cases all ask here.

Each rule is a pure function of a principal and what they act on; `require(...)` turns a refusal into
`PermissionDenied` with a message for people. The pages ask the `may_*` functions to decide what to
show, and the use cases call `require`, so a rule is written once.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from service.domain.actions import Action
from service.domain.directory import Employee, Role
from service.domain.errors import PermissionDenied
from service.domain.goals import GoalLevel
from service.domain.reviews import Review, ReviewState, at_least
from service.services.auth import Principal


def require(allowed: bool, message: str) -> None:
    """Refuse with `message` unless `allowed`."""
    if not allowed:
        raise PermissionDenied(message)


def require_role(principal: Principal, *roles: Role) -> None:
    """Refuse unless the principal holds one of the roles."""
    if not any(principal.has(r) for r in roles):
        names = " or ".join(r.value for r in roles)
        raise PermissionDenied(f"this needs the {names} role")


# --- who manages whom (issue 28: acting managers) -----------------------------------------------------


def manages(principal: Principal, manager_id: str | None, acting_for: Collection[str] = ()) -> bool:
    """The one "is this person's manager" rule: the principal is `manager_id` (someone's current manager), or
    acts for them today (`acting_for`: the managers whose active delegation names the principal)."""
    return manager_id is not None and (principal.employee_id == manager_id or manager_id in acting_for)


def on_behalf_of(principal: Principal, manager_id: str | None, acting_for: Collection[str] = ()) -> str | None:
    """The manager the principal acts for when they manage only as an acting manager (None: as themselves)."""
    acting = manager_id is not None and principal.employee_id != manager_id and manager_id in acting_for
    return manager_id if acting else None


def may_name_acting_manager(principal: Principal, manager: Employee) -> bool:
    """A manager names their own acting manager; HR names one for any manager (or themselves)."""
    return (principal.employee_id == manager.employee_id and manager.is_manager) or principal.has(Role.HR)


def may_read_delegations_of(principal: Principal, manager_id: str, acting_id: str) -> bool:
    """A delegation is seen by its manager, its acting manager and HR."""
    return principal.employee_id in (manager_id, acting_id) or principal.has(Role.HR)


# --- reviews, history and actions -----------------------------------------------------------------


@dataclass(frozen=True)
class ReviewRoles:
    """How a principal stands to one review: as its employee, their current manager, or HR."""

    is_employee: bool
    is_manager: bool
    is_hr: bool
    is_skip_level: bool = False
    on_behalf_of: str | None = None  # issue 28: manager only as this manager's acting manager


def review_roles(
    principal: Principal,
    employee_id: str,
    current_manager: str | None,
    chain: tuple[str, ...] = (),
    skip_level_read: bool = False,
    acting_for: Collection[str] = (),
) -> ReviewRoles:
    """The principal's roles for a review; nobody is HR or manager of their own review.

    A manager higher up the employee's management `chain` is a skip-level reader when the cycle allows it; an
    acting manager of the current manager is the manager (`on_behalf_of` names whom they act for).
    """
    own = principal.employee_id == employee_id
    is_manager = not own and manages(principal, current_manager, acting_for)
    return ReviewRoles(
        is_employee=own,
        is_manager=is_manager,
        is_hr=not own and principal.has(Role.HR),
        is_skip_level=skip_level_read and not own and not is_manager and principal.employee_id in chain,
        on_behalf_of=on_behalf_of(principal, current_manager, acting_for) if is_manager else None,
    )


# Who may do each part of a review. Leadership is nobody special here: only as someone's manager.
REVIEW_PARTS: dict[str, tuple[str, ...]] = {
    "read": ("employee", "manager", "hr", "skip_level"),
    "self": ("employee",),
    "manager": ("manager", "hr"),
    "discussion": ("manager", "hr"),
    "acknowledge": ("employee",),
    "finalise": ("hr",),
    "return": ("hr",),
    "calibrate": ("hr",),
}

REVIEW_REFUSALS: dict[str, str] = {
    "read": "only the employee, their managers and HR can see this review",
    "self": "only the employee writes their self assessment",
    "manager": "only the employee's current manager or HR writes the manager assessment",
    "discussion": "only the employee's manager or HR records the discussion",
    "acknowledge": "only the employee acknowledges their review",
    "finalise": "only HR finalises a review (and not their own)",
    "return": "only HR returns a review to an earlier state",
    "calibrate": "only HR facilitates a calibration (and not of their own review)",
}


def may_act_on_review(roles: ReviewRoles, part: str) -> bool:
    """Whether these roles may do `part` ("self", "manager", "discussion", ...) to the review."""
    held = {
        "employee": roles.is_employee,
        "manager": roles.is_manager,
        "hr": roles.is_hr,
        "skip_level": roles.is_skip_level,
    }
    return any(held[r] for r in REVIEW_PARTS[part])


def may_read_review(roles: ReviewRoles) -> bool:
    """The employee, their current manager and HR read a review."""
    return may_act_on_review(roles, "read")


@dataclass(frozen=True)
class VisibleParts:
    """Which parts of a review a reader sees now."""

    self_assessment: bool
    manager_assessment: bool
    discussion: bool


def visible_parts(roles: ReviewRoles, state: ReviewState) -> VisibleParts:
    """Which parts of a review these roles see now: drafts stay with their author; HR sees all."""
    return VisibleParts(
        self_assessment=roles.is_employee or roles.is_hr or at_least(state, ReviewState.SELF_SUBMITTED),
        manager_assessment=roles.is_manager or roles.is_hr or at_least(state, ReviewState.MANAGER_SUBMITTED),
        discussion=roles.is_manager or roles.is_hr or at_least(state, ReviewState.DISCUSSED),
    )


def may_list_cycle_reviews(principal: Principal) -> bool:
    """HR lists every review of a cycle."""
    return principal.has(Role.HR)


def may_read_history(principal: Principal, person: Employee, acting_for: Collection[str] = ()) -> bool:
    """The person, their current manager (or its acting manager) and HR see a person's history."""
    own = principal.employee_id == person.employee_id
    return own or manages(principal, person.manager_id, acting_for) or principal.has(Role.HR)


def may_see_manager_part_in_history(principal: Principal, review: Review, acting_for: Collection[str] = ()) -> bool:
    """Scores and ratings show once submitted (and calibrated); before that only to HR, and never HR's own drafts."""
    return (
        at_least(review.state, ReviewState.MANAGER_SUBMITTED)
        or (principal.has(Role.HR) and principal.employee_id != review.employee_id)
        # issue 23: while calibrating, the manager sees their own submission, the employee not yet
        or (at_least(review.state, ReviewState.IN_CALIBRATION) and manages(principal, review.manager_id, acting_for))
    )


def may_read_review_audit(principal: Principal, employee_id: str) -> bool:
    """HR reads a review's audit trail, but not of their own review."""
    return principal.has(Role.HR) and principal.employee_id != employee_id


def may_read_cycle_audit(principal: Principal) -> bool:
    """HR reads a cycle's audit trail (their own review left out)."""
    return principal.has(Role.HR)


def may_update_action(principal: Principal, action: Action) -> bool:
    """An action's owner or HR moves it along."""
    return principal.employee_id == action.owner_id or principal.has(Role.HR)


# --- goals ---------------------------------------------------------------------------------------


def goal_edit_refusal(
    principal: Principal, level: GoalLevel, owner: Employee, acting_for: Collection[str] = ()
) -> str | None:
    """Why this person may not create or change a goal of this level owned by `owner` (None: they may)."""
    if principal.has(Role.HR):
        return None
    if level is GoalLevel.ORGANISATION:
        return None if principal.has(Role.LEADERSHIP) else "organisation goals are set by leadership or HR"
    if principal.employee_id == owner.employee_id:
        return "team goals belong to managers" if level is GoalLevel.TEAM and not owner.is_manager else None
    if level is GoalLevel.INDIVIDUAL and manages(principal, owner.manager_id, acting_for):
        return None
    if level is GoalLevel.TEAM and principal.employee_id in owner.chain:
        return None
    return "only the owner, their manager or HR may change this goal"


def may_edit_goal(principal: Principal, level: GoalLevel, owner: Employee, acting_for: Collection[str] = ()) -> bool:
    """Whether the page offers to edit a goal of this level owned by `owner`."""
    return goal_edit_refusal(principal, level, owner, acting_for) is None


def require_edit_goal(
    principal: Principal, level: GoalLevel, owner: Employee, acting_for: Collection[str] = ()
) -> None:
    """Refuse creating or changing a goal this person may not touch."""
    refusal = goal_edit_refusal(principal, level, owner, acting_for)
    if refusal is not None:
        raise PermissionDenied(refusal)


def require_assign_goal(principal: Principal, to_department: bool, manager_id: str) -> None:
    """Refuse giving a goal to people: a department is for HR or leadership, a team for its manager or HR."""
    if to_department:
        if not (principal.has(Role.HR) or principal.has(Role.LEADERSHIP)):
            raise PermissionDenied("HR or leadership give a goal to a whole department")
    elif principal.employee_id != manager_id and not principal.has(Role.HR):
        raise PermissionDenied("a manager gives their own team goal to their reports")


def _report_scope(principal: Principal, report: str) -> str:
    """Which part of an organisation report someone reads: "organisation" (leadership, HR) or "subtree" (managers)."""
    if principal.has(Role.LEADERSHIP) or principal.has(Role.HR):
        return "organisation"
    if principal.has(Role.MANAGER):
        return "subtree"
    raise PermissionDenied(f"the {report} is for leadership, HR and managers")


def alignment_report_scope(principal: Principal) -> str:
    """Which alignment report someone sees: "organisation" (leadership, HR) or "subtree" (managers)."""
    return _report_scope(principal, "alignment report")


def may_see_reports(principal: Principal) -> bool:
    """Whether the Reports menu shows: leadership, HR and managers see the alignment report (their scope)."""
    return any(principal.has(r) for r in (Role.LEADERSHIP, Role.HR, Role.MANAGER))


# --- the directory -----------------------------------------------------------------------------------


def may_find_person(principal: Principal, person: Employee) -> bool:
    """Who a directory search shows: HR finds everyone (leavers too); others find the active people, as the
    directory API shows them any person."""
    return person.active or principal.has(Role.HR)


# --- training needs (issue 10) -------------------------------------------------------------------


def may_read_person_needs(principal: Principal, person: Employee) -> bool:
    """An individual's training needs: the person, anyone in their management chain, and HR."""
    own = principal.employee_id == person.employee_id
    return own or principal.employee_id in person.chain or principal.has(Role.HR)


def may_address_need(principal: Principal, person: Employee) -> bool:
    """Logging training or a learning activity against a need: the person, their management chain, HR."""
    return may_read_person_needs(principal, person)


def may_manage_topics(principal: Principal) -> bool:
    """The topic catalogue and the report's email schedule are HR's."""
    return principal.has(Role.HR)


def training_report_scope(principal: Principal) -> str:
    """Which training report someone reads: "organisation" (leadership, HR) or "subtree" (managers)."""
    return _report_scope(principal, "training-need report")


# --- continuous learning (issue 14) ----------------------------------------------------------------


def may_comment_on_evidence(roles: ReviewRoles) -> bool:
    """The employee's current manager comments on the learning evidence of their review."""
    return roles.is_manager


def may_read_shared_summaries(principal: Principal, owner: Employee) -> bool:
    """The current manager reads the interview summaries the employee chose to share (nobody else)."""
    return manages(principal, owner.manager_id)


def may_see_learning_report(principal: Principal) -> bool:
    """Leadership and HR see the anonymised learning aggregates."""
    return principal.has(Role.LEADERSHIP) or principal.has(Role.HR)


# --- feedback (issue 9) -----------------------------------------------------------------------------
# Who answered never reaches the reviewee or their manager: the rules below are the only doors to requests,
# and the answers themselves are read only as groups (service.domain.feedback.group_result).


def may_nominate_peers(principal: Principal, subject: Employee) -> bool:
    """The employee nominates their own peers; HR may adjust anyone's."""
    return principal.employee_id == subject.employee_id or principal.has(Role.HR)


def may_decide_nominations(principal: Principal, subject: Employee, acting_for: Collection[str] = ()) -> bool:
    """The employee's current manager (or its acting manager) approves, removes or adds reviewers; HR may adjust
    all (not their own)."""
    if principal.employee_id == subject.employee_id:
        return False
    return manages(principal, subject.manager_id, acting_for) or principal.has(Role.HR)


def may_see_who_answered(principal: Principal, subject: Employee, acting_for: Collection[str] = ()) -> bool:
    """HR sees who was asked and whether they answered (to chase), except about themselves or the reports they
    manage (or act for)."""
    return (
        principal.has(Role.HR)
        and principal.employee_id != subject.employee_id
        and not manages(principal, subject.manager_id, acting_for)
    )


def may_read_feedback_comments(roles: ReviewRoles) -> bool:
    """Peer and upward comments reach the reviewee, their manager and HR; a skip-level reader (leadership, the
    chief executive) gets the ratings summary and the counts only."""
    return roles.is_employee or roles.is_manager or roles.is_hr


def may_manage_feedback(principal: Principal) -> bool:
    """HR sets a cycle's feedback rules, asks for upward feedback and follows response rates."""
    return principal.has(Role.HR)


def may_read_notes(principal: Principal, person: Employee, acting_for: Collection[str] = ()) -> bool:
    """Continuous feedback is read by its recipient and their manager (or its acting manager)."""
    return principal.employee_id == person.employee_id or manages(principal, person.manager_id, acting_for)


# --- bulk exports of appraisal summaries (issue 11) ------------------------------------------------


def may_export_summaries(principal: Principal) -> bool:
    """HR exports the appraisal summaries of a cycle or a department, and sees and retries the exports."""
    return principal.has(Role.HR)


# --- goal visibility (issue 12) --------------------------------------------------------------------


def may_read_goal(principal: Principal, level: GoalLevel, owner: Employee | None, visibility: str = "chain") -> bool:
    """Organisation and team goals are for everyone; an individual goal for everyone only when the organisation
    says so ("everyone"), otherwise ("chain", the default) for its owner, the managers above them and HR."""
    if level is not GoalLevel.INDIVIDUAL or visibility == "everyone" or principal.has(Role.HR):
        return True
    if owner is None:
        return False
    return principal.employee_id == owner.employee_id or principal.employee_id in owner.chain


def may_read_action(
    principal: Principal, action: Action, subject_manager: str | None = None, acting_for: Collection[str] = ()
) -> bool:
    """An action is seen by its owner, the person whose review it came from, their manager (or its acting
    manager), and HR."""
    seen_by = (action.owner_id, action.subject_id)
    return principal.has(Role.HR) or principal.employee_id in seen_by or manages(principal, subject_manager, acting_for)


# --- personnel decisions (issue 27) -----------------------------------------------------------------


def may_record_decisions(principal: Principal) -> bool:
    """Weighing and recording personnel decisions (the form): HR and managers."""
    return principal.has(Role.HR) or principal.has(Role.MANAGER)


def may_decide_about(principal: Principal, person: Employee) -> bool:
    """Recording a decision about someone: HR, or a manager above them (never about oneself)."""
    if principal.employee_id == person.employee_id:
        return False
    return principal.has(Role.HR) or principal.employee_id in person.chain


def may_approve_decision(principal: Principal, recorded_by: str) -> bool:
    """Approving a flagged decision: a second person with the HR role, never the one who recorded it."""
    return principal.has(Role.HR) and principal.employee_id != recorded_by


def may_see_decision_counts(principal: Principal) -> bool:
    """Counts of decisions by kind and department: leadership and HR."""
    return principal.has(Role.LEADERSHIP) or principal.has(Role.HR)


# --- where problems sit, and the organisation's improvement plan (issue 27) ----------------------------------


def may_see_diagnosis(principal: Principal) -> bool:
    """The organisation's diagnosis: leadership and HR (aggregates only, small groups withheld)."""
    return principal.has(Role.LEADERSHIP) or principal.has(Role.HR)


def may_manage_improvement_plan(principal: Principal) -> bool:
    """Adding items to the organisation's improvement plan, and changing any of them: leadership and HR."""
    return may_see_diagnosis(principal)


def may_update_plan_item(principal: Principal, owner_id: str) -> bool:
    """Moving a plan item on (start, done, drop, reopen): leadership, HR, or the person who owns it."""
    return may_manage_improvement_plan(principal) or principal.employee_id == owner_id
