"""Small factories with sensible defaults for templates, cycles and assessment content."""

from __future__ import annotations

from datetime import date
from typing import Any

from service.adapters.queue import InlineQueue
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles as cycle_svc
from service.services import templates as template_svc
from service.services.auth import Principal
from service.services.directory import get_person


def template_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Annual review",
        "competencies": [
            {"id": "delivery", "name": "Delivery", "description": "Ships what matters, on time."},
            {"id": "collaboration", "name": "Collaboration", "description": "Makes the team better."},
        ],
        "scale": ["Below", "Meets", "Exceeds", "Outstanding"],
        "questions": {
            "self": [{"id": "proud", "text": "What are you proud of?", "required": True}],
            "manager": [{"id": "next", "text": "What should come next?", "required": False}],
            "peer": [],
            "upward": [],
        },
        "weights": {"goals": 40, "competencies": 40, "feedback": 20},
    }
    data.update(overrides)
    return data


def cycle_data(template_id: str, **overrides: Any) -> dict[str, Any]:
    data = {
        "name": "2026 annual review",
        "period_start": date(2026, 1, 1),
        "period_end": date(2026, 12, 31),
        "template_id": template_id,
        "phases": {
            "goal_setting": date(2026, 3, 1),
            "self_assessment": date(2026, 3, 10),
            "feedback": date(2026, 3, 20),
            "manager_assessment": date(2026, 3, 31),
            "discussion": date(2026, 4, 15),
        },
        "participant_mode": "everyone",
    }
    data.update(overrides)
    return data


def self_content(**overrides: Any) -> dict[str, Any]:
    data = {
        "competency_ratings": {
            "delivery": {"rating": 3, "comment": "Shipped the importer"},
            "collaboration": {"rating": 2, "comment": ""},
        },
        "goal_results": [{"title": "Launch importer", "result": "Launched in March", "rating": 3}],
        "achievements": "Led the directory import.",
        "obstacles": [{"description": "Slow CI"}],
        "learning": [{"activity": "AWS course", "kind": "course"}],
        "development_wishes": "Lead a project.",
        "training_needs": [{"topic": "Public speaking", "priority": "high", "format": "course"}],
        "answers": {"proud": "The importer."},
    }
    data.update(overrides)
    return data


def manager_content(owner_id: str = "E3", **overrides: Any) -> dict[str, Any]:
    data = {
        "competency_ratings": {
            "delivery": {"rating": 4, "comment": "Excellent"},
            "collaboration": {"rating": 3, "comment": "Good"},
        },
        "goal_ratings": [{"title": "Launch importer", "rating": 4, "comment": "Done well"}],
        "strengths": "Ownership.",
        "areas_to_strengthen": "Delegation.",
        "obstacles": [
            {
                "description": "Slow CI",
                "remediation": "Buy faster runners",
                "owner_id": owner_id,
                "due": "2026-05-01",
                "status": "open",
            }
        ],
        "training_needs": [{"topic": "Delegation", "priority": "medium", "format": "mentoring"}],
        "narrative": "A strong year.",
        "answers": {},
    }
    data.update(overrides)
    return data


def discussion_content(owner_id: str = "E4", **overrides: Any) -> dict[str, Any]:
    data = {
        "date": "2026-03-01",
        "notes": "Talked it through.",
        "agreed_actions": [{"description": "Pair on design", "owner_id": owner_id, "due": "2026-06-01"}],
    }
    data.update(overrides)
    return data


def principal(table, employee_id: str) -> Principal:
    return Principal.of(get_person(UnitOfWork(table), employee_id))


def inline_queue(table, clock) -> InlineQueue:
    from service.services.worker import dispatch

    return InlineQueue(lambda message: dispatch(table, message, clock))


def launched_cycle(table, clock, template: dict[str, Any] | None = None, **cycle_overrides: Any):
    """A template (factory defaults, with `template`'s overrides) and a launched cycle over the whole
    organisation; returns the cycle."""
    hr = principal(table, "E2")
    template = template_svc.create_template(UnitOfWork(table), hr, template_data(**(template or {})), clock)
    cycle = cycle_svc.create_cycle(UnitOfWork(table), hr, cycle_data(template.template_id, **cycle_overrides), clock)
    cycle_svc.launch_cycle(UnitOfWork(table), hr, cycle.cycle_id, cycle.version, clock, inline_queue(table, clock))
    return cycle_svc.get_cycle(UnitOfWork(table), cycle.cycle_id)
