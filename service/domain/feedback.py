"""Feedback: peer (360) and upward requests as a workflow table, answer rules, anonymous groups, continuous notes.

Anonymity is a property of the data, not of the views: a submitted answer is stored in its group with a random
id and nothing that names its author, and the request addressed to the reviewer only records that it was
answered. The group result below is the only way answers are read: averages and distributions per rating,
comments per question in an order that says nothing about who wrote them or when, and nothing at all until
the group has at least `threshold` answers (never below 3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from service.domain.errors import Conflict, ValidationFailed
from service.domain.templates import Form, Template

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
REQUEST_TRANSITIONS: dict[tuple[RequestState | None, RequestAction], RequestState] = {
    (None, RA.NOMINATE): R.NOMINATED,
    (None, RA.ADD): R.APPROVED,
    (R.REMOVED, RA.NOMINATE): R.NOMINATED,
    (R.REMOVED, RA.ADD): R.APPROVED,
    (R.NOMINATED, RA.APPROVE): R.APPROVED,
    (R.NOMINATED, RA.ADD): R.APPROVED,
    (R.NOMINATED, RA.REMOVE): R.REMOVED,
    (R.APPROVED, RA.REMOVE): R.REMOVED,
    (R.APPROVED, RA.ANSWER): R.ANSWERED,
    (R.APPROVED, RA.DECLINE): R.DECLINED,
}
# States that count as "asked" in progress counts (a removed request was never asked).
ASKED = (R.APPROVED, R.ANSWERED, R.DECLINED)
# States that hold a place among the nominees (min/max are counted over these).
HOLDING = (R.NOMINATED, R.APPROVED, R.ANSWERED, R.DECLINED)


def next_request_state(state: RequestState | None, action: RequestAction) -> RequestState:
    """The state an action leads to, or Conflict when the workflow does not allow it."""
    try:
        return REQUEST_TRANSITIONS[(state, action)]
    except KeyError:
        now = "does not exist" if state is None else f"is {state.value}"
        raise Conflict(f"cannot {action.value} a feedback request that {now}") from None


@dataclass(frozen=True)
class FeedbackSettings:
    """A cycle's feedback rules, set by HR (defaults apply until HR saves them)."""

    min_peers: int = 3
    max_peers: int = 8
    threshold: int = MIN_THRESHOLD
    upward: bool = True
    nomination_deadline: date | None = None  # None: the cycle's feedback deadline
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

    @property
    def shown(self) -> bool:
        """The group is shown once it reaches the threshold."""
        return self.count >= self.threshold

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form (below the threshold: the count only)."""
        data: dict[str, Any] = {
            "kind": self.kind.value,
            "answers": self.count,
            "threshold": self.threshold,
            "shown": self.shown,
        }
        if self.shown:
            data["ratings"] = self.ratings
            data["comments"] = self.comments
        return data


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


def progress_counts(requests: Iterable[FeedbackRequest], active: set[str]) -> dict[str, int]:
    """Counts the reviewee and their manager may see: asked, answered, declined, waiting (never who).

    A reviewer who left drops out unless they had answered: their answer is in the group and nothing links
    it back to them, so it stays counted.
    """
    counts = {"asked": 0, "answered": 0, "declined": 0, "waiting": 0}
    for r in requests:
        if r.state is R.ANSWERED:
            counts["answered"] += 1
        elif r.reviewer_id not in active:
            continue
        elif r.state is R.DECLINED:
            counts["declined"] += 1
        elif r.state is R.APPROVED:
            counts["waiting"] += 1
        else:
            continue
        counts["asked"] += 1
    return counts


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
        errors["to_id"] = [f"{recipient_id!r} is not an active colleague"]
    if not text.strip():
        errors["text"] = ["required"]
    if errors:
        raise ValidationFailed("The feedback was not sent.", errors)
