"""Feedback: peer (360) and upward requests as a workflow table, answer rules, anonymous groups, continuous notes.

Anonymity is a property of the data, not of the views: a submitted answer is stored in its group with a random
id and nothing that names its author, and the request addressed to the reviewer only records that it was
answered. The group result below is the only way answers are read: averages and distributions per rating,
comments per question in an order that says nothing about who wrote them or when, and nothing at all until
the group has at least `threshold` answers (never below 3).

Over time: the answers are released as a group at one moment (`release_state`: the manager's submission or the
feedback deadline, as the cycle's `ReleaseRule` says), never one by one; answers close then, so what is
released never grows afterwards, and before it nothing shown moves with an answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from service.domain.errors import ValidationFailed
from service.domain.templates import Form, Template
from service.domain.workflow import Workflow, steps

MIN_THRESHOLD = 3  # the product's floor: a group smaller than this is never shown, whatever the setting


class FeedbackKind(StrEnum):
    """Who is asked: peers the employee nominated, or the manager's direct reports about their manager."""

    PEER = "peer"
    UPWARD = "upward"


class RequestState(StrEnum):
    """Where a request for feedback stands."""

    NOMINATED = "nominated"  # the employee proposed this reviewer; the manager decides
    APPROVED = "approved"  # asked: the reviewer got the email and may answer or decline
    REMOVED = "removed"  # withdrawn by the employee, removed by the manager or HR
    ANSWERED = "answered"
    DECLINED = "declined"


class RequestAction(StrEnum):
    """What can be done to a request."""

    NOMINATE = "nominate"
    APPROVE = "approve"
    ADD = "add"
    REMOVE = "remove"
    ANSWER = "answer"
    DECLINE = "decline"


R, RA = RequestState, RequestAction

# The whole workflow of a request: (state, action) → next state; `None` is "no request yet".
REQUEST_TRANSITIONS: dict[tuple[RequestState | None, RequestAction], RequestState] = steps(
    ((None, R.REMOVED), RA.NOMINATE, R.NOMINATED),
    ((None, R.REMOVED, R.NOMINATED), RA.ADD, R.APPROVED),
    (R.NOMINATED, RA.APPROVE, R.APPROVED),
    ((R.NOMINATED, R.APPROVED), RA.REMOVE, R.REMOVED),
    (R.APPROVED, RA.ANSWER, R.ANSWERED),
    (R.APPROVED, RA.DECLINE, R.DECLINED),
)
# States that count as "asked" in progress counts (a removed request was never asked).
ASKED = (R.APPROVED, R.ANSWERED, R.DECLINED)
# States that hold a place among the nominees (min/max are counted over these).
HOLDING = (R.NOMINATED, R.APPROVED, R.ANSWERED, R.DECLINED)


def _request_refusal(state: RequestState | None, action: RequestAction) -> str:
    now = "does not exist" if state is None else f"is {state.value}"
    return f"cannot {action.value} a feedback request that {now}"


REQUEST_WORKFLOW = Workflow(REQUEST_TRANSITIONS, _request_refusal)
next_request_state = REQUEST_WORKFLOW.next  # the state an action leads to, or Conflict


class ReleaseRule(StrEnum):
    """When a person's peer and upward answers are released, as one group, to their readers."""

    FIRST = "first"  # the manager submits the assessment or the feedback deadline passes, whichever comes first
    DEADLINE = "deadline"  # the feedback deadline passes
    MANAGER = "manager"  # the manager submits the assessment

    @property
    def on_deadline(self) -> bool:
        """Does the feedback deadline release (and close) the groups?"""
        return self in (ReleaseRule.FIRST, ReleaseRule.DEADLINE)

    @property
    def on_manager(self) -> bool:
        """Does the manager's submission release the group?"""
        return self in (ReleaseRule.FIRST, ReleaseRule.MANAGER)


# Answers close at the midnight that ends the feedback deadline's day on the organisation's clock, and the groups
# are read from this much later: an answer checked before midnight and committed a few seconds after it is in the
# group before anyone reads it.
RELEASE_GRACE = timedelta(minutes=15)


def day_ends(day: date, zone: tzinfo | None) -> datetime:
    """The midnight that ends `day` on the wall of `zone` (the organisation's: `Clock.zone`, carried by its `now`),
    the moment a deadline on that day passes."""
    return datetime.combine(day + timedelta(days=1), time(), zone or UTC)


@dataclass(frozen=True)
class FeedbackSettings:
    """A cycle's feedback rules, set by HR (defaults apply until HR saves them)."""

    min_peers: int = 3
    max_peers: int = 8
    threshold: int = MIN_THRESHOLD
    upward: bool = True
    nomination_deadline: date | None = None  # None: the cycle's feedback deadline
    release: ReleaseRule = ReleaseRule.FIRST
    version: int = 0

    @property
    def shown_from(self) -> int:
        """How many answers a group needs before anyone sees it (the setting, never below 3)."""
        return max(self.threshold, MIN_THRESHOLD)


def check_settings(s: FeedbackSettings) -> None:
    """Refuse settings that would break anonymity or make nominations impossible."""
    errors: dict[str, list[str]] = {}
    if s.threshold < MIN_THRESHOLD:
        errors["threshold"] = [f"at least {MIN_THRESHOLD}: smaller groups would reveal who answered"]
    if not 0 <= s.min_peers <= 20:
        errors["min_peers"] = ["between 0 and 20"]
    if not 1 <= s.max_peers <= 20:
        errors["max_peers"] = ["between 1 and 20"]
    elif s.min_peers > s.max_peers:
        errors["max_peers"] = ["at least the minimum"]
    if errors:
        raise ValidationFailed("The feedback settings are not valid.", errors)


@dataclass(frozen=True)
class Release:
    """Where one person's feedback stands: open to answers, closed (the set of answers is final), released (its
    readers see the groups). Released implies closed, so what is shown never grows after it is first shown."""

    rule: ReleaseRule
    closed: bool
    released: bool
    release_on: date | None  # the day the deadline releases the groups (None: only the manager's submission does)

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "rule": self.rule.value,
            "closed": self.closed,
            "released": self.released,
            "release_on": self.release_on.isoformat() if self.release_on else None,
            "on_manager_submission": self.rule.on_manager,
        }


def release_state(
    rule: ReleaseRule, deadline: date | None, manager_closed: bool, now: datetime, released_mark: bool = False
) -> Release:
    """The release of one person's feedback at `now`.

    `manager_closed`: the manager assessment was submitted (or was once: its close mark stays when HR returns
    the review). Answers close then, or at the midnight ending the feedback deadline's day on the organisation's
    clock (`now`'s zone) when the rule says so; the groups are released by the manager's submission (rules `first`,
    `manager`) or `RELEASE_GRACE` after the deadline's midnight (rules `first`, `deadline`), whichever the rule
    allows first. `released_mark`: the close
    mark says the submission released them; they stay released whatever HR later does to the rule.
    """
    closes = day_ends(deadline, now.tzinfo) if deadline and rule.on_deadline else None
    after_deadline = closes is not None and now >= closes
    released = (
        released_mark or (manager_closed and rule.on_manager) or (closes is not None and now >= closes + RELEASE_GRACE)
    )
    return Release(
        rule=rule,
        closed=manager_closed or after_deadline,
        released=released,
        release_on=closes.date() if closes else None,
    )


def closed_sentence(subject_name: str, closed_on: date) -> str:
    """What a reviewer is told once feedback about a person is closed: one sentence, the person and the day."""
    return f"Feedback on {subject_name} closed on {closed_on.day} {closed_on:%b %Y}; nothing more can be added."


@dataclass
class FeedbackRequest:
    """A request to one reviewer for feedback on one person. It never holds the answer."""

    cycle_id: str
    subject_id: str
    reviewer_id: str
    kind: FeedbackKind
    state: RequestState
    subject_name: str = ""
    reviewer_name: str = ""
    reviewer_department: str = ""
    nominated_by: str = ""
    decline_reason: str = ""
    version: int = 0
    audit_head: str = ""


def check_nominees(
    subject_id: str,
    manager_id: str | None,
    reports: set[str],
    nominees: list[str],
    active: set[str],
    settings: FeedbackSettings,
    *,
    enforce_min: bool,
) -> None:
    """Peer nominees: real, active colleagues, not the person, their manager or their reports, within min/max."""
    errors: dict[str, list[str]] = {}
    if len(set(nominees)) != len(nominees):
        errors.setdefault("reviewer_ids", []).append("each person once")
    for n in nominees:
        if n == subject_id:
            errors.setdefault("reviewer_ids", []).append("nobody gives feedback on themselves")
        elif n not in active:
            errors.setdefault("reviewer_ids", []).append(f"{n!r} is not an active colleague")
        elif n == manager_id:
            errors.setdefault("reviewer_ids", []).append(
                "your manager writes the manager assessment, not peer feedback"
            )
        elif n in reports:
            errors.setdefault("reviewer_ids", []).append("your direct reports give upward feedback, not peer feedback")
    count = len(set(nominees))
    if count > settings.max_peers:
        errors.setdefault("reviewer_ids", []).append(f"at most {settings.max_peers} peers")
    if enforce_min and count < settings.min_peers:
        errors.setdefault("reviewer_ids", []).append(f"at least {settings.min_peers} peers")
    if errors:
        raise ValidationFailed("The nominations are not valid.", errors)


def answer_form(template: Template, kind: FeedbackKind) -> tuple[list[tuple[str, str]], list[tuple[str, str, bool]]]:
    """What a reviewer answers: (rated items: competency id, name) and (questions: id, text, required)."""
    rated = [(c.id, c.name) for c in template.competencies]
    questions = [(q.id, q.text, q.required) for q in template.questions.get(Form(kind.value), ())]
    return rated, questions


def check_answer(content: dict[str, Any], template: Template, kind: FeedbackKind, submit: bool) -> None:
    """An answer's ratings are on the template's scale, its comments answer this form's questions; a submission
    says something (a rating or a comment) and answers every required question."""
    errors: dict[str, list[str]] = {}
    rated, questions = answer_form(template, kind)
    ids = {cid for cid, _ in rated}
    for cid, rating in (content.get("ratings") or {}).items():
        if cid not in ids:
            errors.setdefault(f"ratings.{cid}", []).append("not a competency of this cycle's template")
        elif rating is not None and not 1 <= rating <= template.scale.points:
            errors.setdefault(f"ratings.{cid}", []).append(f"choose 1 to {template.scale.points}")
    qids = {q for q, _, _ in questions}
    for qid in content.get("answers") or {}:
        if qid not in qids:
            errors.setdefault(f"answers.{qid}", []).append("not a question of this form")
    if submit:
        for qid, _, required in questions:
            if required and not ((content.get("answers") or {}).get(qid) or "").strip():
                errors.setdefault(f"answers.{qid}", []).append("required")
        said = any(v for v in (content.get("ratings") or {}).values()) or any(
            (v or "").strip() for v in (content.get("answers") or {}).values()
        )
        if not said and not errors:
            errors["ratings"] = ["give at least one rating or comment"]
    if errors:
        raise ValidationFailed("The feedback is not complete." if submit else "The draft is not valid.", errors)


def answer_content(content: dict[str, Any]) -> dict[str, Any]:
    """What of an answer is kept in its group: ratings given and non-empty comments, nothing else."""
    ratings = {k: int(v) for k, v in (content.get("ratings") or {}).items() if v}
    answers = {k: v.strip() for k, v in (content.get("answers") or {}).items() if (v or "").strip()}
    return {"ratings": ratings, "answers": answers}


@dataclass(frozen=True)
class GroupResult:
    """One group's answers as the only readers ever see them."""

    kind: FeedbackKind
    count: int
    threshold: int
    ratings: list[dict[str, Any]] = field(default_factory=list)
    comments: list[dict[str, Any]] = field(default_factory=list)
    released: bool = True

    @property
    def shown(self) -> bool:
        """The group is shown once released, and only when it had reached the threshold by then."""
        return self.released and self.count >= self.threshold

    def as_dict(self, comments: bool = True) -> dict[str, Any]:
        """JSON-friendly form: before the release nothing that moves with an answer (not even the count); after
        it, below the threshold the count only. `comments` False: the ratings summary without the texts (for
        readers above the person's manager)."""
        data: dict[str, Any] = {
            "kind": self.kind.value,
            "released": self.released,
            "answers": self.count if self.released else None,
            "threshold": self.threshold,
            "shown": self.shown,
            "comments_shown": comments,
        }
        if self.shown:
            data["ratings"] = self.ratings
            if comments:
                data["comments"] = self.comments
        return data

    def withheld(self) -> GroupResult:
        """The same group before its release: nothing of its answers, not even how many there are."""
        return GroupResult(self.kind, 0, self.threshold, released=False)


def group_result(
    kind: FeedbackKind, answers: Iterable[dict[str, Any]], template: Template, threshold: int
) -> GroupResult:
    """Average and distribution per rated competency, and each question's comments sorted by their text (so
    that neither submission order nor one reviewer's answers across questions can be followed)."""
    answers = list(answers)
    threshold = max(threshold, MIN_THRESHOLD)
    if len(answers) < threshold:
        return GroupResult(kind, len(answers), threshold)
    points = template.scale.points
    ratings = []
    for c in template.competencies:
        given = [int(a["ratings"][c.id]) for a in answers if (a.get("ratings") or {}).get(c.id)]
        # A competency fewer than `threshold` people rated is withheld too: its few ratings would stand alone.
        shown = len(given) >= threshold
        distribution = [sum(1 for g in given if g == p) for p in range(1, points + 1)] if shown else None
        ratings.append(
            {
                "competency_id": c.id,
                "competency": c.name,
                "average": round(sum(given) / len(given), 2) if shown else None,
                "rated_by": len(given),
                "distribution": distribution,
            }
        )
    comments = []
    for q in template.questions.get(Form(kind.value), ()):
        texts = [a["answers"][q.id] for a in answers if (a.get("answers") or {}).get(q.id)]
        comments.append({"question_id": q.id, "question": q.text, "texts": sorted(texts, key=str.casefold)})
    return GroupResult(kind, len(answers), threshold, ratings, comments)


def score_ratings(groups: Iterable[GroupResult]) -> list[float]:
    """The ratings the feedback part of the score is made of: every rating in the groups that are shown."""
    values: list[float] = []
    for g in groups:
        if g.shown:
            for r in g.ratings:
                values += [float(p) for p, n in enumerate(r["distribution"] or [], start=1) for _ in range(n)]
    return values


def progress_counts(requests: Iterable[FeedbackRequest], released: bool) -> dict[str, int | None]:
    """Counts the reviewee and their manager may see (never who).

    Before the release only how many were asked: that number moves when reviewers are asked or removed, never
    when one answers or declines. After it the requests are final (answers and declines are closed), so the
    split into answered, declined and waiting is shown, once. A reviewer who left stays counted either way:
    dropping leavers only when they had not answered would tell whether they had.
    """
    asked = [r for r in requests if r.state in ASKED]
    if not released:
        return {"asked": len(asked), "answered": None, "declined": None, "waiting": None}
    return {
        "asked": len(asked),
        "answered": sum(1 for r in asked if r.state is R.ANSWERED),
        "declined": sum(1 for r in asked if r.state is R.DECLINED),
        "waiting": sum(1 for r in asked if r.state is R.APPROVED),
    }


class NoteKind(StrEnum):
    """Continuous feedback: praise or a suggestion."""

    PRAISE = "praise"
    SUGGESTION = "suggestion"


def check_note(sender_id: str, recipient_id: str, text: str, active: set[str]) -> None:
    """A note goes to an active colleague other than its sender and says something."""
    errors: dict[str, list[str]] = {}
    if recipient_id == sender_id:
        errors["to_id"] = ["send feedback to a colleague, not to yourself"]
    elif recipient_id not in active:
        errors["to_id"] = ["the person you chose is not an active colleague"]
    if not text.strip():
        errors["text"] = ["required"]
    if errors:
        raise ValidationFailed("The feedback was not sent.", errors)
