"""The unit of work: the repositories of one use case, and the single commit of its writes.

In the shape of cosmicpython's `chapter_06_uow`: a use case receives a unit of work, reads through its
repositories (`uow.reviews`, `uow.cycles`, ...), stages writes on them, and commits once::

    with uow:
        review = uow.reviews.get(cycle_id, employee_id)
        ...
        uow.reviews.save(changed, actor=..., action=..., at=...)
        uow.commit()

Leaving the block without a commit forgets the staged writes. The commit is the one place a write is
retried, and it is idempotent: every transaction carries a token that DynamoDB uses to answer a
repeated request without writing twice, and when an attempt that did commit is reported as failed
(a timeout after the write, or a retry refused by the write's own condition), the commit reads its
writes back and answers success. An applied write never gives an error and a lost one never success.

The same class runs over DynamoDB and over the in-memory table (the fake of the unit tests): the
table port underneath is what differs, and the contract tests keep both to one set of semantics.
"""

from __future__ import annotations

import importlib
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar

from service.adapters.store import Op, Put, Table, same_item
from service.domain.errors import Clash, Conflict, Unavailable

if TYPE_CHECKING:  # the repositories, each imported when a unit of work first uses it (`_Repository`)
    from service.adapters.action_store import ActionRepository
    from service.adapters.audit_store import AuditLog
    from service.adapters.calibration_store import CalibrationRepository
    from service.adapters.contribution_store import ContributionRepository
    from service.adapters.cycle_store import CycleRepository
    from service.adapters.decision_store import DecisionRepository
    from service.adapters.delegation_store import DelegationRepository
    from service.adapters.directory_store import DirectoryRepository, ImportLog
    from service.adapters.export_store import ExportRepository
    from service.adapters.feedback_store import FeedbackRepository, NoteRepository
    from service.adapters.goal_store import GoalRepository, RollupStore
    from service.adapters.learning_plan_store import LearningPlanRepository
    from service.adapters.learning_store import LearningRepository, LearningStats, PlannerRepository
    from service.adapters.one_to_one_store import OneToOneRepository
    from service.adapters.plan_store import PlanRepository
    from service.adapters.process_feedback_store import ProcessFeedbackRepository
    from service.adapters.reminder_store import ReminderLog
    from service.adapters.review_store import ReviewRepository
    from service.adapters.signin_attempts import SigninAttempts
    from service.adapters.template_store import TemplateRepository
    from service.adapters.training_store import TrainingRepository


_BUILDING = threading.RLock()  # one repository of a kind per unit of work, even when threads reach it at once


class _Repository:
    """A repository of the unit of work, built (its module imported) when a use case first reaches it: a cold start's
    first request pays only for the stores it reads. Threads that reach it at once (the home page's reads) share the
    one built, and with it what it keeps of the reads made (a second copy would read again)."""

    def __init__(self, path: str) -> None:
        self.module, _, self.cls = path.rpartition(".")

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, uow: Any, owner: type | None = None) -> Any:
        if uow is None:
            return self
        with _BUILDING:
            repository = uow.__dict__.get(self.name)  # another thread may have built it meanwhile
            if repository is None:
                repository = getattr(importlib.import_module(self.module), self.cls)(uow)
                uow.__dict__[self.name] = repository  # the unit of work's own from now on
        return repository


class UnitOfWork:
    """Repositories over one table, and the one transaction of a use case."""

    directory: DirectoryRepository = _Repository("service.adapters.directory_store.DirectoryRepository")
    templates: TemplateRepository = _Repository("service.adapters.template_store.TemplateRepository")
    cycles: CycleRepository = _Repository("service.adapters.cycle_store.CycleRepository")
    reviews: ReviewRepository = _Repository("service.adapters.review_store.ReviewRepository")
    actions: ActionRepository = _Repository("service.adapters.action_store.ActionRepository")
    audit: AuditLog = _Repository("service.adapters.audit_store.AuditLog")
    goals: GoalRepository = _Repository("service.adapters.goal_store.GoalRepository")
    rollups: RollupStore = _Repository("service.adapters.goal_store.RollupStore")
    reminders: ReminderLog = _Repository("service.adapters.reminder_store.ReminderLog")
    imports: ImportLog = _Repository("service.adapters.directory_store.ImportLog")
    training: TrainingRepository = _Repository("service.adapters.training_store.TrainingRepository")
    learning: LearningRepository = _Repository("service.adapters.learning_store.LearningRepository")
    planner: PlannerRepository = _Repository("service.adapters.learning_store.PlannerRepository")
    learning_stats: LearningStats = _Repository("service.adapters.learning_store.LearningStats")
    # issue 27: a learning plan people own
    learning_plan: LearningPlanRepository = _Repository("service.adapters.learning_plan_store.LearningPlanRepository")
    feedback: FeedbackRepository = _Repository("service.adapters.feedback_store.FeedbackRepository")
    notes: NoteRepository = _Repository("service.adapters.feedback_store.NoteRepository")
    exports: ExportRepository = _Repository("service.adapters.export_store.ExportRepository")  # issue 11
    # issue 23: calibration sessions and adjustments
    calibration: CalibrationRepository = _Repository("service.adapters.calibration_store.CalibrationRepository")
    signin_attempts: SigninAttempts = _Repository("service.adapters.signin_attempts.SigninAttempts")
    decisions: DecisionRepository = _Repository("service.adapters.decision_store.DecisionRepository")  # issue 27
    # issue 27: feedback on the process
    process_feedback: ProcessFeedbackRepository = _Repository(
        "service.adapters.process_feedback_store.ProcessFeedbackRepository"
    )
    plan: PlanRepository = _Repository("service.adapters.plan_store.PlanRepository")  # issue 27: improvement plan
    # issue 28: one-to-ones
    one_to_ones: OneToOneRepository = _Repository("service.adapters.one_to_one_store.OneToOneRepository")
    # issue 28: acting managers, contribution requests
    delegations: DelegationRepository = _Repository("service.adapters.delegation_store.DelegationRepository")
    contributions: ContributionRepository = _Repository("service.adapters.contribution_store.ContributionRepository")

    # Event type → the handlers that stage its consequences; installed by service/services/messagebus.py
    # (adapters never import services). An event without an entry is refused, never dropped.
    handlers: ClassVar[Mapping[type, Sequence[Callable[[Any, Any], None]]]] = {}

    def __init__(self, table: Table, identity_map: bool = False) -> None:
        self.table = table
        self.ops: list[Op] = []
        self.events: list[Any] = []  # domain events recorded, handled at commit
        self.committed = False
        # The idempotency token of the next commit. Audit records staged for it carry it too, so that a
        # read-back tells this request's write from an identical one made by another request.
        self.token = uuid.uuid4().hex
        self.transactions = 0
        # Items as read in this unit of work, by key: an audited update diffs against them.
        self.seen: dict[tuple[str, str], dict[str, Any]] = {}
        # Serve repeated reads from `seen` (a request's unit of work: each item read once). Off for a unit
        # of work that lives longer than one request, whose reads must see what others wrote meanwhile.
        self.identity_map = identity_map
        # Keys a batch read asked for and did not find (with the identity map): not read again in this request.
        self.absent: set[tuple[str, str]] = set()
        # Keys the next batch read also asks for (`read_along`): a later read of them is served from `seen`.
        self.along: list[dict[str, str]] = []
        # issue 28: the manager an acting manager writes for in this unit of work (its audit records say so), and the
        # day whose acting managers its checks count (None: the real clock's today; the web sets its clock's)
        self.on_behalf_of: str | None = None
        self.today: date | None = None

    @classmethod
    def install(cls, handlers: Mapping[type, Sequence[Callable[[Any, Any], None]]]) -> None:
        """Set the table of event handlers every unit of work dispatches to."""
        cls.handlers = handlers

    def __enter__(self) -> UnitOfWork:
        self.ops = []
        self.events = []
        self.committed = False
        return self

    def __exit__(self, *exc: object) -> None:
        self.rollback()

    def add(self, op: Op) -> None:
        """Stage one write (repositories call this; use cases call the repositories)."""
        self.ops.append(op)

    def record(self, event: Any) -> None:
        """Record a domain event: its handlers stage their writes at commit, in this transaction."""
        self.events.append(event)

    def _dispatch(self) -> None:
        """Run the handlers of each recorded event (and of the events they record) until none are left."""
        while self.events:
            event = self.events.pop(0)
            if type(event) not in self.handlers:
                raise LookupError(f"no handlers installed for {type(event).__name__}")
            for handler in self.handlers[type(event)]:
                handler(self, event)

    def commit(self) -> None:
        """Handle the recorded events, then write every staged op in one transaction, exactly once (nothing to
        do: no request)."""
        self._dispatch()
        ops, self.ops = self.ops, []
        if ops:
            try:
                self._write_once(ops)
            except Exception:
                self.forget()  # items staged or read are not what the table holds: read again
                raise
            self.transactions += 1
            self.absent.clear()  # what was missing may have been written
        self.committed = True

    def _write_once(self, ops: list[Op]) -> None:
        # Stable across botocore's retries of this one request; the next commit gets a token of its own.
        token, self.token = self.token, uuid.uuid4().hex
        try:
            self.table.transact(ops, token=token)
        except Conflict as exc:
            # A retry of an attempt that had committed fails its own condition: find out.
            if exc.clash is Clash.STATE or not self._applied(ops):
                raise
        except Unavailable:
            # A timeout may come after the write: if it landed, the use case succeeded.
            if not self._applied(ops):
                raise

    def commit_in_chunks(self, size: int) -> int:
        """Commit staged ops in transactions of at most `size` ops, in order; returns how many.

        Only for work that is safe to complete by running it again (an import re-run of the same file).
        """
        ops, chunks = self.ops, 0
        for start in range(0, len(ops), size):
            self.ops = ops[start : start + size]
            self.commit()
            chunks += 1
        self.ops = []
        self.committed = True
        return chunks

    def rollback(self) -> None:
        """Forget staged writes (and what they made this unit of work believe is stored)."""
        if self.ops:
            self.forget()
        self.ops = []
        self.events = []

    def _applied(self, ops: list[Op]) -> bool:
        """Did this exact transaction commit? Its conditional Puts are stored as written, or not at all."""
        witnesses = [op for op in ops if isinstance(op, Put) and (op.must_not_exist or op.expect_version is not None)]
        if not witnesses:
            return False
        # Audit records are unique to one write (time, actor, hash chain): the best witness comes first.
        witnesses.sort(key=lambda op: op.item.get("type") != "audit")
        try:
            return all(same_item(self.table.get(_key(op), consistent=True), op.item) for op in witnesses[:2])
        except Unavailable:
            return False

    def another(self) -> UnitOfWork:
        """A new unit of work over the same table (for a write that commits on its own, like a reminder claim)."""
        return UnitOfWork(self.table)

    def cached(self, key: dict[str, str]) -> dict[str, Any] | None:
        """An item already read (or written) in this unit of work, or None: each item is read once."""
        return self.seen.get((key["pk"], key["sk"])) if self.identity_map else None

    def forget(self) -> None:
        """Drop what was read, so the next reads go to the table (after a refusal, say)."""
        self.seen.clear()
        self.absent.clear()
        self.along = []

    def known_absent(self, key: dict[str, str]) -> bool:
        """A batch read of this unit of work asked for this key and found nothing (each item is read once)."""
        return self.identity_map and (key["pk"], key["sk"]) in self.absent

    def read_along(self, key_list: list[dict[str, str]]) -> None:
        """Ask for these keys in the next batch read too (with the identity map; without it, nothing is kept)."""
        if self.identity_map:
            self.along.extend(key_list)

    def take_along(self) -> list[dict[str, str]]:
        """The keys to read along with the next batch read, not read yet (then none are left)."""
        wanted, self.along = self.along, []
        return [k for k in wanted if (k["pk"], k["sk"]) not in self.seen and (k["pk"], k["sk"]) not in self.absent]

    def remember(self, item: dict[str, Any] | None) -> dict[str, Any] | None:
        """Note an item as read (repositories call this); returns it."""
        if item is not None:
            self.seen[(item["pk"], item["sk"])] = item
        return item


def _key(op: Put) -> dict[str, str]:
    return {"pk": op.item["pk"], "sk": op.item["sk"]}
