"""Use cases of the informational-interview planner: contacts, the outreach request, preparation, the
question bank, completing an interview (referrals become contacts, the interview a learning activity),
and sharing a summary with the manager.

The planner is private: every use case reads the principal's own partition, so another person's contact
is not found, whoever asks (HR included). Only summaries the employee shared reach their manager.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from service.adapters.clock import Clock, iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.changes import edits
from service.domain.errors import NotFound, StaleWrite, ValidationFailed, found_at
from service.domain.learning import (
    CHECKLIST,
    CLOSING_QUESTION,
    DEFAULT_QUESTIONS,
    MAX_QUESTIONS,
    ActivityType,
    Contact,
    ContactSource,
    InterviewAction,
    InterviewFormat,
    InterviewStatus,
    TreeNode,
    allows,
    chain_of,
    check_completion,
    follow_up_on,
    held_on,
    next_status,
    outreach_draft,
    referral_tree,
    thank_you_by,
)
from service.services import learning, policy
from service.services.auth import Principal

EDITABLE = (
    "name",
    "role",
    "organisation",
    "industry",
    "found_via",
    "format",
    "purpose",
    "outreach",
    "scheduled_for",
    "checklist",
    "notes",
    "learnt",
    "thanked",
    "shared_with_manager",
)
MAX_REFERRALS = 10


def _checklist(ticked: dict[str, Any]) -> dict[str, bool]:
    """The preparation steps ticked, only those the checklist has."""
    known = {k for k, _ in CHECKLIST}
    return {k: bool(v) for k, v in ticked.items() if k in known}


@dataclass(frozen=True)
class ChecklistItem:
    """One preparation step of an interview, and whether it is done."""

    key: str
    label: str
    done: bool


@dataclass(frozen=True)
class ContactLink:
    """A contact named in another's page: who introduced them, or whom they recommended."""

    contact_id: str
    name: str


@dataclass(frozen=True)
class Referral(ContactLink):
    """A contact recommended by another, with where their interview stands."""

    status: InterviewStatus


@dataclass
class ContactView:
    """A contact with its interview as the planner shows it: the request (edited, or the draft), the next
    dates, the checklist and what can be done now."""

    contact_id: str
    name: str
    role: str
    organisation: str
    industry: str
    found_via: ContactSource
    referred_by: str | None
    status: InterviewStatus
    format: InterviewFormat
    purpose: str
    outreach: str
    outreach_edited: bool
    sent_on: str | None
    follow_up_on: str | None
    scheduled_for: str | None
    checklist: list[ChecklistItem]
    notes: str
    learnt: str
    completed_on: str | None
    hours: float
    thanked: bool
    thank_you_by: str | None
    activity_id: str | None
    shared_with_manager: bool
    can: dict[str, bool]
    version: int


@dataclass
class ContactDetail(ContactView):
    """A contact's own page: the chain of who introduced them, and the people they recommended."""

    introduced_by: list[ContactLink]
    referrals: list[Referral]


@dataclass(frozen=True)
class ReferralNode:
    """A contact in the chain of introductions, with the contacts they recommended below them."""

    contact_id: str
    name: str
    role: str
    organisation: str
    status: InterviewStatus
    referrals: list[ReferralNode]


@dataclass(frozen=True)
class Planner:
    """My planner: every contact, and the chain of introductions as a tree."""

    contacts: list[ContactView]
    tree: list[ReferralNode]


@dataclass(frozen=True)
class QuestionBank:
    """My question bank, the closing question that finds referrals, and the bank's version (If-Match)."""

    questions: list[str]
    closing_question: str
    version: int


@dataclass(frozen=True)
class SharedSummary:
    """An interview summary an employee shared with their manager (no name, no notes)."""

    role: str
    organisation: str
    industry: str
    completed_on: str | None
    learnt: str


def _profile(uow: UnitOfWork, principal: Principal) -> dict[str, str]:
    person = uow.directory.get(principal.employee_id)
    if person is None:
        return {"name": principal.name}
    return {"name": person.name, "title": person.title, "department": person.department, "email": person.email}


def _view_fields(c: Contact, profile: dict[str, str]) -> dict[str, Any]:
    return {
        "contact_id": c.contact_id,
        "name": c.name,
        "role": c.role,
        "organisation": c.organisation,
        "industry": c.industry,
        "found_via": c.found_via,
        "referred_by": c.referred_by,
        "status": c.status,
        "format": c.format,
        "purpose": c.purpose,
        "outreach": c.outreach or outreach_draft(profile, c),
        "outreach_edited": bool(c.outreach),
        "sent_on": c.sent_on,
        "follow_up_on": follow_up_on(c),
        "scheduled_for": c.scheduled_for,
        "checklist": [ChecklistItem(k, label, bool(c.checklist.get(k))) for k, label in CHECKLIST],
        "notes": c.notes,
        "learnt": c.learnt,
        "completed_on": c.completed_on,
        "hours": c.hours,
        "thanked": c.thanked,
        "thank_you_by": thank_you_by(c),
        "activity_id": c.activity_id,
        "shared_with_manager": c.shared_with_manager,
        "can": {a.value: allows(c.status, a) for a in InterviewAction},
        "version": c.version,
    }


def contact_view(c: Contact, profile: dict[str, str]) -> ContactView:
    """A contact with its interview as the planner shows it."""
    return ContactView(**_view_fields(c, profile))


def _own(uow: UnitOfWork, principal: Principal, contact_id: str, expected_version: int | None = None) -> Contact:
    """A contact of my planner; at the version I read, when one is given."""
    # Someone else's contact is not found either: the planner is private.
    contact = uow.planner.get(principal.employee_id, contact_id)
    return found_at(
        contact, "There is no such contact in your planner.", expected_version, "the contact", by="elsewhere"
    )


def _tree(nodes: list[TreeNode]) -> list[ReferralNode]:
    return [
        ReferralNode(
            n.contact.contact_id,
            n.contact.name,
            n.contact.role,
            n.contact.organisation,
            n.contact.status,
            _tree(n.children),
        )
        for n in nodes
    ]


def planner(uow: UnitOfWork, principal: Principal) -> Planner:
    """My planner: contacts with their interviews, and the chain of introductions as a tree."""
    contacts = uow.planner.of_owner(principal.employee_id)
    profile = _profile(uow, principal)
    return Planner([contact_view(c, profile) for c in contacts], _tree(referral_tree(contacts)))


def get_contact(uow: UnitOfWork, principal: Principal, contact_id: str) -> ContactDetail:
    """One contact of my planner with its interview and who introduced them."""
    contact = _own(uow, principal, contact_id)
    introduced_by: list[ContactLink] = []
    if contact.referred_by:
        everyone = {c.contact_id: c for c in uow.planner.of_owner(principal.employee_id)}
        introduced_by = [ContactLink(c.contact_id, c.name) for c in chain_of(everyone, contact_id)[:-1]]
    referrals = [
        Referral(c.contact_id, c.name, c.status)
        for c in uow.planner.of_owner(principal.employee_id)
        if c.referred_by == contact_id
    ]
    return ContactDetail(
        **_view_fields(contact, _profile(uow, principal)), introduced_by=introduced_by, referrals=referrals
    )


def _new_contact(principal: Principal, data: dict[str, Any], at: str, clock: Clock, **more: Any) -> Contact:
    name = (data.get("name") or "").strip()
    if not name:
        raise ValidationFailed("Name the contact.", {"name": ["required"]})
    return Contact(
        contact_id=f"c-{clock.new_id()}",
        owner_id=principal.employee_id,
        name=name,
        role=(data.get("role") or "").strip(),
        organisation=(data.get("organisation") or "").strip(),
        industry=(data.get("industry") or "").strip(),
        found_via=ContactSource(data.get("found_via") or "professional_network"),
        format=InterviewFormat(data.get("format") or "video"),
        purpose=(data.get("purpose") or "").strip(),
        created_at=at,
        **more,
    )


def add_contact(uow: UnitOfWork, principal: Principal, data: dict[str, Any], clock: Clock) -> ContactView:
    """Add someone to ask for an informational interview (a referral names who recommended them)."""
    at = iso(clock.now())
    with uow:
        referred_by = data.get("referred_by") or None
        if referred_by:
            _own(uow, principal, referred_by)
        contact = _new_contact(principal, data, at, clock, referred_by=referred_by)
        if referred_by:
            contact.found_via = ContactSource.REFERRAL
        stored = uow.planner.save(contact, new=True)
        uow.commit()
    return contact_view(stored, _profile(uow, principal))


def update_contact(
    uow: UnitOfWork, principal: Principal, contact_id: str, data: dict[str, Any], expected_version: int
) -> ContactView:
    """Edit a contact and its interview: the request text, format, preparation, notes, thank-you, sharing."""
    with uow:
        contact = _own(uow, principal, contact_id, expected_version)
        changes = edits(data, EDITABLE, found_via=ContactSource, format=InterviewFormat, checklist=_checklist)
        if "name" in changes and not str(changes["name"]).strip():
            raise ValidationFailed("Name the contact.", {"name": ["required"]})
        if changes.get("shared_with_manager") and contact.status is not InterviewStatus.COMPLETED:
            raise ValidationFailed(
                "Nothing to share yet.", {"shared_with_manager": ["share a summary once the interview is completed"]}
            )
        stored = uow.planner.save(replace(contact, **changes), new=False)
        uow.commit()
    return contact_view(stored, _profile(uow, principal))


def act(
    uow: UnitOfWork,
    principal: Principal,
    contact_id: str,
    action: str,
    expected_version: int,
    clock: Clock,
    scheduled_for: str | None = None,
) -> ContactView:
    """Move an interview along: mark the request sent (today), schedule it, or note that it was declined."""
    try:
        what = InterviewAction(action)
    except ValueError:
        raise ValidationFailed("Unknown action.", {"action": [f"{action!r} is not an action"]}) from None
    if what is InterviewAction.COMPLETE:
        raise ValidationFailed("Complete it with its notes.", {"action": ["use the completion form"]})
    with uow:
        contact = _own(uow, principal, contact_id, expected_version)
        status = next_status(contact.status, what)
        changes: dict[str, Any] = {"status": status}
        if what is InterviewAction.SEND:
            changes["sent_on"] = clock.now().date().isoformat()
            changes["outreach"] = contact.outreach or outreach_draft(_profile(uow, principal), contact)
        if what is InterviewAction.SCHEDULE:
            if not scheduled_for:
                raise ValidationFailed("Say when.", {"scheduled_for": ["required"]})
            changes["scheduled_for"] = scheduled_for
        stored = uow.planner.save(replace(contact, **changes), new=False)
        uow.commit()
    return contact_view(stored, _profile(uow, principal))


def complete(
    uow: UnitOfWork, principal: Principal, contact_id: str, data: dict[str, Any], expected_version: int, clock: Clock
) -> ContactView:
    """Record the interview: notes and what was learnt; each person recommended ("who else would you recommend
    I talk to?") becomes a contact referred by this one, and the interview a learning activity: one transaction."""
    referrals = list(data.get("referrals") or [])
    if len(referrals) > MAX_REFERRALS:
        raise ValidationFailed("Too many referrals.", {"referrals": [f"at most {MAX_REFERRALS} at a time"]})
    at = iso(clock.now())
    with uow:
        contact = _own(uow, principal, contact_id, expected_version)
        next_status(contact.status, InterviewAction.COMPLETE)
        now = clock.now()
        check_completion(data, contact.scheduled_for, now.date(), now.tzinfo)
        held = str(held_on(data, contact.scheduled_for, now.tzinfo))
        hours = float(data.get("hours") or 0.5)
        activity = learning.stage_new_activity(
            uow,
            principal,
            {
                "type": ActivityType.INFORMATIONAL_INTERVIEW.value,
                "title": f"Informational interview: {contact.role or 'a role'} at "
                f"{contact.organisation or contact.name}",
                "date": held,
                "hours": hours,
                "provider": contact.name,
                "notes": data.get("notes", ""),
                "learnt": data["learnt"],
                "need_id": data.get("need_id"),
                "contact_id": contact.contact_id,
            },
            clock,
        )
        uow.learning_stats.stage()
        stored = uow.planner.save(
            replace(
                contact,
                status=InterviewStatus.COMPLETED,
                completed_on=held,
                hours=hours,
                notes=data.get("notes", contact.notes),
                learnt=data["learnt"],
                activity_id=activity.activity_id,
                shared_with_manager=bool(data.get("shared_with_manager", contact.shared_with_manager)),
            ),
            new=False,
        )
        for ref in referrals:
            new = _new_contact(
                principal,
                {**ref, "found_via": "referral", "format": contact.format.value},
                at,
                clock,
                referred_by=contact.contact_id,
            )
            uow.planner.save(new, new=True)
        learning._need_addressed(uow, principal, activity, at)
        uow.commit()
    return contact_view(stored, _profile(uow, principal))


def questions(uow: UnitOfWork, principal: Principal) -> QuestionBank:
    """My question bank (the ten topics until I change it), with the closing question that finds referrals."""
    found, version = uow.planner.questions(principal.employee_id)
    return QuestionBank(found if found is not None else list(DEFAULT_QUESTIONS), CLOSING_QUESTION, version)


def save_questions(uow: UnitOfWork, principal: Principal, items: list[str], expected_version: int) -> QuestionBank:
    """Replace my question bank (blank lines dropped); If-Match keeps two tabs from overwriting each other."""
    cleaned = [q.strip() for q in items if q and q.strip()]
    if not cleaned or len(cleaned) > MAX_QUESTIONS:
        raise ValidationFailed("Keep 1 to 30 questions.", {"questions": [f"keep 1 to {MAX_QUESTIONS} questions"]})
    with uow:
        _, version = uow.planner.questions(principal.employee_id)
        if version != expected_version:
            raise StaleWrite(f"the question bank was changed elsewhere (now version {version}); reload it")
        uow.planner.save_questions(principal.employee_id, cleaned, version)
        uow.commit()
    return QuestionBank(cleaned, CLOSING_QUESTION, version + 1)


def shared_summaries(uow: UnitOfWork, principal: Principal, employee_id: str) -> list[SharedSummary]:
    """The interview summaries an employee chose to share, for their current manager (no names, no notes)."""
    person = uow.directory.get(employee_id)
    if person is None or not policy.may_read_shared_summaries(principal, person):
        raise NotFound("There are no shared interview summaries for you to see here.")
    return [
        SharedSummary(c.role, c.organisation, c.industry, c.completed_on, c.learnt)
        for c in uow.planner.of_owner(employee_id)
        if c.shared_with_manager and c.status is InterviewStatus.COMPLETED
    ]
