"""Review cycles: draft → active → closed, dated phases, participants, progress."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from service.domain.directory import Employee
from service.domain.errors import ValidationFailed
from service.domain.reviews import ORDER, ReviewState
from service.domain.workflow import STAYS, Workflow, steps


class CycleState(StrEnum):
    """Where a cycle stands."""

    DRAFT = "draft"
    ACTIVE = "active"
    CLOSED = "closed"


class CycleAction(StrEnum):
    """What HR can do to a cycle."""

    EDIT = "edit"
    LAUNCH = "launch"
    CLOSE = "close"
    REOPEN = "reopen"
    ARCHIVE = "archive"
    RESTORE = "restore"
    DELETE = "delete"


CYCLE_TRANSITIONS = steps(
    (CycleState.DRAFT, CycleAction.LAUNCH, CycleState.ACTIVE),
    (CycleState.ACTIVE, CycleAction.CLOSE, CycleState.CLOSED),
    (CycleState.CLOSED, CycleAction.REOPEN, CycleState.ACTIVE),
    # Only a draft is edited, put away or deleted: a launched cycle is part of the history.
    (CycleState.DRAFT, (CycleAction.EDIT, CycleAction.ARCHIVE, CycleAction.RESTORE, CycleAction.DELETE), STAYS),
)


def _cycle_refusal(state: CycleState, action: CycleAction) -> str:
    if action in (CycleAction.ARCHIVE, CycleAction.DELETE):
        return f"cannot {action} a cycle that is {state}: a launched cycle stays in the history (close it instead)"
    return f"cannot {action} a cycle that is {state}"


CYCLE_WORKFLOW = Workflow(CYCLE_TRANSITIONS, _cycle_refusal)
next_cycle_state = CYCLE_WORKFLOW.next  # the state an action leads to, or Conflict


class Phase(StrEnum):
    """The dated phases of an active cycle, in order."""

    GOAL_SETTING = "goal_setting"
    SELF_ASSESSMENT = "self_assessment"
    FEEDBACK = "feedback"
    MANAGER_ASSESSMENT = "manager_assessment"
    CALIBRATION = "calibration"  # issue 23: only when the template calibrates (OPTIONAL_PHASES)
    DISCUSSION = "discussion"


# Phases a cycle has only when its template asks for them: the calibration, when the template calibrates.
OPTIONAL_PHASES = frozenset({Phase.CALIBRATION})


# Which review states are still waiting on a phase's task, and who owes it.
PHASE_TASKS: dict[Phase, tuple[tuple[ReviewState, ...], str]] = {
    Phase.SELF_ASSESSMENT: ((ReviewState.NOT_STARTED,), "employee"),
    Phase.MANAGER_ASSESSMENT: ((ReviewState.NOT_STARTED, ReviewState.SELF_SUBMITTED), "manager"),
    Phase.CALIBRATION: ((ReviewState.IN_CALIBRATION,), "hr"),  # its sessions close by then (facilitators reminded)
    # the discussion (manager) and the acknowledgement (employee) are both due by this deadline
    Phase.DISCUSSION: (
        (
            ReviewState.NOT_STARTED,
            ReviewState.SELF_SUBMITTED,
            ReviewState.IN_CALIBRATION,
            ReviewState.MANAGER_SUBMITTED,
            ReviewState.DISCUSSED,
        ),
        "manager",
    ),
}
TASK_NAMES = {
    ReviewState.NOT_STARTED: ("self_assessment", "employee"),
    ReviewState.SELF_SUBMITTED: ("manager_assessment", "manager"),
    ReviewState.MANAGER_SUBMITTED: ("discussion", "manager"),
    ReviewState.DISCUSSED: ("acknowledgement", "employee"),
    ReviewState.ACKNOWLEDGED: ("finalisation", "hr"),
}
TASK_PHASE = {
    "self_assessment": Phase.SELF_ASSESSMENT,
    "manager_assessment": Phase.MANAGER_ASSESSMENT,
    "discussion": Phase.DISCUSSION,
    "acknowledgement": Phase.DISCUSSION,
}


class ParticipantMode(StrEnum):
    """How a cycle chooses its participants."""

    EVERYONE = "everyone"
    DEPARTMENTS = "departments"
    LIST = "list"


@dataclass
class Cycle:
    """A review cycle."""

    cycle_id: str
    name: str
    period_start: date
    period_end: date
    template_id: str
    phases: dict[Phase, date]
    participant_mode: ParticipantMode = ParticipantMode.EVERYONE
    departments: list[str] = field(default_factory=list)
    employee_ids: list[str] = field(default_factory=list)
    carry_over_goals: bool = False
    skip_level_read: bool = True  # managers above the direct manager read (never write) the reviews below them
    rehearsal: bool = False  # issue 21: every email of the cycle goes to HR only (set while a draft)
    archived: bool = False  # a draft put away (issue 28): out of the lists, not edited or launched until restored
    state: CycleState = CycleState.DRAFT
    template_snapshot: dict[str, Any] | None = None
    # The ids launched: only cycles stored before issue 24 keep them here; a launch now keeps them in chunk items
    # beside the cycle (`uow.cycles.participants`), as one item cannot hold 50,000 of them (400 KB).
    participants: list[str] = field(default_factory=list)
    participant_count: int = 0
    launched_at: str | None = None
    # The departments of the participants at launch (their reviews'), for HR's export choices; None before issue 24.
    participant_departments: list[str] | None = None
    closed_at: str | None = None
    created_at: str = ""
    created_by: str = ""
    version: int = 0
    audit_head: str = ""

    @property
    def headcount(self) -> int:
        """How many people the launch snapshotted (a cycle stored before issue 24 counts its list)."""
        return self.participant_count or len(self.participants)

    @property
    def calibrates(self) -> bool:
        """The template it launched with has a calibration phase (issue 23)."""
        return bool((self.template_snapshot or {}).get("calibration"))

    def states(self) -> list[ReviewState]:
        """The review states this cycle's reviews pass through (in calibration only when it calibrates)."""
        return [s for s in ORDER if s is not ReviewState.IN_CALIBRATION or self.calibrates]

    def deadline(self, phase: Phase) -> date:
        """The deadline of a phase."""
        return self.phases[phase]

    def task_for(self, state: ReviewState) -> tuple[str, str, date | None] | None:
        """(task name, who owes it, its deadline) for a review in `state`, or None when nothing is due."""
        if state not in TASK_NAMES:
            return None
        task, owner = TASK_NAMES[state]
        phase = TASK_PHASE.get(task)
        return task, owner, (self.phases.get(phase) if phase else None)


def check_cycle(c: Cycle) -> None:
    """Refuse a cycle whose dates or participants make no sense."""
    errors: dict[str, list[str]] = {}
    if not c.name.strip():
        errors.setdefault("name", []).append("required")
    if c.period_end < c.period_start:
        errors.setdefault("period_end", []).append("the period ends before it starts")
    missing = [p for p in Phase if p not in c.phases and p not in OPTIONAL_PHASES]
    if missing:
        errors.setdefault("phases", []).append(f"give a deadline for {', '.join(missing)}")
    else:
        dates = [c.phases[p] for p in Phase if p in c.phases]
        if dates != sorted(dates):
            errors.setdefault("phases", []).append("phase deadlines must follow the order of the phases")
    if c.participant_mode is ParticipantMode.DEPARTMENTS and not c.departments:
        errors.setdefault("departments", []).append("choose at least one department")
    if c.participant_mode is ParticipantMode.LIST and not c.employee_ids:
        errors.setdefault("employee_ids", []).append("choose at least one person")
    if errors:
        raise ValidationFailed("The cycle is not valid.", errors)


def with_calibration_deadline(c: Cycle, calibrates: bool) -> Cycle:
    """The cycle with a calibration deadline exactly when its template calibrates (issue 23): one HR gave is kept,
    a missing one falls halfway between the manager assessments' and the discussions' deadlines (HR can move it);
    a cycle whose template does not calibrate has none."""
    phases = {p: d for p, d in c.phases.items() if p is not Phase.CALIBRATION}
    if calibrates:
        given = c.phases.get(Phase.CALIBRATION)
        after, before = c.phases.get(Phase.MANAGER_ASSESSMENT), c.phases.get(Phase.DISCUSSION)
        if given is None and after is not None and before is not None:
            given = after + (before - after) / 2
        if given is not None:
            phases[Phase.CALIBRATION] = given
    ordered = {p: phases[p] for p in Phase if p in phases}
    return replace(c, phases=ordered)


def select_participants(c: Cycle, people: list[Employee]) -> list[Employee]:
    """Active people the cycle covers, by id; an unknown or inactive listed person is an error."""
    active = {p.employee_id: p for p in people if p.active}
    if c.participant_mode is ParticipantMode.EVERYONE:
        chosen = list(active.values())
    elif c.participant_mode is ParticipantMode.DEPARTMENTS:
        wanted = {d.casefold() for d in c.departments}
        chosen = [p for p in active.values() if p.department.casefold() in wanted]
        known = {p.department.casefold() for p in active.values()}
        unknown = sorted(d for d in c.departments if d.casefold() not in known)
        if unknown:
            raise ValidationFailed("Unknown departments.", {"departments": [f"no department {d!r}" for d in unknown]})
    else:
        unknown = [i for i in c.employee_ids if i not in active]
        if unknown:
            raise ValidationFailed(
                "Some people cannot take part.", {"employee_ids": [f"{i!r} is not an active employee" for i in unknown]}
            )
        chosen = [active[i] for i in dict.fromkeys(c.employee_ids)]
    if not chosen:
        raise ValidationFailed("The cycle has no participants.", {"participants": ["nobody matches"]})
    return sorted(chosen, key=lambda p: p.employee_id)


def overdue_phases(cycle: Cycle, today: date) -> list[Phase]:
    """The phases with tasks whose deadline has passed, in order (the counters' rule and HR's overdue list's)."""
    return [p for p in PHASE_TASKS if p in cycle.phases and today > cycle.phases[p]]


def progress(cycle: Cycle, counts: dict[str, int], by_department: dict[str, dict[str, int]], today: date) -> dict:
    """Reviews per state and department, and how many are overdue (from counters, no review reads)."""
    overdue: dict[str, int] = {}
    for phase in overdue_phases(cycle, today):
        overdue[phase.value] = sum(counts.get(s.value, 0) for s in PHASE_TASKS[phase][0])
    states = cycle.states()
    return {
        "total": sum(counts.get(s.value, 0) for s in states),
        "by_state": {s.value: counts.get(s.value, 0) for s in states},
        "by_department": {
            d: {s.value: row.get(s.value, 0) for s in states} for d, row in sorted(by_department.items())
        },
        "overdue": overdue,
    }
