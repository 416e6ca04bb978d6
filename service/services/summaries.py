"""The appraisal summary of one review: what goes into its PDF, for this reader, and how HR checks its hash.

The reader's copy is the review as the review page shows it to them: the same `ReviewContext` and
`review_view`, so the visibility rules of services/policy.py decide what each copy holds. A review the reader
may not see answers exactly like a missing one (no PDF confirms that a review exists).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from service.adapters.clock import iso
from service.adapters.unit_of_work import UnitOfWork
from service.domain.content_hash import review_hash
from service.domain.errors import NO_REVIEW, NotFound, PermissionDenied
from service.domain.filenames import slug
from service.domain.reviews import ReviewState
from service.domain.templates import template_from_dict
from service.services import policy
from service.services.auth import Principal
from service.services.reviews import ReviewContext, review_view

COPY_LABELS = {"employee": "Employee copy", "manager": "Manager copy", "hr": "HR copy"}
# Context keys other features fill in (feedback groups, typed training needs, the learning log); the
# template shows a block for each only when it is given (None: the block is left out).
OPTIONAL_KEYS = ("feedback_groups", "training_needs", "learning_activities")
# What other features add to a summary: each provider reads, through the reader's ReviewContext (so through
# the same policy), what its feature shows of this review at the summary's moment, and answers {optional key:
# value}. A feature appends its provider here (one line at merge), e.g.
# `CONTEXT_PROVIDERS.append(feedback.summary_groups)`.
CONTEXT_PROVIDERS: list[Callable[[ReviewContext, datetime], dict[str, Any]]] = []


def _feedback_groups(ctx: ReviewContext, now: datetime) -> dict[str, Any]:
    """Issue 9: the review's peer and upward groups, as its reader sees them on the page at `now` (nothing before
    the release, counts below the threshold, comments only for the person, their manager and HR, never a name)."""
    from service.services.feedback import feedback_groups_for_review

    found = feedback_groups_for_review(ctx.uow, ctx.principal, ctx.review, now)
    # Not released yet, or no answer at all (feedback never asked for, or nobody answered): the section stays out.
    return {"feedback_groups": found if any(g["answers"] for g in found) else None}


def _learning_activities(ctx: ReviewContext, _now: datetime) -> dict[str, Any]:
    """Issue 14: the learning-log activities picked into the self assessment (empty where the reader may not
    see the self assessment yet)."""
    from service.services.learning import learning_evidence_for

    picked = learning_evidence_for(ctx.uow, ctx.principal, ctx.review)
    return {
        "learning_activities": [
            {"title": a.title, "kind": a.type, "date": a.date, "note": a.learnt or a.provider} for a in picked
        ]
        or None  # nothing picked: the summary shows the free-text evidence alone
    }


CONTEXT_PROVIDERS.extend([_feedback_groups, _learning_activities])


@dataclass(frozen=True)
class Summary:
    """The context a summary template renders, its download name and the content hash in its footer, with the
    review it is of and whether that review is finalised (only then is its PDF kept: service/pdf/stored_summary)."""

    context: dict[str, Any]
    filename: str
    content_hash: str
    cycle_id: str = ""
    employee_id: str = ""
    finalised: bool = False


def _missing(cycle_id: str, employee_id: str) -> NotFound:
    return NotFound(NO_REVIEW)


def readable_context(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> ReviewContext:
    """The review for a reader who may see it; anyone else gets the answer a missing review gets."""
    try:
        ctx = ReviewContext(uow, principal, cycle_id, employee_id)
        ctx.require_readable()
    except PermissionDenied:
        raise _missing(cycle_id, employee_id) from None
    return ctx


def copy_of(ctx: ReviewContext) -> str:
    """Whose copy a reader gets: 'employee', 'manager' or 'hr' (a manager who is also HR reads the HR copy)."""
    if ctx.is_employee:
        return "employee"
    return "hr" if ctx.is_hr else "manager"


def summary_filename(cycle_name: str, employee_name: str, employee_id: str, copy: str) -> str:
    """'appraisal-summary-2026-mid-year-review-mei-chen-E008-hr.pdf'."""
    return f"appraisal-summary-{slug(cycle_name)}-{slug(employee_name)}-{slug(employee_id)}-{copy}.pdf"


def build_summary(ctx: ReviewContext, now: datetime, extra: dict[str, Any] | None = None) -> Summary:
    """The summary of a review already read (and allowed) for this reader."""
    view = review_view(ctx, on=now.date(), zone=now.tzinfo)  # the goals' standing as the goal pages show it on that day
    review = ctx.review
    template = template_from_dict(view.template)
    people = [review.employee_id, ctx.current_manager or "", review.finalised_by or ""]
    for part, key in (("manager_assessment", "obstacles"), ("discussion", "agreed_actions")):
        people += [i.get("owner_id") or "" for i in (getattr(view, part) or {}).get(key) or []]
    people += [a.owner_id for a in view.carried_actions or []]
    people += [link.owner_id for g in view.goals or [] for link in g.alignment_chain]
    found = ctx.uow.directory.get_many(sorted({p for p in people if p}))
    names = {pid: e.name for pid, e in found.items()}
    copy = copy_of(ctx)
    digest = review_hash(review)
    submitted = view.submitted or {}
    context: dict[str, Any] = {
        "view": view,
        "template": template,
        "employee": found.get(review.employee_id),
        "manager": found.get(ctx.current_manager or ""),
        "names": names,
        "copy": copy,
        "copy_label": COPY_LABELS[copy],
        "content_hash": digest,
        "generated_at": iso(now),
        "stamps": {s.value: submitted.get(s.value) for s in ReviewState if submitted.get(s.value)},
        "finalised": {"by": review.finalised_by, "at": submitted.get(ReviewState.FINALISED.value)}
        if review.state is ReviewState.FINALISED
        else None,
        "period": (ctx.cycle.period_start.isoformat(), ctx.cycle.period_end.isoformat()),
        **dict.fromkeys(OPTIONAL_KEYS),
    }
    for provide in CONTEXT_PROVIDERS:
        context.update({k: v for k, v in provide(ctx, now).items() if k in OPTIONAL_KEYS})
    context.update(extra or {})
    filename = summary_filename(review.cycle_name, review.employee_name, review.employee_id, copy)
    finalised = review.state is ReviewState.FINALISED
    return Summary(context, filename, digest, review.cycle_id, review.employee_id, finalised)


def summary_for(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str, now: datetime) -> Summary:
    """The reader's summary of one review (a review they may not see is 'not found')."""
    return build_summary(readable_context(uow, principal, cycle_id, employee_id), now)


@dataclass(frozen=True)
class ContentHash:
    """The content hash of a review as stored now, with its version and state."""

    cycle_id: str
    employee_id: str
    version: int
    state: str
    content_hash: str


def current_hash(uow: UnitOfWork, principal: Principal, cycle_id: str, employee_id: str) -> ContentHash:
    """HR's check of a PDF: the content hash of the review as stored now, with its version and state."""
    ctx = readable_context(uow, principal, cycle_id, employee_id)
    policy.require(policy.may_read_review_audit(principal, employee_id), "only HR checks a summary's content hash")
    return ContentHash(cycle_id, employee_id, ctx.review.version, ctx.review.state.value, review_hash(ctx.review))
