"""Training needs: the catalogue's matching and merges, suppression at 4 and 5 and the next-smallest
group, the greedy programme on a hand-checked case, and capture inside the assessment's transaction.

The organisation is tests/conftest.py's: Alan (E3) manages Katherine (E4) and Edsger (E5); Grace (E2) is
HR and manages Barbara (E6); Ada (E1) leads and manages Grace and Alan.
"""

from __future__ import annotations

from dataclasses import asdict

import pytest

from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.domain.errors import NotFound, ValidationFailed
from service.domain.training import Catalogue, Topic, greedy_programme
from service.services import reviews as review_svc
from service.services import training
from service.services import training_reports as reports
from service.services.directory import import_organisation
from tests import factories as f
from tests.conftest import ORG_CSV

# --- pure rules ---------------------------------------------------------------------------------------


def test_free_text_matches_a_topic_by_name_or_synonym_whatever_the_case_order_or_plural():
    cat = Catalogue([Topic("public-speaking", "Public speaking", ("Presentation skills",))])
    assert cat.match("  public   SPEAKING ")[:2] == ("public-speaking", "Public speaking")
    assert cat.match("Speaking, public")[0] == "public-speaking"
    assert cat.match("presentation skill")[0] == "public-speaking"
    assert cat.match("Negotiation") == ("free-negotiation", "Negotiation", False)


def test_a_merged_topic_resolves_to_its_target():
    cat = Catalogue([Topic("a", "A"), Topic("b", "B", merged_into="c"), Topic("c", "C", ("B",))])
    assert cat.resolve("b") == "c" and cat.match("b")[0] == "c"


def test_greedy_programme_on_a_small_hand_checked_case():
    # 10 people with high-priority needs:
    #   3 want {sql}, 2 {sql, speaking}, 2 {speaking}, 1 {speaking, k8s}, 2 {k8s}
    # Step 1: sql reaches 5, speaking 5, k8s 3 → tie: the cheaper (sql, 100 < 300) → 5 covered.
    # Step 2: left {speaking}:2, {speaking,k8s}:1, {k8s}:2 → speaking 3, k8s 3 → tie: k8s (200 < 300) → 8.
    # Step 3: left {speaking}:2 → speaking → 10 (100%).
    combos = {("sql",): 3, ("speaking", "sql"): 2, ("speaking",): 2, ("k8s", "speaking"): 1, ("k8s",): 2}
    cost = {"sql": 100.0, "speaking": 300.0, "k8s": 200.0}
    steps = greedy_programme(combos, 3, cost)
    assert [(s.topic_id, s.new_people, s.covered, s.coverage) for s in steps] == [
        ("sql", 5, 5, 50.0),
        ("k8s", 3, 8, 80.0),
        ("speaking", 2, 10, 100.0),
    ]
    assert [s.topic_id for s in greedy_programme(combos, 1, cost)] == ["sql"]
    assert greedy_programme({}, 3, cost) == []


# --- use cases on the in-memory table -----------------------------------------------------------------


@pytest.fixture
def uow(clock) -> UnitOfWork:
    uow = UnitOfWork(MemoryTable())
    import_organisation(uow, None, ORG_CSV, clock)
    return uow


@pytest.fixture
def cycle_id(uow, clock) -> str:
    return f.launched_cycle(uow.table, clock).cycle_id


def who(uow, employee_id):
    return f.principal(uow.table, employee_id)


def submit_self(uow, cycle_id, clock, employee_id="E4", needs=None):
    content = f.self_content(training_needs=needs or [{"topic": "Public speaking", "priority": "high"}])
    v = uow.reviews.get(cycle_id, employee_id).version
    return review_svc.save_self_assessment(uow, who(uow, employee_id), cycle_id, employee_id, content, v, True, clock)


def submit_manager(uow, cycle_id, clock, employee_id="E4", **overrides):
    content = f.manager_content(**overrides)
    v = uow.reviews.get(cycle_id, employee_id).version
    return review_svc.save_manager_assessment(uow, who(uow, "E3"), cycle_id, employee_id, content, v, True, clock)


def aggregate(uow, cycle_id, group="ORG"):
    return uow.training.aggregate(cycle_id, group)


def test_needs_are_written_in_the_transaction_of_the_self_assessment(uow, cycle_id, clock):
    before = uow.transactions
    submit_self(uow, cycle_id, clock)
    assert uow.transactions == before + 1
    needs = uow.training.of_person("E4", cycle_id)
    assert [(n.topic_label, n.priority, n.source) for n in needs] == [("Public speaking", "high", "self")]
    org = aggregate(uow, cycle_id)
    assert (org["people"], org["p|free-public-speaking"], org["s|free-public-speaking"]) == (1, 1, 3)
    # Rolled up the management hierarchy: Alan (E3) and Ada (E1) count Katherine; Grace (E2) does not.
    assert aggregate(uow, cycle_id, "MGR|E3")["people"] == 1 and aggregate(uow, cycle_id, "MGR|E1")["people"] == 1
    assert aggregate(uow, cycle_id, "MGR|E2") == {}
    assert aggregate(uow, cycle_id, "DEPT|Engineering")["people"] == 1


def test_a_draft_writes_no_need(uow, cycle_id, clock):
    content = f.self_content()
    v = uow.reviews.get(cycle_id, "E4").version
    review_svc.save_self_assessment(uow, who(uow, "E4"), cycle_id, "E4", content, v, False, clock)
    assert uow.training.of_person("E4", cycle_id) == [] and aggregate(uow, cycle_id) == {}


def test_the_same_person_counts_once_per_topic_at_the_highest_priority(uow, cycle_id, clock):
    submit_self(uow, cycle_id, clock, needs=[{"topic": "Delegation", "priority": "low", "estimated_cost": 100}])
    submit_manager(
        uow, cycle_id, clock, training_needs=[{"topic": "delegation", "priority": "high", "estimated_cost": 50}]
    )
    org = aggregate(uow, cycle_id)
    assert (org["p|free-delegation"], org["s|free-delegation"], org["n|free-delegation"]) == (1, 3, 2)
    assert org["c|free-delegation"] == 15000  # cents
    assert org["h|free-delegation"] == 1 and org["hc|free-delegation"] == 1


def test_a_resubmission_replaces_the_needs_and_moves_the_aggregates(uow, cycle_id, clock):
    submit_self(uow, cycle_id, clock)
    v = uow.reviews.get(cycle_id, "E4").version
    review_svc.return_review(uow, who(uow, "E2"), cycle_id, "E4", "not_started", "Redo", v, clock)
    submit_self(uow, cycle_id, clock, needs=[{"topic": "SQL", "priority": "medium"}])
    assert [n.topic_label for n in uow.training.of_person("E4", cycle_id)] == ["SQL"]
    org = aggregate(uow, cycle_id)
    assert org["p|free-public-speaking"] == 0 and org["p|free-sql"] == 1 and org["people"] == 1


def test_the_manager_picks_an_obstacle_category_and_it_is_counted(uow, cycle_id, clock):
    submit_self(uow, cycle_id, clock)
    obstacle = {"description": "Slow CI", "remediation": "Runners", "owner_id": "E3", "due": "2026-05-01"}
    submit_manager(uow, cycle_id, clock, obstacles=[{**obstacle, "category": "tools"}])
    org = aggregate(uow, cycle_id)
    assert (org["op|tools"], org["on|tools"], org["obstacle_people"]) == (1, 1, 1)
    assert aggregate(uow, cycle_id, "DEPT|Engineering")["op|tools"] == 1


def test_a_low_rating_suggests_a_need_which_the_manager_confirms_or_dismisses(uow, cycle_id, clock):
    submit_self(uow, cycle_id, clock)
    low = {"delivery": {"rating": 1, "comment": ""}, "collaboration": {"rating": 2, "comment": ""}}
    submit_manager(
        uow,
        cycle_id,
        clock,
        competency_ratings=low,
        need_suggestions={"delivery": "confirmed", "collaboration": "dismissed"},
        training_needs=[],
    )
    by_source = {(n.source, n.topic_label, n.competency_id, n.priority) for n in uow.training.of_person("E4", cycle_id)}
    assert ("manager", "Delivery", "delivery", "high") in by_source
    assert not any(c == "collaboration" for _, _, c, _ in by_source)
    assert aggregate(uow, cycle_id)["cp|delivery"] == 1


def test_an_individuals_needs_are_hidden_from_a_peer(uow, cycle_id, clock):
    submit_self(uow, cycle_id, clock)
    assert training.person_needs(uow, who(uow, "E1"), "E4")  # top of the chain
    with pytest.raises(NotFound):  # denied looks like missing
        training.person_needs(uow, who(uow, "E5"), "E4")


def test_marking_a_need_addressed_counts_once_even_when_called_twice(uow, cycle_id, clock):
    submit_self(uow, cycle_id, clock)
    need = uow.training.of_person("E4", cycle_id)[0]
    done = training.mark_need_addressed(UnitOfWork(uow.table), who(uow, "E4"), need.need_id, "learning:L1", clock)
    again = training.mark_need_addressed(UnitOfWork(uow.table), who(uow, "E4"), need.need_id, "learning:L1", clock)
    assert done.status == again.status == "addressed" and again.addressed_by == "learning:L1"
    assert aggregate(UnitOfWork(uow.table), cycle_id)["a|free-public-speaking"] == 1
    with pytest.raises(NotFound):  # someone else's need looks like a missing one
        training.mark_need_addressed(UnitOfWork(uow.table), who(uow, "E5"), need.need_id, "x", clock)
    with pytest.raises(ValidationFailed):
        training.mark_need_addressed(UnitOfWork(uow.table), who(uow, "E4"), need.need_id, "  ", clock)


def test_hr_merges_free_text_into_a_catalogue_topic_and_the_report_adds_them(uow, cycle_id, clock):
    hr = who(uow, "E2")
    training.create_topic(uow, hr, {"name": "Public speaking", "synonyms": ["Presenting"]}, clock)
    with pytest.raises(ValidationFailed):
        training.create_topic(UnitOfWork(uow.table), hr, {"name": "Talks", "synonyms": ["presenting"]}, clock)
    # Needs named before the topic existed stay free text until HR merges them in.
    for e in ("E4", "E5", "E6"):
        submit_self(
            UnitOfWork(uow.table), cycle_id, clock, employee_id=e, needs=[{"topic": "Speaking", "priority": "high"}]
        )
    for e in ("E3", "E2"):
        submit_self(
            UnitOfWork(uow.table), cycle_id, clock, employee_id=e, needs=[{"topic": "presenting", "priority": "high"}]
        )
    training.merge_topics(UnitOfWork(uow.table), hr, "free-speaking", "public-speaking", clock)
    # The merged words now match the topic for new needs:
    assert UnitOfWork(uow.table).training.catalogue().match("speaking")[0] == "public-speaking"
    report = asdict(reports.training_report(UnitOfWork(uow.table), hr, cycle_id))  # HR reads the running cycle live
    assert [(t["topic"], t["people"]) for t in report["topics"]] == [("Public speaking", 5)]
    assert report["programme"]["coverage_percent"] == 100.0


def test_the_report_reads_a_fixed_number_of_items_however_many_needs(uow, cycle_id, clock):
    for e in ("E4", "E5", "E6", "E3", "E2"):
        submit_self(UnitOfWork(uow.table), cycle_id, clock, employee_id=e)
    counting = UnitOfWork(uow.table)
    reads = []
    real_get, real_query = counting.table.get, counting.table.query_page
    counting.table.get = lambda *a, **k: reads.append("get") or real_get(*a, **k)  # type: ignore[method-assign]
    counting.table.query_page = lambda *a, **k: reads.append("query") or real_query(*a, **k)  # type: ignore[method-assign]
    report = asdict(reports.training_report(counting, who(uow, "E2"), cycle_id))
    assert report["people_with_needs"] == 5
    # cycle, catalogue, cycles (previous), the organisation item, departments: no read per need or person
    assert len(reads) <= 6, reads
