"""Continuous learning: the learning log, the informational-interview planner (a workflow as data, the
outreach draft, the referral tree) and the small-group suppression of the leadership aggregates. No I/O."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from service.domain.errors import ValidationFailed
from service.domain.formats import day_of
from service.domain.suppression import SUPPRESS_BELOW, Line, nested, withheld
from service.domain.workflow import Workflow, steps


class ActivityType(StrEnum):
    """What kind of learning an activity was (principle 8 of the brief)."""

    COURSE = "course"
    DEGREE_PROGRAMME = "degree_programme"
    ON_THE_JOB = "on_the_job"
    MENTORING = "mentoring"
    PROFESSIONAL_ASSOCIATION = "professional_association"
    NETWORKING = "networking"
    ONLINE_COMMUNITY = "online_community"
    CONFERENCE = "conference"
    READING = "reading"
    INFORMATIONAL_INTERVIEW = "informational_interview"
    # Offered by the self assessment's learning rows before the log existed; kept so saved drafts stay valid.
    SELF_STUDY = "self_study"
    OTHER = "other"


class ContactSource(StrEnum):
    """How the employee found a contact for an informational interview."""

    PROFESSIONAL_NETWORK = "professional_network"
    ASSOCIATION = "association"
    ALUMNI = "alumni"
    CONFERENCE = "conference"
    PUBLICATION = "publication"
    REFERRAL = "referral"


class InterviewFormat(StrEnum):
    """How the conversation is held."""

    IN_PERSON = "in_person"
    PHONE = "phone"
    VIDEO = "video"


class InterviewStatus(StrEnum):
    """Where an informational interview stands, in order."""

    PLANNED = "planned"
    REQUEST_SENT = "request_sent"
    SCHEDULED = "scheduled"
    COMPLETED = "completed"
    DECLINED = "declined"


class InterviewAction(StrEnum):
    """What can be done to an interview."""

    SEND = "send"
    SCHEDULE = "schedule"
    COMPLETE = "complete"
    DECLINE = "decline"


ST, IA = InterviewStatus, InterviewAction

# The planner's workflow: (status, action) → next status. Anything else is refused.
INTERVIEW_TRANSITIONS: dict[tuple[InterviewStatus, InterviewAction], InterviewStatus] = steps(
    ((ST.PLANNED, ST.REQUEST_SENT), IA.SEND, ST.REQUEST_SENT),  # sent again: a follow-up
    # planned: arranged in person, without a written request; scheduled: moved to another time
    ((ST.PLANNED, ST.REQUEST_SENT, ST.SCHEDULED), IA.SCHEDULE, ST.SCHEDULED),
    (ST.SCHEDULED, IA.COMPLETE, ST.COMPLETED),
    ((ST.REQUEST_SENT, ST.SCHEDULED), IA.DECLINE, ST.DECLINED),
)


INTERVIEW_WORKFLOW = Workflow(
    INTERVIEW_TRANSITIONS,
    lambda status, action: f"cannot {action.value} an interview that is {status.value.replace('_', ' ')}",
)
next_status = INTERVIEW_WORKFLOW.next  # the status an action leads to, or Conflict
allows = INTERVIEW_WORKFLOW.allows  # whether the workflow allows `action` now


# The question bank every employee starts with: the ten topics of an informational interview.
DEFAULT_QUESTIONS: tuple[str, ...] = (
    "What does a typical day look like for you?",
    "What is the workplace like: the environment and the working conditions?",
    "What training or education does the role require?",
    "What are the job prospects in this field?",
    "How would you describe the culture of the company and of the industry?",
    "What is the earnings potential, roughly, as people progress?",
    "What career paths do people in this role typically follow?",
    "What would you recommend, and what would you warn someone about, coming into this field?",
    "What best practices have served you well?",
    "How does your organisation compare with its competitors?",
)
MAX_QUESTIONS = 30

# The preparation checklist, in order: (key, what to do).
CHECKLIST: tuple[tuple[str, str], ...] = (
    ("research_organisation", "Research the organisation"),
    ("research_industry", "Research the industry"),
    ("prepare_questions", "Prepare your questions"),
    ("confirm_time", "Confirm the time (and the place or link) the day before"),
)
CLOSING_QUESTION = "Who else would you recommend I talk to?"
FOLLOW_UP_AFTER = timedelta(days=7)  # no answer a week after the request: a polite follow-up
THANK_YOU_WITHIN = timedelta(days=1)  # a thank-you note within a day of the conversation
MIN_GROUP = SUPPRESS_BELOW  # leadership sees groups of at least this many people (product brief)
# Need ids come from the training-needs feature (issue 10): only their form is checked here.
NEED_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
MAX_HOURS = 2000.0  # one activity; a degree programme is logged per term or module


@dataclass
class Activity:
    """One learning activity in someone's log."""

    activity_id: str
    owner_id: str
    type: ActivityType
    title: str
    date: str  # ISO date
    hours: float
    department: str  # the owner's department when logged: the aggregates count it there
    provider: str = ""
    notes: str = ""
    learnt: str = ""
    need_id: str | None = None
    contact_id: str | None = None  # set when a completed informational interview made it
    comments: list[dict[str, Any]] = field(default_factory=list)  # the manager's, on review evidence
    created_at: str = ""
    version: int = 0


@dataclass
class Contact:
    """Someone to ask for an informational interview, and the interview itself."""

    contact_id: str
    owner_id: str
    name: str
    role: str
    organisation: str
    found_via: ContactSource
    industry: str = ""
    referred_by: str | None = None  # the contact who recommended this one
    status: InterviewStatus = InterviewStatus.PLANNED
    format: InterviewFormat = InterviewFormat.VIDEO
    purpose: str = ""  # what the employee wants to learn about
    outreach: str = ""  # the request as the employee edited it ("" = the draft is built afresh)
    sent_on: str | None = None
    scheduled_for: str | None = None
    checklist: dict[str, bool] = field(default_factory=dict)
    notes: str = ""
    learnt: str = ""
    completed_on: str | None = None
    hours: float = 0.0
    thanked: bool = False
    activity_id: str | None = None
    shared_with_manager: bool = False
    created_at: str = ""
    version: int = 0


class _Errors(dict[str, list[str]]):
    def add(self, name: str, message: str) -> None:
        self.setdefault(name, []).append(message)


def check_activity(data: dict[str, Any], today: date) -> None:
    """An activity must have happened (not in the future), with plausible hours and a well-formed need id."""
    e = _Errors()
    if not (data.get("title") or "").strip():
        e.add("title", "required")
    when = data.get("date")
    if when and date.fromisoformat(str(when)) > today:
        e.add("date", "log an activity once it has happened")
    hours = data.get("hours")
    if hours is not None and not 0 <= float(hours) <= MAX_HOURS:
        e.add("hours", f"give 0 to {MAX_HOURS:.0f} hours")
    need = data.get("need_id")
    if need and not NEED_ID_RE.fullmatch(need):
        e.add("need_id", "not a training need id")
    if e:
        raise ValidationFailed("The learning activity is not valid.", dict(e))


def held_on(data: dict[str, Any], scheduled_for: str | None, zone: tzinfo | None) -> str | None:
    """The day an interview was held (ISO): the one given, else the day it was scheduled for (a wall-clock time as
    typed, or an instant read on the organisation's wall, `zone`); None when neither says a day."""
    if data.get("completed_on"):
        return str(data["completed_on"])
    try:
        day = day_of(scheduled_for, zone)
    except ValueError:  # scheduled as free text ("next Tuesday"): no day to take
        return None
    return day.isoformat() if day else None


def check_completion(data: dict[str, Any], scheduled_for: str | None, today: date, zone: tzinfo | None = None) -> None:
    """Completing an interview needs its date (not in the future, on the organisation's wall: `zone`) and what
    was learnt."""
    e = _Errors()
    held = held_on(data, scheduled_for, zone)
    if not held:
        e.add("completed_on", "required")
    elif date.fromisoformat(held) > today:
        e.add("completed_on", "an interview is completed once it has happened")
    if not (data.get("learnt") or "").strip():
        e.add("learnt", "say what you learnt")
    for n, ref in enumerate(data.get("referrals") or []):
        if not (ref.get("name") or "").strip():
            e.add(f"referrals.{n}.name", "required")
    if e:
        raise ValidationFailed("The interview cannot be completed yet.", dict(e))


def in_period(activity_date: str, start: date | str, end: date | str) -> bool:
    """Whether an activity falls inside a cycle's period (both ends included)."""
    return str(start) <= activity_date[:10] <= str(end)


def check_evidence(found: dict[str, Any], refs: list[str], period: tuple[Any, Any]) -> None:
    """Picked activities (`found`: the employee's own, by id) must exist and fall inside the cycle's period."""
    errors: dict[str, list[str]] = {}
    for n, ref in enumerate(refs):
        a = found.get(ref)
        if a is None:
            errors[f"learning_refs.{n}"] = ["not an activity of your learning log"]
        elif not in_period(a.date, *period):
            errors[f"learning_refs.{n}"] = [f"“{a.title}” is outside this cycle's period"]
    if errors:
        raise ValidationFailed("The learning evidence is not valid.", errors)


def outreach_draft(profile: dict[str, str], contact: Contact) -> str:
    """The request for an informational interview, built from the employee's profile: who they are, their
    background, the purpose (learning, not a job), their contact details, 20 minutes at the contact's
    convenience, and the format."""
    how = {
        InterviewFormat.IN_PERSON: "in person, somewhere convenient for you",
        InterviewFormat.PHONE: "by phone",
        InterviewFormat.VIDEO: "by video call",
    }[contact.format]
    found = {
        ContactSource.PROFESSIONAL_NETWORK: "through my professional network",
        ContactSource.ASSOCIATION: "through our professional association",
        ContactSource.ALUMNI: "through our alumni network",
        ContactSource.CONFERENCE: "at a conference",
        ContactSource.PUBLICATION: "through something you published",
        ContactSource.REFERRAL: "on a colleague's recommendation",
    }[contact.found_via]
    field_of = contact.purpose.strip() or f"the work of a {contact.role}".strip()
    first = contact.name.split()[0] if contact.name.split() else contact.name
    team = f"the {profile['department']}" if profile.get("department") else "our"
    background = f"I work as {_article(profile.get('title') or 'colleague')} in {team}"
    background += f" team at {profile['organisation']}" if profile.get("organisation") else " team"
    return (
        f"Dear {first},\n\n"
        f"My name is {profile.get('name', '')}. {background}. I came across you {found}, "
        f"and your experience as {_article(contact.role)} at {contact.organisation} is exactly what I hope "
        f"to learn about.\n\n"
        f"I am exploring {field_of} and would value your perspective. To be clear, I am not asking for a job or "
        f"a referral: I would like to learn how you see the role and the field.\n\n"
        f"Could you spare 20 minutes at a time that suits you? I am happy to talk {how}.\n\n"
        f"Thank you for considering it.\n\n"
        f"{profile.get('name', '')}\n{profile.get('email', '')}"
    ).strip()


def _article(noun: str) -> str:
    noun = noun.strip() or "professional"
    return f"an {noun}" if noun[0].lower() in "aeiou" else f"a {noun}"


def follow_up_on(contact: Contact) -> str | None:
    """When to follow up on a request that got no answer (None: not waiting for one)."""
    if contact.status is not InterviewStatus.REQUEST_SENT or not contact.sent_on:
        return None
    return (date.fromisoformat(contact.sent_on[:10]) + FOLLOW_UP_AFTER).isoformat()


def thank_you_by(contact: Contact) -> str | None:
    """When the thank-you note is due (None: sent already, or no conversation yet)."""
    if contact.status is not InterviewStatus.COMPLETED or contact.thanked or not contact.completed_on:
        return None
    return (date.fromisoformat(contact.completed_on[:10]) + THANK_YOU_WITHIN).isoformat()


@dataclass
class TreeNode:
    """A contact in the chain of introductions, with the people they recommended."""

    contact: Contact
    children: list[TreeNode] = field(default_factory=list)


def referral_tree(contacts: list[Contact]) -> list[TreeNode]:
    """Contacts as a forest: each referral under the contact who recommended it (a lost link makes a root)."""
    by_id = {c.contact_id: TreeNode(c) for c in contacts}
    roots: list[TreeNode] = []
    for c in sorted(contacts, key=lambda c: (c.created_at, c.contact_id)):
        parent = by_id.get(c.referred_by or "")
        if parent is None or _would_loop(by_id, c.contact_id):
            roots.append(by_id[c.contact_id])
        else:
            parent.children.append(by_id[c.contact_id])
    return roots


def _would_loop(by_id: dict[str, TreeNode], contact_id: str) -> bool:
    seen: set[str] = set()
    current: str | None = contact_id
    while current and current in by_id:
        if current in seen:
            return True
        seen.add(current)
        current = by_id[current].contact.referred_by
    return False


def chain_of(contacts: dict[str, Contact], contact_id: str) -> list[Contact]:
    """Who introduced whom, from the first contact down to this one."""
    chain: list[Contact] = []
    current: str | None = contact_id
    while current and current in contacts and all(c.contact_id != current for c in chain):
        chain.append(contacts[current])
        current = contacts[current].referred_by
    return list(reversed(chain))


# --- aggregates for leadership ----------------------------------------------------------------------

Cell = dict[str, Any]  # {"people": n, "activities": n, "hours": h, "needs": n}


def _needs_people(cell: Cell) -> int:
    if not int(cell.get("needs", 0)):
        return 0
    return int(cell["needs_people"]) if "needs_people" in cell else 1


def suppress(rows: dict[str, dict[str, Cell]], totals: dict[str, Cell], min_group: int = MIN_GROUP) -> dict[str, Any]:
    """Small groups hidden by the one rule of `domain/suppression.py`: a department × type cell, a department
    or a type total with fewer than `min_group` people is withheld, and so are the next-smallest groups
    wherever a total minus the parts shown, or a group minus one inside it, would give it back.

    `rows`: department → type → cell, with the department's own total under "*"; `totals`: type → cell
    across departments, "*" for everyone. Returns the same shape with withheld cells set to None."""
    depts = sorted(rows)
    types = sorted({t for r in [*rows.values(), totals] for t in r if t != "*"})
    cells = {("all", t): c for t, c in totals.items() if c}
    for d in depts:
        cells.update({("dept", d, t): c for t, c in rows[d].items() if c})
    sizes: dict[Any, int] = {k: int(c.get("people", 0)) for k, c in cells.items()}
    # "Needs addressed" counts needs; the group is the people behind them (`needs_people`; unknown in counters
    # kept before it was counted: taken as few). Same lines as the people, and inside its cell's people.
    sizes.update({("needs", *k): _needs_people(c) for k, c in cells.items()})
    lines: list[Line] = []
    for figure in ((), ("needs",)):
        for line in [*(("dept", d) for d in depts), ("all",)]:
            # A person can learn in several kinds: the kinds overlap, but their activities and hours add up.
            lines.append(Line((*figure, *line, "*"), tuple((*figure, *line, t) for t in types), disjoint=False))
            if not figure:
                lines.extend(nested((*line, "*"), (*line, t)) for t in types)
        for t in [*types, "*"]:
            lines.append(Line((*figure, "all", t), tuple((*figure, "dept", d, t) for d in depts)))
    lines.extend(nested(k, ("needs", *k)) for k in cells)
    hidden = withheld(sizes, lines, threshold=min_group)

    def shown(key: tuple, c: Cell) -> Cell | None:
        if key in hidden:
            return None
        figures = {k: v for k, v in c.items() if k != "needs_people"}
        return {**figures, "needs": None if ("needs", *key) in hidden else c.get("needs", 0)}

    return {
        "rows": {d: {t: shown(("dept", d, t), c) for t, c in rows[d].items() if c} for d in depts},
        "totals": {t: shown(("all", t), c) for t, c in totals.items() if c},
        "min_group": min_group,
    }
