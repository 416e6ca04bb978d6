"""Demo data for the training-need report: a topic catalogue with synonyms (and free text from the
reviews merged into it), self and manager assessments naming needs and categorised obstacles through
the real use cases, so that Engineering, Sales, People and Finance are above the suppression threshold
and Leadership below it (which hides the next-smallest department too); and last year's figures, for
the trend, as an import from the previous HR system."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.demo.content import HR, manager_assessment, self_assessment
from service.domain.training import NeedSource, contribution, needs_from_content
from service.services import cycles, reviews, training
from service.services.auth import Principal
from service.services.directory import get_person

TOPICS = [
    ("Public speaking", ["Presentation skills", "Presenting"], "collaboration"),
    ("System design", ["Software architecture", "Architecture"], "delivery"),
    ("Kubernetes operations", ["Kubernetes", "K8s"], "delivery"),
    ("Negotiation", ["Negotiation skills"], "collaboration"),
    ("Incident management", ["Incident response", "On-call"], "ownership"),
    ("Project management", ["Planning", "Delivery management"], "ownership"),
    ("Accessibility", ["WCAG", "Inclusive design"], "delivery"),
    ("Data analysis", ["SQL", "Spreadsheets"], "growth"),
    ("Coaching", ["Mentoring others", "People leadership"], "collaboration"),
]

# This cycle: (employee, [(topic as typed, priority, format, cost)]): free text matched through synonyms.
SELF_NEEDS: dict[str, list[tuple[str, str, str, float]]] = {
    "E018": [("SQL", "high", "course", 600), ("Presenting", "medium", "course", 400)],
    "E020": [("Inclusive design", "high", "course", 900), ("public speaking", "low", "mentoring", 0)],
    "E021": [("Software architecture", "medium", "course", 1200)],
    "E025": [("Negotiation", "high", "course", 1500), ("Presentation skills", "high", "mentoring", 0)],
    "E026": [("negotiation skills", "high", "course", 1500)],
    "E028": [("Negotiation", "medium", "conference", 2000), ("Spreadsheets", "low", "course", 200)],
    "E029": [("Public Speaking", "high", "course", 700), ("Negotiation", "high", "course", 1500)],
    "E030": [("Coaching", "medium", "mentoring", 0), ("SQL", "medium", "course", 600)],
    "E032": [("People leadership", "high", "course", 2500), ("Data analysis", "medium", "course", 600)],
    "E033": [("Coaching", "high", "mentoring", 0), ("Presenting", "medium", "course", 400)],
    "E034": [("Mentoring others", "medium", "on_the_job", 0), ("SQL", "high", "course", 600)],
    "E035": [("Coaching", "high", "course", 1800), ("Planning", "medium", "course", 500)],
    "E036": [("Spreadsheets", "medium", "course", 200), ("Coaching", "low", "mentoring", 0)],
    "E037": [("Coaching", "medium", "course", 1200), ("Data analysis", "medium", "course", 600)],
    "E038": [("Data analysis", "high", "course", 600)],
    "E039": [("Spreadsheets", "high", "course", 200)],
    "E040": [("Project management", "medium", "course", 900)],
    "E041": [("SQL", "high", "course", 600), ("Presenting", "low", "course", 400)],
    "E002": [("Negotiation", "high", "course", 1500)],  # Leadership: below the threshold
}
# Managers' assessments of some of them, with obstacles in categories.
MANAGED: dict[str, list[tuple[str, str]]] = {
    "E025": [("CRM is slow and loses notes", "tools"), ("Targets changed mid-quarter", "management_and_leadership")],
    "E026": [("Too many accounts for one person", "workload")],
    "E028": [("Quote approval takes a week", "process"), ("No travel budget for client visits", "resources")],
    "E029": [("CRM is slow and loses notes", "tools")],
    "E030": [
        ("Unclear ownership of renewals", "process"),
        ("Priorities change without notice", "management_and_leadership"),
    ],
    "E018": [("Dashboards time out on big queries", "tools")],
    "E020": [("Design tool licences shared between three people", "tools")],
    "E021": [("Research tool is missing", "tools"), ("No say in the roadmap", "management_and_leadership")],
    "E032": [("Decisions wait for the leadership meeting", "management_and_leadership")],
    "E033": [("Hiring approvals go through four people", "process"), ("Two roles at once", "workload")],
    "E034": [("Hiring approvals go through four people", "process"), ("Too many open roles", "workload")],
    "E035": [("Course bookings need three forms", "process")],
    "E036": [("Unclear who decides on policy", "management_and_leadership")],
}
# Last year's obstacles, imported with the needs (categories only): the closed cycle's diagnosis shows them, so
# leadership's trend has figures while this year's are held until the cycle closes (services/report_release.py).
LAST_YEAR_OBSTACLES: dict[str, tuple[str, ...]] = {
    **{e: ("tools",) for e in ("E008", "E009", "E010", "E011", "E012", "E014")},
    **{e: ("process",) for e in ("E023", "E024", "E025", "E026", "E028")},
    **{e: ("workload",) for e in ("E033", "E034", "E035", "E036", "E032")},
}
# Last year, imported: (employee, [(topic, priority)]).
LAST_YEAR: dict[str, list[tuple[str, str]]] = {
    **{e: [("Public speaking", "high"), ("Kubernetes", "medium")] for e in ("E008", "E009", "E010", "E011")},
    **{e: [("System design", "high")] for e in ("E012", "E014", "E015", "E016", "E018", "E020")},
    **{e: [("Negotiation", "medium"), ("Public speaking", "medium")] for e in ("E023", "E024", "E025", "E026")},
    **{e: [("Negotiation", "high")] for e in ("E028", "E029", "E030")},
    **{e: [("Coaching", "medium")] for e in ("E033", "E034", "E035", "E036", "E032")},
    **{e: [("Data analysis", "low")] for e in ("E038", "E039")},
}


def load_training_demo(table: Table, clock: Clock) -> None:
    """Load the training story on top of the demo (the scenario calls this once, at its end)."""
    today = clock.now().date()

    def who(employee_id: str) -> Principal:
        return Principal.of(get_person(UnitOfWork(table), employee_id))

    hr = who(HR)
    for name, synonyms, competency in TOPICS:
        training.create_topic(
            UnitOfWork(table), hr, {"name": name, "synonyms": synonyms, "competency_id": competency}, clock
        )
    current, last = cycles.list_cycles(UnitOfWork(table))[:2]
    # Free text the scenario's reviews used before the catalogue existed: HR merges it in.
    merged = {"free-kubernetes-operations", "free-public-speaking", "free-incident-management", "free-negotiation"}
    merged |= {"free-system-design", "free-accessibility", "free-project-management", "free-test-automation"}
    for source in sorted(merged):
        target = source.removeprefix("free-")
        if target in {t.topic_id for t in training.list_topics(UnitOfWork(table), hr)}:
            training.merge_topics(UnitOfWork(table), hr, source, target, clock)
    for employee_id, rows in SELF_NEEDS.items():
        content: dict[str, Any] = self_assessment("A good period.", "x")
        content["training_needs"] = [
            {"topic": t, "priority": p, "format": f, "rationale": "Named in the review.", "estimated_cost": c or None}
            for t, p, f, c in rows
        ]
        version = reviews.open_review(UnitOfWork(table), who(employee_id), current.cycle_id, employee_id).version
        version = reviews.save_self_assessment(
            UnitOfWork(table), who(employee_id), current.cycle_id, employee_id, content, version, True, clock
        ).version
        if employee_id in MANAGED:
            person = get_person(UnitOfWork(table), employee_id)
            manager = manager_assessment(person.manager_id or HR, today + timedelta(days=45), "x")
            manager["training_needs"] = []
            manager["obstacles"] = [
                {
                    "description": text,
                    "remediation": "Raised with the owner; agreed a fix.",
                    "owner_id": person.manager_id,
                    "due": (today + timedelta(days=60)).isoformat(),
                    "status": "open",
                    "category": category,
                }
                for text, category in MANAGED[employee_id]
            ]
            if employee_id == "E026":  # a low rating suggests a need; the manager confirms it
                manager["competency_ratings"]["ownership"] = {"rating": 2, "comment": "Drops follow-ups."}
                manager["need_suggestions"] = {"ownership": "confirmed"}
            reviews.save_manager_assessment(
                UnitOfWork(table), who(person.manager_id), current.cycle_id, employee_id, manager, version, True, clock
            )
    _last_year(table, last.cycle_id)


def _last_year(table: Table, cycle_id: str) -> None:
    """Last year's needs and obstacles as imported from the previous system: items and aggregates, no reviews."""
    uow = UnitOfWork(table)
    catalogue = uow.training.catalogue()
    for employee_id, rows in LAST_YEAR.items():
        person = get_person(uow, employee_id)
        needs = needs_from_content(
            [{"topic": t, "priority": p, "format": "course"} for t, p in rows],
            cycle_id=cycle_id,
            employee_id=employee_id,
            department=person.department,
            chain=person.chain,
            source=NeedSource.SELF,
            catalogue=catalogue,
        )
        obstacles = [{"category": c} for c in LAST_YEAR_OBSTACLES.get(employee_id, ())]
        with uow:
            now = uow.training.contribution(cycle_id, employee_id)
            after = [n for n in now.stored_needs() if n.source is not NeedSource.SELF] + needs
            made = contribution(person.department, person.chain, after, obstacles)
            uow.training.replace_person(cycle_id, employee_id, after, made, now)
            uow.commit()
