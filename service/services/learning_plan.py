"""Use cases of the learning plan people own (issue 27, point 4): plan items with target dates linked to training
needs and to the interview planner, moved along a workflow; marking one done creates its learning-log activity in
the same transaction; the manager reads the items shared with them; the daily digest lists items coming due; and a
personal learning record holds only what its owner picks.

The plan is private like the planner: every use case reads the principal's own partition, so anyone else's item
is not found (HR included). The current manager (the rule of shared interview summaries,
`policy.may_read_shared_summaries`) reads the items shared with them, without their notes."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.changes import edits
from service.domain.errors import Conflict, NotFound, ValidationFailed, found_at
from service.domain.learning import Activity, ActivityType
from service.domain.learning_plan import (
    ACTIVITY_OF,
    PLAN_WORKFLOW,
    PlanAction,
    PlanItem,
    PlanKind,
    PlanStep,
    check_done_on,
    check_item,
    check_record_picks,
    overdue,
    remind_on,
)
from service.domain.reminders import DueItem, DueKind
from service.domain.workflow import Progress
from service.services import learning, policy
from service.services.auth import Principal

EDITABLE = ("kind", "title", "target_date", "notes", "need_id", "contact_id", "shared_with_manager")
EDITABLE_WHEN_DONE = {"notes", "shared_with_manager"}  # a done item's record is its log entry
NO_ITEM = "There is no such item in your learning plan."
# What the owner reads of an item as it is stored; the view adds the names, the lateness and what can be done.
AS_STORED = (
    "item_id",
    "kind",
    "title",
    "target_date",
    "status",
    "notes",
    "need_id",
    "contact_id",
    "shared_with_manager",
    "done_on",
    "version",
)


@dataclass(frozen=True)
class PlanItemView:
    """A plan item as its owner reads it: the need and contact named, whether it is late, what can be done."""

    item_id: str
    kind: PlanKind
    title: str
    target_date: str
    status: Progress
    notes: str
    need_id: str | None
    need_name: str | None
    contact_id: str | None
    contact_name: str | None
    shared_with_manager: bool
    activity_id: str | None
    done_on: str | None
    overdue: bool
    can: dict[str, bool]
    version: int


@dataclass(frozen=True)
class SharedItem:
    """A plan item its owner shared with their manager (no notes, no contact)."""

    kind: PlanKind
    title: str
    target_date: str
    status: Progress
    need_name: str | None
    done_on: str | None


@dataclass(frozen=True)
class SharedPlan:
    """The items one person shared with their manager."""

    employee_id: str
    name: str
    items: list[SharedItem]


@dataclass(frozen=True)
class RecordChoices:
    """What a learning record may hold: my log and my plan's items (dropped ones left out)."""

    activities: list[Activity]
    items: list[PlanItemView]


@dataclass(frozen=True)
class RecordEntry:
    """A log entry as the learning record shows it."""

    type: ActivityType
    title: str
    date: str
    hours: float
    provider: str
    learnt: str
    needs: list[str]
    comments: list[dict[str, str]]


@dataclass(frozen=True)
class RecordPlanned:
    """A plan item as the learning record shows it."""

    kind: PlanKind
    title: str
    target_date: str
    status: Progress
    done_on: str | None
    needs: list[str]


@dataclass(frozen=True)
class LearningRecord:
    """A personal learning record: only the entries and plan items its owner picked, with the needs addressed
    and the manager's comments only when asked for."""

    name: str
    title: str
    department: str
    made_on: str
    entries: list[RecordEntry]
    planned: list[RecordPlanned]
    hours: float
    with_needs: bool
    with_comments: bool


def _own(uow: UnitOfWork, principal: Principal, item_id: str, expected_version: int | None = None) -> PlanItem:
    """An item of my plan; at the version I read, when one is given."""
    # Anyone else's item is not found either: the plan is private.
    item = uow.learning_plan.get(principal.employee_id, item_id)
    return found_at(item, NO_ITEM, expected_version, "the plan item", by="elsewhere")


def _need_name(uow: UnitOfWork, need_id: str | None) -> str | None:
    need = uow.training.get(need_id) if need_id else None
    if need is None:
        return None
    cycle = uow.cycles.get(need.cycle_id)
    return f"{need.topic_label} ({cycle.name if cycle else need.cycle_id})"


def _view(uow: UnitOfWork, item: PlanItem, today: date) -> PlanItemView:
    contact = uow.planner.get(item.owner_id, item.contact_id) if item.contact_id else None
    return PlanItemView(
        **{name: getattr(item, name) for name in AS_STORED},
        need_name=_need_name(uow, item.need_id),
        contact_name=contact.name if contact else None,
        # A log entry removed since (the log is its owner's to change) is no longer linked.
        activity_id=item.activity_id
        if item.activity_id and uow.learning.get(item.owner_id, item.activity_id)
        else None,
        overdue=overdue(item, today),
        can={a.value: PLAN_WORKFLOW.allows(item.status, a) for a in PlanAction},
    )


def _check_links(uow: UnitOfWork, principal: Principal, need_id: str | None, contact_id: str | None) -> None:
    """A linked need must be one of my own; a linked contact one of my planner's (else a field message, the same
    for a missing one and someone else's)."""
    errors: dict[str, list[str]] = {}
    need = uow.training.get(need_id) if need_id else None
    if need_id and (need is None or need.employee_id != principal.employee_id):
        errors["need_id"] = ["no such training need of yours"]
    if contact_id and uow.planner.get(principal.employee_id, contact_id) is None:
        errors["contact_id"] = ["no such contact in your interview planner"]
    if errors:
        raise ValidationFailed("The plan item is not valid.", errors)


def my_plan(uow: UnitOfWork, principal: Principal, today: date) -> list[PlanItemView]:
    """My learning plan, by target date (the log entries done items became read in one batch)."""
    items = uow.learning_plan.of_owner(principal.employee_id)
    uow.learning.get_many(principal.employee_id, [i.activity_id for i in items if i.activity_id])
    return [_view(uow, i, today) for i in items]


def items_with(uow: UnitOfWork, principal: Principal, contact_id: str, today: date) -> list[PlanItemView]:
    """The items of my plan about one contact of my interview planner (for the contact's page)."""
    return [v for v in my_plan(uow, principal, today) if v.contact_id == contact_id]


def get_item(uow: UnitOfWork, principal: Principal, item_id: str, today: date) -> PlanItemView:
    """One item of my plan."""
    return _view(uow, _own(uow, principal, item_id), today)


def add_item(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> PlanItemView:
    """Plan a piece of learning (audited; the daily digest reminds me as its date comes)."""
    now = clock.now()
    check_item(data, now.date(), new=True)
    at = iso(now)
    with uow:
        need_id, contact_id = data.get("need_id") or None, data.get("contact_id") or None
        _check_links(uow, principal, need_id, contact_id)
        item = PlanItem(
            item_id=f"lp-{clock.new_id()}",
            owner_id=principal.employee_id,
            kind=PlanKind(data["kind"]),
            title=str(data["title"]).strip(),
            target_date=str(data["target_date"]),
            notes=data.get("notes") or "",
            need_id=need_id,
            contact_id=contact_id,
            shared_with_manager=bool(data.get("shared_with_manager")),
            created_at=at,
        )
        stored = uow.learning_plan.save(item, new=True, actor=principal.employee_id, action="plan_learning", at=at)
        uow.commit()
    return _view(uow, stored, now.date())


def update_item(
    uow: UnitOfWork, principal: Principal, item_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> PlanItemView:
    """Change an item of my plan (If-Match); a done item keeps its record (only notes and sharing change)."""
    now = clock.now()
    at = iso(now)
    with uow:
        before = _own(uow, principal, item_id, expected_version)
        changes = edits(
            data,
            EDITABLE,
            kind=PlanKind,
            target_date=str,
            need_id=lambda n: n or None,
            contact_id=lambda c: c or None,
            shared_with_manager=bool,
        )
        if before.status is Progress.DONE and set(changes) - EDITABLE_WHEN_DONE:
            raise Conflict("a done item is in your learning log: change the log entry instead")
        after = replace(before, **changes)
        check_item(
            {"title": after.title, "target_date": after.target_date, "need_id": after.need_id}, now.date(), new=False
        )
        _check_links(
            uow,
            principal,
            after.need_id if after.need_id != before.need_id else None,
            after.contact_id if after.contact_id != before.contact_id else None,
        )
        stored = uow.learning_plan.save(after, new=False, actor=principal.employee_id, action="change_plan_item", at=at)
        uow.commit()
    return _view(uow, stored, now.date())


def act(
    uow: UnitOfWork, principal: Principal, item_id: str, action: str, expected_version: int, clock: Clock
) -> PlanItemView:
    """Start, drop or resume an item of my plan (done has its own use case: it writes the log)."""
    if action == PlanAction.COMPLETE:
        raise ValidationFailed("Mark it done with what you learnt.", {"action": ["use the completion form"]})
    try:
        what = PlanAction(PlanStep(action))
    except ValueError:
        raise ValidationFailed("Unknown action.", {"action": [f"{action!r} is not an action"]}) from None
    now = clock.now()
    at = iso(now)
    with uow:
        item = _own(uow, principal, item_id, expected_version)
        after = replace(item, status=PLAN_WORKFLOW.next(item.status, what))
        stored = uow.learning_plan.save(
            after, new=False, actor=principal.employee_id, action=f"{what.value}_plan_item", at=at
        )
        uow.commit()
    return _view(uow, stored, now.date())


def complete_item(
    uow: UnitOfWork, principal: Principal, item_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> PlanItemView:
    """Mark an item done: it moves into my learning log as an activity (addressing its training need), and the
    item records the entry it became, in one transaction. An item about an interview already completed in the
    planner links to that interview's entry instead of logging it twice."""
    now = clock.now()
    at = iso(now)
    done_on = str(data.get("done_on") or now.date().isoformat())
    check_done_on(done_on, now.date())
    with uow:
        item = _own(uow, principal, item_id, expected_version)
        PLAN_WORKFLOW.next(item.status, PlanAction.COMPLETE)
        contact = uow.planner.get(principal.employee_id, item.contact_id) if item.contact_id else None
        if contact is not None and contact.activity_id:
            activity_id = contact.activity_id
        else:
            activity = learning.stage_new_activity(
                uow,
                principal,
                {
                    "type": ACTIVITY_OF[item.kind].value,
                    "title": item.title,
                    "date": done_on,
                    "hours": data.get("hours") or 0,
                    "provider": data.get("provider") or (contact.name if contact else ""),
                    "learnt": data.get("learnt") or "",
                    "need_id": item.need_id,
                },
                clock,
            )
            learning._need_addressed(uow, principal, activity, at)
            uow.learning_stats.stage()
            activity_id = activity.activity_id
        after = replace(item, status=Progress.DONE, done_on=done_on, activity_id=activity_id)
        stored = uow.learning_plan.save(
            after, new=False, actor=principal.employee_id, action="complete_plan_item", at=at
        )
        uow.commit()
    return _view(uow, stored, now.date())


def shared_plan(uow: UnitOfWork, principal: Principal, employee_id: str) -> SharedPlan:
    """The items an employee shared with their current manager (anyone else: not found)."""
    person = uow.directory.get(employee_id)
    if person is None or not policy.may_read_shared_summaries(principal, person):
        raise NotFound("There is no shared learning plan for you to see here.")
    items = [
        SharedItem(i.kind, i.title, i.target_date, i.status, _need_name(uow, i.need_id), i.done_on)
        for i in uow.learning_plan.of_owner(employee_id)
        if i.shared_with_manager and i.status is not Progress.DROPPED
    ]
    return SharedPlan(employee_id, person.name, items)


def due_plan_items(uow: UnitOfWork, today: date) -> dict[str, list[DueItem]]:
    """Owner → their open plan items the daily digest lists today (one Query of every open item)."""
    found: dict[str, list[DueItem]] = {}
    for line in sorted(uow.learning_plan.open_lines(), key=lambda x: (x["target_date"], x["title"])):
        if remind_on(line["target_date"], today):
            due = DueItem(
                DueKind.PLAN_ITEM, line["item_id"], line["title"], date.fromisoformat(line["target_date"][:10])
            )
            found.setdefault(line["owner_id"], []).append(due)
    return found


# --- the personal learning record ---------------------------------------------------------------------------


def record_choices(uow: UnitOfWork, principal: Principal, today: date) -> RecordChoices:
    """What my learning record may hold: my log, newest first, and my plan's items that are not dropped."""
    items = [v for v in my_plan(uow, principal, today) if v.status is not Progress.DROPPED]
    return RecordChoices(learning.learning_log(uow, principal), items)


def learning_record(
    uow: UnitOfWork,
    principal: Principal,
    activity_ids: list[str],
    item_ids: list[str],
    with_needs: bool,
    with_comments: bool,
    today: date,
) -> LearningRecord:
    """My learning record with only what I picked (my own entries and items; anything else is refused with a
    field message), the needs addressed and my manager's comments only when I ask for them."""
    check_record_picks(activity_ids, item_ids)
    me = principal.employee_id
    activities = uow.learning.get_many(me, activity_ids)
    items = {i.item_id: i for i in uow.learning_plan.of_owner(me) if i.status is not Progress.DROPPED}
    errors: dict[str, list[str]] = {}
    for field_name, ids, found in (("activity_ids", activity_ids, activities), ("item_ids", item_ids, items)):
        if missing := [x for x in ids if x not in found]:
            errors[field_name] = [f"not yours to include: {len(missing)} of those picked"]
    if errors:
        raise ValidationFailed("The record can hold only your own entries.", errors)

    def needs(need_id: str | None) -> list[str]:
        name = _need_name(uow, need_id) if with_needs else None
        return [name] if name else []

    picked = sorted((activities[a] for a in dict.fromkeys(activity_ids)), key=lambda a: a.date, reverse=True)
    entries = [
        RecordEntry(
            a.type,
            a.title,
            a.date,
            a.hours,
            a.provider,
            a.learnt,
            needs(a.need_id),
            [{"name": c.get("name", ""), "at": c.get("at", ""), "text": c.get("text", "")} for c in a.comments]
            if with_comments
            else [],
        )
        for a in picked
    ]
    planned = [
        RecordPlanned(i.kind, i.title, i.target_date, i.status, i.done_on, needs(i.need_id))
        for i in sorted((items[x] for x in dict.fromkeys(item_ids)), key=lambda i: i.target_date)
    ]
    person = uow.directory.get(me)
    return LearningRecord(
        name=person.name if person else principal.name,
        title=person.title if person else "",
        department=person.department if person else "",
        made_on=today.isoformat(),
        entries=entries,
        planned=planned,
        hours=round(sum(a.hours for a in picked), 1),
        with_needs=with_needs,
        with_comments=with_comments,
    )
