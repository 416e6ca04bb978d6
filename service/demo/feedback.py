"""Demo feedback (issue 9): requests in every state, groups above and below the threshold, released (Mei's: her
manager submitted) and not yet released, upward feedback, and continuous feedback pulled into a review. Runs
before the reviews are driven, so that the finalised review's score (E008) has all three parts: goals,
competencies and feedback."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import feedback_answers, feedback_nominations, feedback_notes
from service.services.auth import Principal

HR = "E005"

PEER_ANSWERS = [
    ({"delivery": 4, "collaboration": 5, "ownership": 4, "growth": 4}, "Unblocks everyone on the deploy pipeline."),
    ({"delivery": 5, "collaboration": 4, "ownership": 4}, "Clear, kind code reviews that teach."),
    ({"delivery": 4, "collaboration": 4, "ownership": 3, "growth": 5}, "Explains trade-offs so the team can decide."),
]
UPWARD_ANSWERS = [
    ({"delivery": 4, "collaboration": 4, "ownership": 5}, "Protect our focus time from ad-hoc requests."),
    ({"delivery": 3, "collaboration": 5, "growth": 4}, "More regular 1:1s during releases."),
    ({"collaboration": 4, "ownership": 4, "growth": 3}, "Share the roadmap earlier."),
]


def _peer(ratings: dict[str, int], text: str) -> dict[str, Any]:
    return {"ratings": ratings, "answers": {"strength": text}}


def _upward(ratings: dict[str, int], text: str) -> dict[str, Any]:
    return {"ratings": ratings, "answers": {"manager_help": text}}


def load_feedback_demo(table: Table, who: Callable[[str], Principal], cycle_id: str, today: date, clock: Clock) -> None:
    """Nominations, approvals, answers, declines, drafts, upward feedback and notes in the active cycle."""

    def u() -> UnitOfWork:
        return UnitOfWork(table)

    def nominate(subject: str, peers: list[str]) -> None:
        feedback_nominations.nominate_peers(u(), who(subject), cycle_id, subject, peers, clock)

    def decide(subject: str, manager: str, approve: list[str], remove: list[str] = ()) -> None:  # type: ignore[assignment]
        feedback_nominations.decide_nominations(u(), who(manager), cycle_id, subject, approve, list(remove), [], clock)

    # Mei (E008): a group of 3 answers (shown), one decline, one draft: her finalised review's score uses it.
    nominate("E008", ["E009", "E010", "E011", "E014", "E015"])
    decide("E008", "E007", ["E009", "E010", "E011", "E014", "E015"])
    for reviewer, (ratings, text) in zip(("E009", "E010", "E011"), PEER_ANSWERS, strict=True):
        feedback_answers.submit_answer(u(), who(reviewer), cycle_id, "E008", _peer(ratings, text), clock)
    feedback_answers.decline(u(), who("E014"), cycle_id, "E008", "I have not worked with Mei this period.", clock)
    feedback_answers.save_draft(
        u(), who("E015"), cycle_id, "E008", _peer({"delivery": 4}, "Great pairing partner"), 0, clock
    )

    # Kwame (E009): only 2 answers so far: nothing shows before the release, and then only that there were too few.
    nominate("E009", ["E008", "E010", "E012"])
    decide("E009", "E007", ["E008", "E010", "E012"])
    for reviewer, (ratings, text) in zip(("E008", "E010"), PEER_ANSWERS, strict=False):
        feedback_answers.submit_answer(u(), who(reviewer), cycle_id, "E009", _peer(ratings, text), clock)

    # Sofia (E010): the manager removed one nominee and approved the others; nobody has answered yet.
    nominate("E010", ["E008", "E011", "E012", "E015"])
    decide("E010", "E007", ["E008", "E011", "E012"], ["E015"])

    # Jonas (E014): nominated, waiting for his manager's approval.
    nominate("E014", ["E015", "E016", "E017"])

    # Upward: every manager's reports are asked; Lukas (E007) has a group of 3, Fatima (E013) only 2.
    feedback_nominations.request_upward(u(), who(HR), cycle_id, clock)
    for reviewer, (ratings, text) in zip(("E008", "E010", "E011"), UPWARD_ANSWERS, strict=True):
        feedback_answers.submit_answer(u(), who(reviewer), cycle_id, "E007", _upward(ratings, text), clock)
    for reviewer, (ratings, text) in zip(("E014", "E015"), UPWARD_ANSWERS, strict=False):
        feedback_answers.submit_answer(u(), who(reviewer), cycle_id, "E013", _upward(ratings, text), clock)

    # Continuous feedback: praise and a suggestion; Mei pulls the praise into her review as evidence.
    praise = feedback_notes.send_note(
        u(),
        who("E020"),
        {
            "to_id": "E008",
            "kind": "praise",
            "text": "The blue-green rollout saved our launch day.",
            "competency_id": "delivery",
        },
        clock,
    )
    feedback_notes.send_note(
        u(),
        who("E012"),
        {"to_id": "E008", "kind": "suggestion", "text": "Write up the failover runbook for others."},
        clock,
    )
    feedback_notes.send_note(
        u(), who("E008"), {"to_id": "E009", "kind": "praise", "text": "Fast, careful latency work."}, clock
    )
    feedback_notes.pull_note(u(), who("E008"), praise.note_id, cycle_id, clock)
