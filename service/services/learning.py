"""Use cases of the learning log: log, change and remove activities, pick them as review evidence, the
manager's comments on that evidence, the employee's insights and leadership's anonymised aggregates."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.learning_store import ALL, cell
from service.adapters.unit_of_work import UnitOfWork
from service.domain.changes import edits
from service.domain.cycles import CycleState
from service.domain.directory import Employee
from service.domain.errors import NO_CYCLE, NotFound, ValidationFailed, expect_version
from service.domain.learning import Activity, ActivityType, check_activity, in_period, suppress
from service.domain.training import NeedStatus, TrainingNeed
from service.services import policy
from service.services.auth import Principal
from service.services.directory import MAX_FOUND, Found, folded, holds_all, query_words

EDITABLE = ("type", "title", "date", "hours", "provider", "notes", "learnt", "need_id")
MAX_COMMENT = 2000


@dataclass(frozen=True)
class NeedChoice:
    """A training need of mine to log an activity against, named with its topic and cycle."""

    need_id: str
    name: str
    label: str
    status: str


@dataclass(frozen=True)
class Learnt:
    """What one activity taught, for my insights."""

    activity_id: str
    title: str
    date: str
    type: ActivityType
    learnt: str


@dataclass(frozen=True)
class Insights:
    """What I have explored (from my interviews) and learnt, with my hours by kind of activity."""

    roles: list[str]
    organisations: list[str]
    industries: list[str]
    contacts: int
    interviews: int
    hours: float
    by_type: dict[str, dict[str, float]]
    learnt: list[Learnt]
    needs_addressed: list[str]


@dataclass(frozen=True)
class LearningReport:
    """A year's learning by department and kind (cells of groups under `min_group` people are None)."""

    year: str
    types: list[str]
    rows: dict[str, dict[str, Any]]
    totals: dict[str, Any]
    min_group: int


@dataclass(frozen=True)
class EvidenceItem:
    """A learning activity as the review's evidence shows it (with the manager's comments)."""

    activity_id: str
    type: str
    title: str
    date: str
    hours: float
    provider: str
    learnt: str
    need_id: str | None
    comments: list[dict[str, Any]]


@dataclass(frozen=True)
class EvidencePanel:
    """The learning evidence of a review for its page, and whether this reader comments on it."""

    items: list[EvidenceItem]
    can_comment: bool
    is_manager: bool


def _evidence_item(a: Activity) -> EvidenceItem:
    """An activity as the review's evidence shows it."""
    return EvidenceItem(
        a.activity_id, a.type.value, a.title, a.date, a.hours, a.provider, a.learnt, a.need_id, a.comments
    )


def _owned(uow: UnitOfWork, principal: Principal, activity_id: str) -> Activity:
    # Someone else's log answers as a missing object: it is private to its owner.
    activity = uow.learning.get(principal.employee_id, activity_id)
    if activity is None:
        raise NotFound("There is no such activity in your learning log.")
    return activity


def learning_log(uow: UnitOfWork, principal: Principal) -> list[Activity]:
    """My learning activities, newest first."""
    return uow.learning.of_owner(principal.employee_id)


def get_activity(uow: UnitOfWork, principal: Principal, activity_id: str) -> Activity:
    """One of my activities."""
    return _owned(uow, principal, activity_id)


def stage_new_activity(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> Activity:
    """Stage a new activity of the principal (and its counts) inside the caller's transaction."""
    check_activity(data, clock.now().date())
    at = iso(clock.now())
    person = uow.directory.get(principal.employee_id)
    activity = Activity(
        activity_id=f"act-{clock.new_id()}",
        owner_id=principal.employee_id,
        type=ActivityType(data["type"]),
        title=data["title"].strip(),
        date=str(data["date"]),
        hours=float(data.get("hours") or 0),
        department=person.department if person else "",
        provider=data.get("provider", "").strip(),
        notes=data.get("notes", ""),
        learnt=data.get("learnt", ""),
        need_id=data.get("need_id") or None,
        contact_id=data.get("contact_id"),
        created_at=at,
    )
    stored = uow.learning.save(activity, new=True, actor=principal.employee_id, action="log_activity", at=at)
    uow.learning_stats.count(stored, +1)
    return stored


def create_activity(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> Activity:
    """Log a learning activity; the counts behind the leadership report change in the same transaction."""
    with uow:
        stored = stage_new_activity(uow, principal, data, clock)
        _need_addressed(uow, principal, stored, stored.created_at)
        uow.learning_stats.stage()
        uow.commit()
    return stored


def update_activity(
    uow: UnitOfWork, principal: Principal, activity_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> Activity:
    """Change an activity (If-Match); its counts move with it in the same transaction."""
    at = iso(clock.now())
    with uow:
        before = _owned(uow, principal, activity_id)
        expect_version(before, expected_version, "the activity", by="elsewhere")
        changes = edits(data, EDITABLE, type=ActivityType, date=str, need_id=lambda n: n or None)
        after = replace(before, **changes)
        check_activity({**asdict(after), "date": after.date}, clock.now().date())
        stored = uow.learning.save(after, new=False, actor=principal.employee_id, action="change_activity", at=at)
        uow.learning_stats.count(before, -1)
        uow.learning_stats.count(stored, +1)
        if stored.need_id != before.need_id:
            _need_addressed(uow, principal, stored, at)
        uow.learning_stats.stage()
        uow.commit()
    return stored


def delete_activity(uow: UnitOfWork, principal: Principal, activity_id: str, expected_version: int) -> None:
    """Remove an activity from my log (and from the counts); review evidence picked earlier keeps its reference."""
    with uow:
        activity = _owned(uow, principal, activity_id)
        expect_version(activity, expected_version, "the activity", by="elsewhere")
        if activity.contact_id:
            raise ValidationFailed(
                "This activity is a completed interview.", {"": ["change it from the interview planner instead"]}
            )
        uow.learning.delete(activity)
        uow.learning_stats.count(activity, -1)
        uow.learning_stats.stage()
        uow.commit()


# --- the link to training needs (issue 10) --------------------------------------------------------


def _need_addressed(uow: UnitOfWork, principal: Principal, activity: Activity, at: str) -> None:
    """Stage, in the activity's own transaction, that it addresses its training need (issue 10's report then
    counts the need as addressed). An unknown need, or one the person may not log against, refuses the whole
    write with a field message (the same for both: a need one may not see is not told apart from a missing one)."""
    if not activity.need_id:
        return
    from service.services.training import stage_need_addressed

    try:
        stage_need_addressed(
            uow, principal, activity.need_id, f"learning: {activity.owner_id}/{activity.activity_id}", at
        )
    except NotFound as exc:  # a need one may not touch answers as a missing one (training.stage_need_addressed)
        raise ValidationFailed(
            "That training need is not one of yours.", {"need_id": ["no such training need of yours"]}
        ) from exc


def need_choices(uow: UnitOfWork, principal: Principal) -> list[NeedChoice]:
    """My typed training needs to pick from: open ones first, then the newest cycle first, labelled with the
    topic and the cycle (an addressed need may be addressed again: it changes no figure)."""
    return _labelled(uow, principal, uow.training.of_person(principal.employee_id), {})


def _labelled(
    uow: UnitOfWork, principal: Principal, needs: list[TrainingNeed], people: dict[str, Employee]
) -> list[NeedChoice]:
    """Needs as choices, open first, then the newest cycle, then by topic; someone else's named with the person."""
    cycles = {c: uow.cycles.get(c) for c in {n.cycle_id for n in needs}}

    def start(cycle_id: str) -> str:
        cycle = cycles.get(cycle_id)
        return str(cycle.period_start) if cycle else ""

    needs.sort(key=lambda n: n.topic_label.casefold())
    needs.sort(key=lambda n: start(n.cycle_id), reverse=True)
    needs.sort(key=lambda n: n.status is NeedStatus.ADDRESSED)
    choices = []
    for n in needs:
        cycle = cycles.get(n.cycle_id)
        whose = people.get(n.employee_id) if n.employee_id != principal.employee_id else None
        name = f"{n.topic_label}{f' for {whose.name}' if whose else ''} ({cycle.name if cycle else n.cycle_id})"
        label = f"{name} · addressed" if n.status is NeedStatus.ADDRESSED else name
        choices.append(NeedChoice(n.need_id, name, label, n.status.value))
    return choices


def need_choice(uow: UnitOfWork, principal: Principal, need_id: str) -> NeedChoice | None:
    """One need as a choice, when this reader may log learning against it (None otherwise, or when unknown)."""
    need = uow.training.get(need_id) if need_id else None
    person = uow.directory.get(need.employee_id) if need else None
    if need is None or person is None or not policy.may_address_need(principal, person):
        return None
    return _labelled(uow, principal, [need], {person.employee_id: person})[0]


MAX_NEED_PEOPLE = 25  # people whose needs one search reads (one Query each)


def search_needs(uow: UnitOfWork, principal: Principal, query: str) -> Found[NeedChoice]:
    """Training needs this reader may log learning against (policy.may_address_need: their own, their teams',
    HR everyone's) holding every word typed in the person's name, department or role, the topic or the cycle.
    The needs read are mine and those of the people the words name (at most MAX_NEED_PEOPLE): a topic alone
    searches my own needs; a name and a topic, that person's."""
    words = query_words(query)
    if not words:
        return Found(query.strip(), [], 0)
    people = {p.employee_id: p for p in uow.directory.all() if policy.may_address_need(principal, p)}

    def named(p: Employee) -> int:
        return sum(w in folded(f"{p.name} {p.department} {p.title}") for w in words)

    read = sorted(
        (p for p in people.values() if p.employee_id == principal.employee_id or named(p)),
        key=lambda p: (p.employee_id != principal.employee_id, -named(p), folded(p.name)),
    )[:MAX_NEED_PEOPLE]
    needs = [n for p in read for n in uow.training.of_person(p.employee_id)]
    cycle_names = {c: getattr(uow.cycles.get(c), "name", c) for c in {n.cycle_id for n in needs}}

    def held(n: TrainingNeed) -> bool:
        p = people[n.employee_id]
        return holds_all(words, (n.topic_label, cycle_names[n.cycle_id], p.name, p.department, p.title))

    hits = [n for n in needs if held(n)]
    found = _labelled(uow, principal, hits, people)
    return Found(query.strip(), found[:MAX_FOUND], max(0, len(found) - MAX_FOUND))


# --- review evidence ----------------------------------------------------------------------------------


def activities_for_cycle(uow: UnitOfWork, principal: Principal, cycle_id: str) -> list[Activity]:
    """My activities inside a cycle's period: what the self assessment offers to pick."""
    cycle = uow.cycles.get(cycle_id)
    if cycle is None:
        raise NotFound(NO_CYCLE)
    return [
        a
        for a in uow.learning.of_owner(principal.employee_id)
        if in_period(a.date, cycle.period_start, cycle.period_end)
    ]


def _field(review: Any, name: str) -> Any:
    return review.get(name) if isinstance(review, dict) else getattr(review, name)


def learning_evidence_for(uow: UnitOfWork, principal: Principal, review: Any) -> list[EvidenceItem]:
    """The learning activities picked into a review's self assessment, as its readers may see them (for the
    review page and the PDF summary); `review` is a Review or a review view. Empty when the self assessment
    is not visible to the principal."""
    from service.services.reviews import ReviewContext

    ctx = ReviewContext(uow, principal, _field(review, "cycle_id"), _field(review, "employee_id"))
    ctx.require_readable()
    if not policy.visible_parts(ctx.roles, ctx.review.state).self_assessment:
        return []
    refs = list((ctx.review.self_assessment or {}).get("learning_refs") or [])
    found = uow.learning.get_many(ctx.review.employee_id, refs)
    return [_evidence_item(found[r]) for r in refs if r in found]


def comment_on_evidence(
    uow: UnitOfWork,
    principal: Principal,
    cycle_id: str,
    employee_id: str,
    activity_id: str,
    text: str,
    clock: Clock,
) -> Activity:
    """The manager comments on an activity picked into the review they write (kept with the activity)."""
    from service.services.reviews import ReviewContext

    text = text.strip()
    if not text or len(text) > MAX_COMMENT:
        raise ValidationFailed("Write a comment.", {"text": [f"1 to {MAX_COMMENT} characters"]})
    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    ctx.require_readable()
    policy.require(policy.may_comment_on_evidence(ctx.roles), "only the employee's manager comments on the evidence")
    ctx.require_writable()
    shown = policy.visible_parts(ctx.roles, ctx.review.state).self_assessment
    if not shown or activity_id not in ((ctx.review.self_assessment or {}).get("learning_refs") or []):
        raise NotFound("That activity is not among the evidence of this review.")
    at = iso(clock.now())
    with uow:
        activity = uow.learning.get(employee_id, activity_id)
        if activity is None:
            raise NotFound("That activity is not among the evidence of this review.")
        comment = {"by": principal.employee_id, "name": principal.name, "at": at, "cycle_id": cycle_id, "text": text}
        after = replace(activity, comments=[*activity.comments, comment])
        stored = uow.learning.save(after, new=False, actor=principal.employee_id, action="comment_activity", at=at)
        uow.commit()
    return stored


# --- insights ------------------------------------------------------------------------------------------


def my_insights(uow: UnitOfWork, principal: Principal) -> Insights:
    """What I have explored (roles, organisations, industries from my interviews) and learnt, with my hours."""
    activities = uow.learning.of_owner(principal.employee_id)
    contacts = uow.planner.of_owner(principal.employee_id)
    talked = [c for c in contacts if c.status.value == "completed"]

    def distinct(values: list[str]) -> list[str]:
        return sorted({v.strip() for v in values if v.strip()}, key=str.casefold)

    by_type: dict[str, dict[str, float]] = {}
    for a in activities:
        entry = by_type.setdefault(a.type.value, {"activities": 0, "hours": 0.0})
        entry["activities"] += 1
        entry["hours"] += a.hours
    return Insights(
        roles=distinct([c.role for c in talked]),
        organisations=distinct([c.organisation for c in talked]),
        industries=distinct([c.industry for c in talked]),
        contacts=len(contacts),
        interviews=len(talked),
        hours=round(sum(a.hours for a in activities), 1),
        by_type=by_type,
        learnt=[Learnt(a.activity_id, a.title, a.date, a.type, a.learnt) for a in activities if a.learnt.strip()],
        needs_addressed=sorted({a.need_id for a in activities if a.need_id}),
    )


def leadership_report(uow: UnitOfWork, principal: Principal, year: str) -> LearningReport:
    """A year's learning by type and department, with hours and training needs addressed: anonymised,
    groups under 5 people suppressed (and their complement). One Query of the roll-up."""
    policy.require(policy.may_see_learning_report(principal), "the learning report is for leadership and HR")
    if not (len(year) == 4 and year.isascii() and year.isdigit()):
        raise ValidationFailed("Give a year.", {"year": ["a year such as 2026"]})
    items = uow.learning_stats.year(year)
    groups = [ALL, *(t.value for t in ActivityType)]
    rows: dict[str, dict[str, Any]] = {}
    totals: dict[str, Any] = {}
    for item in items:
        cells = {("*" if g == ALL else g): cell(item, g) for g in groups}
        cells = {g: c for g, c in cells.items() if c["people"] or c["activities"]}
        if item["sk"] == "TOTAL":
            totals = cells
        elif cells:
            rows[item.get("department", "")] = cells
    shown = suppress(rows, totals)
    return LearningReport(year, [t.value for t in ActivityType], **shown)


def evidence_panel(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> EvidencePanel:
    """The learning evidence of a review for its page: the picked activities, and whether this reader comments."""
    from service.services.reviews import ReviewContext

    ctx = ReviewContext(uow, principal, cycle_id, employee_id)
    items = learning_evidence_for(uow, principal, ctx.review)
    can = policy.may_comment_on_evidence(ctx.roles) and ctx.cycle.state is CycleState.ACTIVE
    return EvidencePanel(items, can, ctx.roles.is_manager)
