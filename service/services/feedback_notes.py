"""Continuous feedback: notes colleagues send each other at any time, which the recipient or their manager pulls
into a review as evidence."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.cycles import Cycle, CycleState
from service.domain.directory import Employee
from service.domain.errors import NotFound, ValidationFailed
from service.domain.feedback import (
    NoteKind,
    check_note,
)
from service.domain.templates import template_from_dict
from service.services import policy
from service.services.auth import Principal
from service.services.cycles import get_cycle
from service.services.delegation import acting_for
from service.services.feedback import Note, known_person
from service.services.feedback_settings import require_open


@dataclass(frozen=True)
class NoteTopics:
    """What a note may be about: the competencies of the active cycles' templates and their organisation and team
    goals (each by id → name, in the order first met)."""

    competencies: dict[str, str]
    goals: dict[str, str]


@dataclass(frozen=True)
class ReceivedNote(Note):
    """A note with its sender's name, for its recipient."""

    from_name: str


@dataclass(frozen=True)
class NotesPage:
    """The notes a person received (with their senders' names) and the cycles they could pull each into."""

    notes: list[ReceivedNote]
    cycles: list[Cycle]


def note_topics(uow: UnitOfWork, principal: Principal) -> NoteTopics:
    """What a note may be about: the competencies of the active cycles' templates, and the organisation and team
    goals of those cycles (goals everyone may read; an individual goal is checked against its owner on sending)."""
    active = [c for c in uow.cycles.list() if c.state is CycleState.ACTIVE]
    competencies: dict[str, str] = {}
    goals: dict[str, str] = {}
    for cycle in active:
        if cycle.template_snapshot:
            for c in template_from_dict(cycle.template_snapshot).competencies:
                competencies.setdefault(c.id, c.name)
        for g in uow.goals.organisation(cycle.cycle_id):
            goals.setdefault(g.goal_id, g.title)
    return NoteTopics(competencies, goals)


def _check_note_topic(
    uow: UnitOfWork, principal: Principal, recipient: Employee | None, data: dict[str, Any], visibility: str
) -> None:
    """A note's competency must be one of an active cycle's; its goal one the sender may read, and an individual
    goal the recipient's own (a goal one may not read is not told apart from a missing one)."""
    from service.domain.goals import GoalLevel

    errors: dict[str, list[str]] = {}
    competency_id = data.get("competency_id")
    if competency_id and competency_id not in note_topics(uow, principal).competencies:
        errors["competency_id"] = ["not a competency of a review cycle in progress"]
    goal_id = data.get("goal_id")
    if goal_id:
        goal = uow.goals.get(goal_id)
        owner = uow.directory.get(goal.owner_id) if goal and goal.owner_id else None
        readable = goal is not None and policy.may_read_goal(principal, goal.level, owner, visibility)
        if not readable or (
            goal.level is GoalLevel.INDIVIDUAL and (recipient is None or goal.owner_id != recipient.employee_id)
        ):
            errors["goal_id"] = ["no such goal of theirs (or of the organisation or a team) that you can see"]
    if errors:
        raise ValidationFailed("The feedback was not sent.", errors)


def send_note(
    uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock, visibility: str = "chain"
) -> Note:
    """Anyone sends a colleague praise or a suggestion, optionally about a competency or a goal (`visibility`:
    the organisation's goal visibility setting)."""
    to_id = data["to_id"]
    recipient = uow.directory.get(to_id)
    check_note(
        principal.employee_id, to_id, data.get("text") or "", {to_id} if recipient and recipient.active else set()
    )
    _check_note_topic(uow, principal, recipient, data, visibility)
    at = iso(clock.now())
    note = {
        "note_id": uuid.uuid4().hex[:16],
        "from_id": principal.employee_id,
        "to_id": to_id,
        "kind": NoteKind(data["kind"]).value,
        "text": data["text"].strip(),
        "competency_id": data.get("competency_id") or None,
        "goal_id": data.get("goal_id") or None,
        "at": at,
        "evidence": [],
    }
    with uow:
        stored = uow.notes.save(note, new=True, actor=principal.employee_id, action="send_note", at=at)
        uow.commit()
    return Note.of(stored)


def notes_for(uow: UnitOfWork, principal: Principal, employee_id: str) -> list[Note]:
    """The continuous feedback a person received (the person and their manager), newest first."""
    person = known_person(uow, employee_id)
    acting = acting_for(uow, principal, person.manager_id)  # issue 28: an acting manager reads them too
    policy.require(
        policy.may_read_notes(principal, person, acting), "only the person and their manager read this feedback"
    )
    return [Note.of(n) for n in uow.notes.received_by(employee_id)]


def pull_note(uow: UnitOfWork, principal: Principal, note_id: str, cycle_id: str, clock: Clock) -> Note:
    """The recipient or their manager pulls a note into the recipient's review of a cycle, as evidence."""
    note = uow.notes.get(note_id)
    if note is None:
        raise NotFound("no such feedback note")
    person = known_person(uow, note["to_id"])
    acting = acting_for(uow, principal, person.manager_id)  # issue 28: an acting manager pulls them too
    policy.require(
        policy.may_read_notes(principal, person, acting), "only the recipient and their manager use this feedback"
    )
    uow.on_behalf_of = policy.on_behalf_of(principal, person.manager_id, acting)
    cycle = get_cycle(uow, cycle_id)
    require_open(cycle)
    if uow.reviews.get(cycle_id, note["to_id"]) is None:
        raise NotFound(f"{person.name} has no review in this cycle")
    if cycle_id in note["evidence"]:
        return Note.of(note)
    at = iso(clock.now())
    with uow:
        stored = uow.notes.save(
            {**note, "evidence": [*note["evidence"], cycle_id]},
            new=False,
            actor=principal.employee_id,
            action="pull_note",
            at=at,
        )
        uow.commit()
    return Note.of(stored)


def colleagues(uow: UnitOfWork, principal: Principal) -> list[Employee]:
    """Everyone active but the principal (to send a note to), by name."""
    return sorted(
        (p for p in uow.directory.all() if p.active and p.employee_id != principal.employee_id),
        key=lambda p: p.name.casefold(),
    )


def notes_page(uow: UnitOfWork, principal: Principal) -> NotesPage:
    """My received notes with the cycles I could pull each into (active cycles where I have a review)."""
    received = uow.notes.received_by(principal.employee_id)
    history, _ = uow.reviews.history(principal.employee_id)
    cycles = [c for c in (uow.cycles.get(r.cycle_id) for r in history) if c and c.state is CycleState.ACTIVE]
    names = uow.directory.names([n["from_id"] for n in received])
    return NotesPage(
        notes=[ReceivedNote.of(n, from_name=names.get(n["from_id"], n["from_id"])) for n in received],
        cycles=cycles,
    )
