"""Training needs as items: captured with the assessment that names them, the HR topic catalogue,
an individual's needs, and needs addressed by training or a learning activity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import TYPE_CHECKING, Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle
from service.domain.errors import NotFound, ValidationFailed
from service.domain.reviews import Review, manager_assessed, normalise_topic
from service.domain.templates import Template
from service.domain.training import (
    Catalogue,
    NeedSource,
    NeedStatus,
    ReportSchedule,
    SuggestedNeed,
    SuggestionAnswer,
    Topic,
    TrainingNeed,
    check_topic,
    contribution,
    needs_from_content,
    slug,
    suggested_needs,
)
from service.services import policy
from service.services.auth import Principal
from service.services.delegation import acting_for

if TYPE_CHECKING:  # the handlers' events; the home page reads suggestions without importing them
    from service.domain.events import ManagerAssessmentSubmitted, SelfAssessmentSubmitted

MAX_REF = 300


def suggestions(template: Template | dict[str, Any] | None, content: dict[str, Any] | None) -> list[SuggestedNeed]:
    """The training needs a manager assessment's low ratings suggest under this template (or its snapshot)."""
    if template is None:
        return []
    if isinstance(template, dict):
        competencies = [(c["id"], c.get("name", c["id"])) for c in template.get("competencies", [])]
        points = len(template.get("scale", [])) or 5
    else:
        competencies, points = [(c.id, c.name) for c in template.competencies], template.scale.points
    return suggested_needs(competencies, points, content)


def _confirmed_suggestions(content: dict[str, Any], template: dict[str, Any] | None) -> list[dict[str, Any]]:
    """Low ratings the manager confirmed as needs (dismissed ones, and those already named, add nothing)."""
    named = {n.get("competency_id") for n in content.get("training_needs", [])}
    return [
        {
            "topic": s.name,
            "priority": "high" if s.rating == 1 else "medium",
            "format": "course",
            "rationale": f"Suggested by a low rating ({s.rating} of {s.points}) in {s.name}.",
            "competency_id": s.competency_id,
        }
        for s in suggestions(template, content)
        if s.answer == SuggestionAnswer.CONFIRMED and s.competency_id not in named
    ]


def suggestions_to_decide(uow: UnitOfWork, principal: Principal, cycle: Cycle, employee_id: str) -> list[SuggestedNeed]:
    """Suggested needs of a manager assessment still in draft that this principal writes and has not decided
    (none once it is submitted: then they can no longer be decided)."""
    review = uow.reviews.get(cycle.cycle_id, employee_id)
    if review is None or not cycle.template_snapshot or manager_assessed(review.state):
        return []
    acting = acting_for(uow, principal, review.manager_id)  # issue 28: an acting manager decides them too
    if not policy.may_act_on_review(
        policy.review_roles(principal, employee_id, review.manager_id, (), False, acting), "manager"
    ):
        return []
    return [s for s in suggestions(cycle.template_snapshot, review.manager_assessment) if s.undecided]


def stage_review_needs(
    uow: UnitOfWork, review: Review, source: str, content: dict[str, Any], template: dict[str, Any] | None = None
) -> None:
    """Inside a review's transaction: the submitted form's needs become items, and the person's
    contribution to the cycle's aggregates moves by the change (the manager's obstacles included)."""
    person = uow.directory.get(review.employee_id)
    chain = person.chain if person else ()
    kind = NeedSource(source)
    rows = list(content.get("training_needs", []))
    if kind is NeedSource.MANAGER:
        rows += _confirmed_suggestions(content, template)
    catalogue = uow.training.catalogue() if rows else Catalogue([])  # the catalogue names rows: none, no read
    named = needs_from_content(
        rows,
        cycle_id=review.cycle_id,
        employee_id=review.employee_id,
        department=review.department,
        chain=chain,
        source=kind,
        catalogue=catalogue,
    )
    now = uow.training.contribution(review.cycle_id, review.employee_id)
    before = now.stored_needs()
    kept = [replace(n, chain=chain, department=review.department) for n in before if n.source is not kind]
    after = kept + named
    obstacles: list[dict[str, Any]] = []
    if manager_assessed(review.state):
        obstacles = list((review.manager_assessment or {}).get("obstacles", []))
    # Keep what was addressed: the same row naming the same topic stays addressed.
    old = {n.need_id: n for n in before}
    for n in after:
        prev = old.get(n.need_id)
        if prev is not None and prev.topic_id == n.topic_id and prev.status is NeedStatus.ADDRESSED:
            n.status, n.addressed_by, n.addressed_at = prev.status, prev.addressed_by, prev.addressed_at
    uow.training.replace_person(
        review.cycle_id, review.employee_id, after, contribution(review.department, chain, after, obstacles), now
    )


def needs_from_self_assessment(uow: UnitOfWork, event: SelfAssessmentSubmitted) -> None:
    """The submitted self assessment's training needs become items, in its transaction (issue 10)."""
    stage_review_needs(uow, event.review, NeedSource.SELF, event.review.self_assessment or {})


UNDECIDED = "Add it as a training need or dismiss it."


def needs_from_manager_assessment(uow: UnitOfWork, event: ManagerAssessmentSubmitted) -> None:
    """The submitted manager assessment's needs (and the low ratings it confirmed) become items. A need a low
    rating suggests must be confirmed or dismissed first: the submission is refused, nothing stored, until it is."""
    content = event.review.manager_assessment or {}
    undecided = [s for s in suggestions(event.template, content) if s.undecided]
    if undecided:
        raise ValidationFailed(
            "The manager assessment is not complete: confirm or dismiss each suggested training need.",
            {f"need_suggestions.{s.competency_id}": [UNDECIDED] for s in undecided},
        )
    stage_review_needs(uow, event.review, NeedSource.MANAGER, content, event.template)


def person_needs(
    uow: UnitOfWork, principal: Principal, employee_id: str, cycle_id: str | None = None
) -> list[TrainingNeed]:
    """An individual's needs: for them, their management chain and HR only."""
    person = uow.directory.get(employee_id)
    if person is None or not policy.may_read_person_needs(principal, person):
        raise NotFound(
            "There are no training needs of this person for you to see."
        )  # denied reads look like missing ones
    needs = uow.training.of_person(employee_id, cycle_id)
    return sorted(needs, key=lambda n: (n.cycle_id, n.source.value, n.need_id))


def mark_need_addressed(
    uow: UnitOfWork, principal: Principal, need_id: str, activity_ref: str, clock: Clock | None = None
) -> TrainingNeed:
    """A learning activity or training logged against a need addresses it; the cycle's figures follow in
    the same transaction. Marking an addressed need again changes nothing (safe for a retried caller)."""
    clock = clock or Clock()
    with uow:
        stored = stage_need_addressed(uow, principal, need_id, activity_ref, iso(clock.now()))
        uow.commit()
    return stored


def stage_need_addressed(
    uow: UnitOfWork, principal: Principal, need_id: str, activity_ref: str, at: str
) -> TrainingNeed:
    """Stage a need's "addressed" and its figures in the caller's transaction (the learning log's activity is
    written with it: an activity never claims a need the report does not count); the need as it will be."""
    ref = " ".join((activity_ref or "").split())
    if not ref or len(ref) > MAX_REF:
        raise ValidationFailed("Say what addressed the need.", {"activity_ref": [f"1 to {MAX_REF} characters"]})
    need = uow.training.get(need_id)
    if need is None:
        raise NotFound("There is no such training need for you.")
    person = uow.directory.get(need.employee_id)
    if person is None or not policy.may_address_need(principal, person):
        raise NotFound(
            "There is no such training need for you."
        )  # a need one may not touch is not told apart from a missing one
    if need.status is NeedStatus.ADDRESSED:
        return need
    changed = replace(need, status=NeedStatus.ADDRESSED, addressed_by=ref, addressed_at=at)
    stored = uow.training.save_need(changed, actor=principal.employee_id, action="address_need", at=at)
    now = uow.training.contribution(need.cycle_id, need.employee_id)
    after = replace(
        now,
        addressed={**now.addressed, need.topic_id: now.addressed.get(need.topic_id, 0) + 1},
        needs=[stored.record() if d["need_id"] == need.need_id else d for d in now.needs],
    )
    uow.training.stage_contribution(need.cycle_id, need.employee_id, after, now)
    return stored


def log_training(
    uow: UnitOfWork, principal: Principal, need_id: str, title: str, on: date | None, clock: Clock | None = None
) -> TrainingNeed:
    """HR or a manager logs a training against a need now (the learning log does the same for employees)."""
    title = " ".join((title or "").split())
    if not title:
        raise ValidationFailed("Name the training.", {"title": ["required"]})
    when = f" on {on.isoformat()}" if on else ""
    return mark_need_addressed(uow, principal, need_id, f"training: {title[:200]}{when}", clock)


# --- the catalogue ---------------------------------------------------------------------------------


def _synonyms(values: list[str]) -> tuple[str, ...]:
    out: list[str] = []
    for v in values:
        text = " ".join(v.split())
        if normalise_topic(text) and text.casefold() not in {o.casefold() for o in out}:
            out.append(text[:120])
    return tuple(out[:30])


def list_topics(uow: UnitOfWork, principal: Principal) -> list[Topic]:
    """The catalogue (HR): each topic with its synonyms and, for merged ones, where they went."""
    policy.require(policy.may_manage_topics(principal), "HR manages the topic catalogue")
    return sorted(uow.training.topics(), key=lambda t: t.name.casefold())


def create_topic(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> Topic:
    """HR adds a topic with its synonyms (no word may belong to two topics)."""
    policy.require(policy.may_manage_topics(principal), "HR manages the topic catalogue")
    name = " ".join((data.get("name") or "").split())
    synonyms = _synonyms(list(data.get("synonyms") or []))
    catalogue = uow.training.catalogue()
    topic_id = slug(name)
    check_topic(name, list(synonyms), catalogue)
    if topic_id in catalogue.topics:
        raise ValidationFailed("The topic is not valid.", {"name": ["a topic with this name exists"]})
    topic = Topic(topic_id, name[:120], synonyms, data.get("competency_id") or None)
    at = iso(clock.now())
    with uow:
        stored = uow.training.save_topic(topic, new=True, actor=principal.employee_id, action="create_topic", at=at)
        uow.commit()
    return stored


def merge_topics(uow: UnitOfWork, principal: Principal, source_id: str, target_id: str, clock: Clock) -> Topic:
    """HR merges one topic (a catalogue topic or free text seen in reviews) into another: its names become
    synonyms of the target, new needs match the target, and reports add its figures to the target's."""
    policy.require(policy.may_manage_topics(principal), "HR manages the topic catalogue")
    catalogue = uow.training.catalogue()
    target = catalogue.topics.get(catalogue.resolve(target_id))
    if target is None:
        raise ValidationFailed("Choose topics to merge.", {"target_id": ["not a catalogue topic"]})
    if catalogue.resolve(source_id) == target.topic_id:
        raise ValidationFailed("Choose topics to merge.", {"source_id": ["already the same topic"]})
    source = catalogue.topics.get(source_id)
    at = iso(clock.now())
    label = source.name if source else catalogue.label(source_id)
    names = [label, *(source.synonyms if source else ())]
    with uow:
        if source is None:
            if not source_id.startswith("free-"):
                raise ValidationFailed("Choose topics to merge.", {"source_id": ["unknown topic"]})
            stub = Topic(source_id, label, (), None, merged_into=target.topic_id)
            uow.training.save_topic(stub, new=True, actor=principal.employee_id, action="merge_topic", at=at)
        else:
            gone = replace(source, merged_into=target.topic_id, synonyms=())
            uow.training.save_topic(gone, new=False, actor=principal.employee_id, action="merge_topic", at=at)
        words = [w for w in names if w.casefold() != target.name.casefold()]
        grown = replace(target, synonyms=_synonyms([*target.synonyms, *words]))
        stored = uow.training.save_topic(grown, new=False, actor=principal.employee_id, action="merge_topic", at=at)
        uow.commit()
    return stored


FREQUENCIES = ("off", "weekly", "monthly")


def report_schedule(uow: UnitOfWork, principal: Principal) -> ReportSchedule:
    """How often the report is emailed to leadership, for HR to see and change."""
    policy.require(policy.may_manage_topics(principal), "HR sets the report's schedule")
    return uow.training.schedule()


def set_schedule(
    uow: UnitOfWork, principal: Principal, frequency: str, expected_version: int, clock: Clock
) -> ReportSchedule:
    """HR sets how often the report is emailed to leadership (besides when a cycle closes)."""
    policy.require(policy.may_manage_topics(principal), "HR sets the report's schedule")
    if frequency not in FREQUENCIES:
        raise ValidationFailed("Choose how often.", {"frequency": [f"one of {', '.join(FREQUENCIES)}"]})
    with uow:
        uow.training.save_schedule(frequency, expected_version, principal.employee_id, iso(clock.now()))
        uow.commit()
    return uow.training.schedule()
