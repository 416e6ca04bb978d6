"""The organisation's improvement plan (issue 27, point 3), pure Python: actions the organisation takes on a
finding of its diagnosis or a row of a report, each with an owner, a due date and a status, reviewed at the next
cycle's diagnosis. The status moves by a declared table (`PLAN_WORKFLOW`); every change is audited by the store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from service.domain.workflow import OPEN_PROGRESS, Labelled, Progress, Workflow, labels, refused_in_words, steps

MAX_TITLE = 200
MAX_NOTE = 1000
MAX_FINDING = 600


class PlanSource(Labelled):
    """Where an item of the plan comes from: a finding of the diagnosis, or a row of a leadership report."""

    DIAGNOSIS = "diagnosis", "Diagnosis"
    TRAINING_REPORT = "training_report", "Training-need report"
    CALIBRATION_REPORT = "calibration_report", "Rating report"


PLAN_SOURCE_LABELS = labels(PlanSource)


PLAN_STATUS_LABELS = labels(Progress)


class PlanAction(Labelled):
    """What its owner, leadership or HR do to an item (its audit records name it; the label says it in the trail)."""

    CREATE = "create", "Added to the plan"
    START = "start", "Started"
    COMPLETE = "complete", "Marked done"
    DROP = "drop", "Dropped"
    REOPEN = "reopen", "Reopened"


PLAN_ACTION_LABELS = labels(PlanAction)

# The words of the buttons that take each step (the trail says what was done: PLAN_ACTION_LABELS).
PLAN_STEP_LABELS = {
    PlanAction.START: "Start",
    PlanAction.COMPLETE: "Mark done",
    PlanAction.DROP: "Drop",
    PlanAction.REOPEN: "Reopen",
}

PLAN_WORKFLOW: Workflow[Progress, PlanAction] = Workflow(
    steps(
        (Progress.PLANNED, PlanAction.START, Progress.IN_PROGRESS),
        (OPEN_PROGRESS, PlanAction.COMPLETE, Progress.DONE),
        (OPEN_PROGRESS, PlanAction.DROP, Progress.DROPPED),
        ((Progress.DONE, Progress.DROPPED), PlanAction.REOPEN, Progress.IN_PROGRESS),
    ),
    refused_in_words("an item"),
)


def actions_from(status: Progress) -> list[PlanAction]:
    """The actions the table allows from a status, in the order of the actions (the page's buttons)."""
    return PLAN_WORKFLOW.actions_from(status, PlanAction)


@dataclass(frozen=True)
class PlanItem:
    """One action of the organisation's plan: what, who owns it, by when, where it came from, how it stands."""

    item_id: str
    title: str
    source: PlanSource
    finding_key: str
    finding: str  # the finding's sentence or the report row as it read when the item was made
    cycle_id: str
    cycle_name: str
    owner_id: str
    due: str  # ISO date
    status: Progress
    created_at: str
    created_by: str
    updated_at: str
    note: str = ""
    version: int = 0
    audit_head: str = ""

    def overdue(self, today: date) -> bool:
        """Still open after its due date."""
        return self.status in OPEN_PROGRESS and date.fromisoformat(self.due) < today


@dataclass(frozen=True)
class PlanProgress:
    """How the plan stands: items per status and how many open ones are past their due date."""

    counts: dict[str, int]
    overdue: int

    @property
    def total(self) -> int:
        """Every item of the plan."""
        return sum(self.counts.values())


def progress_of(items: list[PlanItem], today: date) -> PlanProgress:
    """The counts per status (every status named, zeros included) and the overdue ones."""
    counts = {s.value: sum(1 for i in items if i.status is s) for s in Progress}
    return PlanProgress(counts, sum(1 for i in items if i.overdue(today)))
