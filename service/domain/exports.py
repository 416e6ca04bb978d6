"""Bulk export jobs: HR asks for the appraisal summaries of a cycle (or of one department in it) as a ZIP.

A job's life is a transition table like the reviews': `queued → running → done`, `failed` from queued or
running (the worker gave up, or the message reached the dead-letter queue), and `retry` puts a failed job
back in the queue. Running again is allowed (a redelivered message starts the ZIP afresh).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from service.domain.errors import ValidationFailed
from service.domain.filenames import slug
from service.domain.workflow import Workflow


class ExportState(StrEnum):
    """Where an export job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class ExportAction(StrEnum):
    """What moves an export job."""

    START = "start"
    FINISH = "finish"
    FAIL = "fail"
    RETRY = "retry"


S, A = ExportState, ExportAction
EXPORT_TRANSITIONS: dict[tuple[ExportState, ExportAction], ExportState] = {
    (S.QUEUED, A.START): S.RUNNING,
    (S.RUNNING, A.START): S.RUNNING,  # a redelivered message: the ZIP is made again from the start
    (S.RUNNING, A.FINISH): S.DONE,
    (S.QUEUED, A.FAIL): S.FAILED,
    (S.RUNNING, A.FAIL): S.FAILED,
    (S.FAILED, A.RETRY): S.QUEUED,
}


EXPORT_WORKFLOW = Workflow(
    EXPORT_TRANSITIONS, lambda state, action: f"an export that is {state.value} cannot {action.value}"
)
next_export_state = EXPORT_WORKFLOW.next  # the state an action leads to; Conflict when the table does not allow it


SCOPES = ("cycle", "department")


@dataclass
class ExportJob:
    """One bulk export of appraisal summaries."""

    export_id: str
    cycle_id: str
    cycle_name: str
    department: str | None  # None: the whole cycle
    requested_by: str
    requested_at: str
    state: ExportState = ExportState.QUEUED
    total: int = 0
    done: int = 0
    failures: list[dict[str, Any]] = field(default_factory=list)  # [{employee_id, employee_name, reason}]
    object_key: str | None = None
    size: int = 0
    error: str = ""
    attempts: int = 0
    updated_at: str = ""
    finished_at: str | None = None
    version: int = 0
    audit_head: str = ""

    @property
    def filename(self) -> str:
        """The ZIP's download name."""
        scope = f"-{slug(self.department)}" if self.department else ""
        return f"appraisal-summaries-{slug(self.cycle_name)}{scope}.zip"


def check_request(cycle_id: Any, department: Any) -> None:
    """Structure is checked at the edge; here what it means: a cycle, and a department only as a name."""
    errors: dict[str, list[str]] = {}
    if not cycle_id:
        errors["cycle_id"] = ["choose a cycle"]
    if department is not None and not str(department).strip():
        errors["department"] = ["name a department, or leave it out for the whole cycle"]
    if errors:
        raise ValidationFailed("The export request is incomplete.", errors)
