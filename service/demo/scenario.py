"""The demo story the local run loads: a finished cycle last year, an active cycle with reviews in
every state, and a goal tree from the organisation down to individuals. Everything goes through
the real use cases, so the audit trail, counters and roll-ups are what production would hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from service.adapters.clock import Clock
from service.adapters.queue import InlineQueue
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.demo import organisation_csv
from service.demo import training as training_demo
from service.demo.calibration import LAST_YEAR_MOVES, OPEN_MOVES, THIS_YEAR_MOVES, calibrate
from service.demo.checkins import SetAt, load_checkins, stories
from service.demo.content import CEO, HR, TEMPLATE, manager_assessment, self_assessment
from service.demo.decisions import load_decisions_demo
from service.demo.delegation import load_delegation_demo
from service.demo.diagnosis import LAST_YEAR_MANAGERS, load_plan_demo, load_upward_last_year
from service.demo.feedback import load_feedback_demo
from service.demo.learning import load_learning
from service.demo.one_to_ones import load_one_to_ones_demo
from service.demo.schedules import load_schedules_demo, with_start_dates
from service.services import cycles, goals, reviews, templates
from service.services.auth import Principal
from service.services.directory import get_person, import_organisation
from service.services.worker import dispatch


def load_demo(table: Table, clock: Clock | None = None) -> None:
    """Import the demo organisation and build its story."""
    clock = clock or Clock()
    today = clock.now().date()
    import_organisation(UnitOfWork(table), None, with_start_dates(organisation_csv(), today), clock)
    queue = InlineQueue(lambda m: dispatch(table, m, clock))

    def who(employee_id: str) -> Principal:
        return Principal.of(get_person(UnitOfWork(table), employee_id))

    hr = who(HR)
    template = templates.create_template(UnitOfWork(table), hr, TEMPLATE, clock)

    # Last year's cycle, finished: history for the platform team.
    last = cycles.create_cycle(
        UnitOfWork(table),
        hr,
        {
            "name": f"{today.year - 1} annual review",
            "period_start": date(today.year - 1, 1, 1),
            "period_end": date(today.year - 1, 12, 31),
            "template_id": template.template_id,
            "participant_mode": "list",
            "employee_ids": ["E008", "E009", "E010", *LAST_YEAR_MANAGERS],
            "phases": _phases(today - timedelta(days=200)),
        },
        clock,
    )
    cycles.launch_cycle(UnitOfWork(table), hr, last.cycle_id, last.version, clock, queue)
    deadline = datetime.combine(last.phases["feedback"], time(9), UTC)
    load_upward_last_year(table, who, last.cycle_id, deadline)  # issue 27: upward feedback by level, last year
    platform = ["E008", "E009", "E010"]  # the managers' own reviews last year were never started
    for employee_id in platform:
        _drive(table, who, last.cycle_id, employee_id, "manager_submitted", today, clock)
    calibrate(table, who, last.cycle_id, "Platform team", platform, LAST_YEAR_MOVES, clock)  # issue 23
    for employee_id in platform:
        _drive(table, who, last.cycle_id, employee_id, "finalised", today, clock, after="manager_submitted")
    last = cycles.get_cycle(UnitOfWork(table), last.cycle_id)
    cycles.close_cycle(UnitOfWork(table), hr, last.cycle_id, last.version, clock)

    # This year's cycle, active, everyone taking part.
    current = cycles.create_cycle(
        UnitOfWork(table),
        hr,
        {
            "name": f"{today.year} mid-year review",
            "period_start": date(today.year, 1, 1),
            "period_end": date(today.year, 12, 31),
            "template_id": template.template_id,
            "participant_mode": "everyone",
            "phases": _phases(today),
            "carry_over_goals": False,
        },
        clock,
    )
    cycles.launch_cycle(UnitOfWork(table), hr, current.cycle_id, current.version, clock, queue)
    _goal_tree(table, who, current.cycle_id, today, clock)
    load_checkins(table, who, current.cycle_id, today, clock)  # issue 28: check-ins on a rhythm
    load_feedback_demo(table, who, current.cycle_id, today, clock)  # issue 9: before reviews are driven and scored
    driven = {
        "E014": "self_submitted",
        "E023": "self_submitted",
        "E009": "self_submitted",
        "E015": "manager_submitted",
        "E010": "manager_submitted",
        "E011": "discussed",
        "E016": "discussed",
        "E012": "acknowledged",
        "E024": "acknowledged",
        "E008": "finalised",
    }
    for employee_id, state in driven.items():
        _drive(
            table, who, current.cycle_id, employee_id, min(state, "manager_submitted", key=ORDER.index), today, clock
        )
    ahead = [e for e, state in driven.items() if ORDER.index(state) >= ORDER.index("manager_submitted")]
    calibrate(table, who, current.cycle_id, "Reviews ahead of the cycle", sorted(ahead), THIS_YEAR_MOVES, clock)
    for employee_id in ahead:
        _drive(table, who, current.cycle_id, employee_id, driven[employee_id], today, clock, after="manager_submitted")
    r = reviews.open_review(UnitOfWork(table), who("E017"), current.cycle_id, "E017")
    reviews.save_self_assessment(
        UnitOfWork(table),
        who("E017"),
        current.cycle_id,
        "E017",
        self_assessment("Automated the regression suite.", "Test automation"),
        r.version,
        False,
        clock,
    )
    training_demo.load_training_demo(table, clock)  # issue 10: the training-need report's story
    load_learning(table, who, today, clock)  # issue 14: learning logs and an interview planner
    load_decisions_demo(table, who, clock)  # issue 27: a restructuring the consistency checks flag
    load_delegation_demo(table, who, current.cycle_id, clock)  # issue 28: an acting manager, contributions
    load_schedules_demo(table, hr, template.template_id, clock)  # issue 28: probation and anniversary rules
    load_plan_demo(table, who, last.cycle_id, current.cycle_id, clock)  # issue 27: the improvement plan
    # issue 23: the design team's manager assessments (submitted by the training story) in an open session
    calibrate(table, who, current.cycle_id, "Design team", ["E020", "E021"], OPEN_MOVES, clock, close=False)
    load_one_to_ones_demo(table, who, current.cycle_id, clock)  # issue 28: Lukas and Kwame's one-to-ones


def _phases(today: date) -> dict[str, date]:
    return {
        "goal_setting": today - timedelta(days=20),
        "self_assessment": today - timedelta(days=4),
        "feedback": today + timedelta(days=6),
        "manager_assessment": today + timedelta(days=14),
        "calibration": today + timedelta(days=21),  # issue 23: the template calibrates
        "discussion": today + timedelta(days=28),
    }


# The steps a demo review is driven through (a calibrating cycle's session closes between the manager's and the
# discussion).
ORDER = ["self_submitted", "manager_submitted", "discussed", "acknowledged", "finalised"]


def _drive(
    table: Table, who, cycle_id: str, employee_id: str, target: str, today: date, clock: Clock, after: str = ""
) -> None:
    """Take one review through the workflow up to `target` (from the step after `after`)."""
    person = get_person(UnitOfWork(table), employee_id)
    employee, manager = who(employee_id), who(person.manager_id)
    steps = ORDER[ORDER.index(after) + 1 if after else 0 : ORDER.index(target) + 1]
    version = reviews.open_review(UnitOfWork(table), employee, cycle_id, employee_id).version
    needs = {
        "E008": "Kubernetes operations",
        "E009": "Public speaking",
        "E010": "Incident management",
        "E011": "Kubernetes operations",
        "E012": "Negotiation",
        "E014": "System design",
        "E015": "Accessibility",
        "E016": "System design",
        "E023": "Negotiation",
        "E024": "Public speaking",
    }
    need = needs.get(employee_id, "Project management")
    if "self_submitted" in steps:
        version = reviews.save_self_assessment(
            UnitOfWork(table),
            employee,
            cycle_id,
            employee_id,
            self_assessment(f"{person.name.split()[0]}'s best work this period.", need),
            version,
            True,
            clock,
        ).version
    if "manager_submitted" in steps:
        version = reviews.save_manager_assessment(
            UnitOfWork(table),
            manager,
            cycle_id,
            employee_id,
            manager_assessment(person.manager_id, today + timedelta(days=45), need),
            version,
            True,
            clock,
        ).version
    if "discussed" in steps:
        discussion = {
            "date": (today - timedelta(days=1)).isoformat(),
            "notes": "Walked through the assessment.",
            "agreed_actions": [
                {
                    "description": "Pair on the next design review",
                    "owner_id": employee_id,
                    "due": (today + timedelta(days=30)).isoformat(),
                    "status": "open",
                }
            ],
        }
        version = reviews.save_discussion(
            UnitOfWork(table), manager, cycle_id, employee_id, discussion, version, True, clock
        ).version
    if "acknowledged" in steps:
        agreement = "disagree" if employee_id == "E012" else "agree"
        response = "I think ownership deserved a 4: I led the outage review." if agreement == "disagree" else ""
        version = reviews.acknowledge(
            UnitOfWork(table), employee, cycle_id, employee_id, agreement, response, version, clock
        ).version
    if "finalised" in steps:
        reviews.finalise(UnitOfWork(table), who(HR), cycle_id, employee_id, version, clock)


def _goal_tree(table: Table, who, cycle_id: str, today: date, clock: Clock) -> None:
    """Organisation goals → department and team goals → personal goals, with progress."""

    def kr(
        title: str, start: float, target: float, current: float, unit: str = "", direction: str = "increase"
    ) -> dict[str, Any]:
        return {
            "id": title.lower().replace(" ", "-")[:40],
            "title": title,
            "start": start,
            "target": target,
            "current": current,
            "unit": unit,
            "direction": direction,
        }

    # The goals were set a fortnight into the cycle (its pace counts from then), not on the day the demo loads.
    clock = SetAt(min(clock.now(), datetime.combine(date(today.year, 1, 15), time(9), UTC)))

    def goal(
        owner: str,
        level: str,
        title: str,
        parent: str | None,
        weight: int,
        krs: list | None = None,
        status: str = "on_track",
    ) -> str:
        data = {
            "level": level,
            "title": title,
            "parent_id": parent,
            "weight": weight,
            "key_results": krs or [],
            "status": status,
            "due": date(today.year, 12, 31),
        }
        if level != "organisation":
            data["cycle_id"] = cycle_id
        return goals.create_goal(UnitOfWork(table), who(owner), data, clock).goal_id

    revenue = goal(
        CEO, "organisation", "Grow annual recurring revenue by 25%", None, 0, [kr("ARR in millions", 8, 10, 9.1, "M€")]
    )
    reliability = goal(CEO, "organisation", "Platform v2 live with 99.9% uptime", None, 0)
    people = goal(CEO, "organisation", "Be a place where people grow", None, 0)
    eng = goal("E003", "team", "Engineering delivers platform v2", reliability, 70)
    goal("E003", "team", "Grow engineering leaders", people, 30)
    platform = goal(
        "E007", "team", "Platform: zero-downtime deploys", eng, 100, [kr("Deploys without downtime", 0, 100, 64, "%")]
    )
    product = goal("E013", "team", "Product: ship the new onboarding", eng, 100)
    sales = goal("E004", "team", "Sales: new logos in EMEA and Americas", revenue, 100)
    emea = goal("E022", "team", "EMEA: 30 new customers", sales, 100, [kr("New customers", 0, 30, 14)])
    growth = goal("E005", "team", "Learning budget spent where reviews say", people, 100)
    with_check_ins = stories()
    for owner, parent, title, measure in [
        ("E008", platform, "Blue-green deploys for the API", (0, 10, 8)),
        ("E009", platform, "Cut p95 latency to 200 ms", (450, 200, 300, "ms", "decrease")),
        ("E010", platform, "On-call runbooks for every service", (0, 24, 24)),
        ("E011", platform, "Automate database failover", (0, 3, 1)),
        ("E012", platform, "Data pipeline SLOs", (0, 5, 2)),
        ("E014", product, "Onboarding flow redesign live", (0, 4, 3)),
        ("E015", product, "Accessibility audit fixed", (0, 40, 30)),
        ("E016", product, "Self-serve trial", (0, 1, 0)),
        ("E017", product, "Regression suite under 10 minutes", (40, 10, 22, "minutes", "decrease")),
        ("E023", emea, "8 new customers in DACH", (0, 8, 5)),
        ("E024", emea, "7 new customers in Nordics", (0, 7, 2)),
        ("E035", growth, "Training plan from review needs", (0, 1, 0)),
    ]:
        if owner in with_check_ins:  # its check-ins (demo/checkins.csv) bring it from the start to this value
            measure = (measure[0], measure[1], measure[0], *measure[3:])
        goal(
            owner,
            "individual",
            title,
            parent,
            70,
            [kr(title, *measure)],
            "at_risk" if owner in ("E011", "E024") else "on_track",
        )
        goal(
            owner,
            "individual",
            "Mentor a newer colleague",
            people if owner != "E035" else None,
            30,
            [kr("Mentoring sessions", 0, 10, 4)],
        )
    goal("E041", "individual", "Rolling forecast model", None, 100, [kr("Models live", 0, 1, 0)], "off_track")
