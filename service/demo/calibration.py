"""The demo's calibration (issue 23): last year's platform team calibrated and closed (originals kept, one rating
raised and one lowered), this year's reviews ahead of the rest calibrated and closed, and the design team's session
open, its manager assessments waiting in calibration."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.demo.content import HR, MANAGER_RATINGS
from service.services import calibration
from service.services.auth import Principal

# (person, competency ratings that change, potential, reason): the facilitator's adjustments in a session.
Move = tuple[str, dict[str, int], int, str]

LAST_YEAR_MOVES: list[Move] = [
    (
        "E009",
        {"delivery": 5, "collaboration": 5, "ownership": 5, "growth": 5},
        3,
        "Carried the latency work alone for a quarter; the team agreed.",
    ),
    ("E010", {"collaboration": 3, "growth": 3}, 2, "Rated above the platform team's peers for the same work."),
]
THIS_YEAR_MOVES: list[Move] = [
    ("E016", {"delivery": 3}, 2, "The self-serve trial slipped twice; in line with the product team's ratings."),
]
OPEN_MOVES: list[Move] = [
    ("E020", {"collaboration": 5}, 3, "Ran the design system's adoption across three teams."),
]


def calibrate(
    table: Table,
    who: Callable[[str], Principal],
    cycle_id: str,
    name: str,
    people: list[str],
    moves: list[Move],
    clock: Clock,
    close: bool = True,
) -> None:
    """HR opens a session over `people`, makes the adjustments, and closes it unless asked to leave it open."""
    hr = who(HR)
    data: dict[str, Any] = {"name": name, "group": "list", "employee_ids": people, "target": [5, 15, 50, 25, 5]}
    session = calibration.create_session(UnitOfWork(table), hr, cycle_id, data, clock)
    for employee_id, changed, potential, reason in moves:
        ratings = {cid: changed.get(cid, rating) for cid, (rating, _) in MANAGER_RATINGS.items()}
        calibrated = {"competency_ratings": ratings, "potential": potential}
        calibration.adjust(UnitOfWork(table), hr, session.session_id, employee_id, calibrated, reason, 0, clock)
    if close:
        current = calibration.session_view(UnitOfWork(table), hr, session.session_id).session
        calibration.close_session(UnitOfWork(table), hr, session.session_id, current.version, clock)
