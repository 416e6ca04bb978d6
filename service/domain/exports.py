"""Bulk export jobs: HR asks for the appraisal summaries of a cycle (or of one department in it) as a ZIP.

A job's life is a transition table like the reviews': `queued → running → assembling → done`, `failed` from
any unfinished state (a message reached the dead-letter queue), and `retry` puts a failed job back in the
queue. Running is the fan-out (issue 24): the job's reviews are cut into chunks of CHUNK_SIZE, one queue
message each; a chunk is retried alone, and when the last chunk is done the job assembles its ZIP from the
chunks' pieces. Starting or assembling again is allowed (a redelivered message; what is done stays done).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from service.domain.errors import ValidationFailed
from service.domain.filenames import slug
from service.domain.workflow import STAYS, Workflow, steps


class ExportState(StrEnum):
    """Where an export job stands."""

    QUEUED = "queued"
    RUNNING = "running"
    ASSEMBLING = "assembling"
    DONE = "done"
    FAILED = "failed"


class ExportAction(StrEnum):
    """What moves an export job."""

    START = "start"
    ASSEMBLE = "assemble"
    FINISH = "finish"
    FAIL = "fail"
    RETRY = "retry"


S, A = ExportState, ExportAction
EXPORT_TRANSITIONS = steps(
    (S.QUEUED, A.START, S.RUNNING),
    (S.RUNNING, A.START, STAYS),  # a redelivered plan: the chunks already made are kept
    (S.RUNNING, A.ASSEMBLE, S.ASSEMBLING),
    (S.ASSEMBLING, A.FINISH, S.DONE),
    ((S.QUEUED, S.RUNNING, S.ASSEMBLING), A.FAIL, S.FAILED),
    (S.FAILED, A.RETRY, S.QUEUED),
)


EXPORT_WORKFLOW = Workflow(
    EXPORT_TRANSITIONS, lambda state, action: f"an export that is {state.value} cannot {action.value}"
)
next_export_state = EXPORT_WORKFLOW.next  # the state an action leads to; Conflict when the table does not allow it


SCOPES = ("cycle", "department")
UNFINISHED = (ExportState.QUEUED, ExportState.RUNNING, ExportState.ASSEMBLING)
CHUNK_SIZE = 25  # summaries per chunk: one SQS message, one PdfFunction invocation of a few seconds


class ChunkState(StrEnum):
    """Where one chunk of an export stands: its PDFs made (and counted, once) or not yet."""

    PENDING = "pending"
    DONE = "done"


def chunk_count(total: int, size: int = CHUNK_SIZE) -> int:
    """How many chunks `total` summaries make."""
    return -(-total // size)


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
    failed: int = 0  # summaries that could not be made (the list above is filled when the ZIP is assembled)
    planned: bool = False  # the fan-out has cut the reviews into `chunks` chunks (and queued them)
    chunks: int = 0
    chunks_done: int = 0
    chunk_retries: int = 0  # failed attempts of chunks, each retried alone
    last_retry: dict[str, Any] | None = None  # {chunk, tries, error, at} of the latest failed chunk attempt
    chunk_made_at: str = ""  # when a chunk was last made (ISO)
    object_key: str | None = None
    size: int = 0
    error: str = ""
    attempts: int = 0
    updated_at: str = ""
    finished_at: str | None = None
    version: int = 0
    audit_head: str = ""

    @property
    def last_progress(self) -> str:
        """When the job last moved: a state change, a chunk made, a chunk attempt failed (ISO, comparable)."""
        return max(self.updated_at or "", self.chunk_made_at or "", (self.last_retry or {}).get("at") or "")

    @property
    def filename(self) -> str:
        """The ZIP's download name."""
        scope = f"-{slug(self.department)}" if self.department else ""
        return f"appraisal-summaries-{slug(self.cycle_name)}{scope}.zip"


def stalled(job: ExportJob, now: datetime, give_up_seconds: int) -> bool:
    """Issue 24: an unfinished job with no progress for longer than its queue delivers a message (visibility
    timeout × maxReceiveCount, plus a margin) failed without being able to say so (a timeout, a crash, memory): it
    reads as failed, and may be retried. Decided when read; nothing polls for it."""
    if job.state not in UNFINISHED or not job.last_progress:
        return False
    return (now - datetime.fromisoformat(job.last_progress)).total_seconds() > give_up_seconds


def check_request(cycle_id: Any, department: Any) -> None:
    """Structure is checked at the edge; here what it means: a cycle, and a department only as a name."""
    errors: dict[str, list[str]] = {}
    if not cycle_id:
        errors["cycle_id"] = ["choose a cycle"]
    if department is not None and not str(department).strip():
        errors["department"] = ["name a department, or leave it out for the whole cycle"]
    if errors:
        raise ValidationFailed("The export request is incomplete.", errors)
