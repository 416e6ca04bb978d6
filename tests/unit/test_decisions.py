"""Personnel decisions weighed against the record (issue 27): the rules on constructed evidence, and the use cases
on the demo organisation in the in-memory table (stored state read back, never mocks)."""

from __future__ import annotations

import pytest

from service.adapters import keys
from service.adapters.store import MemoryTable
from service.adapters.unit_of_work import UnitOfWork
from service.demo.scenario import load_demo
from service.domain.decisions import (
    CycleEvidence,
    DecisionKind,
    DecisionState,
    Flag,
    NeedEvidence,
    PayDirection,
    PersonEvidence,
    aggregate,
    flags_for,
    rating_from_score,
)
from service.domain.directory import Role
from service.domain.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from service.services import decisions as svc
from service.services import training
from service.services.auth import Principal
from service.services.directory import get_person

GOOD = CycleEvidence("c1", "2025", "2025-01-01", 70.0, 3, "Exceeds", True)
POOR = CycleEvidence("c2", "2026", "2026-01-01", 20.0, 1, "Below", False)
GAP = CycleEvidence("c3", "2026", "2026-01-01", 50.0, 2, "Meets", True, gaps=("Delivery",))
OPEN_AGREED = NeedEvidence("n1", "c1", "Kubernetes", "manager", "high", addressed=False)
DONE_AGREED = NeedEvidence("n2", "c1", "Kubernetes", "manager", "high", addressed=True, addressed_by="course")
OPEN_OWN = NeedEvidence("n3", "c1", "Speaking", "self", "low", addressed=False)


def person(*cycles: CycleEvidence, needs: tuple[NeedEvidence, ...] = ()) -> PersonEvidence:
    return PersonEvidence("E1", "Ann", "Eng", cycles=cycles, needs=needs)


# --- the rules ----------------------------------------------------------------------------------------


def test_a_score_becomes_the_nearest_point_and_meets_expectations_from_the_point_named_so():
    scale = ["Below expectations", "Meets expectations", "Exceeds expectations", "Outstanding"]
    assert rating_from_score(33.3, scale).label == "Meets expectations"
    assert rating_from_score(33.3, scale).at_or_above is True
    assert rating_from_score(10.0, scale).at_or_above is False
    assert rating_from_score(50.0, ["1", "2", "3", "4", "5"]).value == 3  # no "meets": the middle point


@pytest.mark.parametrize(
    ("kind", "pay"),
    [
        (DecisionKind.IMPROVEMENT_PLAN, None),
        (DecisionKind.END_OF_EMPLOYMENT, None),
        (DecisionKind.RESTRUCTURING, None),
        (DecisionKind.PAY_CHANGE, PayDirection.DECREASE),
    ],
)
def test_an_adverse_decision_about_someone_meeting_expectations_is_flagged(kind, pay):
    assert Flag.AGAINST_RATINGS in flags_for(kind, pay, person(GOOD, GAP))


def test_a_favourable_decision_or_a_poor_record_is_not_flagged_against_ratings():
    assert flags_for(DecisionKind.PAY_CHANGE, PayDirection.INCREASE, person(GOOD)) == ()
    assert flags_for(DecisionKind.PROMOTION, None, person(GOOD, needs=(OPEN_AGREED,))) == ()
    assert Flag.AGAINST_RATINGS not in flags_for(DecisionKind.END_OF_EMPLOYMENT, None, person(GOOD, POOR))
    assert Flag.AGAINST_RATINGS not in flags_for(DecisionKind.END_OF_EMPLOYMENT, None, person())  # never rated


def test_an_adverse_decision_while_agreed_training_is_unaddressed_is_flagged():
    assert Flag.TRAINING_UNADDRESSED in flags_for(
        DecisionKind.END_OF_EMPLOYMENT, None, person(POOR, needs=(OPEN_AGREED,))
    )
    # Delivered training, or a need only the person named, does not count against the decision.
    assert flags_for(DecisionKind.END_OF_EMPLOYMENT, None, person(POOR, needs=(DONE_AGREED, OPEN_OWN))) == ()


def test_an_improvement_plan_needs_a_prior_review_naming_the_gap():
    assert flags_for(DecisionKind.IMPROVEMENT_PLAN, None, person()) == (Flag.NO_GAP_NAMED,)
    assert Flag.NO_GAP_NAMED not in flags_for(DecisionKind.IMPROVEMENT_PLAN, None, person(GAP))
    assert Flag.NO_GAP_NAMED not in flags_for(DecisionKind.IMPROVEMENT_PLAN, None, person(POOR))


def test_the_group_aggregate_counts_from_the_evidence():
    group = aggregate([person(GOOD, GAP, needs=(OPEN_AGREED, OPEN_OWN)), person(GOOD, POOR, needs=(DONE_AGREED,))])
    assert (group.people, group.meets_in_each, group.unaddressed_needs) == (2, 1, 2)
    assert group.sentence.startswith(
        "1 of 2 people affected were rated at or above expectations in each of the last 2 cycles; "
        "2 training needs named for them were never addressed"
    )


# --- the use cases on the demo organisation -------------------------------------------------------------


@pytest.fixture
def table(clock) -> MemoryTable:
    t = MemoryTable()
    load_demo(t, clock)
    return t


def who(table, employee_id: str, *extra: Role) -> Principal:
    return Principal.of(get_person(UnitOfWork(table), employee_id), frozenset(extra))


TEAM = ["E008", "E009", "E010", "E011", "E012"]  # the platform team: all meet expectations


def restructure(table, clock, recorder: str = "E005", justification: str = "The platform moves to a vendor."):
    data = {"kind": "restructuring", "summary": "Platform team dissolved", "people": TEAM}
    return svc.record_decision(UnitOfWork(table), who(table, recorder), {**data, "justification": justification}, clock)


def test_a_decision_against_the_record_needs_a_justification_and_nothing_is_saved_without_it(table, clock):
    before = UnitOfWork(table).decisions.newest()  # the demo's own decisions
    with pytest.raises(ValidationFailed) as refused:
        restructure(table, clock, justification="  ")
    assert "justification" in refused.value.errors
    assert UnitOfWork(table).decisions.newest() == before


def test_a_flagged_decision_waits_for_a_second_hr_person_and_the_recorder_cannot_approve_it(table, clock):
    decision = restructure(table, clock)
    assert decision.state is DecisionState.AWAITING_APPROVAL
    assert set(decision.flags) == set(TEAM)
    assert decision.decision_id in [d.decision_id for d in UnitOfWork(table).decisions.awaiting()]
    with pytest.raises(PermissionDenied):
        svc.approve(UnitOfWork(table), who(table, "E005"), decision.decision_id, clock)
    with pytest.raises(NotFound):  # a manager who did not record it does not find it
        svc.approve(UnitOfWork(table), who(table, "E007"), decision.decision_id, clock)
    with pytest.raises(Conflict):  # not communicated before approval
        svc.communicate(UnitOfWork(table), who(table, "E005"), decision.decision_id, clock)
    approved = svc.approve(UnitOfWork(table), who(table, "E002", Role.HR), decision.decision_id, clock)
    stored = UnitOfWork(table).decisions.get(decision.decision_id)
    assert (approved.state, stored.state, stored.approved_by) == (DecisionState.RECORDED,) * 2 + ("E002",)
    assert decision.decision_id not in [d.decision_id for d in UnitOfWork(table).decisions.awaiting()]


def test_the_evidence_is_what_the_record_held_at_save_time(table, clock):
    decision = restructure(table, clock)
    stored = UnitOfWork(table).decisions.get(decision.decision_id)
    assert (
        stored.evidence
        == svc.weigh(UnitOfWork(table), who(table, "E005"), DecisionKind.RESTRUCTURING, None, TEAM).evidence
    )
    need = next(n for n in stored.evidence[0].needs if not n.addressed)
    training.mark_need_addressed(UnitOfWork(table), who(table, "E005"), need.need_id, "Course taken", clock)
    later = svc.weigh(UnitOfWork(table), who(table, "E005"), DecisionKind.RESTRUCTURING, None, TEAM).evidence
    kept = UnitOfWork(table).decisions.get(decision.decision_id)
    assert kept.evidence == stored.evidence != later
    assert svc.decision_trail(UnitOfWork(table), who(table, "E005"), decision.decision_id)[1] == []


def test_tampering_with_the_kept_evidence_or_its_hash_is_detected(table, clock):
    decision = restructure(table, clock)
    key = keys.decision(decision.decision_id)
    item = table.get(key)
    item["evidence"][0]["cycles"][0]["at_or_above"] = False
    table.load([item])
    problems = svc.decision_trail(UnitOfWork(table), who(table, "E005"), decision.decision_id)[1]
    assert problems == ["the evidence does not match its hash"]
    # Recomputing the hash over the edited evidence does not help: the chained audit record holds the first one.
    from service.adapters.decision_store import DECISION
    from service.domain.decisions import evidence_hash

    edited = DECISION.from_item(item)
    table.load([{**item, "evidence_hash": evidence_hash(edited.evidence)}])
    problems = svc.decision_trail(UnitOfWork(table), who(table, "E005"), decision.decision_id)[1]
    assert problems == ["the evidence hash is not the one recorded when the decision was saved"]


def test_a_manager_decides_only_within_their_area(table, clock):
    data = {"kind": "promotion", "summary": "Senior engineer", "people": ["E008"]}
    decision = svc.record_decision(UnitOfWork(table), who(table, "E007"), data, clock)  # E008 reports to E007
    assert decision.state is DecisionState.RECORDED and decision.flags == {}
    with pytest.raises(PermissionDenied) as refused:  # who the caller is, not what they typed: 403
        svc.record_decision(UnitOfWork(table), who(table, "E007"), {**data, "people": ["E014"]}, clock)
    assert "not someone you may decide about" in refused.value.message
    assert [d.decision_id for d in UnitOfWork(table).decisions.recorded_by("E007")] == [decision.decision_id]


def test_the_employee_reads_a_decision_about_them_with_their_own_evidence_only_once_communicated(table, clock):
    decision = restructure(table, clock)
    with pytest.raises(NotFound):
        svc.get_decision(UnitOfWork(table), who(table, "E009"), decision.decision_id)
    svc.approve(UnitOfWork(table), who(table, "E002", Role.HR), decision.decision_id, clock)
    svc.communicate(UnitOfWork(table), who(table, "E005"), decision.decision_id, clock)
    mine = svc.get_decision(UnitOfWork(table), who(table, "E009"), decision.decision_id)
    assert [e.employee_id for e in mine.evidence] == ["E009"] and set(mine.flags) == {"E009"}
    assert [d.decision_id for d in svc.list_decisions(UnitOfWork(table), who(table, "E009")).about_me] == [
        decision.decision_id
    ]
    with pytest.raises(NotFound):  # a colleague outside the decision
        svc.get_decision(UnitOfWork(table), who(table, "E014"), decision.decision_id)
    trail = UnitOfWork(table).audit.of_entity(keys.entity_decision(decision.decision_id))
    assert [r["action"] for r in trail] == ["record", "approve", "communicate"]


def test_the_counts_of_a_quarter_withhold_small_groups_and_subtraction(table, clock):
    def counts():
        # HR reads the running quarter live (leadership only once it has ended: test_decision_counts_over_time.py).
        found = svc.decision_counts(UnitOfWork(table), who(table, "E005"), clock.now())
        current = found.periods[0]
        assert current.live and current.period == "2026-Q1"
        (row,) = current.rows
        return dict(zip(current.kinds, row.counts, strict=True)), row.total

    # The demo: a promotion of 1 told this quarter; the restructuring of 5 waits for approval and is not counted.
    assert counts() == ({"promotion": None, **dict.fromkeys(list(DecisionKind)[1:], 0)}, None)
    (waiting,) = UnitOfWork(table).decisions.awaiting()
    svc.approve(UnitOfWork(table), who(table, "E002", Role.HR), waiting.decision_id, clock)
    svc.communicate(UnitOfWork(table), who(table, "E005"), waiting.decision_id, clock)
    by_kind, total = counts()
    assert by_kind["promotion"] is None  # 1 person
    assert by_kind["restructuring"] is None  # the department's 6 − 5 would give the 1 away
    assert total == 6
    data = {"kind": "promotion", "summary": "Lead", "people": ["E015", "E016", "E017", "E018"]}
    promoted = svc.record_decision(UnitOfWork(table), who(table, "E005"), data, clock)
    svc.communicate(UnitOfWork(table), who(table, "E005"), promoted.decision_id, clock)  # 5 promoted now
    by_kind, total = counts()
    assert (by_kind["promotion"], by_kind["restructuring"], total) == (5, 5, 10)
    with pytest.raises(PermissionDenied):
        svc.decision_counts(UnitOfWork(table), who(table, "E009"), clock.now())


def test_saving_is_refused_when_the_record_changed_since_the_evidence_was_shown(table, clock):
    hr = who(table, "E005")
    shown = svc.weigh(UnitOfWork(table), hr, DecisionKind.RESTRUCTURING, None, TEAM)
    need = next(n for n in shown.evidence[0].needs if not n.addressed)
    training.mark_need_addressed(UnitOfWork(table), hr, need.need_id, "Course taken", clock)
    data = {"kind": "restructuring", "summary": "Dissolved", "people": TEAM, "justification": "Vendor"}
    before = UnitOfWork(table).decisions.newest()
    with pytest.raises(Conflict):
        svc.record_decision(UnitOfWork(table), hr, {**data, "evidence_hash": shown.evidence_hash}, clock)
    assert UnitOfWork(table).decisions.newest() == before
    again = svc.weigh(UnitOfWork(table), hr, DecisionKind.RESTRUCTURING, None, TEAM)
    saved = svc.record_decision(UnitOfWork(table), hr, {**data, "evidence_hash": again.evidence_hash}, clock)
    assert saved.evidence == again.evidence


def test_an_hr_person_cannot_approve_a_decision_about_themselves(table, clock):
    data = {"kind": "improvement_plan", "summary": "Plan", "people": ["E005"], "justification": "Board request"}
    decision = svc.record_decision(UnitOfWork(table), who(table, "E001"), data, clock)  # the CEO, E005's manager
    assert decision.flags == {"E005": [Flag.NO_GAP_NAMED.value]}
    with pytest.raises(NotFound):
        svc.approve(UnitOfWork(table), who(table, "E005"), decision.decision_id, clock)
    assert UnitOfWork(table).decisions.get(decision.decision_id).state is DecisionState.AWAITING_APPROVAL
