"""Training needs on moto's DynamoDB: the aggregate counters (attribute names with '|' and '+') add up as on
the in-memory table, and the report's requests do not grow with the number of people and needs."""

from __future__ import annotations

from dataclasses import asdict

from service.adapters.unit_of_work import UnitOfWork
from service.services import reviews as review_svc
from service.services import training_reports as reports
from tests import factories as f

NEEDS = [
    {"topic": "Public speaking", "priority": "high", "estimated_cost": 250.5},
    {"topic": "SQL", "priority": "high", "format": "mentoring"},
]


def submit(table, cycle_id, clock, employee_id):
    uow = UnitOfWork(table)
    v = uow.reviews.get(cycle_id, employee_id).version
    content = f.self_content(training_needs=NEEDS)
    me = f.principal(table, employee_id)
    review_svc.save_self_assessment(uow, me, cycle_id, employee_id, content, v, True, clock)


def test_counters_add_up_on_dynamodb_and_the_report_reads_the_same_whatever_the_people(seeded, clock, counter):
    cycle_id = f.launched_cycle(seeded, clock).cycle_id
    for e in ("E4", "E5", "E6", "E3", "E2"):
        submit(seeded, cycle_id, clock, e)
    ada = f.principal(seeded, "E2")  # HR: the running cycle's live figures (leadership reads them once it closes)
    counter.reset()
    small = asdict(reports.training_report(UnitOfWork(seeded), ada, cycle_id))
    few = dict(counter.calls)
    assert small["people_with_needs"] == 5
    submit(seeded, cycle_id, clock, "E1")
    counter.reset()
    report = asdict(reports.training_report(UnitOfWork(seeded), ada, cycle_id))
    assert dict(counter.calls) == few
    org = UnitOfWork(seeded).training.aggregate(cycle_id, "ORG")
    assert org["hc|free-public-speaking+free-sql"] == 6 and org["c|free-public-speaking"] == 150300
    topics = {t["topic"]: (t["people"], t["score"], t["estimated_cost"]) for t in report["topics"]}
    assert topics == {"Public speaking": (6, 18, 1503.0), "Sql": (6, 18, 0.0)}
    assert report["programme"]["coverage_percent"] == 100.0 and len(report["programme"]["topics"]) == 1
