"""The message bus: which feature acts on which event, and who answers which question.

In the shape of cosmicpython's `chapter_09_all_messagebus`, adapted to one transaction: a use case records
domain events on its unit of work (`uow.record(event)`), and `uow.commit()` runs the handlers listed here for
each of them first; they stage their own writes on the same unit of work (and may record further events,
handled in turn), so the whole use case still commits once, all or nothing. The review's use cases import
this module (for `ask`), which installs the handler table into the unit of work on import: whenever a use case
that records events can run, its handlers are there; an event with no entry is refused at commit, never
dropped. The table is built, importing the features that handle events, on the first dispatch (`_Handlers`), so a
request that records no event (a page read) pays for none of them.

Reads go the same way: `ask(uow, query)` answers a question of `service/domain/queries.py` with the handler
`query_handlers()` lists, so the review reads goals and feedback without importing those features.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from functools import cache
from typing import Any

from service.adapters.unit_of_work import UnitOfWork
from service.domain import events as ev
from service.domain import queries as q

Handler = Callable[[UnitOfWork, Any], None]


@cache
def event_handlers() -> dict[type[ev.Event], list[Handler]]:
    """Event type → its handlers, in the order they stage their writes. Every event a use case records is listed."""
    from service.services import actions, feedback, training

    def close_feedback(uow: UnitOfWork, event: ev.ManagerAssessmentSubmitted) -> None:
        """The person's feedback answers close (and release, as the cycle's rule says) with the submission."""
        feedback.stage_close(uow, event.review.cycle_id, event.review.employee_id, event.at)

    return {
        ev.SelfAssessmentSaved: [],
        ev.SelfAssessmentSubmitted: [training.needs_from_self_assessment],
        ev.SelfAssessmentWithdrawn: [],  # its needs stay until the next submission replaces them (as after a return)
        ev.ManagerAssessmentSaved: [],
        ev.ManagerAssessmentSubmitted: [
            actions.actions_from_obstacles,
            training.needs_from_manager_assessment,
            close_feedback,
        ],
        # Its released feedback stays released (a group is never taken back); actions and needs follow the next
        # submission.
        ev.ManagerAssessmentWithdrawn: [],
        ev.DiscussionSaved: [],
        ev.DiscussionRecorded: [actions.actions_from_discussion],
        ev.ReviewAcknowledged: [],
        ev.ReviewFinalised: [],
        ev.ReviewReturned: [],
        ev.ReviewCalibrated: [],
    }


@cache
def query_handlers() -> dict[type[q.Query], Callable[[UnitOfWork, Any], Any]]:
    """Query type → the feature's function that answers it (imported on the first question)."""
    from service.services import feedback, goals, review_goals

    return {
        q.GoalPart: lambda uow, x: review_goals.goal_part(uow, x.employee_id, x.cycle_id, x.manager, x.scale),
        q.FeedbackRatings: lambda uow, x: feedback.score_feedback_ratings(
            uow, x.cycle, x.subject_id, x.now, x.releasing
        ),
        q.PersonGoals: lambda uow, x: goals.person_goals(
            uow, x.owner_id, x.cycle_id, on=x.on, archived=None, zone=x.zone
        ),
        q.GoalWeightTotal: lambda uow, x: goals.weight_total(uow, x.owner_id, x.cycle_id),
    }


class _Handlers(Mapping[type, list[Handler]]):
    """The unit of work's handler table, built on its first use (the first event dispatched)."""

    def __getitem__(self, event_type: type) -> list[Handler]:
        return event_handlers()[event_type]

    def __iter__(self) -> Iterator[type]:
        return iter(event_handlers())

    def __len__(self) -> int:
        return len(event_handlers())


def ask(uow: UnitOfWork, query: q.Query) -> Any:
    """The answer to a question about another feature's data, read through this unit of work."""
    return query_handlers()[type(query)](uow, query)


UnitOfWork.install(_Handlers())
