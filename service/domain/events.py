"""Domain events: what a use case changed, recorded on its unit of work for other features to act on.

A use case records an event (`uow.record(...)`); at `uow.commit()` the handlers registered for its type
(`service/services/messagebus.py`) stage their own writes in the same transaction. The review never
knows who listens: training needs, tracked actions and the feedback's closing are written by their own
features, all or nothing with the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from service.domain.reviews import Review, ReviewAction


@dataclass(frozen=True)
class Event:
    """Something that happened, in the past tense."""


@dataclass(frozen=True)
class ReviewChanged(Event):
    """A review action was applied: `review` is the review as this transaction stores it."""

    review: Review
    actor_id: str
    at: str  # ISO-8601 time of the change
    template: dict[str, Any] | None  # the template snapshot the cycle launched with


@dataclass(frozen=True)
class SelfAssessmentSaved(ReviewChanged):
    """The employee saved a draft of the self assessment."""


@dataclass(frozen=True)
class SelfAssessmentSubmitted(ReviewChanged):
    """The employee submitted the self assessment to the manager."""


@dataclass(frozen=True)
class SelfAssessmentWithdrawn(ReviewChanged):
    """The employee took the submitted self assessment back before the manager started (a draft again)."""


@dataclass(frozen=True)
class ManagerAssessmentSaved(ReviewChanged):
    """The manager saved a draft of the manager assessment."""


@dataclass(frozen=True)
class ManagerAssessmentSubmitted(ReviewChanged):
    """The manager submitted the (scored) manager assessment."""


@dataclass(frozen=True)
class ManagerAssessmentWithdrawn(ReviewChanged):
    """The manager took the submitted assessment back before the discussion started (a draft again, unscored)."""


@dataclass(frozen=True)
class DiscussionSaved(ReviewChanged):
    """The manager saved a draft of the review discussion."""


@dataclass(frozen=True)
class DiscussionRecorded(ReviewChanged):
    """The review discussion was recorded, with its agreed actions."""


@dataclass(frozen=True)
class ReviewAcknowledged(ReviewChanged):
    """The employee acknowledged the review (agreeing or not)."""


@dataclass(frozen=True)
class ReviewFinalised(ReviewChanged):
    """HR finalised the review."""


@dataclass(frozen=True)
class ReviewCalibrated(ReviewChanged):
    """The calibration closed (the rating locked, the review on to the discussion) or reopened (issue 23)."""


@dataclass(frozen=True)
class ReviewReturned(ReviewChanged):
    """HR returned the review to an earlier state."""


# The event each review action records: every applied action is told, whoever listens.
REVIEW_EVENTS: dict[ReviewAction, type[ReviewChanged]] = {
    ReviewAction.SAVE_SELF: SelfAssessmentSaved,
    ReviewAction.SUBMIT_SELF: SelfAssessmentSubmitted,
    ReviewAction.WITHDRAW_SELF: SelfAssessmentWithdrawn,
    ReviewAction.SAVE_MANAGER: ManagerAssessmentSaved,
    ReviewAction.SUBMIT_MANAGER: ManagerAssessmentSubmitted,
    ReviewAction.WITHDRAW_MANAGER: ManagerAssessmentWithdrawn,
    ReviewAction.SUBMIT_FOR_CALIBRATION: ManagerAssessmentSubmitted,
    ReviewAction.CALIBRATE: ReviewCalibrated,
    ReviewAction.RECALIBRATE: ReviewCalibrated,
    ReviewAction.SAVE_DISCUSSION: DiscussionSaved,
    ReviewAction.RECORD_DISCUSSION: DiscussionRecorded,
    ReviewAction.ACKNOWLEDGE: ReviewAcknowledged,
    ReviewAction.FINALISE: ReviewFinalised,
    ReviewAction.RETURN: ReviewReturned,
}
