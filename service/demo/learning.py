"""The demo's continuous learning (issue 14): learning logs across Engineering and Sales (enough people for the
leadership report to show them; People and Finance stay under 5 and are suppressed), and Chloé Martin's
(E017) planner: a completed interview whose referral became a second completed one, a request waiting for an
answer, and a contact still to write to. Aiko Tanaka's (E015) learning plan (issue 27): an item in each state, one
addressing her Accessibility need, one an interview with a contact of her planner, two shared with her manager.
Everything goes through the real use cases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

from service.adapters.clock import Clock
from service.adapters.store import Table
from service.adapters.unit_of_work import UnitOfWork
from service.services import cycles, interviews, learning, learning_plan
from service.services.auth import Principal

# (who, type, title, days ago, hours, provider, what was learnt)
LOGS: tuple[tuple[str, str, str, int, float, str, str], ...] = (
    ("E017", "course", "Test automation with Playwright", 40, 12, "Online academy", "Page objects keep suites tidy."),
    ("E017", "online_community", "Ministry of Testing forum", 25, 3, "Ministry of Testing", "Exploratory charters."),
    ("E017", "reading", "Lessons Learned in Software Testing", 12, 6, "", "Heuristics beat scripts."),
    ("E008", "conference", "KubeCon Europe", 60, 16, "CNCF", "Operators for stateful services."),
    ("E009", "mentoring", "Mentoring with Mei", 30, 4, "Mei Chen", "How to write a design doc."),
    ("E010", "course", "Incident command training", 45, 8, "PagerDuty", "Roles during an incident."),
    ("E011", "on_the_job", "Shadowing the on-call rotation", 20, 10, "Sofia Rossi", "Runbooks first."),
    ("E012", "degree_programme", "MSc Data Science, module 2", 70, 40, "Open University", "Causal inference."),
    ("E014", "professional_association", "IEEE Computer Society meetup", 35, 2, "IEEE", ""),
    ("E015", "course", "Accessibility fundamentals", 50, 6, "W3C WAI", "Test with a screen reader."),
    ("E016", "reading", "Designing Data-Intensive Applications", 15, 12, "", "Replication trade-offs."),
    ("E018", "networking", "Data analysts' breakfast", 10, 2, "Local meetup", ""),
    ("E023", "course", "Negotiation skills", 55, 8, "Sales academy", "Anchor first."),
    ("E024", "conference", "SaaStr Europa", 65, 12, "SaaStr", "Land and expand."),
    ("E025", "mentoring", "Mentoring with Isabella", 28, 3, "Isabella Costa", "Qualify harder."),
    ("E026", "networking", "Sales development meetup", 18, 2, "Meetup", ""),
    ("E028", "online_community", "RevOps community", 22, 4, "Slack group", "Forecast hygiene."),
    ("E029", "course", "Value selling", 33, 6, "Sales academy", ""),
    ("E035", "professional_association", "CIPD branch event", 26, 3, "CIPD", "Skills-based hiring."),
    ("E038", "course", "IFRS 16 update", 40, 4, "ACCA", ""),
    ("E039", "course", "Excel for finance teams", 14, 6, "ACCA", "Power Query instead of copy and paste."),
    ("E033", "course", "Speaking with confidence", 9, 4, "Toastmasters", "Pause instead of filler words."),
)
# Activities logged against this cycle's training needs (issue 10): (who, title) → the need's topic. The
# training report then shows these needs as addressed (Data analysis, Negotiation, Coaching and Public
# speaking are named by 5 or more people, so their figures are shown), and the learning report counts them.
ADDRESSES: dict[tuple[str, str], str] = {
    ("E018", "Data analysts' breakfast"): "data-analysis",
    ("E039", "Excel for finance teams"): "data-analysis",
    ("E025", "Mentoring with Isabella"): "negotiation",
    ("E029", "Value selling"): "negotiation",
    ("E035", "CIPD branch event"): "coaching",
    ("E033", "Speaking with confidence"): "public-speaking",
}


def load_learning(table: Table, who: Callable[[str], Principal], today: date, clock: Clock) -> None:
    """Learning logs and one employee's planner, dated within this year up to today."""

    def day(ago: int) -> str:
        return max(date(today.year, 1, 1), today - timedelta(days=ago)).isoformat()

    current = cycles.list_cycles(UnitOfWork(table))[0].cycle_id
    for owner, kind, title, ago, hours, provider, learnt in LOGS:
        data = {"type": kind, "title": title, "date": day(ago), "hours": hours, "provider": provider, "learnt": learnt}
        topic = ADDRESSES.get((owner, title))
        if topic:
            needs = UnitOfWork(table).training.of_person(owner, current)
            data["need_id"] = next(n.need_id for n in needs if n.topic_id == topic)
        learning.create_activity(UnitOfWork(table), who(owner), data, clock)

    chloe = who("E017")
    first = interviews.add_contact(
        UnitOfWork(table),
        chloe,
        {
            "name": "Ruth Okonjo",
            "role": "Test Architect",
            "organisation": "Northwind Bank",
            "industry": "Banking",
            "found_via": "conference",
            "format": "video",
            "purpose": "test architecture in regulated industries",
        },
        clock,
    )
    second = _interview(
        table,
        chloe,
        first,
        clock,
        day(20),
        "Compliance testing is its own discipline; automation needs audit trails.",
        [{"name": "Samir Haddad", "role": "Quality Engineering Manager", "organisation": "Contoso Health"}],
        shared=True,
    )
    samir = next(c for c in second.referrals)
    samir_view = interviews.get_contact(UnitOfWork(table), chloe, samir.contact_id)
    _interview(
        table,
        chloe,
        samir_view,
        clock,
        day(8),
        "Managers in quality engineering spend most of their time on hiring and coaching.",
        [],
    )
    waiting = interviews.add_contact(
        UnitOfWork(table),
        chloe,
        {"name": "Lena Fischer", "role": "SDET Lead", "organisation": "Fabrikam", "found_via": "alumni"},
        clock,
    )
    interviews.act(UnitOfWork(table), chloe, waiting.contact_id, "send", waiting.version, clock)
    interviews.add_contact(
        UnitOfWork(table),
        chloe,
        {"name": "Victor Osei", "role": "Accessibility Specialist", "organisation": "Tailspin", "found_via": "alumni"},
        clock,
    )
    load_plan(table, who("E015"), today, clock)


def load_plan(table: Table, aiko: Principal, today: date, clock: Clock) -> None:
    """Aiko's learning plan: planned, in progress, done (in her log), dropped; linked to a need and a contact."""
    need = next(n for n in UnitOfWork(table).training.of_person("E015") if n.topic_label == "Accessibility")
    contact = interviews.add_contact(
        UnitOfWork(table),
        aiko,
        {"name": "Priya Raman", "role": "Design Systems Lead", "organisation": "Litware", "found_via": "conference"},
        clock,
    )

    def plan(kind: str, title: str, days: int, **more: object) -> learning_plan.PlanItemView:
        data = {"kind": kind, "title": title, "target_date": (today + timedelta(days=days)).isoformat(), **more}
        return learning_plan.add_item(UnitOfWork(table), aiko, data, clock)

    plan("reading", "Read “Inclusive Design Patterns”", 30, shared_with_manager=True)
    course = plan("course", "Web accessibility specialist course", 60, need_id=need.need_id, shared_with_manager=True)
    learning_plan.act(UnitOfWork(table), aiko, course.item_id, "start", course.version, clock)
    plan("informational_interview", "Informational interview with Priya Raman", 7, contact_id=contact.contact_id)
    met = plan("meet_someone", "Pair with the design-systems team for a day", 0)
    done = {"hours": 6, "learnt": "Tokens make contrast checks automatic."}
    learning_plan.complete_item(UnitOfWork(table), aiko, met.item_id, done, met.version, clock)
    dropped = plan("course", "Three.js masterclass", 90)
    learning_plan.act(UnitOfWork(table), aiko, dropped.item_id, "drop", dropped.version, clock)


def _interview(
    table: Table,
    owner: Principal,
    contact: interviews.ContactView,
    clock: Clock,
    held: str,
    learnt: str,
    referrals: list[dict],
    shared: bool = False,
) -> interviews.ContactDetail:
    """Send, schedule and complete one interview; returns the contact as the planner shows it then."""
    cid = contact.contact_id
    sent = interviews.act(UnitOfWork(table), owner, cid, "send", contact.version, clock)
    on = interviews.act(UnitOfWork(table), owner, cid, "schedule", sent.version, clock, held)
    data = {"completed_on": held, "hours": 0.5, "learnt": learnt, "referrals": referrals, "shared_with_manager": shared}
    interviews.complete(UnitOfWork(table), owner, cid, data, on.version, clock)
    return interviews.get_contact(UnitOfWork(table), owner, cid)
