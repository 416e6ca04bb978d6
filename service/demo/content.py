"""What the demo's people write: who plays HR and the CEO, the review template, and assessment contents."""

from __future__ import annotations

from datetime import date
from typing import Any

HR = "E005"
CEO = "E001"

TEMPLATE = {
    "name": "Annual performance review",
    "competencies": [
        {"id": "delivery", "name": "Delivery", "description": "Delivers agreed outcomes on time and to standard."},
        {"id": "collaboration", "name": "Collaboration", "description": "Works across teams; shares knowledge."},
        {"id": "ownership", "name": "Ownership", "description": "Takes responsibility from problem to solution."},
        {"id": "growth", "name": "Learning and growth", "description": "Seeks feedback and builds new skills."},
    ],
    "scale": ["Not yet meeting", "Partly meeting", "Meeting", "Exceeding", "Outstanding"],
    "questions": {
        "self": [
            {"id": "proud", "text": "What are you most proud of this period?", "required": True},
            {"id": "support", "text": "What support would help you most?", "required": False},
        ],
        "manager": [{"id": "next", "text": "What should the next period focus on?", "required": False}],
        "peer": [{"id": "strength", "text": "What does this person do especially well?", "required": False}],
        "upward": [{"id": "manager_help", "text": "How could your manager support you better?", "required": False}],
    },
    "weights": {"goals": 40, "competencies": 40, "feedback": 20},
    "calibration": True,  # issue 23: ratings are calibrated between the manager assessments and the discussions
    "potential": ["Limited", "Moderate", "High"],
}


# (rating, comment) per competency, as the demo's people rate themselves and their reports.
SELF_RATINGS = {
    "delivery": (4, "Shipped what I committed to."),
    "collaboration": (3, ""),
    "ownership": (4, ""),
    "growth": (3, "Started a course."),
}
MANAGER_RATINGS = {
    "delivery": (4, "Reliable delivery."),
    "collaboration": (4, "Helps others unblock."),
    "ownership": (3, "Could drive incidents to closure more."),
    "growth": (4, "Visible progress."),
}


def _ratings(given: dict[str, tuple[int, str]]) -> dict[str, dict[str, Any]]:
    return {competency: {"rating": rating, "comment": comment} for competency, (rating, comment) in given.items()}


def self_assessment(proud: str, need: str, priority: str = "medium", fmt: str = "course") -> dict[str, Any]:
    """A self assessment with one achievement and one training need."""
    return {
        "competency_ratings": _ratings(SELF_RATINGS),
        "goal_results": [],
        "achievements": proud,
        "obstacles": [{"description": "Too many interruptions from ad-hoc requests."}],
        "learning": [{"activity": "Cloud architecture course", "kind": "course", "date": None, "note": ""}],
        "development_wishes": "Take on more design work.",
        "training_needs": [
            {
                "topic": need,
                "priority": priority,
                "format": fmt,
                "rationale": "Asked for in 1:1s.",
                "estimated_cost": 800.0,
            }
        ],
        "answers": {"proud": proud, "support": "Protected focus time."},
    }


def manager_assessment(owner: str, due: date, need: str, potential: int = 2) -> dict[str, Any]:
    """A manager assessment with an obstacle (owned, due), one training need and the potential (issue 23)."""
    return {
        "competency_ratings": _ratings(MANAGER_RATINGS),
        "potential": potential,
        "goal_ratings": [],
        "strengths": "Calm under pressure; clear written communication.",
        "areas_to_strengthen": "Delegating and saying no to low-value requests.",
        "obstacles": [
            {
                "description": "Ad-hoc requests fragment the week.",
                "remediation": "Introduce an intake rota",
                "owner_id": owner,
                "due": due.isoformat(),
                "status": "open",
            }
        ],
        "training_needs": [
            {
                "topic": need,
                "priority": "high",
                "format": "mentoring",
                "rationale": "Next step.",
                "estimated_cost": None,
            }
        ],
        "narrative": "A strong period with clear impact on the platform's reliability.",
        "answers": {"next": "Lead the next migration."},
    }
