"""The demo's diagnosis story (issue 27, points 2 and 3), made through the real use cases.

Upward feedback last year: Lukas (E007) and Fatima (E013), both at level 3, were in last year's cycle and their
reports answered about them before its feedback deadline (5 answers each), so the closed cycle's diagnosis shows
level 3 from 10 answers. This year's groups are still open (the deadline is ahead): the page says when they show.

The improvement plan, from what the diagnosis and the training-need report actually say: last year's
public-speaking needs were never addressed (an action made from that finding, under way and reviewed on this year's
diagnosis), and this year most obstacles sit with tools and processes (an action made from that finding, planned)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.demo.checkins import SetAt
from service.domain.improvement_plan import PlanAction
from service.services import diagnosis, feedback_answers, feedback_nominations, improvement_plan
from service.services.auth import Principal

HR = "E005"
# Last year's managers in the cycle (level 3) and their reports' upward answers: (delivery, collaboration,
# ownership, growth) ratings on the 5-point scale and what they would change. Fatima's reports rate her lower.
LAST_YEAR_MANAGERS = ["E007", "E013"]
LAST_YEAR_UPWARD = {
    "E007": [
        (4, 4, 5, 4, "Protect our focus time."),
        (4, 5, 4, 3, "Share the roadmap earlier."),
        (3, 4, 4, 4, "More regular 1:1s during releases."),
        (4, 4, 4, 5, "Keep the on-call fair."),
        (5, 4, 4, 4, "Nothing to change."),
    ],
    "E013": [
        (3, 2, 3, 2, "Decide faster when priorities clash."),
        (2, 3, 3, 3, "Fewer late changes of scope."),
        (3, 3, 2, 2, "Give feedback before the review, not in it."),
        (3, 2, 3, 3, "Hold the 1:1s."),
        (2, 3, 3, 2, "Explain why the roadmap changed."),
    ],
}


def load_upward_last_year(table: Table, who: Callable[[str], Principal], cycle_id: str, deadline: datetime) -> None:
    """HR asks last year's managers' reports about them, and every report answers before the feedback deadline."""
    at = SetAt(deadline - timedelta(days=2))
    feedback_nominations.request_upward(UnitOfWork(table), who(HR), cycle_id, at)
    for manager, answers in LAST_YEAR_UPWARD.items():
        reports = sorted(p.employee_id for p in UnitOfWork(table).directory.reports(manager))
        for reviewer, (delivery, collaboration, ownership, growth, text) in zip(reports, answers, strict=True):
            ratings = {"delivery": delivery, "collaboration": collaboration, "ownership": ownership, "growth": growth}
            content = {"ratings": ratings, "answers": {"manager_help": text}}
            feedback_answers.submit_answer(UnitOfWork(table), who(reviewer), cycle_id, manager, content, at)


def _first(findings, kind: str) -> str | None:
    return next((f.key for f in findings if f.key.startswith(kind)), None)


def load_plan_demo(table: Table, who: Callable[[str], Principal], last: str, current: str, clock: Clock) -> None:
    """Add the demo's plan items from the findings of last year's and this year's diagnosis."""
    hr, today = who(HR), clock.now().date()
    before = diagnosis.diagnosis(UnitOfWork(table), hr, last, clock.now()).findings
    key = _first(before, "training:topic:")
    if key is not None:
        item = improvement_plan.create_item(
            UnitOfWork(table),
            hr,
            {
                "source": "diagnosis",
                "cycle_id": last,
                "finding_key": key,
                "title": "Run a public-speaking course for everyone who asked for one",
                "owner_id": "E032",
                "due": today + timedelta(days=21),
            },
            clock,
        )
        improvement_plan.update_item(
            UnitOfWork(table), hr, item.item_id, PlanAction.START, "Trainer booked; first session next month.", 1, clock
        )
    now = diagnosis.diagnosis(UnitOfWork(table), hr, current, clock.now()).findings
    key = _first(now, "obstacles:")
    if key is not None:
        improvement_plan.create_item(
            UnitOfWork(table),
            hr,
            {
                "source": "diagnosis",
                "cycle_id": current,
                "finding_key": key,
                "title": "Replace the slow CI runners and simplify the release checklist",
                "owner_id": "E003",
                "due": today + timedelta(days=60),
            },
            clock,
        )
