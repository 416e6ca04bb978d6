"""The demo's diagnosis story (issue 27, points 2 and 3), made through the real use cases.

Upward feedback last year: Lukas (E007) and Fatima (E013), both at level 3, were in last year's cycle and their
reports answered about them before its feedback deadline (5 answers each; the deadline released the groups, their
own reviews were never started), so the closed cycle's diagnosis shows level 3 from 10 answers. This year's groups
are still open (the deadline is ahead): the page says when they show.

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
# Last year's managers in the cycle (level 3) and their reports' upward answers: the ratings of delivery,
# collaboration, ownership and growth as digits on the 5-point scale, then what they would change. Fatima's reports
# rate her lower than Lukas's rate him.
LAST_YEAR_MANAGERS = ["E007", "E013"]
LAST_YEAR_UPWARD = {
    "E007": "4454 Protect our focus time.|4543 Share the roadmap earlier.|3444 More regular 1:1s during releases."
    "|4445 Keep the on-call fair.|5444 Nothing to change.",
    "E013": "3232 Decide faster when priorities clash.|2333 Fewer late changes of scope.|3322 Give feedback before "
    "the review, not in it.|3233 Hold the 1:1s.|2332 Explain why the roadmap changed.",
}
COMPETENCIES = ("delivery", "collaboration", "ownership", "growth")


def load_upward_last_year(table: Table, who: Callable[[str], Principal], cycle_id: str, deadline: datetime) -> None:
    """HR asks last year's managers' reports about them, and every report answers before the feedback deadline."""
    at = SetAt(deadline - timedelta(days=2))
    feedback_nominations.request_upward(UnitOfWork(table), who(HR), cycle_id, at)
    for manager, answers in LAST_YEAR_UPWARD.items():
        reports = sorted(p.employee_id for p in UnitOfWork(table).directory.reports(manager))
        for reviewer, answer in zip(reports, answers.split("|"), strict=True):
            digits, text = answer.split(" ", 1)
            ratings = {c: int(d) for c, d in zip(COMPETENCIES, digits, strict=True)}
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
