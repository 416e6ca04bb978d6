"""The one suppression rule (domain/suppression.py) on hand-checked cases, and the issue's programme through
the real report: 10 people with a high-priority need, 8 of them Kubernetes, 2 more only through Negotiation."""

from __future__ import annotations

from dataclasses import asdict

from service.adapters.unit_of_work import UnitOfWork
from service.domain.suppression import Line, nested, withheld
from service.services.training_reports import report_csv, training_report
from tests import factories as f
from tests.unit.test_suppression_property import ISSUE, audit_all, build


def depts(**sizes: int) -> tuple[dict, list[Line]]:
    cells = {("d", k): v for k, v in sizes.items()}
    return {("org",): sum(sizes.values()), **cells}, [Line(("org",), tuple(cells))]


def test_a_group_of_4_is_withheld_and_a_group_of_5_is_shown():
    sizes, _ = depts(Ops=4, Sales=9, Eng=12)
    assert withheld(sizes, []) == {("d", "Ops")}
    sizes, lines = depts(Ops=5, Sales=9, Eng=12)
    assert withheld(sizes, lines) == set()


def test_the_next_smallest_part_goes_too_when_a_total_would_give_the_small_one_back():
    # Total 31 published: without a second withheld part, Ops = 31 − 9 − 12 − 6.
    sizes, lines = depts(Ops=4, Sales=9, Eng=12, Fin=6)
    assert withheld(sizes, lines) == {("d", "Ops"), ("d", "Fin")}
    # Two small parts protect each other only if together they reach 5.
    sizes, lines = depts(A=1, B=2, C=7, D=20)
    assert withheld(sizes, lines) == {("d", "A"), ("d", "B"), ("d", "C")}
    sizes, lines = depts(A=2, B=3, C=7)
    assert withheld(sizes, lines) == {("d", "A"), ("d", "B")}


def test_a_group_inside_another_goes_when_the_difference_is_a_small_group():
    # 12 people with needs, 10 of them Kubernetes: 12 − 10 = the 2 who did not name it.
    sizes = {"all": 12, "k8s": 10, "sql": 6}
    assert withheld(sizes, [nested("all", "k8s"), nested("all", "sql")]) == {
        "k8s",
        ("rest", "all", "k8s"),
        ("rest", "all", "sql"),
    }
    # 15 and 10: the other 5 may be known.
    assert "k8s" not in withheld({"all": 15, "k8s": 10}, [nested("all", "k8s")])


def test_a_cumulative_step_that_adds_few_people_hides_the_figures_that_would_subtract_to_it():
    # covered 8 after step 1, step 2 adds 2, covered 10 after step 2, of 10 people with a high-priority need.
    sizes = {"total": 10, "step1": 8, "adds2": 2, "covered2": 10}
    lines = [Line("covered2", ("step1", "adds2")), nested("total", "step1"), nested("total", "covered2")]
    hidden = withheld(sizes, lines)
    assert "adds2" in hidden and "step1" in hidden  # 10 − 8 can no longer be formed
    assert {"total", "covered2"}.isdisjoint(hidden)  # 10 and 10 give nothing away


def test_overlapping_parts_need_one_withheld_part_of_5_unless_all_are_withheld():
    # Formats of a topic of 9 people: course 8 people, mentoring 1. Needs = Σ formats: mentoring = needs − course.
    lines = [Line("topic", ("course", "mentoring"), disjoint=False)]
    assert withheld({"topic": 9, "course": 8, "mentoring": 1}, lines) == {"course", "mentoring"}
    assert withheld(
        {"topic": 9, "course": 9, "mentoring": 6, "other": 1},
        [Line("topic", ("course", "mentoring", "other"), disjoint=False)],
    ) == {"mentoring", "other"}


def test_a_part_never_published_and_empty_reveals_nothing_and_still_protects():
    # Everyone in the department named the topic (rest 0): the reader cannot tell the rest is 0.
    sizes = {"dept": 6, "dept-topic": 6}
    assert withheld(sizes, [nested("dept", "dept-topic")]) == {("rest", "dept", "dept-topic")}
    assert withheld(sizes, [nested("dept", "dept-topic")], unpublished=["dept-topic"]) == {
        "dept-topic",
        ("rest", "dept", "dept-topic"),
    }


def test_the_issues_programme_no_longer_gives_back_the_two_people_reached_only_through_negotiation():
    built = build(ISSUE)
    table = built["table"]
    made = training_report(UnitOfWork(table), f.principal(table, "E1"), built["current"], 3)
    report = asdict(made)
    p = report["programme"]
    assert [s["topic"] for s in p["topics"]] == ["Kubernetes", "Negotiation"]
    published = {
        "total": p["people_with_high_priority_needs"],
        "covered": [s["covered"] for s in p["topics"]],
        "adds": [s["adds"] for s in p["topics"]],
        "kubernetes high": next(
            (t["high_priority_people"] for t in report["topics"] if t["topic"] == "Kubernetes"), None
        ),
    }
    # 10 and 10 may be shown; no published 8 remains to subtract from them.
    assert 8 not in [published["kubernetes high"], *published["covered"], *published["adds"]], published
    assert published["adds"][1] is None
    # Both topic rows are withheld; typed as free text, they are not named there (the programme names topics
    # of 5 people or more only).
    assert [(t["topic"], t["suppressed"]) for t in report["topics"]] == [
        ("Free-text topics named by too few people to show", True)
    ]
    csv_text = report_csv(made)
    assert ",8," not in csv_text and "covered 8;" not in csv_text
    assert audit_all(ISSUE) == []


def test_the_csv_says_suppressed_where_the_result_withholds_a_figure():
    built = build(ISSUE)
    table = built["table"]
    report = training_report(UnitOfWork(table), f.principal(table, "E1"), built["current"], 3)
    rows = report_csv(report).splitlines()
    programme = [r for r in rows if r.startswith("programme,step 2")]
    assert programme and programme[0].split(",")[2] == "suppressed"
    assert rows[-1].startswith("note,")


def test_an_aggregate_counted_before_the_people_behind_formats_withholds_those_figures_and_still_answers():
    # 12 people, each one need on SQL by course: formats and "addressed" could be shown (12 people each).
    people = [{"dept": "Eng", "boss": 0, "needs": [("SQL", "medium", "course", True, None)]} for _ in range(12)]
    built = build([{"obstacles": [], "previous": [], "learning": [], **p} for p in people])
    table, lead = built["table"], f.principal(built["table"], "E1")
    sql = next(
        t for t in asdict(training_report(UnitOfWork(table), lead, built["current"]))["topics"] if t["topic"] == "Sql"
    )
    assert (sql["formats"], sql["addressed"]) == ({"course": 12}, 12)
    # The same figures as an older release stored them: no people behind formats, needs addressed or open.
    for item in table.all_items():
        if item["pk"].startswith("TRAINAGG#") and item["sk"].startswith("G#"):
            old = {k: v for k, v in item.items() if not k.startswith(("fp|", "ap|", "up|", "counted|"))}
            table.load([old])
    sql = next(
        t for t in asdict(training_report(UnitOfWork(table), lead, built["current"]))["topics"] if t["topic"] == "Sql"
    )
    assert (sql["people"], sql["formats"], sql["addressed"]) == (12, {"course": None}, None)
