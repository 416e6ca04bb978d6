"""The message bus: which feature acts on which event, and who answers which question.

In the shape of cosmicpython's `chapter_09_all_messagebus`, adapted to one transaction: a use case records
domain events on its unit of work (`uow.record(event)`), and `uow.commit()` runs the handlers listed here for
each of them first; they stage their own writes on the same unit of work (and may record further events,
handled in turn), so the whole use case still commits once, all or nothing. The review's use cases import
this module (for `ask`), which installs `EVENT_HANDLERS` into the unit of work on import: whenever a use case
that records events can run, its handlers are there; an event with no entry is refused at commit, never
dropped.

Reads go the same way: `ask(uow, query)` answers a question of `service/domain/queries.py` with the handler
`QUERY_HANDLERS` lists, so the review reads goals and feedback without importing those features.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain import events as ev
from service.domain import queries as q
from service.services import actions, feedback, goals, review_goals, training


def _close_feedback(uow: UnitOfWork, event: ev.ManagerAssessmentSubmitted) -> None:
    """The person's feedback answers close (and release, as the cycle's rule says) with the submission."""
    feedback.stage_close(uow, event.review.cycle_id, event.review.employee_id, event.at)


# Event type → its handlers, in the order they stage their writes. Every event a use case records is listed.
EVENT_HANDLERS: dict[type[ev.Event], list[Callable[[UnitOfWork, Any], None]]] = {
    ev.SelfAssessmentSaved: [],
    ev.SelfAssessmentSubmitted: [training.needs_from_self_assessment],
    ev.SelfAssessmentWithdrawn: [],  # its needs stay until the next submission replaces them (as after a return)
    ev.ManagerAssessmentSaved: [],
    ev.ManagerAssessmentSubmitted: [
        actions.actions_from_obstacles,
        training.needs_from_manager_assessment,
        _close_feedback,
    ],
    # Its released feedback stays released (a group is never taken back); actions and needs follow the next submission.
    ev.ManagerAssessmentWithdrawn: [],
    ev.DiscussionSaved: [],
    ev.DiscussionRecorded: [actions.actions_from_discussion],
    ev.ReviewAcknowledged: [],
    ev.ReviewFinalised: [],
    ev.ReviewReturned: [],
    ev.ReviewCalibrated: [],
}

QUERY_HANDLERS: dict[type[q.Query], Callable[[UnitOfWork, Any], Any]] = {
    q.GoalPart: lambda uow, x: review_goals.goal_part(uow, x.employee_id, x.cycle_id, x.manager, x.scale),
    q.FeedbackRatings: lambda uow, x: feedback.score_feedback_ratings(uow, x.cycle, x.subject_id, x.now, x.releasing),
    q.PersonGoals: lambda uow, x: goals.person_goals(uow, x.owner_id, x.cycle_id, on=x.on, archived=None),
    q.GoalWeightTotal: lambda uow, x: goals.weight_total(uow, x.owner_id, x.cycle_id),
}


def ask(uow: UnitOfWork, query: q.Query) -> Any:
    """The answer to a question about another feature's data, read through this unit of work."""
    return QUERY_HANDLERS[type(query)](uow, query)


UnitOfWork.install(EVENT_HANDLERS)
