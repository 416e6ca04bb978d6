"""The organisation's improvement plan (issue 27, point 3): actions made from a finding of the diagnosis or a row
of a leadership report (training-need report, rating report), each with an owner, a due date and a status, audited;
the next cycle's diagnosis reviews them, and everyone in the organisation reads how the plan stands.

The finding an item is made from is never typed: the use case reads it from the diagnosis or the report of that
cycle by its key, as the reader saw it, and keeps its sentence with the item."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import NO_CYCLE, NotFound, ValidationFailed, expect_version
from service.domain.improvement_plan import (
    PLAN_WORKFLOW,
    PlanAction,
    PlanItem,
    PlanProgress,
    PlanSource,
    progress_of,
)
from service.domain.workflow import Progress
from service.services import diagnosis, policy
from service.services.auth import Principal
from service.services.calibration import rating_report
from service.services.training_reports import TopicRow, training_report

NOT_FOUND = "There is no such item in the improvement plan."


def _report_row(uow: UnitOfWork, principal: Principal, source: PlanSource, cycle_id: str, key: str) -> str:
    """The sentence of a report row, as the report shows it to this reader (a withheld row has none)."""
    if source is PlanSource.TRAINING_REPORT:
        report = training_report(uow, principal, cycle_id)
        for t in report.topics:
            if isinstance(t, TopicRow) and t.topic_id == key:
                addressed = f", {t.addressed} addressed" if t.addressed is not None else ""
                return f"Training-need report, {report.cycle_name}: {t.topic}, {t.needs} needs named{addressed}."
    else:
        ratings = rating_report(uow, principal, cycle_id)
        section, _, group = key.partition(":")
        rows = {"department": ratings.departments, "level": ratings.levels}.get(section, [])
        for r in rows:
            if r.group == group and r.mean is not None:
                return f"Rating report, {ratings.cycle_name}: {r.group}, average rating {r.mean:g} ({r.total} people)."
    raise NotFound("That row is not in the report (it may be withheld, or the figures changed): open it again.")


def finding_text(
    uow: UnitOfWork, principal: Principal, source: PlanSource, cycle_id: str, key: str, now: datetime
) -> str:
    """The sentence an item is made from, read from the cycle's diagnosis or report as this reader sees it."""
    policy.require(
        policy.may_manage_improvement_plan(principal), "Leadership and HR add to the organisation's improvement plan."
    )
    if source is PlanSource.DIAGNOSIS:
        return diagnosis.finding(uow, principal, cycle_id, key, now).text
    return _report_row(uow, principal, source, cycle_id, key)


def _check(uow: UnitOfWork, data: dict[str, Any], today: date) -> None:
    errors: dict[str, list[str]] = {}
    owner = uow.directory.get(data["owner_id"])
    if owner is None or not owner.active:
        errors["owner_id"] = ["choose someone in the organisation to own it"]
    if data["due"] < today:
        errors["due"] = ["choose a due date from today on"]
    if not data["title"].strip():
        errors["title"] = ["say what the organisation will do"]
    if errors:
        raise ValidationFailed("The item cannot be added yet.", errors)


def create_item(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> PlanItem:
    """Add an action to the plan from a finding of the diagnosis or a report row (leadership and HR), audited."""
    policy.require(
        policy.may_manage_improvement_plan(principal), "Leadership and HR add to the organisation's improvement plan."
    )
    now = clock.now()
    source = PlanSource(data["source"])
    cycle = uow.cycles.get(data["cycle_id"])
    if cycle is None:
        raise NotFound(NO_CYCLE)
    _check(uow, data, now.date())
    text = finding_text(uow, principal, source, cycle.cycle_id, data["finding_key"], now)
    at = iso(now)
    item = PlanItem(
        item_id=clock.new_id(),
        title=data["title"].strip(),
        source=source,
        finding_key=data["finding_key"],
        finding=text,
        cycle_id=cycle.cycle_id,
        cycle_name=cycle.name,
        owner_id=data["owner_id"],
        due=data["due"].isoformat(),
        status=Progress.PLANNED,
        created_at=at,
        created_by=principal.employee_id,
        updated_at=at,
    )
    with uow:
        saved = uow.plan.save(item, new=True, actor=principal.employee_id, action=PlanAction.CREATE.value, at=at)
        uow.commit()
    return saved


def get_item(uow: UnitOfWork, principal: Principal, item_id: str) -> PlanItem:
    """One item (everyone in the organisation reads the plan)."""
    item = uow.plan.get(item_id)
    if item is None:
        raise NotFound(NOT_FOUND)
    return item


def item_trail(uow: UnitOfWork, principal: Principal, item_id: str) -> list[dict[str, Any]]:
    """An item's audit trail, oldest first (who changed it, when, how): leadership, HR and its owner."""
    item = get_item(uow, principal, item_id)
    policy.require(policy.may_update_plan_item(principal, item.owner_id), "Leadership, HR and its owner read this.")
    return uow.plan.trail(item.item_id)


def update_item(
    uow: UnitOfWork,
    principal: Principal,
    item_id: str,
    action: PlanAction,
    note: str,
    expected_version: int,
    clock: Clock,
) -> PlanItem:
    """Move an item on by the plan's table (start, done, drop, reopen) with a progress note: leadership, HR or its
    owner; a stale version is refused."""
    item = get_item(uow, principal, item_id)
    policy.require(
        policy.may_update_plan_item(principal, item.owner_id), "Leadership, HR and the item's owner move it on."
    )
    expect_version(item, expected_version, "the item", entity="plan_item")
    if action is PlanAction.CREATE:
        raise ValidationFailed("Choose what to do with the item.", {"action": ["start, complete, drop or reopen"]})
    status = PLAN_WORKFLOW.next(item.status, action)
    at = iso(clock.now())
    changed = replace(item, status=status, note=note.strip() or item.note, updated_at=at)
    with uow:
        saved = uow.plan.save(changed, new=False, actor=principal.employee_id, action=action.value, at=at, reason=note)
        uow.commit()
    return saved


@dataclass(frozen=True)
class PlanView:
    """The whole plan as everyone reads it: its items (newest first), how it stands, the owners' names."""

    items: list[PlanItem]
    progress: PlanProgress
    names: dict[str, str]
    may_manage: bool


def plan(uow: UnitOfWork, principal: Principal, today: date) -> PlanView:
    """The organisation's improvement plan: everyone in the organisation sees what is being done (one Query)."""
    items = uow.plan.all()
    names = uow.directory.names(sorted({i.owner_id for i in items}))
    return PlanView(items, progress_of(items, today), names, policy.may_manage_improvement_plan(principal))
